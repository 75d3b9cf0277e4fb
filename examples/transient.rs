//! Transient actors: `#[transient]` makes an actor exit a while after its first message,
//! `#[transient_idle]` a while after its last one. The actor still sees every message,
//! including the exit request it sends itself; an actor that never gets a message stays.
//!
//! Run it with `cargo run --example transient`.

use std::time::{Duration, Instant};

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

// ANCHOR: actors
/// Anything for the actors to handle.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Ping;

/// What a transient actor says as it handles its exit request.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Bye {
    who: String,
    pings: u32,
}

/// Lives 250 ms from its first message, however busy it is.
#[derive(Default)]
struct Session {
    pings: u32,
    client: Option<ActorAddress>,
}

#[transient(millis = 250)]
#[actor]
impl Session {
    #[handler(Ping)]
    fn ping(&mut self, _msg: &Ping, sender: &ActorAddress) {
        self.pings += 1;
        self.client = Some(sender.clone());
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _msg: &ActorExitRequest, ctx: &mut ActorContext<'_>) {
        if let Some(client) = &self.client {
            ctx.send(client, Bye { who: "session".to_string(), pings: self.pings });
        }
    }
}

/// Lives until it has had no message for 250 ms.
#[derive(Default)]
struct Cache {
    pings: u32,
    client: Option<ActorAddress>,
}

#[transient_idle(millis = 250)]
#[actor]
impl Cache {
    #[handler(Ping)]
    fn ping(&mut self, _msg: &Ping, sender: &ActorAddress) {
        self.pings += 1;
        self.client = Some(sender.clone());
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _msg: &ActorExitRequest, ctx: &mut ActorContext<'_>) {
        if let Some(client) = &self.client {
            ctx.send(client, Bye { who: "cache".to_string(), pings: self.pings });
        }
    }
}
// ANCHOR_END: actors

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: run
    let session = asys.create_actor::<Session>()?;
    let cache = asys.create_actor::<Cache>()?;
    let start = Instant::now();
    let mut byes = Vec::new();
    let mut last_ping = Duration::ZERO;
    // A ping every 100 ms, six times; listen for goodbyes in between.
    for round in 1..=6 {
        // Once the session has exited, its pings are dead letters.
        asys.tell(&session, Ping)?;
        asys.tell(&cache, Ping)?;
        last_ping = start.elapsed();
        let next_round = start + Duration::from_millis(100 * round);
        while let Some(bye) = asys.listen_as::<Bye>(next_round.saturating_duration_since(Instant::now()))? {
            byes.push((start.elapsed(), bye));
        }
    }
    let bye = asys.listen_as::<Bye>(WAIT)?.expect("the cache exits once left alone");
    byes.push((start.elapsed(), bye));
    for (at, bye) in &byes {
        println!("{:>4} ms  the {} exits, after {} pings", at.as_millis(), bye.who, bye.pings);
    }
    // ANCHOR_END: run
    let [(session_at, session_bye), (cache_at, cache_bye)] = &byes[..] else {
        panic!("expected two goodbyes, got {byes:?}");
    };
    assert_eq!((session_bye.who.as_str(), cache_bye.who.as_str()), ("session", "cache"));
    assert!(*session_at >= Duration::from_millis(250) && session_bye.pings < 6, "{session_bye:?}");
    assert!(*cache_at >= last_ping + Duration::from_millis(250) && cache_bye.pings == 6, "{cache_bye:?}");
    // Gone: the system no longer answers for them.
    for gone in [&session, &cache] {
        let status = asys.ask_as::<ThespianActorStatus>(gone, ThespianStatusReq, Duration::from_millis(50))?;
        assert!(status.is_none());
    }

    // ANCHOR: untouched
    let untouched = asys.create_actor::<Session>()?;
    // Well past its 250 ms: nothing happens, since it never got a message.
    assert!(asys.listen(Duration::from_millis(400))?.is_none());
    let status = asys.ask_as::<ThespianActorStatus>(&untouched, ThespianStatusReq, WAIT)?;
    println!("a session that got no message is still there: {}", status.is_some());
    // ANCHOR_END: untouched
    assert!(status.is_some());

    asys.shutdown()
}
