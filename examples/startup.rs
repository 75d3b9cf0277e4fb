//! Actors whose construction can fail: a hand-written `NewActor`, what `create_actor`
//! returns when construction fails, and what a parent sees when its child cannot start.
//!
//! Run it with `cargo run --example startup`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: settings
/// The settings text our actors parse when they start.
const GOOD_SETTINGS: &str = "retries=3";
const BAD_SETTINGS: &str = "retries=many";

/// An actor built from settings; building fails if they do not parse.
struct Retrier {
    retries: u32,
}

impl Retrier {
    fn from_settings(text: &str) -> Result<Self, ActorError> {
        let value = text.strip_prefix("retries=").ok_or("settings must start with `retries=`")?;
        Ok(Self { retries: value.parse()? }) // a ParseIntError converts into ActorError
    }
}

impl NewActor for Retrier {
    fn new_actor() -> Result<Self, ActorError> {
        Self::from_settings(GOOD_SETTINGS)
    }
}

impl Actor for Retrier {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<()>() {
            ctx.send(sender, self.retries);
        }
        Ok(())
    }
}

/// The same actor, with settings that do not parse.
struct BrokenRetrier(Retrier);

impl NewActor for BrokenRetrier {
    fn new_actor() -> Result<Self, ActorError> {
        Retrier::from_settings(BAD_SETTINGS).map(Self)
    }
}

impl Actor for BrokenRetrier {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        self.0.receive_message(msg, sender, ctx)
    }
}
// ANCHOR_END: settings

// ANCHOR: launcher
/// Creates a `BrokenRetrier` child and reports what became of it.
#[derive(Default)]
struct Launcher {
    child: Option<ActorAddress>,
    asker: Option<ActorAddress>,
}

impl Actor for Launcher {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<()>() {
            // Inside an actor, creation hands back an address even if the child cannot start.
            let child = ctx.create_actor::<BrokenRetrier>()?;
            ctx.send(&child, ()); // held, then dead-lettered: nobody is there
            self.child = Some(child);
            self.asker = Some(sender.clone());
        } else if let Some(exited) = msg.downcast_ref::<ChildActorExited>() {
            if self.child.as_ref() == Some(&exited.child_address) {
                if let Some(asker) = self.asker.take() {
                    ctx.send(&asker, "my BrokenRetrier child exited at once".to_string());
                }
            }
        }
        Ok(())
    }
}
// ANCHOR_END: launcher

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: create
    let retrier = asys.create_actor::<Retrier>()?;
    let retries: Option<u32> = asys.ask_as(&retrier, (), WAIT)?;
    println!("the Retrier started with {retries:?} retries");
    assert_eq!(retries, Some(3));

    match asys.create_actor::<BrokenRetrier>() {
        Err(e @ ActorSystemError::ActorCreateFailure { .. }) => println!("create_actor failed: {e}"),
        other => panic!("expected ActorCreateFailure, got {other:?}"),
    }
    // ANCHOR_END: create

    // ANCHOR: from_actor
    let launcher = asys.create_actor::<Launcher>()?;
    let report: Option<String> = asys.ask_as(&launcher, (), WAIT)?;
    println!("the launcher says: {report:?}");
    assert_eq!(report.as_deref(), Some("my BrokenRetrier child exited at once"));
    // ANCHOR_END: from_actor

    asys.shutdown()
}
