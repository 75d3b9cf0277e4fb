//! Benchmarks of `simpleSystemBase`: every actor runs in the calling thread, and each
//! `tell`, `ask` and `create_actor` runs the system until no message is left.

use std::time::{Duration, Instant};

use thespian::prelude::*;

use crate::actors::{Counted, Counter, Echo, FanInStarter, GetCount, Idle, Producer, StartFanIn};
use crate::measure::{clock_overhead_ns, nanos, percentile, rss_bytes};
use crate::report::{group_thousands, Figure, Target, Unit};
use crate::{Bench, BenchError, Config};

/// Target: median ask round trip, in ns.
const ASK_MEDIAN_TARGET_NS: f64 = 1_000.0;
/// Target: tell throughput, in msgs/s.
const TELL_TARGET_PER_SEC: f64 = 5_000_000.0;
/// Target: memory per idle actor, in bytes.
const IDLE_ACTOR_TARGET_BYTES: f64 = 2.0 * 1024.0;
/// Target: time to create one actor, in µs.
const CREATE_TARGET_US: f64 = 2.0;

/// How long an ask waits: far beyond any answer on this base, where the answer is already
/// there when `tell` returns.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// The benchmarks of this base, in table order.
pub(crate) const BENCHES: &[Bench] = &[
    Bench { name: "ask", about: "ask round-trip latency to an echo actor", run: ask_latency },
    Bench { name: "tell", about: "tell throughput to a counting actor", run: tell_throughput },
    Bench { name: "create", about: "actor creation time and idle-actor memory", run: actor_creation },
    Bench { name: "fan-in", about: "many senders to one collector", run: fan_in },
];

/// A fresh simple-base system with logging left alone (no subscriber: `tracing` events
/// cost a disabled-callsite check only).
fn system() -> Result<ActorSystem, ActorSystemError> {
    ActorSystem::builder().logging(Logging::Off).build()
}

/// Asks a [`Counter`] for its count and checks it against `expected`.
fn verify_count(asys: &ActorSystem, counter: &ActorAddress, expected: Counted, what: &str) -> Result<(), BenchError> {
    let got: Counted = asys
        .ask_as(counter, GetCount, ASK_TIMEOUT)?
        .ok_or_else(|| format!("{what}: the counter did not answer GetCount within {ASK_TIMEOUT:?}"))?;
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: WRONG COUNT: the counter saw {got:?}, expected {expected:?}").into())
    }
}

/// Median and p99 of `asks` round trips (`ask_as::<u64>`) to an [`Echo`], each timed on
/// its own with `Instant`, after `ask_warmup` untimed ones. Every answer is checked.
fn ask_latency(cfg: &Config) -> Result<Vec<Figure>, BenchError> {
    let asys = system()?;
    let echo = asys.create_actor::<Echo>()?;
    let ask = |n: u64| -> Result<(), BenchError> {
        match asys.ask_as::<u64>(&echo, n, ASK_TIMEOUT)? {
            Some(reply) if reply == n => Ok(()),
            other => Err(format!("echo answered {other:?} to {n}").into()),
        }
    };
    for n in 0..cfg.ask_warmup {
        ask(n)?;
    }
    let mut samples = Vec::with_capacity(usize::try_from(cfg.asks).map_err(|e| e.to_string())?);
    for n in 0..cfg.asks {
        let start = Instant::now();
        let reply = asys.ask_as::<u64>(&echo, n, ASK_TIMEOUT);
        samples.push(nanos(start.elapsed()));
        match reply? {
            Some(r) if r == n => {}
            other => return Err(format!("echo answered {other:?} to {n}").into()),
        }
    }
    samples.sort_unstable();
    let median = percentile(&samples, 0.5) as f64;
    let p99 = percentile(&samples, 0.99) as f64;
    let clock = clock_overhead_ns(100_000);
    let detail = format!("{} asks; clock read adds ~{clock} ns", group_thousands(cfg.asks as f64));
    Ok(vec![
        Figure::new("ask round trip (`ask_as::<u64>`), median", median, Unit::Nanos)
            .target(Target::AtMost(ASK_MEDIAN_TARGET_NS))
            .detail(detail.clone()),
        Figure::new("ask round trip (`ask_as::<u64>`), p99", p99, Unit::Nanos).detail(detail),
    ])
}

/// Throughput of `tells` tells of a `u64` to a [`Counter`] (after `tell_warmup`), timed as a
/// whole; the counter's count and sum are checked afterwards.
fn tell_throughput(cfg: &Config) -> Result<Vec<Figure>, BenchError> {
    let asys = system()?;
    let counter = asys.create_actor::<Counter>()?;
    for n in 0..cfg.tell_warmup {
        asys.tell(&counter, n)?;
    }
    let end = cfg.tell_warmup + cfg.tells;
    let start = Instant::now();
    for n in cfg.tell_warmup..end {
        asys.tell(&counter, n)?;
    }
    let elapsed = start.elapsed();
    verify_count(&asys, &counter, Counted::of_range(end), "tell throughput")?;
    let rate = cfg.tells as f64 / elapsed.as_secs_f64();
    Ok(vec![Figure::new("tell throughput (`tell` of a u64)", rate, Unit::MsgsPerSec)
        .target(Target::AtLeast(TELL_TARGET_PER_SEC))
        .detail(format!("{} tells in {} ms, count verified", group_thousands(cfg.tells as f64), ms(elapsed)))])
}

/// Time per `create_actor` of an [`Idle`] actor from outside the system, and the growth of
/// the process's resident memory over `idle_actors` of them, all kept alive.
fn actor_creation(cfg: &Config) -> Result<Vec<Figure>, BenchError> {
    let asys = system()?;
    // Warm up the code paths (and the allocator) on a throw-away system.
    {
        let warm = system()?;
        for _ in 0..1_000 {
            warm.create_actor::<Idle>()?;
        }
    }
    let rss_before = rss_bytes()?;
    let start = Instant::now();
    for _ in 0..cfg.idle_actors {
        // The address is dropped: the system keeps the actor alive until shutdown.
        asys.create_actor::<Idle>()?;
    }
    let elapsed = start.elapsed();
    let rss_after = rss_bytes()?;
    let status = asys.status()?;
    let live = u64::try_from(status.actor_count).map_err(|e| e.to_string())?;
    if live != cfg.idle_actors {
        return Err(format!("actor creation: {live} actors alive, expected {}", cfg.idle_actors).into());
    }
    let n = cfg.idle_actors as f64;
    let per_actor_us = elapsed.as_secs_f64() * 1e6 / n;
    let delta = rss_after.saturating_sub(rss_before);
    let per_actor_bytes = delta as f64 / n;
    Ok(vec![
        Figure::new("actor creation (`create_actor`, idle actor)", per_actor_us, Unit::Micros)
            .target(Target::AtMost(CREATE_TARGET_US))
            .detail(format!("{} actors in {} ms", group_thousands(n), ms(elapsed))),
        Figure::new("memory per idle actor (RSS delta)", per_actor_bytes, Unit::Bytes)
            .target(Target::AtMost(IDLE_ACTOR_TARGET_BYTES))
            .detail(format!(
                "RSS +{} KiB over {} actors; page resolution = {:.2} B/actor",
                group_thousands((delta / 1024) as f64),
                group_thousands(n),
                4096.0 / n
            )),
    ])
}

/// One [`Counter`] collecting from `fan_in_senders` [`Producer`]s, all poked in one
/// handler so that they send in the same run; each sends `fan_in_per_sender` messages.
/// The time runs from the `tell` that starts them to its return (the system is then
/// idle: every message was delivered); the total is checked.
fn fan_in(cfg: &Config) -> Result<Vec<Figure>, BenchError> {
    let asys = system()?;
    let collector = asys.create_actor::<Counter>()?;
    let starter = asys.create_actor::<FanInStarter>()?;
    let senders = (0..cfg.fan_in_senders).map(|_| asys.create_actor::<Producer>()).collect::<Result<Vec<_>, _>>()?;
    let total = cfg.fan_in_senders * cfg.fan_in_per_sender;
    let start = Instant::now();
    asys.tell(&starter, StartFanIn { senders, collector: collector.clone(), per_sender: cfg.fan_in_per_sender })?;
    let elapsed = start.elapsed();
    verify_count(&asys, &collector, Counted::of_range(total), "fan-in")?;
    let rate = total as f64 / elapsed.as_secs_f64();
    Ok(vec![Figure::new(
        format!(
            "fan-in: {} senders × {} msgs → 1 collector",
            group_thousands(cfg.fan_in_senders as f64),
            group_thousands(cfg.fan_in_per_sender as f64)
        ),
        rate,
        Unit::MsgsPerSec,
    )
    .detail(format!("{} msgs in {} ms, total verified", group_thousands(total as f64), ms(elapsed)))])
}

/// A duration in whole milliseconds, grouped: `1 195`.
fn ms(d: Duration) -> String {
    group_thousands((d.as_secs_f64() * 1e3).round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_count_is_an_error() {
        let asys = system().expect("a simple system starts");
        let counter = asys.create_actor::<Counter>().expect("counter");
        for n in 0..3u64 {
            asys.tell(&counter, n).expect("tell");
        }
        verify_count(&asys, &counter, Counted::of_range(3), "test").expect("three were sent");
        let err = verify_count(&asys, &counter, Counted::of_range(4), "test").expect_err("only three were sent");
        assert!(err.to_string().contains("WRONG COUNT"), "{err}");
    }
}
