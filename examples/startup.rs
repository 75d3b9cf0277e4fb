//! Actors whose construction can fail: `#[actor(new = ..)]`, what `create_actor`
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

#[actor(new = Self::start)]
impl Retrier {
    /// The constructor `#[actor(new = ..)]` names: an `Err` means "cannot start".
    fn start() -> Result<Self, ActorError> {
        Self::from_settings(GOOD_SETTINGS)
    }

    fn from_settings(text: &str) -> Result<Self, ActorError> {
        let value = text.strip_prefix("retries=").ok_or("settings must start with `retries=`")?;
        Ok(Self { retries: value.parse()? }) // a ParseIntError converts into ActorError
    }

    /// `()` asks how many retries it was configured with.
    #[handler(())]
    fn retries(&mut self, _msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.retries);
    }
}

/// The same actor, with settings that do not parse: it handles what its `retrier` handles.
struct BrokenRetrier {
    retrier: Retrier,
}

#[actor(new = Self::start, base = retrier)]
impl BrokenRetrier {
    fn start() -> Result<Self, ActorError> {
        Retrier::from_settings(BAD_SETTINGS).map(|retrier| Self { retrier })
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

#[actor]
impl Launcher {
    #[handler(())]
    fn launch(&mut self, _msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), ActorSystemError> {
        // Inside an actor, creation hands back an address even if the child cannot start.
        let child = ctx.create_actor::<BrokenRetrier>()?;
        ctx.send(&child, ()); // held, then dead-lettered: nobody is there
        self.child = Some(child);
        self.asker = Some(sender.clone());
        Ok(())
    }

    #[handler(ChildActorExited)]
    fn child_exited(&mut self, exited: &ChildActorExited, ctx: &mut ActorContext<'_>) {
        if self.child.as_ref() == Some(&exited.child_address) {
            if let Some(asker) = self.asker.take() {
                ctx.send(&asker, "my BrokenRetrier child exited at once".to_string());
            }
        }
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
