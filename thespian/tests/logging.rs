//! Spec §4.13 (logging): the core logs with `tracing`; failures at warn, dropped and
//! unrecognized messages at debug, each event carrying the actor's address. The builder's
//! `logging` (the spec's `logDefs`) installs a subscriber, or leaves the host's alone.
//!
//! The simple base runs actors in the calling thread, so a thread-local subscriber sees
//! every event of the system under test. A process has one global subscriber, so each test
//! of what a `Logging` mode installs runs in a child process: this test binary again,
//! running only [`logging_mode_child_process`].

mod common;

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Failure, TestResult, ANSWER};
use thespian::prelude::*;
use tracing_subscriber::fmt::MakeWriter;

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut all) = self.0.lock() {
            all.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[derive(Default)]
struct Fragile;

#[actor]
impl Fragile {
    #[handler(String)]
    fn on_text(&mut self, msg: &String) -> Result<(), String> {
        Err(format!("cannot handle {msg:?}"))
    }
}

/// A subscriber that writes every event up to DEBUG, without colours, into `captured`.
fn capturing(captured: &Captured) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish()
}

/// Runs `body`, returning what it logged as lines of `LEVEL target: message fields`.
fn logged(body: impl FnOnce() -> Result<(), ActorSystemError>) -> Result<String, ActorSystemError> {
    let (outcome, events) = common::logs::capture(body);
    outcome?;
    let lines: Vec<String> =
        events.iter().map(|e| format!("{} {}: {} {}", e.level, e.target, e.message, e.fields)).collect();
    Ok(lines.join("\n"))
}

#[test]
fn spec_4_13_failures_logged_at_warn_with_actor_address() -> Result<(), ActorSystemError> {
    let mut address = None;
    let text = logged(|| {
        let asys = ActorSystem::builder().logging(Logging::Off).build()?;
        let fragile = asys.create_actor::<Fragile>()?;
        address = Some(fragile.clone());
        let reply = asys.ask(&fragile, "boom".to_string(), Duration::from_secs(5))?;
        assert!(reply.is_some_and(|r| r.is::<PoisonMessage>()), "the asker gets the poison back");
        asys.shutdown()
    })?;
    let address = address.expect("the actor was created").to_string();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert!(warnings.len() >= 2, "one warning per failed attempt, got:\n{text}");
    assert!(warnings.iter().all(|l| l.contains(&format!("actor_address={address}"))), "{text}");
    assert!(warnings.iter().any(|l| l.contains("cannot handle")), "the failure text is logged:\n{text}");
    Ok(())
}

#[test]
fn spec_4_13_unrecognized_and_dead_letters_logged_at_debug() -> Result<(), ActorSystemError> {
    let text = logged(|| {
        let asys = ActorSystem::builder().logging(Logging::Off).build()?;
        let fragile = asys.create_actor::<Fragile>()?;
        asys.tell(&fragile, 7_u8)?; // no handler for u8
        asys.tell(&fragile, ActorExitRequest::new())?;
        asys.tell(&fragile, 8_u8)?; // to an exited actor, no dead-letter handler
        asys.shutdown()
    })?;
    let debug: Vec<&str> = text.lines().filter(|l| l.contains("DEBUG")).collect();
    assert!(
        debug.iter().any(|l| l.contains("no handler for the message") && l.contains("actor_address=")),
        "unrecognized message logged at debug with the actor's address:\n{text}"
    );
    assert!(
        debug.iter().any(|l| l.contains("dead letter dropped") && l.contains("dead_address=")),
        "dropped dead letter logged at debug:\n{text}"
    );
    assert!(!text.lines().any(|l| l.contains("WARN")), "nothing here is a warning:\n{text}");
    Ok(())
}

/// Counts in `i64`.
#[derive(Default)]
struct WideCounter {
    total: i64,
}

#[actor]
impl WideCounter {
    #[handler(i64)]
    fn add(&mut self, msg: &i64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.total += msg;
        ctx.send(sender, self.total);
    }
}

#[test]
fn spec_4_13_dropped_number_of_another_width_warns_once_naming_the_fix() -> Result<(), ActorSystemError> {
    let text = logged(|| {
        let asys = ActorSystem::builder().logging(Logging::Off).build()?;
        let counter = asys.create_actor::<WideCounter>()?;
        asys.tell(&counter, 5)?; // an `i32`: dropped, with a warning
        asys.tell(&counter, 6)?; // dropped again, without another warning
        asys.tell(&counter, true)?; // unrelated: dropped at debug only
        assert_eq!(asys.ask_as::<i64>(&counter, 1_i64, Duration::from_secs(5))?, Some(1));
        asys.shutdown()
    })?;
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "one warning for two dropped `i32`s:\n{text}");
    assert!(
        warnings[0].contains("`WideCounter` got an `i32` but handles `i64`") && warnings[0].contains("`5i64`"),
        "the warning names both types and the fix:\n{text}"
    );
    assert!(!warnings[0].contains("bool"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("DEBUG") && l.contains("message_type=\"bool\"")),
        "the unrelated message is dropped at debug:\n{text}"
    );
    Ok(())
}

// ----- what each `Logging` mode installs ----------------------------------------------------

/// The environment variable that makes [`logging_mode_child_process`] run a mode: `default`,
/// `off`, `filter=<filter>`, or `host` (a subscriber installed by the program first).
const MODE: &str = "THESPIAN_TEST_LOGGING_MODE";

/// Starts a system with `logging`, makes it log a warning (a handler that fails) and a debug
/// event (a message without a handler), and returns the address those events carry.
fn log_events(logging: Logging) -> Result<ActorAddress, Failure> {
    let asys = ActorSystem::builder().logging(logging).build()?;
    let fragile = asys.create_actor::<Fragile>()?;
    let reply = asys.ask(&fragile, "boom".to_string(), ANSWER)?;
    assert!(reply.is_some_and(|r| r.is::<PoisonMessage>()), "the asker gets the poison back");
    asys.tell(&fragile, 7_u8)?; // no handler for u8
    asys.shutdown()?;
    Ok(fragile)
}

/// True if `text` has a line at `level` about the actor at `address` that contains `what`.
fn has_event(text: &str, level: &str, address: &str, what: &str) -> bool {
    let field = format!("actor_address={address}");
    text.lines().any(|l| l.contains(level) && l.contains(&field) && l.contains(what))
}

/// The warning [`log_events`] causes.
const WARNING: (&str, &str) = ("WARN", "cannot handle");

/// The debug event [`log_events`] causes.
const DEBUG: (&str, &str) = ("DEBUG", "no handler for the message");

/// The child process's side: runs the mode named by [`MODE`], reporting on standard output
/// (`subscriber=<installed>`, `actor=<address>`); what the mode's subscriber writes goes to
/// standard error. Ignored in a normal run, where it has nothing to do.
#[test]
#[ignore = "run in a child process by the spec_4_13_logging_* tests"]
fn logging_mode_child_process() -> TestResult {
    let Ok(mode) = std::env::var(MODE) else {
        return Ok(()); // run by hand (`--include-ignored`) rather than by a parent test
    };
    if mode == "host" {
        // The program installed its own subscriber: no mode replaces it or fails over it.
        let captured = Captured::default();
        tracing::subscriber::set_global_default(capturing(&captured))?;
        for logging in [Logging::Off, Logging::Default, Logging::Filter("off".to_string())] {
            let actor = log_events(logging.clone())?.to_string();
            let text = captured.text();
            for (level, what) in [WARNING, DEBUG] {
                assert!(
                    has_event(&text, level, &actor, what),
                    "{logging:?}: the host's subscriber missed a {level} event:\n{text}"
                );
            }
            println!("host saw the events with {logging:?}");
        }
        return Ok(());
    }
    let logging = match mode.as_str() {
        "default" => Logging::Default,
        "off" => Logging::Off,
        other => Logging::Filter(other.strip_prefix("filter=").ok_or("unknown mode")?.to_string()),
    };
    assert!(!tracing::dispatcher::has_been_set(), "no subscriber before the system starts");
    let actor = log_events(logging)?;
    // On lines of their own: libtest has written the test's name without ending its line.
    println!("\nsubscriber={}", tracing::dispatcher::has_been_set());
    println!("actor={actor}");
    Ok(())
}

/// What a child process running one mode reported and logged.
struct Child {
    stdout: String,
    stderr: String,
}

impl Child {
    /// Runs [`logging_mode_child_process`] in `mode`, with `RUST_LOG` set to `rust_log` or unset.
    fn run(mode: &str, rust_log: Option<&str>) -> Result<Self, Failure> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .args(["logging_mode_child_process", "--exact", "--include-ignored", "--nocapture", "--test-threads=1"])
            .env(MODE, mode);
        match rust_log {
            Some(filter) => command.env("RUST_LOG", filter),
            None => command.env_remove("RUST_LOG"),
        };
        let output = command.output()?;
        let child = Self {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        if !output.status.success() || !child.stdout.contains("1 passed") {
            return Err(format!("the {mode} child failed:\n{}\n{}", child.stdout, child.stderr).into());
        }
        Ok(child)
    }

    /// The value the child reported for `key`.
    fn reported(&self, key: &str) -> Result<&str, Failure> {
        let prefix = format!("{key}=");
        let value = self.stdout.lines().find_map(|l| l.strip_prefix(&prefix));
        value.ok_or_else(|| format!("the child did not report {key}:\n{}", self.stdout).into())
    }

    /// Whether the mode installed a subscriber.
    fn installed(&self) -> Result<bool, Failure> {
        Ok(self.reported("subscriber")?.parse()?)
    }

    /// Whether the child's standard error has the event [`log_events`] caused at this level.
    fn logged(&self, (level, what): (&str, &str)) -> Result<bool, Failure> {
        Ok(has_event(&self.stderr, level, self.reported("actor")?, what))
    }
}

#[test]
fn spec_4_13_logging_default_installs_a_subscriber_printing_warnings() -> TestResult {
    let child = Child::run("default", None)?;
    assert!(child.installed()?, "Logging::Default installs a subscriber");
    assert!(child.logged(WARNING)?, "warnings are printed to standard error:\n{}", child.stderr);
    assert!(!child.logged(DEBUG)?, "debug events are not printed by default:\n{}", child.stderr);
    Ok(())
}

#[test]
fn spec_4_13_logging_default_follows_rust_log() -> TestResult {
    let child = Child::run("default", Some("debug"))?;
    assert!(child.installed()?);
    assert!(child.logged(DEBUG)?, "RUST_LOG=debug lets debug events through:\n{}", child.stderr);
    assert!(child.logged(WARNING)?, "{}", child.stderr);
    Ok(())
}

#[test]
fn spec_4_13_logging_filter_installs_a_subscriber_with_that_filter() -> TestResult {
    // The filter given is used, whatever RUST_LOG says.
    let child = Child::run("filter=thespian=debug", Some("error"))?;
    assert!(child.installed()?, "Logging::Filter installs a subscriber");
    assert!(child.logged(DEBUG)?, "the filter lets debug events through:\n{}", child.stderr);
    assert!(child.logged(WARNING)?, "{}", child.stderr);
    let child = Child::run("filter=error", Some("debug"))?;
    assert!(child.installed()?);
    assert!(!child.logged(WARNING)?, "the filter holds warnings back:\n{}", child.stderr);
    assert!(!child.logged(DEBUG)?, "{}", child.stderr);
    Ok(())
}

#[test]
fn spec_4_13_logging_off_installs_nothing() -> TestResult {
    let child = Child::run("off", Some("debug"))?;
    assert!(!child.installed()?, "Logging::Off installs no subscriber");
    assert!(!child.logged(WARNING)? && !child.logged(DEBUG)?, "nothing is printed:\n{}", child.stderr);
    Ok(())
}

#[test]
fn spec_4_13_logging_leaves_a_host_subscriber_alone() -> TestResult {
    // The child checks that the host's subscriber gets every event in every mode; here,
    // that no mode added a subscriber of its own printing to standard error.
    let child = Child::run("host", Some("debug"))?;
    assert_eq!(child.stdout.matches("host saw the events with").count(), 3, "{}", child.stdout);
    assert!(!child.stderr.contains("actor_address="), "a mode printed events itself:\n{}", child.stderr);
    Ok(())
}

// ----- the actor span ----------------------------------------------------------------------

/// Logs while it is built and while it handles a message; a `String` also makes it create a
/// child of its own kind, send it a message, and answer with its address.
struct Chatty;

impl Default for Chatty {
    fn default() -> Self {
        tracing::warn!("chatty built");
        Self
    }
}

impl Actor for Chatty {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        tracing::warn!("chatty handling");
        if msg.is::<String>() {
            let child = ctx.create_actor::<Chatty>()?;
            ctx.send(&child, 1_u8);
            ctx.send(sender, child.to_string());
        }
        Ok(())
    }
}

#[test]
fn spec_4_13_events_logged_by_an_actor_carry_its_address() -> TestResult {
    let (outcome, events) = common::logs::capture(|| {
        let asys = ActorSystem::builder().logging(Logging::Off).build()?;
        let parent = asys.create_actor::<Chatty>()?;
        let child: Option<String> = asys.ask_as(&parent, "make a child".to_string(), ANSWER)?;
        tracing::warn!("outside any actor");
        asys.shutdown()?;
        Ok::<_, Failure>((parent.to_string(), child.ok_or("no child address")?))
    });
    let (parent, child) = outcome?;
    let addresses_of = |message: &str| -> Vec<Vec<String>> {
        events.iter().filter(|e| e.message == message).map(|e| e.actor_addresses.clone()).collect()
    };
    // Each event has its own actor's address only: the child's span is not nested in its
    // parent's, although the child was built inside the parent's handler.
    assert_eq!(addresses_of("chatty built"), vec![vec![parent.clone()], vec![child.clone()]], "constructors");
    let (p, c) = (vec![parent], vec![child]);
    // The string and the u8, then each one's exit request at shutdown.
    assert_eq!(addresses_of("chatty handling"), vec![p.clone(), c.clone(), p, c], "handlers");
    assert_eq!(addresses_of("outside any actor"), vec![Vec::<String>::new()]);
    Ok(())
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Chatty);
