//! Dead letters: mail for an actor that has exited (or never started) goes to the actor
//! registered as the dead-letter handler, wrapped in a `DeadEnvelope`.
//!
//! Run it with `cargo run --example dead_letters`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: undertaker
/// Commands for the `Undertaker`.
#[derive(Debug, Serialize, Deserialize, Message)]
enum Undertaking {
    /// Become the dead-letter handler.
    Start,
    /// Stop being the dead-letter handler.
    Stop,
    /// Reply with the dead letters seen so far, as a `Vec<String>` inside `Seen`.
    Report,
}

/// The Undertaker's report.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Seen(Vec<String>);

/// Collects the mail that could not be delivered.
#[derive(Default)]
struct Undertaker {
    seen: Vec<String>,
}

#[actor]
impl Undertaker {
    /// The `sender` of a `DeadEnvelope` is whoever sent the undeliverable message.
    #[handler(DeadEnvelope)]
    fn bury(&mut self, dead: &DeadEnvelope) {
        self.seen.push(format!("{:?} for {}", dead.dead_message, dead.dead_address));
    }

    #[handler(Undertaking)]
    fn command(&mut self, cmd: &Undertaking, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        match cmd {
            Undertaking::Start => ctx.handle_dead_letters(true),
            Undertaking::Stop => ctx.handle_dead_letters(false),
            Undertaking::Report => ctx.send(sender, Seen(self.seen.clone())),
        }
    }
}
// ANCHOR_END: undertaker

// ANCHOR: others
/// Receives everything and answers nothing.
#[derive(Default)]
struct Quiet;

#[actor]
impl Quiet {}

/// An actor whose constructor always fails.
struct NeverStarts;

#[actor(new = Self::start)]
impl NeverStarts {
    fn start() -> Result<Self, ActorError> {
        Err("not today".into())
    }
}

/// Creates a `NeverStarts` child when asked, and writes to it at once.
#[derive(Default)]
struct Optimist;

#[actor]
impl Optimist {
    #[handler(())]
    fn hire(&mut self, _msg: &(), ctx: &mut ActorContext<'_>) -> Result<(), ActorSystemError> {
        let child = ctx.create_actor::<NeverStarts>()?;
        ctx.send(&child, "welcome!".to_string());
        Ok(())
    }
}
// ANCHOR_END: others

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: register
    let undertaker = asys.create_actor::<Undertaker>()?;
    asys.tell(&undertaker, Undertaking::Start)?;
    // ANCHOR_END: register

    // ANCHOR: exited
    let quiet = asys.create_actor::<Quiet>()?;
    asys.tell(&quiet, ActorExitRequest::new())?;
    asys.tell(&quiet, "are you there?".to_string())?; // no error: delivery is best-effort
    let answer = asys.ask(&quiet, 42_i64, Duration::from_millis(20))?;
    assert!(answer.is_none());
    // ANCHOR_END: exited

    // ANCHOR: never_started
    let optimist = asys.create_actor::<Optimist>()?;
    asys.tell(&optimist, ())?;
    // ANCHOR_END: never_started

    // ANCHOR: report
    let seen: Option<Seen> = asys.ask_as(&undertaker, Undertaking::Report, WAIT)?;
    let Seen(letters) = seen.expect("the undertaker reports");
    for letter in &letters {
        println!("dead letter: {letter}");
    }
    assert_eq!(letters.len(), 3);
    // ANCHOR_END: report

    // ANCHOR: stop
    asys.tell(&undertaker, Undertaking::Stop)?;
    asys.tell(&quiet, "still not there".to_string())?; // dropped: no handler now
    let seen: Option<Seen> = asys.ask_as(&undertaker, Undertaking::Report, WAIT)?;
    assert_eq!(seen.map(|Seen(l)| l.len()), Some(3));
    assert_eq!(asys.status()?.dead_letter_handler, None);
    println!("after Stop, dead letters are dropped");
    // ANCHOR_END: stop

    asys.shutdown()
}
