//! Spec §4.9 and §8.1 (actor troupes): one address, several workers, work handed to idle
//! workers in arrival order, replies straight to the original sender, `troupe_work_in_progress`,
//! re-dispatch of a dead worker's work, settings updates and shrinking back when idle.
//!
//! Workers hold each job until the test releases it, so the troupe's growth is decided by
//! messages, not by timing.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use thespian::patterns::{TroupeSettings, TroupeStatus, TroupeStatusReq, UpdateTroupeSettings};
use thespian::prelude::*;

use common::ANSWER;

/// Work for the troupe.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Job {
    n: u64,
    /// Fail on it (twice, so it comes back as poison).
    fail: bool,
}

/// A worker took job `n` and holds it until released.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Started {
    n: u64,
    worker: ActorAddress,
    /// The sender the worker saw: the original sender, not the manager.
    saw_sender: ActorAddress,
}

/// Finish the held job.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Release;

/// Exit while holding the job.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Die;

/// Job `n` is done.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Done {
    n: u64,
}

#[derive(Default)]
struct Worker {
    held: Option<(u64, ActorAddress)>,
}

#[troupe(max_count = 10, idle_count = 2)]
#[actor]
impl Worker {
    #[handler(Job)]
    fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), String> {
        if job.fail {
            return Err(format!("job {} cannot be done", job.n));
        }
        ctx.set_troupe_work_in_progress(true);
        self.held = Some((job.n, sender.clone()));
        let started = Started { n: job.n, worker: ctx.my_address().clone(), saw_sender: sender.clone() };
        ctx.send(sender, started);
        Ok(())
    }

    #[handler(Release)]
    fn on_release(&mut self, _msg: &Release, ctx: &mut ActorContext<'_>) {
        if let Some((n, to)) = self.held.take() {
            ctx.send(&to, Done { n });
            ctx.set_troupe_work_in_progress(false);
        }
    }

    #[handler(Die)]
    fn on_die(&mut self, _msg: &Die, ctx: &mut ActorContext<'_>) {
        let me = ctx.my_address().clone();
        ctx.send(&me, ActorExitRequest::new());
    }
}

fn status(asys: &ActorSystem, troupe: &ActorAddress) -> Result<TroupeStatus, Box<dyn std::error::Error>> {
    // A private endpoint keeps status replies apart from the workers' messages.
    let probe = asys.private()?;
    Ok(probe.ask_as::<TroupeStatus>(troupe, TroupeStatusReq, ANSWER)?.ok_or("no troupe status")?)
}

on_every_base! {
    fn spec_8_1_burst_grows_to_max_count_answers_all_and_shrinks_to_idle_count(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        for n in 0..100 {
            asys.tell(&troupe, Job { n, fail: false })?;
        }
        let mut started_by: HashMap<ActorAddress, Vec<u64>> = HashMap::new();
        let mut done = HashSet::new();
        let mut held_worker: Option<ActorAddress> = None;
        let mut peak_checked = false;
        // Each job done needed a release: across processes some may be done at the peak.
        let mut released = 0;
        while done.len() < 100 {
            let msg = asys.listen(ANSWER)?.ok_or("the troupe stopped answering")?;
            if let Some(started) = msg.downcast_ref::<Started>() {
                assert_eq!(&started.saw_sender, asys.my_address(), "workers see the original sender");
                started_by.entry(started.worker.clone()).or_default().push(started.n);
                if !peak_checked && started_by.len() == 10 {
                    let at_peak = status(asys, &troupe)?;
                    assert_eq!((at_peak.workers, at_peak.max_count), (10, 10), "{at_peak:?}");
                    assert_eq!((at_peak.busy, at_peak.idle), (10, 0), "all ten have work in hand: {at_peak:?}");
                    // The status request follows the jobs on the same route, so all 100 are in:
                    // the ones not in hand nor done wait in the queue.
                    assert!(at_peak.pending + 10 + released >= 100, "the rest waits in the queue: {at_peak:?}");
                    peak_checked = true;
                }
                // The first worker keeps its work in progress until everything else is done.
                if held_worker.is_none() {
                    held_worker = Some(started.worker.clone());
                } else {
                    asys.tell(&started.worker, Release)?;
                    released += 1;
                }
            } else if let Some(finished) = msg.downcast_ref::<Done>() {
                assert!(done.insert(finished.n), "job {} answered twice", finished.n);
                if done.len() == 99 {
                    let held = held_worker.clone().ok_or("no held worker")?;
                    assert_eq!(started_by[&held].len(), 1, "a worker with work in progress gets nothing new");
                    asys.tell(&held, Release)?;
                }
            } else {
                return Err(format!("unexpected {msg:?}").into());
            }
        }
        assert!(peak_checked, "the troupe grew to max_count");
        assert_eq!(started_by.len(), 10, "never more than max_count workers");
        let mut all: Vec<u64> = started_by.values().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>(), "every job handed out exactly once");

        // About two seconds after the work runs out, idle workers above idle_count go.
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = status(asys, &troupe)?;
        while last.workers > last.idle_count && Instant::now() < deadline {
            assert!(asys.listen(Duration::from_millis(200))?.is_none(), "no stray messages");
            last = status(asys, &troupe)?;
        }
        assert_eq!((last.workers, last.busy, last.idle, last.pending), (2, 0, 2, 0), "{last:?}");
        Ok(())
    }

    fn spec_8_1_troupe_status_counts_workers_busy_idle_and_queued(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        let empty = asys.ask_as::<TroupeStatus>(&troupe, TroupeStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!((empty.workers, empty.busy, empty.idle, empty.pending), (0, 0, 0, 0), "{empty:?}");
        for n in 0..12 {
            asys.tell(&troupe, Job { n, fail: false })?;
        }
        let mut holding = Vec::new();
        for _ in 0..10 {
            holding.push(asys.listen_as::<Started>(ANSWER)?.ok_or("not started")?.worker);
        }
        // Asked from the endpoint that sent the jobs, so the manager has seen all twelve.
        let full = asys.ask_as::<TroupeStatus>(&troupe, TroupeStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!((full.max_count, full.idle_count), (10, 2), "{full:?}");
        assert_eq!((full.workers, full.busy, full.idle, full.pending), (10, 10, 0, 2), "{full:?}");
        // One worker finishes: it takes the next queued job, so it is busy again.
        asys.tell(&holding[0], Release)?;
        asys.listen_as::<Done>(ANSWER)?.ok_or("not done")?;
        let next = asys.listen_as::<Started>(ANSWER)?.ok_or("the queued job was not handed out")?;
        assert_eq!(next.worker, holding[0], "the worker that finished took the queued job");
        let after = asys.ask_as::<TroupeStatus>(&troupe, TroupeStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!((after.workers, after.busy, after.idle, after.pending), (10, 10, 0, 1), "{after:?}");
        Ok(())
    }

    fn spec_8_1_update_troupe_settings_clamps_instead_of_refusing(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        let update = |max_count, idle_count| -> Result<TroupeSettings, Box<dyn std::error::Error>> {
            let update = UpdateTroupeSettings { max_count, idle_count };
            Ok(asys.ask_as::<TroupeSettings>(&troupe, update, ANSWER)?.ok_or("no answer")?)
        };
        // Lowering max_count alone lowers the idle_count in force (2) with it.
        assert_eq!(update(Some(1), None)?, TroupeSettings { max_count: 1, idle_count: 1 });
        // max_count = 0 would leave no worker: it is taken as 1.
        assert_eq!(update(Some(0), Some(0))?, TroupeSettings { max_count: 1, idle_count: 0 });
        // Raising max_count later keeps the idle_count that was kept, not the one once asked for.
        assert_eq!(update(Some(5), None)?, TroupeSettings { max_count: 5, idle_count: 0 });
        assert_eq!(update(None, Some(9))?, TroupeSettings { max_count: 5, idle_count: 5 });
        let status = asys.ask_as::<TroupeStatus>(&troupe, TroupeStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!((status.max_count, status.idle_count), (5, 5), "the status agrees: {status:?}");
        Ok(())
    }

    fn spec_8_1_dead_workers_work_is_handed_out_again(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        asys.tell(&troupe, Job { n: 7, fail: false })?;
        let first = asys.listen_as::<Started>(ANSWER)?.ok_or("not started")?;
        asys.tell(&first.worker, Die)?;
        let again = asys.listen_as::<Started>(ANSWER)?.ok_or("not handed out again")?;
        assert_eq!(again.n, 7);
        assert_ne!(again.worker, first.worker, "another worker took it");
        asys.tell(&again.worker, Release)?;
        assert_eq!(asys.listen_as::<Done>(ANSWER)?.map(|d| d.n), Some(7));
        Ok(())
    }

    fn spec_4_4_troupe_returns_poison_to_the_original_sender(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        let reply = asys.ask(&troupe, Job { n: 3, fail: true }, ANSWER)?.ok_or("no poison")?;
        let poison = reply.downcast::<PoisonMessage>().map_err(|m| format!("not poison: {m:?}"))?;
        let job = poison.poison_message.downcast_ref::<Job>().ok_or("poison is not the job")?;
        assert_eq!(job.n, 3);
        assert!(poison.details.contains("job 3 cannot be done"), "{}", poison.details);
        // The worker is free again and the troupe carries on.
        asys.tell(&troupe, Job { n: 4, fail: false })?;
        let started = asys.listen_as::<Started>(ANSWER)?.ok_or("not started")?;
        assert_eq!(started.n, 4);
        assert_eq!(status(asys, &troupe)?.workers, 1, "the failing worker was reused");
        Ok(())
    }

    fn spec_8_1_update_troupe_settings_answers_the_values_in_effect(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        let defaults = status(asys, &troupe)?;
        assert_eq!((defaults.max_count, defaults.idle_count), (10, 2));
        let update = UpdateTroupeSettings { max_count: Some(3), idle_count: Some(5) };
        let settings = asys.ask_as::<TroupeSettings>(&troupe, update, ANSWER)?.ok_or("no answer")?;
        assert_eq!(settings, TroupeSettings { max_count: 3, idle_count: 3 }, "idle_count is capped at max_count");
        for n in 0..5 {
            asys.tell(&troupe, Job { n, fail: false })?;
        }
        let now = status(asys, &troupe)?;
        assert_eq!((now.workers, now.pending, now.max_count), (3, 2, 3), "{now:?}");
        Ok(())
    }
}

on_every_base! {
    fn spec_8_1_extra_workers_stay_while_work_keeps_arriving(asys) {
        let troupe = asys.create_actor::<Worker>()?;
        // Four held jobs: four workers, two above idle_count. None is released before all
        // four started, so no worker is free for another job.
        for n in 0..4 {
            asys.tell(&troupe, Job { n, fail: false })?;
        }
        let mut workers = Vec::new();
        for _ in 0..4 {
            workers.push(asys.listen_as::<Started>(ANSWER)?.ok_or("not started")?.worker);
        }
        for worker in &workers {
            asys.tell(worker, Release)?;
        }
        for _ in 0..4 {
            asys.listen_as::<Done>(ANSWER)?.ok_or("not done")?;
        }
        // A trickle of work for longer than the shrink delay: the load has not ended, so
        // nobody is dismissed. Each job is a round trip; the pause between them is idle time.
        let trickle_start = Instant::now();
        let mut last_job_sent = trickle_start;
        let mut n = 4;
        while trickle_start.elapsed() < Duration::from_millis(2600) {
            last_job_sent = Instant::now();
            asys.tell(&troupe, Job { n, fail: false })?;
            let started = asys.listen_as::<Started>(ANSWER)?.ok_or("not started")?;
            asys.tell(&started.worker, Release)?;
            assert_eq!(asys.listen_as::<Done>(ANSWER)?.map(|d| d.n), Some(n));
            assert!(asys.listen(Duration::from_millis(250))?.is_none(), "no stray messages");
            // Across processes the worker's own word that it is free travels apart from its
            // `Done` (only each sender's order is kept, §4.1): the next job waits until the
            // troupe has heard it, or it would rightly start a fifth worker.
            let heard = Instant::now() + ANSWER;
            while status(asys, &troupe)?.idle < 4 && Instant::now() < heard {}
            n += 1;
        }
        let during = status(asys, &troupe)?;
        assert_eq!(during.workers, 4, "extra workers are kept while work arrives: {during:?}");
        // Once it stops, they go about two seconds after the last job arrived (timers never
        // fire early, so the lower bound holds however slow the machine is).
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = during;
        while last.workers > last.idle_count && Instant::now() < deadline {
            assert!(asys.listen(Duration::from_millis(200))?.is_none(), "no stray messages");
            last = status(asys, &troupe)?;
        }
        assert_eq!((last.workers, last.idle), (2, 2), "{last:?}");
        assert!(last_job_sent.elapsed() >= Duration::from_secs(2), "dismissed before the load had ended for 2 s");
        Ok(())
    }
}

/// A troupe whose every member insists on being created with a "Color" requirement that the
/// system matches.
#[derive(Default)]
struct Painter;

#[troupe(max_count = 4, idle_count = 1)]
#[actor]
impl Painter {
    fn actor_system_capability_check(capabilities: &Capabilities, requirements: Option<&Capabilities>) -> bool {
        requirements.and_then(|r| r.get("Color")).is_some_and(|color| capabilities.get("Color") == Some(color))
    }

    #[handler(Job)]
    fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        // Hold the job (never finish it), so each new job needs a new worker.
        ctx.set_troupe_work_in_progress(true);
        ctx.send(sender, Started { n: job.n, worker: ctx.my_address().clone(), saw_sender: sender.clone() });
    }
}

#[test]
fn spec_8_1_workers_are_created_with_the_managers_requirements() -> common::TestResult {
    let mut caps = Capabilities::new();
    caps.insert("Color", "yellow");
    let asys =
        ActorSystem::builder().logging(Logging::Off).check_capabilities(true).capabilities(caps.clone()).build()?;
    let troupe = asys.create_actor_with(ActorSpec::of::<Painter>().requirements(caps))?;
    for n in 0..3 {
        asys.tell(&troupe, Job { n, fail: false })?;
    }
    let mut workers = HashSet::new();
    for _ in 0..3 {
        let started = asys.listen_as::<Started>(ANSWER)?.ok_or("a worker could not be created")?;
        workers.insert(started.worker);
    }
    assert_eq!(workers.len(), 3, "three workers, each created with the requirements");
    asys.shutdown()?;
    Ok(())
}

/// Instances of [`Fragile`] built so far: only the first (the manager) starts.
static FRAGILE_BUILT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A troupe whose workers fail in their constructor.
struct Fragile;

#[troupe(max_count = 3, idle_count = 1)]
#[actor(new = Self::start)]
impl Fragile {
    fn start() -> Result<Self, String> {
        match FRAGILE_BUILT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Ok(Self),
            _ => Err("workers cannot start".to_string()),
        }
    }

    #[handler(Job)]
    fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Done { n: job.n });
    }
}

#[test]
fn spec_8_1_work_given_to_a_worker_that_cannot_start_comes_back_as_poison() -> common::TestResult {
    let asys = common::system("simpleSystemBase");
    let troupe = asys.create_actor::<Fragile>()?;
    for n in 0..2 {
        let reply = asys.ask(&troupe, Job { n, fail: false }, ANSWER)?.ok_or("no answer")?;
        let poison = reply.downcast::<PoisonMessage>().map_err(|m| format!("not poison: {m:?}"))?;
        assert_eq!(poison.poison_message.downcast_ref::<Job>().map(|j| j.n), Some(n));
        assert!(poison.details.contains("could not start"), "{}", poison.details);
    }
    // One worker tried per job, not an endless stream of them; nothing left queued.
    let now = status(&asys, &troupe)?;
    assert_eq!((now.workers, now.pending), (0, 0), "{now:?}");
    assert_eq!(FRAGILE_BUILT.load(std::sync::atomic::Ordering::SeqCst), 3, "the manager and one worker per job");
    common::quiet(&asys)?;
    asys.shutdown()?;
    Ok(())
}

/// Capability checks of [`Picky`] so far: only the first (the manager's) passes.
static PICKY_CHECKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A troupe for which no worker can be created: the system refuses them.
#[derive(Default)]
struct Picky;

#[troupe(max_count = 3, idle_count = 1)]
#[actor]
impl Picky {
    fn actor_system_capability_check(_: &Capabilities, _: Option<&Capabilities>) -> bool {
        PICKY_CHECKS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0
    }

    #[handler(Job)]
    fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Done { n: job.n });
    }
}

#[test]
fn spec_4_4_troupe_that_cannot_add_a_worker_returns_each_job_once() -> common::TestResult {
    let asys = ActorSystem::builder().logging(Logging::Off).check_capabilities(true).build()?;
    let troupe = asys.create_actor::<Picky>()?;
    let reply = asys.ask(&troupe, Job { n: 1, fail: false }, ANSWER)?.ok_or("no answer")?;
    let poison = reply.downcast::<PoisonMessage>().map_err(|m| format!("not poison: {m:?}"))?;
    assert_eq!(poison.poison_message.downcast_ref::<Job>().map(|j| j.n), Some(1));
    assert!(poison.details.contains("no troupe worker could be created"), "{}", poison.details);
    // The job is neither queued nor run a second time.
    common::quiet(&asys)?;
    let now = status(&asys, &troupe)?;
    assert_eq!((now.workers, now.pending), (0, 0), "{now:?}");
    asys.shutdown()?;
    Ok(())
}
