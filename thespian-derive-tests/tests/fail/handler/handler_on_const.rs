use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    const GREETING: &'static str = "Hello";
}

fn main() {}
