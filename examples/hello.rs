//! A first actor system: a greeter actor that answers, a parent that creates children,
//! a failing handler whose message comes back as poison, and a wakeup.
//!
//! Run it with `cargo run --example hello`.

use std::time::Duration;

use thespian::prelude::*;

// ANCHOR: greeter
/// Answers every `String` with a greeting.
#[derive(Default)]
struct Greeter {
    greeted: u32,
}

impl Actor for Greeter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(name) = msg.downcast_ref::<String>() {
            self.greeted += 1;
            ctx.send(sender, format!("Hello, {name}! (greeting #{})", self.greeted));
        }
        Ok(())
    }
}
// ANCHOR_END: greeter

// ANCHOR: main
fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?; // the default base: simpleSystemBase
    let greeter = asys.create_actor::<Greeter>()?;
    println!("created a Greeter at {greeter}");

    for name in ["Ada", "Grace"] {
        let reply: Option<String> = asys.ask_as(&greeter, name.to_string(), Duration::from_secs(1))?;
        println!("asked with {name:?}, got {reply:?}");
    }

    let status = asys.status()?;
    println!(
        "the {} system runs {} actor(s); top-level: {:?}",
        status.base, status.actor_count, status.top_level_actors
    );

    asys.tell(&greeter, ActorExitRequest::new())?;
    let after = asys.ask(&greeter, "anyone?".to_string(), Duration::from_millis(100))?;
    println!("after the Greeter exited, asking it gives {after:?} (its mail is dead-lettered)");

    asys.shutdown()
}
// ANCHOR_END: main
