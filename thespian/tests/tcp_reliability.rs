//! multiprocTCPBase under hostile input (spec §9.4; DESIGN §3 "Wire:"): random, mutated,
//! truncated and oversized frames sent from raw sockets to the Admin Port close only their
//! own connection; the admin and the actors keep answering.
//!
//! `THESPIAN_FUZZ_ADMIN=N` sends N frames instead of the default 100 000 (the longer run of
//! `bench/README.md`).
#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

use bytes::BytesMut;
use common::actors::TextEcho as Echo;
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

/// The parts of an address, as it travels.
fn parts(address: &ActorAddress) -> Result<(u64, u32, u64), Failure> {
    Ok(postcard::from_bytes(&postcard::to_stdvec(address)?)?)
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

/// What one connection sends, and how many frames that counts.
/// Who a fuzzed connection says it is.
#[derive(Clone, Copy)]
enum Caller {
    /// A program or an actor process on the Admin Port.
    OfTheAdmin,
    /// Another actor process, on an actor process's own port.
    Peer,
}

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

/// Sends `bytes` on a new connection to `at`, closes the sending half, and reads until the
/// admin closes its side: the admin has then dealt with everything this connection sent.
fn send_raw(at: SocketAddr, bytes: &[u8]) -> TestResult {
    let mut stream = TcpStream::connect(at)?;
    stream.set_read_timeout(Some(ANSWER))?;
    // The admin may close mid-write on a frame it refuses: that is its answer, not an error.
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
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

/// Sends fuzzed connections to `at` until `THESPIAN_FUZZ_ADMIN` frames (100 000 by default)
/// have gone, as `caller` would; `echo` must answer every 200 connections and at the end.
fn fuzz(asys: &ActorSystem, echo: &ActorAddress, at: SocketAddr, caller: Caller, seed: u64) -> TestResult {
    let frames: usize = std::env::var("THESPIAN_FUZZ_ADMIN").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let (system_id, _, _) = parts(echo)?;
    let mut rng = Rng(seed);
    let (mut sent, mut connections) = (0, 0);
    while sent < frames {
        let (bytes, count) = random_connection(&mut rng, system_id, echo, caller)?;
        send_raw(at, &bytes)?;
        sent += count;
        connections += 1;
        if connections % 200 == 0 {
            let reply: String = answer(asys, echo, format!("still there after {sent} frames"))?;
            assert_eq!(reply, format!("still there after {sent} frames"));
        }
    }
    let reply: String = answer(asys, echo, "after the fuzz".to_string())?;
    assert_eq!(reply, "after the fuzz");
    eprintln!("{sent} frames on {connections} connections");
    Ok(())
}

#[test]
fn design_3_wire_fuzzed_frames_to_the_admin_port_close_only_their_connection() -> TestResult {
    let asys = system("multiprocTCPBase");
    let echo = asys.create_actor::<Echo>()?;
    let at = SocketAddr::from(([127, 0, 0, 1], admin_port(&asys)?));
    fuzz(&asys, &echo, at, Caller::OfTheAdmin, 0x5EED_F0AD_3100)?;
    // The admin's other services still answer too.
    let fresh = asys.create_actor::<Echo>()?;
    let reply: String = answer(&asys, &fresh, "new".to_string())?;
    assert_eq!(reply, "new");
    assert!(asys.status()?.actor_count >= 2, "the admin still reports its actors");
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
    let at = SocketAddr::from(([127, 0, 0, 1], port));
    fuzz(&asys, &echo, at, Caller::Peer, 0x5EED_F0AD_3101)?;
    asys.shutdown()?;
    Ok(())
}
