use thespian::prelude::*;

#[derive(Default)]
struct Session;

#[transient_idle(3)]
#[actor]
impl Session {}

fn main() {}
