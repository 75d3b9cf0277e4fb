//! The errors of the actor system: how to cause the ones a program can cause, and how to
//! tell them apart.
//!
//! Run it with `cargo run --example errors`.

use std::time::Duration;

use thespian::prelude::*;

// ANCHOR: explain
/// What a program should do about each error.
fn advice(e: &ActorSystemError) -> &'static str {
    match e {
        ActorSystemError::InvalidActorAddress { .. } => "use an address this system handed out",
        ActorSystemError::NoCompatibleSystemForActor { .. } => "add the capability, or relax the requirement",
        ActorSystemError::InvalidActorSpecification { .. } => "fix the type name or the setting",
        ActorSystemError::InvalidActorSourceHash { .. } => "load the source and wait for it to be validated",
        ActorSystemError::ActorSystemStartupFailure { .. } => "choose an available base",
        ActorSystemError::ActorSystemRequestTimeout { .. } => "retry later, or wait longer",
        ActorSystemError::ActorCreateFailure { .. } => "fix the actor's constructor",
        ActorSystemError::ProcessingLimitExceeded { .. } => "find the actors that never stop talking",
        ActorSystemError::UnexpectedReply { .. } => "take the reply back with `into_reply`",
        ActorSystemError::SystemShutDown => "start a new system",
        ActorSystemError::Wire(_) => "check that both sides know the message type",
        ActorSystemError::ActorSystemFailure { .. } => "report it: the system itself failed",
        // The enum is `#[non_exhaustive]`: later versions may add variants.
        _ => "read the message",
    }
}
// ANCHOR_END: explain

// ANCHOR: actors
/// An actor that cannot be built.
struct Unbuildable;

impl NewActor for Unbuildable {
    fn new_actor() -> Result<Self, ActorError> {
        Err("missing configuration".into())
    }
}

impl Actor for Unbuildable {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// Sends a greeting to every address it is given.
#[derive(Default)]
struct Forwarder;

/// An address to send a greeting to.
#[derive(Debug, Serialize, Deserialize, Message)]
struct GreetThere(ActorAddress);

impl Actor for Forwarder {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        _sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(GreetThere(there)) = msg.downcast_ref::<GreetThere>() {
            ctx.send(there, "hello".to_string());
        }
        Ok(())
    }
}

/// Like `Forwarder`, but checks the send and reports a bad address instead of failing.
#[derive(Default)]
struct CarefulForwarder;

impl Actor for CarefulForwarder {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(GreetThere(there)) = msg.downcast_ref::<GreetThere>() {
            if let Err(e) = ctx.try_send(there, "hello".to_string()) {
                ctx.send(sender, format!("not sent: {e}"));
            }
        }
        Ok(())
    }
}

/// Answers `"hi"` to anything.
#[derive(Default)]
struct Hi;

impl Actor for Hi {
    fn receive_message(
        &mut self,
        _: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        ctx.send(sender, "hi".to_string());
        Ok(())
    }
}
// ANCHOR_END: actors

fn report(what: &str, result: Result<impl std::fmt::Debug, ActorSystemError>) -> ActorSystemError {
    match result {
        Ok(value) => panic!("{what}: expected an error, got {value:?}"),
        Err(e) => {
            println!("{what}:\n  {e}\n  failure of the system itself? {}", e.is_actor_system_failure());
            println!("  what to do: {}", advice(&e));
            e
        }
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let other = ActorSystem::new()?;
    let theirs = other.create_actor::<Hi>()?;

    // ANCHOR: cause
    let e = report("an address from another system", asys.tell(&theirs, "hello".to_string()));
    assert!(matches!(e, ActorSystemError::InvalidActorAddress { .. }));

    let e = report("an unregistered type name", asys.create_actor_by_name("errors::Nobody"));
    assert!(matches!(e, ActorSystemError::InvalidActorSpecification { .. }));

    let e = report("a setting the base does not know", asys.system_update("setColour", "blue"));
    assert!(matches!(e, ActorSystemError::InvalidActorSpecification { .. }));

    let e = report("a base no one provides", ActorSystem::builder().base("multiprocPigeonBase").build());
    assert!(matches!(e, ActorSystemError::ActorSystemStartupFailure { .. }));

    let e = report("a constructor that fails", asys.create_actor::<Unbuildable>());
    assert!(matches!(e, ActorSystemError::ActorCreateFailure { .. }));

    let hi = asys.create_actor::<Hi>()?;
    let e = report("a reply of another type", asys.ask_as::<u64>(&hi, (), Duration::from_secs(1)));
    assert!(matches!(e, ActorSystemError::UnexpectedReply { .. }));

    other.shutdown()?;
    let e = report("a call after shutdown", other.create_actor::<Hi>());
    assert!(matches!(e, ActorSystemError::SystemShutDown));
    // ANCHOR_END: cause

    // ANCHOR: in_actor
    // Inside a handler, a send to a foreign address fails the handler: poison comes back.
    let forwarder = asys.create_actor::<Forwarder>()?;
    let reply = asys.ask(&forwarder, GreetThere(theirs.clone()), Duration::from_secs(1))?;
    let poison = reply.as_deref().and_then(|m| m.downcast_ref::<PoisonMessage>()).expect("poison");
    println!("a send to a foreign address from an actor:\n  {}", poison.details);
    assert!(poison.details.contains("InvalidActorAddress"));

    // `try_send` returns the error instead, and the handler decides what to do.
    let careful = asys.create_actor::<CarefulForwarder>()?;
    let reply: Option<String> = asys.ask_as(&careful, GreetThere(theirs), Duration::from_secs(1))?;
    println!("the same with try_send:\n  {}", reply.as_deref().unwrap_or("no answer"));
    assert!(reply.is_some_and(|r| r.starts_with("not sent: error[T0001]: InvalidActorAddress:")));
    // ANCHOR_END: in_actor

    asys.shutdown()
}
