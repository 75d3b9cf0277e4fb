//! multiprocTCPBase (spec §9.4): each actor process listens on a port of its own and its
//! peers talk to it directly, unless the system has "Admin Routing" (or "Outbound Only",
//! which implies it), when every message goes through the admin.
#![cfg(target_os = "linux")]

mod common;

use common::*;
use rustix::process::{kill_process, Pid, Signal};
use thespian::prelude::*;

/// Answers a `String` with its process id.
#[derive(Default)]
struct Pids;

#[actor]
impl Pids {
    #[handler(String)]
    fn pid(&mut self, _text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, std::process::id());
    }
}

/// The inodes of the sockets process `pid` has open.
fn socket_inodes(pid: u32) -> Result<Vec<u64>, Failure> {
    let mut inodes = Vec::new();
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        let Ok(target) = std::fs::read_link(fd?.path()) else { continue };
        let target = target.to_string_lossy().into_owned();
        if let Some(inode) = target.strip_prefix("socket:[").and_then(|t| t.strip_suffix(']')) {
            inodes.push(inode.parse()?);
        }
    }
    Ok(inodes)
}

/// The TCP sockets of process `pid` in state `state` (`0A` listening, `01` established), as
/// (local port, remote port).
fn tcp_sockets(pid: u32, state: &str) -> Result<Vec<(u16, u16)>, Failure> {
    let inodes = socket_inodes(pid)?;
    let mut found = Vec::new();
    for table in ["tcp", "tcp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}"))?;
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(remote), Some(st), Some(inode)) =
                (fields.get(1), fields.get(2), fields.get(3), fields.get(9))
            else {
                continue;
            };
            let port = |addr: &str| addr.rsplit_once(':').and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
            if *st == state && inodes.contains(&inode.parse()?) {
                found.push((port(local).unwrap_or(0), port(remote).unwrap_or(0)));
            }
        }
    }
    Ok(found)
}

fn pid_of(asys: &ActorSystem, actor: &ActorAddress) -> Result<u32, Failure> {
    answer(asys, actor, "pid?".to_string())
}

#[test]
fn spec_9_4_an_actor_process_listens_on_a_port_of_its_own() -> TestResult {
    let asys = system("multiprocTCPBase");
    let actor = asys.create_actor::<Pids>()?;
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
        let actor = asys.create_actor::<Pids>()?;
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
        let pid = Pid::from_raw(i32::try_from(pid)?).ok_or("pid 0")?;
        kill_process(pid, Signal::STOP)?;
        Ok(Self(pid))
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
    let actor = asys.create_actor::<Pids>()?;
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
    let admin = procs::descendants()?
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat")).is_ok_and(|s| {
                s.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1).map(str::to_string))
                    == Some(std::process::id().to_string())
            })
        })
        .ok_or("no admin process")?;
    {
        let _stopped = Stopped::new(admin)?;
        for _ in 0..10 {
            assert_eq!(pid_of(&asys, &actor)?, pid);
        }
    }
    asys.shutdown()?;
    Ok(())
}
