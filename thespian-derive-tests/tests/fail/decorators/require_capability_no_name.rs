use thespian::prelude::*;

#[derive(Default)]
struct Lamp;

#[require_capability]
#[actor]
impl Lamp {}

fn main() {}
