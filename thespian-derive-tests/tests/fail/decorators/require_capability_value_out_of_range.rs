use thespian::prelude::*;

#[derive(Default)]
struct Counter;

#[require_capability("Max Count", 10000000000000000000)]
#[actor]
impl Counter {}

fn main() {}
