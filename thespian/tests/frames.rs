//! The TCP wire's framing (DESIGN §3 "Wire:" and "Delivery:"), through the public
//! `thespian::wire::frame` module: length-delimited frames with the size checked before the
//! body is buffered, the versioned handshake, sequence-numbered envelopes and acks, batched
//! writes, and a seeded fuzz of the decoder (`THESPIAN_FUZZ_FRAMES=N` for more cases).

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BytesMut;
use common::{Rng, TestResult};
use futures_util::{Sink, SinkExt, StreamExt};
use serde::Deserialize;
use thespian::wire::frame::{
    handshake, write_batched, Frame, FrameCodec, FrameError, Hello, HelloCodec, Role, MAX_HELLO_SIZE, PROTOCOL_VERSION,
};
use thespian::wire::{WireEnvelope, WireError, MAX_FRAME_SIZE};
use thespian::{ActorAddress, PoisonMessage};
use tokio::io::AsyncWriteExt;
use tokio_util::codec::{Decoder, Encoder, Framed};

// ----- helpers ----------------------------------------------------------------------------

/// An address as a peer would send it: system id, host (0, the admin's process) and actor id.
fn address(system: u64, id: u64) -> ActorAddress {
    use serde::de::value::{Error, SeqDeserializer};
    ActorAddress::deserialize(SeqDeserializer::<_, Error>::new([system, 0, id].into_iter()))
        .expect("an address deserializes from three numbers")
}

/// Envelope number `seq`, carrying a body of a type this program does not know.
fn envelope(seq: u64) -> Frame {
    let envelope = WireEnvelope {
        target: address(7, seq % 5),
        sender: address(7, 1000 + seq),
        type_name: "my_app::Reading".to_string(),
        body: seq.to_le_bytes().to_vec(),
    };
    Frame::Envelope { seq, envelope }
}

/// The frames, encoded one after the other as a connection carries them.
fn stream(frames: &[Frame]) -> Result<BytesMut, FrameError> {
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::new();
    for frame in frames {
        codec.encode(frame, &mut buf)?;
    }
    Ok(buf)
}

/// Every frame in `buf`, then the end of the stream.
fn decode_all(buf: &mut BytesMut) -> Result<Vec<Frame>, FrameError> {
    let mut codec = FrameCodec::new();
    let mut out = Vec::new();
    while let Some(frame) = codec.decode(buf)? {
        out.push(frame);
    }
    while let Some(frame) = codec.decode_eof(buf)? {
        out.push(frame);
    }
    Ok(out)
}

fn expect_malformed(result: Result<impl std::fmt::Debug, FrameError>, name: &str, says: &[&str]) -> TestResult {
    match result {
        Err(FrameError::Wire(WireError::Malformed { type_name, reason })) if type_name == name => {
            for part in says {
                assert!(reason.contains(part), "{reason:?} should say {part:?}");
            }
            Ok(())
        }
        other => Err(format!("expected a malformed {name}, got {other:?}").into()),
    }
}

// ----- frames -----------------------------------------------------------------------------

#[test]
fn design_3_wire_frames_round_trip_and_bodies_stay_encoded() -> TestResult {
    let poison = PoisonMessage { poison_message: Box::new("core".to_string()), details: "d".to_string() };
    let known = WireEnvelope::new(address(7, 2), address(7, 3), &poison)?;
    let frames =
        vec![envelope(1), Frame::Envelope { seq: 2, envelope: known.clone() }, Frame::Ack { up_to: 2 }, Frame::Bye];
    let mut buf = stream(&frames)?;
    assert_eq!(decode_all(&mut buf)?, frames);
    assert!(buf.is_empty());

    // A known message's bytes come through unchanged and open as the message.
    let opened = known.open()?;
    assert_eq!(opened.downcast_ref::<PoisonMessage>().map(|p| p.details.as_str()), Some("d"));
    Ok(())
}

#[test]
fn design_3_wire_frame_oversized_length_is_refused_before_buffering() -> TestResult {
    let mut codec = FrameCodec::new();
    for announced in [MAX_FRAME_SIZE as u32 + 1, u32::MAX] {
        let mut buf = BytesMut::from(&[&announced.to_be_bytes()[..], b"abc"].concat()[..]);
        let capacity = buf.capacity();
        match codec.decode(&mut buf) {
            Err(FrameError::Wire(WireError::TooLarge { size, limit })) => {
                assert_eq!((size, limit), (announced as usize, MAX_FRAME_SIZE));
            }
            other => return Err(format!("expected TooLarge, got {other:?}").into()),
        }
        assert_eq!(buf.capacity(), capacity, "nothing is allocated for the announced size");
    }
    // A frame whose message fits but which does not, is refused when written.
    let big = WireEnvelope {
        target: address(1, 1),
        sender: address(1, 2),
        type_name: "my_app::Blob".to_string(),
        body: vec![0; MAX_FRAME_SIZE],
    };
    match codec.encode(Frame::Envelope { seq: 1, envelope: big }, &mut BytesMut::new()) {
        Err(FrameError::Wire(WireError::TooLarge { size, limit })) => assert!(size > limit),
        other => return Err(format!("expected TooLarge, got {other:?}").into()),
    }
    Ok(())
}

#[test]
fn design_3_wire_frame_truncated_at_eof_is_malformed() -> TestResult {
    let whole = stream(&[envelope(1), Frame::Ack { up_to: 1 }])?;
    let first_len = stream(&[envelope(1)])?.len();
    for cut in 0..whole.len() {
        let mut buf = BytesMut::from(&whole[..cut]);
        let result = decode_all(&mut buf);
        if cut == 0 || cut == first_len {
            assert_eq!(result?.len(), usize::from(cut > 0), "a cut between frames loses nothing");
        } else {
            // Also right after a length prefix, when the buffer is empty again.
            expect_malformed(result, "frame", &["truncated frame"])?;
        }
    }
    Ok(())
}

#[test]
fn design_3_wire_frame_that_does_not_decode_is_malformed() -> TestResult {
    let unknown_kind = [0, 0, 0, 1, 0x63];
    expect_malformed(decode_all(&mut BytesMut::from(&unknown_kind[..])), "frame", &[])?;
    // Trailing bytes inside a frame are malformed too.
    let ack = Frame::Ack { up_to: 3 }.encode()?;
    let mut padded = BytesMut::new();
    padded.extend_from_slice(&(ack.len() as u32 + 1).to_be_bytes());
    padded.extend_from_slice(&ack);
    padded.extend_from_slice(&[0]);
    expect_malformed(decode_all(&mut padded), "frame", &[])
}

// ----- the handshake ----------------------------------------------------------------------

#[test]
fn design_3_wire_handshake_refuses_a_stranger_at_once() -> TestResult {
    let mut http = BytesMut::from(&b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"[..]);
    let capacity = http.capacity();
    expect_malformed(HelloCodec::new().decode(&mut http), "handshake", &["not a Thespian peer", "\"GET \""])?;
    assert_eq!(http.capacity(), capacity);

    // A short frame with another magic.
    let mut other = BytesMut::from(&[0, 0, 0, 6, b'S', b'S', b'H', b'-', 2, 0][..]);
    expect_malformed(HelloCodec::new().decode(&mut other), "handshake", &["not a Thespian peer", "SSH-"])?;

    // A handshake frame longer than a handshake can be.
    let mut long = BytesMut::from(&(MAX_HELLO_SIZE as u32 + 1).to_be_bytes()[..]);
    expect_malformed(HelloCodec::new().decode(&mut long), "handshake", &["not a Thespian peer"])
}

#[test]
fn design_3_wire_handshake_refuses_another_version_naming_both() -> TestResult {
    let future = Hello { version: PROTOCOL_VERSION + 1, ..Hello::new(1, 2, Role::Actor) };
    let mut buf = BytesMut::new();
    HelloCodec::new().encode(future, &mut buf)?;
    let theirs = format!("version {}", PROTOCOL_VERSION + 1);
    let ours = format!("version {PROTOCOL_VERSION}");
    expect_malformed(HelloCodec::new().decode(&mut buf), "handshake", &[&theirs, &ours])?;

    // What follows the version in another version's handshake is not read.
    let mut body = future.encode()?;
    body.truncate(7);
    let err = Hello::decode(&body).expect_err("another version");
    assert!(err.to_string().contains(&theirs), "{err}");
    Ok(())
}

#[tokio::test]
async fn design_3_wire_handshake_then_frames_both_ways() -> TestResult {
    let (a, b) = tokio::io::duplex(4096);
    let ((peer_of_a, mut a), (peer_of_b, mut b)) =
        tokio::try_join!(handshake(a, Hello::new(7, 0, Role::Admin)), handshake(b, Hello::new(7, 3, Role::Actor)))?;
    assert_eq!(peer_of_a, Hello::new(7, 3, Role::Actor));
    assert_eq!(peer_of_b, Hello::new(7, 0, Role::Admin));

    a.send(envelope(1)).await?;
    assert_eq!(b.next().await.transpose()?, Some(envelope(1)));
    b.send(Frame::Ack { up_to: 1 }).await?;
    assert_eq!(a.next().await.transpose()?, Some(Frame::Ack { up_to: 1 }));
    Ok(())
}

#[tokio::test]
async fn design_3_wire_handshake_keeps_frames_sent_right_behind_it() -> TestResult {
    let (ours, mut raw) = tokio::io::duplex(4096);
    // The peer writes its handshake and two frames in one write.
    let mut bytes = BytesMut::new();
    HelloCodec::new().encode(Hello::new(7, 3, Role::Actor), &mut bytes)?;
    bytes.extend_from_slice(&stream(&[envelope(1), envelope(2)])?);
    raw.write_all(&bytes).await?;

    let (peer, mut framed) = handshake(ours, Hello::new(7, 0, Role::Admin)).await?;
    assert_eq!(peer.host, 3);
    assert_eq!(framed.next().await.transpose()?, Some(envelope(1)));
    assert_eq!(framed.next().await.transpose()?, Some(envelope(2)));
    Ok(())
}

#[tokio::test]
async fn design_3_wire_handshake_with_a_peer_that_closes_is_an_error() -> TestResult {
    let (ours, theirs) = tokio::io::duplex(4096);
    drop(theirs);
    match handshake(ours, Hello::new(7, 0, Role::Admin)).await {
        Err(FrameError::Io(_)) => Ok(()),
        other => Err(format!("expected an I/O error, got {:?}", other.map(|(hello, _)| hello)).into()),
    }
}

// ----- batched writes ---------------------------------------------------------------------

/// A sink that counts its completed flushes.
struct CountFlushes<S> {
    inner: S,
    flushes: usize,
}

impl<S: Sink<Frame> + Unpin> Sink<Frame> for CountFlushes<S> {
    type Error = S::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        Pin::new(&mut self.inner).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: Frame) -> Result<(), S::Error> {
        Pin::new(&mut self.inner).start_send(item)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        let done = Pin::new(&mut self.inner).poll_flush(cx);
        if done.is_ready() {
            self.flushes += 1;
        }
        done
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

const ENVELOPES: u64 = 10_000;

/// Reads frames until `Bye`, checking that the envelopes come numbered 1, 2, ... with their
/// own bodies; returns how many came.
async fn read_in_order(framed: &mut Framed<tokio::io::DuplexStream, FrameCodec>) -> Result<u64, common::Failure> {
    let mut count = 0;
    loop {
        match framed.next().await.transpose()? {
            Some(Frame::Envelope { seq, envelope }) => {
                count += 1;
                assert_eq!(seq, count, "envelopes arrive in order");
                assert_eq!(envelope.body, seq.to_le_bytes());
            }
            Some(Frame::Bye) => return Ok(count),
            other => return Err(format!("unexpected {other:?} after {count} envelopes").into()),
        }
    }
}

#[tokio::test]
async fn design_3_wire_batched_writes_deliver_10_000_envelopes_in_order() -> TestResult {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let mut writer = Framed::new(a, FrameCodec::new());
    let mut reader = Framed::new(b, FrameCodec::new());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let producer = async move {
        for seq in 1..=ENVELOPES {
            tx.send(envelope(seq))?;
            tokio::task::yield_now().await;
        }
        tx.send(Frame::Bye)
    };
    let (produced, written, read) =
        tokio::join!(producer, write_batched(&mut rx, &mut writer), read_in_order(&mut reader));
    produced?;
    assert_eq!(written?, ENVELOPES + 1);
    assert_eq!(read?, ENVELOPES);
    Ok(())
}

#[tokio::test]
async fn design_3_wire_batched_writes_flush_once_the_queue_is_empty() -> TestResult {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let mut writer = CountFlushes { inner: Framed::new(a, FrameCodec::new()), flushes: 0 };
    let mut reader = Framed::new(b, FrameCodec::new());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for seq in 1..=ENVELOPES {
        tx.send(envelope(seq))?;
    }
    tx.send(Frame::Bye)?;
    drop(tx);
    let (written, read) = tokio::join!(write_batched(&mut rx, &mut writer), read_in_order(&mut reader));
    assert_eq!(written?, ENVELOPES + 1);
    assert_eq!(read?, ENVELOPES);
    assert_eq!(writer.flushes, 1, "one queue, one flush");
    Ok(())
}

// ----- fuzzing ----------------------------------------------------------------------------

const POISON: &str = "thespian::PoisonMessage";

/// A length-prefixed block, as postcard writes strings and byte strings.
fn block(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut n = bytes.len();
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(bytes);
    out
}

/// A `PoisonMessage` body nested `depth` deep: far past the nesting limit for a large depth.
fn deep_poison(depth: usize) -> Vec<u8> {
    let mut body = block(b"core");
    let mut name: &str = "String";
    for _ in 0..depth {
        body = [block(name.as_bytes()), block(&body), block(b"d")].concat();
        name = POISON;
    }
    body
}

/// A random valid frame; its envelope bodies are random, valid or deeply nested.
fn random_frame(rng: &mut Rng, deep: &[u8]) -> Frame {
    match rng.below(8) {
        0 => Frame::Ack { up_to: rng.next() >> rng.below(64) },
        1 => Frame::Bye,
        _ => {
            let (type_name, body) = match rng.below(6) {
                0 => ("u64".to_string(), block(&rng.bytes(12))[1..].to_vec()),
                1 => ("String".to_string(), block(b"hello")),
                2 => (POISON.to_string(), deep.to_vec()),
                3 => (POISON.to_string(), deep_poison(rng.below(4))),
                4 => ("my_app::Unknown".to_string(), rng.bytes(40)),
                _ => (String::from_utf8_lossy(&rng.bytes(10)).into_owned(), rng.bytes(40)),
            };
            let envelope = WireEnvelope {
                target: address(rng.next(), rng.next() >> rng.below(64)),
                sender: address(rng.next(), rng.below(100) as u64),
                type_name,
                body,
            };
            Frame::Envelope { seq: rng.next() >> rng.below(64), envelope }
        }
    }
}

/// A valid connection's bytes (with a handshake first, or not) and the frames in it.
fn random_stream(rng: &mut Rng, deep: &[u8], with_hello: bool) -> Result<(BytesMut, Vec<Frame>), FrameError> {
    let mut buf = BytesMut::new();
    if with_hello {
        HelloCodec::new().encode(Hello::new(rng.next(), rng.next(), Role::Actor), &mut buf)?;
    }
    let frames: Vec<Frame> = (0..1 + rng.below(5)).map(|_| random_frame(rng, deep)).collect();
    buf.extend_from_slice(&stream(&frames)?);
    Ok((buf, frames))
}

/// What the decoder made of one input.
#[derive(Default, Debug)]
struct Outcomes {
    frames: usize,
    opened: usize,
    too_large: usize,
    malformed: usize,
    truncated: usize,
    clean_ends: usize,
}

/// Decodes `input` as a connection does (the handshake first if `with_hello`), to the end
/// of the stream, and checks every outcome; returns the frames decoded.
fn check_input(input: &[u8], with_hello: bool, seen: &mut Outcomes) -> Result<Vec<Frame>, String> {
    let mut buf = BytesMut::from(input);
    let bound = input.len().max(MAX_FRAME_SIZE) + 64;
    let mut frames = Vec::new();
    let mut end = false;
    let result = (|| -> Result<(), FrameError> {
        if with_hello {
            match HelloCodec::new().decode(&mut buf)? {
                Some(hello) => assert_eq!(Hello::decode(&hello.encode()?)?, hello),
                None => {
                    HelloCodec::new().decode_eof(&mut buf)?;
                    end = true;
                    return Ok(());
                }
            }
        }
        let mut codec = FrameCodec::new();
        loop {
            let capacity = buf.capacity();
            let next = if end { codec.decode_eof(&mut buf) } else { codec.decode(&mut buf) };
            if let Err(FrameError::Wire(WireError::TooLarge { .. })) = &next {
                assert_eq!(buf.capacity(), capacity, "an oversized length allocates nothing");
            }
            assert!(buf.capacity() <= bound, "buffer grew to {} bytes", buf.capacity());
            match next? {
                Some(frame) => {
                    assert_eq!(Frame::decode(&frame.encode()?)?, frame, "a decoded frame is a valid frame");
                    frames.push(frame);
                }
                None if end => return Ok(()),
                None => end = true,
            }
        }
    })();
    for frame in &frames {
        seen.frames += 1;
        if let Frame::Envelope { envelope, .. } = frame {
            // Opening the message is bounded too: a typed error or a message.
            match envelope.clone().open() {
                Ok(_) => seen.opened += 1,
                Err(WireError::Malformed { .. } | WireError::TooLarge { .. }) => {}
                Err(other) => return Err(format!("opening gave {other:?}")),
            }
        }
    }
    match result {
        Ok(()) => seen.clean_ends += 1,
        Err(FrameError::Wire(WireError::TooLarge { size, limit })) if size > limit => seen.too_large += 1,
        Err(FrameError::Wire(WireError::Malformed { type_name, reason }))
            if type_name == "frame" || type_name == "handshake" =>
        {
            seen.malformed += 1;
            if reason.starts_with("truncated frame") {
                seen.truncated += 1;
            }
        }
        Err(other) => return Err(format!("not a typed wire error: {other:?}")),
    }
    Ok(frames)
}

/// Runs `cases` random inputs from `seed`; panics (naming the case and its input) on the
/// first failure.
fn fuzz(seed: u64, cases: u64) -> Outcomes {
    let mut rng = Rng(seed);
    let deep = deep_poison(40); // past the nesting limit
    let mut seen = Outcomes::default();
    for case in 0..cases {
        let with_hello = rng.below(4) == 0;
        let (mut input, frames) = random_stream(&mut rng, &deep, with_hello).expect("valid frames encode");
        let kind = rng.below(7);
        match kind {
            0 => {}
            1 => {
                for _ in 0..1 + rng.below(8) {
                    let bit = rng.below(input.len() * 8);
                    input[bit / 8] ^= 1 << (bit % 8);
                }
            }
            2 => {
                let (other, _) = random_stream(&mut rng, &deep, false).expect("valid frames encode");
                let (cut, from) = (rng.below(input.len() + 1), rng.below(other.len() + 1));
                input.truncate(cut);
                input.extend_from_slice(&other[from..]);
            }
            3 => input.truncate(rng.below(input.len())),
            4 => {
                let announced = MAX_FRAME_SIZE as u64 + 1 + rng.next() % (u64::from(u32::MAX) - MAX_FRAME_SIZE as u64);
                let at = if with_hello { 0 } else { rng.below(input.len() + 1) };
                let tail = input.split_off(at);
                input.extend_from_slice(&(announced as u32).to_be_bytes());
                input.extend_from_slice(&tail);
            }
            5 => {
                let at = rng.below(input.len());
                input[at] = [0x00, 0xFF, 0x7F, 0x80][rng.below(4)];
            }
            _ => {
                let noise = rng.bytes(64);
                input.clear();
                if rng.below(2) == 0 {
                    input.extend_from_slice(&(noise.len() as u32).to_be_bytes());
                }
                input.extend_from_slice(&noise);
            }
        }
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_input(&input, with_hello, &mut seen)));
        match outcome {
            Ok(Ok(decoded)) if kind == 0 => {
                assert_eq!(decoded, frames, "case {case} (seed {seed}): valid frames decode")
            }
            Ok(Ok(_)) => {}
            Ok(Err(why)) => panic!("case {case} (seed {seed}): {why}; input {:02x?}", &input[..]),
            Err(_) => panic!("case {case} (seed {seed}) panicked; input {:02x?}", &input[..]),
        }
    }
    seen
}

/// How many fuzz cases to run: `THESPIAN_FUZZ_FRAMES`, or `default`.
fn fuzz_cases(default: u64) -> u64 {
    std::env::var("THESPIAN_FUZZ_FRAMES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn assert_every_outcome_seen(seen: &Outcomes) {
    let Outcomes { frames, opened, too_large, malformed, truncated, clean_ends } = *seen;
    for (what, count) in [
        ("frames", frames),
        ("opened messages", opened),
        ("oversized", too_large),
        ("malformed", malformed),
        ("truncated", truncated),
        ("clean ends", clean_ends),
    ] {
        assert!(count > 0, "the fuzz met no {what}: {seen:?}");
    }
}

#[test]
fn design_3_wire_frames_fuzz_never_panics() {
    let seen = fuzz(0x7468_6573_7069_616e, fuzz_cases(100_000));
    assert_every_outcome_seen(&seen);
}

#[test]
fn design_3_wire_frames_fuzz_on_a_2_mib_stack() -> TestResult {
    let cases = fuzz_cases(100_000) / 10;
    let small = std::thread::Builder::new().stack_size(2 << 20).spawn(move || fuzz(0x5eed, cases))?;
    let seen = small.join().map_err(|_| "the fuzz panicked on a 2 MiB stack")?;
    assert_every_outcome_seen(&seen);
    Ok(())
}
