//! Attaching to a running `multiprocTCPBase` system without starting one, as the `thespian`
//! command does (`ActorSystemBuilder::attach_only`).
//!
//! Run it with `cargo run --example attach`.

use thespian::prelude::*;

/// Does nothing; it is there to be counted.
#[derive(Default)]
struct Worker;

#[actor]
impl Worker {
    #[handler(String)]
    fn work(&mut self, _job: &String, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    thespian::init();
    // A system that runs on: on a free Admin Port here, so the example never meets another.
    let asys = ActorSystem::builder().base("multiprocTCPBase").admin_port(0).shutdown_on_drop(true).build()?;
    asys.create_actor::<Worker>()?;
    let port = match asys.capabilities()?.get("Admin Port") {
        Some(CapValue::Int(port)) => u16::try_from(*port)?,
        other => return Err(format!("no Admin Port capability: {other:?}").into()),
    };

    // ANCHOR: attach
    let observer = ActorSystem::builder()
        .base("multiprocTCPBase")
        .admin_port(port)
        .attach_only(true) // an error, not a new system, if nothing listens there
        .build()?;
    let status = observer.status()?;
    println!("{} on Admin Port {port}: {} actor(s)", status.base, status.actor_count);
    // Dropping the handle detaches; the system runs on.
    drop(observer);
    // ANCHOR_END: attach
    assert_eq!(status.actor_count, 1);

    // ANCHOR: nothing_there
    let unused = std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port();
    match ActorSystem::builder().base("multiprocTCPBase").admin_port(unused).attach_only(true).build() {
        Err(ActorSystemError::ActorSystemStartupFailure { reason }) => println!("{reason}"),
        other => return Err(format!("expected ActorSystemStartupFailure, got {other:?}").into()),
    }
    // ANCHOR_END: nothing_there

    asys.shutdown()?;
    Ok(())
}
