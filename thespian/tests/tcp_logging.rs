//! Spec §4.13, §4.13.1 on multiprocTCPBase: what an actor logs in its own process reaches
//! the admin, which writes it where the builder's `logging` says, with the actor's address;
//! Thespian's internals go to the file `THESPLOG_FILE` names.
//!
//! A test that needs a process's environment or standard error runs this test binary again
//! in a child process ([`logging_child_process`]), so that no test sets a variable of this
//! (multi-threaded) process.
#![cfg(target_os = "linux")]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{answer, Failure, TestResult};
use thespian::prelude::*;

/// Logs the text it is sent as a warning, and again at debug, then answers `"logged"`.
#[derive(Default)]
struct Warner;

#[actor]
impl Warner {
    #[handler(String)]
    fn warn(&mut self, text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        tracing::warn!(pid = std::process::id(), "warning {text}");
        tracing::debug!("debug {text}");
        ctx.send(sender, "logged".to_string());
    }
}
thespian::register_actor!(Warner);

/// A text no other test logs.
fn unique(what: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{what}-{}-{nanos}", std::process::id())
}

/// A file of this test in the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(unique(&format!("thespian-tcp-logging-{name}")));
        Self(path)
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.0).unwrap_or_default()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Starts a TCP system with `logging`, has a [`Warner`] in its own process log `text`, and
/// returns the actor's address once the admin has written what the actor logged: the actor
/// answers after logging, and the admin writes its events before it routes what it sent
/// after them.
fn warn_in_an_actor_process(logging: Logging, text: &str) -> Result<ActorAddress, Failure> {
    let asys = common::builder("multiprocTCPBase").logging(logging).build()?;
    let warner = asys.create_actor::<Warner>()?;
    let reply: String = answer(&asys, &warner, text.to_string())?;
    assert_eq!(reply, "logged");
    asys.shutdown()?;
    Ok(warner)
}

#[test]
fn spec_4_13_an_actor_process_warning_reaches_the_admin_log_with_its_address() -> TestResult {
    let log = TempFile::new("file.log");
    let text = unique("file");
    let logging = Logging::File { path: log.0.clone(), filter: "warn".to_string() };
    let warner = warn_in_an_actor_process(logging, &text)?;
    let written = log.text();
    let line = written.lines().find(|l| l.contains(&format!("warning {text}")));
    let line = line.ok_or_else(|| format!("the warning is not in the admin's log:\n{written}"))?;
    assert!(line.contains(&format!("actor_address={warner}")), "the line names the actor: {line}");
    assert!(line.contains("WARN"), "{line}");
    assert!(!line.contains(&format!("pid={}", std::process::id())), "logged in the actor's own process: {line}");
    assert!(!written.contains(&format!("debug {text}")), "the filter holds debug events back:\n{written}");
    Ok(())
}

// ----- in a child process ------------------------------------------------------------------

/// Makes [`logging_child_process`] run a system with this logging: `off` or `filter=<f>`.
const MODE: &str = "THESPIAN_TEST_TCP_LOGGING_MODE";
/// The text the child's actor logs.
const TEXT: &str = "THESPIAN_TEST_TCP_LOGGING_TEXT";

/// The child process's side: starts a system whose admin writes to this process's standard
/// error (it is no daemon), and reports the actor's address on standard output. Ignored in a
/// normal run, where it has nothing to do.
#[test]
#[ignore = "run in a child process by the spec_4_13_* tests"]
fn logging_child_process() -> TestResult {
    let (Ok(mode), Ok(text)) = (std::env::var(MODE), std::env::var(TEXT)) else {
        return Ok(()); // run by hand rather than by a parent test
    };
    let logging = match mode.strip_prefix("filter=") {
        Some(filter) => Logging::Filter(filter.to_string()),
        None => Logging::Off,
    };
    let warner = warn_in_an_actor_process(logging, &text)?;
    // On a line of its own: libtest has written the test's name without ending its line.
    println!("\nactor={warner}");
    Ok(())
}

/// What a child process reported and its admin wrote to standard error.
struct Child {
    actor: String,
    stderr: String,
}

/// Runs [`logging_child_process`] in `mode`, its actor logging `text`, with `env` set.
fn run_child(mode: &str, text: &str, env: &[(&str, &std::ffi::OsStr)]) -> Result<Child, Failure> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .args(["logging_child_process", "--exact", "--include-ignored", "--nocapture", "--test-threads=1"])
        .env(MODE, mode)
        .env(TEXT, text)
        .env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    // Waits for every writer of the child's output: its admin and actor processes too.
    let output = command.output()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() || !stdout.contains("1 passed") {
        return Err(format!("the {mode} child failed:\n{stdout}\n{stderr}").into());
    }
    let actor = stdout.lines().find_map(|l| l.strip_prefix("actor=")).ok_or("no actor address")?;
    Ok(Child { actor: actor.to_string(), stderr })
}

#[test]
fn spec_4_13_an_admin_writes_actor_warnings_to_its_standard_error_with_a_filter() -> TestResult {
    let text = unique("filter");
    let child = run_child("filter=warn", &text, &[])?;
    let line = child.stderr.lines().find(|l| l.contains(&format!("warning {text}")));
    let line = line.ok_or_else(|| format!("the warning is not on standard error:\n{}", child.stderr))?;
    assert!(line.contains(&format!("actor_address={}", child.actor)), "{line}");
    assert!(!child.stderr.contains(&format!("debug {text}")), "{}", child.stderr);
    Ok(())
}

#[test]
fn spec_4_13_logging_off_forwards_nothing() -> TestResult {
    let text = unique("off");
    let child = run_child("off", &text, &[])?;
    assert!(!child.stderr.contains(&text), "Logging::Off wrote the actor's events:\n{}", child.stderr);
    assert!(!child.stderr.contains("actor_address="), "{}", child.stderr);
    Ok(())
}

#[test]
fn spec_4_13_1_internals_go_to_thesplog_file_from_thesplog_threshold() -> TestResult {
    let internals = TempFile::new("internals.log");
    let text = unique("internals");
    let env = [("THESPLOG_FILE", internals.0.as_os_str()), ("THESPLOG_THRESHOLD", "DEBUG".as_ref())];
    let child = run_child("filter=debug", &text, &env)?;
    let written = internals.text();
    // The admin logs each connection at debug.
    assert!(written.contains("a program connected"), "the admin's internals at DEBUG:\n{written}");
    assert!(written.contains("DEBUG"), "{written}");
    assert!(!written.contains(&text), "an actor's events are not internals:\n{written}");
    assert!(child.stderr.contains(&format!("warning {text}")), "they go to the admin's log:\n{}", child.stderr);
    assert!(!child.stderr.contains("a program connected"), "internals are not there:\n{}", child.stderr);
    let mut old = internals.0.clone().into_os_string();
    old.push(".old");
    let _ = std::fs::remove_file(old);
    Ok(())
}
