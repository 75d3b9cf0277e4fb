use thespian::prelude::*;

#[derive(Default)]
struct Temp;

#[transient_idle(seconds = 3)]
#[actor]
impl Temp {}

fn main() {}
