//! multiprocTCPBase (spec §9.4): a system started and shut down leaves nothing behind — no
//! process, no listening port, no open file descriptor — however often it is done. Alone in
//! its test binary, so that every process descended from this one belongs to the test.
#![cfg(target_os = "linux")]

mod common;

use std::net::{SocketAddr, TcpStream};

use common::actors::TextEcho as Echo;
use common::procs::{descendants, open_fds, Watched};
use common::*;

/// One system: started, used, shut down; returns its Admin Port once every one of its
/// processes is gone.
fn cycle(round: usize) -> Result<u16, Failure> {
    let asys = system("multiprocTCPBase");
    let echo = asys.create_actor::<Echo>()?;
    let text = format!("round {round}");
    let reply: String = answer(&asys, &echo, text.clone())?;
    assert_eq!(reply, text);
    let port = admin_port(&asys)?;
    // The admin, its zygote and the actor's process.
    let mut watched = Watched::default();
    let running = descendants()?;
    assert!(running.len() >= 3, "round {round}: only {running:?} run");
    for pid in running {
        watched.watch(pid)?;
    }
    asys.shutdown()?;
    watched.await_gone(ANSWER).map_err(|e| format!("round {round}: {e}"))?;
    Ok(port)
}

#[test]
fn spec_9_4_200_start_and_shutdown_cycles_leave_nothing_behind() -> TestResult {
    // The first system starts the threads and fds this test binary keeps for good (the
    // tracing and reaper machinery); count from after it.
    cycle(0)?;
    let fds = open_fds()?;
    let mut ports = Vec::new();
    for round in 1..=200 {
        ports.push(cycle(round)?);
    }
    let left = descendants()?;
    assert!(left.is_empty(), "processes left: {left:?}");
    assert_eq!(open_fds()?, fds, "file descriptors left open");
    for port in ports {
        let at = SocketAddr::from(([127, 0, 0, 1], port));
        assert!(TcpStream::connect(at).is_err(), "something still listens on the Admin Port {port}");
    }
    Ok(())
}
