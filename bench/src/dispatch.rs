//! The cost of `#[actor]` dispatch on `simpleSystemBase` (issue "macros"): the same echo
//! actor written with `#[actor]` + `#[handler]`s and by hand with a `downcast_ref` chain,
//! and a message routed through a 3-link chain (own type, then two families) of a derived
//! actor whose first matching handler returns [`Dispatch::Super`].
//!
//! The variants are measured interleaved: every round asks each variant in turn (the order
//! rotates from round to round), each ask timed on its own; a variant's figure is the median
//! of its per-round medians, and a comparison is the median of the per-round differences, so
//! that a slow patch of the machine hits both sides of a comparison alike.

use std::time::{Duration, Instant};

use thespian::prelude::*;

use crate::measure::{nanos, percentile};
use crate::report::{group_thousands, Figure, Target, Unit};
use crate::{Bench, BenchError, Config};

/// Target: what routing by `#[actor]` may add to an ask's median over hand-written
/// dispatch, in percent.
const MACRO_OVERHEAD_TARGET_PERCENT: f64 = 10.0;

/// How long an ask waits. On this base the answer is there when the `tell` returns, so an
/// ask only waits this long when an actor failed to answer — which fails the benchmark.
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// The benchmarks of this module, in table order.
pub(crate) const BENCHES: &[Bench] = &[Bench {
    name: "dispatch",
    about: "`#[actor]` routing vs a hand-written `downcast_ref` chain; a 3-link family chain",
    run: dispatch_cost,
}];

// ---------------------------------------------------------------------------------------
// The echo actors: the same five message types, in the same order, `u64` fourth.

/// The echo actor written with `#[actor]`: five handlers, the `u64` one fourth, so that
/// the generated routing compares three other `TypeId`s before it finds `u64`.
#[derive(Debug, Default)]
pub(crate) struct MacroEcho;

#[actor]
impl MacroEcho {
    #[handler(String)]
    fn on_string(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg.clone());
    }

    #[handler(i64)]
    fn on_i64(&mut self, msg: &i64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, *msg);
    }

    #[handler(u32)]
    fn on_u32(&mut self, msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, *msg);
    }

    #[handler(u64)]
    fn on_u64(&mut self, msg: &u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, *msg);
    }

    #[handler(f64)]
    fn on_f64(&mut self, msg: &f64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, *msg);
    }
}

/// The same echo actor written by hand: a `downcast_ref` chain over the same five types in
/// the same order.
#[derive(Debug, Default)]
pub(crate) struct HandEcho;

impl Actor for HandEcho {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(s) = msg.downcast_ref::<String>() {
            ctx.send(sender, s.clone());
        } else if let Some(n) = msg.downcast_ref::<i64>() {
            ctx.send(sender, *n);
        } else if let Some(n) = msg.downcast_ref::<u32>() {
            ctx.send(sender, *n);
        } else if let Some(n) = msg.downcast_ref::<u64>() {
            ctx.send(sender, *n);
        } else if let Some(x) = msg.downcast_ref::<f64>() {
            ctx.send(sender, *x);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The 3-link chain: `Hop` is a `Hop`, a `dyn HopFirst` and a `dyn HopSecond`, in that order.

/// The first family of [`Hop`]: the derived actor's handler marks the message and defers.
pub(crate) trait HopFirst: Message {
    /// Records that a handler for this family saw the message.
    fn hop(&mut self);
}

/// The second family of [`Hop`]: the base actor's handler answers.
pub(crate) trait HopSecond: Message {
    /// The answer: the number asked plus the hops recorded on the way.
    fn answer(&self) -> u64;
}

/// A message whose dispatch chain has three links: `Hop`, `dyn HopFirst`, `dyn HopSecond`.
#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = HopFirst, family = HopSecond)]
pub(crate) struct Hop {
    /// The number asked.
    pub(crate) n: u64,
    /// How many [`HopFirst`] handlers marked the message.
    pub(crate) hops: u64,
}

impl Hop {
    /// A fresh message for `n`.
    fn new(n: u64) -> Self {
        Self { n, hops: 0 }
    }

    /// What every route in this benchmark answers to `Hop::new(n)`: one hop was recorded
    /// (by the `Super`-returning handler in the chain; by the direct handler itself).
    fn expected(n: u64) -> u64 {
        n.wrapping_add(1)
    }
}

impl HopFirst for Hop {
    fn hop(&mut self) {
        self.hops += 1;
    }
}

impl HopSecond for Hop {
    fn answer(&self) -> u64 {
        self.n.wrapping_add(self.hops)
    }
}

/// The base of [`ChainTop`]: handles only the second family of [`Hop`].
#[derive(Debug, Default)]
pub(crate) struct ChainBase;

#[actor]
impl ChainBase {
    #[handler(dyn HopSecond)]
    fn on_second(&mut self, msg: &dyn HopSecond, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg.answer());
    }
}

/// A derived actor whose only handler (for the first family of [`Hop`]) marks the message
/// and returns [`Dispatch::Super`]; its base answers at the second family link.
#[derive(Debug, Default)]
pub(crate) struct ChainTop {
    base: ChainBase,
}

#[actor(base = base)]
impl ChainTop {
    #[handler(dyn HopFirst)]
    fn on_first(&mut self, msg: &mut dyn HopFirst) -> Dispatch {
        msg.hop();
        Dispatch::Super
    }
}

/// The comparison for the chain: the same message handled by its own type (link 1).
#[derive(Debug, Default)]
pub(crate) struct DirectHop;

#[actor]
impl DirectHop {
    #[handler(Hop)]
    fn on_hop(&mut self, msg: &mut Hop, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        msg.hops += 1;
        ctx.send(sender, msg.n.wrapping_add(msg.hops));
    }
}

// ---------------------------------------------------------------------------------------
// Measuring.

/// One variant: a name for errors, its actor, and the message it is asked.
struct Variant {
    what: &'static str,
    actor: ActorAddress,
    /// `Hop` instead of `u64` (the answer is then [`Hop::expected`]).
    hop: bool,
    /// Per-round medians, in ns.
    medians: Vec<f64>,
    /// Per-round p99s, in ns.
    p99s: Vec<f64>,
    /// Per-round interquartile means (the mean of the middle half of the samples), in ns:
    /// finer than the median, which moves in steps of the clock's ~10 ns granularity.
    iq_means: Vec<f64>,
    /// The next number to ask, so that every ask of the run has its own answer.
    next: u64,
}

impl Variant {
    fn new(what: &'static str, actor: ActorAddress, hop: bool) -> Self {
        Self { what, actor, hop, medians: Vec::new(), p99s: Vec::new(), iq_means: Vec::new(), next: 0 }
    }

    /// One ask, timed; fails if the answer is missing or wrong.
    fn ask(&mut self, asys: &ActorSystem) -> Result<u64, BenchError> {
        let n = self.next;
        self.next += 1;
        let (reply, expected, elapsed) = if self.hop {
            let start = Instant::now();
            let reply = asys.ask_as::<u64>(&self.actor, Hop::new(n), ASK_TIMEOUT);
            let elapsed = start.elapsed();
            (reply, Hop::expected(n), elapsed)
        } else {
            let start = Instant::now();
            let reply = asys.ask_as::<u64>(&self.actor, n, ASK_TIMEOUT);
            let elapsed = start.elapsed();
            (reply, n, elapsed)
        };
        match reply? {
            Some(r) if r == expected => Ok(nanos(elapsed)),
            other => Err(format!("{}: answered {other:?} to {n}, expected Some({expected})", self.what).into()),
        }
    }

    /// `count` timed asks; records their median, p99 and interquartile mean.
    fn round(&mut self, asys: &ActorSystem, count: usize) -> Result<(), BenchError> {
        let mut samples = (0..count).map(|_| self.ask(asys)).collect::<Result<Vec<_>, _>>()?;
        samples.sort_unstable();
        self.medians.push(percentile(&samples, 0.5) as f64);
        self.p99s.push(percentile(&samples, 0.99) as f64);
        self.iq_means.push(interquartile_mean(&samples));
        Ok(())
    }
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

/// The mean of the middle half of `sorted` (0 if empty).
fn interquartile_mean(sorted: &[u64]) -> f64 {
    let middle = &sorted[sorted.len() / 4..sorted.len() - sorted.len() / 4];
    if middle.is_empty() {
        return 0.0;
    }
    middle.iter().map(|&x| x as f64).sum::<f64>() / middle.len() as f64
}

/// Per-round `f(a, b)` of two variants' medians.
fn paired(a: &Variant, b: &Variant, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    a.medians.iter().zip(&b.medians).map(|(&x, &y)| f(x, y)).collect()
}

/// Per-round `f(a, b)` of two variants' interquartile means.
fn paired_iqm(a: &Variant, b: &Variant, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    a.iq_means.iter().zip(&b.iq_means).map(|(&x, &y)| f(x, y)).collect()
}

/// The smallest and largest of `values`.
fn range(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// Checks that the two echo actors answer every type they handle alike, and that the chain
/// and the direct route give the same answer (the timed asks check `u64` and `Hop` again).
fn check_equivalent(asys: &ActorSystem, macro_echo: &ActorAddress, hand_echo: &ActorAddress) -> Result<(), BenchError> {
    for (what, echo) in [("`#[actor]` echo", macro_echo), ("hand-written echo", hand_echo)] {
        let s = asys.ask_as::<String>(echo, "echo".to_string(), ASK_TIMEOUT)?;
        let i = asys.ask_as::<i64>(echo, -7_i64, ASK_TIMEOUT)?;
        let u = asys.ask_as::<u32>(echo, 7_u32, ASK_TIMEOUT)?;
        let n = asys.ask_as::<u64>(echo, 8_u64, ASK_TIMEOUT)?;
        let x = asys.ask_as::<f64>(echo, 0.5_f64, ASK_TIMEOUT)?;
        if s.as_deref() != Some("echo") || i != Some(-7) || u != Some(7) || n != Some(8) || x != Some(0.5) {
            return Err(format!("{what} answered {s:?}, {i:?}, {u:?}, {n:?}, {x:?} to \"echo\", -7, 7, 8, 0.5").into());
        }
    }
    Ok(())
}

/// Interleaved rounds over the four variants; see the module documentation.
fn dispatch_cost(cfg: &Config) -> Result<Vec<Figure>, BenchError> {
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    let macro_echo = asys.create_actor::<MacroEcho>()?;
    let hand_echo = asys.create_actor::<HandEcho>()?;
    check_equivalent(&asys, &macro_echo, &hand_echo)?;
    let mut variants = [
        Variant::new("`#[actor]` echo", macro_echo, false),
        Variant::new("hand-written echo", hand_echo, false),
        Variant::new("3-link chain (`ChainTop`)", asys.create_actor::<ChainTop>()?, true),
        Variant::new("direct `#[handler(Hop)]`", asys.create_actor::<DirectHop>()?, true),
    ];
    for v in &mut variants {
        for _ in 0..cfg.ask_warmup {
            v.ask(&asys)?;
        }
    }
    let per_round = usize::try_from(cfg.dispatch_asks).map_err(|e| e.to_string())?;
    let len = variants.len();
    for round in 0..cfg.dispatch_rounds {
        // Round r starts with variant r mod 4, so each variant runs first, second, … equally
        // often (over a multiple of 4 rounds).
        let first = usize::try_from(round).map_err(|e| e.to_string())? % len;
        for k in 0..len {
            variants[(first + k) % len].round(&asys, per_round)?;
        }
    }
    let [mac, hand, chain, direct] = &variants;

    let overhead = paired(mac, hand, |m, h| (m / h - 1.0) * 100.0);
    let overhead_ns = paired(mac, hand, |m, h| m - h);
    let (lo, hi) = range(&overhead);
    let overhead_iqm = paired_iqm(mac, hand, |m, h| (m / h - 1.0) * 100.0);
    let overhead_iqm_ns = paired_iqm(mac, hand, |m, h| m - h);
    let chain_vs_direct = paired(chain, direct, |c, d| c - d);
    let chain_vs_direct_pct = paired(chain, direct, |c, d| (c / d - 1.0) * 100.0);
    let chain_vs_direct_iqm = paired_iqm(chain, direct, |c, d| c - d);
    let chain_vs_u64 = paired(chain, mac, |c, m| c - m);

    let rounds = format!(
        "median of {} interleaved rounds × {} asks",
        cfg.dispatch_rounds,
        group_thousands(cfg.dispatch_asks as f64)
    );
    let med = |v: &Variant| median(&v.medians);
    let p99 = |v: &Variant| median(&v.p99s);
    Ok(vec![
        Figure::new("`#[actor]` echo (u64 = 4th of 5 `#[handler]`s), ask median", med(mac), Unit::Nanos)
            .detail(rounds.clone()),
        Figure::new("`#[actor]` echo, ask p99", p99(mac), Unit::Nanos).detail("median of per-round p99s"),
        Figure::new("hand-written echo (`downcast_ref` chain, same 5 types), ask median", med(hand), Unit::Nanos)
            .detail(rounds.clone()),
        Figure::new("hand-written echo, ask p99", p99(hand), Unit::Nanos).detail("median of per-round p99s"),
        Figure::new("`#[actor]` routing overhead over hand-written (ask median)", median(&overhead), Unit::Percent)
            .target(Target::AtMost(MACRO_OVERHEAD_TARGET_PERCENT))
            .detail(format!(
                "{:+.0} ns; median of the per-round differences, which ranged {lo:+.1} … {hi:+.1} %; \
                 interquartile means: {:+.1} ns, {:+.1} %",
                median(&overhead_ns),
                median(&overhead_iqm_ns),
                median(&overhead_iqm)
            )),
        Figure::new(
            "3-link chain (`Hop` handled at its 2nd family link, after a `Super`), ask median",
            med(chain),
            Unit::Nanos,
        )
        .detail(format!(
            "{:+.0} ns ({:+.1} %; interquartile means {:+.1} ns) over the same message routed by its own \
             type; {:+.0} ns over the u64 echo",
            median(&chain_vs_direct),
            median(&chain_vs_direct_pct),
            median(&chain_vs_direct_iqm),
            median(&chain_vs_u64)
        )),
        Figure::new("same `Hop` by its own type (`#[handler(Hop)]`, link 1), ask median", med(direct), Unit::Nanos)
            .detail(rounds),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(interquartile_mean(&[]), 0.0);
        assert_eq!(interquartile_mean(&[5]), 5.0);
        assert_eq!(interquartile_mean(&[1, 2, 4, 100]), 3.0);
    }

    #[test]
    fn every_route_answers_correctly() {
        let asys = ActorSystem::builder().logging(Logging::Off).build().expect("a simple system starts");
        let mac = asys.create_actor::<MacroEcho>().expect("macro echo");
        let hand = asys.create_actor::<HandEcho>().expect("hand echo");
        check_equivalent(&asys, &mac, &hand).expect("both echoes answer alike");
        let chain = asys.create_actor::<ChainTop>().expect("chain");
        let direct = asys.create_actor::<DirectHop>().expect("direct");
        for target in [&chain, &direct] {
            let got = asys.ask_as::<u64>(target, Hop::new(41), ASK_TIMEOUT).expect("ask");
            assert_eq!(got, Some(42));
        }
    }

    #[test]
    fn a_skipped_super_handler_is_a_wrong_answer() {
        let asys = ActorSystem::builder().logging(Logging::Off).build().expect("a simple system starts");
        // `ChainBase` alone answers without the hop `ChainTop` records before deferring.
        let mut v = Variant::new("base alone", asys.create_actor::<ChainBase>().expect("base"), true);
        let err = v.ask(&asys).expect_err("no hop was recorded");
        assert!(err.to_string().contains("base alone"), "{err}");
    }
}
