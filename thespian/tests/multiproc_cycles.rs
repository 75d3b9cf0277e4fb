//! The multi-process bases (spec §9.3, §9.4): a system started and shut down leaves nothing
//! behind — no process, no file descriptor, and no listening port (TCP) or abstract Unix
//! socket (Queue) — however often it is done. One cycle loop serves every base. The tests
//! take turns (one lock for the whole binary), so that every process descended from this
//! one belongs to the test that runs.
#![cfg(target_os = "linux")]

mod common;

use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, PoisonError};

use common::actors::TextEcho as Echo;
use common::procs::{descendants, open_fds, Watched};
use common::sockets::{abstract_sockets, queue_socket_name, system_id};
use common::*;

/// Held by the test that runs: the others wait.
static ALONE: Mutex<()> = Mutex::new(());

/// Where a system took connections: what must be gone once it has shut down.
#[derive(Debug)]
enum Door {
    /// The TCP base's Admin Port.
    Port(u16),
    /// The abstract Unix socket of a Queue system's admin.
    Socket(String),
}

impl Door {
    /// The door of the running system `asys` of `base`.
    fn of(base: &str, asys: &thespian::ActorSystem) -> Result<Self, Failure> {
        Ok(match base {
            "multiprocQueueBase" => Self::Socket(queue_socket_name(system_id(asys)?)),
            "multiprocTCPBase" => Self::Port(admin_port(asys)?),
            other => return Err(format!("where does a {other} system take connections? Add it to `Door`").into()),
        })
    }

    /// Whether anything still takes connections, or is open, there. `sockets` is what
    /// [`abstract_sockets`] listed.
    fn open(&self, sockets: &[String]) -> bool {
        match self {
            Self::Port(port) => TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], *port))).is_ok(),
            Self::Socket(name) => sockets.contains(name),
        }
    }
}

/// One system of `base`: started, used, shut down; returns its door once every one of its
/// processes is gone.
fn cycle(base: &str, round: usize) -> Result<Door, Failure> {
    let asys = system(base);
    let echo = asys.create_actor::<Echo>()?;
    let text = format!("round {round}");
    let reply: String = answer(&asys, &echo, text.clone())?;
    assert_eq!(reply, text);
    let door = Door::of(base, &asys)?;
    assert!(door.open(&abstract_sockets()?), "round {round}: the running system has no {door:?}");
    // The admin, its zygote and the actor's process.
    let mut watched = Watched::default();
    let running = descendants()?;
    assert!(running.len() >= 3, "round {round}: only {running:?} run");
    for pid in running {
        watched.watch(pid)?;
    }
    asys.shutdown()?;
    watched.await_gone(ANSWER).map_err(|e| format!("round {round}: {e}"))?;
    Ok(door)
}

/// 200 cycles on `base`; then no process, file descriptor or door of theirs is left.
fn cycles(base: &str) -> TestResult {
    let _alone = ALONE.lock().unwrap_or_else(PoisonError::into_inner);
    // The first system starts the threads and fds this test binary keeps for good (the
    // tracing and reaper machinery); count from after it.
    cycle(base, 0)?;
    let fds = open_fds()?;
    let mut doors = Vec::new();
    for round in 1..=200 {
        doors.push(cycle(base, round)?);
    }
    let left = descendants()?;
    assert!(left.is_empty(), "processes left: {left:?}");
    assert_eq!(open_fds()?, fds, "file descriptors left open");
    let sockets = abstract_sockets()?;
    for door in doors {
        assert!(!door.open(&sockets), "{door:?} is still open after its system shut down");
    }
    Ok(())
}

#[test]
fn spec_9_3_200_start_and_shutdown_cycles_leave_nothing_behind() -> TestResult {
    cycles("multiprocQueueBase")
}

#[test]
fn spec_9_4_200_start_and_shutdown_cycles_leave_nothing_behind() -> TestResult {
    cycles("multiprocTCPBase")
}
