//! Logging on `multiprocTCPBase` (spec §4.13): an actor in a process of its own logs with
//! `tracing`, and the system's admin writes its events, each with the actor's address, to
//! the file `Logging::File` names. The program reads the file back, and removes it.
//!
//! Run it with `cargo run --example logging`.

use std::time::Duration;

use thespian::prelude::*;

// ANCHOR: actor
/// Logs each order it is given, warns about a large one, and confirms it.
#[derive(Default)]
struct Kitchen;

#[actor]
impl Kitchen {
    #[handler(u32)]
    fn order(&mut self, dishes: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        tracing::info!(dishes, "an order");
        if *dishes > 10 {
            tracing::warn!(dishes, "a large order: call in more cooks");
        }
        ctx.send(sender, format!("{dishes} dishes on their way"));
    }
}
// ANCHOR_END: actor

fn main() -> Result<(), Box<dyn std::error::Error>> {
    thespian::init();
    let path = std::env::temp_dir().join(format!("thespian-logging-example-{}.log", std::process::id()));
    let outcome = run(&path);
    // Whatever happened, the example leaves no file behind.
    let _ = std::fs::remove_file(&path);
    outcome
}

fn run(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: builder
    let asys = ActorSystem::builder()
        .base("multiprocTCPBase")
        .admin_port(0)
        .shutdown_on_drop(true)
        // Warnings and above, from every actor process, to one file.
        .logging(Logging::File { path: path.to_path_buf(), filter: "warn".to_string() })
        .build()?;
    // ANCHOR_END: builder

    // ANCHOR: read
    let kitchen = asys.create_actor::<Kitchen>()?;
    for dishes in [3_u32, 12] {
        let answer: Option<String> = asys.ask_as(&kitchen, dishes, Duration::from_secs(10))?;
        println!("{}", answer.ok_or("the kitchen did not answer")?);
    }
    // The kitchen answered directly; what it logged went to the admin. A status request
    // asks every actor process for its counts, which each answers after what it sent the
    // admin before: once the status is here, the warnings are in the file.
    asys.status()?;
    let log = std::fs::read_to_string(path)?;
    for line in log.lines().filter(|l| l.contains("actor_address=")) {
        println!("{line}");
    }
    // ANCHOR_END: read
    assert!(log.contains("a large order") && log.contains(&format!("actor_address={kitchen}")), "{log}");
    assert!(!log.contains("an order dishes=3"), "the filter holds `info` back:\n{log}");

    asys.shutdown()?;
    Ok(())
}
