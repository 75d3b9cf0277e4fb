use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String, _ctx: &mut ActorContext<'_>, _sender: &ActorAddress) {}
}

fn main() {}
