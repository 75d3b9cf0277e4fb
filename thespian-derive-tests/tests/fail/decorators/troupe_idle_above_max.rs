use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[troupe(max_count = 3, idle_count = 5)]
#[actor]
impl Worker {}

fn main() {}
