//! Status: asking the system, or any actor, what Thespian knows about it.
//!
//! Run it with `cargo run --example status`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: actors
/// Does nothing; a child for `Nest`.
#[derive(Default)]
struct Chick;

#[actor]
impl Chick {}

/// Creates two children and a wakeup when told `"build"`; counts what it receives;
/// and asks its first child for its status when told `"check"`.
#[derive(Default)]
struct Nest {
    received: u64,
    chicks: Vec<ActorAddress>,
    asker: Option<ActorAddress>,
}

#[actor]
impl Nest {
    #[handler(String)]
    fn command(
        &mut self,
        text: &String,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Result<(), ActorSystemError> {
        self.received += 1;
        if text == "check" {
            self.asker = Some(sender.clone());
            ctx.send(&self.chicks[0], ThespianStatusReq);
        } else if self.chicks.is_empty() {
            self.chicks.push(ctx.create_actor::<Chick>()?);
            self.chicks.push(ctx.create_actor::<Chick>()?);
            ctx.wakeup_after(Duration::from_secs(3600), ());
        }
        Ok(())
    }

    /// Any number: answer how many messages this nest has received.
    #[handler(u64)]
    fn count(&mut self, _msg: &u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.received += 1;
        ctx.send(sender, self.received);
    }

    /// The answer to our own status request, sent by the system for the child.
    #[handler(ThespianActorStatus)]
    fn chick_status(&mut self, child_status: &ThespianActorStatus, ctx: &mut ActorContext<'_>) {
        self.received += 1;
        if let Some(asker) = &self.asker {
            ctx.send(asker, format!("my first chick's parent is {:?}", child_status.parent));
        }
    }
}
// ANCHOR_END: actors

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let nest = asys.create_actor::<Nest>()?;
    asys.tell(&nest, "build".to_string())?;

    // ANCHOR: system
    let status = asys.status()?;
    println!("base: {}", status.base);
    println!("actors: {} ({} top-level)", status.actor_count, status.top_level_actors.len());
    println!("pending: {} messages, {} wakeups", status.pending_messages, status.pending_wakeups);
    println!("capability \"Thespian ActorSystem Name\": {:?}", status.capabilities.get("Thespian ActorSystem Name"));
    assert_eq!(status.actor_count, 3);
    assert_eq!(status.top_level_actors, std::slice::from_ref(&nest));
    assert_eq!(status.pending_wakeups, 1);
    // ANCHOR_END: system

    // ANCHOR: admin
    let same: Option<ThespianSystemStatus> = asys.ask_as(&asys.admin_address(), ThespianStatusReq, WAIT)?;
    assert_eq!(same.map(|s| s.actor_count), Some(3));
    // ANCHOR_END: admin

    // ANCHOR: actor
    let nest_status: Option<ThespianActorStatus> = asys.ask_as(&nest, ThespianStatusReq, WAIT)?;
    let nest_status = nest_status.expect("the system answers for the nest");
    println!("the nest is a {} with {} children", nest_status.actor_type, nest_status.children.len());
    assert_eq!(nest_status.actor_type, "status::Nest");
    assert_eq!(nest_status.children.len(), 2);
    assert_eq!(nest_status.pending_wakeups, 1);

    // The nest itself never saw the status request: it has counted only two messages.
    let received: Option<u64> = asys.ask_as(&nest, 0_u64, WAIT)?;
    println!("the nest has received {received:?} messages");
    assert_eq!(received, Some(2)); // "build", and the question just asked
                                   // ANCHOR_END: actor

    // ANCHOR: from_actor
    let answer: Option<String> = asys.ask_as(&nest, "check".to_string(), WAIT)?;
    println!("the nest says: {answer:?}");
    assert_eq!(answer, Some(format!("my first chick's parent is {:?}", Some(&nest))));
    // ANCHOR_END: from_actor

    asys.shutdown()
}
