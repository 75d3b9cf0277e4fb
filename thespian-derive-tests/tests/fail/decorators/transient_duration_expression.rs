use thespian::prelude::*;

#[derive(Default)]
struct Session;

#[transient(std::time::Duration::from_secs(3))]
#[actor]
impl Session {}

fn main() {}
