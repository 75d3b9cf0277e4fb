use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor(new)]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

fn main() {}
