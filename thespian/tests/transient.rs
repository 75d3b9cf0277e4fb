//! Spec §8.2 (transient actors): `#[transient]` exits a given time after the first message,
//! `#[transient_idle]` after the last non-system message; the actor still sees every
//! message; an actor that never gets a message never exits.

mod common;

use std::time::{Duration, Instant};

use thespian::prelude::*;

use common::{ANSWER, NO_ANSWER};

/// A non-system message for the transient actors.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ping;

/// Start the experiment.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Start;

/// A transient child exited `elapsed` after the first ping; it had seen `pings` pings.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Exited {
    idle: bool,
    elapsed: Duration,
    pings: u32,
}

/// What a transient child tells its parent as it handles its exit request.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Seen {
    pings: u32,
}

#[derive(Default)]
struct AfterFirst {
    pings: u32,
    /// Who pings it: the watcher, its parent.
    parent: Option<ActorAddress>,
}

#[transient(millis = 300)]
#[actor]
impl AfterFirst {
    #[handler(Ping)]
    fn on_ping(&mut self, _msg: &Ping, sender: &ActorAddress) {
        self.pings += 1;
        self.parent = Some(sender.clone());
    }

    #[handler(ActorExitRequest)]
    fn on_exit(&mut self, _msg: &ActorExitRequest, ctx: &mut ActorContext<'_>) {
        if let Some(parent) = &self.parent {
            ctx.send(parent, Seen { pings: self.pings });
        }
    }
}

#[derive(Default)]
struct AfterLast {
    pings: u32,
    /// Who pings it: the watcher, its parent.
    parent: Option<ActorAddress>,
}

#[actor]
#[transient_idle(millis = 300)]
impl AfterLast {
    #[handler(Ping)]
    fn on_ping(&mut self, _msg: &Ping, sender: &ActorAddress) {
        self.pings += 1;
        self.parent = Some(sender.clone());
    }

    #[handler(ActorExitRequest)]
    fn on_exit(&mut self, _msg: &ActorExitRequest, ctx: &mut ActorContext<'_>) {
        if let Some(parent) = &self.parent {
            ctx.send(parent, Seen { pings: self.pings });
        }
    }
}

/// Creates both transient children, pings them every 100 ms four times (pings at 0, 100,
/// 200 and 300 ms), and reports each child's exit to whoever started it.
#[derive(Default)]
struct Watcher {
    client: Option<ActorAddress>,
    children: Vec<(ActorAddress, bool)>,
    first_ping: Option<Instant>,
    pings_sent: u32,
    seen: Vec<(ActorAddress, u32)>,
}

#[actor]
impl Watcher {
    #[handler(Start)]
    fn on_start(&mut self, _msg: &Start, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.client = Some(sender.clone());
        let first = ctx.create_actor::<AfterFirst>()?;
        let last = ctx.create_actor::<AfterLast>()?;
        self.children = vec![(first, false), (last, true)];
        self.first_ping = Some(Instant::now());
        self.ping(ctx);
        Ok(())
    }

    #[handler(WakeupMessage)]
    fn on_wakeup(&mut self, _msg: &WakeupMessage, ctx: &mut ActorContext<'_>) {
        self.ping(ctx);
    }

    #[handler(Seen)]
    fn on_seen(&mut self, msg: &Seen, sender: &ActorAddress) {
        self.seen.push((sender.clone(), msg.pings));
    }

    #[handler(ChildActorExited)]
    fn on_exit(&mut self, msg: &ChildActorExited, ctx: &mut ActorContext<'_>) {
        let idle = self.children.iter().find(|(a, _)| a == &msg.child_address).is_some_and(|(_, idle)| *idle);
        let pings = self.seen.iter().find(|(a, _)| a == &msg.child_address).map_or(0, |(_, n)| *n);
        let elapsed = self.first_ping.map_or(Duration::ZERO, |t| t.elapsed());
        if let Some(client) = &self.client {
            ctx.send(client, Exited { idle, elapsed, pings });
        }
    }
}

impl Watcher {
    fn ping(&mut self, ctx: &mut ActorContext<'_>) {
        for (child, _) in &self.children {
            ctx.send(child, Ping);
        }
        self.pings_sent += 1;
        if self.pings_sent < 4 {
            ctx.wakeup_after(Duration::from_millis(100), ());
        }
    }
}

#[derive(Default)]
struct Lonely;

#[transient(millis = 20)]
#[actor]
impl Lonely {}

/// Answers each [`Ping`] for 20 ms after the first one.
#[derive(Default)]
struct ShortLived;

#[transient(millis = 20)]
#[actor]
impl ShortLived {
    #[handler(Ping)]
    fn on_ping(&mut self, ping: &Ping, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, ping.clone());
    }
}

on_every_base! {
    fn spec_8_2_transient_actor_past_its_lifetime_does_not_answer_the_next_ask(asys) {
        let actor = asys.create_actor::<ShortLived>()?;
        let started = Instant::now();
        let Ping = common::answer(asys, &actor, Ping)?;
        // Its lifetime ends while no call runs (spec §9.2: the due wakeup is delivered first).
        let lifetime = Duration::from_millis(20);
        std::thread::sleep((lifetime * 3).saturating_sub(started.elapsed()));
        assert!(asys.ask(&actor, Ping, NO_ANSWER)?.is_none(), "an expired transient actor answered");
        Ok(())
    }

    fn spec_8_2_transient_exits_after_first_message_idle_after_last(asys) {
        let watcher = asys.create_actor::<Watcher>()?;
        asys.tell(&watcher, Start)?;
        let a = asys.listen_as::<Exited>(ANSWER)?.ok_or("a transient child did not exit")?;
        let b = asys.listen_as::<Exited>(ANSWER)?.ok_or("the other transient child did not exit")?;
        let (first, last) = if a.idle { (b, a) } else { (a, b) };
        assert!(!first.idle && last.idle);
        // #[transient(300 ms)]: gone ~300 ms after its first ping, while pings still come.
        assert!(first.elapsed >= Duration::from_millis(300), "{first:?}");
        // #[transient_idle(300 ms)]: the last ping is at 300 ms, so it lasts at least 600 ms.
        assert!(last.elapsed >= Duration::from_millis(600), "{last:?}");
        assert!(first.elapsed < last.elapsed, "{first:?} {last:?}");
        // Both saw their messages until they exited. How many pings the transient child saw
        // before its 300 ms ran out depends on how punctually the 100 ms wakeups fired, so
        // only the idle child, which outlives all four, has an exact count.
        assert!((1..=4).contains(&first.pings), "{first:?}");
        assert_eq!(last.pings, 4, "{last:?}");
        Ok(())
    }

    fn spec_8_2_transient_idle_keeps_one_wakeup_however_many_messages(asys) {
        let idle = asys.create_actor::<AfterLast>()?;
        for _ in 0..100 {
            asys.tell(&idle, Ping)?;
        }
        let status = asys.ask_as::<ThespianActorStatus>(&idle, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!(status.pending_wakeups, 1, "each message moves the deadline, not a new timer: {status:?}");
        // And it still exits once the messages stop, having seen every one.
        let seen = asys.listen_as::<Seen>(ANSWER)?.ok_or("the transient actor did not exit")?;
        assert_eq!(seen.pings, 100);
        Ok(())
    }

    fn spec_8_2_transient_actor_that_never_gets_a_message_never_exits(asys) {
        let lonely = asys.create_actor::<Lonely>()?;
        // Well past its 20 ms delay (a wait for something that must not happen).
        assert!(asys.listen(Duration::from_millis(200))?.is_none());
        let status = asys.ask_as::<ThespianActorStatus>(&lonely, ThespianStatusReq, ANSWER)?;
        assert!(status.is_some(), "still alive: the clock starts with the first message");
        // Once it gets one, it goes.
        asys.tell(&lonely, Ping)?;
        let deadline = Instant::now() + ANSWER;
        while asys.ask_as::<ThespianActorStatus>(&lonely, ThespianStatusReq, NO_ANSWER)?.is_some() {
            assert!(Instant::now() < deadline, "the transient actor did not exit");
            assert!(asys.listen(Duration::from_millis(20))?.is_none());
        }
        Ok(())
    }
}
