use thespian::prelude::*;

pub trait Greeting: Message {}

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(dyn Greeting + Send)]
    fn on_greeting(&mut self, _msg: &dyn Greeting) {}
}

fn main() {}
