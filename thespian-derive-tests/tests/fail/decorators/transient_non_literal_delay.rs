use thespian::prelude::*;

const DELAY: u64 = 3;

#[derive(Default)]
struct Temp;

#[transient(secs = DELAY)]
#[actor]
impl Temp {}

fn main() {}
