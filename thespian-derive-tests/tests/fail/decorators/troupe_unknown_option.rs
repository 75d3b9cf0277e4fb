use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[troupe(max = 4)]
#[actor]
impl Worker {}

fn main() {}
