use thespian::prelude::*;

#[derive(Default)]
struct Greeter {
    greeting: String,
}

impl Greeter {
    fn polite() -> Self {
        Self { greeting: "Good morning".into() }
    }
}

#[actor(new = Greeter::polite)]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{}, {msg}", self.greeting));
    }
}

fn main() {}
