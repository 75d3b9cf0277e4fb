use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: String) {}
}

#[allow(dead_code)]
fn start(asys: &ActorSystem) -> Result<ActorAddress, ActorSystemError> {
    asys.create_actor::<Greeter>()
}

fn main() {}
