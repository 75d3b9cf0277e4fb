//! The simple system base: actors run in the caller's thread, each call runs the system
//! until nothing is left to do, wakeups are delivered only during calls, and a processing
//! limit stops actors that would otherwise answer each other forever.
//!
//! Run it with `cargo run --example simple_base`.

use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: relay
/// Passes a number down a chain of `Link`s, each adding one; the last link keeps it.
#[derive(Default)]
struct Link {
    next: Option<ActorAddress>,
    last_seen: Option<u64>,
    ran_on: Option<ThreadId>,
}

/// Tells a `Link` where to pass numbers on to.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Next(ActorAddress);

/// Asks a `Link` for the last number it kept (replied as a `u64`).
#[derive(Debug, Serialize, Deserialize, Message)]
struct LastSeen;

#[actor]
impl Link {
    #[handler(Next)]
    fn set_next(&mut self, Next(next): &Next) {
        self.next = Some(next.clone());
    }

    #[handler(u64)]
    fn pass_on(&mut self, n: &u64, ctx: &mut ActorContext<'_>) {
        self.ran_on = Some(thread::current().id());
        match &self.next {
            Some(next) => ctx.send(next, n + 1),
            None => self.last_seen = Some(*n),
        }
    }

    #[handler(LastSeen)]
    fn last_seen(&mut self, _msg: &LastSeen, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.last_seen.unwrap_or_default());
    }

    /// `()` asks which thread the link last ran on.
    #[handler(())]
    fn ran_on(&mut self, _msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let ran_on = self.ran_on.map(|id| format!("{id:?}")).unwrap_or_default();
        ctx.send(sender, ran_on);
    }
}
// ANCHOR_END: relay

// ANCHOR: sleeper
/// Naps when told `"nap"`, and tells the napper how late it woke up, in milliseconds.
#[derive(Default)]
struct Sleeper {
    napped: Option<(Instant, ActorAddress)>,
}

#[actor]
impl Sleeper {
    #[handler(String)]
    fn nap(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.napped = Some((Instant::now(), sender.clone()));
        ctx.wakeup_after(Duration::from_millis(20), ());
    }

    #[handler(WakeupMessage)]
    fn wake_up(&mut self, _wakeup: &WakeupMessage, ctx: &mut ActorContext<'_>) -> Result<(), ActorError> {
        if let Some((since, napper)) = self.napped.take() {
            let slept = u64::try_from(since.elapsed().as_millis())?;
            ctx.send(&napper, slept);
        }
        Ok(())
    }
}
// ANCHOR_END: sleeper

// ANCHOR: players
/// One shot in an endless rally: the number of shots so far.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Volley(u64);

/// Tells a `Player` to serve to another player.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Serve(ActorAddress);

/// Returns every volley, forever.
#[derive(Default)]
struct Player;

#[actor]
impl Player {
    #[handler(Serve)]
    fn serve(&mut self, Serve(other): &Serve, ctx: &mut ActorContext<'_>) {
        ctx.send(other, Volley(1));
    }

    #[handler(Volley)]
    fn volley(&mut self, Volley(n): &Volley, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Volley(n + 1));
    }
}
// ANCHOR_END: players

// ANCHOR: gpu_worker
/// An actor that declares it can only run on a system with a "GPU" capability.
#[derive(Default)]
struct GpuWorker;

#[require_capability("GPU")]
#[actor]
impl GpuWorker {}
// ANCHOR_END: gpu_worker

fn main() -> Result<(), ActorSystemError> {
    // ANCHOR: synchronous
    let asys = ActorSystem::new()?;
    let links: Vec<ActorAddress> = (0..100).map(|_| asys.create_actor::<Link>()).collect::<Result<_, _>>()?;
    for pair in links.windows(2) {
        asys.tell(&pair[0], Next(pair[1].clone()))?;
    }
    asys.tell(&links[0], 0_u64)?;
    // `tell` has returned: the number has already gone down all 100 links.
    let last: Option<u64> = asys.ask_as(&links[99], LastSeen, WAIT)?;
    println!("the last link has {last:?}");
    assert_eq!(last, Some(99));

    let ran_on: Option<String> = asys.ask_as(&links[50], (), WAIT)?;
    println!("link 50 ran on {ran_on:?}; main is {:?}", thread::current().id());
    assert_eq!(ran_on, Some(format!("{:?}", thread::current().id())));
    // ANCHOR_END: synchronous

    // ANCHOR: wakeups
    let sleeper = asys.create_actor::<Sleeper>()?;
    asys.tell(&sleeper, "nap".to_string())?;
    thread::sleep(Duration::from_millis(100)); // the system does nothing meanwhile
    let slept: Option<u64> = asys.listen_as(Duration::ZERO)?; // runs the due wakeup
    println!("asked to wake after 20 ms, the sleeper woke after {slept:?} ms");
    assert!(slept.is_some_and(|ms| ms >= 100));
    // ANCHOR_END: wakeups

    // ANCHOR: limit
    let busy = ActorSystem::builder().processing_limit(1_000).build()?;
    let (a, b) = (busy.create_actor::<Player>()?, busy.create_actor::<Player>()?);
    match busy.tell(&a, Serve(b.clone())) {
        Err(e @ ActorSystemError::ProcessingLimitExceeded { .. }) => println!("tell stopped: {e}"),
        other => panic!("expected ProcessingLimitExceeded, got {other:?}"),
    }
    // The volley still queued was dropped (the error counts it and names the players), so
    // the next call starts from a quiet system and answers at once.
    let status = busy.status()?;
    println!("after the error: {} actors, {} messages queued", status.actor_count, status.pending_messages);
    assert_eq!((status.actor_count, status.pending_messages), (2, 0));
    busy.system_update("setProcessingLimit", 5_000_000)?;
    busy.shutdown()?;
    // ANCHOR_END: limit

    // ANCHOR: no_checks
    assert!(!asys.capabilities()?.is_truthy("GPU"));
    let worker = asys.create_actor::<GpuWorker>()?;
    println!("created a GpuWorker at {worker}, although this system has no \"GPU\" capability");

    let mut needs = Capabilities::new();
    needs.insert("Memory GiB", 64);
    let link = asys.create_actor_with(ActorSpec::of::<Link>().requirements(needs))?;
    println!("created a Link at {link}; its requirements were not checked either");
    // ANCHOR_END: no_checks

    asys.shutdown()
}
