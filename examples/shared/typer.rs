//! The `Typer` actor of usage guide §5.17 and the messages it routes by type. The examples
//! `typer`, `derived`, `unrecognized` and `super_deferral` use it, and their own actors
//! build on it.

use std::time::Duration;

use thespian::prelude::*;

// ANCHOR: messages
/// The family of messages that are "a kind of `BaseMsg`": the Rust form of a message base
/// class. A message joins it with `#[message(family = BaseMsg)]` and an `impl BaseMsg`.
pub trait BaseMsg: Message {}

/// A short message, with a report.
#[derive(Debug, Default, Clone, Serialize, Deserialize, Message)]
#[message(family = BaseMsg)]
pub struct ShortMsg {
    /// What the message reports.
    pub report: String,
}

impl BaseMsg for ShortMsg {}

/// A long message.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
#[message(family = BaseMsg)]
pub struct LongMsg;

impl BaseMsg for LongMsg {}
// ANCHOR_END: messages

// ANCHOR: typer
/// Says what kind of message it was sent.
#[derive(Default)]
pub struct Typer;

#[actor]
impl Typer {
    #[handler(String)]
    fn on_string(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "Got a string".to_string());
    }

    #[handler(i64)]
    fn on_int(&mut self, _msg: &i64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "Got an int".to_string());
    }

    #[handler(LongMsg)]
    fn on_long(&mut self, _msg: &LongMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "Got a long message".to_string());
    }

    #[handler(dyn BaseMsg)]
    fn on_base(&mut self, _msg: &dyn BaseMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "Got a message".to_string());
    }
}
// ANCHOR_END: typer

// ANCHOR: ask_text
/// Sends `msg` to `actor` and returns the text it answers, or `"(no answer)"` if nothing
/// came back within a tenth of a second.
///
/// # Errors
///
/// The system's error, for instance an answer that is not a `String`.
pub fn ask_text(asys: &ActorSystem, actor: &ActorAddress, msg: impl Message) -> Result<String, ActorSystemError> {
    let answer: Option<String> = asys.ask_as(actor, msg, Duration::from_millis(100))?;
    Ok(answer.unwrap_or_else(|| "(no answer)".to_string()))
}
// ANCHOR_END: ask_text
