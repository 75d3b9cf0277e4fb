//! Derived actors (usage guide §5.17.1): `#[actor(base = field)]` makes an actor extend the
//! `#[actor]` type held in one of its fields, the way a Python actor class extends another.
//!
//! Run it with `cargo run --example derived`.

use thespian::prelude::*;
use thespian_examples::typer::{ask_text, BaseMsg, LongMsg, ShortMsg, Typer};

// ANCHOR: subtyper
/// A `Typer` that also knows short messages.
#[derive(Default)]
struct Subtyper {
    typer: Typer,
}

#[actor(base = typer)]
impl Subtyper {
    #[handler(ShortMsg)]
    fn on_short(&mut self, _msg: &ShortMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "Got a short message".to_string());
    }
}
// ANCHOR_END: subtyper

// ANCHOR: quiet
/// A `Typer` that answers its whole family of messages itself.
#[derive(Default)]
struct Quiet {
    typer: Typer,
    hushed: u32,
}

#[actor(base = typer)]
impl Quiet {
    #[handler(dyn BaseMsg)]
    fn hush(&mut self, _msg: &dyn BaseMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.hushed += 1;
        ctx.send(sender, format!("Shh ({})", self.hushed));
    }
}
// ANCHOR_END: quiet

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: compare
    let a1 = asys.create_actor::<Typer>()?;
    let a2 = asys.create_actor::<Subtyper>()?;
    for (name, actor) in [("Typer", &a1), ("Subtyper", &a2)] {
        println!("{name:>8}: ShortMsg -> {}", ask_text(&asys, actor, ShortMsg::default())?);
        println!("{name:>8}: LongMsg  -> {}", ask_text(&asys, actor, LongMsg)?);
    }
    assert_eq!(ask_text(&asys, &a1, ShortMsg::default())?, "Got a message");
    assert_eq!(ask_text(&asys, &a2, ShortMsg::default())?, "Got a short message");
    assert_eq!(ask_text(&asys, &a2, LongMsg)?, "Got a long message");
    assert_eq!(ask_text(&asys, &a2, 7_i64)?, "Got an int");
    // ANCHOR_END: compare

    // ANCHOR: quiet_use
    let quiet = asys.create_actor::<Quiet>()?;
    let short = ask_text(&asys, &quiet, ShortMsg::default())?;
    let long = ask_text(&asys, &quiet, LongMsg)?;
    let text = ask_text(&asys, &quiet, "hello".to_string())?;
    println!("   Quiet: ShortMsg -> {short}, LongMsg -> {long}, String -> {text}");
    assert_eq!((short.as_str(), long.as_str(), text.as_str()), ("Shh (1)", "Got a long message", "Got a string"));
    // ANCHOR_END: quiet_use

    asys.shutdown()
}
