//! `simpleSystemBase` specifics (spec §9.2): actors run in the caller's thread, calls return
//! at equilibrium, wakeups fire only during calls, and a processing limit stops runaway
//! loops. Also capabilities (spec §4.10, §5.13, §6.9, §9.1) and choosing a base (§6.2).

mod common;

use std::time::Duration;

use common::{TestResult, ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Asks a `ThreadReporter` which thread runs it; the answer goes to `reply_to`, or to the
/// sender when there is none.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WhichThread {
    reply_to: Option<ActorAddress>,
}

/// Asks a `ThreadReporter` to ask a new child of its own which thread runs it.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct ViaChild;

/// Asks a `ThreadReporter` to report the thread that runs its wakeup, due after `ms`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WakeMe {
    ms: u64,
}

/// The `Debug` form of a thread id (`ThreadId` itself is not serializable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct OnThread(String);

/// One hop of a chain: bump the counter, then pass on to a new child while `left > 0`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Hop {
    left: u32,
    counter: ActorAddress,
}

/// Adds one to a `Counter`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Bump;

/// Asks a `Counter` for its count (a `u64`).
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Snapshot;

/// Asks a `Player` to start a rally with `partner`: `remaining` returns, or forever.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Serve {
    partner: ActorAddress,
    remaining: Option<u64>,
}

/// The ball two `Player`s hit back and forth.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ball {
    remaining: Option<u64>,
    report_to: ActorAddress,
}

/// Asks a `CapabilitySetter` to change a capability from inside the system.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SetCapability {
    name: String,
    value: Option<CapValue>,
}

// ----- actors -----------------------------------------------------------------------------

fn this_thread() -> OnThread {
    OnThread(format!("{:?}", std::thread::current().id()))
}

/// Reports the thread it runs in.
#[derive(Default)]
struct ThreadReporter {
    wakeup_report_to: Option<ActorAddress>,
}

impl Actor for ThreadReporter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<WhichThread>() {
            ctx.send(req.reply_to.as_ref().unwrap_or(sender), this_thread());
        } else if msg.is::<ViaChild>() {
            let child = ctx.create_actor::<ThreadReporter>()?;
            ctx.send(&child, WhichThread { reply_to: Some(sender.clone()) });
        } else if let Some(req) = msg.downcast_ref::<WakeMe>() {
            self.wakeup_report_to = Some(sender.clone());
            ctx.wakeup_after(Duration::from_millis(req.ms), ());
        } else if msg.is::<WakeupMessage>() {
            if let Some(to) = &self.wakeup_report_to {
                ctx.send(to, this_thread());
            }
        }
        Ok(())
    }
}

/// Counts [`Bump`]s; answers [`Snapshot`] with the count so far.
#[derive(Default)]
struct Counter {
    count: u64,
}

impl Actor for Counter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<Bump>() {
            self.count += 1;
        } else if msg.is::<Snapshot>() {
            ctx.send(sender, self.count);
        }
        Ok(())
    }
}

/// One link of a chain of actors, each created by the previous one.
#[derive(Default)]
struct Chain;

impl Actor for Chain {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        if let Some(hop) = msg.downcast_ref::<Hop>() {
            ctx.send(&hop.counter, Bump);
            if hop.left > 0 {
                let next = ctx.create_actor::<Chain>()?;
                ctx.send(&next, Hop { left: hop.left - 1, counter: hop.counter.clone() });
            }
        }
        Ok(())
    }
}

/// Plays a rally: returns every ball to its sender until none remain.
#[derive(Default)]
struct Player;

impl Actor for Player {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(serve) = msg.downcast_ref::<Serve>() {
            ctx.send(&serve.partner, Ball { remaining: serve.remaining, report_to: sender.clone() });
        } else if let Some(ball) = msg.downcast_ref::<Ball>() {
            match ball.remaining {
                Some(0) => ctx.send(&ball.report_to, "rally over".to_string()),
                remaining => {
                    ctx.send(sender, Ball { remaining: remaining.map(|n| n - 1), report_to: ball.report_to.clone() })
                }
            }
        }
        Ok(())
    }
}

/// Changes capabilities on request (spec §5.13).
#[derive(Default)]
struct CapabilitySetter;

impl Actor for CapabilitySetter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<SetCapability>() {
            ctx.update_capability(&req.name, req.value.clone());
            ctx.send(sender, "updated".to_string());
        }
        Ok(())
    }
}

fn simple_system() -> ActorSystem {
    common::system("simpleSystemBase")
}

fn str_cap(s: &str) -> CapValue {
    CapValue::Str(s.to_string())
}

// ----- §9.2 scheduling --------------------------------------------------------------------

#[test]
fn spec_9_2_actors_run_in_the_callers_thread() -> TestResult {
    let asys = simple_system();
    let reporter = asys.create_actor::<ThreadReporter>()?;
    let main = this_thread();
    let direct: Option<OnThread> = asys.ask_as(&reporter, WhichThread { reply_to: None }, ANSWER)?;
    assert_eq!(direct.as_ref(), Some(&main));
    let child: Option<OnThread> = asys.ask_as(&reporter, ViaChild, ANSWER)?;
    assert_eq!(child.as_ref(), Some(&main), "an actor's child runs in the caller's thread too");

    // From another thread, the same actor runs in that thread.
    let (caller, seen) = std::thread::scope(|s| {
        s.spawn(|| -> Result<(OnThread, Option<OnThread>), String> {
            let private = asys.private().map_err(|e| e.to_string())?;
            let seen = private.ask_as(&reporter, WhichThread { reply_to: None }, ANSWER).map_err(|e| e.to_string())?;
            Ok((this_thread(), seen))
        })
        .join()
        .map_err(|_| "the calling thread panicked")
    })??;
    assert_ne!(caller, main);
    assert_eq!(seen, Some(caller));
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_2_tell_returns_at_equilibrium() -> TestResult {
    const HOPS: u32 = 20;
    let asys = simple_system();
    let counter = asys.create_actor::<Counter>()?;
    let first = asys.create_actor::<Chain>()?;
    asys.tell(&first, Hop { left: HOPS, counter: counter.clone() })?;
    // Had `tell` returned before the chain finished, the snapshot would be queued ahead of
    // the later hops' bumps and report fewer than all of them.
    let count: Option<u64> = asys.ask_as(&counter, Snapshot, ANSWER)?;
    assert_eq!(count, Some(u64::from(HOPS) + 1));
    assert_eq!(asys.status()?.actor_count, HOPS as usize + 2, "every link of the chain was created");
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_2_wakeups_fire_only_during_calls() -> TestResult {
    let asys = simple_system();
    let reporter = asys.create_actor::<ThreadReporter>()?;
    let bystander = asys.create_actor::<Counter>()?;
    asys.tell(&reporter, WakeMe { ms: 1 })?;
    // Not a synchronisation: this is the idle period under test. The wakeup falls due during
    // it, and with no call in progress the simple base must not deliver it.
    std::thread::sleep(Duration::from_millis(20));
    // The next call, from a new thread, delivers it: the handler runs in that thread, which
    // did not exist while the system was idle.
    let nudger = std::thread::scope(|s| {
        s.spawn(|| asys.tell(&bystander, Bump).map(|()| this_thread()).map_err(|e| e.to_string()))
            .join()
            .map_err(|_| "the nudging thread panicked")
    })??;
    let woke_on: Option<OnThread> = asys.listen_as(Duration::ZERO)?;
    assert_eq!(woke_on, Some(nudger), "the wakeup ran during the later call, in its thread");
    asys.shutdown()?;
    Ok(())
}

// ----- §9.2 processing limit --------------------------------------------------------------

#[test]
fn spec_9_2_processing_limit_stops_runaway_loop() -> TestResult {
    let asys = ActorSystem::builder().logging(Logging::Off).processing_limit(1000).build()?;
    let (a, b) = (asys.create_actor::<Player>()?, asys.create_actor::<Player>()?);
    let err = match asys.tell(&a, Serve { partner: b, remaining: None }) {
        Ok(()) => return Err("an endless rally returned normally".into()),
        Err(e) => e,
    };
    match &err {
        ActorSystemError::ProcessingLimitExceeded { limit, pending, runaways } => {
            assert_eq!(*limit, 1000);
            assert_eq!(*pending, 1, "the rally's ball was still queued");
            // The error names the actor and the message type that filled the queue.
            assert!(runaways.contains("Player") && runaways.contains("Ball"), "{runaways}");
        }
        other => return Err(format!("expected ProcessingLimitExceeded, got {other:?}").into()),
    }
    let text = err.to_string();
    assert!(text.contains("1000"), "the text names the limit: {text}");
    assert!(text.contains("setProcessingLimit"), "the text says how to raise the limit: {text}");
    assert!(text.contains("answer each other forever"), "the text says what to look for: {text}");
    assert!(err.is_actor_system_failure());
    // The runaway's mail was dropped: later calls do not run it again, and answer at once.
    assert_eq!(asys.status()?.pending_messages, 0);
    let counter = asys.create_actor::<Counter>()?;
    asys.tell(&counter, Bump)?;
    let count: Option<u64> = asys.ask_as(&counter, Snapshot, ANSWER)?;
    assert_eq!(count, Some(1));
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_2_processing_limit_set_by_system_update() -> TestResult {
    let asys = simple_system();
    asys.system_update("setProcessingLimit", 500)?;
    let (a, b) = (asys.create_actor::<Player>()?, asys.create_actor::<Player>()?);
    // A rally of 100 returns stays under the limit of one call ...
    let over: Option<String> = asys.ask_as(&a, Serve { partner: b.clone(), remaining: Some(100) }, ANSWER)?;
    assert_eq!(over.as_deref(), Some("rally over"));
    // ... an endless one does not.
    match asys.tell(&a, Serve { partner: b, remaining: None }) {
        Err(ActorSystemError::ProcessingLimitExceeded { limit: 500, .. }) => {}
        other => return Err(format!("expected ProcessingLimitExceeded with limit 500, got {other:?}").into()),
    }
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_2_system_update_rejects_unknown_settings_and_bad_values() -> TestResult {
    let asys = simple_system();
    let cases: [(&str, CapValue); 5] = [
        ("noSuchSetting", CapValue::Int(1)),
        ("setprocessinglimit", CapValue::Int(1)),
        ("setProcessingLimit", CapValue::Int(0)),
        ("setProcessingLimit", CapValue::Int(-5)),
        ("setProcessingLimit", str_cap("lots")),
    ];
    for (name, value) in cases {
        match asys.system_update(name, value.clone()) {
            Err(e) => {
                let text = e.to_string();
                assert!(text.contains("setProcessingLimit"), "the error says what is understood: {text}");
            }
            Ok(()) => return Err(format!("system_update({name:?}, {value}) was accepted").into()),
        }
    }
    asys.shutdown()?;
    Ok(())
}

// ----- §6.2 choosing a base ---------------------------------------------------------------

#[test]
fn spec_6_2_unknown_base_is_startup_failure_listing_valid_bases() -> TestResult {
    match ActorSystem::builder().base("noSuchBase").logging(Logging::Off).build() {
        Err(ActorSystemError::ActorSystemStartupFailure { reason }) => {
            assert!(reason.contains("noSuchBase"), "the reason names the bad base: {reason}");
            for base in ["simpleSystemBase", "multiprocQueueBase", "multiprocTCPBase", "multiprocUDPBase"] {
                assert!(reason.contains(base), "the reason lists {base}: {reason}");
            }
            Ok(())
        }
        other => Err(format!("expected ActorSystemStartupFailure, got {other:?}").into()),
    }
}

#[test]
fn spec_9_2_simple_system_base_is_the_default() -> TestResult {
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    assert_eq!(asys.base_name(), "simpleSystemBase");
    assert_eq!(asys.capabilities()?.get("Thespian ActorSystem Name"), Some(&str_cap("simpleSystemBase")));
    asys.shutdown()?;
    Ok(())
}

// ----- capabilities -----------------------------------------------------------------------

on_every_base! {
    fn spec_4_10_builder_capabilities_are_set_except_read_only_ones(asys) {
        let custom = common::builder(asys.base_name())
            .capability("Has Lightbulb", true)
            .capability("Color", "Yellow")
            .capability("Thespian ActorSystem Name", "fake")
            .capability("Thespian Version", "0")
            .capability("AllowRemoteActorSources", "No")
            .build()?;
        let caps = custom.capabilities()?;
        assert_eq!(caps.get("Has Lightbulb"), Some(&CapValue::Bool(true)));
        assert!(caps.is_truthy("Has Lightbulb"));
        assert_eq!(caps.get("Color"), Some(&str_cap("Yellow")));
        assert_eq!(caps.get("Thespian ActorSystem Name"), Some(&str_cap(asys.base_name())), "read-only (§9.1)");
        assert_eq!(caps.get("Thespian Version"), asys.capabilities()?.get("Thespian Version"), "read-only (§9.1)");
        assert_eq!(caps.get("AllowRemoteActorSources"), Some(&str_cap("No")), "settable (§9.1)");
        custom.shutdown()?;
        Ok(())
    }

    fn spec_6_9_update_capability_sets_and_removes(asys) {
        asys.update_capability("Color", Some("Yellow".into()))?;
        assert_eq!(asys.capabilities()?.get("Color"), Some(&str_cap("Yellow")));
        asys.update_capability("Color", Some("Blue".into()))?;
        assert_eq!(asys.capabilities()?.get("Color"), Some(&str_cap("Blue")));
        asys.update_capability("Count", Some(5.into()))?;
        assert_eq!(asys.capabilities()?.get("Count"), Some(&CapValue::Int(5)));
        asys.update_capability("Color", None)?;
        assert_eq!(asys.capabilities()?.get("Color"), None);
        asys.update_capability("Never There", None)?;
        assert_eq!(asys.capabilities()?.get("Never There"), None);
        assert_eq!(asys.status()?.capabilities, asys.capabilities()?, "the status shows the same capabilities");
        Ok(())
    }

    fn spec_9_1_read_only_capabilities_cannot_be_changed(asys) {
        let before = asys.capabilities()?;
        for name in ["Thespian Generation", "Thespian Version", "Thespian ActorSystem Name",
                     "Thespian ActorSystem Version", "Rust Version"] {
            assert!(before.get(name).is_some(), "{name} is a common capability");
            asys.update_capability(name, Some("changed".into()))?;
            asys.update_capability(name, None)?;
        }
        assert_eq!(asys.capabilities()?, before);
        Ok(())
    }

    fn spec_5_13_actor_update_capability(asys) {
        let setter = asys.create_actor::<CapabilitySetter>()?;
        let set = SetCapability { name: "Has Lightbulb".to_string(), value: Some(CapValue::Int(3)) };
        let ack: Option<String> = asys.ask_as(&setter, set, ANSWER)?;
        assert_eq!(ack.as_deref(), Some("updated"));
        assert_eq!(asys.capabilities()?.get("Has Lightbulb"), Some(&CapValue::Int(3)));
        let remove = SetCapability { name: "Has Lightbulb".to_string(), value: None };
        let _: Option<String> = asys.ask_as(&setter, remove, ANSWER)?;
        assert_eq!(asys.capabilities()?.get("Has Lightbulb"), None);
        let read_only = SetCapability { name: "Thespian ActorSystem Name".to_string(), value: Some(str_cap("x")) };
        let _: Option<String> = asys.ask_as(&setter, read_only, ANSWER)?;
        assert_eq!(asys.capabilities()?.get("Thespian ActorSystem Name"), Some(&str_cap(asys.base_name())));
        Ok(())
    }
}

// ----- §9.2 wakeups and the processing limit -----------------------------------------------

/// Asks a [`Sleeper`] for a wakeup after `ms` milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Nap {
    ms: u64,
}

/// Starts a [`Poller`]'s endless loop of zero-delay wakeups.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct StartPolling;

/// Counts its wakeups; answers [`Snapshot`] with the count so far.
#[derive(Default)]
struct Sleeper {
    woken: u64,
}

impl Actor for Sleeper {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(nap) = msg.downcast_ref::<Nap>() {
            ctx.wakeup_after(Duration::from_millis(nap.ms), ());
        } else if msg.is::<WakeupMessage>() {
            self.woken += 1;
        } else if msg.is::<Snapshot>() {
            ctx.send(sender, self.woken);
        }
        Ok(())
    }
}

/// Asks for a new zero-delay wakeup every time it wakes up, forever; answers [`Snapshot`]
/// with the number of wakeups so far.
#[derive(Default)]
struct Poller {
    woken: u64,
}

impl Actor for Poller {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<StartPolling>() {
            ctx.wakeup_after(Duration::ZERO, ());
        } else if msg.is::<WakeupMessage>() {
            self.woken += 1;
            ctx.wakeup_after(Duration::ZERO, ());
        } else if msg.is::<Snapshot>() {
            ctx.send(sender, self.woken);
        }
        Ok(())
    }
}

/// Runs `body` in a thread of its own and waits up to [`ANSWER`] for its result, so that a
/// call that never returns fails the test instead of hanging it.
fn returns_in_time<T: Send + 'static>(
    body: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, Box<dyn std::error::Error>> {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(body());
    });
    match result.recv_timeout(ANSWER) {
        Ok(outcome) => Ok(outcome?),
        Err(_) => Err(format!("the calls did not return within {ANSWER:?}").into()),
    }
}

#[test]
fn spec_9_2_zero_delay_wakeup_loop_lets_every_call_return() -> TestResult {
    let woken = returns_in_time(|| {
        let asys =
            ActorSystem::builder().logging(Logging::Off).processing_limit(1000).build().map_err(|e| e.to_string())?;
        let poller = asys.create_actor::<Poller>().map_err(|e| e.to_string())?;
        // The wakeup asked for during this call waits for the next call ...
        asys.tell(&poller, StartPolling).map_err(|e| e.to_string())?;
        // ... and each call delivers the wakeups scheduled before it began: one each.
        for _ in 0..3 {
            let nothing = asys.listen(Duration::ZERO).map_err(|e| e.to_string())?;
            assert!(nothing.is_none());
        }
        // This call delivers the fourth wakeup first, due before the call began (spec §9.2:
        // due wakeups are delivered before the call's own message), then the snapshot.
        let woken: Option<u64> = asys.ask_as(&poller, Snapshot, ANSWER).map_err(|e| e.to_string())?;
        asys.shutdown().map_err(|e| e.to_string())?;
        Ok(woken)
    })?;
    assert_eq!(woken, Some(4), "one wakeup per call, none lost");
    Ok(())
}

#[test]
fn spec_9_2_wakeups_count_against_the_processing_limit() -> TestResult {
    let asys = ActorSystem::builder().logging(Logging::Off).processing_limit(1).build()?;
    let sleeper = asys.create_actor::<Sleeper>()?;
    let counter = asys.create_actor::<Counter>()?;
    // One delivery; the wakeup, scheduled during the call, is left for a later one.
    asys.tell(&sleeper, Nap { ms: 0 })?;
    // The next call first delivers the due wakeup (spec §9.2), which reaches the limit: a
    // wakeup is a delivery too, so the call stops with its own message still queued.
    match asys.tell(&counter, Bump) {
        Err(ActorSystemError::ProcessingLimitExceeded { limit: 1, pending: 1, runaways }) => {
            assert!(runaways.contains("Bump") && runaways.contains("Counter"), "{runaways}");
        }
        other => return Err(format!("expected ProcessingLimitExceeded with Bump pending, got {other:?}").into()),
    }
    // The queue was emptied: the next call starts from a quiet system.
    asys.system_update("setProcessingLimit", 10)?;
    assert_eq!(asys.status()?.pending_messages, 0);
    let woken: Option<u64> = asys.ask_as(&sleeper, Snapshot, ANSWER)?;
    assert_eq!(woken, Some(1), "the wakeup was delivered once");
    asys.shutdown()?;
    Ok(())
}

// ----- §9.2 calling the system from inside it ----------------------------------------------

/// Makes a [`CallsItsSystem`] call the `ActorSystem` API from its handler.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CallBack;

/// The text of each error a [`CallsItsSystem`]'s calls returned (`"Ok"` for a success).
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CallOutcomes(Vec<String>);

/// The system a [`CallsItsSystem`] calls (the only test that uses it).
static ITS_SYSTEM: std::sync::OnceLock<ActorSystem> = std::sync::OnceLock::new();

/// Calls the API of the system that runs it, which must fail rather than deadlock.
#[derive(Default)]
struct CallsItsSystem;

impl Actor for CallsItsSystem {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<CallBack>() {
            let asys = ITS_SYSTEM.get().ok_or("the system is not set")?;
            let me = ctx.my_address().clone();
            let text = |r: Result<(), ActorSystemError>| r.map_or_else(|e| e.to_string(), |()| "Ok".to_string());
            let outcomes = vec![
                text(asys.tell(&me, Bump)),
                text(asys.create_actor::<Counter>().map(drop)),
                text(asys.capabilities().map(drop)),
                text(asys.listen(Duration::ZERO).map(drop)),
                text(asys.private().map(drop)),
                text(asys.shutdown()),
            ];
            ctx.send(sender, CallOutcomes(outcomes));
        }
        Ok(())
    }
}

#[test]
fn spec_9_2_system_call_from_a_handler_fails_instead_of_deadlocking() -> TestResult {
    let outcomes = returns_in_time(|| {
        let asys = ITS_SYSTEM.get_or_init(simple_system);
        let caller = asys.create_actor::<CallsItsSystem>().map_err(|e| e.to_string())?;
        let outcomes: Option<CallOutcomes> = asys.ask_as(&caller, CallBack, ANSWER).map_err(|e| e.to_string())?;
        Ok(outcomes)
    })?
    .ok_or("no answer from the handler")?;
    assert_eq!(outcomes.0.len(), 6);
    for text in &outcomes.0 {
        assert!(text.starts_with("error[T0016]: ActorSystemException"), "{text}");
        assert!(text.contains("from inside an actor's handler"), "the text says what went wrong: {text}");
        assert!(text.contains("ctx.send"), "the text says what to use instead: {text}");
    }
    // The system is unharmed, and still running: the handler's `shutdown` was refused too.
    let asys = ITS_SYSTEM.get().ok_or("the system is set")?;
    let counter = asys.create_actor::<Counter>()?;
    asys.tell(&counter, Bump)?;
    assert_eq!(asys.ask_as::<u64>(&counter, Snapshot, ANSWER)?, Some(1));
    asys.shutdown()?;
    Ok(())
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(ThreadReporter);
thespian::register_actor!(Counter);
thespian::register_actor!(Chain);
thespian::register_actor!(Player);
thespian::register_actor!(CapabilitySetter);
thespian::register_actor!(Sleeper);
thespian::register_actor!(Poller);
thespian::register_actor!(CallsItsSystem);
