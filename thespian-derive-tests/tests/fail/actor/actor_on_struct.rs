use thespian::prelude::*;

#[actor]
#[derive(Default)]
struct Greeter;

fn main() {}
