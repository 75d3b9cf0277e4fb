use thespian::prelude::*;

struct Greeter;

#[actor]
impl Default for Greeter {
    fn default() -> Self {
        Greeter
    }
}

fn main() {}
