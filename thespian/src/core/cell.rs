//! Running one message through an actor: failure, retry once, and the failure text
//! (spec §2.2.5, §4.4).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::api::actor::{Actor, ActorError, ActorFactory, ActorStart};
use crate::api::address::ActorAddress;
use crate::api::context::ActorContext;
use crate::api::message::Message;
use crate::core::host::ActorHost;

/// Hands `msg` to `actor`; on failure hands the same message to the same instance once
/// more when `retry` is set. Returns the last failure's text.
pub(crate) fn handle(
    actor: &mut dyn Actor,
    msg: &mut Box<dyn Message>,
    sender: &ActorAddress,
    me: &ActorAddress,
    host: &mut dyn ActorHost,
    retry: bool,
) -> Result<(), String> {
    let first = match attempt(actor, msg, sender, me, host) {
        Ok(()) => return Ok(()),
        Err(details) => details,
    };
    tracing::warn!(
        actor_address = %me,
        message_type = msg.message_type_name(),
        details = %first,
        "actor failed handling a message{}",
        if retry { "; retrying once" } else { "" }
    );
    if !retry {
        return Err(first);
    }
    attempt(actor, msg, sender, me, host).map_err(|second| {
        tracing::warn!(
            actor_address = %me,
            message_type = msg.message_type_name(),
            details = %second,
            "actor failed the same message twice"
        );
        second
    })
}

fn attempt(
    actor: &mut dyn Actor,
    msg: &mut Box<dyn Message>,
    sender: &ActorAddress,
    me: &ActorAddress,
    host: &mut dyn ActorHost,
) -> Result<(), String> {
    let mut ctx = ActorContext::new(me, host);
    let outcome = catch_unwind(AssertUnwindSafe(|| actor.receive_message(&mut **msg, sender, &mut ctx)));
    match outcome {
        Ok(Ok(())) => ctx.take_failure().map_or(Ok(()), Err),
        Ok(Err(error)) => Err(error_text(&error)),
        Err(panic) => Err(panic_text(panic.as_ref())),
    }
}

/// Builds an actor, turning an error or a panic into its text.
pub(crate) fn construct(factory: ActorFactory, start: &ActorStart<'_>) -> Result<Box<dyn Actor>, String> {
    match catch_unwind(AssertUnwindSafe(|| (factory.construct)(start))) {
        Ok(Ok(actor)) => Ok(actor),
        Ok(Err(error)) => Err(error_text(&error)),
        Err(panic) => Err(panic_text(panic.as_ref())),
    }
}

fn error_text(error: &ActorError) -> String {
    format!("error: {error}")
}

fn panic_text(panic: &(dyn Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_string());
    format!("panic: {text}")
}
