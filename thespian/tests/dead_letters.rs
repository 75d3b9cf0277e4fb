//! Dead letters (spec §4.2, §7.6): mail to an actor that has exited goes to the registered
//! dead-letter handler inside a `DeadEnvelope`, or is dropped; registering and deregistering
//! (§5.6).

mod common;

use common::{quiet, settled_status, Failure, TestResult, ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Registers a [`Handler`] as the dead-letter handler under a label; it reports to the sender.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Register(String);

/// Deregisters a [`Handler`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Deregister;

/// Acknowledges [`Register`] and [`Deregister`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ack;

/// A letter.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Note(String);

/// What a [`Handler`] reports for each `DeadEnvelope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
struct Dead {
    handler: String,
    address: ActorAddress,
    note: Option<String>,
}

// ----- actors -----------------------------------------------------------------------------

/// A dead-letter handler that reports every dead letter, with its label, to whoever
/// registered it.
#[derive(Default)]
struct Handler {
    label: String,
    reporter: Option<ActorAddress>,
}

impl Actor for Handler {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(Register(label)) = msg.downcast_ref::<Register>() {
            self.label.clone_from(label);
            self.reporter = Some(sender.clone());
            ctx.handle_dead_letters(true);
            ctx.send(sender, Ack);
        } else if msg.is::<Deregister>() {
            ctx.handle_dead_letters(false);
            ctx.send(sender, Ack);
        } else if let (Some(envelope), Some(reporter)) = (msg.downcast_ref::<DeadEnvelope>(), &self.reporter) {
            let dead = Dead {
                handler: self.label.clone(),
                address: envelope.dead_address.clone(),
                note: envelope.dead_message.downcast_ref::<Note>().map(|n| n.0.clone()),
            };
            ctx.send(reporter, dead);
        }
        Ok(())
    }
}

/// Asks a [`Target`] to create a child; answered with [`Child`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct MakeChild;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Child(ActorAddress);

/// An actor that only has to exit, and can create children that do the same.
#[derive(Default)]
struct Target;

impl Actor for Target {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<MakeChild>() {
            let child = ctx.create_actor::<Target>()?;
            ctx.send(sender, Child(child));
        }
        Ok(())
    }
}

// ----- helpers ----------------------------------------------------------------------------

/// A new [`Handler`], registered under `label`, reporting to `endpoint`.
fn handler(endpoint: &ActorSystem, label: &str) -> Result<ActorAddress, Failure> {
    let handler = endpoint.create_actor::<Handler>()?;
    register(endpoint, &handler, label)?;
    Ok(handler)
}

/// (Re-)registers `handler` under `label`, reporting to `endpoint`.
fn register(endpoint: &ActorSystem, handler: &ActorAddress, label: &str) -> TestResult {
    let Ack = endpoint.ask_as::<Ack>(handler, Register(label.to_string()), ANSWER)?.ok_or("no Ack to Register")?;
    Ok(())
}

fn deregister(endpoint: &ActorSystem, handler: &ActorAddress) -> TestResult {
    let Ack = endpoint.ask_as::<Ack>(handler, Deregister, ANSWER)?.ok_or("no Ack to Deregister")?;
    Ok(())
}

/// The address of an actor that has exited.
fn exited_actor(asys: &ActorSystem) -> Result<ActorAddress, Failure> {
    let target = asys.create_actor::<Target>()?;
    asys.tell(&target, ActorExitRequest::new())?;
    Ok(target)
}

/// The next dead letter reported to `endpoint`.
fn next_dead(endpoint: &ActorSystem) -> Result<Dead, Failure> {
    Ok(endpoint.listen_as::<Dead>(ANSWER)?.ok_or("no dead letter reported")?)
}

fn dead(handler: &str, address: &ActorAddress, note: &str) -> Dead {
    Dead { handler: handler.to_string(), address: address.clone(), note: Some(note.to_string()) }
}

// ----- tests ------------------------------------------------------------------------------

on_every_base! {
    fn spec_4_2_mail_to_an_exited_actor_goes_to_the_dead_letter_handler(asys) {
        let obs = asys.private()?;
        handler(&obs, "h")?;
        // A top-level actor (spec §4.5) ...
        let top = exited_actor(asys)?;
        asys.tell(&top, Note("to a top-level actor".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("h", &top, "to a top-level actor"));
        // ... and a child actor: both are dead-lettered once they exited.
        let parent = asys.create_actor::<Target>()?;
        let Child(child) = asys.ask_as::<Child>(&parent, MakeChild, ANSWER)?.ok_or("no child created")?;
        asys.tell(&child, ActorExitRequest::new())?;
        asys.tell(&child, Note("to a child".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("h", &child, "to a child"));
        // Mail to the living is not touched.
        asys.tell(&parent, Note("to the living".to_string()))?;
        quiet(&obs)?;
        Ok(())
    }

    fn spec_4_2_without_a_handler_dead_letters_are_dropped(asys) {
        let obs = asys.private()?;
        let target = exited_actor(asys)?;
        asys.tell(&target, Note("dropped".to_string()))?;
        // Nothing comes back to the sender ...
        quiet(asys)?;
        // ... and nothing is kept for a handler registered later.
        handler(&obs, "late")?;
        quiet(&obs)?;
        asys.tell(&target, Note("handled".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("late", &target, "handled"));
        quiet(&obs)?;
        Ok(())
    }

    fn spec_5_6_the_last_registration_wins(asys) {
        let obs = asys.private()?;
        let first = handler(&obs, "first")?;
        handler(&obs, "second")?;
        let target = exited_actor(asys)?;
        asys.tell(&target, Note("one".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("second", &target, "one"));
        quiet(&obs)?;
        // Registering again takes the role back.
        register(&obs, &first, "first again")?;
        asys.tell(&target, Note("two".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("first again", &target, "two"));
        quiet(&obs)?;
        Ok(())
    }

    fn spec_5_6_deregistering_stops_delivery_with_no_fallback(asys) {
        let obs = asys.private()?;
        handler(&obs, "first")?;
        let second = handler(&obs, "second")?;
        deregister(&obs, &second)?;
        let target = exited_actor(asys)?;
        asys.tell(&target, Note("nobody".to_string()))?;
        // Neither the deregistered handler nor the one registered before it.
        quiet(&obs)?;
        assert_eq!(asys.status()?.dead_letter_handler, None);
        Ok(())
    }

    fn spec_5_6_deregistering_an_actor_that_is_not_the_handler_changes_nothing(asys) {
        let obs = asys.private()?;
        let first = handler(&obs, "first")?;
        let second = handler(&obs, "second")?;
        deregister(&obs, &first)?;
        assert_eq!(asys.status()?.dead_letter_handler, Some(second));
        let target = exited_actor(asys)?;
        asys.tell(&target, Note("still handled".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("second", &target, "still handled"));
        quiet(&obs)?;
        Ok(())
    }

    fn spec_5_6_a_handler_that_exits_is_no_longer_used(asys) {
        let obs = asys.private()?;
        handler(&obs, "old")?;
        let current = handler(&obs, "current")?;
        asys.tell(&current, ActorExitRequest::new())?;
        settled_status(asys, |s| s.dead_letter_handler.is_none())?;
        let target = exited_actor(asys)?;
        asys.tell(&target, Note("after the handler exited".to_string()))?;
        // Mail to the exited handler itself is a dead letter too, and is dropped as well.
        asys.tell(&current, Note("to the exited handler".to_string()))?;
        // No fallback to the handler registered before it.
        quiet(&obs)?;
        // A new registration works as usual.
        handler(&obs, "new")?;
        asys.tell(&target, Note("handled again".to_string()))?;
        assert_eq!(next_dead(&obs)?, dead("new", &target, "handled again"));
        quiet(&obs)?;
        Ok(())
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Handler);
thespian::register_actor!(Target);
