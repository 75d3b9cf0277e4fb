//! Direct connections between the processes of a multi-process system (spec §9.4: each
//! actor process listens on a port of its own and talks to its peers directly, unless the
//! system uses "Admin Routing").
//!
//! Mail starts out through the admin. The first time a process has mail for a host it asks
//! the admin where that host listens ([`Control::Locate`]); once connected, it sends a
//! [`Control::Marker`] through the admin, behind everything it sent that way, and from then
//! on writes to the peer directly. The peer holds what comes directly from it until the
//! marker arrives, so each sender's mail keeps its order across the switch of routes. One
//! connection serves both directions: the accepting side sends on it too, after its own
//! marker.
//!
//! On `multiprocUDPBase` a connection is a [`udp::Stream`] on the process's one UDP socket
//! (spec §9.5). What such a stream had not confirmed when it failed, or when its peer's
//! process was lost, goes to the admin, which delivers it or makes it a dead letter.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd as _;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::conn::{Congestion, PeerStream, Writer};
use super::link::{Link, LinkState};
use super::proto::{self, Control, PeerAt, Reader};
use super::udp;
use crate::wire::frame::{Frame, FrameError, Hello, Role};
use nix::sys::eventfd::{EfdFlags, EventFd};

/// How many frames may wait, over all peers, for their senders' markers. A peer that sends
/// more before its marker arrives is no peer of this system's: its connection is closed.
const MAX_EARLY: usize = 100_000;

/// How long a connection to a peer may take to open and handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One process's direct connections, kept in its link's state.
#[derive(Default)]
pub(crate) struct Peers {
    /// Who this process is: its system and host number; `None` until known, or when every
    /// message goes through the admin.
    me: Option<(u64, u32)>,
    /// The connection this process sends on to each peer, by the peer's host.
    writers: HashMap<u32, (u64, Writer)>,
    /// Hosts asked of the admin (or connected): each is asked once.
    asked: HashSet<u32>,
    /// Hosts whose marker arrived: what they send directly is delivered as it comes.
    marked: HashSet<u32>,
    /// What came directly from a host before its marker.
    early: HashMap<u32, Vec<Frame>>,
    /// How many frames `early` holds.
    early_count: usize,
    /// Every connection's socket, to close them all when the process leaves the system.
    sockets: HashMap<u64, (u32, PeerStream)>,
    /// On each connection this process sends mail on (TCP and Unix sockets): what the peer
    /// has not acknowledged yet. A UDP stream keeps its own.
    sent: HashMap<u64, Sent>,
    /// On each connection this process reads (TCP and Unix sockets): what it acknowledged.
    got: HashMap<u64, Received>,
    /// The process's UDP socket, on `multiprocUDPBase`: connections are streams on it.
    pub(crate) udp: Option<Arc<udp::Endpoint>>,
    /// The reader threads, joined once their sockets are closed.
    readers: Vec<JoinHandle<()>>,
    /// The reading halves of the TCP and Unix connections, for a program's thread that
    /// waits for an answer to read them too (`Link::spin_until_woken`).
    pub(crate) inbounds: Vec<Arc<Inbound>>,
    /// How many reader threads have not reached the end of their connection.
    reading: usize,
    /// The goodbye was said: a connection opened since is told at once.
    leaving: bool,
    /// The admin was told this process leaves: it waits for no connection any more, so one
    /// opened since is closed unread.
    left: bool,
    next_connection: u64,
}

impl Peers {
    /// This process sends directly from now on, as host `host` of `system`.
    pub(crate) fn enable(&mut self, system: u64, host: u32) {
        self.me = Some((system, host));
    }

    /// Sends `frame` to `host`: directly if connected, else through the admin's `writer`,
    /// asking the admin, once, where `host` listens.
    pub(crate) fn send(&mut self, admin: &mut Writer, host: u32, frame: Frame) -> Result<(), FrameError> {
        let Some((id, writer)) = self.writers.get_mut(&host) else {
            if let Some((_, me)) = self.me {
                if host != 0 && host != me && self.asked.insert(host) {
                    admin.control(&Control::Locate(host))?;
                }
            }
            return admin.send(&frame);
        };
        let id = *id;
        // What could not be written, and the frame if it is not kept for a hand-back.
        let unsent = match (frame, self.sent.get_mut(&id)) {
            // Numbered, and kept until the peer acknowledges it.
            (Frame::Envelope { envelope, .. }, Some(sent)) => {
                let numbered = Frame::Envelope { seq: sent.next_seq, envelope };
                let written = piggyback(self.got.get_mut(&id), writer).and_then(|()| writer.send(&numbered));
                sent.unacked.push_back(numbered);
                sent.next_seq += 1;
                written.err().map(|e| (e, None))
            }
            (frame, _) => writer.send(&frame).err().map(|e| (e, Some(frame))),
        };
        let Some((e, frame)) = unsent else { return Ok(()) };
        // The peer is going or gone; the admin knows what became of it.
        tracing::debug!(host, error = %e, "a direct connection failed; sending through the admin");
        self.failed(host, admin);
        // A numbered envelope went with the rest the peer did not acknowledge.
        frame.map_or(Ok(()), |frame| admin.send(&frame))
    }

    /// Writes out what is buffered for every peer; a peer that cannot be written to is
    /// dropped (its host's loss reaches this process through the admin).
    pub(crate) fn flush(&mut self, admin: &mut Writer) {
        let mut failed = Vec::new();
        for (host, (id, writer)) in &mut self.writers {
            // An acknowledgement owed rides along with mail, never alone: the reader sends
            // those (`ack`).
            let ack = if writer.has_unflushed() { piggyback(self.got.get_mut(id), writer) } else { Ok(()) };
            if let Err(e) = ack.and_then(|()| writer.flush()) {
                tracing::debug!(host, error = %e, "a direct connection failed");
                failed.push(*host);
            }
        }
        for host in failed {
            self.failed(host, admin);
        }
    }

    /// The connection this process sent to `host` on failed: it is dropped, and what the
    /// peer did not acknowledge goes through the admin (delivered, or a dead letter if the
    /// peer's process is gone), after what was sent through the admin before.
    fn failed(&mut self, host: u32, admin: &mut Writer) {
        if let Some((id, _)) = self.writers.remove(&host) {
            self.hand_back(id, admin);
        }
    }

    /// What the peer of connection `id` did not acknowledge goes to the `admin`, in order.
    fn hand_back(&mut self, id: u64, admin: &mut Writer) {
        let Some(sent) = self.sent.remove(&id) else { return };
        if !sent.unacked.is_empty() {
            tracing::debug!(frames = sent.unacked.len(), "unacknowledged frames go through the admin");
        }
        for frame in sent.unacked {
            if admin.send(&frame).is_err() {
                return;
            }
        }
    }

    /// The peer of connection `id` has every frame up to `up_to`.
    fn acknowledged(&mut self, id: u64, up_to: u64) {
        if let Some(sent) = self.sent.get_mut(&id) {
            let oldest = sent.next_seq - sent.unacked.len() as u64;
            let done = up_to.saturating_add(1).saturating_sub(oldest).min(sent.unacked.len() as u64);
            sent.unacked.drain(..done as usize);
        }
    }

    /// Acknowledges what arrived on connection `id`, now if `now` or if many frames wait for
    /// it, else later ([`ACK_DELAY`], or on the next frame this process sends on it).
    /// Returns whether an acknowledgement is still owed.
    fn ack(&mut self, id: u64, now: bool) -> bool {
        let Some(got) = self.got.get_mut(&id) else { return false };
        if !got.owes(if now { 1 } else { ACK_EVERY }) {
            return got.owes(1);
        }
        let Some(frame) = got.take_ack() else { return false };
        match self.writers.values_mut().find(|(conn, _)| *conn == id) {
            Some((_, writer)) => drop(writer.send(&frame).and_then(|()| writer.flush())),
            // A connection this process only reads (it sends to that host on another): the
            // acknowledgements are all it writes on it.
            None => {
                if let Some((_, socket)) = self.sockets.get(&id) {
                    write_frame(socket, frame);
                }
            }
        }
        false
    }

    /// The marker of `from` arrived through the admin: what it sent directly follows it.
    pub(crate) fn marked(&mut self, from: u32, inbound: &mut std::collections::VecDeque<Frame>) {
        self.marked.insert(from);
        let early = self.early.remove(&from).unwrap_or_default();
        self.early_count -= early.len();
        inbound.extend(early);
    }

    /// A frame that came directly from `from` on connection `id`; false if too many wait for
    /// their markers, or the frame is out of sequence.
    fn arrived(&mut self, from: u32, id: u64, frame: Frame, inbound: &mut std::collections::VecDeque<Frame>) -> bool {
        if let (Frame::Envelope { seq, .. }, Some(got)) = (&frame, self.got.get_mut(&id)) {
            if !got.arrived(*seq) {
                tracing::warn!(from, seq, "a direct connection sent a frame out of sequence");
                return false;
            }
        }
        match frame {
            Frame::Ack { up_to } => self.acknowledged(id, up_to),
            Frame::Envelope { .. } if self.marked.contains(&from) => inbound.push_back(frame),
            Frame::Envelope { .. } if self.early_count >= MAX_EARLY => return false,
            Frame::Envelope { .. } => {
                self.early_count += 1;
                self.early.entry(from).or_default().push(frame);
            }
            other => tracing::debug!(from, ?other, "a direct connection carries only mail; ignored"),
        }
        true
    }

    /// `host`'s process is gone: so are the connections to it. What they had not confirmed
    /// goes to the `admin`, which knows the host is gone.
    pub(crate) fn lost(&mut self, host: u32, admin: &mut Writer) {
        let writer = self.writers.remove(&host).map(|(id, _)| id);
        if let Some(id) = writer {
            self.hand_back(id, admin);
        }
        // Every connection to it ends, also one this process only reads: on UDP nothing else
        // would end it until the keepalive gave up, and a process leaving waits for it.
        self.sockets.retain(|id, (peer, socket)| {
            if *peer != host {
                return true;
            }
            if writer == Some(*id) {
                socket.hand_back(admin);
            }
            socket.shutdown();
            false
        });
        self.marked.remove(&host);
        self.early_count -= self.early.remove(&host).map_or(0, |early| early.len());
    }

    /// This process is leaving (its actors are gone): says goodbye on every connection, so
    /// that each peer stops sending on it and closes it. What a peer sent before it read the
    /// goodbye still arrives here, to be handled as a dead letter, instead of being lost with
    /// the process; afterwards a peer sends through the admin, which knows the host is gone.
    pub(crate) fn say_bye(&mut self) {
        // On a connection this process writes to, the goodbye follows what it wrote.
        let mut written = HashSet::new();
        for (id, mut writer) in self.writers.drain().map(|(_, writer)| writer) {
            if writer.send(&Frame::Bye).and_then(|()| writer.flush()).is_ok() {
                written.insert(id);
            }
        }
        // The peers read up to the goodbye, and handle what they read.
        self.sent.clear();
        self.leaving = true;
        for (_, (_, socket)) in self.sockets.iter().filter(|(id, _)| !written.contains(id)) {
            bye(socket);
        }
    }

    /// The connections that more than [`CONGESTED`](super::conn::CONGESTED) bytes wait on.
    pub(crate) fn congestion(&self) -> impl Iterator<Item = Congestion> + '_ {
        self.writers.values().filter_map(|(_, writer)| writer.congested())
    }

    /// This process tells the admin it leaves: see `left`.
    pub(crate) fn leave(&mut self) {
        self.left = true;
    }

    /// How many connections are still being read.
    pub(crate) fn reading(&self) -> usize {
        self.reading
    }

    /// Closes every connection, so that each reader thread ends; returns the threads to join.
    pub(crate) fn close_all(&mut self) -> Vec<JoinHandle<()>> {
        self.me = None;
        self.writers.clear();
        self.sent.clear();
        self.got.clear();
        for (_, (_, socket)) in self.sockets.drain() {
            socket.shutdown();
        }
        std::mem::take(&mut self.readers)
    }
}

/// Says goodbye on `socket`: the peer sends nothing more on it and closes it.
fn bye(socket: &PeerStream) {
    write_frame(socket, Frame::Bye);
}

/// Writes a small frame on a connection this process sends no mail on.
fn write_frame(socket: &PeerStream, frame: Frame) {
    let mut bytes = bytes::BytesMut::new();
    let mut codec = crate::wire::frame::FrameCodec::new();
    if tokio_util::codec::Encoder::encode(&mut codec, frame, &mut bytes).is_ok() {
        let _ = socket.try_clone().and_then(|mut s| s.write_all(&bytes));
    }
}

/// Before mail this process sends on a connection, the acknowledgement it owes the peer
/// for what came on the same connection: no write of its own.
fn piggyback(got: Option<&mut Received>, writer: &mut Writer) -> Result<(), FrameError> {
    match got.and_then(Received::take_ack) {
        Some(ack) => writer.send(&ack),
        None => Ok(()),
    }
}

/// Mail sent on one connection and not acknowledged yet.
struct Sent {
    /// The number of the next envelope (the first is 1).
    next_seq: u64,
    /// The envelopes numbered `next_seq - unacked.len()` and on, in order.
    unacked: std::collections::VecDeque<Frame>,
}

impl Default for Sent {
    fn default() -> Self {
        Self { next_seq: 1, unacked: std::collections::VecDeque::new() }
    }
}

/// Numbered mail received on one connection, and what of it was acknowledged: on a direct
/// connection, and on an actor process's connection to the admin.
#[derive(Default)]
pub(crate) struct Received {
    /// The number of the last envelope received.
    up_to: u64,
    /// The highest number acknowledged to the sender.
    acked: u64,
}

impl Received {
    /// Envelope `seq` arrived; false if it is not the next one.
    pub(crate) fn arrived(&mut self, seq: u64) -> bool {
        let next = seq == self.up_to + 1;
        self.up_to = seq;
        next
    }

    /// Whether at least `many` envelopes (one at least) wait for an acknowledgement.
    pub(crate) fn owes(&self, many: u64) -> bool {
        self.up_to != self.acked && self.up_to - self.acked >= many
    }

    /// The acknowledgement owed, if any, counted as sent.
    pub(crate) fn take_ack(&mut self) -> Option<Frame> {
        (self.up_to != self.acked).then(|| {
            self.acked = self.up_to;
            Frame::Ack { up_to: self.up_to }
        })
    }
}

/// An acknowledgement goes at once after this many envelopes.
pub(crate) const ACK_EVERY: u64 = 64;

/// An acknowledgement owed goes at most this long after the envelope, if no mail going back
/// carried it first.
const ACK_DELAY: Duration = Duration::from_millis(5);

/// Takes direct connections, in a thread of its own, the way the system's `base` does: on a
/// TCP port or a UDP socket of `ip` (any free port), or on an abstract Unix socket named
/// after the system and this process's host; returns where peers reach this process.
pub(crate) fn listen(link: &Arc<Link>, ip: IpAddr, base: &str) -> std::io::Result<PeerAt> {
    if base == super::QUEUE {
        use std::os::linux::net::SocketAddrExt as _;
        let Some((system, me)) = link.lock().peers.me else {
            return Err(io::Error::new(io::ErrorKind::NotConnected, "this process has left"));
        };
        let name = format!("{}-{me}", super::queue_socket_name(system));
        let at = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        let listener = UnixListener::bind_addr(&at)?;
        let link = Arc::clone(link);
        std::thread::Builder::new().name("thespian-peers".to_string()).spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                welcome(&link, PeerStream::Unix(stream));
            }
        })?;
        return Ok(PeerAt::Unix(name));
    }
    if base == super::UDP {
        let endpoint = Arc::new(udp::Endpoint::bind(SocketAddr::new(ip, 0), true)?);
        let at = endpoint.local_addr();
        // Weak: the link holds the endpoint.
        let watching = Arc::downgrade(link);
        endpoint.watch_with(Box::new(move |ready| {
            if let Some(link) = watching.upgrade() {
                link.await_input(ready);
            }
        }));
        link.lock().peers.udp = Some(Arc::clone(&endpoint));
        let link = Arc::clone(link);
        std::thread::Builder::new().name("thespian-peers".to_string()).spawn(move || {
            while let Some(stream) = endpoint.accept() {
                welcome(&link, PeerStream::Udp(stream));
            }
        })?;
        return Ok(PeerAt::Inet(at));
    }
    let listener = TcpListener::bind(SocketAddr::new(ip, 0))?;
    let at = listener.local_addr()?;
    let link = Arc::clone(link);
    std::thread::Builder::new().name("thespian-peers".to_string()).spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            welcome(&link, PeerStream::Tcp(stream));
        }
    })?;
    Ok(PeerAt::Inet(at))
}

/// Handshakes on a connection a peer opened, in a thread of its own (a silent caller holds
/// up no one), and installs it.
fn welcome(link: &Arc<Link>, stream: PeerStream) {
    let link = Arc::clone(link);
    let _ = std::thread::Builder::new().name("thespian-peer-hello".to_string()).spawn(move || {
        match handshake(&link, stream, None) {
            Ok((host, stream)) => install(&link, host, stream),
            Err(e) => tracing::warn!(error = %e, "a direct connection failed its handshake"),
        }
    });
}

/// Connects to `host` at `at`, in a thread of its own, and sends to it directly once done.
pub(crate) fn connect(link: &Arc<Link>, host: u32, at: PeerAt) {
    let link = Arc::clone(link);
    let udp = link.lock().peers.udp.clone();
    let _ = std::thread::Builder::new().name("thespian-peer-connect".to_string()).spawn(move || {
        let opened = match (&at, &udp) {
            (PeerAt::Unix(name), _) => {
                use std::os::linux::net::SocketAddrExt as _;
                std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
                    .and_then(|at| UnixStream::connect_addr(&at))
                    .map(PeerStream::Unix)
            }
            // One stream per pair of UDP sockets: one the peer opened is the one to use.
            (PeerAt::Inet(at), Some(endpoint)) => endpoint.connect(*at).map(PeerStream::Udp),
            (PeerAt::Inet(at), None) => TcpStream::connect_timeout(at, CONNECT_TIMEOUT).map(|s| {
                let _ = s.set_nodelay(true);
                PeerStream::Tcp(s)
            }),
        };
        let connected = opened.map_err(|e| e.to_string()).and_then(|stream| handshake(&link, stream, Some(host)));
        match connected {
            Ok((host, stream)) => install(&link, host, stream),
            // Mail goes on through the admin.
            Err(e) => tracing::debug!(host, %at, error = %e, "no direct connection"),
        }
    });
}

/// Exchanges hellos; the peer must be of this system, and `expected` when given. Returns the
/// peer's host number.
fn handshake(link: &Link, mut stream: PeerStream, expected: Option<u32>) -> Result<(u32, PeerStream), String> {
    let Some((system, me)) = link.lock().peers.me else {
        stream.shutdown();
        return Err("this process has left".to_string());
    };
    stream.set_read_timeout(Some(CONNECT_TIMEOUT));
    let theirs = proto::handshake(&mut stream, Hello::new(system, u64::from(me), Role::Actor));
    let theirs = theirs.map_err(|e| {
        stream.shutdown();
        e.to_string()
    })?;
    stream.set_read_timeout(None);
    let refuse = |reason: String| {
        stream.shutdown();
        Err(reason)
    };
    let Ok(host) = u32::try_from(theirs.host) else { return refuse(format!("a peer named host {}", theirs.host)) };
    if theirs.system != system || theirs.role != Role::Actor || host == 0 || host == me {
        return refuse(format!("a peer of another system, or a stranger ({theirs:?})"));
    }
    if expected.is_some_and(|h| h != host) {
        return refuse(format!("host {host} answered where {expected:?} listens"));
    }
    Ok((host, stream))
}

/// A connection to `host` is open: its frames are filed as they come; it is the one this
/// process sends to `host` on, unless one already is.
fn install(link: &Arc<Link>, host: u32, stream: PeerStream) {
    let (Ok(reading), Ok(writing), Ok(closing), Ok(closing_for_wait)) =
        (stream.try_clone(), stream.try_clone(), stream.try_clone(), stream.try_clone())
    else {
        return;
    };
    // Made before anything is recorded of the connection: without it, the connection is
    // closed unread, and the peer sends another way.
    let kick = match &stream {
        PeerStream::Udp(_) => None,
        _ => match EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK) {
            Ok(kick) => Some(kick),
            Err(e) => {
                tracing::warn!(host, error = %e, "a direct connection is closed unread: no event descriptor for it");
                stream.shutdown();
                return;
            }
        },
    };
    let mut state = link.lock();
    let Some((_, me)) = state.peers.me else {
        stream.shutdown();
        return;
    };
    let id = state.peers.next_connection;
    state.peers.next_connection += 1;
    if state.peers.left {
        // This process told the admin it leaves, and reads no new connection to its end: the
        // peer sees it close without a goodbye, so what it sent on it goes another way.
        if let PeerStream::Udp(udp) = &stream {
            // A UDP stream confirmed what arrived as it came: that goes to the admin, which
            // makes it dead letters (the host is gone for it); the peer is reset for the rest.
            let state = &mut *state;
            for frame in udp.refuse() {
                if let Ok(Some(frame @ Frame::Envelope { .. })) = decode(&frame) {
                    let _ = state.writer.send(&frame);
                }
            }
            let _ = state.writer.flush();
        }
        stream.shutdown();
        return;
    }
    if state.peers.leaving {
        // Opened by a peer that had not heard this process is leaving.
        bye(&closing);
    } else if !state.peers.writers.contains_key(&host) {
        // Everything sent to `host` through the admin goes ahead of this marker.
        let marker = Control::Marker { from: me, to: host };
        if state.writer.control(&marker).and_then(|()| state.writer.flush()).is_err() {
            return;
        }
        state.peers.asked.insert(host);
        state.peers.writers.insert(host, (id, Writer::new(writing)));
        if !matches!(closing, PeerStream::Udp(_)) {
            state.peers.sent.insert(id, Sent::default());
        }
    }
    if !matches!(closing, PeerStream::Udp(_)) {
        state.peers.got.insert(id, Received::default());
    }
    state.peers.sockets.insert(id, (host, closing));
    state.peers.reading += 1;
    let reader_link = Arc::clone(link);
    if let PeerStream::Udp(stream) = reading {
        // The UDP socket's receiving thread files the frames itself, and runs the mail.
        drop(state);
        stream.deliver_to(Box::new(move |batch| {
            // Decoded first, then filed under one lock, with one wake-up.
            let frames = batch.into_iter().map(|delivery| match delivery {
                udp::Delivery::Frame(bytes) => decode(&bytes),
                udp::Delivery::End(None) => Ok(None),
                udp::Delivery::End(Some(reason)) => Err(reason),
            });
            let frames: Vec<_> = frames.collect();
            let outcome = {
                let mut state = reader_link.lock();
                let outcome = frames.into_iter().find_map(|frame| filed(&mut state, host, id, frame));
                drop(state);
                // Run here if it can be, as on the other bases: should a handler take long,
                // the endpoint's other thread receives meanwhile.
                reader_link.delivered();
                outcome
            };
            if let Some(failed) = outcome {
                ended(&reader_link, host, id, failed);
            }
            outcome.is_none()
        }));
        return;
    }
    let Some(kick) = kick else {
        // Made above for every connection that is not a UDP stream.
        drop(state);
        return ended(link, host, id, true);
    };
    let inbound = Arc::new(Inbound {
        host,
        id,
        socket: closing_for_wait,
        kick,
        reading: Mutex::new(Reading { frames: Reader::new(reading), owed: false, end: None, waiting: false }),
    });
    let shared = Arc::clone(&inbound);
    let reader = std::thread::Builder::new().name("thespian-peer".to_string()).spawn(move || {
        let failed = loop {
            match inbound.take_now(&reader_link, false) {
                Some(Took::Filed) => {
                    reader_link.delivered();
                    reader_link.await_input(|| inbound.fill_now());
                }
                Some(Took::Ended(failed)) => {
                    reader_link.delivered();
                    break failed;
                }
                Some(Took::Nothing) | None => {
                    if let Err(failed) = inbound.wait(&reader_link) {
                        break failed;
                    }
                }
            }
        };
        ended(&reader_link, host, id, failed);
    });
    match reader {
        Ok(reader) => {
            state.peers.readers.retain(|r| !r.is_finished());
            state.peers.readers.push(reader);
            state.peers.inbounds.push(shared);
        }
        Err(e) => {
            // Closed like a connection that failed: the peer sends another way, and so
            // does this process.
            tracing::warn!(host, error = %e, "a direct connection is closed unread: no thread to read it");
            drop(state);
            ended(link, host, id, true);
        }
    }
}

/// The reading half of a direct TCP or Unix-socket connection. Its reader thread waits for
/// input without holding it, and files what came; a program's thread that waits for an
/// answer reads it too while it watches for the answer ([`Inbound::take_now`]), so that the
/// answer does not wait for the reader thread's wake-up. Frames are read and filed under
/// one lock, so they are filed in the order they came, whoever reads them.
pub(crate) struct Inbound {
    host: u32,
    id: u64,
    /// The socket, waited on for input without the lock.
    socket: PeerStream,
    /// Wakes the reader thread from its wait: a guest left an acknowledgement owed while
    /// the thread waits with no timeout.
    kick: EventFd,
    reading: Mutex<Reading>,
}

struct Reading {
    frames: Reader<PeerStream>,
    /// An acknowledgement is owed for mail filed: it goes on its own after ACK_DELAY
    /// without mail going back to carry it.
    owed: bool,
    /// The connection ended (true: failed): whoever reads it later files nothing more.
    end: Option<bool>,
    /// The reader thread waits for input with no timeout: see [`Inbound::wait`].
    waiting: bool,
}

/// What [`Inbound::take_now`] did.
pub(crate) enum Took {
    /// Nothing was there.
    Nothing,
    /// It filed frames.
    Filed,
    /// The connection is done with (true: failed).
    Ended(bool),
}

impl Inbound {
    fn lock(&self) -> std::sync::MutexGuard<'_, Reading> {
        self.reading.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Files every whole frame the connection holds now, reading without waiting. A `guest`
    /// (a program's thread that waits for an answer) reads only if no other thread is
    /// reading (`None` otherwise), and leaves the connection's end to its reader thread.
    pub(crate) fn take_now(&self, link: &Link, guest: bool) -> Option<Took> {
        let mut reading = if guest { self.reading.try_lock().ok()? } else { self.lock() };
        if let Some(failed) = reading.end {
            // Reported once to a guest, when it met it.
            return Some(if guest { Took::Nothing } else { Took::Ended(failed) });
        }
        if guest && reading.frames.mid_frame() {
            // What is left of a large frame is the reader thread's to read: a guest's tries
            // would each zero the window it reads into.
            return None;
        }
        // Read and decoded before the link is locked: filing holds it only briefly.
        let batch = reading.frames.take_now();
        if batch.frames.is_empty() && batch.end.is_none() {
            return Some(Took::Nothing);
        }
        let mut state = link.lock();
        let mut outcome =
            batch.frames.into_iter().find_map(|frame| filed(&mut state, self.host, self.id, Ok(Some(frame))));
        if let (None, Some(end)) = (outcome, batch.end) {
            outcome = filed(&mut state, self.host, self.id, end.map(|()| None).map_err(|e| e.to_string()));
        }
        let owed = outcome.is_none() && state.peers.ack(self.id, false);
        drop(state);
        if owed && !reading.owed && reading.waiting {
            // The reader thread may have gone to wait before what this guest read came, so
            // that nothing wakes it: it is told, so that the acknowledgement goes in time.
            let _ = self.kick.write(1);
        }
        reading.owed = owed;
        Some(match outcome {
            None => Took::Filed,
            Some(failed) => {
                // Met once: whoever reads later sees it here, and files nothing more.
                reading.end = Some(failed);
                if guest {
                    // The reader thread, waiting for input, wakes to the end and ends the
                    // connection's life: `ended` runs once, there.
                    self.socket.shutdown_read();
                }
                Took::Ended(failed)
            }
        })
    }

    /// Reads what the connection holds now into the reader's buffer, without waiting and
    /// without filing it; true if anything came (or another thread is reading it).
    fn fill_now(&self) -> bool {
        self.reading.try_lock().map_or(true, |mut reading| reading.frames.fill_now())
    }

    /// The reader thread waits for input: [`ACK_DELAY`] at most while an acknowledgement
    /// is owed, else with no timeout (no timer to arm and cancel for each message). A guest
    /// that leaves an acknowledgement owed meanwhile wakes it (`kick`). With no input by the
    /// end of the wait, the acknowledgement owed goes. If the wait failed, the connection's
    /// end (a failure, unless a guest met a clean end first).
    fn wait(&self, link: &Link) -> Result<(), bool> {
        let limit = {
            let mut reading = self.lock();
            reading.waiting = !reading.owed;
            reading.owed.then_some(ACK_DELAY)
        };
        let waited = self.socket.wait_input(self.kick.as_fd(), limit);
        let mut reading = self.lock();
        reading.waiting = false;
        // Emptied: a wait that came back for the kick alone finds the owed acknowledgement
        // and waits again with its timeout.
        let _ = self.kick.read();
        match waited {
            Ok(true) => Ok(()),
            Ok(false) => {
                if reading.owed {
                    reading.owed = link.lock().peers.ack(self.id, true);
                }
                Ok(())
            }
            Err(e) => {
                tracing::debug!(host = self.host, error = %e, "waiting for a direct connection's input failed");
                Err(*reading.end.get_or_insert(true))
            }
        }
    }
}

/// One frame from `host`'s connection, or how reading it failed: filed for the kernel.
/// `Some(failed)` once the connection is done with: it ended (`false`), or failed (`true`:
/// what the peer did not confirm goes another way).
/// The caller wakes the link's waiters.
fn filed(state: &mut LinkState, host: u32, id: u64, frame: Result<Option<Frame>, String>) -> Option<bool> {
    match frame {
        // The peer is leaving: nothing more is sent on this connection either way. What was
        // sent before this was read still reaches it, to be handled there.
        Ok(Some(Frame::Bye)) => Some(false),
        // Closed without a goodbye: the peer's process may be gone, with what it had not
        // acknowledged (unless this process said goodbye, and the peer closed after it).
        Ok(None) => Some(state.peers.got.contains_key(&id) && !state.peers.leaving),
        Ok(Some(frame)) => {
            if !state.peers.arrived(host, id, frame, &mut state.inbound) {
                tracing::warn!(
                    host,
                    "a direct connection sent too much before its marker, or out of sequence, and was closed"
                );
                return Some(true);
            }
            None
        }
        Err(e) => {
            tracing::warn!(host, error = %e, "a direct connection failed, or sent a bad frame, and was closed");
            Some(true)
        }
    }
}

/// A datagram's frame.
fn decode(bytes: &[u8]) -> Result<Option<Frame>, String> {
    let mut buf = bytes::BytesMut::from(bytes);
    match tokio_util::codec::Decoder::decode(&mut crate::wire::frame::FrameCodec::new(), &mut buf) {
        Ok(Some(frame)) if buf.is_empty() => Ok(Some(frame)),
        Ok(_) => Err("a datagram that is not one whole frame".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Connection `id` to `host` is done with: it is forgotten, and closed.
fn ended(link: &Link, host: u32, id: u64, failed: bool) {
    let mut state = link.lock();
    state.peers.reading -= 1;
    state.peers.inbounds.retain(|inbound| inbound.id != id);
    link.wake();
    if state.peers.writers.get(&host).is_some_and(|(w, _)| *w == id) {
        state.peers.writers.remove(&host);
    }
    let state = &mut *state;
    state.peers.got.remove(&id);
    if failed {
        // What the peer did not acknowledge goes another way.
        state.peers.hand_back(id, &mut state.writer);
    } else {
        state.peers.sent.remove(&id);
    }
    if let Some((_, socket)) = state.peers.sockets.remove(&id) {
        // A UDP peer that stopped answering: what it did not confirm goes another way.
        if failed {
            socket.hand_back(&mut state.writer);
        }
        socket.shutdown();
    }
    if failed {
        let _ = state.writer.flush();
    }
}

#[cfg(test)]
mod tests;
