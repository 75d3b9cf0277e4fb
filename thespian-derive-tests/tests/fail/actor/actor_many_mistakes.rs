use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor(parent = Other)]
impl Greeter {
    #[handler(String)]
    fn on_text(self, _msg: &String) {}

    #[handler(String)]
    fn on_more_text(&mut self, _msg: String) {}

    #[handler(i64)]
    fn on_int(&mut self, _msg: &i64, _ctx: &mut ActorContext<'_>, _sender: &ActorAddress) {}

    #[unrecognized]
    fn other(&mut self, _msg: &dyn Message) {}

    #[unrecognized]
    fn also_other(&mut self, _msg: &dyn Message) {}
}

fn main() {}
