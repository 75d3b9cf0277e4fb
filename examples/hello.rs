//! A first actor system, and a little of everything: a greeter actor that answers (written
//! with `#[actor]`, and once more by hand), a party host that creates the greeter as its
//! child, an empty name that makes the greeter fail and comes back as a poison message, and
//! a wakeup that closes the party.
//!
//! Run it with `cargo run --example hello`.

use std::time::Duration;

// ANCHOR: prelude
use thespian::prelude::*;
// ANCHOR_END: prelude

// ANCHOR: greeter
/// Answers every `String` with a greeting, and refuses to greet an empty name.
#[derive(Default)]
struct Greeter {
    greeted: u32,
}

#[actor]
impl Greeter {
    #[handler(String)]
    fn greet(&mut self, name: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        if name.is_empty() {
            return Err("cannot greet nobody".into());
        }
        self.greeted += 1;
        ctx.send(sender, format!("Hello, {name}!"));
        Ok(())
    }
}
// ANCHOR_END: greeter

// ANCHOR: greeter_by_hand
/// The same greeter, with `Actor` implemented by hand.
#[derive(Default)]
struct GreeterByHand {
    greeted: u32,
}

impl Actor for GreeterByHand {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(name) = msg.downcast_ref::<String>() {
            if name.is_empty() {
                return Err("cannot greet nobody".into());
            }
            self.greeted += 1;
            ctx.send(sender, format!("Hello, {name}!"));
        }
        Ok(())
    }
}
// ANCHOR_END: greeter_by_hand

// ANCHOR: messages
/// Asks the party host to greet these guests.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Invite {
    guests: Vec<String>,
}

/// What the host reports once the party is over.
#[derive(Debug, Serialize, Deserialize, Message)]
struct PartyReport {
    greetings: Vec<String>,
    refused: Vec<String>,
}
// ANCHOR_END: messages

// ANCHOR: host
/// Creates a `Greeter` child, passes it every guest, and reports after closing time.
#[derive(Default)]
struct PartyHost {
    greeter: Option<ActorAddress>,
    organiser: Option<ActorAddress>,
    greetings: Vec<String>,
    refused: Vec<String>,
}

#[actor]
impl PartyHost {
    #[handler(Invite)]
    fn invite(&mut self, invite: &Invite, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        // A child actor: this host is its parent.
        let greeter = ctx.create_actor::<Greeter>()?;
        for guest in &invite.guests {
            ctx.send(&greeter, guest.clone());
        }
        self.greeter = Some(greeter);
        self.organiser = Some(sender.clone());
        // Close the party a little later: a WakeupMessage will arrive.
        ctx.wakeup_after(Duration::from_millis(20), "closing time".to_string());
        Ok(())
    }

    #[handler(String)]
    fn greeting(&mut self, greeting: &String) {
        self.greetings.push(greeting.clone());
    }

    /// The greeter failed twice on this guest, so the message came back.
    #[handler(PoisonMessage)]
    fn refused(&mut self, poison: &PoisonMessage) {
        if let Some(guest) = poison.poison_message.downcast_ref::<String>() {
            self.refused.push(format!("{guest:?} ({})", poison.details));
        }
    }

    #[handler(WakeupMessage)]
    fn closing_time(&mut self, wakeup: &WakeupMessage, ctx: &mut ActorContext<'_>) {
        println!("host: woken up for {:?}", wakeup.payload_as::<String>());
        if let Some(greeter) = &self.greeter {
            ctx.send(greeter, ActorExitRequest::new());
        }
    }

    #[handler(ChildActorExited)]
    fn greeter_left(&mut self, _msg: &ChildActorExited, ctx: &mut ActorContext<'_>) {
        println!("host: the greeter has gone home");
        if let Some(organiser) = self.organiser.take() {
            let report = PartyReport {
                greetings: std::mem::take(&mut self.greetings),
                refused: std::mem::take(&mut self.refused),
            };
            ctx.send(&organiser, report);
        }
    }
}
// ANCHOR_END: host

// ANCHOR: main
// ANCHOR: init
fn main() -> Result<(), ActorSystemError> {
    // First in `main`: in a process a multi-process base started from this binary, this is
    // where it becomes that process; in the program itself it returns at once.
    thespian::init();
    // ANCHOR_END: init
    let asys = ActorSystem::new()?; // the default base: simpleSystemBase
    let greeter = asys.create_actor::<Greeter>()?;

    let reply: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), Duration::from_secs(1))?;
    println!("the greeter answered {reply:?}");
    assert_eq!(reply.as_deref(), Some("Hello, Ada!"));

    // The hand-written greeter behaves the same.
    let by_hand = asys.create_actor::<GreeterByHand>()?;
    let same: Option<String> = asys.ask_as(&by_hand, "Ada".to_string(), Duration::from_secs(1))?;
    assert_eq!(same, reply);

    let host = asys.create_actor::<PartyHost>()?;
    let guests = vec!["Grace".to_string(), String::new(), "Barbara".to_string()];
    let report: Option<PartyReport> = asys.ask_as(&host, Invite { guests }, Duration::from_secs(1))?;
    let report = report.expect("the host reports within a second");
    println!("greetings: {:?}", report.greetings);
    println!("refused:   {:?}", report.refused);
    assert_eq!(report.greetings, ["Hello, Grace!", "Hello, Barbara!"]);
    assert_eq!(report.refused.len(), 1);

    asys.shutdown()
}
// ANCHOR_END: main
