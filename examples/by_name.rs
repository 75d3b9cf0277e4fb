//! Creating actors from a registered type name, like `"my_crate::workers::Worker"`,
//! instead of from a Rust type.
//!
//! Run it with `cargo run --example by_name`.

use std::time::Duration;

use thespian::prelude::*;

mod workers {
    use thespian::prelude::*;

    // ANCHOR: register
    /// Answers `()` with its own type name.
    #[derive(Default)]
    pub(crate) struct Worker;

    /// `#[actor]` registers `Worker` as "by_name::workers::Worker" (module path + type name).
    #[actor]
    impl Worker {
        #[handler(())]
        fn who(&mut self, _msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, std::any::type_name::<Self>().to_string());
        }
    }
    // ANCHOR_END: register

    // ANCHOR: register_by_hand
    /// The same, written by hand: `register_actor!` registers it.
    #[derive(Default)]
    pub(crate) struct Archivist;

    impl Actor for Archivist {
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

    // Registers `Archivist` as "by_name::workers::Archivist".
    thespian::register_actor!(Archivist);
    // ANCHOR_END: register_by_hand
}

// ANCHOR: foreman
/// Asks a `Foreman` to create a worker from its registered type name.
#[derive(Debug, Serialize, Deserialize, Message)]
struct HireByName(String);

/// Creates workers by name, and passes on what they say.
#[derive(Default)]
struct Foreman {
    asker: Option<ActorAddress>,
}

#[actor]
impl Foreman {
    #[handler(HireByName)]
    fn hire(&mut self, HireByName(type_name): &HireByName, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.asker = Some(sender.clone());
        match ctx.create_actor_by_name(type_name) {
            Ok(worker) => ctx.send(&worker, ()), // the worker will answer us
            Err(e) => ctx.send(sender, format!("could not hire: {e}")),
        }
    }

    /// What a worker says about itself.
    #[handler(String)]
    fn pass_on(&mut self, said: &String, ctx: &mut ActorContext<'_>) {
        if let Some(asker) = &self.asker {
            ctx.send(asker, format!("my worker says it is {said}"));
        }
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

    let archivist = asys.create_actor_by_name("by_name::workers::Archivist")?;
    let answer: Option<String> = asys.ask_as(&archivist, (), Duration::from_secs(1))?;
    println!("created by name, the archivist says it is {answer:?}");
    assert_eq!(answer.as_deref(), Some("by_name::workers::Archivist"));
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
    assert_eq!(asys.status()?.actor_count, 4);
    // ANCHOR_END: from_actor

    asys.shutdown()
}
