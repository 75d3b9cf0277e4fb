//! `thespian-bench`: measures the thespian actor framework and prints a Markdown table of
//! figures against their targets.
//!
//! ```text
//! cargo run --release -p thespian-bench             # the full run (README figures)
//! cargo run --release -p thespian-bench -- --quick  # a smoke run, a few seconds
//! cargo run --release -p thespian-bench -- --only ask,tell
//! cargo run --release -p thespian-bench -- --base multiprocTCPBase   # actors in processes
//! cargo run --release -p thespian-bench -- --base multiprocQueueBase # the same on Unix sockets
//! cargo run --release -p thespian-bench -- --base multiprocUDPBase   # the same over UDP datagrams
//! ```
//!
//! The table goes to stdout; progress goes to stderr. A benchmark that finds a wrong
//! result (a lost message, a wrong count) stops the program with exit status 1.
//!
//! To add a benchmark, write a `fn(&Config) -> Result<Vec<Figure>, BenchError>` and list
//! it in a `BENCHES` table (one module per system base or subject); [`benches_of`] joins
//! a base's tables into the order of the printed table.
//!
//! On a multi-process base every actor runs in a process started from this program's own
//! binary, so `main` calls `thespian::init()` first.

mod actors;
mod dispatch;
mod measure;
mod multiproc_base;
mod report;
mod simple_base;
mod troupe;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use multiproc_base::{Multiproc, MultiprocConfig};
use report::{group_thousands, markdown_table, Figure};

/// What a benchmark reports when it cannot run or finds a wrong result.
pub(crate) type BenchError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One benchmark: a short name (for `--only`), a description, and the function that runs
/// it and returns its rows of the table.
pub(crate) struct Bench {
    /// Name used by `--only`.
    pub(crate) name: &'static str,
    /// One line for `--help`.
    pub(crate) about: &'static str,
    /// Runs the benchmark.
    pub(crate) run: fn(&Config) -> Result<Vec<Figure>, BenchError>,
}

/// Sizes of the runs: [`Config::full`] for the README figures, [`Config::quick`] for CI.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Untimed asks before the timed ones.
    pub(crate) ask_warmup: u64,
    /// Timed asks.
    pub(crate) asks: u64,
    /// Untimed tells before the timed ones.
    pub(crate) tell_warmup: u64,
    /// Timed tells.
    pub(crate) tells: u64,
    /// Idle actors created (and kept) for the creation time and memory figures.
    pub(crate) idle_actors: u64,
    /// Senders in the fan-in benchmark.
    pub(crate) fan_in_senders: u64,
    /// Messages each fan-in sender sends.
    pub(crate) fan_in_per_sender: u64,
    /// Interleaved rounds of the dispatch benchmark (each variant once per round).
    pub(crate) dispatch_rounds: u64,
    /// Timed asks per variant and round in the dispatch benchmark.
    pub(crate) dispatch_asks: u64,
    /// Interleaved rounds of each part of the troupe benchmark (each variant once per round).
    pub(crate) troupe_rounds: u64,
    /// One-shot jobs per variant and round in the troupe benchmark.
    pub(crate) troupe_jobs: u64,
    /// Multi-step (1 ms) jobs per variant and round in the troupe benchmark.
    pub(crate) troupe_wait_jobs: u64,
    /// The counts of the benchmarks of the multi-process bases (the same on each).
    pub(crate) multiproc: MultiprocConfig,
}

impl Config {
    /// The full run.
    fn full() -> Self {
        Self {
            ask_warmup: 20_000,
            asks: 200_000,
            tell_warmup: 200_000,
            tells: 2_000_000,
            idle_actors: 100_000,
            fan_in_senders: 1_000,
            fan_in_per_sender: 1_000,
            dispatch_rounds: 24,
            dispatch_asks: 20_000,
            troupe_rounds: 12,
            troupe_jobs: 20_000,
            troupe_wait_jobs: 100,
            multiproc: MultiprocConfig::full(),
        }
    }

    /// A smoke run: every benchmark and check, with small counts (well under 10 s).
    fn quick() -> Self {
        Self {
            ask_warmup: 1_000,
            asks: 10_000,
            tell_warmup: 10_000,
            tells: 100_000,
            idle_actors: 10_000,
            fan_in_senders: 100,
            fan_in_per_sender: 100,
            dispatch_rounds: 4,
            dispatch_asks: 1_000,
            troupe_rounds: 4,
            troupe_jobs: 2_000,
            troupe_wait_jobs: 20,
            multiproc: MultiprocConfig::quick(),
        }
    }

    /// The counts of `base`'s benchmarks as one line, printed under the table.
    fn describe(&self, base: Base) -> String {
        if let Base::Multiproc(base) = base {
            return self.multiproc.describe(base);
        }
        let g = |n: u64| group_thousands(n as f64);
        format!(
            "asks {} (warm-up {}), tells {} (warm-up {}), idle actors {}, fan-in {} × {}, dispatch {} rounds × {} asks × 4 variants, \
             troupe {} rounds × ({} one-shot + {} multi-step jobs) × 2 variants",
            g(self.asks),
            g(self.ask_warmup),
            g(self.tells),
            g(self.tell_warmup),
            g(self.idle_actors),
            g(self.fan_in_senders),
            g(self.fan_in_per_sender),
            g(self.dispatch_rounds),
            g(self.dispatch_asks),
            g(self.troupe_rounds),
            g(self.troupe_jobs),
            g(self.troupe_wait_jobs)
        )
    }
}

/// The system base a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// `simpleSystemBase`: every actor in the calling thread.
    Simple,
    /// A multi-process base: every actor in a process of its own.
    Multiproc(Multiproc),
}

impl Base {
    /// Every base this program measures.
    const ALL: [Base; 4] = [
        Base::Simple,
        Base::Multiproc(Multiproc::Queue),
        Base::Multiproc(Multiproc::Tcp),
        Base::Multiproc(Multiproc::Udp),
    ];

    /// The base's spec name, as `--base` takes it.
    fn name(self) -> &'static str {
        match self {
            Self::Simple => "simpleSystemBase",
            Self::Multiproc(base) => base.name(),
        }
    }
}

/// The benchmarks of `base`, in table order.
fn benches_of(base: Base) -> Vec<&'static Bench> {
    match base {
        Base::Simple => simple_base::BENCHES.iter().chain(dispatch::BENCHES).chain(troupe::BENCHES).collect(),
        Base::Multiproc(base) => base.benches().iter().collect(),
    }
}

/// The command line.
struct Args {
    quick: bool,
    only: Option<Vec<String>>,
    base: Base,
}

fn usage() -> String {
    let mut text = String::from(
        "usage: thespian-bench [--quick] [--base NAME] [--only NAME[,NAME...]]\n\n  \
         --quick   small counts, for a smoke run (CI)\n  \
         --base    the system base to measure: simpleSystemBase (the default), multiprocQueueBase,\n            \
         multiprocTCPBase or multiprocUDPBase\n  \
         --only    run only the named benchmarks of that base\n  \
         --help    this text\n",
    );
    for base in Base::ALL {
        text.push_str(&format!("\nbenchmarks of {}:\n", base.name()));
        for b in benches_of(base) {
            text.push_str(&format!("  {:<12}  {}\n", b.name, b.about));
        }
    }
    text
}

/// Parses the arguments; `Err` carries the text to print and the exit status.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, (String, u8)> {
    let mut parsed = Args { quick: false, only: None, base: Base::Simple };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => parsed.quick = true,
            "--only" => {
                let list = args.next().ok_or_else(|| (format!("--only needs a list of names\n\n{}", usage()), 2))?;
                parsed.only = Some(list.split(',').map(str::to_string).collect());
            }
            "--base" => {
                let name = args.next().ok_or_else(|| (format!("--base needs a base name\n\n{}", usage()), 2))?;
                parsed.base = Base::ALL.into_iter().find(|b| b.name() == name).ok_or_else(|| {
                    let known: Vec<&str> = Base::ALL.iter().map(|b| b.name()).collect();
                    (format!("unknown base `{name}`; known: {}", known.join(", ")), 2)
                })?;
            }
            "-h" | "--help" => return Err((usage(), 0)),
            other => return Err((format!("unknown argument `{other}`\n\n{}", usage()), 2)),
        }
    }
    if let Some(only) = &parsed.only {
        let known: Vec<&str> = benches_of(parsed.base).iter().map(|b| b.name).collect();
        if let Some(bad) = only.iter().find(|n| !known.contains(&n.as_str())) {
            let base = parsed.base.name();
            return Err((format!("unknown benchmark `{bad}` on {base}; known: {}", known.join(", ")), 2));
        }
    }
    Ok(parsed)
}

/// Waits until every process this program started has ended (and been reaped), for at most
/// `within`.
///
/// # Errors
///
/// Names the processes still there after `within`.
fn all_processes_gone(within: Duration) -> Result<(), BenchError> {
    let deadline = Instant::now() + within;
    loop {
        let left = measure::descendants(std::process::id())?;
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("processes started by the benchmark are still there after {within:?}: {left:?}").into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn main() -> ExitCode {
    // First: in an actor process (this binary in a child role) this does not return.
    thespian::init();
    // A raw echo process of the multi-process ask benchmark: this binary, started again.
    if multiproc_base::run_echo_process() {
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err((text, 0)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err((text, code)) => {
            eprintln!("{text}");
            return ExitCode::from(code);
        }
    };
    let config = if args.quick { Config::quick() } else { Config::full() };
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p thespian-bench` for real figures");
    }
    let mut figures = Vec::new();
    for bench in benches_of(args.base) {
        if args.only.as_ref().is_some_and(|only| !only.iter().any(|n| n == bench.name)) {
            continue;
        }
        eprint!("running {:<12} ({}) ... ", bench.name, bench.about);
        let start = Instant::now();
        match (bench.run)(&config) {
            Ok(rows) => {
                eprintln!("{:.1} s", start.elapsed().as_secs_f64());
                figures.extend(rows);
            }
            Err(e) => {
                eprintln!("FAILED");
                eprintln!("benchmark `{}` failed: {e}", bench.name);
                return ExitCode::FAILURE;
            }
        }
    }
    // Every system was shut down; its admin, zygote and actor processes must be gone too.
    if let Err(e) = all_processes_gone(Duration::from_secs(5)) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    println!("{}", markdown_table(&figures));
    println!(
        "Base: {}. Mode: {}. Counts: {}.",
        args.base.name(),
        if args.quick { "quick" } else { "full" },
        config.describe(args.base)
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use report::Unit;

    fn args(list: &[&str]) -> Result<Args, (String, u8)> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn command_line() {
        assert!(!args(&[]).expect("no arguments is valid").quick);
        assert!(args(&["--quick"]).expect("--quick is valid").quick);
        let only = args(&["--only", "ask,tell"]).expect("known names").only;
        assert_eq!(only, Some(vec!["ask".to_string(), "tell".to_string()]));
        assert_eq!(args(&["--only", "nope"]).err().map(|e| e.1), Some(2));
        assert_eq!(args(&["--bogus"]).err().map(|e| e.1), Some(2));
        assert_eq!(args(&["--help"]).err().map(|e| e.1), Some(0));
        assert_eq!(args(&[]).expect("no arguments is valid").base, Base::Simple);
        let tcp = args(&["--only", "tcp-ask", "--base", "multiprocTCPBase"]).expect("a TCP benchmark on the TCP base");
        assert_eq!(tcp.base, Base::Multiproc(Multiproc::Tcp));
        let queue = args(&["--base", "multiprocQueueBase", "--only", "queue-ask"]).expect("a Queue benchmark");
        assert_eq!(queue.base, Base::Multiproc(Multiproc::Queue));
        let udp = args(&["--base", "multiprocUDPBase", "--only", "udp-big"]).expect("a UDP benchmark");
        assert_eq!(udp.base, Base::Multiproc(Multiproc::Udp));
        assert_eq!(args(&["--base", "multiprocQueueBase", "--only", "tcp-ask"]).err().map(|e| e.1), Some(2));
        assert_eq!(args(&["--base", "multiprocTCPBase", "--only", "ask"]).err().map(|e| e.1), Some(2));
        assert_eq!(args(&["--base", "nope"]).err().map(|e| e.1), Some(2));
        assert_eq!(args(&["--base"]).err().map(|e| e.1), Some(2));
    }

    /// Counts small enough for a unit test, and still above every check's minimum.
    fn tiny() -> Config {
        Config {
            ask_warmup: 5,
            asks: 50,
            tell_warmup: 5,
            tells: 50,
            idle_actors: 20,
            fan_in_senders: 4,
            fan_in_per_sender: 6,
            dispatch_rounds: 2,
            dispatch_asks: 10,
            troupe_rounds: 2,
            troupe_jobs: 30,
            troupe_wait_jobs: 12,
            multiproc: MultiprocConfig {
                ask_warmup: 5,
                asks: 50,
                ask_rounds: 2,
                tells: 1_000,
                tell_warmup: 10,
                creates: 3,
                idle_actors: 2,
                big_trips: 1,
                systems: 1,
            },
        }
    }

    /// Runs every benchmark of `base` at the [`tiny`] size and checks its figures are sane.
    fn every_bench_of(base: Base) {
        let tiny = tiny();
        for bench in benches_of(base) {
            let rows = (bench.run)(&tiny).unwrap_or_else(|e| panic!("benchmark `{}` failed: {e}", bench.name));
            assert!(!rows.is_empty(), "benchmark `{}` reported nothing", bench.name);
            // A relative difference may be negative (macro routing can come out faster than the
            // hand-written chain in a noisy round); every other figure is a size, a time or a rate.
            let sane = |f: &Figure| f.value.is_finite() && (f.unit == Unit::Percent || f.value >= 0.0);
            assert!(rows.iter().all(sane), "{}: {rows:?}", bench.name);
        }
    }

    #[test]
    fn every_bench_runs_and_checks_at_a_tiny_size() {
        every_bench_of(Base::Simple);
    }

    #[test]
    fn every_queue_bench_runs_and_checks_at_a_tiny_size() {
        every_bench_of(Base::Multiproc(Multiproc::Queue));
    }

    #[test]
    fn every_tcp_bench_runs_and_checks_at_a_tiny_size() {
        every_bench_of(Base::Multiproc(Multiproc::Tcp));
    }

    #[test]
    fn every_udp_bench_runs_and_checks_at_a_tiny_size() {
        every_bench_of(Base::Multiproc(Multiproc::Udp));
    }

    #[test]
    fn bench_names_are_unique() {
        for base in Base::ALL {
            let mut names: Vec<&str> = benches_of(base).iter().map(|b| b.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), benches_of(base).len(), "{}", base.name());
        }
    }
}
