use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[troupe(max_count = 4)]
impl Worker {}

fn main() {}
