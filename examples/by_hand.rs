//! When to write `impl Actor` by hand rather than use `#[actor]`: for a generic actor, and
//! for an actor that does something with every message before routing it.
//!
//! Run it with `cargo run --example by_hand`.

use std::time::Duration;

use thespian::prelude::*;
use thespian_examples::typer::{ask_text, LongMsg, ShortMsg, Typer};

// ANCHOR: generic
/// Keeps the latest `T` it was sent, and sends it back when asked with `()`.
/// `#[actor]` does not take generic types, so this one is written by hand.
struct Latest<T> {
    value: Option<T>,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Self { value: None }
    }
}

impl<T: Message + Clone> Actor for Latest<T> {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(value) = msg.downcast_ref::<T>() {
            self.value = Some(value.clone());
        } else if msg.is::<()>() {
            if let Some(value) = &self.value {
                ctx.send(sender, value.clone());
            }
        }
        Ok(())
    }
}
// ANCHOR_END: generic

// ANCHOR: wrapper
/// Counts every message, whatever its type, then lets a `Typer` route it.
#[derive(Default)]
struct Counting {
    typer: Typer,
    seen: u64,
}

impl Actor for Counting {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        self.seen += 1;
        if msg.is::<u64>() {
            ctx.send(sender, self.seen);
            return Ok(());
        }
        // An `#[actor]` type is an `Actor` too: hand it the message.
        self.typer.receive_message(msg, sender, ctx)
    }
}
// ANCHOR_END: wrapper

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let wait = Duration::from_secs(1);

    // ANCHOR: use
    let latest = asys.create_actor::<Latest<String>>()?;
    asys.tell(&latest, "first".to_string())?;
    asys.tell(&latest, "second".to_string())?;
    let kept: Option<String> = asys.ask_as(&latest, (), wait)?;
    println!("Latest<String> kept {kept:?}");
    assert_eq!(kept.as_deref(), Some("second"));

    let counting = asys.create_actor::<Counting>()?;
    println!("Counting: {}", ask_text(&asys, &counting, ShortMsg::default())?);
    println!("Counting: {}", ask_text(&asys, &counting, LongMsg)?);
    let seen: Option<u64> = asys.ask_as(&counting, 0_u64, wait)?;
    println!("Counting has seen {seen:?} messages");
    assert_eq!(seen, Some(3));
    // ANCHOR_END: use

    asys.shutdown()
}
