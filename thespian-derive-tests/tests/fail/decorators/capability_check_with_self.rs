use thespian::prelude::*;

#[derive(Default)]
struct Lamp;

#[actor]
impl Lamp {
    fn actor_system_capability_check(&self, _caps: &Capabilities, _reqs: Option<&Capabilities>) -> bool {
        true
    }
}

fn main() {}
