//! The process model of DESIGN §3, under the multi-process bases (spec §9.3–§9.5: every actor
//! in its own process): this test binary is the "user's binary". It is started again as a
//! zygote by the role constructor, its registered entry points run in forked children, and
//! no process outlives its starter however the starter ends: dropped, panicking, killed.
//!
//! Every process a test learns of is watched through a pidfd from the moment it is known to
//! run, so a test awaits its end (never sleeps) and a failing test still kills it.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::procs::Watched;
use rustix::process::{pidfd_send_signal, Signal};
use thespian::__private::inventory;
use thespian::__private::process::{
    ChildEntry, ChildExit, ChildStatus, Zygote, EXIT_PANIC, EXIT_SETUP_FAILED, EXIT_UNKNOWN_ROLE, MAX_PAYLOAD,
};
use thespian::ActorSystemError;

type Error = Box<dyn std::error::Error>;
type TestResult = Result<(), Error>;

/// The most any process end is awaited: generous, for a loaded machine.
const BOUND: Duration = Duration::from_secs(10);

// ----- entry points the children run ------------------------------------------------------

/// Writes its payload back, then echoes what it reads until end of file.
fn echo(mut parent: UnixStream, payload: Vec<u8>) -> i32 {
    if parent.write_all(&payload).is_err() {
        return 1;
    }
    let mut buf = [0u8; 4096];
    loop {
        match parent.read(&mut buf) {
            Ok(0) => return 0,
            Ok(n) if parent.write_all(&buf[..n]).is_ok() => {}
            _ => return 1,
        }
    }
}

/// Exits at once with the code in its payload's first byte.
fn exit_with(_parent: UnixStream, payload: Vec<u8>) -> i32 {
    payload.first().map_or(0, |&code| i32::from(code))
}

/// Panics.
fn panics(_parent: UnixStream, _payload: Vec<u8>) -> i32 {
    panic!("deliberate child panic")
}

/// Keeps its socket and never ends by itself: only a signal ends it, so it shows which layer
/// of reaping works.
fn hang(parent: UnixStream, _payload: Vec<u8>) -> i32 {
    let _keep = parent;
    loop {
        std::thread::park();
    }
}

/// Reports what the child was given, one `key value...` line each: its descriptors and what
/// they are, its socket's number, whether the role variable is set, its signal masks.
fn report(mut parent: UnixStream, _payload: Vec<u8>) -> i32 {
    let mut text = format!("socket {}\n", parent.as_raw_fd());
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        for entry in dir.flatten() {
            let target = std::fs::read_link(entry.path()).map(|t| t.display().to_string()).unwrap_or_default();
            // The directory being read is a descriptor of its own.
            if !target.starts_with("/proc/") {
                text += &format!("fd {} {target}\n", entry.file_name().to_string_lossy());
            }
        }
    }
    text += &format!("role {}\n", std::env::var_os("THESPIAN_ROLE").is_some());
    for line in std::fs::read_to_string("/proc/self/status").unwrap_or_default().lines() {
        if let Some(mask) = line.strip_prefix("SigIgn:").or_else(|| line.strip_prefix("SigBlk:")) {
            text += &format!("{} {}\n", &line[..6], mask.trim());
        }
    }
    i32::from(parent.write_all(text.as_bytes()).is_err())
}

inventory::submit! { ChildEntry::new("test::echo", echo) }
inventory::submit! { ChildEntry::new("test::exit_with", exit_with) }
inventory::submit! { ChildEntry::new("test::panics", panics) }
inventory::submit! { ChildEntry::new("test::hang", hang) }
inventory::submit! { ChildEntry::new("test::report", report) }

/// Awaits the exit report of `pid`, skipping those of other children.
fn await_exit(exits: &Receiver<ChildExit>, pid: u32) -> Result<ChildStatus, Error> {
    let deadline = Instant::now() + BOUND;
    loop {
        match exits.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(exit) if exit.pid == pid => return Ok(exit.status),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return Err(format!("no exit reported for {pid}").into()),
            Err(RecvTimeoutError::Disconnected) => return Err("the zygote is gone".into()),
        }
    }
}

/// Whether `pid` is a zombie child of `parent` (an exit nobody reaped).
fn is_zombie_of(pid: u32, parent: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses: split after the last `)`.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    fields.first() == Some(&"Z") && fields.get(1) == Some(&parent.to_string().as_str())
}

fn start() -> Result<(Zygote, Receiver<ChildExit>), Error> {
    let zygote = Zygote::start()?;
    let exits = zygote.take_exits().ok_or("the exits were taken already")?;
    Ok((zygote, exits))
}

// ----- spawning ---------------------------------------------------------------------------

#[test]
fn spec_9_3_a_child_runs_its_entry_with_the_payload_and_its_socket() -> TestResult {
    let (zygote, exits) = start()?;
    let child = zygote.spawn("test::echo", b"payload")?;
    let mut socket = child.socket();
    let mut got = [0u8; 7];
    socket.read_exact(&mut got)?;
    assert_eq!(&got, b"payload");
    socket.write_all(b"ping")?;
    let mut got = [0u8; 4];
    socket.read_exact(&mut got)?;
    assert_eq!(&got, b"ping");
    // End of file on its socket ends the child; the zygote reaps it and says so.
    socket.shutdown(Shutdown::Write)?;
    assert_eq!(await_exit(&exits, child.pid())?, ChildStatus::Exited(0));
    assert!(!is_zombie_of(child.pid(), zygote.pid()), "the zygote reaps before it reports");
    assert!(zygote.take_exits().is_none(), "the exits are handed out once");
    Ok(())
}

#[test]
fn spec_9_3_a_childs_exit_code_is_reported() -> TestResult {
    let (zygote, exits) = start()?;
    let child = zygote.spawn("test::exit_with", &[7])?;
    assert_eq!(await_exit(&exits, child.pid())?, ChildStatus::Exited(7));
    Ok(())
}

#[test]
fn spec_9_3_an_unknown_entry_is_a_typed_error_and_starts_no_process() -> TestResult {
    let (zygote, _exits) = start()?;
    let err = zygote.spawn("test::nobody", b"").err().ok_or("an unknown entry spawned")?;
    match &err {
        ActorSystemError::InvalidActorSpecification { spec, reason } => {
            assert_eq!(spec, "test::nobody");
            assert!(reason.contains("no process entry named `test::nobody` is linked into this binary"), "{reason}");
        }
        other => return Err(format!("unexpected error {other}").into()),
    }
    // The zygote serves on.
    let child = zygote.spawn("test::echo", b"still here")?;
    let mut got = String::new();
    child.socket().shutdown(Shutdown::Write)?;
    child.into_socket().read_to_string(&mut got)?;
    assert_eq!(got, "still here");
    Ok(())
}

#[test]
fn spec_9_3_an_oversized_payload_is_a_typed_error_and_the_zygote_serves_on() -> TestResult {
    let (zygote, _exits) = start()?;
    let payload = vec![0; MAX_PAYLOAD + 1];
    let err = zygote.spawn("test::echo", &payload).err().ok_or("an oversized payload was sent")?;
    assert!(matches!(err, ActorSystemError::InvalidActorSpecification { .. }), "{err}");
    assert!(err.to_string().contains("exceeds the limit"), "{err}");
    let child = zygote.spawn("test::echo", b"ok")?;
    let mut got = [0u8; 2];
    child.socket().read_exact(&mut got)?;
    assert_eq!(&got, b"ok");
    Ok(())
}

#[test]
fn spec_9_3_spawn_works_from_several_threads_at_once() -> TestResult {
    let (zygote, _exits) = start()?;
    let pids = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let zygote = &zygote;
                scope.spawn(move || -> Result<Vec<u32>, String> {
                    (0..4)
                        .map(|i| {
                            let word = format!("thread {t} child {i}");
                            let child = zygote.spawn("test::echo", word.as_bytes()).map_err(|e| e.to_string())?;
                            let mut got = vec![0; word.len()];
                            child.socket().read_exact(&mut got).map_err(|e| e.to_string())?;
                            assert_eq!(got, word.as_bytes(), "each child got its own payload and socket");
                            Ok(child.pid())
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| "a worker panicked".to_string())?)
            .collect::<Result<Vec<Vec<u32>>, String>>()
    })?;
    let mut pids: Vec<u32> = pids.into_iter().flatten().collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 16, "sixteen distinct children");
    Ok(())
}

#[test]
fn spec_9_3_a_child_holds_only_its_socket_a_null_stdin_and_ignores_sigpipe() -> TestResult {
    let (zygote, _exits) = start()?;
    // A sibling, so a leaked descriptor of another child would show.
    let _sibling = zygote.spawn("test::hang", b"")?;
    let child = zygote.spawn("test::report", b"")?;
    let mut text = String::new();
    child.into_socket().read_to_string(&mut text)?;
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
    let socket = value("socket ").ok_or("no socket line")?;
    let mut fds: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("fd ")?.split_once(' '))
        .filter(|(fd, _)| *fd != "1" && *fd != "2")
        .collect();
    fds.sort_unstable();
    assert_eq!(fds.len(), 2, "stdin and the socket, nothing else: {text}");
    assert_eq!(fds[0], ("0", "/dev/null"), "{text}");
    assert_eq!(fds[1].0, socket, "{text}");
    assert!(fds[1].1.starts_with("socket:"), "{text}");
    assert_eq!(value("role "), Some("false"), "the role variable is removed: {text}");
    let ignored = u64::from_str_radix(value("SigIgn").ok_or("no SigIgn")?, 16)?;
    assert_ne!(ignored & (1 << (rustix::process::Signal::PIPE.as_raw() - 1)), 0, "SIGPIPE ignored: {text}");
    assert_eq!(u64::from_str_radix(value("SigBlk").ok_or("no SigBlk")?, 16)?, 0, "no signal blocked: {text}");
    Ok(())
}

#[test]
fn spec_9_3_a_panicking_entry_ends_its_child_with_a_nonzero_code_and_a_message() -> TestResult {
    let (mut stderr, writer) = std::io::pipe()?;
    let zygote = Zygote::builder().stderr(writer).start()?;
    let exits = zygote.take_exits().ok_or("no exits")?;
    let child = zygote.spawn("test::panics", b"")?;
    assert_eq!(await_exit(&exits, child.pid())?, ChildStatus::Exited(EXIT_PANIC));
    // Every writer of the pipe is gone once the zygote is.
    drop(zygote);
    let mut text = String::new();
    stderr.read_to_string(&mut text)?;
    assert!(text.contains("deliberate child panic"), "{text}");
    assert!(text.contains("process entry `test::panics` panicked"), "{text}");
    Ok(())
}

// ----- reaping in layers ------------------------------------------------------------------

/// Starts a zygote with two hanging children, watched; returns the zygote's and their pids.
fn zygote_with_hanging_children(watched: &mut Watched) -> Result<(Zygote, Receiver<ChildExit>, Vec<u32>), Error> {
    let (zygote, exits) = start()?;
    watched.watch(zygote.pid())?;
    let mut pids = vec![zygote.pid()];
    for _ in 0..2 {
        let child = zygote.spawn("test::hang", b"")?;
        watched.watch(child.pid())?;
        pids.push(child.pid());
        // Dropping the socket does not end a hanging child: the zygote must.
    }
    Ok((zygote, exits, pids))
}

#[test]
fn spec_9_3_dropping_the_zygote_ends_every_child() -> TestResult {
    let mut watched = Watched::default();
    let (zygote, _exits, _pids) = zygote_with_hanging_children(&mut watched)?;
    let dropping = Instant::now();
    drop(zygote);
    // The zygote killed and reaped its children before it exited, and the drop waited for
    // it: all are gone the moment the drop returns.
    watched.await_gone(Duration::ZERO)?;
    // At once, not after the 5 s the drop grants a zygote before killing it.
    assert!(dropping.elapsed() < Duration::from_secs(4), "the zygote ended its children itself");
    Ok(())
}

#[test]
fn spec_9_3_a_panicking_starter_ends_every_child() -> TestResult {
    let mut watched = Watched::default();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let started = zygote_with_hanging_children(&mut watched);
        // The zygote, while it is held, is dropped by the unwinding.
        let _held = started.as_ref().map(|(zygote, _, _)| zygote);
        panic!("the starter fails while it holds a zygote");
    }));
    assert!(unwound.is_err());
    assert_eq!(watched.procs.len(), 3, "the zygote and two children were started");
    // As for a drop: gone the moment the unwinding passed the zygote.
    watched.await_gone(Duration::ZERO)
}

#[test]
fn spec_9_3_a_killed_zygote_takes_its_children_along() -> TestResult {
    let mut watched = Watched::default();
    let (zygote, exits, _pids) = zygote_with_hanging_children(&mut watched)?;
    // The zygote is a child not yet waited for: its pid is still its own.
    pidfd_send_signal(&watched.procs[0].1, Signal::KILL)?;
    // Its children die by their parent-death signal.
    watched.await_gone(BOUND)?;
    // The starter learns it: the exits disconnect and spawning is a typed error.
    loop {
        match exits.recv_timeout(BOUND) {
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => return Err("the exits did not disconnect".into()),
        }
    }
    let err = zygote.spawn("test::echo", b"").err().ok_or("a dead zygote spawned")?;
    assert!(matches!(err, ActorSystemError::ActorSystemFailure { .. }), "{err}");
    assert!(err.to_string().contains("the zygote is gone"), "{err}");
    Ok(())
}

#[test]
fn spec_9_3_a_child_killed_by_sigkill_is_reported_as_exited() -> TestResult {
    let mut watched = Watched::default();
    let (zygote, exits, pids) = zygote_with_hanging_children(&mut watched)?;
    pidfd_send_signal(&watched.procs[1].1, Signal::KILL)?;
    assert_eq!(await_exit(&exits, pids[1])?, ChildStatus::Signaled(Signal::KILL.as_raw()));
    assert!(!is_zombie_of(pids[1], zygote.pid()), "the zygote reaps before it reports");
    Ok(())
}

/// Set in the environment of [`spec_9_3_kill_test_starter`] when it is to act.
const STARTER_VAR: &str = "THESPIAN_TEST_KILLED_STARTER";

/// Not a test by itself: run by [`spec_9_3_a_starter_killed_by_sigkill_leaves_no_process_behind`]
/// in a process of its own (and a no-op otherwise), it starts a zygote with two hanging
/// children, prints their pids and blocks until killed.
#[test]
fn spec_9_3_kill_test_starter() -> TestResult {
    if std::env::var_os(STARTER_VAR).is_none() {
        return Ok(());
    }
    let mut watched = Watched::default();
    let (_zygote, _exits, pids) = zygote_with_hanging_children(&mut watched)?;
    // Nobody but the killer ends these.
    watched.procs.clear();
    let mut out = std::io::stdout().lock();
    for pid in pids {
        writeln!(out, "starter-pid {pid}")?;
    }
    writeln!(out, "starter-ready")?;
    out.flush()?;
    drop(out);
    // Blocks until killed, or until the test that started it drops its end.
    std::io::stdin().read_to_end(&mut Vec::new())?;
    Ok(())
}

#[test]
fn spec_9_3_a_starter_killed_by_sigkill_leaves_no_process_behind() -> TestResult {
    let mut starter = Command::new(std::env::current_exe()?)
        .args(["spec_9_3_kill_test_starter", "--exact", "--nocapture", "--test-threads=1"])
        .env(STARTER_VAR, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut watched = Watched::default();
    watched.watch(starter.id())?;
    let stdout = starter.stdout.take().ok_or("no stdout")?;
    let mut pids = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        // libtest's own `test ... ` may precede a line: match anywhere in it.
        if let Some((_, pid)) = line.split_once("starter-pid ") {
            pids.push(pid.trim().parse::<u32>()?);
        } else if line.contains("starter-ready") {
            break;
        }
    }
    assert_eq!(pids.len(), 3, "the starter reports its zygote and two children");
    for &pid in &pids {
        watched.watch(pid)?;
    }
    starter.kill()?;
    starter.wait()?;
    // The zygote sees end of file on its control socket and kills its children.
    watched.await_gone(BOUND)
}

// ----- the handshake ----------------------------------------------------------------------

#[test]
fn spec_9_3_a_program_that_ends_without_taking_the_role_is_a_startup_failure() {
    let err = Zygote::builder().program("true").start().err();
    match err {
        Some(ActorSystemError::ActorSystemStartupFailure { reason }) => {
            assert!(reason.contains("ended"), "{reason}");
            assert!(reason.contains("thespian::init()"), "{reason}");
        }
        other => panic!("expected a startup failure, got {other:?}"),
    }
}

#[test]
fn spec_9_3_a_program_that_stays_silent_is_a_startup_failure_after_the_timeout() {
    // `cat` reads the control socket and never answers.
    let err = Zygote::builder().program("cat").handshake_timeout(Duration::from_millis(200)).start().err();
    match err {
        Some(ActorSystemError::ActorSystemStartupFailure { reason }) => {
            assert!(reason.contains("did not answer within 200ms"), "{reason}");
        }
        other => panic!("expected a startup failure, got {other:?}"),
    }
}

/// Runs this test binary with `THESPIAN_ROLE=role` and a null standard input; its exit code
/// and standard error.
fn run_in_role(role: &str) -> Result<(Option<i32>, String), Error> {
    let out = Command::new(std::env::current_exe()?)
        .args(["--exact", "spec_9_3_a_zygote_is_send_and_sync"])
        .env("THESPIAN_ROLE", role)
        .stdin(Stdio::null())
        .output()?;
    Ok((out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned()))
}

#[test]
fn spec_9_3_a_zygote_role_without_a_control_socket_exits_with_a_reason() -> TestResult {
    let (code, stderr) = run_in_role("zygote")?;
    assert_eq!(code, Some(EXIT_SETUP_FAILED), "{stderr}");
    assert!(stderr.contains("standard input is not the control socket"), "{stderr}");
    Ok(())
}

#[test]
fn spec_9_3_an_unknown_role_exits_before_main_with_a_reason() -> TestResult {
    let (code, stderr) = run_in_role("juggler")?;
    assert_eq!(code, Some(EXIT_UNKNOWN_ROLE), "{stderr}");
    assert!(stderr.contains("unknown THESPIAN_ROLE `juggler`"), "{stderr}");
    Ok(())
}

#[test]
fn spec_9_3_init_without_a_role_returns_at_once_and_again() {
    thespian::init();
    thespian::init();
    assert!(std::env::var_os("THESPIAN_ROLE").is_none());
}

#[test]
fn spec_9_3_a_zygote_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Zygote>();
}
