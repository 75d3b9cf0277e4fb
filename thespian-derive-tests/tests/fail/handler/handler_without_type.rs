use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler]
    fn on_text(&mut self, _msg: &String) {}
}

fn main() {}
