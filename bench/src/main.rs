//! `thespian-bench`: measures the thespian actor framework and prints a Markdown table of
//! figures against their targets.
//!
//! ```text
//! cargo run --release -p thespian-bench             # the full run (README figures)
//! cargo run --release -p thespian-bench -- --quick  # a smoke run, a few seconds
//! cargo run --release -p thespian-bench -- --only ask,tell
//! ```
//!
//! The table goes to stdout; progress goes to stderr. A benchmark that finds a wrong
//! result (a lost message, a wrong count) stops the program with exit status 1.
//!
//! To add a benchmark, write a `fn(&Config) -> Result<Vec<Figure>, BenchError>` and list
//! it in a `BENCHES` table (one module per system base or subject); [`all_benches`] joins
//! those tables into the order of the printed table.

mod actors;
mod dispatch;
mod measure;
mod report;
mod simple_base;
mod troupe;

use std::process::ExitCode;
use std::time::Instant;

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
        }
    }

    /// The counts as one line, printed under the table.
    fn describe(&self) -> String {
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

/// Every benchmark, in table order.
fn all_benches() -> Vec<&'static Bench> {
    simple_base::BENCHES.iter().chain(dispatch::BENCHES).chain(troupe::BENCHES).collect()
}

/// The command line.
struct Args {
    quick: bool,
    only: Option<Vec<String>>,
}

fn usage() -> String {
    let mut text = String::from(
        "usage: thespian-bench [--quick] [--only NAME[,NAME...]]\n\n  \
         --quick   small counts, for a smoke run (CI)\n  \
         --only    run only the named benchmarks\n  \
         --help    this text\n\nbenchmarks:\n",
    );
    for b in all_benches() {
        text.push_str(&format!("  {:<8}  {}\n", b.name, b.about));
    }
    text
}

/// Parses the arguments; `Err` carries the text to print and the exit status.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, (String, u8)> {
    let mut parsed = Args { quick: false, only: None };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => parsed.quick = true,
            "--only" => {
                let list = args.next().ok_or_else(|| (format!("--only needs a list of names\n\n{}", usage()), 2))?;
                parsed.only = Some(list.split(',').map(str::to_string).collect());
            }
            "-h" | "--help" => return Err((usage(), 0)),
            other => return Err((format!("unknown argument `{other}`\n\n{}", usage()), 2)),
        }
    }
    if let Some(only) = &parsed.only {
        let known: Vec<&str> = all_benches().iter().map(|b| b.name).collect();
        if let Some(bad) = only.iter().find(|n| !known.contains(&n.as_str())) {
            return Err((format!("unknown benchmark `{bad}`; known: {}", known.join(", ")), 2));
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
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
    for bench in all_benches() {
        if args.only.as_ref().is_some_and(|only| !only.iter().any(|n| n == bench.name)) {
            continue;
        }
        eprint!("running {:<8} ({}) ... ", bench.name, bench.about);
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
    println!("{}", markdown_table(&figures));
    println!(
        "Base: simpleSystemBase. Mode: {}. Counts: {}.",
        if args.quick { "quick" } else { "full" },
        config.describe()
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
    }

    #[test]
    fn every_bench_runs_and_checks_at_a_tiny_size() {
        let tiny = Config {
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
        };
        for bench in all_benches() {
            let rows = (bench.run)(&tiny).unwrap_or_else(|e| panic!("benchmark `{}` failed: {e}", bench.name));
            assert!(!rows.is_empty(), "benchmark `{}` reported nothing", bench.name);
            // A relative difference may be negative (macro routing can come out faster than the
            // hand-written chain in a noisy round); every other figure is a size, a time or a rate.
            let sane = |f: &Figure| f.value.is_finite() && (f.unit == Unit::Percent || f.value >= 0.0);
            assert!(rows.iter().all(sane), "{}: {rows:?}", bench.name);
        }
    }

    #[test]
    fn bench_names_are_unique() {
        let mut names: Vec<&str> = all_benches().iter().map(|b| b.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all_benches().len());
    }
}
