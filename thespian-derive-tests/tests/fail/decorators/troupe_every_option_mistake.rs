use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[troupe(max_count = -1, idle = 3, max_count)]
#[actor]
impl Worker {}

fn main() {}
