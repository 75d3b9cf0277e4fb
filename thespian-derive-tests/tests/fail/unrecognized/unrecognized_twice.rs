use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[unrecognized]
    fn other(&mut self, _msg: &dyn Message) {}

    #[unrecognized]
    fn also_other(&mut self, _msg: &mut dyn Message) {}
}

fn main() {}
