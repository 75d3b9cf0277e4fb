use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[unrecognized(String)]
    fn other(&mut self, _msg: &dyn Message) {}
}

fn main() {}
