//! The fallback handler (usage guide §5.17.2): `#[unrecognized]` receives every message that
//! no `#[handler]` takes; without one, such messages are dropped.
//!
//! Run it with `cargo run --example unrecognized`.

use thespian::prelude::*;
use thespian_examples::typer::{ask_text, ShortMsg, Typer};

// ANCHOR: subtyper2
/// A `Typer` that knows short messages, and says so about the messages it does not know.
#[derive(Default)]
struct Subtyper2 {
    typer: Typer,
}

#[actor(base = typer)]
impl Subtyper2 {
    #[handler(ShortMsg)]
    fn on_short(&mut self, _msg: &ShortMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "Got a short message".to_string());
    }

    #[unrecognized]
    fn other(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("Did not recognize the message type: {}", msg.message_type_name()));
    }
}
// ANCHOR_END: subtyper2

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: ask
    let st = asys.create_actor::<Subtyper2>()?;
    let answers =
        [ask_text(&asys, &st, ShortMsg::default())?, ask_text(&asys, &st, 1_i64)?, ask_text(&asys, &st, 1.0_f64)?];
    for answer in &answers {
        println!("Subtyper2: {answer}");
    }
    assert_eq!(answers, ["Got a short message", "Got an int", "Did not recognize the message type: f64"]);

    // The plain `Typer` has no fallback: the float is dropped, and no answer comes.
    let typer = asys.create_actor::<Typer>()?;
    let dropped = ask_text(&asys, &typer, 1.0_f64)?;
    println!("Typer:     {dropped}");
    assert_eq!(dropped, "(no answer)");
    // ANCHOR_END: ask

    asys.shutdown()
}
