use thespian::prelude::*;

#[derive(Default)]
struct Worker;

#[troupe]
#[transient(secs = 3)]
#[actor]
impl Worker {}

fn main() {}
