//! Actors and messages: the `Actor` trait, message types of your own and built in,
//! downcasting, addresses inside messages, and what happens to a message once it is sent.
//!
//! Run it with `cargo run --example messages`.

use std::collections::HashSet;
use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: describer
/// Answers every message with a description of what it received.
#[derive(Default)]
struct Describer;

impl Actor for Describer {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        let description = if let Some(text) = msg.downcast_ref::<String>() {
            format!("a String: {text:?}")
        } else if let Some(n) = msg.downcast_ref::<i64>() {
            format!("an i64: {n}")
        } else if let Some(x) = msg.downcast_ref::<f64>() {
            format!("an f64: {x}")
        } else if let Some(bytes) = msg.downcast_ref::<Vec<u8>>() {
            format!("{} bytes", bytes.len())
        } else if msg.is::<()>() {
            "a unit".to_string()
        } else {
            format!("something else, of type {}", msg.message_type_name())
        };
        ctx.send(sender, description);
        Ok(())
    }
}
// ANCHOR_END: describer

// ANCHOR: counter_protocol
/// The messages a `Counter` understands: one enum for the whole protocol.
#[derive(Debug, Serialize, Deserialize, Message)]
enum CounterMsg {
    /// Add to the total.
    Add(i64),
    /// Reply with the total (an `i64`).
    Get,
}

/// Keeps a running total.
#[derive(Default)]
struct Counter {
    total: i64,
}

impl Actor for Counter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(cmd) = msg.downcast_ref::<CounterMsg>() {
            match cmd {
                CounterMsg::Add(n) => self.total += n,
                CounterMsg::Get => ctx.send(sender, self.total),
            }
        }
        // Anything else is not for us: ignore it.
        Ok(())
    }
}
// ANCHOR_END: counter_protocol

// ANCHOR: addresses
/// Tells a `Relay` about an actor it should pass numbers to.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Introduce {
    counter: ActorAddress,
}

/// Passes every `i64` it receives on to the counters it was introduced to.
#[derive(Default)]
struct Relay {
    counters: HashSet<ActorAddress>,
}

impl Actor for Relay {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(intro) = msg.downcast_ref::<Introduce>() {
            // A set: being introduced twice to the same counter changes nothing.
            self.counters.insert(intro.counter.clone());
            ctx.send(sender, self.counters.len() as u64);
        } else if let Some(n) = msg.downcast_ref::<i64>() {
            for counter in &self.counters {
                ctx.send(counter, CounterMsg::Add(*n));
            }
        }
        Ok(())
    }
}
// ANCHOR_END: addresses

// ANCHOR: editor
/// A note that can be edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Note {
    text: String,
    edits: u32,
}

/// Edits every note it receives, in place, and sends the edited copy back.
#[derive(Default)]
struct Editor;

impl Actor for Editor {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(note) = msg.downcast_mut::<Note>() {
            note.text.push_str(" (edited)");
            note.edits += 1;
            ctx.send(sender, note.clone());
        }
        Ok(())
    }
}
// ANCHOR_END: editor

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: describe
    let describer = asys.create_actor::<Describer>()?;
    let answers = [
        asys.ask_as::<String>(&describer, "text".to_string(), WAIT)?,
        asys.ask_as::<String>(&describer, 42_i64, WAIT)?,
        asys.ask_as::<String>(&describer, 2.5_f64, WAIT)?,
        asys.ask_as::<String>(&describer, vec![1_u8, 2, 3], WAIT)?,
        asys.ask_as::<String>(&describer, (), WAIT)?,
        // A plain `42` is an `i32`, not an `i64`: the actor sees another type.
        asys.ask_as::<String>(&describer, 42, WAIT)?,
        asys.ask_as::<String>(&describer, CounterMsg::Get, WAIT)?,
    ];
    for answer in answers.iter().flatten() {
        println!("the describer got {answer}");
    }
    assert_eq!(answers[1].as_deref(), Some("an i64: 42"));
    assert_eq!(answers[5].as_deref(), Some("something else, of type i32"));
    // ANCHOR_END: describe

    // ANCHOR: use_counter
    let counter = asys.create_actor::<Counter>()?;
    asys.tell(&counter, CounterMsg::Add(5))?;
    asys.tell(&counter, CounterMsg::Add(-2))?;
    asys.tell(&counter, "not a counter message".to_string())?; // ignored
    let total: Option<i64> = asys.ask_as(&counter, CounterMsg::Get, WAIT)?;
    println!("the counter's total is {total:?}");
    assert_eq!(total, Some(3));
    // ANCHOR_END: use_counter

    // ANCHOR: use_addresses
    let relay = asys.create_actor::<Relay>()?;
    let second = asys.create_actor::<Counter>()?;
    assert_ne!(counter, second);
    assert_eq!(counter, counter.clone());
    println!("the counters are at {counter} and {second}");

    for c in [&counter, &second, &counter] {
        let known: Option<u64> = asys.ask_as(&relay, Introduce { counter: c.clone() }, WAIT)?;
        println!("the relay now knows {known:?} counter(s)");
    }
    asys.tell(&relay, 10_i64)?;
    let first_total: Option<i64> = asys.ask_as(&counter, CounterMsg::Get, WAIT)?;
    let second_total: Option<i64> = asys.ask_as(&second, CounterMsg::Get, WAIT)?;
    println!("after relaying 10: {first_total:?} and {second_total:?}");
    assert_eq!((first_total, second_total), (Some(13), Some(10)));
    // ANCHOR_END: use_addresses

    // ANCHOR: use_editor
    let editor = asys.create_actor::<Editor>()?;
    let draft = Note { text: "first draft".to_string(), edits: 0 };
    // `send` and `ask` take the message by value. To keep a copy, send a clone.
    let edited: Option<Note> = asys.ask_as(&editor, draft.clone(), WAIT)?;
    println!("we kept {draft:?}");
    println!("the editor sent back {edited:?}");
    assert_eq!(draft.edits, 0);
    assert_eq!(edited.map(|n| n.edits), Some(1));
    // ANCHOR_END: use_editor

    asys.shutdown()
}
