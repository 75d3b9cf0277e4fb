//! The admin of `multiprocTCPBase` outlives the program that started it (usage guide §9.4):
//! this program starts a system, leaves it running, starts itself again as a second program
//! that attaches to the same Admin Port and talks to an actor the first one created, then
//! attaches once more and shuts the system down. It also shows what a test's system looks
//! like, capability checks and a poison message on this base.
//!
//! Run it with `cargo run --example tcp_admin`.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(10);

// ANCHOR: counter
/// Counts the visits it is told about, and answers each with the count so far and the
/// process it runs in.
#[derive(Default)]
struct Counter {
    visits: u32,
}

/// A visit to the `Counter`, from the program named.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Visit(String);

/// The `Counter`'s answer.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Count {
    visits: u32,
    pid: u32,
}

#[actor]
impl Counter {
    #[handler(Visit)]
    fn visit(&mut self, Visit(who): &Visit, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        assert!(!who.is_empty(), "a visit from nobody");
        self.visits += 1;
        ctx.send(sender, Count { visits: self.visits, pid: std::process::id() });
    }
}

/// The one `Counter` of the system, found by its global name (usage guide §4.6).
fn counter(asys: &ActorSystem) -> Result<ActorAddress, ActorSystemError> {
    asys.create_actor_with(ActorSpec::of::<Counter>().global_name("visits"))
}

/// Tells the `Counter` of a visit and returns its answer.
fn visit(asys: &ActorSystem, who: &str) -> Result<Count, ActorSystemError> {
    let answer: Option<Count> = asys.ask_as(&counter(asys)?, Visit(who.to_string()), WAIT)?;
    Ok(answer.expect("the counter answers within 10 s"))
}
// ANCHOR_END: counter

// ANCHOR: gpu_worker
/// An actor that runs only on a system with a "GPU" capability.
#[derive(Default)]
struct GpuWorker;

#[require_capability("GPU")]
#[actor]
impl GpuWorker {}
// ANCHOR_END: gpu_worker

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    thespian::init();
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, port] = args.as_slice() {
        if flag == "--attach" {
            return second_program(port.parse()?);
        }
    }

    // ANCHOR: outlives
    let asys = ActorSystem::builder().base("multiprocTCPBase").admin_port(0).logging(Logging::Off).build()?;
    let port = match asys.capabilities()?.get("Admin Port") {
        Some(CapValue::Int(port)) => u16::try_from(*port)?,
        other => return Err(format!("no Admin Port capability: {other:?}").into()),
    };
    println!("first program (process {}): the admin listens on port {port}", std::process::id());
    // ANCHOR_END: outlives
    let outcome = first_program(asys, port);

    // Whatever happened, attach once more and stop the system: this example leaves
    // nothing running.
    // ANCHOR: shutdown
    let asys = ActorSystem::builder().base("multiprocTCPBase").admin_port(port).logging(Logging::Off).build()?;
    let count = visit(&asys, "first program, back again")?;
    println!("first program, attached again: {} visits", count.visits);
    asys.shutdown()?; // stops every actor, their processes and the admin
                      // ANCHOR_END: shutdown
    outcome?;
    assert_eq!(count.visits, 3, "the counter kept its state between programs");
    Ok(())
}
// ANCHOR_END: main

fn first_program(asys: ActorSystem, port: u16) -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: first
    let count = visit(&asys, "first program")?;
    println!("first program: {} visit, counted in process {}", count.visits, count.pid);
    drop(asys); // detaches: the admin, and the counter, go on without this handle

    // A second program: this binary again, in a process of its own.
    let program = std::env::current_exe()?;
    let status = Command::new(program).args(["--attach", &port.to_string()]).status()?;
    assert!(status.success(), "the second program failed: {status}");
    // ANCHOR_END: first
    Ok(())
}

// ANCHOR: second
/// Attaches to the system already running on `port`, visits the counter, and detaches.
fn second_program(port: u16) -> Result<(), Box<dyn std::error::Error>> {
    let asys = ActorSystem::builder()
        .base("multiprocTCPBase")
        .admin_port(port) // the running system's Admin Port: attach, start nothing
        .ip_address(IpAddr::V4(Ipv4Addr::LOCALHOST)) // where its admin listens (the default)
        .logging(Logging::Off)
        .build()?;
    let count = visit(&asys, "second program")?;
    println!(
        "second program (process {}): {} visits, counted in process {}",
        std::process::id(),
        count.visits,
        count.pid
    );
    assert_eq!(count.visits, 2);

    // ANCHOR: checks
    // Capabilities are checked on this base: a system without "GPU" refuses the worker.
    match asys.create_actor::<GpuWorker>() {
        Err(e @ ActorSystemError::NoCompatibleSystemForActor { .. }) => println!("second program: {e}"),
        other => return Err(format!("expected NoCompatibleSystemForActor, got {other:?}").into()),
    }
    // ANCHOR_END: checks

    // ANCHOR: poison
    // A handler that panics is retried once, then its message comes back as poison.
    let answer = asys.ask(&counter(&asys)?, Visit(String::new()), WAIT)?;
    match answer.map(|msg| msg.downcast::<PoisonMessage>()) {
        Some(Ok(poison)) => println!("second program: poison back: {}", poison.details),
        other => return Err(format!("expected a PoisonMessage, got {other:?}").into()),
    }
    // ANCHOR_END: poison
    Ok(())
}
// ANCHOR_END: second
