//! Where a multi-process system takes connections, as a test finds it from outside (Linux):
//! its id, the abstract Unix socket of a Queue system's admin, and the abstract sockets that
//! are open on this machine.

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
