//! Benchmarks of the multi-process bases (spec §9.3–§9.5), every actor in an OS process of
//! its own: `multiprocQueueBase` (Unix sockets, every message through the admin),
//! `multiprocTCPBase` (loopback TCP, processes talk directly) and `multiprocUDPBase` (UDP
//! datagrams).
//!
//! One code path measures all three. What differs is data, in a [`Facts`] per base: its
//! name, the kind of socket of the raw ping-pong measured beside its asks, the size of the
//! big message (10 MiB, or what fits in one datagram on UDP), its targets, and the reasons
//! a missed target is missed there (each found by measuring that base).
//!
//! Each benchmark starts a fresh system (a free Admin Port where the base has one, and
//! `shutdown_on_drop(true)`, so that a failing benchmark leaves no process behind) and shuts
//! it down when it is done.

use std::io::{self, Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use thespian::prelude::*;

use crate::actors::{Counted, GetCount, Produce, Producer};
use crate::measure::{descendants, nanos, percentile, process_ended, uss_bytes};
use crate::report::{group_thousands, Figure, Target, Unit};
use crate::{Bench, BenchError};

/// Target: external ask round trip ÷ raw ping-pong of the same payload over the base's kind
/// of socket.
const ASK_RATIO_TARGET: f64 = 1.5;
/// Target: median `create_actor`, in ms.
const CREATE_TARGET_MS: f64 = 1.0;
/// Target: unique memory of an idle actor process, in bytes.
const USS_TARGET_BYTES: f64 = 512.0 * 1024.0;
/// Target: median round trip of a 10 MiB message, in ms (not set for a datagram-sized one).
const BIG_TARGET_MS: f64 = 20.0;
/// Target: median system start and shutdown, each, in ms.
const SYSTEM_TARGET_MS: f64 = 10.0;

/// How long an answer may take before the benchmark gives up: far beyond any answer.
const ANSWER: Duration = Duration::from_secs(30);

/// The pause before each phase of the ask benchmark: see [`ask_latency`].
const SETTLE: Duration = Duration::from_millis(100);

/// A multi-process base this module measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Multiproc {
    /// `multiprocQueueBase` (spec §9.3).
    Queue,
    /// `multiprocTCPBase` (spec §9.4).
    Tcp,
    /// `multiprocUDPBase` (spec §9.5).
    Udp,
}

impl Multiproc {
    /// The base's spec name, as `--base` and the builder take it.
    pub(crate) fn name(self) -> &'static str {
        self.facts().name
    }

    /// The base's benchmarks, in table order.
    pub(crate) fn benches(self) -> &'static [Bench] {
        match self {
            Self::Queue => QUEUE_BENCHES,
            Self::Tcp => TCP_BENCHES,
            Self::Udp => UDP_BENCHES,
        }
    }

    fn facts(self) -> &'static Facts {
        match self {
            Self::Queue => &QUEUE,
            Self::Tcp => &TCP,
            Self::Udp => &UDP,
        }
    }
}

/// The kind of socket a base carries its frames on, and the raw ping-pong beside it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socket {
    /// Unix-domain stream sockets.
    Unix,
    /// TCP over loopback, `TCP_NODELAY`.
    Tcp,
    /// UDP datagrams over loopback.
    Udp,
}

/// What differs from one base to another.
struct Facts {
    /// The spec name.
    name: &'static str,
    /// The socket of the raw ping-pong.
    socket: Socket,
    /// The raw ping-pong's row.
    raw: &'static str,
    /// The relayed raw ping-pong's row.
    relayed: &'static str,
    /// Target: actor→actor one-way throughput, in msgs/s.
    tell_target: f64,
    /// The size of the big message.
    big_bytes: usize,
    /// The big message's size, in words.
    big_size: &'static str,
    /// The big message round trip's row.
    big: &'static str,
    /// Its target, in ms, if it has one.
    big_target: Option<f64>,
    /// How each started system is set up (the detail of the start and shutdown rows).
    systems: &'static str,
    /// Why the ask ÷ raw target is missed on this base.
    why_ask: &'static str,
    /// Why the one-way throughput target is missed on this base.
    why_tell: &'static str,
    /// Why the big message's target is missed on this base.
    why_big: &'static str,
    /// Why the `create_actor` target is missed on this base.
    why_create: &'static str,
}

/// Why `create_actor` misses its target on a base whose program talks to the admin over a
/// stream socket.
const WHY_CREATE: &str =
    "a creation is a round trip to the admin, which asks the zygote to fork and waits for the child";

const QUEUE: Facts = Facts {
    name: "multiprocQueueBase",
    socket: Socket::Unix,
    raw: "raw Unix-socket ping-pong (8 bytes, stream socketpair, thread peer), median",
    relayed: "raw Unix-socket ping-pong through a relay thread (the route with Admin Routing), median",
    tell_target: 1_000_000.0,
    big_bytes: 10 * 1024 * 1024,
    big_size: "10 MiB",
    big: "10 MiB message round trip (`serde_bytes`), median",
    big_target: Some(BIG_TARGET_MS),
    systems: "each a new system, private to this program",
    // Since processes talk directly on this base too, its costs are the TCP base's, over
    // Unix sockets.
    why_ask: TCP.why_ask,
    why_tell: TCP.why_tell,
    why_big: TCP.why_big,
    why_create: WHY_CREATE,
};

const TCP: Facts = Facts {
    name: "multiprocTCPBase",
    socket: Socket::Tcp,
    raw: "raw TCP ping-pong (8 bytes, loopback, nodelay, thread peer), median",
    relayed: "raw TCP ping-pong through a relay thread (the route with Admin Routing), median",
    tell_target: 1_000_000.0,
    big_bytes: 10 * 1024 * 1024,
    big_size: "10 MiB",
    big: "10 MiB message round trip (`serde_bytes`), median",
    big_target: Some(BIG_TARGET_MS),
    systems: "each on a free Admin Port",
    why_ask: "borderline: the program and the actor talk directly, the actor's reader thread runs its \
              handler and then watches its socket for the next message, and the asking thread reads the \
              reply off its connection itself, so no thread sleeps between asks. What is left over the \
              raw round trip is the work at each end: encoding, framing, decoding and routing \
              (bench/README.md)",
    why_tell: "each message is a frame encoded by the producer and decoded by the consumer (allocating the \
               addresses, type name and body)",
    why_big: "the payload is copied several times each way (encoded into the frame buffer, through the \
              socket, into the reader's buffer, decoded into the message)",
    why_create: WHY_CREATE,
};

const UDP: Facts = Facts {
    name: "multiprocUDPBase",
    socket: Socket::Udp,
    raw: "raw UDP ping-pong (8-byte datagrams, loopback, thread peer), median",
    relayed: "raw UDP ping-pong through a relay thread (a route through the admin), median",
    tell_target: 200_000.0,
    // The largest round number under the 64 KiB datagram limit, with room for the envelope.
    big_bytes: 60_000,
    big_size: "60 000-byte",
    big: "60 000-byte message round trip (`serde_bytes`; a 10 MiB one does not fit a 64 KiB datagram), median",
    big_target: None,
    systems: "each on a free Admin Port",
    why_ask: "borderline: the actor process's socket thread runs the request's handler and then watches the \
              socket for the next datagram, a second thread keeps the socket's timers so that the first \
              waits with none set, and the asking thread reads the reply off the program's socket itself, \
              so no thread sleeps between asks. What is left over the raw round trip is the work at each \
              end: encoding, framing, sequence numbers, decoding and routing (bench/README.md)",
    why_tell: "one datagram per message, so one `sendto` and one `recvmsg` per message where TCP writes and reads \
               many frames per call; the producer's receiving thread sends nearly all of them, refilling the \
               window as acknowledgements come, at about 3 µs per `sendto` (on loopback it runs the receiving side \
               of the stack and its wake-up too), and is busy for most of the run: about 7 µs of CPU per message on \
               2 CPUs (perf, bench/README.md)",
    why_big: "no target on this base: the message fits one datagram",
    why_create: "a creation is a round trip to the admin over the program's UDP stream (a DATA and an ACK datagram \
                 each way; in the admin, two bridge threads per stream between the socket and its tasks), and the \
                 new actor process starts its socket's threads (one reads, one keeps the timers): on one \
                 CPU a creation takes 0.13–0.17 ms more than on TCP, 75–85 µs of it in the actor process's own \
                 start (bench/README.md)",
};

/// Sizes of the runs on a multi-process base.
#[derive(Debug, Clone)]
pub(crate) struct MultiprocConfig {
    /// Untimed asks (and raw ping-pongs) before the timed ones.
    pub(crate) ask_warmup: u64,
    /// Timed asks, and as many timed raw ping-pongs.
    pub(crate) asks: u64,
    /// Rounds the asks and ping-pongs are interleaved in.
    pub(crate) ask_rounds: u64,
    /// One-way `u64`s from the producer to the consumer, timed.
    pub(crate) tells: u64,
    /// Untimed one-way `u64`s before them.
    pub(crate) tell_warmup: u64,
    /// Actors created one by one, each timed.
    pub(crate) creates: u64,
    /// Of those, the idle actor processes whose memory is read.
    pub(crate) idle_actors: u64,
    /// Timed round trips of the big message (after one untimed).
    pub(crate) big_trips: u64,
    /// Systems started and shut down, each timed.
    pub(crate) systems: u64,
}

impl MultiprocConfig {
    /// The full run.
    pub(crate) fn full() -> Self {
        Self {
            ask_warmup: 1_000,
            asks: 20_000,
            ask_rounds: 10,
            tells: 1_000_000,
            tell_warmup: 50_000,
            creates: 200,
            idle_actors: 50,
            big_trips: 15,
            systems: 15,
        }
    }

    /// A smoke run: every benchmark and check, small counts.
    pub(crate) fn quick() -> Self {
        Self {
            ask_warmup: 100,
            asks: 1_000,
            ask_rounds: 2,
            tells: 50_000,
            tell_warmup: 5_000,
            creates: 50,
            idle_actors: 50,
            big_trips: 3,
            systems: 3,
        }
    }

    /// The counts on `base` as one line, printed under the table.
    pub(crate) fn describe(&self, base: Multiproc) -> String {
        let g = |n: u64| group_thousands(n as f64);
        format!(
            "asks and raw ping-pongs {} each in {} interleaved rounds (warm-up {}), one-way msgs {} (warm-up {}), \
             creates {}, idle actor processes {}, {} round trips {}, systems {}",
            g(self.asks),
            g(self.ask_rounds),
            g(self.ask_warmup),
            g(self.tells),
            g(self.tell_warmup),
            g(self.creates),
            g(self.idle_actors),
            base.facts().big_size,
            g(self.big_trips),
            g(self.systems)
        )
    }
}

/// The benchmarks of one base, named `PREFIX-ask` and so on: the same functions on every
/// base, each told which base it measures.
macro_rules! benches {
    ($base:expr, $prefix:literal) => {
        &[
            Bench {
                name: concat!($prefix, "-ask"),
                about: "external ask round trip beside a raw ping-pong over the base's kind of socket",
                run: |cfg| ask_latency($base, cfg),
            },
            Bench {
                name: concat!($prefix, "-tell"),
                about: "actor→actor one-way throughput",
                run: |cfg| one_way_throughput($base, cfg),
            },
            Bench {
                name: concat!($prefix, "-create"),
                about: "create_actor latency and idle actor process memory",
                run: |cfg| actor_creation($base, cfg),
            },
            Bench {
                name: concat!($prefix, "-big"),
                about: "big message round trip (10 MiB; 60 000 bytes on UDP)",
                run: |cfg| big_message($base, cfg),
            },
            Bench {
                name: concat!($prefix, "-system"),
                about: "system start and shutdown",
                run: |cfg| system_start_and_shutdown($base, cfg),
            },
        ]
    };
}

/// The benchmarks of `multiprocQueueBase`, in table order.
const QUEUE_BENCHES: &[Bench] = benches!(Multiproc::Queue, "queue");
/// The benchmarks of `multiprocTCPBase`, in table order.
const TCP_BENCHES: &[Bench] = benches!(Multiproc::Tcp, "tcp");
/// The benchmarks of `multiprocUDPBase`, in table order.
const UDP_BENCHES: &[Bench] = benches!(Multiproc::Udp, "udp");

// ----- actors and messages --------------------------------------------------------------

/// Asks an actor for the id of its process; it answers a `u32`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
pub(crate) struct WhichProcess;

/// A big binary payload, sent as bytes (not as a sequence of `u8`s).
#[derive(Clone, Serialize, Deserialize, Message)]
pub(crate) struct Blob {
    /// The payload.
    #[serde(with = "serde_bytes")]
    pub(crate) bytes: Vec<u8>,
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blob({} bytes)", self.bytes.len())
    }
}

/// Answers a `u64` with the same `u64`, a [`Blob`] with the same blob, and
/// [`WhichProcess`] with its process id. Otherwise idle.
#[derive(Debug, Default)]
pub(crate) struct ProcessEcho;

impl Actor for ProcessEcho {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(n) = msg.downcast_ref::<u64>() {
            ctx.send(sender, *n);
        } else if let Some(blob) = msg.downcast_mut::<Blob>() {
            ctx.send(sender, Blob { bytes: std::mem::take(&mut blob.bytes) });
        } else if msg.is::<WhichProcess>() {
            ctx.send(sender, std::process::id());
        }
        Ok(())
    }
}
thespian::register_actor!(ProcessEcho);

/// Arms a [`Consumer`]: it answers [`Armed`] at once, and tells the asker [`Counted`] when
/// it has counted `count` `u64`s since.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
pub(crate) struct Expect {
    /// How many `u64`s to wait for.
    pub(crate) count: u64,
}

/// A [`Consumer`]'s answer to [`Expect`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
pub(crate) struct Armed;

/// Counts and sums the `u64`s it receives; reports them as an [`Expect`] asked, and answers
/// [`GetCount`] with what it has counted since the last [`Expect`].
#[derive(Debug, Default)]
pub(crate) struct Consumer {
    seen: Counted,
    expected: u64,
    report_to: Option<ActorAddress>,
}

impl Actor for Consumer {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(n) = msg.downcast_ref::<u64>() {
            self.seen.count += 1;
            self.seen.sum = self.seen.sum.wrapping_add(*n);
            if self.seen.count == self.expected {
                if let Some(to) = self.report_to.take() {
                    ctx.send(&to, self.seen);
                }
            }
        } else if let Some(expect) = msg.downcast_ref::<Expect>() {
            self.seen = Counted::default();
            self.expected = expect.count;
            self.report_to = Some(sender.clone());
            ctx.send(sender, Armed);
        } else if msg.is::<GetCount>() {
            ctx.send(sender, self.seen);
        }
        Ok(())
    }
}
thespian::register_actor!(Consumer);

// ----- helpers ----------------------------------------------------------------------------

/// A fresh system of `base` (on a free Admin Port where it has one), shut down when dropped.
fn system(base: Multiproc) -> Result<ActorSystem, ActorSystemError> {
    ActorSystem::builder().base(base.name()).admin_port(0).shutdown_on_drop(true).logging(Logging::Off).build()
}

/// Shuts `asys` down and waits until every process it ran has ended: the processes this
/// program started (the admin) and theirs (the zygote, the actors), found before the shutdown,
/// so that one reparented to `init` when its parent exits first is still waited for.
fn shut_down(asys: &ActorSystem) -> Result<(), BenchError> {
    let processes = descendants(std::process::id())?;
    asys.shutdown()?;
    let deadline = Instant::now() + ANSWER;
    while let Some(left) = processes.iter().find(|&&pid| !process_ended(pid)) {
        if Instant::now() > deadline {
            return Err(format!("process {left} of the system still runs {ANSWER:?} after its shutdown").into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// Asks `to` and expects an `R` within [`ANSWER`].
fn answer<R: Message>(asys: &ActorSystem, to: &ActorAddress, msg: impl Message, what: &str) -> Result<R, BenchError> {
    asys.ask_as::<R>(to, msg, ANSWER)?
        .ok_or_else(|| format!("{what}: no {} answer within {ANSWER:?}", std::any::type_name::<R>()).into())
}

/// Median of nanosecond samples, in the unit's scale (`scale` ns per unit).
fn median(samples: &mut [u64], scale: f64) -> f64 {
    samples.sort_unstable();
    percentile(samples, 0.5) as f64 / scale
}

/// One end of a raw connection over a base's kind of socket, carrying 8-byte words.
enum RawEnd {
    Unix(UnixStream),
    Tcp(TcpStream),
    Udp(UdpSocket),
}

impl RawEnd {
    /// Two connected ends, on this machine.
    fn pair(socket: Socket) -> io::Result<(Self, Self)> {
        match socket {
            Socket::Unix => {
                let (a, b) = UnixStream::pair()?;
                Ok((Self::Unix(a), Self::Unix(b)))
            }
            Socket::Tcp => {
                let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
                let a = TcpStream::connect(listener.local_addr()?)?;
                let (b, _) = listener.accept()?;
                a.set_nodelay(true)?;
                b.set_nodelay(true)?;
                Ok((Self::Tcp(a), Self::Tcp(b)))
            }
            Socket::Udp => {
                let (a, b) = (UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?, UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?);
                a.connect(b.local_addr()?)?;
                b.connect(a.local_addr()?)?;
                // A lost datagram fails the run instead of hanging it.
                a.set_read_timeout(Some(ANSWER))?;
                b.set_read_timeout(Some(ANSWER))?;
                Ok((Self::Udp(a), Self::Udp(b)))
            }
        }
    }

    /// Sends `word`'s 8 bytes (one datagram on UDP).
    fn send(&mut self, word: u64) -> io::Result<()> {
        let bytes = word.to_le_bytes();
        match self {
            Self::Unix(s) => s.write_all(&bytes),
            Self::Tcp(s) => s.write_all(&bytes),
            Self::Udp(s) => s.send(&bytes).map(drop),
        }
    }

    /// The next word; `None` once the other end has closed.
    fn recv(&mut self) -> io::Result<Option<u64>> {
        let mut buf = [0u8; 8];
        let read = match self {
            Self::Unix(s) => s.read_exact(&mut buf),
            Self::Tcp(s) => s.read_exact(&mut buf),
            Self::Udp(s) => {
                // Room for more than a word: a longer datagram is an error, not a cut word.
                let mut datagram = [0u8; 16];
                match s.recv(&mut datagram)? {
                    0 => return Ok(None),
                    8 => {
                        buf.copy_from_slice(&datagram[..8]);
                        Ok(())
                    }
                    n => return Err(io::Error::other(format!("a {n}-byte datagram where 8 bytes were sent"))),
                }
            }
        };
        match read {
            Ok(()) => Ok(Some(u64::from_le_bytes(buf))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Closes this end: the other end's [`recv`](Self::recv) then returns `None` (a datagram
    /// socket has no end of stream, so an empty datagram says it).
    fn close(self) {
        if let Self::Udp(s) = &self {
            let _ = s.send(&[]);
        }
    }
}

/// The environment variable that makes this binary a raw echo process: `unix:NAME` (an
/// abstract socket), `tcp:ADDR` or `udp:ADDR`, where the bench waits for it.
pub(crate) const ECHO_VAR: &str = "THESPIAN_BENCH_RAW_ECHO";

/// In a raw echo process (see [`ECHO_VAR`]): connects back to the bench and answers every
/// word with the same word until the bench closes. Returns whether this process is one.
pub(crate) fn run_echo_process() -> bool {
    let Ok(at) = std::env::var(ECHO_VAR) else { return false };
    let end = match at.split_once(':') {
        Some(("unix", name)) => {
            use std::os::linux::net::SocketAddrExt as _;
            std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
                .and_then(|at| UnixStream::connect_addr(&at))
                .map(RawEnd::Unix)
        }
        Some(("tcp", addr)) => TcpStream::connect(addr).and_then(|s| s.set_nodelay(true).map(|()| RawEnd::Tcp(s))),
        Some(("udp", addr)) => UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|s| s.connect(addr).and_then(|()| s.send(&[1]).map(|_| RawEnd::Udp(s)))),
        _ => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{ECHO_VAR}={at:?}"))),
    };
    match end {
        Ok(mut end) => {
            while let Ok(Some(word)) = end.recv() {
                if end.send(word).is_err() {
                    break;
                }
            }
        }
        Err(e) => eprintln!("raw echo process: {e}"),
    }
    true
}

/// A raw echo in a process of its own (this binary, started again), connected to the end
/// returned: the raw ping-pong that crosses processes, as an ask does.
fn raw_echo_process(socket: Socket) -> Result<(RawEnd, std::process::Child), BenchError> {
    if std::env::var_os(ECHO_VAR).is_some() {
        return Err(format!("an echo process ({ECHO_VAR} is set) starts no echo process of its own").into());
    }
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    if cfg!(test) {
        // This binary is the test harness: it runs the one test that is the echo, never
        // the benchmarks (whose echo would start the harness again, and so on).
        command.args(["--exact", "multiproc_base::tests::raw_echo_child", "--ignored", "--quiet"]);
    }
    match socket {
        Socket::Unix => {
            use std::os::linux::net::SocketAddrExt as _;
            let name = format!("thespian-bench-echo-{}", std::process::id());
            let listener = std::os::unix::net::UnixListener::bind_addr(
                &std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?,
            )?;
            let child = command.env(ECHO_VAR, format!("unix:{name}")).spawn()?;
            let (stream, _) = listener.accept()?;
            Ok((RawEnd::Unix(stream), child))
        }
        Socket::Tcp => {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
            let child = command.env(ECHO_VAR, format!("tcp:{}", listener.local_addr()?)).spawn()?;
            let (stream, _) = listener.accept()?;
            stream.set_nodelay(true)?;
            Ok((RawEnd::Tcp(stream), child))
        }
        Socket::Udp => {
            let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
            socket.set_read_timeout(Some(ANSWER))?;
            let child = command.env(ECHO_VAR, format!("udp:{}", socket.local_addr()?)).spawn()?;
            // Its first datagram says where it is.
            let (_, from) = socket.recv_from(&mut [0u8; 16])?;
            socket.connect(from)?;
            Ok((RawEnd::Udp(socket), child))
        }
    }
}

/// A thread of this process that answers every word it reads on `end` with the same word,
/// until the other end closes.
fn raw_echo(mut end: RawEnd) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name("raw-echo".into()).spawn(move || {
        while let Ok(Some(word)) = end.recv() {
            if end.send(word).is_err() {
                break;
            }
        }
    })
}

/// A thread of this process that forwards every word it reads on `near` to `onward` and the
/// answer back, one at a time: the shape of a route through the admin, which carries the
/// message to the actor and the answer back.
fn raw_relay(mut near: RawEnd, mut onward: RawEnd) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name("raw-relay".into()).spawn(move || {
        while let Ok(Some(word)) = near.recv() {
            match onward.send(word).and_then(|()| onward.recv()) {
                Ok(Some(back)) if near.send(back).is_ok() => {}
                _ => break,
            }
        }
        onward.close();
    })
}

/// One timed raw ping-pong of `n`'s 8 bytes; checks the answer.
fn ping(end: &mut RawEnd, n: u64) -> Result<u64, BenchError> {
    let start = Instant::now();
    end.send(n)?;
    let back = end.recv()?;
    let took = nanos(start.elapsed());
    match back {
        Some(back) if back == n => Ok(took),
        other => Err(format!("raw ping-pong: sent {n}, got {other:?} back").into()),
    }
}

/// One timed `ask_as::<u64>` of `n`; checks the answer.
fn ask_once(asys: &ActorSystem, echo: &ActorAddress, n: u64) -> Result<u64, BenchError> {
    let start = Instant::now();
    let reply = asys.ask_as::<u64>(echo, n, ANSWER);
    let took = nanos(start.elapsed());
    match reply? {
        Some(r) if r == n => Ok(took),
        other => Err(format!("ask: the echo answered {other:?} to {n}").into()),
    }
}

// ----- the benchmarks ---------------------------------------------------------------------

/// External `ask_as::<u64>` round trips to a [`ProcessEcho`] actor, beside raw ping-pongs
/// of the same 8-byte payload over the base's kind of socket to a thread (direct, and
/// through a relay thread: the route through an admin), interleaved in rounds. Every
/// answer is checked.
fn ask_latency(base: Multiproc, cfg: &crate::Config) -> Result<Vec<Figure>, BenchError> {
    let (facts, cfg) = (base.facts(), &cfg.multiproc);
    let asys = system(base)?;
    let echo = asys.create_actor::<ProcessEcho>()?;
    let (mut direct, direct_far) = RawEnd::pair(facts.socket)?;
    let (mut relayed, relay_near) = RawEnd::pair(facts.socket)?;
    let (relay_onward, behind) = RawEnd::pair(facts.socket)?;
    let peers = [raw_echo(direct_far)?, raw_relay(relay_near, relay_onward)?, raw_echo(behind)?];
    let (mut crossing, mut echo_process) = raw_echo_process(facts.socket)?;

    for n in 0..cfg.ask_warmup {
        ask_once(&asys, &echo, n)?;
        ping(&mut direct, n)?;
        ping(&mut relayed, n)?;
        ping(&mut crossing, n)?;
    }
    let capacity = usize::try_from(cfg.asks).map_err(|e| e.to_string())?;
    let (mut asks, mut raws, mut relays, mut crossings) = (
        Vec::with_capacity(capacity),
        Vec::with_capacity(capacity),
        Vec::with_capacity(capacity),
        Vec::with_capacity(capacity),
    );
    let rounds = cfg.ask_rounds.max(1);
    for round in 0..rounds {
        let range = cfg.asks * round / rounds..cfg.asks * (round + 1) / rounds;
        // Each phase starts on an idle machine: right after the asks, whose waiting thread
        // spins for its reply (it never sleeps), this VM's raw ping-pongs ran 3-4 times
        // slower for a while (bench/README.md).
        std::thread::sleep(SETTLE);
        for n in range.clone() {
            raws.push(ping(&mut direct, n)?);
        }
        for n in range.clone() {
            relays.push(ping(&mut relayed, n)?);
        }
        for n in range.clone() {
            crossings.push(ping(&mut crossing, n)?);
        }
        std::thread::sleep(SETTLE);
        for n in range {
            asks.push(ask_once(&asys, &echo, n)?);
        }
    }
    direct.close();
    relayed.close();
    crossing.close();
    for peer in peers {
        peer.join().map_err(|_| "a raw ping-pong thread panicked")?;
    }
    let echoed = echo_process.wait()?;
    if !echoed.success() {
        return Err(format!("the raw echo process ended with {echoed}").into());
    }
    shut_down(&asys)?;

    asks.sort_unstable();
    let ask_median = percentile(&asks, 0.5) as f64 / 1e3;
    let ask_p99 = percentile(&asks, 0.99) as f64 / 1e3;
    let raw_median = median(&mut raws, 1e3);
    let raw_p99 = percentile(&raws, 0.99) as f64 / 1e3;
    let relay_median = median(&mut relays, 1e3);
    let crossing_median = median(&mut crossings, 1e3);
    let ratio = ask_median / raw_median;
    let detail = |what: &str| {
        format!("{} {what} in {rounds} rounds interleaved with the others", group_thousands(cfg.asks as f64))
    };
    Ok(vec![
        Figure::new("external ask round trip (`ask_as::<u64>`), median", ask_median, Unit::Micros)
            .detail(detail("asks")),
        Figure::new("external ask round trip, p99", ask_p99, Unit::Micros).detail(detail("asks")),
        Figure::new(facts.raw, raw_median, Unit::Micros)
            .detail(format!("{}; p99 {raw_p99:.2} µs", detail("round trips"))),
        Figure::new(facts.relayed, relay_median, Unit::Micros).detail(detail("round trips")),
        Figure::new(
            "the same raw ping-pong with a peer process (this binary, started again), median",
            crossing_median,
            Unit::Micros,
        )
        .detail(format!("{}; ask ÷ this: {:.2} ×", detail("round trips"), ask_median / crossing_median)),
        Figure::new("ask ÷ raw ping-pong, medians", ratio, Unit::Ratio)
            .target(Target::AtMost(ASK_RATIO_TARGET))
            .detail(format!("ask ÷ relayed ping-pong: {:.2} ×", ask_median / relay_median))
            .why_missed(facts.why_ask),
    ])
}

/// A [`Producer`] actor sends `tells` `u64`s one way to a [`Consumer`] actor, which reports
/// when it has them all. Timed from the `tell` of the order to the arrival of the report;
/// the count and the sum are checked, and checked again afterwards (no extra message).
fn one_way_throughput(base: Multiproc, cfg: &crate::Config) -> Result<Vec<Figure>, BenchError> {
    let (facts, cfg) = (base.facts(), &cfg.multiproc);
    let asys = system(base)?;
    let producer = asys.create_actor::<Producer>()?;
    let consumer = asys.create_actor::<Consumer>()?;
    let run = |count: u64, what: &str| -> Result<Duration, BenchError> {
        let _: Armed = answer(&asys, &consumer, Expect { count }, what)?;
        let start = Instant::now();
        asys.tell(&producer, Produce { to: consumer.clone(), first: 0, count })?;
        // A generous wait: a second per 10 000 messages, beyond any rate worth reporting.
        let wait = ANSWER + Duration::from_millis(count / 10);
        let report = asys.listen_as::<Counted>(wait)?;
        let took = start.elapsed();
        let expected = Counted::of_range(count);
        match report {
            Some(seen) if seen == expected => {}
            Some(seen) => {
                return Err(format!("{what}: WRONG COUNT: the consumer saw {seen:?}, expected {expected:?}").into())
            }
            None => {
                let seen: Counted = answer(&asys, &consumer, GetCount, what)?;
                return Err(format!("{what}: only {seen:?} of {expected:?} arrived within {wait:?}").into());
            }
        }
        Ok(took)
    };
    run(cfg.tell_warmup, "one-way warm-up")?;
    let took = run(cfg.tells, "one-way throughput")?;
    // Nothing more arrives: an extra (repeated) message would show here.
    std::thread::sleep(Duration::from_millis(20));
    let after: Counted = answer(&asys, &consumer, GetCount, "one-way recount")?;
    if after != Counted::of_range(cfg.tells) {
        return Err(format!("one-way throughput: WRONG COUNT after the report: {after:?}").into());
    }
    shut_down(&asys)?;
    let rate = cfg.tells as f64 / took.as_secs_f64();
    Ok(vec![Figure::new("actor→actor one-way throughput (`send` of a u64)", rate, Unit::MsgsPerSec)
        .target(Target::AtLeast(facts.tell_target))
        .detail(format!(
            "{} msgs in {:.0} ms, count and sum verified",
            group_thousands(cfg.tells as f64),
            took.as_secs_f64() * 1e3
        ))
        .why_missed(facts.why_tell)])
}

/// `creates` [`ProcessEcho`] actors created one by one from outside, each `create_actor`
/// timed; then each is asked for its process id (all must answer, each from a process of
/// its own), and the unique memory of the first `idle_actors` processes is read.
fn actor_creation(base: Multiproc, cfg: &crate::Config) -> Result<Vec<Figure>, BenchError> {
    let cfg = &cfg.multiproc;
    let asys = system(base)?;
    // One untimed creation: the admin starts this program's zygote on the first.
    asys.create_actor::<ProcessEcho>()?;
    let mut samples = Vec::new();
    let mut actors = Vec::new();
    for _ in 0..cfg.creates {
        let start = Instant::now();
        let actor = asys.create_actor::<ProcessEcho>()?;
        samples.push(nanos(start.elapsed()));
        actors.push(actor);
    }
    let mut pids = Vec::with_capacity(actors.len());
    for actor in &actors {
        let pid: u32 = answer(&asys, actor, WhichProcess, "actor creation")?;
        pids.push(pid);
    }
    let mut distinct = pids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != pids.len() || pids.contains(&std::process::id()) {
        return Err(format!("actor creation: {} actors answered from {} processes", pids.len(), distinct.len()).into());
    }
    let idle = usize::try_from(cfg.idle_actors).map_err(|e| e.to_string())?;
    if pids.len() < idle {
        return Err(format!("actor creation: {} actors is fewer than the {idle} to measure", pids.len()).into());
    }
    let mut uss = pids[..idle].iter().map(|&pid| uss_bytes(pid)).collect::<Result<Vec<_>, _>>()?;
    shut_down(&asys)?;

    samples.sort_unstable();
    let create_median = percentile(&samples, 0.5) as f64 / 1e6;
    let create_p90 = percentile(&samples, 0.9) as f64 / 1e6;
    uss.sort_unstable();
    let mean = uss.iter().sum::<u64>() as f64 / idle as f64;
    let (min, max) = (uss.first().copied().unwrap_or(0), uss.last().copied().unwrap_or(0));
    Ok(vec![
        Figure::new("`create_actor` from outside, median", create_median, Unit::Millis)
            .target(Target::AtMost(CREATE_TARGET_MS))
            .detail(format!(
                "{} actors, each timed, each answered from its own process; p90 {create_p90:.2} ms",
                group_thousands(cfg.creates as f64)
            ))
            .why_missed(base.facts().why_create),
        Figure::new("USS per idle actor process (Private_Clean + Private_Dirty)", mean, Unit::Bytes)
            .target(Target::AtMost(USS_TARGET_BYTES))
            .detail(format!(
                "mean over {idle} processes, {} … {} KiB",
                group_thousands((min / 1024) as f64),
                group_thousands((max / 1024) as f64)
            ))
            .why_missed("pages an actor process writes after the fork (heap, its threads' stacks) are its own"),
    ])
}

/// Round trips of a big [`Blob`] (`serde_bytes`; 10 MiB, or what fits in a datagram) to a
/// [`ProcessEcho`] actor: one untimed, then `big_trips` timed; each answer is compared byte
/// for byte.
fn big_message(base: Multiproc, cfg: &crate::Config) -> Result<Vec<Figure>, BenchError> {
    let (facts, cfg) = (base.facts(), &cfg.multiproc);
    let asys = system(base)?;
    let echo = asys.create_actor::<ProcessEcho>()?;
    // Bytes that differ from position to position, so a reordered or truncated copy shows.
    let bytes: Vec<u8> = (0..facts.big_bytes).map(|i| (i % 251) as u8).collect();
    let mut samples = Vec::new();
    for trip in 0..=cfg.big_trips {
        let blob = Blob { bytes: bytes.clone() };
        let start = Instant::now();
        let back: Blob = answer(&asys, &echo, blob, "big message")?;
        let took = nanos(start.elapsed());
        if back.bytes != bytes {
            return Err(
                format!("big message: {} bytes came back, not the {} sent", back.bytes.len(), bytes.len()).into()
            );
        }
        if trip > 0 {
            samples.push(took);
        }
    }
    shut_down(&asys)?;
    samples.sort_unstable();
    let med = percentile(&samples, 0.5) as f64 / 1e6;
    let max = samples.last().copied().unwrap_or(0) as f64 / 1e6;
    Ok(vec![Figure::new(facts.big, med, Unit::Millis)
        .target(facts.big_target.map_or(Target::None, Target::AtMost))
        .detail(format!(
            "{} round trips after 1 untimed, each compared byte for byte; max {max:.1} ms",
            group_thousands(cfg.big_trips as f64)
        ))
        .why_missed(facts.why_big)])
}

/// `systems` systems started (`build`) and shut down (`shutdown`), each call timed; each
/// system answers a status request between the two (untimed). After `shutdown` returns,
/// the time until every process of the system (its admin, and the admin's children) has
/// ended is taken too.
fn system_start_and_shutdown(base: Multiproc, cfg: &crate::Config) -> Result<Vec<Figure>, BenchError> {
    let (facts, cfg) = (base.facts(), &cfg.multiproc);
    let mut starts = Vec::new();
    let mut stops = Vec::new();
    let mut gone = Vec::new();
    let before = descendants(std::process::id())?;
    for _ in 0..cfg.systems {
        let start = Instant::now();
        let asys = system(base)?;
        starts.push(nanos(start.elapsed()));
        let status = asys.status()?;
        if status.actor_count != 0 {
            return Err(format!("system start: a fresh system has {} actors", status.actor_count).into());
        }
        // The processes this system added: its admin and whatever the admin started.
        let mine: Vec<u32> = descendants(std::process::id())?.into_iter().filter(|p| !before.contains(p)).collect();
        let stop = Instant::now();
        asys.shutdown()?;
        stops.push(nanos(stop.elapsed()));
        while !mine.iter().all(|&pid| process_ended(pid)) {
            if stop.elapsed() > ANSWER {
                return Err(format!("system shutdown: processes {mine:?} still run {ANSWER:?} after `shutdown`").into());
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        gone.push(nanos(stop.elapsed()));
    }
    let detail = format!("{} systems, {}", group_thousands(cfg.systems as f64), facts.systems);
    let (start, stop) = (median(&mut starts, 1e6), median(&mut stops, 1e6));
    // The slowest of each, shown beside the median: a rare stall does not move a median.
    let slowest = |sorted: &[u64]| sorted.last().copied().unwrap_or(0) as f64 / 1e6;
    Ok(vec![
        Figure::new("system start (`build`, a new admin process), median", start, Unit::Millis)
            .target(Target::AtMost(SYSTEM_TARGET_MS))
            .detail(format!("{detail}; slowest {:.2} ms", slowest(&starts)))
            .why_missed(
                "the admin is a new process of this program, which must start and listen before `build` returns",
            ),
        Figure::new("system shutdown (`shutdown`), median", stop, Unit::Millis)
            .target(Target::AtMost(SYSTEM_TARGET_MS))
            .detail(format!("{detail}; slowest {:.2} ms", slowest(&stops)))
            .why_missed("the admin stops its zygote and actors before it acknowledges"),
        Figure::new("system shutdown until its processes have ended, median", median(&mut gone, 1e6), Unit::Millis)
            .detail(
                "from the `shutdown` call until the admin and its children are gone or zombies; polled every 50 µs",
            ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw echo process of the ask benchmark when the benchmarks run as tests: this
    /// test harness, started again with [`ECHO_VAR`] set, runs only this test.
    #[test]
    #[ignore = "run in a child process by the ask benchmark's test"]
    fn raw_echo_child() {
        assert!(run_echo_process(), "run only with {ECHO_VAR} set, by the ask benchmark");
    }

    #[test]
    fn raw_ping_pongs_answer_and_end_on_every_kind_of_socket() {
        for socket in [Socket::Unix, Socket::Tcp, Socket::Udp] {
            let pair = || RawEnd::pair(socket).unwrap_or_else(|e| panic!("{socket:?}: no pair: {e}"));
            let ((mut direct, far), (mut relayed, near), (onward, behind)) = (pair(), pair(), pair());
            let peers = [raw_echo(far), raw_relay(near, onward), raw_echo(behind)];
            for n in [0, 1, u64::MAX, 42] {
                for end in [&mut direct, &mut relayed] {
                    ping(end, n).unwrap_or_else(|e| panic!("{socket:?}: {e}"));
                }
            }
            direct.close();
            relayed.close();
            // Each peer ends once its other end has closed.
            for peer in peers {
                assert!(peer.expect("a peer thread starts").join().is_ok(), "{socket:?}");
            }
        }
    }

    /// An address with the largest numbers a peer could send: the longest encoding.
    fn widest_address() -> ActorAddress {
        use serde::de::value::{Error, SeqDeserializer};
        use serde::de::IntoDeserializer as _;
        let parts =
            [u64::MAX.into_deserializer(), u64::from(u32::MAX).into_deserializer(), u64::MAX.into_deserializer()];
        ActorAddress::deserialize(SeqDeserializer::<_, Error>::new(parts.into_iter()))
            .unwrap_or_else(|e| panic!("an address deserializes from three numbers: {e}"))
    }

    #[test]
    fn the_udp_big_message_fits_one_datagram_with_its_envelope_and_room_to_spare() {
        use thespian::wire::frame::Frame;
        use thespian::wire::WireEnvelope;
        let blob = Blob { bytes: vec![0xA5; UDP.big_bytes] };
        let envelope = WireEnvelope::new(widest_address(), widest_address(), &blob).expect("a blob encodes");
        let frame = Frame::Envelope { seq: u64::MAX, envelope }.encode().expect("a frame encodes");
        // The largest UDP payload over IPv4 is 65 507 bytes; leave 1 KiB for the base's own
        // header and the frame's length.
        assert!(frame.len() + 1024 <= 65_507, "{} bytes", frame.len());
    }

    #[test]
    fn each_base_has_its_own_benches_and_name() {
        assert_eq!(Multiproc::Queue.name(), "multiprocQueueBase");
        assert_eq!(Multiproc::Tcp.name(), "multiprocTCPBase");
        assert_eq!(Multiproc::Udp.name(), "multiprocUDPBase");
        for base in [Multiproc::Queue, Multiproc::Tcp, Multiproc::Udp] {
            assert_eq!(base.benches().len(), 5, "{base:?}");
        }
    }
}
