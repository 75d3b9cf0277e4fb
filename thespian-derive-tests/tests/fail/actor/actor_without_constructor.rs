use thespian::prelude::*;

struct Greeter {
    greeting: String,
}

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{} {msg}", self.greeting));
    }
}

fn main() {}
