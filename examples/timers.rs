//! Timers: an actor asks for a `WakeupMessage` after a delay, with a payload that says what
//! the wakeup is for; wakeups cannot be cancelled, so stale ones are recognised and ignored.
//!
//! Run it with `cargo run --example timers`.

use std::time::{Duration, Instant};

use thespian::prelude::*;

// ANCHOR: reminder
/// Asks a `Reminder` to send `text` back after `after`.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Remind {
    text: String,
    after: Duration,
}

/// The payload the `Reminder` attaches to each wakeup.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Due {
    text: String,
    to: ActorAddress,
}

/// Sends reminders when they are due.
#[derive(Default)]
struct Reminder;

#[actor]
impl Reminder {
    #[handler(Remind)]
    fn remind(&mut self, remind: &Remind, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let due = Due { text: remind.text.clone(), to: sender.clone() };
        ctx.wakeup_after(remind.after, due);
    }

    /// A wakeup's sender is the actor itself.
    #[handler(WakeupMessage)]
    fn wake_up(&mut self, wakeup: &WakeupMessage, ctx: &mut ActorContext<'_>) {
        if let Some(due) = wakeup.payload_as::<Due>() {
            let text = format!("{} (after {:?})", due.text, wakeup.delay_period);
            ctx.send(&due.to, text);
        }
    }
}
// ANCHOR_END: reminder

// ANCHOR: heartbeat
/// Commands for a `Heartbeat`.
#[derive(Debug, Serialize, Deserialize, Message)]
enum Beat {
    /// Send a tick (a `u32`) to the sender every `Duration`.
    Start(Duration),
    /// Stop ticking.
    Stop,
}

/// Ticks at a steady pace until stopped.
#[derive(Default)]
struct Heartbeat {
    /// Bumped by every Start and Stop; a wakeup for an older round is stale.
    round: u64,
    ticks: u32,
    every: Duration,
    listener: Option<ActorAddress>,
}

#[actor]
impl Heartbeat {
    #[handler(Beat)]
    fn beat(&mut self, beat: &Beat, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.round += 1;
        match beat {
            Beat::Start(every) => {
                self.every = *every;
                self.listener = Some(sender.clone());
                ctx.wakeup_after(self.every, self.round);
            }
            Beat::Stop => self.listener = None,
        }
    }

    #[handler(WakeupMessage)]
    fn tick(&mut self, wakeup: &WakeupMessage, ctx: &mut ActorContext<'_>) {
        if wakeup.payload_as::<u64>() != Some(&self.round) {
            println!("  (a stale wakeup, ignored)");
            return;
        }
        if let Some(listener) = &self.listener {
            self.ticks += 1;
            ctx.send(listener, self.ticks);
            ctx.wakeup_after(self.every, self.round);
        }
    }
}
// ANCHOR_END: heartbeat

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: use_reminder
    let reminder = asys.create_actor::<Reminder>()?;
    let started = Instant::now();
    asys.tell(&reminder, Remind { text: "tea".to_string(), after: Duration::from_millis(30) })?;
    asys.tell(&reminder, Remind { text: "coffee".to_string(), after: Duration::from_millis(10) })?;
    let first: Option<String> = asys.listen_as(Duration::from_secs(1))?;
    let second: Option<String> = asys.listen_as(Duration::from_secs(1))?;
    println!("first {first:?}, then {second:?}, {:?} after asking", started.elapsed());
    assert_eq!(first.as_deref(), Some("coffee (after 10ms)"));
    assert_eq!(second.as_deref(), Some("tea (after 30ms)"));
    assert!(started.elapsed() >= Duration::from_millis(30));
    // ANCHOR_END: use_reminder

    // ANCHOR: use_heartbeat
    let heart = asys.create_actor::<Heartbeat>()?;
    asys.tell(&heart, Beat::Start(Duration::from_millis(5)))?;
    for _ in 0..3 {
        let tick: Option<u32> = asys.listen_as(Duration::from_secs(1))?;
        println!("tick {tick:?}");
    }
    asys.tell(&heart, Beat::Stop)?;
    // The wakeup already scheduled still arrives, and is ignored.
    let after_stop = asys.listen(Duration::from_millis(30))?;
    assert!(after_stop.is_none());
    assert_eq!(asys.status()?.pending_wakeups, 0);
    println!("stopped: no more ticks");
    // ANCHOR_END: use_heartbeat

    asys.shutdown()
}
