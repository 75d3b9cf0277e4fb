use thespian::prelude::*;

#[derive(Default)]
struct Plain;

#[derive(Default)]
struct Derived {
    inner: Plain,
}

#[actor(base = inner)]
impl Derived {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

fn main() {}
