//! The multi-process bases under hostile input (DESIGN §3 "Wire:"): random, mutated,
//! truncated and oversized frames sent from raw sockets to where a system takes connections
//! (the TCP base's Admin Port and an actor process's own port, spec §9.4; the Queue base's
//! abstract Unix socket, spec §9.3) close only their own connection; the admin and the
//! actors keep answering. One fuzz driver serves every base; only the door differs.
//!
//! `THESPIAN_FUZZ_ADMIN=N` sends N frames instead of the default 100 000 (the longer run of
//! `bench/README.md`).
#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;

use bytes::BytesMut;
use common::actors::TextEcho as Echo;
use common::sockets::{connect_abstract, parts, queue_socket_name, system_id};
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

/// What one connection sends, and how many frames that counts.
fn random_connection(
    rng: &mut Rng,
    system: u64,
    echo: &ActorAddress,
    caller: Caller,
) -> Result<(Vec<u8>, usize), Failure> {
    let mut buf = BytesMut::new();
    let kind = rng.below(8);
    if kind == 0 {
        // A stranger: random bytes instead of a handshake.
        return Ok((rng.bytes(200), 1));
    }
    let hello = match caller {
        Caller::OfTheAdmin => Hello::new(system, 0, if kind == 1 { Role::Actor } else { Role::Endpoint }),
        // A host number of its own, mostly one this system never issued.
        Caller::Peer => {
            Hello::new(system, 1 + rng.next() % 100_000, if kind == 1 { Role::Endpoint } else { Role::Actor })
        }
    };
    HelloCodec::new().encode(hello, &mut buf)?;
    if kind == 2 {
        // A handshake cut short.
        let cut = rng.below(buf.len());
        buf.truncate(cut);
        return Ok((buf.to_vec(), 1));
    }
    let sender = address(system, rng.next() as u32, rng.next());
    let count = 1 + rng.below(80);
    let mut codec = FrameCodec::new();
    let frames_start = buf.len();
    for _ in 0..count {
        codec.encode(random_frame(rng, system, echo, &sender), &mut buf)?;
    }
    match rng.below(6) {
        // A length over the limit, then garbage.
        0 => {
            buf.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xF0]);
            buf.extend_from_slice(&rng.bytes(64));
        }
        // A frame cut short by the end of the stream.
        1 => {
            let mut last = BytesMut::new();
            codec.encode(random_frame(rng, system, echo, &sender), &mut last)?;
            let cut = 1 + rng.below(last.len() - 1);
            buf.extend_from_slice(&last[..cut]);
        }
        // Some bytes flipped in what was sent.
        2 => {
            let tail = buf.len() - frames_start;
            for _ in 0..1 + rng.below(4) {
                let at = frames_start + rng.below(tail);
                buf[at] ^= 1 << rng.below(8);
            }
        }
        // A well-framed body that is no frame.
        3 => {
            let body = rng.bytes(100);
            buf.extend_from_slice(&(body.len() as u32).to_be_bytes());
            buf.extend_from_slice(&body);
        }
        // A clean end.
        _ => {}
    }
    Ok((buf.to_vec(), count + 1))
}

/// Where a system takes connections.
#[derive(Debug)]
enum Door {
    /// A port on loopback: the TCP base's Admin Port, or an actor process's own.
    Tcp(SocketAddr),
    /// The abstract Unix socket of a Queue system's admin, by name.
    Unix(String),
}

/// A stream socket of either kind, as a fuzzed connection uses it.
trait Connection: Read + Write {
    /// Bounds each read.
    fn read_within(&self, bound: std::time::Duration) -> std::io::Result<()>;
    /// Closes the sending half.
    fn close_write(&self) -> std::io::Result<()>;
}

impl Connection for TcpStream {
    fn read_within(&self, bound: std::time::Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(bound))
    }

    fn close_write(&self) -> std::io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

impl Connection for UnixStream {
    fn read_within(&self, bound: std::time::Duration) -> std::io::Result<()> {
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

/// Sends fuzzed connections through `door` until `THESPIAN_FUZZ_ADMIN` frames (100 000 by
/// default) have gone, as `caller` would; `echo` must answer every 200 connections and at
/// the end.
fn fuzz(asys: &ActorSystem, echo: &ActorAddress, door: &Door, caller: Caller, seed: u64) -> TestResult {
    let frames: usize = std::env::var("THESPIAN_FUZZ_ADMIN").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let system = system_id(asys)?;
    assert_eq!(parts(echo)?.0, system, "the actor is of this system");
    let mut rng = Rng(seed);
    let (mut sent, mut connections) = (0, 0);
    while sent < frames {
        let (bytes, count) = random_connection(&mut rng, system, echo, caller)?;
        send_raw(door, &bytes)?;
        sent += count;
        connections += 1;
        if connections % 200 == 0 {
            let reply: String = answer(asys, echo, format!("still there after {sent} frames"))?;
            assert_eq!(reply, format!("still there after {sent} frames"));
        }
    }
    let reply: String = answer(asys, echo, "after the fuzz".to_string())?;
    assert_eq!(reply, "after the fuzz");
    eprintln!("{sent} frames on {connections} connections to {door:?}");
    Ok(())
}

/// Fuzzes the door where `base`'s admin takes programs' connections, then checks that the
/// admin's other services still answer.
fn fuzz_the_admin(base: &str, door: impl Fn(&ActorSystem) -> Result<Door, Failure>, seed: u64) -> TestResult {
    let asys = system(base);
    let echo = asys.create_actor::<Echo>()?;
    fuzz(&asys, &echo, &door(&asys)?, Caller::OfTheAdmin, seed)?;
    let fresh = asys.create_actor::<Echo>()?;
    let reply: String = answer(&asys, &fresh, "new".to_string())?;
    assert_eq!(reply, "new");
    assert!(asys.status()?.actor_count >= 2, "the admin still reports its actors");
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
    let asys = system("multiprocTCPBase");
    let echo = asys.create_actor::<Echo>()?;
    let reply: String = answer(&asys, &echo, "ready".to_string())?;
    assert_eq!(reply, "ready");
    // The actor's own port: the one its process listens on.
    let pid = procs::descendants_of(procs::listener_of(admin_port(&asys)?)?)?
        .into_iter()
        .filter(|pid| procs::tcp_sockets(*pid, "0A").is_ok_and(|s| !s.is_empty()))
        .collect::<Vec<_>>();
    let [pid] = pid[..] else { return Err(format!("one actor process listens, not {pid:?}").into()) };
    let (port, _) = procs::tcp_sockets(pid, "0A")?.first().copied().ok_or("no port")?;
    let at = Door::Tcp(SocketAddr::from(([127, 0, 0, 1], port)));
    fuzz(&asys, &echo, &at, Caller::Peer, 0x5EED_F0AD_3101)?;
    asys.shutdown()?;
    Ok(())
}
