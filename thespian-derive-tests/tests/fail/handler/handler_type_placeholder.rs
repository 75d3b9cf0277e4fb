use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(_)]
    fn on_number(&mut self, _msg: &u8) {}
}

fn main() {}
