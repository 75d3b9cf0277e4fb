//! The test harness shared by every integration test: each spec behaviour is written once
//! and run on every system base that supports it.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use thespian::{ActorAddress, ActorSystem, Logging, Message};

/// What a test body returns: `?` works on every thespian error.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A generous wait for answers that should come (never a synchronisation sleep).
pub const ANSWER: Duration = Duration::from_secs(10);

/// A short wait for answers that must not come.
pub const NO_ANSWER: Duration = Duration::from_millis(50);

/// An error of a test helper.
pub type Failure = Box<dyn std::error::Error>;

/// Asks `to` and expects an answer of type `R` within [`ANSWER`].
pub fn answer<R: Message>(asys: &ActorSystem, to: &ActorAddress, msg: impl Message) -> Result<R, Failure> {
    asys.ask_as::<R>(to, msg, ANSWER)?
        .ok_or_else(|| format!("no {} answer within {ANSWER:?}", std::any::type_name::<R>()).into())
}

/// Fails if anything arrives at this endpoint within [`NO_ANSWER`].
pub fn quiet(endpoint: &ActorSystem) -> TestResult {
    match endpoint.listen(NO_ANSWER)? {
        None => Ok(()),
        Some(unexpected) => Err(format!("unexpected message: {unexpected:?}").into()),
    }
}

/// Starts a system of the named base, leaving the test runner's logging alone. A
/// multi-process system gets a free Admin Port of its own and shuts down when its handle
/// is dropped, so that a failing test leaves no process behind.
pub fn system(base: &str) -> ActorSystem {
    match builder(base).build() {
        Ok(asys) => asys,
        Err(e) => panic!("cannot start a {base} system: {e}"),
    }
}

/// The builder [`system`] uses, for tests that start more systems of their own.
pub fn builder(base: &str) -> thespian::ActorSystemBuilder {
    ActorSystem::builder().base(base).admin_port(0).shutdown_on_drop(true).logging(Logging::Off)
}

/// The Admin Port a multi-process system listens on (its capability "Admin Port").
pub fn admin_port(asys: &ActorSystem) -> Result<u16, Failure> {
    match asys.capabilities()?.get("Admin Port") {
        Some(thespian::CapValue::Int(port)) => Ok(u16::try_from(*port)?),
        other => Err(format!("no \"Admin Port\" capability: {other:?}").into()),
    }
}

/// A loopback port where nothing listens: bound to a free port, then let go.
pub fn unused_port() -> Result<u16, Failure> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

/// Runs `body` on a fresh system of `base`, and shuts it down afterwards.
pub fn run(base: &str, body: fn(&ActorSystem) -> TestResult) {
    let asys = system(base);
    let outcome = body(&asys);
    let down = asys.shutdown();
    if let Err(e) = outcome {
        panic!("on {base}: {e}");
    }
    if let Err(e) = down {
        panic!("on {base}: shutdown failed: {e}");
    }
}

/// The system's status once `settled` holds of it, asked again (each time a round trip to
/// the admin, never a sleep) until it does or [`ANSWER`] has passed. The simple base
/// settles at the first ask; across processes the admin learns of an exit a moment after
/// the actor's own process does (spec §7.13's status is the admin's view).
pub fn settled_status(
    asys: &ActorSystem,
    settled: impl Fn(&thespian::ThespianSystemStatus) -> bool,
) -> Result<thespian::ThespianSystemStatus, Failure> {
    let deadline = std::time::Instant::now() + ANSWER;
    loop {
        let status = asys.status()?;
        if settled(&status) {
            return Ok(status);
        }
        if std::time::Instant::now() >= deadline {
            return Err(format!("the status did not settle within {ANSWER:?}: {status:?}").into());
        }
    }
}

/// xorshift64*: a small, seeded, reproducible source of fuzz input.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 for an empty range).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Fewer than `max` random bytes.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Defines a test that runs on every base that supports the behaviour:
///
/// ```ignore
/// on_every_base! {
///     fn spec_4_4_poison_after_second_failure(asys) {
///         ...
///         Ok(())
///     }
/// }
/// ```
///
/// expands to a module `spec_4_4_poison_after_second_failure` with one `#[test]` per base
/// (`simple_system_base`, `multiproc_queue_base`, `multiproc_tcp_base`, `multiproc_udp_base`).
/// A body marked `#[not_across_processes = "§N: why"]` is ignored on the multi-process bases
/// (listed by `cargo test -- --ignored`), where the spec lets them differ; the multi-process
/// behaviour then has a body of its own. One marked `#[not_on_udp = "§9.5: why"]` is ignored
/// on the UDP base only, where the spec makes it differ (a message over the 64 KiB datagram
/// limit).
#[macro_export]
macro_rules! on_every_base {
    ($($(#[not_across_processes = $why:literal])? $(#[not_on_udp = $udp:literal])? fn $name:ident($asys:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($asys: &thespian::ActorSystem) -> $crate::common::TestResult $body

            #[test]
            fn simple_system_base() {
                $crate::common::run("simpleSystemBase", body);
            }

            #[test]
            #[cfg(target_os = "linux")]
            $(#[ignore = $why])?
            fn multiproc_queue_base() {
                $crate::common::run("multiprocQueueBase", body);
            }

            #[test]
            #[cfg(target_os = "linux")]
            $(#[ignore = $why])?
            fn multiproc_tcp_base() {
                $crate::common::run("multiprocTCPBase", body);
            }

            #[test]
            #[cfg(target_os = "linux")]
            $(#[ignore = $why])?
            $(#[ignore = $udp])?
            fn multiproc_udp_base() {
                $crate::common::run("multiprocUDPBase", body);
            }
        }
    )*};
}

/// Defines a test of a behaviour only the multi-process bases have (spec §9.3–§9.5): one
/// `#[test]` per multi-process base, in a module named after the behaviour, like
/// [`on_every_base!`].
#[macro_export]
macro_rules! on_multiprocess_bases {
    ($($(#[not_on_udp = $udp:literal])? fn $name:ident($asys:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($asys: &thespian::ActorSystem) -> $crate::common::TestResult $body

            #[test]
            #[cfg(target_os = "linux")]
            fn multiproc_queue_base() {
                $crate::common::run("multiprocQueueBase", body);
            }

            #[test]
            #[cfg(target_os = "linux")]
            fn multiproc_tcp_base() {
                $crate::common::run("multiprocTCPBase", body);
            }

            #[test]
            #[cfg(target_os = "linux")]
            $(#[ignore = $udp])?
            fn multiproc_udp_base() {
                $crate::common::run("multiprocUDPBase", body);
            }
        }
    )*};
}

/// Capturing what the system under test logs, deterministically.
///
/// A test binary runs its tests in parallel threads, and `tracing` caches, per call site,
/// whether any subscriber wants its events. A subscriber installed for one test with
/// `with_default` races with call sites that other threads register meanwhile, which can
/// leave a call site (or the actors' span) switched off for the capturing test, now and
/// then. Instead, one global subscriber, installed once, wants every call site always,
/// and records events only on threads inside [`capture`]. The simple base runs actors in
/// the calling thread, so that is where their events are logged.
pub mod logs {
    use std::cell::RefCell;
    use std::fmt::Write as _;
    use std::sync::Once;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id};
    use tracing::subscriber::Interest;
    use tracing::{Event, Level, Metadata, Subscriber};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;

    /// One event logged inside [`capture`].
    #[derive(Debug, Clone)]
    pub struct Logged {
        /// Its level.
        pub level: Level,
        /// Its target (the module that logged it).
        pub target: String,
        /// Its message.
        pub message: String,
        /// Its other fields, as `name=value` separated by spaces.
        pub fields: String,
        /// The `actor_address` of every span it was logged in, innermost first.
        pub actor_addresses: Vec<String>,
    }

    impl Logged {
        /// True for a warning or an error.
        pub fn is_warning(&self) -> bool {
            self.level <= Level::WARN
        }
    }

    thread_local! {
        static CAPTURED: RefCell<Option<Vec<Logged>>> = const { RefCell::new(None) };
    }

    fn capturing() -> bool {
        CAPTURED.try_with(|c| c.borrow().is_some()).unwrap_or(false)
    }

    /// Runs `body`, returning what it logged, at every level, in this thread.
    pub fn capture<T>(body: impl FnOnce() -> T) -> (T, Vec<Logged>) {
        install();
        let outer = CAPTURED.with(|c| c.borrow_mut().replace(Vec::new()));
        let value = body();
        let logged = CAPTURED.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer)).unwrap_or_default();
        (value, logged)
    }

    fn install() {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            // Fails only if the test binary installed another global subscriber first.
            let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Recorder));
        });
        // Call sites registered while the subscriber was being installed are asked again.
        tracing::callsite::rebuild_interest_cache();
    }

    /// The `actor_address` a span was made with, kept in the span's extensions.
    struct AddressOfSpan(String);

    /// Renders an event's or a span's fields.
    #[derive(Default)]
    struct Fields {
        message: String,
        others: String,
        actor_address: Option<String>,
    }

    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            match field.name() {
                "message" => self.message = format!("{value:?}"),
                name => {
                    let rendered = format!("{value:?}");
                    if name == "actor_address" {
                        self.actor_address = Some(rendered.clone());
                    }
                    let _ = write!(self.others, "{}{name}={rendered}", if self.others.is_empty() { "" } else { " " });
                }
            }
        }

        fn record_str(&mut self, field: &Field, value: &str) {
            self.record_debug(field, &value);
        }
    }

    struct Recorder;

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
        fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
            Interest::sometimes()
        }

        fn enabled(&self, _: &Metadata<'_>, _: Context<'_, S>) -> bool {
            capturing()
        }

        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            if let (Some(address), Some(span)) = (fields.actor_address, ctx.span(id)) {
                span.extensions_mut().insert(AddressOfSpan(address));
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let mut fields = Fields::default();
            event.record(&mut fields);
            let actor_addresses = ctx
                .event_scope(event)
                .map(|scope| scope.filter_map(|span| span.extensions().get::<AddressOfSpan>().map(|a| a.0.clone())))
                .map(Iterator::collect)
                .unwrap_or_default();
            let logged = Logged {
                level: *event.metadata().level(),
                target: event.metadata().target().to_string(),
                message: fields.message,
                fields: fields.others,
                actor_addresses,
            };
            let _ = CAPTURED.try_with(|c| {
                if let Some(events) = c.borrow_mut().as_mut() {
                    events.push(logged);
                }
            });
        }
    }
}

/// The processes a test starts, watched until they are gone (Linux).
#[cfg(target_os = "linux")]
pub mod procs {
    use std::os::fd::OwnedFd;
    use std::time::{Duration, Instant};

    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    use rustix::process::{pidfd_open, pidfd_send_signal, Pid, PidfdFlags, Signal};

    use super::{Failure, TestResult};

    /// Processes watched by pidfd: [`Watched::await_gone`] awaits their end; dropping the
    /// guard kills every one still running, so a failing test leaves nothing behind. A pidfd
    /// names one process, never a later one that reuses its pid.
    #[derive(Default)]
    pub struct Watched {
        /// Each process's id and pidfd.
        pub procs: Vec<(u32, OwnedFd)>,
    }

    impl Watched {
        /// Watches `pid`, which must be running (or not yet reaped).
        pub fn watch(&mut self, pid: u32) -> TestResult {
            let raw = Pid::from_raw(i32::try_from(pid)?).ok_or("pid 0")?;
            self.procs.push((pid, pidfd_open(raw, PidfdFlags::empty())?));
            Ok(())
        }

        /// Awaits the end of every watched process, for at most `bound`.
        pub fn await_gone(&self, bound: Duration) -> TestResult {
            let deadline = Instant::now() + bound;
            let mut left: Vec<&(u32, OwnedFd)> = self.procs.iter().collect();
            while !left.is_empty() {
                let timeout = Timespec::try_from(deadline.saturating_duration_since(Instant::now()))?;
                let mut fds: Vec<PollFd<'_>> = left.iter().map(|(_, fd)| PollFd::new(fd, PollFlags::IN)).collect();
                match poll(&mut fds, Some(&timeout)) {
                    Ok(0) => {
                        let pids: Vec<u32> = left.iter().map(|(pid, _)| *pid).collect();
                        return Err(format!("processes {pids:?} still run after {bound:?}").into());
                    }
                    Ok(_) => {
                        let ended: Vec<bool> = fds.iter().map(|fd| !fd.revents().is_empty()).collect();
                        let mut ended = ended.into_iter();
                        left.retain(|_| !ended.next().unwrap_or(false));
                    }
                    Err(rustix::io::Errno::INTR) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(())
        }
    }

    impl Drop for Watched {
        fn drop(&mut self) {
            for (_, fd) in &self.procs {
                // Fails harmlessly (ESRCH) for a process that has ended.
                let _ = pidfd_send_signal(fd, Signal::KILL);
            }
        }
    }

    /// Every process descended from this one (children, their children, ...) that has not
    /// ended, by pid. An ended process that its parent has not reaped yet (a zombie) holds
    /// nothing but its exit status, and is left out.
    pub fn descendants() -> Result<Vec<u32>, Failure> {
        descendants_of(std::process::id())
    }

    /// Every process descended from `root` that has not ended, by pid.
    pub fn descendants_of(root: u32) -> Result<Vec<u32>, Failure> {
        let mut parents = Vec::new();
        for entry in std::fs::read_dir("/proc")? {
            let Some(pid) = entry?.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            // A process may end while the list is read.
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            let mut fields = stat_fields(&stat);
            let (state, ppid) = (fields.next(), fields.next().and_then(|p| p.parse::<u32>().ok()));
            if let (Some(state), Some(ppid)) = (state, ppid) {
                if state != "Z" {
                    parents.push((pid, ppid));
                }
            }
        }
        let mut found = vec![root];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            found.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(pid, _)| *pid));
            i += 1;
        }
        found.remove(0);
        Ok(found)
    }

    /// The fields of a `/proc/.../stat` text after the command's name: `pid (comm) state
    /// ppid ...`, where the name may hold spaces and parentheses.
    fn stat_fields(stat: &str) -> std::str::SplitWhitespace<'_> {
        stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace()
    }

    /// Stops process `pid` (`SIGSTOP`), and returns once every thread of it has stopped.
    /// `kill` returns before that: the signal wakes one thread, which stops the others, and
    /// on a loaded machine another thread may go on for milliseconds meanwhile, reading
    /// mail and acknowledging it. The kernel tells no one but the parent when a process has
    /// stopped, so its threads' states are read until they all say so.
    pub fn stop(pid: u32) -> TestResult {
        let target = Pid::from_raw(i32::try_from(pid)?).ok_or("pid 0")?;
        pidfd_send_signal(pidfd_open(target, PidfdFlags::empty())?, Signal::STOP)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut running = 0;
            for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
                // A thread may end while the list is read.
                let Ok(stat) = std::fs::read_to_string(task?.path().join("stat")) else { continue };
                // Stopped, or a thread that has ended: neither runs any more.
                running += usize::from(!matches!(stat_fields(&stat).next(), Some("T" | "t" | "Z" | "X")));
            }
            if running == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("{running} thread(s) of process {pid} still run 10 s after SIGSTOP").into());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The inodes of the sockets process `pid` has open.
    pub fn socket_inodes(pid: u32) -> Result<Vec<u64>, Failure> {
        let mut inodes = Vec::new();
        for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
            let Ok(target) = std::fs::read_link(fd?.path()) else { continue };
            let target = target.to_string_lossy().into_owned();
            if let Some(inode) = target.strip_prefix("socket:[").and_then(|t| t.strip_suffix(']')) {
                inodes.push(inode.parse()?);
            }
        }
        Ok(inodes)
    }

    /// One IPv4 or IPv6 socket, as a line of `/proc/net/{tcp,tcp6,udp,udp6}` shows it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct InetSocket {
        /// The local port.
        pub local: u16,
        /// The remote port (0 for an unconnected socket).
        pub remote: u16,
        /// The state, in hex as the kernel writes it (`0A` listening, `01` established; `07`
        /// for an unconnected UDP socket).
        pub state: String,
        /// The socket's inode: what `/proc/PID/fd` links to (`socket:[INODE]`).
        pub inode: u64,
    }

    /// Every IPv4 and IPv6 socket of `protocol` (`"tcp"` or `"udp"`) in this network
    /// namespace, whichever process holds it.
    pub fn inet_sockets(protocol: &str) -> Result<Vec<InetSocket>, Failure> {
        let mut found = Vec::new();
        for table in [protocol.to_string(), format!("{protocol}6")] {
            let text = std::fs::read_to_string(format!("/proc/net/{table}"))?;
            // `sl local_address rem_address st ... inode`: addresses as `HEXIP:HEXPORT`.
            for line in text.lines().skip(1) {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let (Some(local), Some(remote), Some(state), Some(inode)) =
                    (fields.get(1), fields.get(2), fields.get(3), fields.get(9))
                else {
                    continue;
                };
                let port =
                    |addr: &str| addr.rsplit_once(':').and_then(|(_, p)| u16::from_str_radix(p, 16).ok()).unwrap_or(0);
                let (local, remote, state) = (port(local), port(remote), state.to_string());
                found.push(InetSocket { local, remote, state, inode: inode.parse()? });
            }
        }
        Ok(found)
    }

    /// The sockets of `protocol` (as [`inet_sockets`]) that process `pid` has open.
    pub fn inet_sockets_of(pid: u32, protocol: &str) -> Result<Vec<InetSocket>, Failure> {
        let inodes = socket_inodes(pid)?;
        Ok(inet_sockets(protocol)?.into_iter().filter(|s| inodes.contains(&s.inode)).collect())
    }

    /// The TCP sockets of process `pid` in state `state` (`0A` listening, `01` established), as
    /// (local port, remote port).
    pub fn tcp_sockets(pid: u32, state: &str) -> Result<Vec<(u16, u16)>, Failure> {
        Ok(inet_sockets_of(pid, "tcp")?.into_iter().filter(|s| s.state == state).map(|s| (s.local, s.remote)).collect())
    }

    /// The local ports of the UDP sockets process `pid` has open (an actor process of
    /// `multiprocUDPBase` has one: the socket it sends from and receives on).
    pub fn udp_ports(pid: u32) -> Result<Vec<u16>, Failure> {
        Ok(inet_sockets_of(pid, "udp")?.into_iter().map(|s| s.local).collect())
    }

    /// The process descended from this one that listens on TCP `port` (an admin, by its
    /// Admin Port).
    pub fn listener_of(port: u16) -> Result<u32, Failure> {
        for pid in descendants()? {
            // A process may end while it is looked at.
            if tcp_sockets(pid, "0A").is_ok_and(|s| s.iter().any(|(local, _)| *local == port)) {
                return Ok(pid);
            }
        }
        Err(format!("no process of this test listens on port {port}").into())
    }

    /// How many file descriptors this process has open.
    pub fn open_fds() -> Result<usize, Failure> {
        Ok(std::fs::read_dir("/proc/self/fd")?.count())
    }
}

/// Actors more than one test file uses.
pub mod actors {
    use thespian::prelude::*;

    /// Bytes, sent as one block.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
    pub struct Blob(#[serde(with = "serde_bytes")] pub Vec<u8>);

    /// `len` bytes that differ from one position to the next.
    pub fn pattern(len: usize) -> Blob {
        Blob((0..len).map(|i| (i % 251) as u8).collect())
    }

    /// Answers a [`Blob`] with the same bytes.
    #[derive(Default)]
    pub struct BlobEcho;

    #[actor]
    impl BlobEcho {
        #[handler(Blob)]
        fn echo(&mut self, m: &Blob, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, m.clone());
        }
    }

    /// Answers any `String` with the id of the process it runs in.
    #[derive(Default)]
    pub struct Pid;

    #[actor]
    impl Pid {
        #[handler(String)]
        fn pid(&mut self, _m: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, std::process::id());
        }
    }

    /// Answers a `String` with the same text.
    #[derive(Default)]
    pub struct TextEcho;

    #[actor]
    impl TextEcho {
        #[handler(String)]
        fn echo(&mut self, text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, text.clone());
        }
    }

    /// The id of the process `actor` (a [`Pid`]) runs in.
    pub fn pid_of(asys: &ActorSystem, actor: &ActorAddress) -> Result<u32, super::Failure> {
        super::answer(asys, actor, "pid?".to_string())
    }
}

/// Where a multi-process system takes connections, as a test finds it from outside (Linux).
#[cfg(target_os = "linux")]
pub mod sockets;
