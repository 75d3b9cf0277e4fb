//! Timer messages: `wakeup_after` and `WakeupMessage` (spec §4.7, §5.5, §7.2).
//!
//! Wakeups are waited for with `listen` timeouts, never with sleeps: the simple base fires
//! due wakeups during those calls.

mod common;

use std::time::Duration;

use common::{answer, settled_status, ANSWER, NO_ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Asks a `Sleeper` to schedule one wakeup per entry: after `delay_ms`, carrying the text;
/// with `then_exit`, the `Sleeper` then sends itself an `ActorExitRequest` in the same handler.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Schedule {
    wakeups: Vec<(u64, String)>,
    then_exit: bool,
}

/// A `Sleeper`'s report of one wakeup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Woke {
    delay_period: Duration,
    payload: Option<String>,
    sender_was_me: bool,
}

/// A user-defined wakeup payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Tag {
    id: u32,
}

/// Asks a `PayloadChecker` to schedule one wakeup with a [`Tag`] and one with `()`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SchedulePayloads {
    tag: Tag,
}

/// What a `PayloadChecker` found in one wakeup's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct PayloadSeen {
    tag: Option<Tag>,
    is_unit: bool,
    is_string: bool,
}

/// A plain request that a `Sleeper` answers at once.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ping;

/// The answer to [`Ping`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Pong;

/// Makes a `DeadLetterWatch` the dead-letter handler, reporting to the sender.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WatchDeadLetters;

/// A dead letter, as reported by a `DeadLetterWatch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct SawDeadLetter {
    dead_address: ActorAddress,
    type_name: String,
}

// ----- actors -----------------------------------------------------------------------------

/// Schedules wakeups for its requester and reports each one when it arrives.
#[derive(Default)]
struct Sleeper {
    requester: Option<ActorAddress>,
}

impl Actor for Sleeper {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(schedule) = msg.downcast_ref::<Schedule>() {
            self.requester = Some(sender.clone());
            for (delay_ms, text) in &schedule.wakeups {
                ctx.wakeup_after(Duration::from_millis(*delay_ms), text.clone());
            }
            if schedule.then_exit {
                let me = ctx.my_address().clone();
                ctx.send(&me, ActorExitRequest::new());
            }
        } else if let Some(wakeup) = msg.downcast_ref::<WakeupMessage>() {
            let woke = Woke {
                delay_period: wakeup.delay_period,
                payload: wakeup.payload_as::<String>().cloned(),
                sender_was_me: sender == ctx.my_address(),
            };
            if let Some(requester) = &self.requester {
                ctx.send(requester, woke);
            }
        } else if msg.is::<Ping>() {
            ctx.send(sender, Pong);
        }
        Ok(())
    }
}

/// Schedules wakeups with a user payload and with `()`, and reports what each carried.
#[derive(Default)]
struct PayloadChecker {
    requester: Option<ActorAddress>,
}

impl Actor for PayloadChecker {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<SchedulePayloads>() {
            self.requester = Some(sender.clone());
            ctx.wakeup_after(Duration::from_millis(1), req.tag.clone());
            ctx.wakeup_after(Duration::from_millis(2), ());
        } else if let Some(wakeup) = msg.downcast_ref::<WakeupMessage>() {
            let seen = PayloadSeen {
                tag: wakeup.payload_as::<Tag>().cloned(),
                is_unit: wakeup.payload_as::<()>().is_some(),
                is_string: wakeup.payload_as::<String>().is_some(),
            };
            if let Some(requester) = &self.requester {
                ctx.send(requester, seen);
            }
        }
        Ok(())
    }
}

/// The dead-letter handler: reports every dead letter to whoever registered it.
#[derive(Default)]
struct DeadLetterWatch {
    report_to: Option<ActorAddress>,
}

impl Actor for DeadLetterWatch {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<WatchDeadLetters>() {
            ctx.handle_dead_letters(true);
            self.report_to = Some(sender.clone());
            ctx.send(sender, "watching".to_string());
        } else if let Some(dead) = msg.downcast_ref::<DeadEnvelope>() {
            let seen = SawDeadLetter {
                dead_address: dead.dead_address.clone(),
                type_name: dead.dead_message.message_type_name().to_string(),
            };
            if let Some(report_to) = &self.report_to {
                ctx.send(report_to, seen);
            }
        }
        Ok(())
    }
}

/// Schedules the wakeups on a new `Sleeper`, then waits for one report per wakeup.
fn schedule_and_collect(asys: &ActorSystem, wakeups: &[(u64, &str)]) -> Result<Vec<Woke>, Box<dyn std::error::Error>> {
    let sleeper = asys.create_actor::<Sleeper>()?;
    let schedule =
        Schedule { wakeups: wakeups.iter().map(|(ms, text)| (*ms, (*text).to_string())).collect(), then_exit: false };
    asys.tell(&sleeper, schedule)?;
    let mut reports = Vec::new();
    while reports.len() < wakeups.len() {
        match asys.listen_as::<Woke>(ANSWER)? {
            Some(woke) => reports.push(woke),
            None => return Err(format!("a wakeup did not arrive within {ANSWER:?}; got {reports:?}").into()),
        }
    }
    Ok(reports)
}

/// The report a `Sleeper` sends for a wakeup after `ms` carrying `text`.
fn woke(ms: u64, text: &str) -> Woke {
    Woke { delay_period: Duration::from_millis(ms), payload: Some(text.to_string()), sender_was_me: true }
}

/// Asks a [`WakeCounter`] for a wakeup after the given delay.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WakeMeAfter(Duration);

/// Asks a [`WakeCounter`] how many wakeups it had; answered with a `u32`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct HowMany;

/// Counts its wakeups.
#[derive(Default)]
struct WakeCounter {
    woken: u32,
}

#[actor]
impl WakeCounter {
    #[handler(WakeMeAfter)]
    fn arm(&mut self, after: &WakeMeAfter, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.wakeup_after(after.0, ());
    }

    #[handler(WakeupMessage)]
    fn woken(&mut self, _: &WakeupMessage, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        self.woken += 1;
    }

    #[handler(HowMany)]
    fn how_many(&mut self, _: &HowMany, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.woken);
    }
}

on_every_base! {
    fn spec_9_2_a_wakeup_due_before_a_call_is_delivered_before_its_message(asys) {
        let counter = asys.create_actor::<WakeCounter>()?;
        let delay = Duration::from_millis(5);
        asys.tell(&counter, WakeMeAfter(delay))?;
        // Time passing with no call into the system is the point here, not a synchronisation:
        // the wakeup falls due while nothing runs.
        std::thread::sleep(delay * 4);
        let woken: u32 = answer(asys, &counter, HowMany)?;
        assert_eq!(woken, 1, "the due wakeup was delivered before the question");
        Ok(())
    }

    fn spec_4_7_wakeup_delivers_wakeup_message_with_delay_and_payload(asys) {
        let reports = schedule_and_collect(asys, &[(10, "tick")])?;
        assert_eq!(reports, [woke(10, "tick")], "delay_period, payload, and the actor itself as sender (spec §5.5)");
        assert!(asys.listen(NO_ANSWER)?.is_none(), "one wakeup_after call gives one WakeupMessage");
        Ok(())
    }

    fn spec_5_5_each_wakeup_after_call_delivers_once(asys) {
        let reports = schedule_and_collect(asys, &[(5, "same"), (5, "same")])?;
        assert_eq!(reports, [woke(5, "same"), woke(5, "same")]);
        assert!(asys.listen(NO_ANSWER)?.is_none(), "two calls give exactly two WakeupMessages");
        Ok(())
    }

    fn spec_5_5_zero_delay_wakeup_is_delivered(asys) {
        let reports = schedule_and_collect(asys, &[(0, "now")])?;
        assert_eq!(reports, [woke(0, "now")]);
        Ok(())
    }

    fn spec_4_7_several_pending_wakeups_arrive_in_deadline_order(asys) {
        // Scheduled out of order; delivered by deadline.
        let reports = schedule_and_collect(asys, &[(30, "third"), (10, "first"), (20, "second")])?;
        assert_eq!(reports, [woke(10, "first"), woke(20, "second"), woke(30, "third")]);
        assert!(asys.listen(NO_ANSWER)?.is_none());
        Ok(())
    }

    fn spec_4_7_wakeups_interleave_with_other_messages(asys) {
        let sleeper = asys.create_actor::<Sleeper>()?;
        asys.tell(&sleeper, Schedule { wakeups: vec![(20, "later".to_string())], then_exit: false })?;
        // The pending wakeup does not stop the actor from handling other messages.
        asys.tell(&sleeper, Ping)?;
        let (mut pongs, mut wakeups) = (0, Vec::new());
        for _ in 0..2 {
            let msg = asys.listen(ANSWER)?.ok_or("expected a Pong and a wakeup report")?;
            match msg.downcast::<Woke>() {
                Ok(w) => wakeups.push(*w),
                Err(other) if other.is::<Pong>() => pongs += 1,
                Err(other) => return Err(format!("unexpected message {other:?}").into()),
            }
        }
        assert_eq!(pongs, 1);
        assert_eq!(wakeups, [woke(20, "later")]);
        Ok(())
    }

    fn spec_7_2_payload_as_gives_the_typed_payload(asys) {
        let checker = asys.create_actor::<PayloadChecker>()?;
        asys.tell(&checker, SchedulePayloads { tag: Tag { id: 7 } })?;
        let first: PayloadSeen = asys.listen_as(ANSWER)?.ok_or("the first wakeup did not arrive")?;
        assert_eq!(first, PayloadSeen { tag: Some(Tag { id: 7 }), is_unit: false, is_string: false });
        let second: PayloadSeen = asys.listen_as(ANSWER)?.ok_or("the second wakeup did not arrive")?;
        assert_eq!(second, PayloadSeen { tag: None, is_unit: true, is_string: false });
        Ok(())
    }

    fn spec_4_7_pending_wakeups_do_not_keep_an_exiting_actor_alive(asys) {
        let watch = asys.create_actor::<DeadLetterWatch>()?;
        let ack: Option<String> = asys.ask_as(&watch, WatchDeadLetters, ANSWER)?;
        assert_eq!(ack.as_deref(), Some("watching"));

        // The actor schedules its wakeups and asks itself to exit in one handler: it exits
        // before any of them can be due, however slow this machine is.
        let sleeper = asys.create_actor::<Sleeper>()?;
        let wakeups = vec![(10, "a".to_string()), (20, "b".to_string()), (30, "c".to_string())];
        asys.tell(&sleeper, Schedule { wakeups, then_exit: true })?;
        let system = settled_status(asys, |s| !s.top_level_actors.contains(&sleeper))?;
        assert!(!system.top_level_actors.contains(&sleeper), "the actor exited despite its pending wakeups");
        assert_eq!(system.pending_wakeups, 0, "an exited actor's wakeups are dropped");

        // The dead-letter path works: mail sent to the exited actor is reported ...
        asys.tell(&sleeper, "too late".to_string())?;
        let dead: SawDeadLetter = asys.listen_as(ANSWER)?.ok_or("the dead-letter handler reported nothing")?;
        assert_eq!(dead, SawDeadLetter { dead_address: sleeper, type_name: "String".to_string() });

        // ... but its wakeups produce nothing, neither a report nor a dead letter. A control
        // actor's wakeups, due after all of the exited actor's, arrive in deadline order, so
        // once the control's last report is in, every deadline of the exited actor has passed.
        let control = asys.create_actor::<Sleeper>()?;
        let wakeups = vec![(40, "control 1".to_string()), (50, "control 2".to_string())];
        asys.tell(&control, Schedule { wakeups, then_exit: false })?;
        for expected in [woke(40, "control 1"), woke(50, "control 2")] {
            let got = asys.listen(ANSWER)?.ok_or("the control actor's wakeup did not arrive")?;
            match got.downcast::<Woke>() {
                Ok(report) => assert_eq!(*report, expected),
                Err(stray) => return Err(format!("an exited actor's wakeup produced {stray:?}").into()),
            }
        }
        common::quiet(asys)?;
        Ok(())
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Sleeper);
thespian::register_actor!(PayloadChecker);
thespian::register_actor!(DeadLetterWatch);
