//! Deferring to the next handler (usage guide §5.17.3): a handler that returns
//! `Dispatch::Super` hands the message on, to the base actor's handler for the same type,
//! then along the message's chain of families, and finally to `#[unrecognized]`.
//!
//! Run it with `cargo run --example super_deferral`.

use thespian::prelude::*;
use thespian_examples::typer::{ask_text, ShortMsg, Typer};

// ANCHOR: subtyper4
/// A `Typer` that answers public short messages itself and leaves private ones to `Typer`.
#[derive(Default)]
struct SubTyper4 {
    typer: Typer,
}

#[actor(base = typer)]
impl SubTyper4 {
    #[handler(ShortMsg)]
    fn on_short(&mut self, msg: &ShortMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        if msg.report.contains("private") {
            return Dispatch::Super;
        }
        ctx.send(sender, "Got a public short message".to_string());
        Dispatch::Handled
    }
}
// ANCHOR_END: subtyper4

// ANCHOR: trail
/// Messages that record which handlers they passed through.
trait Stamped: Message {
    /// Adds a stamp.
    fn stamp(&mut self, by: &str);
}

/// A message that collects stamps.
#[derive(Debug, Default, Serialize, Deserialize, Message)]
#[message(family = Stamped)]
struct Trail {
    stamps: Vec<String>,
}

impl Stamped for Trail {
    fn stamp(&mut self, by: &str) {
        self.stamps.push(by.to_string());
    }
}

/// Stamps the message in each handler, defers, and finally sends the trail back.
#[derive(Default)]
struct Inner;

#[actor]
impl Inner {
    #[handler(Trail)]
    fn on_trail(&mut self, msg: &mut Trail) -> Dispatch {
        msg.stamp("Inner, Trail");
        Dispatch::Super
    }

    #[handler(dyn Stamped)]
    fn on_stamped(&mut self, msg: &mut dyn Stamped) -> Dispatch {
        msg.stamp("Inner, dyn Stamped");
        Dispatch::Super
    }

    #[unrecognized]
    fn other(&mut self, msg: &mut dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(trail) = msg.downcast_mut::<Trail>() {
            trail.stamp("Inner, unrecognized");
            ctx.send(sender, std::mem::take(trail));
        }
    }
}

/// Derived from `Inner`, with handlers for the same two links.
#[derive(Default)]
struct Outer {
    inner: Inner,
}

#[actor(base = inner)]
impl Outer {
    #[handler(Trail)]
    fn on_trail(&mut self, msg: &mut Trail) -> Dispatch {
        msg.stamp("Outer, Trail");
        Dispatch::Super
    }

    #[handler(dyn Stamped)]
    fn on_stamped(&mut self, msg: &mut dyn Stamped) -> Dispatch {
        msg.stamp("Outer, dyn Stamped");
        Dispatch::Super
    }
}
// ANCHOR_END: trail

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: ask
    let st = asys.create_actor::<SubTyper4>()?;
    let public = ask_text(&asys, &st, ShortMsg { report: "This is public".into() })?;
    let private = ask_text(&asys, &st, ShortMsg { report: "This is private".into() })?;
    println!("public:  {public}");
    println!("private: {private}");
    assert_eq!(public, "Got a public short message");
    assert_eq!(private, "Got a message");
    // ANCHOR_END: ask

    // ANCHOR: trail_use
    let outer = asys.create_actor::<Outer>()?;
    let trail: Option<Trail> = asys.ask_as(&outer, Trail::default(), std::time::Duration::from_secs(1))?;
    let stamps = trail.map(|t| t.stamps).unwrap_or_default();
    for (step, stamp) in stamps.iter().enumerate() {
        println!("{}. {stamp}", step + 1);
    }
    assert_eq!(
        stamps,
        ["Outer, Trail", "Inner, Trail", "Outer, dyn Stamped", "Inner, dyn Stamped", "Inner, unrecognized"]
    );
    // ANCHOR_END: trail_use

    asys.shutdown()
}
