//! Troupe throughput on `simpleSystemBase` (spec §4.9, §8.1): jobs per second through a
//! `#[troupe(max_count = 10, idle_count = 2)]` actor against one plain actor of the same code.
//!
//! Each job is a message that the worker answers with [`Done`] to the job's original sender
//! (the benchmark's endpoint); every answer is collected with `listen` and checked: each job
//! of a round answered exactly once, nothing more (a lost, repeated or stray answer fails the
//! run). Two kinds of job:
//!
//! - **one-shot** ([`Job`]): answered at once, in the handler that receives it;
//! - **multi-step** ([`WaitJob`]): the worker says `set_troupe_work_in_progress(true)`, asks
//!   for a wakeup after [`JOB_WAIT`] and answers when it fires. A worker holds one job at a
//!   time: the plain actor keeps later jobs in its own backlog and starts the next when it has
//!   answered one, so its jobs run one after another; the troupe's manager hands them to up to
//!   10 idle workers, so up to 10 waits overlap.
//!
//! The simple base runs everything in the calling thread, so the troupe cannot add parallelism
//! to CPU work: what the one-shot figures show is the manager's cost. What the multi-step
//! figures show is the overlap of jobs that wait.
//!
//! Both variants of a kind run in one system, interleaved as in `dispatch.rs`: every round
//! runs each variant once (the order alternates), a variant's figure is the median of its
//! per-round rates and the ratio the median of the per-round ratios.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use thespian::prelude::*;

use crate::report::{group_thousands, Figure, Unit};
use crate::{Bench, BenchError, Config};

/// How long a multi-step job waits for its wakeup.
pub(crate) const JOB_WAIT: Duration = Duration::from_millis(1);

/// The troupe's size limits, as in `#[troupe(max_count = 10, idle_count = 2)]` below.
const MAX_WORKERS: usize = 10;

/// How long `listen` waits for the next answer. One-shot answers are there before `tell`
/// returns, and a multi-step answer is due [`JOB_WAIT`] after its job started, so only a
/// lost answer makes it wait this long — which fails the run.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

/// The benchmarks of this module, in table order.
pub(crate) const BENCHES: &[Bench] = &[Bench {
    name: "troupe",
    about: "jobs/s through a 10-worker troupe vs one plain actor: one-shot and 1 ms multi-step jobs",
    run: troupe_throughput,
}];

// ---------------------------------------------------------------------------------------
// Messages and workers.

/// A one-shot job: the worker answers [`Done`] at once.
#[derive(Debug, Serialize, Deserialize, Message)]
pub(crate) struct Job(pub(crate) u64);

/// A multi-step job: the worker holds it until a wakeup [`JOB_WAIT`] later, then answers
/// [`Done`].
#[derive(Debug, Serialize, Deserialize, Message)]
pub(crate) struct WaitJob(pub(crate) u64);

/// The answer to job `n`, sent to the job's original sender.
#[derive(Debug, Serialize, Deserialize, Message)]
pub(crate) struct Done {
    /// The job's number.
    pub(crate) n: u64,
    /// The worker that did it (a troupe's worker, not the troupe's address).
    pub(crate) worker: ActorAddress,
    /// The job waited in the worker's own backlog because the worker held another one: the
    /// plain actor's jobs do; a troupe must never hand a busy worker a job.
    pub(crate) waited_in_worker: bool,
}

/// The state and the handlers' code, shared by [`TroupeWorker`] and [`PlainWorker`] so that
/// the two differ only by `#[troupe]`.
#[derive(Debug, Default)]
pub(crate) struct WorkerCore {
    /// The multi-step job held until its wakeup: number, original sender, whether it waited.
    held: Option<(u64, ActorAddress, bool)>,
    /// Multi-step jobs received while one was held: number and original sender.
    backlog: VecDeque<(u64, ActorAddress)>,
}

impl WorkerCore {
    /// Answers a one-shot job.
    fn job(n: u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let worker = ctx.my_address().clone();
        ctx.send(sender, Done { n, worker, waited_in_worker: false });
    }

    /// Starts a multi-step job, or keeps it for later if one is held.
    fn wait_job(&mut self, n: u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if self.held.is_some() {
            self.backlog.push_back((n, sender.clone()));
        } else {
            self.start(n, sender.clone(), false, ctx);
        }
    }

    /// Holds job `n` until a wakeup [`JOB_WAIT`] from now.
    fn start(&mut self, n: u64, sender: ActorAddress, waited: bool, ctx: &mut ActorContext<'_>) {
        self.held = Some((n, sender, waited));
        ctx.set_troupe_work_in_progress(true);
        ctx.wakeup_after(JOB_WAIT, ());
    }

    /// The held job's wait is over: answers it, then starts the next one from the backlog.
    fn wakeup(&mut self, ctx: &mut ActorContext<'_>) -> ActorResult {
        let (n, to, waited) = self.held.take().ok_or("a wakeup arrived with no job held")?;
        let worker = ctx.my_address().clone();
        ctx.send(&to, Done { n, worker, waited_in_worker: waited });
        ctx.set_troupe_work_in_progress(false);
        if let Some((next, sender)) = self.backlog.pop_front() {
            self.start(next, sender, true, ctx);
        }
        Ok(())
    }
}

/// Defines a worker actor type around a [`WorkerCore`], with the decorators given.
macro_rules! worker {
    ($(#[$decorator:meta])* $name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Default)]
        pub(crate) struct $name {
            core: WorkerCore,
        }

        $(#[$decorator])*
        #[actor]
        impl $name {
            #[handler(Job)]
            fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
                WorkerCore::job(job.0, sender, ctx);
            }

            #[handler(WaitJob)]
            fn on_wait_job(&mut self, job: &WaitJob, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
                self.core.wait_job(job.0, sender, ctx);
            }

            #[handler(WakeupMessage)]
            fn on_wakeup(&mut self, _wakeup: &WakeupMessage, ctx: &mut ActorContext<'_>) -> ActorResult {
                self.core.wakeup(ctx)
            }
        }
    };
}

worker!(
    #[troupe(max_count = 10, idle_count = 2)]
    TroupeWorker,
    "The worker as a troupe of up to 10 (2 kept when idle): one address, jobs handed to idle workers."
);

worker!(PlainWorker, "The same worker as one plain actor (no `#[troupe]`).");

// ---------------------------------------------------------------------------------------
// Measuring.

/// The kind of job a round sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// [`Job`]s.
    OneShot,
    /// [`WaitJob`]s.
    MultiStep,
}

/// What the answers of one round showed, beyond "each job answered exactly once".
#[derive(Debug, Default)]
struct Answers {
    /// The distinct workers that answered.
    workers: Vec<ActorAddress>,
    /// Answers to jobs that waited in a worker's own backlog.
    waited_in_worker: u64,
}

/// Collects the answers to jobs `first..first + seen.len()` from `asys`'s inbox, checking that
/// each job is answered exactly once and that no other message arrives; `seen` is the
/// caller's buffer (cleared here), so that nothing is allocated in the timed section. Waits
/// up to `timeout` for each answer.
fn collect(
    asys: &ActorSystem,
    what: &str,
    first: u64,
    seen: &mut [bool],
    timeout: Duration,
) -> Result<Answers, BenchError> {
    seen.fill(false);
    let count = seen.len();
    let mut answers = Answers::default();
    for got in 0..count {
        let msg = asys.listen(timeout)?.ok_or_else(|| {
            format!("{what}: LOST ANSWERS: only {got} of {count} jobs answered (no answer within {timeout:?})")
        })?;
        let done = match msg.downcast::<Done>() {
            Ok(done) => done,
            Err(other) => {
                let details = other.downcast_ref::<PoisonMessage>().map(|p| format!(": {}", p.details));
                return Err(format!(
                    "{what}: unexpected {} instead of an answer{}",
                    other.message_type_name(),
                    details.unwrap_or_default()
                )
                .into());
            }
        };
        let slot = done
            .n
            .checked_sub(first)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| seen.get_mut(i))
            .ok_or_else(|| format!("{what}: an answer to job {}, not one of this round's", done.n))?;
        if *slot {
            return Err(format!("{what}: DUPLICATE answer to job {}", done.n).into());
        }
        *slot = true;
        if done.waited_in_worker {
            answers.waited_in_worker += 1;
        }
        if !answers.workers.contains(&done.worker) {
            answers.workers.push(done.worker);
        }
    }
    // All `count` answers are distinct jobs of this round, so each was answered once; anything
    // left in the inbox now is one too many.
    if let Some(extra) = asys.listen(Duration::ZERO)? {
        return Err(format!("{what}: an extra message after all {count} answers: {extra:?}").into());
    }
    Ok(answers)
}

/// One variant: an actor (the troupe or the plain worker) and its per-round results.
struct Variant {
    what: &'static str,
    actor: ActorAddress,
    /// Per-round rates, in jobs/s.
    rates: Vec<f64>,
    /// The most distinct workers that answered in one round.
    workers: usize,
    /// Answers, over all rounds, to jobs that waited in a worker's backlog.
    waited_in_worker: u64,
    /// The next job number, so that every job of the run has its own.
    next: u64,
}

impl Variant {
    fn new(what: &'static str, actor: ActorAddress) -> Self {
        Self { what, actor, rates: Vec::new(), workers: 0, waited_in_worker: 0, next: 0 }
    }

    /// Tells `seen.len()` jobs of `kind`, then collects and checks every answer; the time runs
    /// from the first `tell` to the last answer. Returns the rate in jobs/s.
    fn round(&mut self, asys: &ActorSystem, kind: Kind, seen: &mut [bool]) -> Result<f64, BenchError> {
        let first = self.next;
        let end = first + seen.len() as u64;
        self.next = end;
        let start = Instant::now();
        match kind {
            Kind::OneShot => {
                for n in first..end {
                    asys.tell(&self.actor, Job(n))?;
                }
            }
            Kind::MultiStep => {
                for n in first..end {
                    asys.tell(&self.actor, WaitJob(n))?;
                }
            }
        }
        let answers = collect(asys, self.what, first, seen, ANSWER_TIMEOUT)?;
        let elapsed = start.elapsed();
        self.workers = self.workers.max(answers.workers.len());
        self.waited_in_worker += answers.waited_in_worker;
        Ok(seen.len() as f64 / elapsed.as_secs_f64())
    }
}

/// `rounds` interleaved rounds of `jobs` jobs of `kind` for the troupe and the plain worker,
/// after one untimed round of `warmup` jobs each. Returns `[troupe, plain]`.
fn measure(kind: Kind, jobs: u64, warmup: u64, rounds: u64) -> Result<[Variant; 2], BenchError> {
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    let mut variants = [
        Variant::new("troupe", asys.create_actor::<TroupeWorker>()?),
        Variant::new("plain actor", asys.create_actor::<PlainWorker>()?),
    ];
    let to_len = |n: u64| usize::try_from(n).map_err(|e| e.to_string());
    let mut warm = vec![false; to_len(warmup.max(1))?];
    for v in &mut variants {
        v.round(&asys, kind, &mut warm)?;
    }
    let mut seen = vec![false; to_len(jobs.max(1))?];
    for round in 0..rounds {
        // Round r starts with variant r mod 2: each goes first equally often.
        let first = to_len(round % 2)?;
        for k in 0..2 {
            let v = &mut variants[(first + k) % 2];
            let rate = v.round(&asys, kind, &mut seen)?;
            v.rates.push(rate);
        }
    }
    Ok(variants)
}

/// The median of `values` (the mean of the middle two for an even count; 0 if empty).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Per-round troupe ÷ plain rates.
fn ratios(troupe: &Variant, plain: &Variant) -> Vec<f64> {
    troupe.rates.iter().zip(&plain.rates).map(|(t, p)| t / p).collect()
}

/// `n` workers, in words.
fn workers_text(n: usize) -> String {
    if n == 1 {
        "1 worker".to_string()
    } else {
        format!("{n} workers")
    }
}

/// The one-shot and multi-step measurements; see the module documentation.
fn troupe_throughput(cfg: &Config) -> Result<Vec<Figure>, BenchError> {
    let [troupe, plain] = measure(Kind::OneShot, cfg.troupe_jobs, cfg.troupe_jobs / 10, cfg.troupe_rounds)?;
    if troupe.waited_in_worker + plain.waited_in_worker != 0 {
        return Err("one-shot jobs: an answer says its job waited in a worker's backlog".into());
    }
    let one_ratio = median(&ratios(&troupe, &plain));
    let (t, p) = (median(&troupe.rates), median(&plain.rates));
    let one_rounds = format!(
        "median of {} interleaved rounds × {} jobs",
        cfg.troupe_rounds,
        group_thousands(cfg.troupe_jobs as f64)
    );
    let mut figures = vec![
        Figure::new("troupe, one-shot jobs (`Job` answered at once; ≤ 10 workers)", t, Unit::JobsPerSec)
            .detail(format!("{} µs per job; {one_rounds}; {} answered", us_per(t), workers_text(troupe.workers))),
        Figure::new("plain actor, one-shot jobs (same code, no `#[troupe]`)", p, Unit::JobsPerSec)
            .detail(format!("{} µs per job; {one_rounds}", us_per(p))),
        Figure::new("troupe ÷ plain, one-shot jobs", one_ratio, Unit::Ratio)
            .detail(format!("median of per-round ratios; the manager adds {:+.2} µs per job", 1e6 / t - 1e6 / p)),
    ];

    let wait_ms = JOB_WAIT.as_secs_f64() * 1e3;
    let [troupe, plain] = measure(Kind::MultiStep, cfg.troupe_wait_jobs, MAX_WORKERS as u64, cfg.troupe_rounds)?;
    if troupe.waited_in_worker != 0 {
        return Err(format!(
            "multi-step jobs: the troupe handed {} jobs to a worker that held one",
            troupe.waited_in_worker
        )
        .into());
    }
    if cfg.troupe_wait_jobs >= MAX_WORKERS as u64 && troupe.workers != MAX_WORKERS {
        return Err(format!(
            "multi-step jobs: {} answered, expected the troupe to grow to {MAX_WORKERS}",
            workers_text(troupe.workers)
        )
        .into());
    }
    let wait_ratio = median(&ratios(&troupe, &plain));
    let (t, p) = (median(&troupe.rates), median(&plain.rates));
    let wait_rounds = format!(
        "median of {} interleaved rounds × {} jobs",
        cfg.troupe_rounds,
        group_thousands(cfg.troupe_wait_jobs as f64)
    );
    figures.extend([
        Figure::new(
            format!("troupe, multi-step jobs (`WaitJob` held until a {wait_ms} ms wakeup; ≤ 10 workers)"),
            t,
            Unit::JobsPerSec,
        )
        .detail(format!("{} µs per job; {wait_rounds}; {} answered", us_per(t), workers_text(troupe.workers))),
        Figure::new("plain actor, multi-step jobs (one held at a time, the rest in its backlog)", p, Unit::JobsPerSec)
            .detail(format!("{} µs per job; {wait_rounds}", us_per(p))),
        Figure::new("troupe ÷ plain, multi-step jobs", wait_ratio, Unit::Ratio)
            .detail(format!("median of per-round ratios; at most {MAX_WORKERS} waits overlap")),
    ]);
    Ok(figures)
}

/// Microseconds per job at `rate` jobs/s: two decimals below 10 µs, whole ones above.
fn us_per(rate: f64) -> String {
    let us = 1e6 / rate;
    if us < 10.0 {
        format!("{us:.2}")
    } else {
        group_thousands(us.round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_workers_answer_every_job_once() {
        let asys = ActorSystem::builder().logging(Logging::Off).build().expect("a simple system starts");
        for actor in [asys.create_actor::<TroupeWorker>(), asys.create_actor::<PlainWorker>()] {
            let mut v = Variant::new("worker", actor.expect("a worker"));
            let mut seen = vec![false; 12];
            v.round(&asys, Kind::OneShot, &mut seen).expect("one-shot jobs answered");
            v.round(&asys, Kind::MultiStep, &mut seen).expect("multi-step jobs answered");
            assert!(seen.iter().all(|&s| s));
        }
    }

    #[test]
    fn the_troupe_overlaps_waits_and_the_plain_actor_does_not() {
        let [troupe, plain] = measure(Kind::MultiStep, 20, 10, 1).expect("measured");
        assert_eq!((troupe.workers, troupe.waited_in_worker), (MAX_WORKERS, 0));
        assert_eq!(plain.workers, 1);
        assert!(plain.waited_in_worker > 0, "the plain actor's jobs wait in its backlog");
    }

    /// Answers every `Job` twice.
    #[derive(Debug, Default)]
    struct Stutter;

    #[actor]
    impl Stutter {
        #[handler(Job)]
        fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            for _ in 0..2 {
                WorkerCore::job(job.0, sender, ctx);
            }
        }
    }

    /// Answers every `Job` but number 3.
    #[derive(Debug, Default)]
    struct Forgetful;

    #[actor]
    impl Forgetful {
        #[handler(Job)]
        fn on_job(&mut self, job: &Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            if job.0 != 3 {
                WorkerCore::job(job.0, sender, ctx);
            }
        }
    }

    #[test]
    fn duplicate_lost_and_extra_answers_fail_the_round() {
        let asys = ActorSystem::builder().logging(Logging::Off).build().expect("a simple system starts");
        let mut seen = vec![false; 5];
        let mut stutter = Variant::new("stutter", asys.create_actor::<Stutter>().expect("actor"));
        let err = stutter.round(&asys, Kind::OneShot, &mut seen).expect_err("answers twice");
        assert!(err.to_string().contains("DUPLICATE"), "{err}");
        while asys.listen(Duration::ZERO).expect("listen").is_some() {}

        let forgetful = asys.create_actor::<Forgetful>().expect("actor");
        for n in 0..5 {
            asys.tell(&forgetful, Job(n)).expect("tell");
        }
        let short = Duration::from_millis(20);
        let err = collect(&asys, "forgetful", 0, &mut seen, short).expect_err("job 3 is never answered");
        assert!(err.to_string().contains("LOST ANSWERS: only 4 of 5"), "{err}");

        let plain = asys.create_actor::<PlainWorker>().expect("actor");
        asys.tell(&plain, Job(7)).expect("tell");
        let err = collect(&asys, "stray", 0, &mut seen, short).expect_err("job 7 is not in 0..5");
        assert!(err.to_string().contains("an answer to job 7, not one of this round's"), "{err}");

        for n in 0..3 {
            asys.tell(&plain, Job(n)).expect("tell");
        }
        let err = collect(&asys, "extra", 0, &mut seen[..2], short).expect_err("three answers to two jobs");
        assert!(err.to_string().contains("an extra message after all 2 answers"), "{err}");
    }
}
