use thespian::prelude::*;

struct Greeter;

impl Greeter {
    fn new() -> Self {
        Greeter
    }
}

#[actor(new)]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

// No second error here: `#[actor]` still makes `Greeter` an actor that can be created.
#[allow(dead_code)]
fn start(asys: &ActorSystem) -> Result<ActorAddress, ActorSystemError> {
    asys.create_actor::<Greeter>()
}

fn main() {}
