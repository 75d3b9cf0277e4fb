//! The UDP streams on loopback, with datagrams lost on purpose.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{Endpoint, Stream, DATA, MAX_FRAME};

/// One in `LOSE_EVERY` data datagrams sent by any endpoint of this test binary is lost (0:
/// none). Tests that lose datagrams run while holding `LOSSY`.
static LOSE_EVERY: AtomicU64 = AtomicU64::new(0);
static SENT: AtomicU64 = AtomicU64::new(0);
static LOSSY: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub(super) fn lose(bytes: &[u8]) -> bool {
    let every = LOSE_EVERY.load(Ordering::Relaxed);
    if every == 0 || bytes.first() != Some(&DATA) {
        return false;
    }
    // Which datagrams are lost looks random (splitmix64), so a datagram sent again is not
    // lost again for being at the same place in its window.
    let mut z = SENT.fetch_add(1, Ordering::Relaxed).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)).is_multiple_of(every)
}

fn loopback() -> SocketAddr {
    SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 0)
}

/// A frame as the frame codec writes it: its length, then its body.
fn frame(body: &[u8]) -> Vec<u8> {
    let mut bytes = u32::try_from(body.len()).expect("small").to_be_bytes().to_vec();
    bytes.extend_from_slice(body);
    bytes
}

fn pair() -> (Arc<Endpoint>, Arc<Endpoint>, Stream, Stream) {
    let server = Arc::new(Endpoint::bind(loopback(), true).expect("bind"));
    let client = Arc::new(Endpoint::bind(loopback(), false).expect("bind"));
    let mut out = client.connect(server.local_addr()).expect("connect");
    out.write_all(&frame(b"hello")).expect("write");
    let mut accepted = server.accept().expect("a stream");
    let mut got = vec![0u8; 9];
    accepted.read_exact(&mut got).expect("read");
    assert_eq!(got, frame(b"hello"));
    (server, client, out, accepted)
}

/// Reads `n` frames of 8-byte counters and checks they come in order, each once.
fn read_counters(stream: &mut Stream, n: u64) {
    let mut got = [0u8; 12];
    for i in 0..n {
        stream.read_exact(&mut got).expect("a frame");
        assert_eq!(&got[..4], &8u32.to_be_bytes());
        assert_eq!(u64::from_be_bytes(got[4..].try_into().expect("8 bytes")), i, "frames in order, none twice");
    }
}

#[test]
fn spec_9_5_frames_arrive_in_order_both_ways_and_the_end_is_read() {
    let _one = LOSSY.lock();
    let (_s, _c, mut out, mut back) = pair();
    for i in 0..1000u64 {
        out.write_all(&frame(&i.to_be_bytes())).expect("write");
        back.write_all(&frame(&i.to_be_bytes())).expect("write");
    }
    read_counters(&mut back, 1000);
    read_counters(&mut out, 1000);
    out.shutdown();
    let mut rest = Vec::new();
    back.read_to_end(&mut rest).expect("the end");
    assert!(rest.is_empty());
}

#[test]
fn spec_9_5_lost_datagrams_are_sent_again_and_duplicates_dropped() {
    let _one = LOSSY.lock();
    let (_s, _c, mut out, mut back) = pair();
    LOSE_EVERY.store(7, Ordering::Relaxed);
    for i in 0..3000u64 {
        out.write_all(&frame(&i.to_be_bytes())).expect("write");
    }
    read_counters(&mut back, 3000);
    LOSE_EVERY.store(0, Ordering::Relaxed);
    assert!(out.take_unconfirmed().len() <= 256, "acknowledged frames leave the outbox");
}

#[test]
fn spec_9_5_a_peer_that_never_acknowledges_ends_the_stream_and_gives_back_its_frames() {
    let _one = LOSSY.lock();
    // A socket that reads nothing and answers nothing.
    let silent = UdpSocket::bind(loopback()).expect("bind");
    let client = Arc::new(Endpoint::bind(loopback(), false).expect("bind"));
    let mut out = client.connect(silent.local_addr().expect("addr")).expect("connect");
    out.write_all(&frame(b"one")).and_then(|()| out.write_all(&frame(b"two"))).expect("write");
    let mut buf = [0u8; 8];
    let err = out.read(&mut buf).expect_err("the stream fails");
    assert!(err.to_string().contains("acknowledged nothing"), "{err}");
    assert_eq!(out.take_unconfirmed(), vec![frame(b"one"), frame(b"two")]);
}

#[test]
fn spec_9_5_a_stream_to_an_endpoint_that_takes_none_is_reset_at_once() {
    let _one = LOSSY.lock();
    let closed = Arc::new(Endpoint::bind(loopback(), false).expect("bind"));
    let client = Arc::new(Endpoint::bind(loopback(), false).expect("bind"));
    let mut out = client.connect(closed.local_addr()).expect("connect");
    out.write_all(&frame(b"anyone?")).expect("write");
    out.set_read_timeout(Some(Duration::from_millis(500)));
    let err = out.read(&mut [0u8; 8]).expect_err("reset");
    assert!(err.to_string().contains("ended the stream"), "{err}");
}

#[test]
fn spec_9_5_a_frame_over_the_datagram_limit_is_refused_and_the_stream_goes_on() {
    let _one = LOSSY.lock();
    let (_s, _c, mut out, mut back) = pair();
    let big = vec![7u8; MAX_FRAME - 4 + 1];
    let err = out.write_all(&frame(&big)).expect_err("too big");
    assert!(err.to_string().contains("does not fit in one datagram"), "{err}");
    let fits = vec![7u8; MAX_FRAME - 4];
    out.write_all(&frame(&fits)).expect("the largest frame fits");
    let mut got = vec![0u8; MAX_FRAME];
    back.read_exact(&mut got).expect("read");
    assert_eq!(got, frame(&fits));
}

#[test]
fn spec_9_5_a_malformed_datagram_ends_only_its_own_stream() {
    let _one = LOSSY.lock();
    let (server, _c, mut out, mut back) = pair();
    let stranger = UdpSocket::bind(loopback()).expect("bind");
    // A data datagram whose frame says it is longer than it is.
    let mut bad = vec![DATA];
    bad.extend_from_slice(&1u64.to_be_bytes());
    bad.extend_from_slice(&1u64.to_be_bytes());
    bad.extend_from_slice(&0u64.to_be_bytes());
    bad.extend_from_slice(&100u32.to_be_bytes());
    stranger.send_to(&bad, server.local_addr()).expect("send");
    let mut reset = [0u8; 64];
    stranger.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let (n, _) = stranger.recv_from(&mut reset).expect("an answer");
    assert_eq!(reset[0], super::RESET, "{:?}", &reset[..n]);
    out.write_all(&frame(b"still here")).expect("write");
    let mut got = vec![0u8; 14];
    back.read_exact(&mut got).expect("read");
    assert_eq!(got, frame(b"still here"));
}

#[test]
fn spec_9_5_probe_tells_a_listening_endpoint_from_a_free_port() {
    let listening = Endpoint::bind(loopback(), true).expect("bind");
    assert!(super::probe(listening.local_addr(), Duration::from_secs(3)).expect("probe"));
    let free = UdpSocket::bind(loopback()).and_then(|s| s.local_addr()).expect("a port");
    assert!(!super::probe(free, Duration::from_secs(3)).expect("probe"));
}

#[test]
fn spec_9_5_datagrams_past_a_gap_hold_a_bounded_amount_of_memory() {
    let server = Endpoint::bind(loopback(), true).expect("bind");
    let stranger = UdpSocket::bind(loopback()).expect("bind");
    // Numbers 2 to 101 of a stream whose first datagram never comes, 60 000 bytes each.
    let body = vec![1u8; 60_000];
    for seq in 2..=101u64 {
        let mut bytes = vec![DATA];
        bytes.extend_from_slice(&7u64.to_be_bytes());
        bytes.extend_from_slice(&seq.to_be_bytes());
        bytes.extend_from_slice(&0u64.to_be_bytes());
        bytes.extend_from_slice(&frame(&body));
        stranger.send_to(&bytes, server.local_addr()).expect("send");
    }
    // Answered after everything sent before it was filed.
    stranger.send_to(&[super::PING], server.local_addr()).expect("send");
    stranger.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let mut answer = [0u8; 64];
    loop {
        let (n, _) = stranger.recv_from(&mut answer).expect("an answer");
        if answer[..n] == [super::PONG] {
            break;
        }
    }
    let state = server.shared.lock();
    let held: usize = state.streams.values().map(|c| c.ahead_bytes + c.inbox_bytes).sum();
    assert!(held <= super::MAX_AHEAD_BYTES + 60_004, "{held} bytes held for a stream that never starts");
}

#[test]
fn spec_9_5_an_acknowledgement_waits_for_data_going_back_unless_many_datagrams_wait_for_it() {
    let now = std::time::Instant::now();
    let mut conn = super::Conn::new(1, None);
    conn.ack_due = true;
    conn.delivered = 1;
    assert!(!conn.ack_now(now), "one datagram: the acknowledgement waits for an answer to ride on");
    assert!(conn.ack_now(now + super::ACK_DELAY), "and goes on its own after ACK_DELAY");
    let mut conn = super::Conn::new(1, None);
    conn.ack_due = true;
    conn.delivered = super::ACK_EVERY;
    assert!(conn.ack_now(now), "a quarter of a window: at once, or the sender's window stalls");
    conn.acked = super::ACK_EVERY;
    conn.delivered = super::ACK_EVERY + 1;
    assert!(!conn.ack_now(now), "counted from the last acknowledgement sent");
}

#[test]
fn spec_9_5_a_stream_refused_unread_gives_back_what_it_confirmed_and_resets_its_peer() {
    let _one = LOSSY.lock();
    let (server, _client, mut out, accepted) = pair();
    for n in 0..3u64 {
        out.write_all(&frame(&n.to_be_bytes())).expect("write");
    }
    // Until the three frames have arrived (and so been confirmed).
    let shared = &server.shared;
    let mut state = shared.lock();
    while state.streams.values().map(|c| c.inbox.len()).sum::<usize>() < 3 {
        state = shared.wait(state, Some(Duration::from_secs(5)));
    }
    drop(state);
    let refused = accepted.refuse();
    let expected: Vec<Vec<u8>> = (0..3u64).map(|n| frame(&n.to_be_bytes())).collect();
    assert_eq!(refused, expected, "what arrived comes back whole, in order");
    // The peer learns at once: its stream fails rather than waiting for acknowledgements.
    let mut got = [0u8; 1];
    out.set_read_timeout(Some(Duration::from_secs(5)));
    let ended = out.read(&mut got).map_err(|e| e.kind());
    assert_eq!(ended, Err(std::io::ErrorKind::ConnectionReset), "the peer was reset");
}

#[test]
fn spec_9_5_while_a_sink_runs_long_the_other_thread_receives_and_confirms() {
    let _one = LOSSY.lock();
    let (_server, client, mut out, accepted) = pair();
    let (got_tx, got_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let mut first = true;
    accepted.deliver_to(Box::new(move |batch| {
        for item in batch {
            if let super::Delivery::Frame(bytes) = item {
                let _ = got_tx.send(bytes);
            }
        }
        // The first hand-over stands for a handler that runs long.
        if std::mem::take(&mut first) {
            let _ = release_rx.recv_timeout(Duration::from_secs(30));
        }
        true
    }));
    out.write_all(&frame(&0u64.to_be_bytes())).expect("write");
    assert_eq!(got_rx.recv_timeout(Duration::from_secs(5)).expect("the first frame"), frame(&0u64.to_be_bytes()));
    // The receiving thread is in the sink now. Without a thread taking its place, nothing
    // would be confirmed until it returns, and the stream would fail after MAX_TRIES sends.
    for n in 1..=10u64 {
        out.write_all(&frame(&n.to_be_bytes())).expect("write");
    }
    let shared = &client.shared;
    let mut state = shared.lock();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (confirmed, failed) = out.with(&mut state, |c| (c.outbox.is_empty(), c.failed.clone())).expect("open");
        assert_eq!(failed, None, "the stream goes on while the sink runs");
        if confirmed {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the frames sent meanwhile were never confirmed");
        state = shared.wait(state, Some(Duration::from_millis(10)));
    }
    drop(state);
    assert!(got_rx.try_recv().is_err(), "the sink is still busy: nothing more was handed over");
    release_tx.send(()).expect("the sink waits");
    for n in 1..=10u64 {
        let bytes = got_rx.recv_timeout(Duration::from_secs(5)).expect("every frame, once the sink is back");
        assert_eq!(bytes, frame(&n.to_be_bytes()), "in order, each once");
    }
}

#[test]
fn spec_9_5_a_stream_that_ends_while_its_sink_runs_still_hands_it_everything_and_the_end() {
    let _one = LOSSY.lock();
    let (server, _client, mut out, accepted) = pair();
    let (got_tx, got_rx) = std::sync::mpsc::channel::<Option<Vec<u8>>>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let mut first = true;
    accepted.deliver_to(Box::new(move |batch| {
        for item in batch {
            let _ = got_tx.send(match item {
                super::Delivery::Frame(bytes) => Some(bytes),
                super::Delivery::End(_) => None,
            });
        }
        if std::mem::take(&mut first) {
            let _ = release_rx.recv_timeout(Duration::from_secs(30));
        }
        true
    }));
    out.write_all(&frame(&0u64.to_be_bytes())).expect("write");
    assert_eq!(got_rx.recv_timeout(Duration::from_secs(5)).expect("the first frame"), Some(frame(&0u64.to_be_bytes())));
    // While the sink runs: more frames and the peer's end come, and this side ends too, so
    // that the stream is over before its sink is back.
    for n in 1..=3u64 {
        out.write_all(&frame(&n.to_be_bytes())).expect("write");
    }
    out.shutdown();
    accepted.shutdown();
    let shared = &server.shared;
    let mut state = shared.lock();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !accepted.with(&mut state, |c| c.finished && c.outbox.is_empty()).unwrap_or(false) {
        assert!(std::time::Instant::now() < deadline, "the peer's end never arrived, or ours was never confirmed");
        state = shared.wait(state, Some(Duration::from_millis(10)));
    }
    drop(state);
    release_tx.send(()).expect("the sink waits");
    for n in 1..=3u64 {
        let item = got_rx.recv_timeout(Duration::from_secs(5)).expect("every frame, once the sink is back");
        assert_eq!(item, Some(frame(&n.to_be_bytes())), "in order, each once");
    }
    assert_eq!(got_rx.recv_timeout(Duration::from_secs(5)).expect("the end"), None, "then the end");
}
