use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[actor]
#[troupe(max_count = 0)]
impl Worker {}

fn main() {}
