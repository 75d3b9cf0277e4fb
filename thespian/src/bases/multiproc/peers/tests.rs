//! The reading half of a direct TCP or Unix connection ([`Inbound`]), which its reader
//! thread and a program's thread waiting for an answer both read.

use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, Ordering};

use super::*;
use crate::api::address::ActorAddress;
use crate::wire::WireEnvelope;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const SYSTEM: u64 = 7;
/// This process's host.
const ME: u32 = 2;
/// The peer's host.
const PEER: u32 = 3;

/// A link to an admin that says nothing (the test keeps its end, returned first), with one
/// direct Unix connection from [`PEER`] installed; the peer's end is returned second.
fn linked() -> Result<(Arc<Link>, UnixStream, UnixStream), Box<dyn std::error::Error>> {
    let (admin, ours) = UnixStream::pair()?;
    let (input, closer) = (ours.try_clone()?, ours.try_clone()?);
    let close = Box::new(move || drop(closer.shutdown(Shutdown::Both)));
    let link = Link::start(input, PeerStream::Unix(ours), close, "thespian-test-link")?;
    link.lock().peers.enable(SYSTEM, ME);
    let (peer, mine) = UnixStream::pair()?;
    install(&link, PEER, PeerStream::Unix(mine));
    Ok((link, admin, peer))
}

/// Mail numbered `seq` from the peer (its body is never opened here).
fn envelope(seq: u64) -> Frame {
    let at = |host| ActorAddress::on_host(SYSTEM, host, 1);
    let envelope = WireEnvelope { target: at(ME), sender: at(PEER), type_name: "u64".to_string(), body: Vec::new() };
    Frame::Envelope { seq, envelope }
}

#[test]
fn spec_9_4_mail_that_a_waiting_program_thread_reads_first_is_still_acknowledged() -> TestResult {
    let (link, _admin, peer) = linked()?;
    let inbound = link.lock().peers.inbounds.first().cloned().ok_or("the connection has no reading half")?;
    // A program's thread waiting for an answer reads the connection as fast as it can: it
    // takes most mail before the reader thread wakes to it, and that thread, finding
    // nothing, goes back to waiting with no timeout. The acknowledgement the guest leaves
    // owed must still go ([`ACK_DELAY`]), or the peer keeps the mail as unconfirmed forever.
    let done = Arc::new(AtomicBool::new(false));
    let guest = {
        let (link, done) = (Arc::clone(&link), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let _ = inbound.take_now(&link, true);
                std::hint::spin_loop();
            }
        })
    };
    let acknowledged = (|| -> TestResult {
        let mut writer = Writer::new(PeerStream::Unix(peer.try_clone()?));
        peer.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut acks = Reader::new(peer);
        // One at a time, fewer than ACK_EVERY: each acknowledgement waits out ACK_DELAY.
        for seq in 1..=50 {
            writer.send(&envelope(seq))?;
            writer.flush()?;
            match acks.next() {
                Ok(Some(Frame::Ack { up_to })) if up_to == seq => {}
                other => return Err(format!("mail {seq} was not acknowledged within 2 s: {other:?}").into()),
            }
        }
        Ok(())
    })();
    done.store(true, Ordering::Relaxed);
    guest.join().map_err(|_| "the guest panicked")?;
    let readers = link.lock().peers.close_all();
    readers.into_iter().for_each(|reader| drop(reader.join()));
    acknowledged
}
