//! Where a multi-process system takes connections, as a test finds it from outside (Linux):
//! its id, the abstract Unix socket of a Queue system's admin, the abstract sockets that
//! are open on this machine, and the datagrams a UDP system's sockets take ([`udp`]).

use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::net::{SocketAddr, UnixStream};

use thespian::{ActorAddress, ActorSystem};

use super::Failure;

/// The parts of an address as it travels: system id, host process and actor id.
pub fn parts(address: &ActorAddress) -> Result<(u64, u32, u64), Failure> {
    Ok(postcard::from_bytes(&postcard::to_stdvec(address)?)?)
}

/// The id of the system `asys` belongs to: the first part of its admin's address.
pub fn system_id(asys: &ActorSystem) -> Result<u64, Failure> {
    Ok(parts(&asys.admin_address())?.0)
}

/// The abstract Unix socket the admin of the Queue system `system` takes its program's
/// connection on (spec §9.3), named as the base names it (`queue_socket_name` in
/// `thespian/src/bases/multiproc/mod.rs`).
pub fn queue_socket_name(system: u64) -> String {
    format!("thespian-queue-{system:x}")
}

/// A new connection to the abstract Unix socket `name`.
pub fn connect_abstract(name: &str) -> std::io::Result<UnixStream> {
    UnixStream::connect_addr(&SocketAddr::from_abstract_name(name.as_bytes())?)
}

/// The names of the abstract Unix sockets open in this network namespace (listening,
/// connected or neither; one entry per socket), from `/proc/net/unix`, without the `@`
/// that marks them there.
pub fn abstract_sockets() -> Result<Vec<String>, Failure> {
    let table = std::fs::read_to_string("/proc/net/unix")?;
    // `Num RefCount Protocol Flags Type St Inode Path`: the path is the 8th field, if any.
    Ok(table
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().nth(7))
        .filter_map(|path| path.strip_prefix('@'))
        .map(str::to_string)
        .collect())
}

/// The datagrams of `multiprocUDPBase` (spec §9.5), laid out as the base lays them out
/// (`thespian/src/bases/multiproc/udp.rs`): a kind byte, the sender's incarnation (a
/// random number per socket; in a `RESET`, the incarnation of the socket it tells), and in
/// `DATA` and `ACK` a sequence number, all big-endian; `DATA` then the acknowledgement of the
/// other direction that rides on it, and one whole frame (its 4-byte length prefix
/// included), or nothing to end the stream. `PING` and `PONG` are
/// the kind byte alone. A test that uses these checks them against a running system first.
pub mod udp {
    /// One frame of a stream.
    pub const DATA: u8 = 0xD7;
    /// Everything up to a sequence number arrived.
    pub const ACK: u8 = 0xA7;
    /// The stream is over (or was never open) for the incarnation named.
    pub const RESET: u8 = 0xE7;
    /// Does an admin listen here? Answered with [`PONG`].
    pub const PING: u8 = 0x71;
    /// The answer to [`PING`].
    pub const PONG: u8 = 0x72;
    /// Is the peer of an idle stream still there? Answered with [`STILL`] (or [`RESET`]).
    pub const ALIVE: u8 = 0x73;
    /// The answer to [`ALIVE`].
    pub const STILL: u8 = 0x74;
    /// Every kind the base sends.
    pub const KINDS: [u8; 7] = [DATA, ACK, RESET, PING, PONG, ALIVE, STILL];
    /// A `DATA` datagram's header: kind, incarnation, sequence number, acknowledgement.
    pub const HEADER: usize = 1 + 8 + 8 + 8;
    /// The largest UDP payload over IPv4.
    pub const MAX_DATAGRAM: usize = 65_507;

    /// A datagram of `kind` from (or, for a reset, to) `incarnation`, with `seq` if given,
    /// then `frame`.
    pub fn datagram(kind: u8, incarnation: u64, seq: Option<u64>, frame: &[u8]) -> Vec<u8> {
        let mut bytes = vec![kind];
        bytes.extend_from_slice(&incarnation.to_be_bytes());
        if let Some(seq) = seq {
            bytes.extend_from_slice(&seq.to_be_bytes());
        }
        bytes.extend_from_slice(frame);
        bytes
    }

    /// A `DATA` datagram from `incarnation`, numbered `seq`, acknowledging nothing, with
    /// `frame`.
    pub fn data(incarnation: u64, seq: u64, frame: &[u8]) -> Vec<u8> {
        let mut bytes = datagram(DATA, incarnation, Some(seq), &0u64.to_be_bytes());
        bytes.extend_from_slice(frame);
        bytes
    }

    /// The incarnation a datagram carries, if it is long enough to carry one.
    pub fn incarnation(datagram: &[u8]) -> Option<u64> {
        datagram.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
    }

    /// Up to which number a datagram acknowledges its stream: an `ACK`, or the
    /// acknowledgement a `DATA` datagram carries.
    pub fn acknowledged(datagram: &[u8]) -> Option<u64> {
        match datagram.first() {
            Some(&ACK) => seq(datagram),
            Some(&DATA) => datagram.get(17..HEADER).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes),
            _ => None,
        }
    }

    /// The sequence number of a `DATA` or `ACK` datagram.
    pub fn seq(datagram: &[u8]) -> Option<u64> {
        datagram.get(9..17).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
    }
}
