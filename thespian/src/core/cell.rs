//! Running one message through an actor: failure, retry once, and the failure text
//! (spec §2.2.5, §4.4). Also the other places where the system runs user code (building an
//! actor, its capability check, dropping an actor or a message), each of which catches a
//! panic so that it cannot unwind through the system.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tracing::Span;

use crate::api::actor::{Actor, ActorError, ActorFactory, ActorStart};
use crate::api::address::ActorAddress;
use crate::api::capabilities::Capabilities;
use crate::api::context::{ActorContext, ActorHost};
use crate::api::message::Message;
use crate::encoding::panic_message;

/// The span an actor's own code runs in (spec §4.13): every event logged while it builds or
/// handles a message carries its address as `actor_address`, the spec's "actorAddress".
///
/// It is made once per actor, with no parent (an actor's events do not nest under its
/// creator's). It is at level INFO with the target `thespian::actor`, so it is off unless a
/// filter enables that target at INFO: `RUST_LOG=warn,thespian::actor=info` shows only
/// warnings, each with the address of the actor that logged it. Off, it costs a few
/// instructions per message; on, entering and leaving it costs what the subscriber charges
/// (some 40 ns per message with `tracing_subscriber::fmt` and an `EnvFilter`, half the cost
/// of a `tell`), which is why it is not on by default.
pub(crate) fn actor_span(address: &ActorAddress) -> Span {
    tracing::info_span!(target: ACTOR_SPAN_TARGET, parent: None, "actor", actor_address = %address)
}

/// The target of every actor's span.
pub(crate) const ACTOR_SPAN_TARGET: &str = "thespian::actor";

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
    handle_in(&Span::none(), actor, msg, sender, me, host, retry)
}

/// [`handle`], running the actor's code inside `span` (its [`actor_span`]).
pub(crate) fn handle_in(
    span: &Span,
    actor: &mut dyn Actor,
    msg: &mut Box<dyn Message>,
    sender: &ActorAddress,
    me: &ActorAddress,
    host: &mut dyn ActorHost,
    retry: bool,
) -> Result<(), String> {
    let first = match attempt(span, actor, msg, sender, me, host) {
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
    attempt(span, actor, msg, sender, me, host).map_err(|second| {
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
    span: &Span,
    actor: &mut dyn Actor,
    msg: &mut Box<dyn Message>,
    sender: &ActorAddress,
    me: &ActorAddress,
    host: &mut dyn ActorHost,
) -> Result<(), String> {
    let mut ctx = ActorContext::new(me, host);
    let outcome = {
        let _in_actor = span.enter();
        catch_unwind(AssertUnwindSafe(|| actor.receive_message(&mut **msg, sender, &mut ctx)))
    };
    let watch = ctx.take_watch();
    let result = match outcome {
        Ok(Ok(())) => ctx.take_failure().map_or(Ok(()), Err),
        Ok(Err(error)) => Err(error_text(&error)),
        Err(panic) => Err(panic_text(panic.as_ref())),
    };
    // Spec §5.2.1: a watch is valid for this one return; a failed handler returned none.
    // The kernel ended the actor's last watch when it delivered this message.
    if let (Ok(()), Some(watch)) = (&result, watch) {
        host.set_watch(me, watch.into_fds());
    }
    result
}

/// Builds an actor inside `span` (its [`actor_span`]), turning an error or a panic into its
/// text.
pub(crate) fn construct(factory: ActorFactory, start: &ActorStart<'_>, span: &Span) -> Result<Box<dyn Actor>, String> {
    let _in_actor = span.enter();
    match catch_unwind(AssertUnwindSafe(|| (factory.construct)(start))) {
        Ok(Ok(actor)) => Ok(actor),
        Ok(Err(error)) => Err(error_text(&error)),
        Err(panic) => Err(panic_text(panic.as_ref())),
    }
}

/// Runs an actor type's capability check (spec §5.12) for a new actor, or for the running
/// actor `actor`. A check that panics fails, with the panic's text as the reason; the panic
/// is logged at warn.
pub(crate) fn check(
    factory: &ActorFactory,
    capabilities: &Capabilities,
    requirements: Option<&Capabilities>,
    actor: Option<&ActorAddress>,
) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| (factory.check)(capabilities, requirements))) {
        Ok(verdict) => verdict,
        Err(panic) => {
            let reason = format!("its capability check panicked: {}", panic_message(panic.as_ref()));
            match actor {
                Some(actor) => tracing::warn!(actor_address = %actor, actor_type = factory.type_name, %reason,
                    "capability check failed"),
                None => tracing::warn!(actor_type = factory.type_name, %reason, "capability check failed"),
            }
            Err(reason)
        }
    }
}

/// Drops a value holding user code (an actor, a message, a wakeup's payload). A `Drop` that
/// panics is logged at warn, naming `what` and the actor concerned, and goes no further.
#[inline]
pub(crate) fn discard<T>(value: T, what: &'static str, actor: &ActorAddress) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        drop_panicked(panic.as_ref(), what, actor);
    }
}

#[cold]
#[inline(never)]
fn drop_panicked(panic: &(dyn Any + Send), what: &'static str, actor: &ActorAddress) {
    let details = panic_text(panic);
    tracing::warn!(actor_address = %actor, %details, "dropping {what} panicked; the panic was contained");
}

fn error_text(error: &ActorError) -> String {
    format!("error: {error}")
}

fn panic_text(panic: &(dyn Any + Send)) -> String {
    format!("panic: {}", panic_message(panic))
}
