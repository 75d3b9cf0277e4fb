use thespian::prelude::*;

#[derive(Default)]
struct Base;

#[actor]
impl Base {}

#[derive(Default)]
struct Derived {
    base: Base,
}

#[actor(base = inner)]
impl Derived {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

fn main() {}
