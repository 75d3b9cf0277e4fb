use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[troupe(max_count)]
#[actor]
impl Worker {}

fn main() {}
