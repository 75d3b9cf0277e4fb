use thespian::prelude::*;

#[derive(Default)]
struct Greeter<T> {
    last: Option<T>,
}

#[actor]
impl<T: Message + Clone> Greeter<T> {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

// No second error here: the one mistake is the generic impl block.
#[allow(dead_code)]
fn start(asys: &ActorSystem) -> Result<ActorAddress, ActorSystemError> {
    asys.create_actor::<Greeter<String>>()
}

fn main() {}
