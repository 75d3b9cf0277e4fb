use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

impl Greeter {
    #[unrecognized]
    fn other(&mut self, _msg: &dyn Message) {}
}

fn main() {}
