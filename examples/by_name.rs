//! Creating actors from a registered type name, like `"my_crate::workers::Worker"`,
//! instead of from a Rust type.
//!
//! Run it with `cargo run --example by_name`.

use std::time::Duration;

use thespian::prelude::*;

// ANCHOR: register
mod workers {
    use thespian::prelude::*;

    /// Answers `()` with its own type name.
    #[derive(Default)]
    pub(crate) struct Worker;

    impl Actor for Worker {
        fn receive_message(
            &mut self,
            msg: &mut dyn Message,
            sender: &ActorAddress,
            ctx: &mut ActorContext<'_>,
        ) -> ActorResult {
            if msg.is::<()>() {
                ctx.send(sender, std::any::type_name::<Self>().to_string());
            }
            Ok(())
        }
    }

    // Registers `Worker` as "by_name::workers::Worker" (module path + type name).
    thespian::register_actor!(Worker);
}
// ANCHOR_END: register

// ANCHOR: foreman
/// Asks a `Foreman` to create a worker from its registered type name.
#[derive(Debug, Serialize, Deserialize, Message)]
struct HireByName(String);

/// Creates workers by name, and passes on what they say.
#[derive(Default)]
struct Foreman {
    asker: Option<ActorAddress>,
}

impl Actor for Foreman {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(HireByName(type_name)) = msg.downcast_ref::<HireByName>() {
            self.asker = Some(sender.clone());
            match ctx.create_actor_by_name(type_name) {
                Ok(worker) => ctx.send(&worker, ()), // the worker will answer us
                Err(e) => ctx.send(sender, format!("could not hire: {e}")),
            }
        } else if let Some(said) = msg.downcast_ref::<String>() {
            if let Some(asker) = &self.asker {
                ctx.send(asker, format!("my worker says it is {said}"));
            }
        }
        Ok(())
    }
}
// ANCHOR_END: foreman

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: create
    let worker = asys.create_actor_by_name("by_name::workers::Worker")?;
    let answer: Option<String> = asys.ask_as(&worker, (), Duration::from_secs(1))?;
    println!("created by name, the worker says it is {answer:?}");
    assert_eq!(answer.as_deref(), Some("by_name::workers::Worker"));
    // ANCHOR_END: create

    // ANCHOR: mistakes
    for name in ["by_name::workers::Loafer", "Worker"] {
        match asys.create_actor_by_name(name) {
            Err(e @ ActorSystemError::InvalidActorSpecification { .. }) => println!("{name:?}: {e}"),
            other => panic!("expected InvalidActorSpecification, got {other:?}"),
        }
    }
    // ANCHOR_END: mistakes

    // ANCHOR: from_actor
    let foreman = asys.create_actor::<Foreman>()?;
    for name in ["by_name::workers::Worker", "by_name::workers::Loafer"] {
        let said: Option<String> = asys.ask_as(&foreman, HireByName(name.to_string()), Duration::from_secs(1))?;
        println!("the foreman, asked for {name:?}: {said:?}");
    }
    assert_eq!(asys.status()?.actor_count, 3);
    // ANCHOR_END: from_actor

    asys.shutdown()
}
