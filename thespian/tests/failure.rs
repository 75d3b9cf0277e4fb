//! Actor failure (spec §2.2.5): a failed message is retried once on the same instance, and a
//! second failure returns it to its sender as a `PoisonMessage` (§4.4, §7.1) carrying any
//! changes the handler made to it (§5.2). Sending to another system's address is such a
//! failure (§6.5 for the external `tell`).

mod common;

use std::collections::HashMap;

use common::{answer, quiet, settled_status, Failure, ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// How a handler fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum How {
    Panic,
    Err,
}

/// A job that fails the first `failures` times it is handled; answered with [`Done`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Job {
    id: u32,
    failures: u32,
    how: How,
}

/// A job succeeded on attempt number `attempt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
struct Done {
    id: u32,
    attempt: u32,
}

/// Asks how many times the message with this id was handled; answered with [`Attempts`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CountAttempts(u32);

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Attempts(u32);

/// Makes a [`Worker`] send a job to `target`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SendTo {
    id: u32,
    target: ActorAddress,
}

/// The handler adds a mark on each attempt, then fails.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Scribble {
    id: u32,
    marks: Vec<String>,
}

/// Makes a [`Worker`] send itself a job that always fails, then report with [`Report`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SelfJob(u32);

/// A [`Worker`]'s message to itself, `hops` self-sends before it reports.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Probe {
    id: u32,
    hops: u32,
}

/// What a [`Worker`] reports after a [`SelfJob`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
struct Report {
    attempts: u32,
    poisons_received: u32,
}

/// Makes a [`Requester`] send `job` to `to`, and report what comes back.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Relay {
    to: ActorAddress,
    job: Job,
}

/// A poison an actor received, as it reports it.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct PoisonSeen {
    job_id: Option<u32>,
    details: String,
}

// ----- actors -----------------------------------------------------------------------------

/// The text a failing handler gives for attempt `n` of message `id`.
fn failure_text(id: u32, n: u32) -> String {
    format!("message {id} failed on attempt {n}")
}

/// Counts every attempt at every message (by id) and fails as the message asks.
#[derive(Default)]
struct Worker {
    attempts: HashMap<u32, u32>,
    poisons_received: u32,
    reporter: Option<ActorAddress>,
}

impl Worker {
    fn attempt(&mut self, id: u32) -> u32 {
        let n = self.attempts.entry(id).or_default();
        *n += 1;
        *n
    }
}

impl Actor for Worker {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(job) = msg.downcast_ref::<Job>() {
            let n = self.attempt(job.id);
            if n <= job.failures {
                match job.how {
                    How::Panic => panic!("{}", failure_text(job.id, n)),
                    How::Err => return Err(failure_text(job.id, n).into()),
                }
            }
            ctx.send(sender, Done { id: job.id, attempt: n });
        } else if let Some(CountAttempts(id)) = msg.downcast_ref::<CountAttempts>() {
            ctx.send(sender, Attempts(self.attempts.get(id).copied().unwrap_or(0)));
        } else if let Some(SendTo { id, target }) = msg.downcast_ref::<SendTo>() {
            self.attempt(*id);
            ctx.send(target, Job { id: *id, failures: 0, how: How::Err });
        } else if let Some(scribble) = msg.downcast_mut::<Scribble>() {
            let n = self.attempt(scribble.id);
            scribble.marks.push(format!("attempt {n}"));
            return Err(failure_text(scribble.id, n).into());
        } else if let Some(SelfJob(id)) = msg.downcast_ref::<SelfJob>() {
            self.reporter = Some(sender.clone());
            let me = ctx.my_address().clone();
            ctx.send(&me, Job { id: *id, failures: u32::MAX, how: How::Panic });
            // Any poison of the job would be queued before the last probe.
            ctx.send(&me, Probe { id: *id, hops: 1 });
        } else if let Some(probe) = msg.downcast_ref::<Probe>() {
            if probe.hops > 0 {
                let me = ctx.my_address().clone();
                ctx.send(&me, Probe { id: probe.id, hops: probe.hops - 1 });
            } else if let Some(reporter) = &self.reporter {
                let attempts = self.attempts.get(&probe.id).copied().unwrap_or(0);
                ctx.send(reporter, Report { attempts, poisons_received: self.poisons_received });
            }
        } else if let Some(poison) = msg.downcast_ref::<PoisonMessage>() {
            self.poisons_received += 1;
            if let Some(reporter) = &self.reporter {
                let seen = PoisonSeen {
                    job_id: poison.poison_message.downcast_ref::<Job>().map(|j| j.id),
                    details: poison.details.clone(),
                };
                ctx.send(reporter, seen);
            }
        }
        Ok(())
    }
}

/// Relays jobs to other actors and reports what comes back: results and poisons.
#[derive(Default)]
struct Requester {
    reporter: Option<ActorAddress>,
}

impl Actor for Requester {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(Relay { to, job }) = msg.downcast_ref::<Relay>() {
            self.reporter = Some(sender.clone());
            ctx.send(to, job.clone());
        } else if let (Some(poison), Some(reporter)) = (msg.downcast_ref::<PoisonMessage>(), &self.reporter) {
            let seen = PoisonSeen {
                job_id: poison.poison_message.downcast_ref::<Job>().map(|j| j.id),
                details: poison.details.clone(),
            };
            ctx.send(reporter, seen);
        } else if let (Some(done), Some(reporter)) = (msg.downcast_ref::<Done>(), &self.reporter) {
            ctx.send(reporter, done.clone());
        }
        Ok(())
    }
}

// ----- helpers ----------------------------------------------------------------------------

fn attempts(asys: &ActorSystem, worker: &ActorAddress, id: u32) -> Result<u32, Failure> {
    let Attempts(n) = answer(asys, worker, CountAttempts(id))?;
    Ok(n)
}

/// The job inside a poison message.
fn poisoned_job(poison: &PoisonMessage) -> Result<&Job, Failure> {
    poison.poison_message.downcast_ref::<Job>().ok_or_else(|| format!("not a Job: {poison:?}").into())
}

// ----- tests ------------------------------------------------------------------------------

on_every_base! {
    fn spec_2_2_5_failed_message_is_retried_once_on_the_same_instance(asys) {
        let worker = asys.create_actor::<Worker>()?;
        for (id, how) in [(1, How::Panic), (2, How::Err)] {
            // The second attempt sees the count the first one left: same instance, state kept.
            let done: Done = answer(asys, &worker, Job { id, failures: 1, how })?;
            assert_eq!(done, Done { id, attempt: 2 }, "{how:?}");
            // Success on retry: no poison.
            quiet(asys)?;
            assert_eq!(attempts(asys, &worker, id)?, 2, "{how:?}");
        }
        Ok(())
    }

    fn spec_4_4_second_failure_returns_poison_to_the_external_asker(asys) {
        let worker = asys.create_actor::<Worker>()?;
        for (id, how) in [(1, How::Panic), (2, How::Err)] {
            let poison: PoisonMessage = answer(asys, &worker, Job { id, failures: u32::MAX, how })?;
            assert_eq!(poisoned_job(&poison)?.id, id);
            // The details carry the text of the (second) failure.
            assert!(poison.details.contains(&failure_text(id, 2)), "{how:?}: {}", poison.details);
            // Tried exactly twice, and only one poison.
            assert_eq!(attempts(asys, &worker, id)?, 2, "{how:?}");
            quiet(asys)?;
        }
        Ok(())
    }

    fn spec_4_4_second_failure_returns_poison_to_the_sending_actor(asys) {
        let worker = asys.create_actor::<Worker>()?;
        let requester = asys.create_actor::<Requester>()?;
        let job = Job { id: 7, failures: 2, how: How::Panic };
        let seen: PoisonSeen = answer(asys, &requester, Relay { to: worker.clone(), job })?;
        assert_eq!(seen.job_id, Some(7));
        assert!(seen.details.contains(&failure_text(7, 2)), "{}", seen.details);
        // The poison went to the actor that sent the message, not to the external caller.
        quiet(asys)?;
        // A job that succeeds on its retry comes back as a result, with no poison.
        let job = Job { id: 8, failures: 1, how: How::Err };
        let done: Done = answer(asys, &requester, Relay { to: worker, job })?;
        assert_eq!(done, Done { id: 8, attempt: 2 });
        quiet(asys)?;
        Ok(())
    }

    fn spec_4_4_actor_stays_alive_after_returning_poison(asys) {
        let worker = asys.create_actor::<Worker>()?;
        let poison: PoisonMessage = answer(asys, &worker, Job { id: 1, failures: u32::MAX, how: How::Panic })?;
        assert_eq!(poisoned_job(&poison)?.id, 1);
        for id in 2..5 {
            let done: Done = answer(asys, &worker, Job { id, failures: 0, how: How::Panic })?;
            assert_eq!(done, Done { id, attempt: 1 });
        }
        // And its state survived the failures.
        assert_eq!(attempts(asys, &worker, 1)?, 2);
        Ok(())
    }

    fn spec_4_4_actor_is_never_sent_poison_of_its_own_message(asys) {
        let worker = asys.create_actor::<Worker>()?;
        asys.tell(&worker, SelfJob(1))?;
        let report = asys
            .listen_as::<Report>(ANSWER)?
            .ok_or("no report from the worker")?;
        assert_eq!(report, Report { attempts: 2, poisons_received: 0 });
        // Nothing else: no poison to the worker (which would report it) nor to us.
        quiet(asys)?;
        let done: Done = answer(asys, &worker, Job { id: 2, failures: 0, how: How::Err })?;
        assert_eq!(done, Done { id: 2, attempt: 1 });
        Ok(())
    }

    fn spec_4_4_send_to_another_systems_address_returns_poison(asys) {
        let other = common::system(asys.base_name());
        let foreign = other.create_actor::<Worker>()?;
        let worker = asys.create_actor::<Worker>()?;
        let poison: PoisonMessage = answer(asys, &worker, SendTo { id: 3, target: foreign.clone() })?;
        assert!(poison.details.contains("InvalidActorAddress"), "{}", poison.details);
        let returned = poison
            .poison_message
            .downcast_ref::<SendTo>()
            .ok_or_else(|| format!("not a SendTo: {poison:?}"))?;
        assert_eq!(returned.target, foreign);
        assert_eq!(attempts(asys, &worker, 3)?, 2);
        quiet(asys)?;
        // The foreign actor never got the job.
        assert_eq!(attempts(&other, &foreign, 3)?, 0);
        other.shutdown()?;
        Ok(())
    }

    fn spec_6_5_tell_to_another_systems_address_is_invalid_actor_address(asys) {
        let other = common::system(asys.base_name());
        let foreign = other.create_actor::<Worker>()?;
        match asys.tell(&foreign, Job { id: 4, failures: 0, how: How::Err }) {
            Err(ActorSystemError::InvalidActorAddress { address, .. }) => assert_eq!(address, foreign.to_string()),
            unexpected => return Err(format!("expected InvalidActorAddress, got {unexpected:?}").into()),
        }
        match asys.ask(&foreign, Job { id: 4, failures: 0, how: How::Err }, ANSWER) {
            Err(ActorSystemError::InvalidActorAddress { address, .. }) => assert_eq!(address, foreign.to_string()),
            unexpected => return Err(format!("expected InvalidActorAddress, got {unexpected:?}").into()),
        }
        assert_eq!(attempts(&other, &foreign, 4)?, 0);
        other.shutdown()?;
        Ok(())
    }

    fn spec_5_2_poison_carries_the_failing_handlers_changes(asys) {
        let worker = asys.create_actor::<Worker>()?;
        let original = Scribble { id: 5, marks: vec!["original".to_string()] };
        let poison: PoisonMessage = answer(asys, &worker, original)?;
        let returned = poison
            .poison_message
            .downcast_ref::<Scribble>()
            .ok_or_else(|| format!("not a Scribble: {poison:?}"))?;
        // The retry got the message as the first attempt left it, and so does the sender.
        assert_eq!(returned.marks, ["original", "attempt 1", "attempt 2"]);
        assert!(poison.details.contains(&failure_text(5, 2)), "{}", poison.details);
        Ok(())
    }
}

// ----- panics in user code the system runs outside a handler --------------------------------

/// An actor whose `Drop` panics: its instance is dropped when it exits.
#[derive(Default)]
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("PanicsOnDrop was dropped");
    }
}

impl Actor for PanicsOnDrop {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        if msg.is::<String>() {
            // Left pending until shutdown drops it.
            ctx.wakeup_after(std::time::Duration::from_secs(3600), Fuse);
        }
        Ok(())
    }
}

/// A message whose `Drop` panics; the system drops it after it is handled.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Fuse;

impl Drop for Fuse {
    fn drop(&mut self) {
        panic!("Fuse was dropped");
    }
}

/// Fails its capability check by panicking whenever the system has the capability "Explode"
/// (spec §5.12).
#[derive(Default)]
struct Explosive;

impl Actor for Explosive {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }

    fn capability_check(capabilities: &Capabilities, _: Option<&Capabilities>) -> Result<(), String> {
        if capabilities.get("Explode").is_some() {
            panic!("no explosives allowed here");
        }
        Ok(())
    }
}

/// Checks that `worker` still answers job `id`, and that the system has `actors` actors.
fn still_working(asys: &ActorSystem, worker: &ActorAddress, id: u32, actors: usize) -> Result<(), Failure> {
    let done: Done = answer(asys, worker, Job { id, failures: 0, how: How::Err })?;
    assert_eq!(done, Done { id, attempt: 1 }, "another actor still answers");
    // Across processes the admin hears of an exit a moment later.
    settled_status(asys, |s| s.actor_count == actors)?;
    Ok(())
}

on_every_base! {
    fn spec_7_4_actor_whose_drop_panics_exits_and_the_system_keeps_working(asys) {
        let worker = asys.create_actor::<Worker>()?;
        let fragile = asys.create_actor::<PanicsOnDrop>()?;
        asys.tell(&fragile, ActorExitRequest::new())?;
        still_working(asys, &worker, 1, 1)?;
        // Shutdown drops the instances still alive, and their pending wakeups.
        let doomed = asys.create_actor::<PanicsOnDrop>()?;
        asys.tell(&doomed, "arm a Fuse wakeup".to_string())?;
        asys.shutdown()?;
        match asys.capabilities() {
            Err(ActorSystemError::SystemShutDown) => Ok(()),
            other => Err(format!("expected SystemShutDown after a clean shutdown, got {other:?}").into()),
        }
    }

    fn spec_2_2_5_message_whose_drop_panics_is_contained(asys) {
        let worker = asys.create_actor::<Worker>()?;
        // Dropped after it is handled (the worker ignores it) ...
        asys.tell(&worker, Fuse)?;
        // ... or as a dead letter, to an actor that has exited.
        let gone = asys.create_actor::<Worker>()?;
        asys.tell(&gone, ActorExitRequest::new())?;
        asys.tell(&gone, Fuse)?;
        still_working(asys, &worker, 1, 1)?;
        Ok(())
    }

    fn spec_5_12_panicking_capability_check_fails_the_check(asys) {
        let checking = common::builder(asys.base_name())
            .check_capabilities(true)
            .build()?;
        let worker = checking.create_actor::<Worker>()?;
        // The check passes now; when the capability appears it panics, which fails it (§5.13).
        checking.create_actor::<Explosive>()?;
        checking.update_capability("Explode", Some(true.into()))?;
        still_working(&checking, &worker, 1, 1)?;
        match checking.create_actor::<Explosive>() {
            Err(e @ ActorSystemError::NoCompatibleSystemForActor { .. }) => {
                let text = e.to_string();
                assert!(text.contains("Explosive"), "the error names the actor type: {text}");
                assert!(text.contains("no explosives allowed here"), "the error gives the panic: {text}");
            }
            other => return Err(format!("expected NoCompatibleSystemForActor, got {other:?}").into()),
        }
        still_working(&checking, &worker, 2, 1)?;
        checking.shutdown()?;
        Ok(())
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Worker);
thespian::register_actor!(Requester);
thespian::register_actor!(PanicsOnDrop);
thespian::register_actor!(Explosive);
