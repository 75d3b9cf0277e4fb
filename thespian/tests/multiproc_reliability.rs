//! The multi-process bases under hostile input (DESIGN §3 "Wire:"): random, mutated,
//! truncated and oversized frames sent from raw sockets to where a system takes connections
//! (the TCP base's Admin Port and an actor process's own port, spec §9.4; the Queue base's
//! abstract Unix socket, spec §9.3) close only their own connection; the same frames, as
//! datagrams mutated, truncated and oversized in turn, sent to a UDP system's Admin Port and
//! to an actor process's own UDP socket (spec §9.5), end only their own stream. The admin
//! and the actors keep answering. One fuzz driver serves every base; only the door differs.
//!
//! `THESPIAN_FUZZ_ADMIN=N` sends N frames (datagrams, on UDP) instead of the default
//! 100 000 (the longer run of `bench/README.md`).
#![cfg(target_os = "linux")]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use common::actors::{pid_of, Pid, TextEcho as Echo};
use common::sockets::{connect_abstract, parts, queue_socket_name, system_id, udp};
use common::*;
use thespian::__private::is_authoritative_control;
use thespian::prelude::*;
use thespian::wire::frame::{Frame, FrameCodec, Hello, HelloCodec, Role};
use thespian::wire::WireEnvelope;
use tokio_util::codec::Encoder;

/// An address as a peer would send it: system id, host process and actor id.
fn address(system: u64, host: u32, id: u64) -> ActorAddress {
    use serde::de::value::{Error, SeqDeserializer};
    use serde::de::IntoDeserializer as _;
    let parts = [system.into_deserializer(), u64::from(host).into_deserializer(), id.into_deserializer()];
    ActorAddress::deserialize(SeqDeserializer::<_, Error>::new(parts.into_iter()))
        .unwrap_or_else(|e| panic!("an address deserializes from three numbers: {e}"))
}

/// A random frame for a connection that passed the handshake: envelopes to the admin, to
/// the live actor, and to hosts that do not exist, with random or well-formed bodies; acks;
/// random control bodies.
fn random_frame(rng: &mut Rng, system: u64, echo: &ActorAddress, sender: &ActorAddress) -> Frame {
    match rng.below(10) {
        0 => Frame::Ack { up_to: rng.next() },
        1 => {
            // A connected program may legitimately shut the system down, own it, start
            // processes or change its registries: such bodies are left out, so that what is
            // tested is the admin's robustness, not the protocol's trust in its programs.
            let mut body = rng.bytes(24);
            while is_authoritative_control(&body) {
                body = rng.bytes(24);
            }
            Frame::Control { body }
        }
        _ => {
            let target = match rng.below(4) {
                0 => address(system, 0, rng.next() >> rng.below(64)),
                1 => echo.clone(),
                2 => address(system, rng.below(1 << 20) as u32, rng.next() >> 40),
                _ => address(rng.next(), rng.next() as u32, rng.next()),
            };
            let (type_name, body) = match rng.below(5) {
                0 => ("String".to_string(), rng.bytes(32)),
                1 => ("thespian::PoisonMessage".to_string(), rng.bytes(64)),
                2 => ("thespian::ThespianStatusReq".to_string(), rng.bytes(3)),
                3 => ("u64".to_string(), rng.bytes(11)),
                _ => (String::from_utf8_lossy(&rng.bytes(16)).into_owned(), rng.bytes(48)),
            };
            Frame::Envelope {
                seq: rng.next() >> rng.below(64),
                envelope: WireEnvelope { target, sender: sender.clone(), type_name, body },
            }
        }
    }
}

/// Who a fuzzed connection says it is.
#[derive(Clone, Copy)]
enum Caller {
    /// A program or an actor process on the Admin Port.
    OfTheAdmin,
    /// Another actor process, on an actor process's own port.
    Peer,
}

/// What one fuzzed connection sends, piece by piece (a handshake, each frame, a mutated
/// tail: on a stream one after the other, on UDP one datagram each), and how many frames
/// that counts.
struct Fuzzed {
    pieces: Vec<Vec<u8>>,
    frames: usize,
}

/// What one connection sends.
fn random_connection(rng: &mut Rng, system: u64, echo: &ActorAddress, caller: Caller) -> Result<Fuzzed, Failure> {
    let kind = rng.below(8);
    if kind == 0 {
        // A stranger: random bytes instead of a handshake.
        return Ok(Fuzzed { pieces: vec![rng.bytes(200)], frames: 1 });
    }
    let hello = match caller {
        Caller::OfTheAdmin => Hello::new(system, 0, if kind == 1 { Role::Actor } else { Role::Endpoint }),
        // A host number of its own, mostly one this system never issued.
        Caller::Peer => {
            Hello::new(system, 1 + rng.next() % 100_000, if kind == 1 { Role::Endpoint } else { Role::Actor })
        }
    };
    let mut handshake = BytesMut::new();
    HelloCodec::new().encode(hello, &mut handshake)?;
    if kind == 2 {
        // A handshake cut short.
        let cut = rng.below(handshake.len());
        handshake.truncate(cut);
        return Ok(Fuzzed { pieces: vec![handshake.to_vec()], frames: 1 });
    }
    let mut pieces = vec![handshake.to_vec()];
    let sender = address(system, rng.next() as u32, rng.next());
    let count = 1 + rng.below(80);
    let mut codec = FrameCodec::new();
    let mut frame = |rng: &mut Rng| -> Result<Vec<u8>, Failure> {
        let mut bytes = BytesMut::new();
        codec.encode(random_frame(rng, system, echo, &sender), &mut bytes)?;
        Ok(bytes.to_vec())
    };
    for _ in 0..count {
        pieces.push(frame(rng)?);
    }
    match rng.below(6) {
        // A length over the limit, then garbage.
        0 => {
            let mut tail = vec![0xFF, 0xFF, 0xFF, 0xF0];
            tail.extend_from_slice(&rng.bytes(64));
            pieces.push(tail);
        }
        // A frame cut short by the end of the stream.
        1 => {
            let last = frame(rng)?;
            let cut = 1 + rng.below(last.len() - 1);
            pieces.push(last[..cut].to_vec());
        }
        // Some bytes flipped in the frames.
        2 => {
            for _ in 0..1 + rng.below(4) {
                let piece = &mut pieces[1 + rng.below(count)];
                let at = rng.below(piece.len());
                piece[at] ^= 1 << rng.below(8);
            }
        }
        // A well-framed body that is no frame.
        3 => {
            let body = rng.bytes(100);
            let mut tail = (body.len() as u32).to_be_bytes().to_vec();
            tail.extend_from_slice(&body);
            pieces.push(tail);
        }
        // A clean end.
        _ => {}
    }
    Ok(Fuzzed { pieces, frames: count + 1 })
}

/// Where a system takes connections.
#[derive(Debug)]
enum Door {
    /// A port on loopback: the TCP base's Admin Port, or an actor process's own.
    Tcp(SocketAddr),
    /// The abstract Unix socket of a Queue system's admin, by name.
    Unix(String),
    /// A UDP socket on loopback: the UDP base's Admin Port, or an actor process's own
    /// socket. It takes datagrams, sent by [`Datagrams`].
    Udp(SocketAddr),
}

/// A stream socket of either kind, as a fuzzed connection uses it.
trait Connection: Read + Write {
    /// Bounds each read.
    fn read_within(&self, bound: Duration) -> std::io::Result<()>;
    /// Closes the sending half.
    fn close_write(&self) -> std::io::Result<()>;
}

impl Connection for TcpStream {
    fn read_within(&self, bound: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(bound))
    }

    fn close_write(&self) -> std::io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

impl Connection for UnixStream {
    fn read_within(&self, bound: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(bound))
    }

    fn close_write(&self) -> std::io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

impl Door {
    fn connect(&self) -> std::io::Result<Box<dyn Connection>> {
        Ok(match self {
            Self::Tcp(at) => Box::new(TcpStream::connect(at)?),
            Self::Unix(name) => Box::new(connect_abstract(name)?),
            Self::Udp(at) => {
                let why = format!("{at} takes datagrams, not connections: send them with `Datagrams`");
                return Err(std::io::Error::new(std::io::ErrorKind::Unsupported, why));
            }
        })
    }
}

/// Sends `bytes` on a new connection through `door`, closes the sending half, and reads
/// until the admin closes its side: the admin has then dealt with everything this
/// connection sent.
fn send_raw(door: &Door, bytes: &[u8]) -> TestResult {
    let mut stream = door.connect()?;
    stream.read_within(ANSWER)?;
    // The admin may close mid-write on a frame it refuses: that is its answer, not an error.
    let _ = stream.write_all(bytes);
    let _ = stream.close_write();
    let mut sink = [0u8; 4096];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(()),
            Err(e) => return Err(format!("the admin did not close a fuzzed connection: {e}").into()),
        }
    }
}

/// Fuzzed connections as datagrams to one UDP socket of a `multiprocUDPBase` system (spec
/// §9.5). Each connection is a stream of its own (a fresh incarnation, now and then a stale
/// one), from a socket of its own or from one of a few that open stream after stream (a
/// peer restarting on the same address). Its pieces go as `DATA` datagrams numbered from 1,
/// in one of two ways:
///
/// - **in order** (three in four): some sent twice or swapped with the one before, some
///   with a length prefix that lies, then the end of the stream. The test then awaits the
///   target's verdict, an acknowledgement of everything or a reset, so the target reads the
///   whole stream, as the stream bases read a connection to its end;
/// - **in chaos**: some numbered at random, cut short, of another kind or another
///   incarnation, with stray datagrams from the same socket among them, and the end of the
///   stream half the time.
///
/// Stray datagrams go between them from two other sockets: every kind with random
/// incarnations and numbers, PINGs, datagrams of 0, 1, 16 and 17 bytes, random bytes, and
/// 65 507-byte ones. Each connection ends with a reset that ends its stream at the target,
/// and a PING from yet another socket tells when the target has read everything: its
/// socket answers in the order datagrams arrived, from every sender. Whatever the target
/// sends back is checked.
struct Datagrams {
    to: SocketAddr,
    /// The sockets that open stream after stream.
    sources: Vec<UdpSocket>,
    /// Where the strays come from.
    strays: Vec<UdpSocket>,
    /// Sends the PINGs that tell when the target has read everything sent before.
    pinger: UdpSocket,
    /// The incarnation of the target's socket, learned from its answer to a handshake.
    theirs: u64,
    /// Every incarnation the test's datagrams carried: a reset from the target names one.
    ours: HashSet<u64>,
    /// The last incarnation each source used.
    last: Vec<u64>,
    /// Streams sent in order that the target confirmed whole, and that it reset.
    confirmed: usize,
    reset: usize,
    /// What the target sent back, by kind.
    answers: BTreeMap<u8, usize>,
    /// Random bytes, windows of which make the 65 507-byte datagrams.
    noise: Vec<u8>,
}

/// How many sockets open stream after stream.
const SOURCES: usize = 8;

/// A UDP socket on loopback whose reads wait a second at most.
fn udp_socket() -> Result<UdpSocket, Failure> {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    socket.set_read_timeout(Some(Duration::from_secs(1)))?;
    Ok(socket)
}

/// Opens a stream from `socket` to the UDP socket at `to` as incarnation `ours`, with the
/// handshake `hello`, and awaits the target's own, a `Hello` of role `role` of the same
/// system; sends the handshake again every 100 ms until then (as the base sends a lost
/// datagram again), for at most [`ANSWER`]. Returns the target's incarnation.
fn handshake(socket: &UdpSocket, to: SocketAddr, ours: u64, hello: Hello, role: Role) -> Result<u64, Failure> {
    let mut bytes = BytesMut::new();
    HelloCodec::new().encode(hello, &mut bytes)?;
    let first = udp::data(ours, 1, &bytes);
    let deadline = Instant::now() + ANSWER;
    let mut buf = vec![0u8; udp::MAX_DATAGRAM + 1];
    let mut again = Instant::now();
    while Instant::now() < deadline {
        if Instant::now() >= again {
            socket.send_to(&first, to)?;
            again = Instant::now() + Duration::from_millis(100);
        }
        socket.set_read_timeout(Some(again.saturating_duration_since(Instant::now()).max(Duration::from_millis(1))))?;
        // Only the target's datagrams count: a socket of another system may still be sending
        // to the port this one took over.
        let Ok((n, from)) = socket.recv_from(&mut buf) else { continue };
        if from != to {
            continue;
        }
        let answer = &buf[..n];
        if answer.first() == Some(&udp::DATA) && udp::seq(answer) == Some(1) {
            let theirs = Hello::decode(answer.get(udp::HEADER + 4..).unwrap_or_default())?;
            if theirs.role != role || theirs.system != hello.system {
                return Err(format!("{to} answered a handshake with {theirs:?}").into());
            }
            socket.set_read_timeout(Some(Duration::from_secs(1)))?;
            return Ok(udp::incarnation(answer).ok_or("a DATA datagram without an incarnation")?);
        }
    }
    Err(format!("{to} did not answer a handshake within {ANSWER:?}").into())
}

impl Datagrams {
    /// Opens a stream to the socket at `to` with a well-formed handshake `ours` and awaits
    /// its answer ([`handshake`]): that proves this test lays out datagrams as the base
    /// does, and tells the target's incarnation. Then ends that stream.
    fn open(to: SocketAddr, ours: Hello, role: Role, rng: &mut Rng) -> Result<Self, Failure> {
        let sources = (0..SOURCES).map(|_| udp_socket()).collect::<Result<Vec<_>, _>>()?;
        let mut noise = vec![0u8; 2 * udp::MAX_DATAGRAM];
        for chunk in noise.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next().to_le_bytes()[..chunk.len()]);
        }
        let incarnation = rng.next();
        let theirs = handshake(&sources[0], to, incarnation, ours, role)?;
        let datagrams = Self {
            to,
            sources,
            strays: vec![udp_socket()?, udp_socket()?],
            pinger: udp_socket()?,
            theirs,
            ours: HashSet::from([incarnation]),
            last: vec![incarnation; SOURCES],
            confirmed: 0,
            reset: 0,
            answers: BTreeMap::new(),
            noise,
        };
        datagrams.sources[0].send_to(&udp::datagram(udp::RESET, theirs, None, &[]), to)?;
        Ok(datagrams)
    }

    /// Sends one fuzzed connection made of `pieces`; returns how many datagrams went.
    fn connection(&mut self, rng: &mut Rng, pieces: &[Vec<u8>]) -> Result<usize, Failure> {
        let slot = rng.below(2 * SOURCES);
        let (source, ours) = match self.sources.get(slot) {
            // A peer that restarts on the same address; now and then with the incarnation
            // of the stream it opened before, which has ended.
            Some(socket) => {
                let ours = if rng.below(16) == 0 { self.last[slot] } else { rng.next() };
                self.last[slot] = ours;
                (socket.try_clone()?, ours)
            }
            None => (udp_socket()?, rng.next()),
        };
        self.ours.insert(ours);
        let in_order = rng.below(4) != 0;
        let mut out: Vec<Vec<u8>> = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            let mut data = udp::data(ours, i as u64 + 1, piece);
            match rng.below(if in_order { 200 } else { 24 }) {
                // A length prefix that lies.
                0 if data.len() >= udp::HEADER + 4 => {
                    let says = (data.len() - udp::HEADER - 4) as u32;
                    let lie = [says.wrapping_add(1), says.wrapping_sub(1), rng.next() as u32][rng.below(3)];
                    data[udp::HEADER..udp::HEADER + 4].copy_from_slice(&lie.to_be_bytes());
                }
                // Sent twice.
                1 => out.push(data.clone()),
                // Sent before the one before it.
                2 if !out.is_empty() => {
                    out.insert(out.len() - 1, data);
                    continue;
                }
                _ if in_order => {}
                // A number out of the blue.
                3 => data[9..17].copy_from_slice(&(rng.next() >> rng.below(64)).to_be_bytes()),
                // Cut short.
                4 => data.truncate(rng.below(data.len())),
                // Another kind, the rest unchanged.
                5 => {
                    let kinds = [udp::ACK, udp::RESET, udp::PING, udp::PONG, udp::ALIVE, udp::STILL, rng.next() as u8];
                    data[0] = kinds[rng.below(kinds.len())];
                }
                // Another incarnation in the middle of the stream.
                6 => data[1 + rng.below(8)] ^= 1 << rng.below(8),
                _ => {}
            }
            out.push(data);
            if !in_order && rng.below(8) == 0 {
                out.push(self.stray(rng, ours, pieces.len()));
            }
        }
        let end = pieces.len() as u64 + 1;
        if in_order || rng.below(2) == 0 {
            out.push(udp::data(ours, end, &[]));
        }
        // An empty piece (a handshake cut to nothing) ends the stream where it is.
        let end = pieces.iter().position(Vec::is_empty).map_or(end, |at| at as u64 + 1);
        let mut sent = out.len() + 1;
        for datagram in &out {
            if let Some(incarnation) = udp::incarnation(datagram) {
                self.ours.insert(incarnation);
            }
            source.send_to(datagram, self.to)?;
            if in_order && rng.below(8) == 0 {
                let stray = self.stray(rng, ours, pieces.len());
                if let Some(incarnation) = udp::incarnation(&stray) {
                    self.ours.insert(incarnation);
                }
                self.strays[rng.below(self.strays.len())].send_to(&stray, self.to)?;
                sent += 1;
            }
        }
        if in_order {
            self.verdict(&source, ours, end)?;
        }
        source.send_to(&udp::datagram(udp::RESET, self.theirs, None, &[]), self.to)?;
        self.sync()?;
        self.drain(&source)?;
        for stray in self.strays.iter().map(UdpSocket::try_clone).collect::<Result<Vec<_>, _>>()? {
            self.drain(&stray)?;
        }
        Ok(sent)
    }

    /// A datagram that belongs to no stream in particular, or to the one of `ours` (of
    /// `pieces` frames), or to none that makes sense.
    fn stray(&self, rng: &mut Rng, ours: u64, pieces: usize) -> Vec<u8> {
        let incarnation = [ours, self.theirs, rng.next()][rng.below(3)];
        let near = 1 + rng.below(pieces + 4) as u64;
        let seq = if rng.below(2) == 0 { near } else { rng.next() >> rng.below(64) };
        let frame = |rng: &mut Rng, lies: bool| {
            let body = rng.bytes(300);
            let says = if lies { rng.next() as u32 } else { body.len() as u32 };
            let mut frame = says.to_be_bytes().to_vec();
            frame.extend_from_slice(&body);
            frame
        };
        match rng.below(16) {
            0 => udp::datagram(udp::ACK, incarnation, Some(seq), &[]),
            1 => udp::datagram(udp::ALIVE, incarnation, None, &[]),
            2 => udp::datagram(udp::STILL, incarnation, None, &[]),
            3 => udp::datagram(udp::RESET, incarnation, None, &[]),
            4 => vec![udp::PING],
            5 => vec![udp::PONG],
            // Nothing; a kind alone; a header one byte short; a whole DATA header with no
            // frame (the end of a stream).
            6 => {
                let mut datagram = udp::datagram(udp::KINDS[rng.below(udp::KINDS.len())], incarnation, Some(seq), &[]);
                datagram.truncate([0, 1, 16, 17][rng.below(4)]);
                datagram
            }
            7 => udp::data(incarnation, seq, &frame(rng, true)),
            8 | 9 => self.oversized(rng, incarnation, seq),
            10 => rng.bytes(2000),
            11 => {
                let mut datagram = udp::datagram(rng.next() as u8, incarnation, Some(seq), &[]);
                datagram.extend_from_slice(&rng.bytes(100));
                datagram
            }
            _ => udp::data(incarnation, seq, &frame(rng, false)),
        }
    }

    /// A datagram of 65 507 bytes, the most one carries: a `DATA` with a frame as large as
    /// one can be (random bytes; a length prefix that tells the truth, lies, or claims a byte
    /// more), or random bytes throughout.
    fn oversized(&self, rng: &mut Rng, incarnation: u64, seq: u64) -> Vec<u8> {
        let at = rng.below(self.noise.len() - udp::MAX_DATAGRAM);
        if rng.below(4) == 0 {
            return self.noise[at..at + udp::MAX_DATAGRAM].to_vec();
        }
        let body = udp::MAX_DATAGRAM - udp::HEADER - 4;
        let says = [body as u32, body as u32 + 1, rng.next() as u32][rng.below(3)];
        let mut datagram = udp::data(incarnation, seq, &says.to_be_bytes());
        datagram.extend_from_slice(&self.noise[at..at + body]);
        datagram
    }

    /// Awaits the target's word on the stream of incarnation `ours` from `source`, whose
    /// last datagram is numbered `last`: an acknowledgement of everything up to it (the
    /// target has all of it, in order, for its reader), or a reset (it refused or ended
    /// the stream).
    fn verdict(&mut self, source: &UdpSocket, ours: u64, last: u64) -> TestResult {
        let deadline = Instant::now() + ANSWER;
        let mut buf = vec![0u8; udp::MAX_DATAGRAM + 1];
        while Instant::now() < deadline {
            let n = match source.recv_from(&mut buf) {
                Ok((n, from)) if from == self.to => n,
                // From a socket that had a stream with the one that used this port before.
                Ok(_) => continue,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
                Err(e) => return Err(e.into()),
            };
            let datagram = &buf[..n];
            self.check(datagram)?;
            if udp::acknowledged(datagram) >= Some(last) {
                self.confirmed += 1;
                return Ok(());
            }
            if datagram[0] == udp::RESET && udp::incarnation(datagram) == Some(ours) {
                self.reset += 1;
                return Ok(());
            }
        }
        Err(format!("{} neither confirmed nor reset a stream of {last} datagrams within {ANSWER:?}", self.to).into())
    }

    /// Returns once the target has read every datagram sent before: it answers a PING after
    /// them.
    fn sync(&self) -> TestResult {
        let deadline = Instant::now() + ANSWER;
        let mut pong = [0u8; 16];
        while Instant::now() < deadline {
            self.pinger.send_to(&[udp::PING], self.to)?;
            match self.pinger.recv_from(&mut pong) {
                Ok((_, from)) if from != self.to => {}
                Ok((1, _)) if pong[0] == udp::PONG => return Ok(()),
                Ok((n, _)) => return Err(format!("{} answered a PING with {:?}", self.to, &pong[..n.min(16)]).into()),
                // The PING, or its answer, was lost: asked again.
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(format!("{} answered no PING within {ANSWER:?}: its receiving thread is stuck or gone", self.to).into())
    }

    /// Reads and checks what the target sent to `socket` so far.
    fn drain(&mut self, socket: &UdpSocket) -> TestResult {
        socket.set_nonblocking(true)?;
        let mut buf = vec![0u8; udp::MAX_DATAGRAM + 1];
        let outcome = loop {
            match socket.recv_from(&mut buf) {
                Ok((_, from)) if from != self.to => {}
                Ok((n, _)) => {
                    if let Err(e) = self.check(&buf[..n]) {
                        break Err(e);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e.into()),
            }
        };
        socket.set_nonblocking(false)?;
        outcome
    }

    /// Counts and checks one datagram from the target: a kind the base sends, with the
    /// target's own incarnation, unchanged since the first handshake (a reset names one of
    /// the test's; a `PONG` is the kind alone), and a whole frame in a `DATA`.
    fn check(&mut self, datagram: &[u8]) -> TestResult {
        let kind = datagram.first().copied().unwrap_or_default();
        *self.answers.entry(kind).or_default() += 1;
        let incarnation = udp::incarnation(datagram);
        let sane = match kind {
            // The answer to a PING among the strays.
            udp::PONG => datagram.len() == 1,
            udp::RESET => incarnation.is_some_and(|i| self.ours.contains(&i)),
            udp::ACK => incarnation == Some(self.theirs) && udp::seq(datagram).is_some(),
            udp::ALIVE | udp::STILL => incarnation == Some(self.theirs),
            udp::DATA => {
                let frame = datagram.get(udp::HEADER..).unwrap_or_default();
                let says = frame.get(..4).map(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize);
                incarnation == Some(self.theirs) && (frame.is_empty() || says == Some(frame.len() - 4))
            }
            _ => false,
        };
        if sane {
            Ok(())
        } else {
            Err(format!("{} sent {:?}", self.to, &datagram[..datagram.len().min(40)]).into())
        }
    }

    /// What happened, as a line: the streams sent in order, and what the target sent back.
    fn summary(&self) -> String {
        let name = |kind: u8| match kind {
            udp::DATA => "DATA",
            udp::ACK => "ACK",
            udp::RESET => "RESET",
            udp::PONG => "PONG",
            udp::ALIVE => "ALIVE",
            udp::STILL => "STILL",
            _ => "other",
        };
        let counts: Vec<String> = self.answers.iter().map(|(kind, n)| format!("{} {n}", name(*kind))).collect();
        format!(
            "of the streams sent in order, {} confirmed whole and {} reset; it sent back {}",
            self.confirmed,
            self.reset,
            counts.join(", ")
        )
    }
}

/// A host number no system of these tests issues: the peer a UDP actor process is first
/// greeted by, to learn its socket's incarnation.
const STRANGE_HOST: u64 = 4_000_000;

/// Sends fuzzed connections through `door` until `THESPIAN_FUZZ_ADMIN` frames (or datagrams,
/// on UDP; 100 000 by default) have gone, as `caller` would. `actor`, a [`Pid`], must answer
/// every 200 connections and at the end, from the process it answered from before; and the
/// system's status must still be answered.
fn fuzz(asys: &ActorSystem, actor: &ActorAddress, door: &Door, caller: Caller, seed: u64) -> TestResult {
    let frames: usize = std::env::var("THESPIAN_FUZZ_ADMIN").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let system = system_id(asys)?;
    assert_eq!(parts(actor)?.0, system, "the actor is of this system");
    let pid = pid_of(asys, actor)?;
    let mut rng = Rng(seed);
    let mut datagrams = match door {
        Door::Udp(at) => Some(match caller {
            Caller::OfTheAdmin => Datagrams::open(*at, Hello::new(system, 0, Role::Endpoint), Role::Admin, &mut rng)?,
            Caller::Peer => Datagrams::open(*at, Hello::new(system, STRANGE_HOST, Role::Actor), Role::Actor, &mut rng)?,
        }),
        _ => None,
    };
    let (mut sent, mut connections) = (0, 0);
    while sent < frames {
        let fuzzed = random_connection(&mut rng, system, actor, caller)?;
        sent += match &mut datagrams {
            Some(datagrams) => datagrams.connection(&mut rng, &fuzzed.pieces)?,
            None => {
                send_raw(door, &fuzzed.pieces.concat())?;
                fuzzed.frames
            }
        };
        connections += 1;
        if connections % 200 == 0 {
            assert_eq!(pid_of(asys, actor)?, pid, "the actor answers from its process after {sent} frames");
        }
    }
    assert_eq!(pid_of(asys, actor)?, pid, "the actor answers from its process after the fuzz");
    assert!(procs::descendants()?.contains(&pid), "the actor's process {pid} still runs");
    assert!(asys.status()?.actor_count >= 1, "the admin still reports its actors");
    match &datagrams {
        Some(datagrams) => eprintln!("{sent} datagrams in {connections} streams to {door:?}: {}", datagrams.summary()),
        None => eprintln!("{sent} frames on {connections} connections to {door:?}"),
    }
    Ok(())
}

/// Fuzzes the door where `base`'s admin takes programs' connections, then checks that the
/// admin's other services still answer.
fn fuzz_the_admin(base: &str, door: impl Fn(&ActorSystem) -> Result<Door, Failure>, seed: u64) -> TestResult {
    let asys = system(base);
    let actor = asys.create_actor::<Pid>()?;
    fuzz(&asys, &actor, &door(&asys)?, Caller::OfTheAdmin, seed)?;
    let fresh = asys.create_actor::<Echo>()?;
    let reply: String = answer(&asys, &fresh, "new".to_string())?;
    assert_eq!(reply, "new");
    assert!(asys.status()?.actor_count >= 2, "the admin still reports its actors");
    asys.shutdown()?;
    Ok(())
}

/// Fuzzes the door an actor process of `base` takes its peers' connections on, found from
/// its process id.
fn fuzz_an_actor_process(base: &str, door: impl Fn(u32) -> Result<Door, Failure>, seed: u64) -> TestResult {
    let asys = system(base);
    let actor = asys.create_actor::<Pid>()?;
    let door = door(pid_of(&asys, &actor)?)?;
    fuzz(&asys, &actor, &door, Caller::Peer, seed)?;
    asys.shutdown()?;
    Ok(())
}

#[test]
fn design_3_wire_fuzzed_frames_to_the_admin_port_close_only_their_connection() -> TestResult {
    let admin_port = |asys: &ActorSystem| Ok(Door::Tcp(SocketAddr::from(([127, 0, 0, 1], admin_port(asys)?))));
    fuzz_the_admin("multiprocTCPBase", admin_port, 0x5EED_F0AD_3100)
}

#[test]
fn spec_9_3_fuzzed_frames_to_the_queue_admin_socket_close_only_their_connection() -> TestResult {
    let socket = |asys: &ActorSystem| Ok(Door::Unix(queue_socket_name(system_id(asys)?)));
    fuzz_the_admin("multiprocQueueBase", socket, 0x5EED_F0AD_3103)
}

#[test]
fn spec_9_3_fuzzed_frames_to_an_actor_process_socket_close_only_their_connection() -> TestResult {
    // On the Queue base an actor process takes its peers on an abstract Unix socket named
    // after its system and its host number.
    let asys = system("multiprocQueueBase");
    let actor = asys.create_actor::<Pid>()?;
    let (system, host, _) = parts(&actor)?;
    let door = Door::Unix(format!("{}-{host}", queue_socket_name(system)));
    fuzz(&asys, &actor, &door, Caller::Peer, 0x5EED_F0AD_3107)?;
    asys.shutdown()?;
    Ok(())
}

#[test]
fn design_3_wire_a_silent_connection_holds_up_no_one() -> TestResult {
    let asys = system("multiprocTCPBase");
    let echo = asys.create_actor::<Echo>()?;
    let at = SocketAddr::from(([127, 0, 0, 1], admin_port(&asys)?));
    // Connections that say nothing, or half a handshake, stay open meanwhile.
    let silent: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(at)).collect::<Result<_, _>>()?;
    let mut half = TcpStream::connect(at)?;
    half.write_all(b"THS")?;
    let other = builder("multiprocTCPBase").admin_port(at.port()).shutdown_on_drop(false).build()?;
    let reply: String = answer(&other, &echo, "through a second program".to_string())?;
    assert_eq!(reply, "through a second program");
    drop((silent, half, other));
    asys.shutdown()?;
    Ok(())
}

#[test]
fn design_3_wire_fuzzed_frames_to_an_actor_process_port_close_only_their_connection() -> TestResult {
    // The actor's own port: the one its process listens on.
    let listening = |pid: u32| match procs::tcp_sockets(pid, "0A")?[..] {
        [(port, _)] => Ok(Door::Tcp(SocketAddr::from(([127, 0, 0, 1], port)))),
        ref other => Err(format!("the actor's process listens on {other:?}, not on one port").into()),
    };
    fuzz_an_actor_process("multiprocTCPBase", listening, 0x5EED_F0AD_3101)
}

#[test]
fn spec_9_5_fuzzed_datagrams_to_the_udp_admin_port_end_only_their_stream() -> TestResult {
    let admin_port = |asys: &ActorSystem| Ok(Door::Udp(SocketAddr::from(([127, 0, 0, 1], admin_port(asys)?))));
    fuzz_the_admin("multiprocUDPBase", admin_port, 0x5EED_F0AD_3105)
}

#[test]
fn spec_9_5_fuzzed_datagrams_to_an_actor_process_socket_end_only_their_stream() -> TestResult {
    // The actor's own socket: the one UDP socket of its process.
    let socket = |pid: u32| match procs::udp_ports(pid)?[..] {
        [port] => Ok(Door::Udp(SocketAddr::from(([127, 0, 0, 1], port)))),
        ref other => Err(format!("the actor's process has UDP sockets on {other:?}, not one").into()),
    };
    fuzz_an_actor_process("multiprocUDPBase", socket, 0x5EED_F0AD_3106)
}

#[test]
fn spec_9_5_a_peer_refused_at_its_handshake_can_open_another_stream() -> TestResult {
    let asys = system("multiprocUDPBase");
    let actor = asys.create_actor::<Pid>()?;
    let pid = pid_of(&asys, &actor)?;
    let [port] = procs::udp_ports(pid)?[..] else { return Err("the actor's process has not one UDP socket".into()) };
    let at = SocketAddr::from(([127, 0, 0, 1], port));
    let system = system_id(&asys)?;
    let socket = udp_socket()?;
    // A hello an actor process refuses: a program's, where a peer's belongs. Its own hello
    // comes first; then it drops the stream.
    let theirs = handshake(&socket, at, 1, Hello::new(system, STRANGE_HOST, Role::Endpoint), Role::Actor)?;
    // The stream is over on this side too.
    socket.send_to(&udp::datagram(udp::RESET, theirs, None, &[]), at)?;
    // A peer on the same address opens another stream, with a hello the process takes.
    handshake(&socket, at, 2, Hello::new(system, STRANGE_HOST + 1, Role::Actor), Role::Actor)?;
    assert_eq!(pid_of(&asys, &actor)?, pid);
    asys.shutdown()?;
    Ok(())
}
