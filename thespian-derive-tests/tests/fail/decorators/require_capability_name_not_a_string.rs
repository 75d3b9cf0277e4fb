use thespian::prelude::*;

#[derive(Default)]
struct Lamp;

#[require_capability(HasLightbulb)]
#[actor]
impl Lamp {}

fn main() {}
