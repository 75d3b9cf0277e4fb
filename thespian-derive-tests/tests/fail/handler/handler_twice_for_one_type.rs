use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}

    #[handler(String)]
    fn on_other_text(&mut self, _msg: &String) {}
}

fn main() {}
