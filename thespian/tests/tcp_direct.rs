//! multiprocTCPBase (spec §9.4): each actor process listens on a port of its own and its
//! peers talk to it directly, unless the system has "Admin Routing" (or "Outbound Only",
//! which implies it), when every message goes through the admin.
#![cfg(target_os = "linux")]

mod common;

use common::actors::{self, pid_of};
use common::procs::{self, tcp_sockets};
use common::*;
use rustix::process::{kill_process, Pid, Signal};

#[test]
fn spec_9_4_an_actor_process_listens_on_a_port_of_its_own() -> TestResult {
    let asys = system("multiprocTCPBase");
    let actor = asys.create_actor::<actors::Pid>()?;
    let pid = pid_of(&asys, &actor)?;
    let listening = tcp_sockets(pid, "0A")?;
    assert_eq!(listening.len(), 1, "one listening socket: {listening:?}");
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_4_with_admin_routing_an_actor_process_takes_no_connections() -> TestResult {
    for capability in ["Admin Routing", "Outbound Only"] {
        let asys = builder("multiprocTCPBase").capability(capability, true).build()?;
        let actor = asys.create_actor::<actors::Pid>()?;
        let pid = pid_of(&asys, &actor)?;
        assert_eq!(tcp_sockets(pid, "0A")?, [], "{capability}: no listening socket");
        // Everything still arrives, through the admin.
        for _ in 0..3 {
            assert_eq!(pid_of(&asys, &actor)?, pid);
        }
        asys.shutdown()?;
    }
    Ok(())
}

/// Stops a process until dropped.
struct Stopped(Pid);

impl Stopped {
    fn new(pid: u32) -> Result<Self, Failure> {
        procs::stop(pid)?;
        Ok(Self(Pid::from_raw(i32::try_from(pid)?).ok_or("pid 0")?))
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = kill_process(self.0, Signal::CONT);
    }
}

#[test]
fn spec_9_4_mail_between_a_program_and_an_actor_does_not_need_the_admin() -> TestResult {
    let asys = system("multiprocTCPBase");
    let actor = asys.create_actor::<actors::Pid>()?;
    let pid = pid_of(&asys, &actor)?;
    // The first message asked the admin where the actor listens; the program connects to it
    // in the background. Wait (bounded) until the operating system shows that connection.
    let port = tcp_sockets(pid, "0A")?.first().map(|(local, _)| *local).ok_or("the actor does not listen")?;
    let deadline = std::time::Instant::now() + ANSWER;
    while !tcp_sockets(std::process::id(), "01")?.iter().any(|(_, remote)| *remote == port) {
        assert!(std::time::Instant::now() < deadline, "the program never connected to the actor");
        assert_eq!(pid_of(&asys, &actor)?, pid);
    }
    // With the admin stopped, the program and the actor still talk.
    let admin = procs::listener_of(admin_port(&asys)?)?;
    {
        let _stopped = Stopped::new(admin)?;
        for _ in 0..10 {
            assert_eq!(pid_of(&asys, &actor)?, pid);
        }
    }
    asys.shutdown()?;
    Ok(())
}
