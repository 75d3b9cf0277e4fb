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
use crate::api::context::ActorContext;
use crate::api::message::Message;
use crate::core::host::ActorHost;

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
    match outcome {
        Ok(Ok(())) => ctx.take_failure().map_or(Ok(()), Err),
        Ok(Err(error)) => Err(error_text(&error)),
        Err(panic) => Err(panic_text(panic.as_ref())),
    }
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

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_string())
}

#[cfg(test)]
mod tests {
    //! Spec §4.13: what an actor logs carries its address, with a tiny recording layer in
    //! place of a real subscriber.

    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;

    use super::ACTOR_SPAN_TARGET;
    use crate::{Actor, ActorAddress, ActorContext, ActorResult, ActorSystem, Logging, Message};

    /// The `actor_address` a span was made with, kept in the span's extensions.
    struct AddressOfSpan(String);

    /// Picks one field's value out of a span's or an event's fields.
    struct FieldValue {
        name: &'static str,
        value: Option<String>,
    }

    impl Visit for FieldValue {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == self.name {
                self.value = Some(format!("{value:?}"));
            }
        }
    }

    /// An event's message, with the `actor_address` of every span it was logged in.
    type Recorded = (String, Vec<String>);

    /// Every event logged, as [`Recorded`].
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Recorded>>>);

    impl Recorder {
        /// The addresses in force for the event whose message is `message`.
        fn addresses_of(&self, message: &str) -> Vec<Vec<String>> {
            let events = self.0.lock().map(|e| e.clone()).unwrap_or_default();
            events.into_iter().filter(|(m, _)| m == message).map(|(_, a)| a).collect()
        }
    }

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            let mut address = FieldValue { name: "actor_address", value: None };
            attrs.record(&mut address);
            if let (Some(address), Some(span)) = (address.value, ctx.span(id)) {
                span.extensions_mut().insert(AddressOfSpan(address));
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let mut message = FieldValue { name: "message", value: None };
            event.record(&mut message);
            let addresses = ctx
                .event_scope(event)
                .map(|scope| scope.filter_map(|span| span.extensions().get::<AddressOfSpan>().map(|a| a.0.clone())))
                .map(Iterator::collect)
                .unwrap_or_default();
            if let Ok(mut events) = self.0.lock() {
                events.push((message.value.unwrap_or_default(), addresses));
            }
        }
    }

    /// Logs while it is built and while it handles a message; a `String` also makes it
    /// create a child of its own kind, send it a message, and answer with its address.
    struct Chatty;

    impl Default for Chatty {
        fn default() -> Self {
            tracing::warn!("chatty built");
            Self
        }
    }

    impl Actor for Chatty {
        fn receive_message(
            &mut self,
            msg: &mut dyn Message,
            sender: &ActorAddress,
            ctx: &mut ActorContext<'_>,
        ) -> ActorResult {
            tracing::warn!("chatty handling");
            if msg.is::<String>() {
                let child = ctx.create_actor::<Chatty>()?;
                ctx.send(&child, 1_u8);
                ctx.send(sender, child.to_string());
            }
            Ok(())
        }
    }

    #[test]
    fn spec_4_13_events_logged_by_an_actor_carry_its_address() -> Result<(), Box<dyn std::error::Error>> {
        let recorder = Recorder::default();
        // Warnings only, plus the actors' spans.
        let filter = tracing_subscriber::EnvFilter::new(format!("warn,{ACTOR_SPAN_TARGET}=info"));
        let subscriber = tracing_subscriber::registry().with(filter).with(recorder.clone());
        let (parent, child) = tracing::subscriber::with_default(subscriber, || {
            let asys = ActorSystem::builder().logging(Logging::Off).build()?;
            let parent = asys.create_actor::<Chatty>()?;
            let child: Option<String> = asys.ask_as(&parent, "make a child".to_string(), Duration::from_secs(10))?;
            tracing::warn!("outside any actor");
            asys.shutdown()?;
            Ok::<_, Box<dyn std::error::Error>>((parent.to_string(), child.ok_or("no child address")?))
        })?;
        // Each event has its own actor's address only: the child's span is not nested in its
        // parent's, although the child was built inside the parent's handler.
        let built = recorder.addresses_of("chatty built");
        assert_eq!(built, vec![vec![parent.clone()], vec![child.clone()]], "constructors");
        let handling = recorder.addresses_of("chatty handling");
        let (p, c) = (vec![parent], vec![child]);
        // The string and the u8, then each one's exit request at shutdown.
        assert_eq!(handling, vec![p.clone(), c.clone(), p, c], "handlers");
        assert_eq!(recorder.addresses_of("outside any actor"), vec![Vec::<String>::new()]);
        Ok(())
    }
}
