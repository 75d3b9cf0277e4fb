//! The starter's side: a [`Zygote`] handle that spawns children and learns of their exits.

use std::collections::HashMap;
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};

use super::proto::{self, FrameReader, ReadError, Report, Request, SpawnFailure, MAX_FRAME_SIZE};
use super::{role, ChildStatus};
use crate::api::error::ActorSystemError;

/// The largest payload (plus entry name) a spawn request carries: the control frame limit
/// less room for the rest of the request.
pub const MAX_PAYLOAD: usize = MAX_FRAME_SIZE - 64;

/// How long [`ZygoteBuilder::start`] waits for the zygote's hello by default.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Zygote::spawn`] waits for the zygote's answer.
const SPAWN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long dropping a [`Zygote`] waits for it to kill and reap its children and exit,
/// before it is killed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// A running child process: its pid and its end of the socket its entry point got.
#[derive(Debug)]
pub struct ChildProcess {
    pid: u32,
    socket: UnixStream,
}

impl ChildProcess {
    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The starter's end of the child's socket.
    pub fn socket(&self) -> &UnixStream {
        &self.socket
    }

    /// The starter's end of the child's socket, owned. Closing it is end of file for the child.
    pub fn into_socket(self) -> UnixStream {
        self.socket
    }
}

/// A child of a zygote ended (and was reaped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChildExit {
    /// The child's process id.
    pub pid: u32,
    /// How it ended.
    pub status: ChildStatus,
}

/// Settings of a zygote to start; [`Zygote::builder`] makes one.
#[derive(Debug)]
pub struct ZygoteBuilder {
    program: Option<PathBuf>,
    handshake_timeout: Duration,
    stderr: Option<Stdio>,
}

impl ZygoteBuilder {
    /// Runs `program` instead of this program's own executable (for tests of the handshake).
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = Some(program.into());
        self
    }

    /// How long to wait for the zygote to take its role (5 s unless set).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Where the zygote and its children write their standard error (the starter's own
    /// unless set).
    pub fn stderr(mut self, stderr: impl Into<Stdio>) -> Self {
        self.stderr = Some(stderr.into());
        self
    }

    /// Starts the zygote and waits for it to take its role.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::ActorSystemStartupFailure`] when the program cannot be started, or
    /// it ends or stays silent instead of taking the zygote role (its role constructor did not
    /// run and `thespian::init()` was not reached), or it speaks another protocol version.
    pub fn start(self) -> Result<Zygote, ActorSystemError> {
        role::ensure_linked();
        let program = match self.program {
            Some(program) => program,
            None => std::env::current_exe()
                .map_err(|e| startup(format!("cannot find this program's executable to start a zygote: {e}")))?,
        };
        let (ours, theirs) = socketpair(AddressFamily::Unix, SockType::Stream, None, SockFlag::SOCK_CLOEXEC)
            .map_err(|e| startup(format!("cannot create the zygote's control socket: {e}")))?;
        let mut command = Command::new(&program);
        command.env(role::ROLE_VAR, role::ZYGOTE).stdin(Stdio::from(theirs));
        if let Some(stderr) = self.stderr {
            command.stderr(stderr);
        }
        let child =
            command.spawn().map_err(|e| startup(format!("cannot start `{}` as a zygote: {e}", program.display())))?;
        // The command held our copy of the zygote's end; without it, the zygote's exit is an
        // end of file here.
        drop(command);
        let mut process = KillOnDrop(Some(child));
        let ours = UnixStream::from(ours);
        let mut reader = FrameReader::new(
            ours.try_clone().map_err(|e| startup(format!("cannot clone the zygote's control socket: {e}")))?,
        );
        let not_a_zygote = |what: String| {
            startup(format!(
                "`{}` {what} instead of taking the zygote role: the thespian role constructor did not run \
                 in it (it runs before `main` in every Linux binary linking thespian; where it cannot, call \
                 `thespian::init()` first thing in `main`)",
                program.display()
            ))
        };
        match reader.next_frame::<Report>(Some(Instant::now() + self.handshake_timeout)) {
            Ok(Report::Hello { magic, version }) if magic == proto::MAGIC => {
                if version != proto::VERSION {
                    return Err(startup(format!(
                        "`{}` speaks zygote protocol version {version}; this program speaks {}: start \
                         processes of the same build",
                        program.display(),
                        proto::VERSION
                    )));
                }
            }
            Ok(_) | Err(ReadError::Proto(_)) => return Err(not_a_zygote("answered something else".into())),
            Err(ReadError::Eof) => {
                let status = process.finish();
                return Err(not_a_zygote(format!("ended ({status})")));
            }
            Err(ReadError::Timeout) => {
                return Err(not_a_zygote(format!("did not answer within {:?}", self.handshake_timeout)))
            }
            Err(ReadError::Io(e)) => return Err(startup(format!("reading the zygote's control socket: {e}"))),
        }
        let Some(process) = process.0.take() else {
            return Err(startup("the zygote process vanished".into()));
        };
        let shared = Arc::new(Shared::default());
        let (exits_tx, exits_rx) = mpsc::channel();
        let reader = std::thread::Builder::new()
            .name("thespian-zygote".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || read_reports(reader, &shared, &exits_tx)
            })
            .map_err(|e| startup(format!("cannot start the zygote's reader thread: {e}")))?;
        Ok(Zygote {
            pid: process.id(),
            writer: Mutex::new(ours),
            next_id: AtomicU64::new(0),
            shared,
            exits: Mutex::new(Some(exits_rx)),
            process,
            reader: Some(reader),
        })
    }
}

/// A zygote process and the handle to its control socket: it forks children on request
/// and reports their exits.
///
/// Dropping it ends the zygote and every child, and waits for them. It is `Send + Sync`;
/// [`spawn`](Self::spawn) may be called from several threads at once.
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use thespian::__private::process::{ChildEntry, Zygote};
///
/// fn hello(mut parent: std::os::unix::net::UnixStream, _payload: Vec<u8>) -> i32 {
///     use std::io::Write;
///     i32::from(parent.write_all(b"hello").is_err())
/// }
/// thespian::__private::inventory::submit! { ChildEntry::new("doc::hello", hello) }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let zygote = Zygote::start()?;
/// let child = zygote.spawn("doc::hello", b"")?;
/// let mut text = String::new();
/// child.into_socket().read_to_string(&mut text)?;
/// assert_eq!(text, "hello");
/// # Ok(()) }
/// ```
pub struct Zygote {
    pid: u32,
    writer: Mutex<UnixStream>,
    next_id: AtomicU64,
    shared: Arc<Shared>,
    exits: Mutex<Option<mpsc::Receiver<ChildExit>>>,
    process: Child,
    reader: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Zygote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zygote").field("pid", &self.pid).finish_non_exhaustive()
    }
}

impl Zygote {
    /// Starts this program's executable as a zygote, with the default settings.
    ///
    /// # Errors
    ///
    /// As [`ZygoteBuilder::start`].
    pub fn start() -> Result<Zygote, ActorSystemError> {
        Self::builder().start()
    }

    /// Settings for a zygote to start.
    pub fn builder() -> ZygoteBuilder {
        ZygoteBuilder { program: None, handshake_timeout: HANDSHAKE_TIMEOUT, stderr: None }
    }

    /// The zygote's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Forks a child that runs the [`ChildEntry`](super::ChildEntry) named `entry` with
    /// `payload`, and returns it with the other end of its socket.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorSpecification`] when no entry point or more than one of
    /// that name is linked into the binary, or the payload exceeds [`MAX_PAYLOAD`];
    /// [`ActorSystemError::ActorSystemFailure`] when the zygote is gone, cannot fork, or does
    /// not answer within 10 s.
    pub fn spawn(&self, entry: &str, payload: &[u8]) -> Result<ChildProcess, ActorSystemError> {
        self.spawn_with(entry, payload, false)
    }

    /// [`spawn`](Self::spawn), but with `exec` the child executes the program afresh
    /// before it runs the entry point (usage guide §9.4, Process Startup Method "spawn"):
    /// it inherits nothing of the zygote's memory, at the cost of a start from scratch.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn); a child that cannot execute the program exits with
    /// [`EXIT_SETUP_FAILED`](super::EXIT_SETUP_FAILED).
    pub fn spawn_with(&self, entry: &str, payload: &[u8], exec: bool) -> Result<ChildProcess, ActorSystemError> {
        // Checked before anything is copied; the rest of the frame is small.
        if payload.len().saturating_add(entry.len()) > MAX_PAYLOAD {
            return Err(ActorSystemError::InvalidActorSpecification {
                spec: entry.to_owned(),
                reason: format!(
                    "a process payload of {} bytes exceeds the limit of {MAX_PAYLOAD} bytes",
                    payload.len()
                ),
            });
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let frame = proto::encode(&Request::Spawn { id, entry: entry.to_owned(), payload: payload.to_vec(), exec })
            .map_err(|e| failure(format!("cannot encode a spawn request: {e}")))?;
        let (tx, rx) = mpsc::sync_channel(1);
        {
            let mut state = lock(&self.shared.state);
            if let Some(why) = &state.closed {
                return Err(gone(why));
            }
            state.waiting.insert(id, Waiter { entry: entry.to_owned(), answer: tx });
        }
        let sent = super::os::send_all(&lock(&self.writer), &frame);
        if let Err(e) = sent {
            lock(&self.shared.state).waiting.remove(&id);
            return Err(failure(format!("cannot write to the zygote: {e}")));
        }
        match rx.recv_timeout(SPAWN_TIMEOUT) {
            Ok(answer) => answer,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                lock(&self.shared.state).waiting.remove(&id);
                Err(failure(format!("the zygote did not answer a spawn request within {SPAWN_TIMEOUT:?}")))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(gone("it dropped a spawn request")),
        }
    }

    /// The exits of this zygote's children, in the order they were reaped; `Some` once.
    ///
    /// Exits are queued from the start, so none is missed by taking this late. The channel
    /// disconnects when the zygote is gone.
    pub fn take_exits(&self) -> Option<mpsc::Receiver<ChildExit>> {
        lock(&self.exits).take()
    }
}

impl Drop for Zygote {
    /// Closes the control socket, so the zygote kills and reaps every child and exits; waits
    /// for that (killing the zygote after 5 s), then for the zygote itself.
    fn drop(&mut self) {
        let _ = lock(&self.writer).shutdown(Shutdown::Write);
        if !self.shared.wait_closed(EXIT_TIMEOUT) {
            // Its children follow it by their parent-death signal.
            let _ = self.process.kill();
        }
        let _ = self.process.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// A zygote process that is killed and waited for unless taken out: the handshake's guard.
struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    /// Kills (if still running) and waits for the process; its exit status as text.
    fn finish(&mut self) -> String {
        let Some(mut child) = self.0.take() else { return "gone".into() };
        if !matches!(child.try_wait(), Ok(Some(_))) {
            let _ = child.kill();
        }
        match child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => format!("status unknown: {e}"),
        }
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A spawn request waiting for its answer.
struct Waiter {
    entry: String,
    answer: mpsc::SyncSender<Result<ChildProcess, ActorSystemError>>,
}

/// What the reader thread shares with the handle.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    closed: Condvar,
}

#[derive(Default)]
struct State {
    waiting: HashMap<u64, Waiter>,
    /// Why the control socket closed, once it has.
    closed: Option<String>,
}

impl Shared {
    /// Hands the answer of request `id` to its waiter; an answer nobody waits for any more
    /// is dropped (for a child: its socket closes, which ends it).
    fn answer(&self, id: u64, make: impl FnOnce(&str) -> Result<ChildProcess, ActorSystemError>) {
        let waiter = lock(&self.state).waiting.remove(&id);
        if let Some(waiter) = waiter {
            let _ = waiter.answer.send(make(&waiter.entry));
        }
    }

    /// Marks the zygote gone: every waiting request fails, [`Self::wait_closed`] returns.
    fn close(&self, why: String) {
        let mut state = lock(&self.state);
        for (_, waiter) in state.waiting.drain() {
            let _ = waiter.answer.send(Err(gone(&why)));
        }
        state.closed = Some(why);
        self.closed.notify_all();
    }

    /// Waits at most `timeout` for the control socket to close; whether it did.
    fn wait_closed(&self, timeout: Duration) -> bool {
        let state = lock(&self.state);
        let (state, _) = self
            .closed
            .wait_timeout_while(state, timeout, |s| s.closed.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        state.closed.is_some()
    }
}

/// The reader thread: answers spawn requests and queues exits until the zygote is gone.
fn read_reports(mut reader: FrameReader, shared: &Shared, exits: &mpsc::Sender<ChildExit>) {
    let why = loop {
        match reader.next_frame::<Report>(None) {
            Ok(Report::Spawned { id, pid }) => match reader.take_fd() {
                Ok(fd) => shared.answer(id, |_| Ok(ChildProcess { pid, socket: UnixStream::from(fd) })),
                Err(e) => break e.to_string(),
            },
            Ok(Report::SpawnFailed { id, reason }) => shared.answer(id, |entry| {
                Err(match reason {
                    SpawnFailure::NoSuchEntry => ActorSystemError::InvalidActorSpecification {
                        spec: entry.to_owned(),
                        reason: format!(
                            "no process entry named `{entry}` is linked into this binary; register it with \
                             `inventory::submit!` in a crate the binary uses"
                        ),
                    },
                    SpawnFailure::Ambiguous => ActorSystemError::InvalidActorSpecification {
                        spec: entry.to_owned(),
                        reason: format!(
                            "two process entries are named `{entry}` in this binary; give each \
                             `ChildEntry` a name of its own, prefixed with its crate's"
                        ),
                    },
                    SpawnFailure::Os(e) => failure(format!("the zygote cannot start `{entry}`: {e}")),
                })
            }),
            Ok(Report::Exited { pid, status }) => {
                // Nobody listening is fine: exits are news, not answers.
                let _ = exits.send(ChildExit { pid, status });
            }
            Ok(Report::Hello { .. }) => break "the zygote said hello twice".into(),
            Err(ReadError::Eof) => break "the zygote exited".into(),
            Err(e) => break e.to_string(),
        }
    };
    shared.close(why);
}

/// Locks `mutex`, whether or not a panicking thread held it: every state it guards stays
/// consistent between statements.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn startup(reason: String) -> ActorSystemError {
    ActorSystemError::ActorSystemStartupFailure { reason }
}

fn failure(reason: String) -> ActorSystemError {
    ActorSystemError::ActorSystemFailure { reason }
}

fn gone(why: &str) -> ActorSystemError {
    failure(format!("the zygote is gone ({why}); start a new one"))
}
