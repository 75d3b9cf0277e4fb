use thespian::prelude::*;

#[derive(Default)]
struct Lamp;

#[actor]
impl Lamp {
    fn actor_system_capability_check(caps: &Capabilities, _reqs: &Capabilities) -> Result<(), String> {
        caps.get("Lightbulb").map(drop).ok_or_else(|| "no lightbulb".to_string())
    }
}

fn main() {}
