//! Confirmed delivery over UDP, for `multiprocUDPBase` (spec §9.5).
//!
//! Each process of a UDP system has one UDP socket, an [`Endpoint`]. Between two endpoints
//! there is at most one [`Stream`], which carries the same frames a TCP connection does,
//! **one frame per datagram**, so that the rest of the runtime reads and writes it as it
//! does a socket. Python's UDP base is best-effort; this one confirms delivery:
//!
//! - every datagram of a stream has a sequence number; the receiver acknowledges the
//!   highest number below which it has everything, discards duplicates and delivers in
//!   order, so each sender's order is kept;
//! - the sender keeps what is not acknowledged and sends it again, backing off, a bounded
//!   number of times; a stream whose peer never acknowledges ends with an error, and what it
//!   had not delivered is handed back ([`Stream::take_unconfirmed`]) so the caller can send
//!   it another way, or turn it into dead letters;
//! - a process that restarts on the same address is told apart by its *incarnation*, a
//!   random number every datagram carries; a datagram for a stream that has ended is
//!   answered with a reset, so its sender learns at once.
//!
//! A frame that does not fit in one datagram ([`MAX_FRAME`]) is refused when written.
//!
//! The datagrams: `DATA incarnation seq frame` (an empty frame ends the stream, like a FIN),
//! `ACK incarnation up_to`, `ALIVE incarnation` and its answer `STILL incarnation` (which
//! notice a peer that vanished while the stream was idle), each with the sender's
//! incarnation; `RESET incarnation`, with the incarnation of the endpoint it tells; and
//! `PING`/`PONG`, with which a program learns whether an admin listens on a port before it
//! starts one.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher as _, Hasher as _};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// The largest UDP payload over IPv4.
const MAX_DATAGRAM: usize = 65_507;
/// A `DATA` datagram's header: its kind, the sender's incarnation, its sequence number, and
/// the acknowledgement of the other direction that rides on it.
const HEADER: usize = 1 + 8 + 8 + 8;
/// The largest frame, its length prefix included, that one datagram carries: a message
/// whose frame is larger is refused when sent (spec §9.5: "up to 64KiB").
pub(crate) const MAX_FRAME: usize = MAX_DATAGRAM - HEADER;
/// A frame's length prefix.
const PREFIX: usize = 4;

/// Whether `frame` fits in one datagram; [`WireError::TooLarge`](crate::wire::WireError)
/// if not.
pub(crate) fn fits(frame: &crate::wire::frame::Frame) -> Result<(), crate::wire::WireError> {
    let size = frame.encode()?.len() + PREFIX;
    if size > MAX_FRAME {
        return Err(crate::wire::WireError::TooLarge { size, limit: MAX_FRAME });
    }
    Ok(())
}

const DATA: u8 = 0xD7;
const ACK: u8 = 0xA7;
const RESET: u8 = 0xE7;
const PING: u8 = 0x71;
const PONG: u8 = 0x72;
const ALIVE: u8 = 0x73;
const STILL: u8 = 0x74;

/// How many datagrams of one stream may be unacknowledged at once, and how many bytes
/// (beyond the first datagram): about what a receiving socket buffers by default.
const WINDOW: usize = 256;
const WINDOW_BYTES: usize = 160 * 1024;
/// Past this many bytes delivered and not read, the receiver stops acknowledging (the
/// sender sends again later).
const MAX_INBOX: usize = 16 * 1024 * 1024;
/// How far ahead of the next expected datagram one is kept rather than dropped, in
/// datagrams and in bytes: a sender's window never needs more, so a stranger sending
/// numbers past a gap holds this much of the receiver's memory at most.
const MAX_AHEAD: u64 = 4 * WINDOW as u64;
const MAX_AHEAD_BYTES: usize = 512 * 1024;
/// The first wait for an acknowledgement; it doubles with each try, up to [`MAX_RTO`].
const FIRST_RTO: Duration = Duration::from_millis(50);
const MAX_RTO: Duration = Duration::from_secs(1);
/// After this many sends of the same datagram without an acknowledgement (about 11.5 s in
/// all), the stream ends: its peer is gone, stopped, or unreachable.
#[cfg(not(test))]
const MAX_TRIES: u32 = 15;
#[cfg(test)]
const MAX_TRIES: u32 = 4;
/// How long an acknowledgement waits for data going the other way to ride on.
const ACK_DELAY: Duration = Duration::from_millis(1);
/// After this many datagrams delivered and not acknowledged, the acknowledgement goes at
/// once: a sender with a full window waits for it, so a one-way stream that waited
/// [`ACK_DELAY`] for each window would be capped at a window per millisecond.
const ACK_EVERY: u64 = WINDOW as u64 / 4;
/// How long the receiving thread sleeps when nothing waits for an acknowledgement.
const IDLE: Duration = Duration::from_millis(200);
/// How often the receiving thread looks for datagrams to send again.
const TICK: Duration = Duration::from_millis(10);
/// A stream that has heard nothing from its peer for this long asks whether it is still
/// there (`ALIVE`, answered by `STILL`); after [`MAX_PROBES`] questions unanswered, the
/// stream ends: so a peer that vanished while idle is noticed too.
const KEEPALIVE: Duration = Duration::from_secs(1);
const MAX_PROBES: u32 = 5;
/// How long the receiving thread may spend in sinks (which may run a handler) before the
/// thread that keeps time takes the socket over: for a long handler, the peers'
/// acknowledgements wait about that long, not until it returns.
const TAKEOVER: Duration = Duration::from_millis(10);
/// How many new streams may wait to be accepted, and how many streams an endpoint keeps.
const MAX_BACKLOG: usize = 64;
const MAX_STREAMS: usize = 1024;
/// How many ended streams are remembered, to answer their late datagrams with a reset.
const MAX_ENDED: usize = 1024;

/// What a stream hands its [`Sink`], in order: each frame as it arrives, then its end (with
/// the reason when the stream failed).
pub(crate) enum Delivery {
    Frame(Vec<u8>),
    End(Option<String>),
}

/// Takes a stream's frames on the receiving thread, a batch at a time (what one turn of the
/// thread received), with no lock of the endpoint held; returns false when it wants nothing
/// more. A batch ends with the stream's end, if it came.
pub(crate) type Sink = Box<dyn FnMut(Vec<Delivery>) -> bool + Send>;

/// One process's UDP socket and the streams on it. Dropping the last handle stops its
/// receiving thread and closes the socket.
pub(crate) struct Endpoint {
    shared: Arc<Shared>,
}

struct Shared {
    socket: UdpSocket,
    local: SocketAddr,
    incarnation: u64,
    state: Mutex<State>,
    /// Signalled when anything changes: data arrived, an acknowledgement opened the window,
    /// a stream ended, a stream waits to be accepted.
    changed: Condvar,
    /// Signalled for the thread that keeps time: a timer is due sooner than it planned to
    /// wake, or the endpoint closed (see [`Shared::run`]).
    keeper_wake: Condvar,
    /// Run by the receiving thread after it handed frames to sinks: see [`Endpoint::watch_with`].
    watch: OnceLock<Watch>,
}

/// A datagram's bytes and its sender.
type Datagram = (Vec<u8>, SocketAddr);

/// See [`Endpoint::watch_with`].
pub(crate) type Watch = Box<dyn Fn(&mut dyn FnMut() -> bool) + Send + Sync>;

#[derive(Default)]
struct State {
    streams: HashMap<SocketAddr, Conn>,
    /// New streams from peers, waiting for [`Endpoint::accept`]; `None`: this endpoint takes
    /// no streams it did not open.
    backlog: Option<VecDeque<(SocketAddr, u64)>>,
    /// Ended streams, by peer and its incarnation: their late datagrams get a reset.
    ended: VecDeque<(SocketAddr, u64)>,
    ended_set: HashSet<(SocketAddr, u64)>,
    next_id: u64,
    closed: bool,
    /// Which of the endpoint's two threads receives (see [`Shared::run`]).
    receiver: Role,
    /// Since when the receiving thread has been handing frames to sinks, if it is.
    delivering: Option<Instant>,
    /// While the other thread keeps time: when it wakes next.
    keeper: Option<Instant>,
    /// The second thread was started (at the first hand-over to a sink).
    keeper_started: bool,
}

/// One of an endpoint's two threads.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
enum Role {
    #[default]
    First,
    Second,
}

/// One stream's state.
struct Conn {
    id: u64,
    /// The peer's incarnation, once a datagram of it arrived.
    peer: Option<u64>,
    // Sending.
    next_seq: u64,
    /// Frames not confirmed yet, oldest first, with their numbers; the first `in_flight`
    /// have been sent.
    outbox: VecDeque<(u64, Vec<u8>)>,
    in_flight: usize,
    flight_bytes: usize,
    rto: Duration,
    tries: u32,
    deadline: Option<Instant>,
    /// Bytes written that do not make a whole frame yet.
    partial: Vec<u8>,
    // Receiving.
    delivered: u64,
    ahead: BTreeMap<u64, Vec<u8>>,
    ahead_bytes: usize,
    inbox: VecDeque<Vec<u8>>,
    /// How much of the first frame of `inbox` has been read.
    read_at: usize,
    inbox_bytes: usize,
    /// The peer ended its side: nothing follows what is in `inbox`.
    finished: bool,
    ack_due: bool,
    /// When the due acknowledgement goes on its own, if no data has taken it along.
    ack_at: Option<Instant>,
    /// The `delivered` the last acknowledgement sent carried.
    acked: u64,
    read_timeout: Option<Duration>,
    /// When a datagram of the peer last arrived, and how many `ALIVE` questions went
    /// unanswered since.
    heard: Instant,
    probes: u32,
    // Ends.
    /// Where the frames go as they arrive, instead of waiting to be read; taken out while
    /// a thread calls it.
    sink: Option<Sink>,
    /// The sink is out, being called: the stream is kept until it is back, even once over,
    /// so that what came meanwhile and the end still reach it.
    lent: bool,
    /// This side ended: reads see the end, writes fail.
    shut: bool,
    /// The stream failed, and why.
    failed: Option<String>,
}

impl Conn {
    /// Whether the acknowledgement due goes on its own now: the peer ended the stream (it
    /// waits for that acknowledgement to exit), [`ACK_EVERY`] datagrams wait for it, or it
    /// waited [`ACK_DELAY`] for data going back to ride on.
    fn ack_now(&mut self, now: Instant) -> bool {
        self.ack_due
            && (self.finished
                || self.delivered.saturating_sub(self.acked) >= ACK_EVERY
                || *self.ack_at.get_or_insert(now + ACK_DELAY) <= now)
    }

    fn new(id: u64, peer: Option<u64>) -> Self {
        Self {
            id,
            peer,
            next_seq: 1,
            outbox: VecDeque::new(),
            in_flight: 0,
            flight_bytes: 0,
            rto: FIRST_RTO,
            tries: 0,
            deadline: None,
            partial: Vec::new(),
            delivered: 0,
            ahead: BTreeMap::new(),
            ahead_bytes: 0,
            inbox: VecDeque::new(),
            read_at: 0,
            inbox_bytes: 0,
            finished: false,
            ack_due: false,
            ack_at: None,
            acked: 0,
            read_timeout: None,
            heard: Instant::now(),
            probes: 0,
            sink: None,
            lent: false,
            shut: false,
            failed: None,
        }
    }

    /// Nothing more will be sent or received on it, and its sink has had its end: the
    /// stream can be forgotten.
    fn over(&self) -> bool {
        self.shut && (self.outbox.is_empty() || self.failed.is_some()) && !self.lent
    }
}

/// A random number for this endpoint's incarnation.
fn random() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.finish()
}

fn datagram(kind: u8, incarnation: u64, seq: Option<u64>, frame: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER + frame.len());
    bytes.push(kind);
    bytes.extend_from_slice(&incarnation.to_be_bytes());
    if let Some(seq) = seq {
        bytes.extend_from_slice(&seq.to_be_bytes());
    }
    bytes.extend_from_slice(frame);
    bytes
}

/// A `DATA` datagram: `frame`, numbered `seq`, acknowledging everything up to `ack`.
fn data(incarnation: u64, seq: u64, ack: u64, frame: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER + frame.len());
    bytes.push(DATA);
    bytes.extend_from_slice(&incarnation.to_be_bytes());
    bytes.extend_from_slice(&seq.to_be_bytes());
    bytes.extend_from_slice(&ack.to_be_bytes());
    bytes.extend_from_slice(frame);
    bytes
}

fn word(bytes: &[u8], at: usize) -> Option<u64> {
    bytes.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
}

impl Endpoint {
    /// Binds `at` (port 0: any free one) and starts the receiving thread; with `accepting`,
    /// peers may open streams to it ([`accept`](Self::accept)).
    pub(crate) fn bind(at: SocketAddr, accepting: bool) -> io::Result<Self> {
        let socket = UdpSocket::bind(at)?;
        // Room for bursts; the system may grant less (`net.core.rmem_max`).
        let _ = nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::RcvBuf, &(4 << 20));
        let local = socket.local_addr()?;
        let shared = Arc::new(Shared {
            socket,
            local,
            incarnation: random(),
            state: Mutex::new(State { backlog: accepting.then(VecDeque::new), ..State::default() }),
            changed: Condvar::new(),
            keeper_wake: Condvar::new(),
            watch: OnceLock::new(),
        });
        let receiver = Arc::clone(&shared);
        std::thread::Builder::new().name("thespian-udp".to_string()).spawn(move || receiver.run(Role::First))?;
        Ok(Self { shared })
    }

    /// Has the receiving thread, once it has handed frames to sinks (which may have run an
    /// actor's handler), call `watch` before it sleeps in `poll`, with a test that tells,
    /// without waiting, whether a datagram is there: `watch` may spin on it for a moment, so
    /// that the next request of a program asking in a loop is taken without a sleeping
    /// thread's wake-up.
    pub(crate) fn watch_with(&self, watch: Watch) {
        let _ = self.shared.watch.set(watch);
    }

    /// Reads what the socket has now on the calling thread, and files and hands it over as
    /// the receiving thread would; true if a datagram came. A program's thread that waits
    /// for an answer calls it while it watches for the answer: the answer is then taken
    /// without waiting for the receiving thread's wake-up.
    pub(crate) fn receive_now(&self) -> bool {
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let mut batch = Vec::new();
        BUF.with_borrow_mut(|buf| {
            buf.resize(MAX_DATAGRAM + 1, 0);
            self.shared.read_burst(buf, &mut batch);
        });
        if batch.is_empty() {
            return false;
        }
        // An empty datagram from this socket is a wake-up meant for the receiving thread
        // (`Shared::wake_receiver`), which may wait with no timeout: passed on.
        if batch.iter().any(|(bytes, from)| bytes.is_empty() && from.port() == self.shared.local.port()) {
            self.shared.wake_receiver();
        }
        let mut state = self.shared.lock();
        if state.closed {
            return false;
        }
        for (bytes, from) in batch {
            self.shared.file(&mut state, &bytes, from);
        }
        let deliveries = self.shared.turn(&mut state);
        self.shared.nudge_keeper(&mut state);
        drop(state);
        self.shared.deliver(deliveries);
        true
    }

    /// The address peers reach this endpoint on.
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// Opens a stream to `to`; an error if one to `to` is open already (it is the one to use).
    pub(crate) fn connect(self: &Arc<Self>, to: SocketAddr) -> io::Result<Stream> {
        let mut state = self.shared.lock();
        if state.closed {
            return Err(io::Error::new(io::ErrorKind::NotConnected, "the endpoint is closed"));
        }
        if state.streams.get(&to).is_some_and(|c| !c.over()) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("a stream to {to} is open already")));
        }
        let id = state.next_id;
        state.next_id += 1;
        state.streams.insert(to, Conn::new(id, None));
        Ok(Stream { endpoint: Arc::clone(self), peer: to, id })
    }

    /// The next stream a peer opened; `None` once the endpoint is closed.
    pub(crate) fn accept(self: &Arc<Self>) -> Option<Stream> {
        let mut state = self.shared.lock();
        loop {
            if state.closed {
                return None;
            }
            if let Some((peer, id)) = state.backlog.as_mut().and_then(VecDeque::pop_front) {
                return Some(Stream { endpoint: Arc::clone(self), peer, id });
            }
            state = self.shared.wait(state, None);
        }
    }

    /// Waits until every stream this process has ended has had its end confirmed by its
    /// peer (or failed), or `deadline`: what a process says last, before it exits, is not
    /// lost with it.
    pub(crate) fn settle(&self, deadline: Instant) {
        let mut state = self.shared.lock();
        while state.streams.values().any(|c| c.shut && c.failed.is_none()) {
            let now = Instant::now();
            if now >= deadline || state.closed {
                return;
            }
            state = self.shared.wait(state, Some(deadline - now));
        }
    }

    /// Ends every stream and stops the receiving thread.
    pub(crate) fn close(&self) {
        let mut state = self.shared.lock();
        if state.closed {
            return;
        }
        state.closed = true;
        for conn in state.streams.values_mut() {
            conn.shut = true;
        }
        drop(state);
        self.shared.changed.notify_all();
        self.shared.keeper_wake.notify_all();
        // The receiving thread sees the endpoint closed.
        self.shared.wake_receiver();
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.close();
    }
}

/// One datagram if one is there, without waiting: its size and sender (`None` for a sender
/// that is no IP address).
fn receive_now(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<Option<(usize, Option<SocketAddr>)>> {
    use nix::sys::socket::{recvmsg, MsgFlags, SockaddrStorage};
    use std::os::fd::AsRawFd as _;
    let mut iov = [io::IoSliceMut::new(buf)];
    match recvmsg::<SockaddrStorage>(socket.as_raw_fd(), &mut iov, None, MsgFlags::MSG_DONTWAIT) {
        Ok(msg) => {
            let from = msg.address.and_then(|a| {
                a.as_sockaddr_in()
                    .map(|v4| SocketAddr::V4((*v4).into()))
                    .or_else(|| a.as_sockaddr_in6().map(|v6| SocketAddr::V6((*v6).into())))
            });
            Ok(Some((msg.bytes, from)))
        }
        Err(nix::errno::Errno::EAGAIN) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether something answers `PING` on `at`: `false` when nothing listens there.
pub(crate) fn probe(at: SocketAddr, wait: Duration) -> io::Result<bool> {
    let any: IpAddr = if at.is_ipv4() { Ipv4Addr::UNSPECIFIED.into() } else { Ipv6Addr::UNSPECIFIED.into() };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0))?;
    socket.connect(at)?;
    socket.set_read_timeout(Some(wait / 3))?;
    let mut answer = [0u8; 16];
    for _ in 0..3 {
        socket.send(&[PING])?;
        match socket.recv(&mut answer) {
            Ok(n) if n >= 1 && answer[0] == PONG => return Ok(true),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Ok(false),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>, timeout: Option<Duration>) -> MutexGuard<'a, State> {
        match timeout {
            None => self.changed.wait(state).unwrap_or_else(PoisonError::into_inner),
            Some(t) => self.changed.wait_timeout(state, t).unwrap_or_else(PoisonError::into_inner).0,
        }
    }

    /// Wakes the receiving thread, should it wait in `poll`, with an empty datagram to its
    /// own socket (which it ignores).
    fn wake_receiver(&self) {
        let to = match self.local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), self.local.port()),
            IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), self.local.port()),
            _ => self.local,
        };
        let _ = self.socket.send_to(&[], to);
    }

    fn send(&self, bytes: &[u8], to: SocketAddr) {
        #[cfg(test)]
        if tests::lose(bytes) {
            return;
        }
        // A datagram the kernel refuses (a full buffer) is sent again like a lost one.
        if let Err(e) = self.socket.send_to(bytes, to) {
            tracing::trace!(%to, error = %e, "a datagram was not sent");
        }
    }

    /// Sends what the window lets out of `conn`'s outbox.
    fn send_window(&self, conn: &mut Conn, to: SocketAddr) {
        while conn.in_flight < conn.outbox.len().min(WINDOW)
            && (conn.in_flight == 0 || conn.flight_bytes < WINDOW_BYTES)
            && conn.failed.is_none()
        {
            let (seq, frame) = &conn.outbox[conn.in_flight];
            self.send(&data(self.incarnation, *seq, conn.delivered, frame), to);
            conn.in_flight += 1;
            conn.flight_bytes += frame.len();
            // The acknowledgement rode on it.
            conn.ack_due = false;
            conn.ack_at = None;
            conn.acked = conn.delivered;
            if conn.deadline.is_none() {
                conn.deadline = Some(Instant::now() + conn.rto);
            }
        }
    }

    /// One of the endpoint's two threads. The one that has the receiver's role waits for
    /// datagrams, files them, and hands what arrived to the streams' sinks itself. A sink
    /// may run a handler: an actor process runs its mail there, as the reader threads of the
    /// other bases do, one thread hand-off fewer per message.
    ///
    /// The other thread keeps time: it sends the acknowledgements that waited for data to
    /// ride on, sends again what is not acknowledged, and asks idle peers whether they are
    /// still there, so that the receiving thread sleeps in `poll` without a timeout (on a
    /// virtual machine, arming and cancelling a timer for every wait costs more than the
    /// rest of a message's handling). When the receiving thread has been in sinks for
    /// [`TAKEOVER`] (a long handler), the time keeper takes the receiver's role, and the
    /// first thread keeps time once it is back. The second thread starts at the first
    /// hand-over to a sink; until then, and while no thread keeps time, the receiving
    /// thread keeps it too, with `poll`'s timeout.
    fn run(self: Arc<Self>, me: Role) {
        let mut buf = vec![0u8; MAX_DATAGRAM + 1];
        let mut watched = None;
        loop {
            if !self.keep_time(me) {
                return;
            }
            watched = self.receive(me, &mut buf, watched);
        }
    }

    /// How long to wait for the next timer: a moment when an acknowledgement waits for data
    /// to ride on, [`TICK`] when something waits for an acknowledgement or a sink, else
    /// [`IDLE`].
    fn timer_wait(state: &State) -> Duration {
        let busy = state.delivering.is_some() || state.streams.values().any(|c| c.deadline.is_some());
        let acks = state.streams.values().filter_map(|c| c.ack_at).min();
        let wait = if busy || acks.is_some() { TICK } else { IDLE };
        // At least a millisecond: the finest wait `poll` takes.
        acks.map_or(wait, |at| wait.min(at.saturating_duration_since(Instant::now()))).max(Duration::from_millis(1))
    }

    /// Wakes the thread that keeps time if it sleeps long (nothing was pending when it went
    /// to sleep) and a timer is now due within [`TICK`]: an acknowledgement that waits, a
    /// datagram that may need sending again, a sink to watch. While something is pending it
    /// looks every [`TICK`] anyway, so a busy stream wakes it no more often.
    fn nudge_keeper(&self, state: &mut State) {
        let late = Instant::now() + TICK;
        if state.keeper.is_some_and(|at| at > late) && Self::timer_wait(state) <= TICK {
            state.keeper = None;
            self.keeper_wake.notify_one();
        }
    }

    /// Keeps time until `me` has the receiver's role, taking it when the receiving thread
    /// has been in sinks for [`TAKEOVER`]; false once the endpoint is closed.
    fn keep_time(&self, me: Role) -> bool {
        let mut state = self.lock();
        loop {
            if state.closed {
                return false;
            }
            if state.receiver == me {
                return true;
            }
            if state.delivering.is_some_and(|since| since.elapsed() >= TAKEOVER) {
                tracing::trace!("a handler runs long: the other thread receives meanwhile");
                state.receiver = me;
                state.delivering = None;
                return true;
            }
            let deliveries = self.turn(&mut state);
            if !deliveries.is_empty() {
                // The ends of streams that failed (a sink may run a handler): the receiving
                // thread, which may be waiting with no timeout, keeps time meanwhile.
                drop(state);
                self.wake_receiver();
                self.deliver(deliveries);
                state = self.lock();
                continue;
            }
            let wait = Self::timer_wait(&state);
            state.keeper = Some(Instant::now() + wait);
            state = self.keeper_wake.wait_timeout(state, wait).unwrap_or_else(PoisonError::into_inner).0;
            state.keeper = None;
        }
    }

    /// One turn of the receiving thread: files what came (`watched`, the datagram the last
    /// turn's watch took, or what the socket has), or waits for it or the next timer, and
    /// hands the sinks their frames. A turn first reads without waiting: if that finds a
    /// datagram, it reads on until the socket is empty (a burst: one turn, one
    /// acknowledgement); if it finds none, it waits in `poll` and hands over the first
    /// datagram at once, so that the answer a thread waits for is not held up by a read
    /// that finds nothing. Returns the datagram its own watch took, if any.
    fn receive(self: &Arc<Self>, me: Role, buf: &mut [u8], watched: Option<Datagram>) -> Option<Datagram> {
        use nix::poll::{PollFd, PollFlags};
        use std::os::fd::AsFd as _;
        let wait = {
            let state = self.lock();
            if state.closed || state.receiver != me {
                return watched;
            }
            super::conn::poll_timeout(state.keeper.is_none().then(|| Self::timer_wait(&state)))
        };
        let mut batch: Vec<Datagram> = watched.into_iter().collect();
        if batch.is_empty() {
            self.read_burst(buf, &mut batch);
        }
        if batch.is_empty() {
            let mut fds = [PollFd::new(self.socket.as_fd(), PollFlags::POLLIN)];
            let _ = nix::poll::poll(&mut fds, wait);
            batch.extend(self.read_one(buf));
        }
        let mut state = self.lock();
        for (bytes, from) in batch {
            self.file(&mut state, &bytes, from);
        }
        let deliveries = self.turn(&mut state);
        if !deliveries.is_empty() {
            state.delivering = Some(Instant::now());
        }
        self.nudge_keeper(&mut state);
        if deliveries.is_empty() {
            return None;
        }
        let start = !std::mem::replace(&mut state.keeper_started, true);
        drop(state);
        if start {
            self.start_keeper(me);
        }
        self.deliver(deliveries);
        let mut state = self.lock();
        if state.receiver != me {
            return None;
        }
        state.delivering = None;
        drop(state);
        let mut taken = None;
        if let Some(watch) = self.watch.get() {
            watch(&mut || {
                taken = self.read_one(buf);
                taken.is_some()
            });
        }
        taken
    }

    /// Everything the socket has now, up to a window's worth.
    fn read_burst(&self, buf: &mut [u8], batch: &mut Vec<Datagram>) {
        while batch.len() < WINDOW {
            match self.read_one(buf) {
                Some(datagram) => batch.push(datagram),
                None => return,
            }
        }
    }

    /// One datagram from an IP address, if the socket has one now.
    fn read_one(&self, buf: &mut [u8]) -> Option<Datagram> {
        loop {
            match receive_now(&self.socket, buf) {
                Ok(Some((n, Some(from)))) => return Some((buf[..n].to_vec(), from)),
                Ok(Some((_, None))) => {}
                Ok(None) => return None,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // An ICMP error of an earlier send: not this socket's end.
                Err(e) => {
                    tracing::trace!(error = %e, "a UDP receive failed");
                    return None;
                }
            }
        }
    }

    /// Starts the thread that keeps time, and receives while the receiving thread is in
    /// sinks. Without it (it could not start), the receiving thread keeps time, and a long
    /// handler delays acknowledgements until it returns: the peers send again meanwhile.
    fn start_keeper(self: &Arc<Self>, receiver: Role) {
        let other = if receiver == Role::First { Role::Second } else { Role::First };
        let shared = Arc::clone(self);
        let started = std::thread::Builder::new().name("thespian-udp".to_string()).spawn(move || shared.run(other));
        if let Err(e) = started {
            tracing::warn!(error = %e, "no second UDP thread: a long handler delays this process's acknowledgements");
        }
    }

    /// Hands the sinks what arrived, with no lock held, then gives back those that want
    /// more, or hands them what came meanwhile (the other thread may have filed it while
    /// the sink was out).
    fn deliver(&self, mut deliveries: Vec<(SocketAddr, u64, Sink, Vec<Delivery>)>) {
        while !deliveries.is_empty() {
            let mut kept = Vec::new();
            for (peer, id, mut sink, items) in deliveries {
                let end = items.iter().any(|item| matches!(item, Delivery::End(_)));
                let more = sink(items) && !end;
                kept.push((peer, id, more.then_some(sink)));
            }
            deliveries = Vec::new();
            let mut state = self.lock();
            let mut orphans = Vec::new();
            for (peer, id, sink) in kept {
                let Some(conn) = state.streams.get_mut(&peer).filter(|c| c.id == id) else {
                    // Not while it is lent; kept as a safeguard: the sink still gets an end.
                    orphans.extend(sink);
                    continue;
                };
                let items = if sink.is_some() { Self::due(conn) } else { Vec::new() };
                match sink {
                    Some(sink) if !items.is_empty() => deliveries.push((peer, id, sink, items)),
                    sink => {
                        conn.sink = sink;
                        conn.lent = false;
                    }
                }
            }
            drop(state);
            for mut sink in orphans {
                sink(vec![Delivery::End(None)]);
            }
        }
    }

    /// What `conn`'s sink is to be given now: the frames in its inbox, then its end if it
    /// has come.
    fn due(conn: &mut Conn) -> Vec<Delivery> {
        let mut items: Vec<Delivery> = conn.inbox.drain(..).map(Delivery::Frame).collect();
        conn.inbox_bytes = 0;
        conn.read_at = 0;
        if let Some(reason) = &conn.failed {
            items.push(Delivery::End(Some(reason.clone())));
        } else if conn.finished || conn.shut {
            items.push(Delivery::End(None));
        }
        items
    }

    /// One datagram from `from`.
    fn file(&self, state: &mut State, bytes: &[u8], from: SocketAddr) {
        let (Some(&kind), Some(incarnation)) = (bytes.first(), word(bytes, 1)) else {
            if bytes == [PING] {
                self.send(&[PONG], from);
            }
            return;
        };
        match kind {
            DATA => {
                let (Some(seq), Some(ack)) = (word(bytes, 9), word(bytes, 17)) else { return };
                self.data(state, from, incarnation, (seq, ack), &bytes[HEADER..]);
            }
            ACK => {
                let Some(up_to) = word(bytes, 9) else { return };
                if let Some(conn) = self.known(state, from, incarnation) {
                    self.acknowledged(conn, from, up_to);
                }
            }
            // A reset names the incarnation it is for: this endpoint's, or an earlier one's.
            RESET if incarnation == self.incarnation => {
                if let Some(conn) = state.streams.get_mut(&from) {
                    conn.failed.get_or_insert_with(|| format!("the peer at {from} ended the stream"));
                }
            }
            ALIVE => match self.known(state, from, incarnation) {
                Some(conn) if conn.failed.is_none() => self.send(&datagram(STILL, self.incarnation, None, &[]), from),
                _ => self.send(&datagram(RESET, incarnation, None, &[]), from),
            },
            STILL => drop(self.known(state, from, incarnation)),
            _ => {}
        }
    }

    /// The stream with `from`, if `incarnation` is its peer's (learning it on the first
    /// datagram); a stream whose peer restarted ends.
    fn known<'a>(&self, state: &'a mut State, from: SocketAddr, incarnation: u64) -> Option<&'a mut Conn> {
        let conn = state.streams.get_mut(&from)?;
        conn.heard = Instant::now();
        conn.probes = 0;
        match conn.peer {
            None => conn.peer = Some(incarnation),
            Some(peer) if peer == incarnation => {}
            Some(_) => {
                conn.failed.get_or_insert_with(|| format!("the peer at {from} restarted"));
                return None;
            }
        }
        Some(conn)
    }

    /// A `DATA` datagram numbered `seq` that acknowledges everything up to `ack`.
    fn data(&self, state: &mut State, from: SocketAddr, incarnation: u64, (seq, ack): (u64, u64), frame: &[u8]) {
        // A frame is whole, or empty (the end of the stream).
        let whole = frame.is_empty()
            || frame
                .get(..PREFIX)
                .is_some_and(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize == frame.len() - PREFIX);
        let live =
            state.streams.get(&from).is_some_and(|c| c.peer.is_none_or(|p| p == incarnation) && c.failed.is_none());
        if !live {
            if let Some(old) = state.streams.get_mut(&from) {
                // A new incarnation of the peer: the old stream is over.
                if old.peer.is_some_and(|p| p != incarnation) {
                    old.failed.get_or_insert_with(|| format!("the peer at {from} restarted"));
                }
            }
            let ended = state.ended_set.contains(&(from, incarnation));
            let room = state.streams.len() < MAX_STREAMS
                && state.backlog.as_ref().is_some_and(|b| b.len() < MAX_BACKLOG)
                && !state.streams.contains_key(&from);
            if ended || !room || !whole || state.closed {
                self.send(&datagram(RESET, incarnation, None, &[]), from);
                return;
            }
            let id = state.next_id;
            state.next_id += 1;
            state.streams.insert(from, Conn::new(id, Some(incarnation)));
            if let Some(backlog) = state.backlog.as_mut() {
                backlog.push_back((from, id));
            }
        }
        let Some(conn) = self.known(state, from, incarnation) else { return };
        if !whole {
            conn.failed.get_or_insert_with(|| format!("the peer at {from} sent a malformed datagram"));
            self.send(&datagram(RESET, incarnation, None, &[]), from);
            return;
        }
        if ack > 0 {
            self.acknowledged(conn, from, ack);
        }
        conn.ack_due = true;
        if seq <= conn.delivered || conn.finished {
            return; // a duplicate: acknowledged again
        }
        let room = conn.ahead_bytes + frame.len() <= MAX_AHEAD_BYTES || seq == conn.delivered + 1;
        if conn.inbox_bytes > MAX_INBOX || seq > conn.delivered + MAX_AHEAD || !room {
            return; // dropped unread: the sender sends it again later
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = conn.ahead.entry(seq) {
            conn.ahead_bytes += frame.len();
            slot.insert(frame.to_vec());
        }
        while let Some(frame) = conn.ahead.remove(&(conn.delivered + 1)) {
            conn.ahead_bytes -= frame.len();
            conn.delivered += 1;
            if frame.is_empty() {
                conn.finished = true;
                conn.ahead.clear();
                conn.ahead_bytes = 0;
                break;
            }
            conn.inbox_bytes += frame.len();
            conn.inbox.push_back(frame);
        }
    }

    fn acknowledged(&self, conn: &mut Conn, to: SocketAddr, up_to: u64) {
        let mut advanced = false;
        while conn.outbox.front().is_some_and(|(seq, _)| *seq <= up_to) && conn.in_flight > 0 {
            if let Some((_, frame)) = conn.outbox.pop_front() {
                conn.flight_bytes -= frame.len();
            }
            conn.in_flight -= 1;
            advanced = true;
        }
        if advanced {
            conn.tries = 0;
            conn.rto = FIRST_RTO;
            conn.deadline = (conn.in_flight > 0).then(|| Instant::now() + conn.rto);
            self.send_window(conn, to);
        }
    }

    /// After a batch of datagrams: acknowledgements, sends again, ended streams forgotten;
    /// returns what the sinks are to be given.
    fn turn(&self, state: &mut State) -> Vec<(SocketAddr, u64, Sink, Vec<Delivery>)> {
        let now = Instant::now();
        let mut over = Vec::new();
        let mut deliveries = Vec::new();
        for (&peer, conn) in &mut state.streams {
            // An acknowledgement waits a moment for data going back to ride on (the answer
            // to an ask, usually), and goes on its own after ACK_DELAY, or at once when many
            // datagrams wait for it (`Conn::ack_now`).
            if conn.ack_now(now) {
                conn.ack_due = false;
                conn.ack_at = None;
                conn.acked = conn.delivered;
                self.send(&datagram(ACK, self.incarnation, Some(conn.delivered), &[]), peer);
            }
            if conn.deadline.is_some_and(|d| d <= now) && conn.failed.is_none() {
                conn.tries += 1;
                if conn.tries >= MAX_TRIES {
                    conn.failed = Some(format!("the peer at {peer} acknowledged nothing for {MAX_TRIES} tries"));
                    conn.deadline = None;
                } else {
                    for (seq, frame) in conn.outbox.iter().take(conn.in_flight) {
                        self.send(&data(self.incarnation, *seq, conn.delivered, frame), peer);
                    }
                    conn.ack_due = false;
                    conn.ack_at = None;
                    conn.acked = conn.delivered;
                    conn.rto = (conn.rto * 2).min(MAX_RTO);
                    conn.deadline = Some(now + conn.rto);
                }
            }
            if conn.failed.is_none()
                && !conn.shut
                && now.saturating_duration_since(conn.heard) >= KEEPALIVE * (conn.probes + 1)
            {
                if conn.probes >= MAX_PROBES {
                    conn.failed = Some(format!("the peer at {peer} stopped answering"));
                } else {
                    conn.probes += 1;
                    self.send(&datagram(ALIVE, self.incarnation, None, &[]), peer);
                }
            }
            if conn.failed.is_some() {
                conn.deadline = None;
            }
            if conn.sink.is_some() {
                let items = Self::due(conn);
                if !items.is_empty() {
                    if let Some(sink) = conn.sink.take() {
                        conn.lent = true;
                        deliveries.push((peer, conn.id, sink, items));
                    }
                }
            }
            if conn.over() {
                over.push(peer);
            }
        }
        let removed = !over.is_empty();
        for peer in over {
            if let Some(conn) = state.streams.remove(&peer) {
                if let Some(incarnation) = conn.peer {
                    if state.ended_set.insert((peer, incarnation)) {
                        state.ended.push_back((peer, incarnation));
                    }
                    if state.ended.len() > MAX_ENDED {
                        if let Some(old) = state.ended.pop_front() {
                            state.ended_set.remove(&old);
                        }
                    }
                }
            }
        }
        // Only threads that wait on the endpoint are woken: an accept, or a read of a stream
        // without a sink. Most frames go to sinks, and wake no one here.
        let waited_for = removed
            || state.backlog.as_ref().is_some_and(|b| !b.is_empty())
            || state.streams.values().any(|c| {
                c.sink.is_none() && !c.lent && (!c.inbox.is_empty() || c.finished || c.failed.is_some() || c.shut)
            });
        if waited_for {
            self.changed.notify_all();
        }
        deliveries
    }
}

/// A stream between two endpoints: reads and writes whole frames, one per datagram.
#[derive(Clone)]
pub(crate) struct Stream {
    endpoint: Arc<Endpoint>,
    peer: SocketAddr,
    id: u64,
}

impl Stream {
    fn shared(&self) -> &Shared {
        &self.endpoint.shared
    }

    /// Runs `f` on this stream's state, or gives `None` if the stream is gone.
    fn with<T>(&self, state: &mut State, f: impl FnOnce(&mut Conn) -> T) -> Option<T> {
        state.streams.get_mut(&self.peer).filter(|c| c.id == self.id).map(f)
    }

    /// The peer's address.
    pub(crate) fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The endpoint the stream is on.
    pub(crate) fn endpoint(&self) -> &Arc<Endpoint> {
        &self.endpoint
    }

    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) {
        let mut state = self.shared().lock();
        self.with(&mut state, |c| c.read_timeout = timeout);
    }

    /// From now on, hands each frame to `sink` on the receiving thread as it arrives, and
    /// then the stream's end, instead of keeping them to be read: one thread less between
    /// the socket and the kernel. What arrived already is handed over first, here.
    pub(crate) fn deliver_to(&self, sink: Sink) {
        let shared = self.shared();
        let mut state = shared.lock();
        let due = self.with(&mut state, |c| {
            let items = Shared::due(c);
            c.lent = !items.is_empty();
            items
        });
        match due {
            None => {
                drop(state);
                let mut sink = sink;
                sink(vec![Delivery::End(None)]);
            }
            Some(items) if items.is_empty() => drop(self.with(&mut state, |c| c.sink = Some(sink))),
            Some(items) => {
                drop(state);
                shared.deliver(vec![(self.peer, self.id, sink, items)]);
            }
        }
    }

    /// Ends this side: the peer reads the end once it has everything sent before.
    pub(crate) fn shutdown(&self) {
        let shared = self.shared();
        let mut state = shared.lock();
        self.with(&mut state, |c| {
            if !c.shut {
                c.shut = true;
                if c.failed.is_none() {
                    c.outbox.push_back((c.next_seq, Vec::new()));
                    c.next_seq += 1;
                    shared.send_window(c, self.peer);
                }
            }
        });
        shared.nudge_keeper(&mut state);
        drop(state);
        shared.changed.notify_all();
    }

    /// Refuses the stream, unread: the peer is reset at once (what it did not see confirmed
    /// goes another way there), nothing more is confirmed on it, and the frames that arrived
    /// and were confirmed are taken out, oldest first, for the caller to pass on: unlike a
    /// TCP socket closed unread, the endpoint confirmed them as they came.
    pub(crate) fn refuse(&self) -> Vec<Vec<u8>> {
        let shared = self.shared();
        let mut state = shared.lock();
        let taken = self.with(&mut state, |c| {
            c.failed.get_or_insert_with(|| "refused unread".to_string());
            c.shut = true;
            c.deadline = None;
            c.inbox_bytes = 0;
            c.read_at = 0;
            (c.inbox.drain(..).collect::<Vec<_>>(), c.peer)
        });
        let Some((frames, peer)) = taken else { return Vec::new() };
        if let Some(incarnation) = peer {
            shared.send(&datagram(RESET, incarnation, None, &[]), self.peer);
        }
        frames
    }

    /// The frames written and not confirmed by the peer, oldest first, taken out of the
    /// stream: they may have arrived, or not.
    pub(crate) fn take_unconfirmed(&self) -> Vec<Vec<u8>> {
        let mut state = self.shared().lock();
        self.with(&mut state, |c| {
            c.in_flight = 0;
            c.flight_bytes = 0;
            c.deadline = None;
            c.outbox.drain(..).map(|(_, frame)| frame).filter(|f| !f.is_empty()).collect()
        })
        .unwrap_or_default()
    }

    /// Queues one whole frame.
    fn queue(&self, state: &mut State, frame: Vec<u8>) -> io::Result<()> {
        let shared = self.shared();
        let peer = self.peer;
        self.with(state, |c| {
            if c.shut {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the stream is closed"));
            }
            c.outbox.push_back((c.next_seq, frame));
            c.next_seq += 1;
            // A failed stream keeps what is written, to be taken back unconfirmed.
            if c.failed.is_none() {
                shared.send_window(c, peer);
            }
            Ok(())
        })
        .unwrap_or_else(|| Err(io::Error::new(io::ErrorKind::BrokenPipe, "the stream is closed")))?;
        // What was sent may need sending again.
        shared.nudge_keeper(state);
        Ok(())
    }
}

impl io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let shared = Arc::clone(&self.endpoint.shared);
        let mut state = shared.lock();
        let started = Instant::now();
        loop {
            let outcome = self.with(&mut state, |c| {
                if let Some(front) = c.inbox.front() {
                    let n = (front.len() - c.read_at).min(buf.len());
                    buf[..n].copy_from_slice(&front[c.read_at..c.read_at + n]);
                    c.read_at += n;
                    if c.read_at == front.len() {
                        c.inbox_bytes -= front.len();
                        c.inbox.pop_front();
                        c.read_at = 0;
                    }
                    return Some(Ok(n));
                }
                if c.finished || c.shut {
                    return Some(Ok(0));
                }
                if let Some(reason) = &c.failed {
                    return Some(Err(io::Error::new(io::ErrorKind::ConnectionReset, reason.clone())));
                }
                match c.read_timeout {
                    Some(t) if started.elapsed() >= t => {
                        Some(Err(io::Error::new(io::ErrorKind::TimedOut, "no datagram in time")))
                    }
                    _ => None,
                }
            });
            match outcome {
                Some(Some(result)) => return result,
                None => return Ok(0),
                Some(None) => {}
            }
            if state.closed {
                return Ok(0);
            }
            let timeout = self.with(&mut state, |c| c.read_timeout).flatten();
            state =
                shared.wait(state, timeout.map(|t| t.saturating_sub(started.elapsed()).max(Duration::from_millis(1))));
        }
    }
}

impl io::Write for Stream {
    /// Takes bytes of whole frames as the frame codec writes them; each frame goes out as
    /// soon as it is whole. A frame larger than [`MAX_FRAME`] is refused.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A write never waits for the peer: the receiving thread may be handing frames to a
        // sink that needs the lock the writer holds. The peer acknowledges on receipt, so what
        // waits here is what the network has not carried yet (as a TCP socket's buffers).
        let shared = Arc::clone(&self.endpoint.shared);
        let mut state = shared.lock();
        let mut partial = self.with(&mut state, |c| std::mem::take(&mut c.partial)).unwrap_or_default();
        partial.extend_from_slice(buf);
        let mut at = 0;
        let mut outcome = Ok(buf.len());
        while let Some(prefix) = partial.get(at..at + PREFIX) {
            let size = PREFIX + u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
            if size > MAX_FRAME {
                outcome = Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("a frame of {size} bytes does not fit in one datagram ({MAX_FRAME} bytes at most)"),
                ));
                // The rest of the buffer cannot be framed any more: it is dropped.
                at = partial.len();
                break;
            }
            let Some(frame) = partial.get(at..at + size) else { break };
            self.queue(&mut state, frame.to_vec())?;
            at += size;
        }
        partial.drain(..at);
        self.with(&mut state, |c| c.partial = partial);
        outcome
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
