use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[unrecognized]
    fn other(&mut self, _msg: &String) {}
}

fn main() {}
