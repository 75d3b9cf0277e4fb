use thespian::prelude::*;

#[derive(Debug)]
struct Plain;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(Plain)]
    fn on_plain(&mut self, _msg: &Plain) {}
}

fn main() {}
