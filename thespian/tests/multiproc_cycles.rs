//! The multi-process bases (spec §9.3–§9.5): a system started and shut down leaves nothing
//! behind — no process, no file descriptor, and no listening port (TCP), abstract Unix
//! socket (Queue) or UDP socket on its Admin Port (UDP) — however often it is done. One
//! cycle loop serves every base. The tests take turns (one lock for the whole binary), so
//! that every process descended from this one belongs to the test that runs.
#![cfg(target_os = "linux")]

mod common;

use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, PoisonError};

use common::actors::TextEcho as Echo;
use common::procs::{descendants, inet_sockets, open_fds, socket_inodes, Watched};
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
    /// The UDP base's Admin Port, where the admin's UDP socket is bound.
    Datagrams(u16),
}

impl Door {
    /// The door of the running system `asys` of `base`.
    fn of(base: &str, asys: &thespian::ActorSystem) -> Result<Self, Failure> {
        Ok(match base {
            "multiprocQueueBase" => Self::Socket(queue_socket_name(system_id(asys)?)),
            "multiprocTCPBase" => Self::Port(admin_port(asys)?),
            "multiprocUDPBase" => Self::Datagrams(admin_port(asys)?),
            other => return Err(format!("where does a {other} system take connections? Add it to `Door`").into()),
        })
    }

    /// Whether anything takes connections, or is open, there now: a TCP connection is
    /// accepted on the port, the abstract socket is in `/proc/net/unix`, or a UDP socket is
    /// bound to the port (`/proc/net/udp` and `udp6`).
    fn open(&self) -> Result<bool, Failure> {
        Ok(match self {
            Self::Port(port) => TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], *port))).is_ok(),
            Self::Socket(name) => abstract_sockets()?.contains(name),
            Self::Datagrams(port) => inet_sockets("udp")?.iter().any(|s| s.local == *port),
        })
    }
}

/// One system of `base`: started, used, shut down; then every one of its processes is gone,
/// and so is its door. The door is looked at as soon as the processes are gone, so that no
/// other program has had time to take the same port.
fn cycle(base: &str, round: usize) -> TestResult {
    let asys = system(base);
    let echo = asys.create_actor::<Echo>()?;
    let text = format!("round {round}");
    let reply: String = answer(&asys, &echo, text.clone())?;
    assert_eq!(reply, text);
    let door = Door::of(base, &asys)?;
    assert!(door.open()?, "round {round}: the running system has no {door:?}");
    // The admin, its zygote and the actor's process.
    let mut watched = Watched::default();
    let running = descendants()?;
    assert!(running.len() >= 3, "round {round}: only {running:?} run");
    for pid in running {
        watched.watch(pid)?;
    }
    asys.shutdown()?;
    watched.await_gone(ANSWER).map_err(|e| format!("round {round}: {e}"))?;
    assert!(!door.open()?, "round {round}: {door:?} is still open after its system shut down");
    drop(asys);
    // The program's own connection is closed by the threads that read it, a moment after
    // the handle is dropped (about a millisecond for a UDP socket, whose receiving thread
    // holds it too).
    await_no_socket().map_err(|e| format!("round {round}: {e}"))?;
    Ok(())
}

/// Awaits, for at most [`ANSWER`], the moment this process holds no socket of any kind (no
/// other test of this binary runs meanwhile, and the test harness holds none).
fn await_no_socket() -> TestResult {
    let deadline = std::time::Instant::now() + ANSWER;
    loop {
        let held = socket_inodes(std::process::id())?;
        if held.is_empty() {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(
                format!("this program still holds sockets {held:?} {ANSWER:?} after dropping its system").into()
            );
        }
        std::thread::sleep(std::time::Duration::from_micros(100));
    }
}

/// 200 cycles on `base`; then no process or file descriptor of theirs is left (nor a door,
/// checked in each cycle).
fn cycles(base: &str) -> TestResult {
    let _alone = ALONE.lock().unwrap_or_else(PoisonError::into_inner);
    // The first system starts the threads and fds this test binary keeps for good (the
    // tracing and reaper machinery); count from after it.
    cycle(base, 0)?;
    let fds = open_fds()?;
    for round in 1..=200 {
        cycle(base, round)?;
    }
    let left = descendants()?;
    assert!(left.is_empty(), "processes left: {left:?}");
    assert_eq!(open_fds()?, fds, "file descriptors left open");
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

#[test]
fn spec_9_5_200_start_and_shutdown_cycles_leave_nothing_behind() -> TestResult {
    cycles("multiprocUDPBase")
}
