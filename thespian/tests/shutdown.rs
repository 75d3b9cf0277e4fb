//! Shutting down from inside an actor (spec §5.16, §6.3) without losing mail: what was
//! queued before the request is delivered first (spec §4.1: delivery is in order), what
//! can no longer be delivered is reported, and a `listen` under way returns at once.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::logs::capture;
use common::{system, TestResult, ANSWER};
use thespian::prelude::*;

/// One of the many messages a [`Trigger`] sends.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Tick;

/// Makes a [`Trigger`] send `count` [`Tick`]s to `to`, then shut the system down.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Fire {
    to: ActorAddress,
    count: u32,
}

/// Sends its ticks, then asks for the shutdown, all in one handler.
#[derive(Default)]
struct Trigger;

#[actor]
impl Trigger {
    #[handler(Fire)]
    fn fire(&mut self, fire: &Fire, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        for _ in 0..fire.count {
            ctx.send(&fire.to, Tick);
        }
        ctx.actor_system_shutdown();
    }
}

/// What each [`Tally`] counted before its exit request, by address.
static TALLIES: Mutex<Vec<(String, u32)>> = Mutex::new(Vec::new());

/// Counts ticks; records the count when asked to exit.
#[derive(Default)]
struct Tally {
    ticks: u32,
}

#[actor]
impl Tally {
    #[handler(Tick)]
    fn tick(&mut self, _: &Tick, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        self.ticks += 1;
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _: &ActorExitRequest, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Ok(mut tallies) = TALLIES.lock() {
            tallies.push((ctx.my_address().to_string(), self.ticks));
        }
    }
}

/// Sends `farewells` ticks to `to` from its exit handler, when the system is going away.
#[derive(Default)]
struct Farewell {
    to: Option<ActorAddress>,
}

/// Tells a [`Farewell`] whom to write to; answered with itself.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WriteTo(ActorAddress);

#[actor]
impl Farewell {
    #[handler(WriteTo)]
    fn write_to(&mut self, to: &WriteTo, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.to = Some(to.0.clone());
        ctx.send(sender, to.clone());
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _: &ActorExitRequest, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(to) = self.to.clone() {
            for _ in 0..3 {
                ctx.send(&to, Tick);
            }
            ctx.send(&to, "goodbye".to_string());
        }
    }
}

/// A plain `#[test]`: the tally is read from a static after the system is gone, which works
/// because the simple base runs actors in this process.
#[test]
fn spec_5_16_mail_sent_before_a_shutdown_request_is_delivered_before_the_exit_requests() -> TestResult {
    let asys = system("simpleSystemBase");
    let tally = asys.create_actor::<Tally>()?;
    let trigger = asys.create_actor::<Trigger>()?;
    let (told, logged) = capture(|| asys.tell(&trigger, Fire { to: tally.clone(), count: 1000 }));
    told?;
    assert!(!logged.iter().any(|e| e.is_warning()), "nothing was lost: {logged:#?}");
    assert!(matches!(asys.status(), Err(ActorSystemError::SystemShutDown)), "the system is down");
    let tallies = TALLIES.lock().map_err(|e| e.to_string())?.clone();
    let counted = tallies.iter().find(|(a, _)| *a == tally.to_string()).map(|(_, n)| *n);
    assert_eq!(counted, Some(1000), "every tick reached the tally before its exit request");
    Ok(())
}

#[test]
fn spec_6_3_mail_that_cannot_be_delivered_during_shutdown_is_reported_once() -> TestResult {
    let asys = system("simpleSystemBase");
    // The farewell writes to a sibling that is gone by then (created, so asked to exit,
    // first), and to this endpoint.
    let sibling = asys.create_actor::<Tally>()?;
    let farewell = asys.create_actor::<Farewell>()?;
    let WriteTo(_) = asys.ask_as(&farewell, WriteTo(sibling.clone()), ANSWER)?.ok_or("no answer")?;
    let outside = asys.private()?;
    let outsider = asys.create_actor::<Farewell>()?;
    let WriteTo(_) = outside.ask_as(&outsider, WriteTo(outside.my_address().clone()), ANSWER)?.ok_or("no answer")?;
    let (down, logged) = capture(|| asys.shutdown());
    down?;
    let warnings: Vec<_> = logged.iter().filter(|e| e.is_warning()).collect();
    assert_eq!(warnings.len(), 1, "one warning for all the undeliverable mail: {logged:#?}");
    let warning = &warnings[0];
    assert!(warning.fields.contains("count=4"), "{warning:?}");
    assert!(warning.fields.contains("Tick") && warning.fields.contains("String"), "the types are named: {warning:?}");
    // What was sent to the endpoint was delivered there, and can be read after the shutdown;
    // then there is nothing more to wait for.
    for expected in ["Tick", "Tick", "Tick", "String"] {
        let msg = outside.listen(Duration::ZERO)?.ok_or("a farewell to the endpoint is missing")?;
        assert!(msg.message_type_name().ends_with(expected), "{msg:?}");
    }
    assert!(matches!(outside.listen(Duration::ZERO), Err(ActorSystemError::SystemShutDown)));
    Ok(())
}

/// A plain `#[test]`, reading the tally from a static as above.
#[test]
fn spec_6_3_what_exit_handlers_send_reaches_actors_still_running() -> TestResult {
    let asys = system("simpleSystemBase");
    // The writer is asked to exit first (roots go in creation order); the sibling it writes
    // to is still running then, so it gets the farewell before its own exit request.
    let writer = asys.create_actor::<Farewell>()?;
    let sibling = asys.create_actor::<Tally>()?;
    let WriteTo(_) = asys.ask_as(&writer, WriteTo(sibling.clone()), ANSWER)?.ok_or("no answer")?;
    let (down, logged) = capture(|| asys.shutdown());
    down?;
    let tallies = TALLIES.lock().map_err(|e| e.to_string())?.clone();
    let counted = tallies.iter().find(|(a, _)| *a == sibling.to_string()).map(|(_, n)| *n);
    assert_eq!(counted, Some(3), "the three farewell ticks reached the sibling before its exit");
    assert!(!logged.iter().any(|e| e.is_warning()), "nothing was lost: {logged:#?}");
    Ok(())
}

/// Shuts the system down from a wakeup: while a `listen` waits for it.
#[derive(Default)]
struct LateStopper;

/// Makes a [`LateStopper`] shut the system down after the given delay.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct StopAfter(Duration);

#[actor]
impl LateStopper {
    #[handler(StopAfter)]
    fn arm(&mut self, after: &StopAfter, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.wakeup_after(after.0, ());
    }

    #[handler(WakeupMessage)]
    fn stop(&mut self, _: &WakeupMessage, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.actor_system_shutdown();
    }
}

/// The simple base runs the wakeup inside the `listen` that waits for it, so it is the
/// `listen` itself whose run shuts the system down.
#[test]
fn spec_6_7_listen_returns_at_once_when_an_actor_shuts_the_system_down() -> TestResult {
    let asys = system("simpleSystemBase");
    let stopper = asys.create_actor::<LateStopper>()?;
    asys.tell(&stopper, StopAfter(Duration::from_millis(20)))?;
    let long = Duration::from_secs(600);
    let started = Instant::now();
    let listened = asys.listen(long);
    let took = started.elapsed();
    assert!(matches!(listened, Err(ActorSystemError::SystemShutDown)), "got {listened:?}");
    assert!(took < ANSWER, "listen returned only after {took:?}, not when the system shut down");
    Ok(())
}
