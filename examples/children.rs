//! Parents and children: an actor creates child actors, hears when one exits, and takes
//! its children with it when it exits, unless it makes its exit request non-recursive.
//!
//! Run it with `cargo run --example children`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: messages
/// Asks a `Team` to create this many `Worker` children.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Hire(u32);

/// The team's answer to `Hire`: the addresses of all its workers.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Staff(Vec<ActorAddress>);

/// Sent by a `Team` to whoever hired, when one of its workers has exited.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Departed(ActorAddress);

/// Tells a `Team` to leave its workers running when it exits itself.
#[derive(Debug, Serialize, Deserialize, Message)]
struct KeepStaffOnExit;
// ANCHOR_END: messages

// ANCHOR: worker
/// A child that only says goodbye.
#[derive(Default)]
struct Worker;

#[actor]
impl Worker {
    #[handler(ActorExitRequest)]
    fn leave(&mut self, _exit: &ActorExitRequest, ctx: &mut ActorContext<'_>) {
        println!("  worker {} is leaving", ctx.my_address());
    }
}
// ANCHOR_END: worker

// ANCHOR: team
/// A parent of `Worker`s.
#[derive(Default)]
struct Team {
    workers: Vec<ActorAddress>,
    boss: Option<ActorAddress>,
    keep_staff: bool,
}

#[actor]
impl Team {
    #[handler(Hire)]
    fn hire(
        &mut self,
        Hire(n): &Hire,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Result<(), ActorSystemError> {
        for _ in 0..*n {
            let worker = ctx.create_actor::<Worker>()?;
            self.workers.push(worker);
        }
        self.boss = Some(sender.clone());
        ctx.send(sender, Staff(self.workers.clone()));
        Ok(())
    }

    #[handler(ChildActorExited)]
    fn child_exited(&mut self, exited: &ChildActorExited, ctx: &mut ActorContext<'_>) {
        self.workers.retain(|w| *w != exited.child_address);
        if let Some(boss) = &self.boss {
            ctx.send(boss, Departed(exited.child_address.clone()));
        }
    }

    #[handler(KeepStaffOnExit)]
    fn keep_staff_on_exit(&mut self, _msg: &KeepStaffOnExit) {
        self.keep_staff = true;
    }

    #[handler(ActorExitRequest)]
    fn leave(&mut self, exit: &mut ActorExitRequest, ctx: &mut ActorContext<'_>) {
        println!("  team {} is leaving (keep staff: {})", ctx.my_address(), self.keep_staff);
        if self.keep_staff {
            exit.not_recursive();
        }
    }
}
// ANCHOR_END: team

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: hire
    let team = asys.create_actor::<Team>()?;
    let staff: Option<Staff> = asys.ask_as(&team, Hire(3), WAIT)?;
    let Staff(workers) = staff.expect("the team answers Hire");
    println!("the team hired {} workers", workers.len());
    assert_eq!(asys.status()?.actor_count, 4);
    // ANCHOR_END: hire

    // ANCHOR: one_leaves
    println!("asking one worker to exit:");
    asys.tell(&workers[0], ActorExitRequest::new())?;
    let departed: Option<Departed> = asys.listen_as(WAIT)?;
    println!("the team reported {departed:?}");
    assert_eq!(departed.map(|d| d.0).as_ref(), Some(&workers[0]));
    // ANCHOR_END: one_leaves

    // ANCHOR: team_leaves
    println!("asking the team to exit:");
    asys.tell(&team, ActorExitRequest::new())?;
    let status = asys.status()?;
    println!("actors left: {}", status.actor_count);
    assert_eq!(status.actor_count, 0);
    // ANCHOR_END: team_leaves

    // ANCHOR: not_recursive
    let team = asys.create_actor::<Team>()?;
    let staff: Option<Staff> = asys.ask_as(&team, Hire(2), WAIT)?;
    let Staff(workers) = staff.expect("the team answers Hire");
    asys.tell(&team, KeepStaffOnExit)?;
    println!("asking the second team to exit, keeping its staff:");
    asys.tell(&team, ActorExitRequest::new())?;
    let status = asys.status()?;
    println!("actors left: {}, now top-level: {:?}", status.actor_count, status.top_level_actors);
    assert_eq!(status.top_level_actors, workers);
    // ANCHOR_END: not_recursive

    asys.shutdown()
}
