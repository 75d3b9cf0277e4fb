use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}

    #[handler(std::string::String)]
    fn on_more_text(&mut self, _msg: &String) {}
}

fn main() {}
