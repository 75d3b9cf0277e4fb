//! Initializing messages: `#[initializing_messages]` holds an actor's other messages until
//! one of each message it needs to start has arrived, runs a hook, then delivers the held
//! messages in order, each answered to its own sender. It combines with `#[transient]`.
//!
//! Run it with `cargo run --example init_messages`.

use std::time::{Duration, Instant};

use thespian::patterns::Init;
use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

// ANCHOR: messages
/// The settings a `Greeter` needs before it can work.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Config {
    greeting: String,
}

/// Tells a `Greeter` which journal records its greetings.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct UseJournal(ActorAddress);

/// Asks a `Greeter` to greet someone.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Greet(String);
// ANCHOR_END: messages

// ANCHOR: greeter
/// Greets people, once it has its `Config` and its journal.
#[derive(Default)]
struct Greeter {
    config: Option<Init<Config>>,
    journal: Option<Init<UseJournal>>,
}

#[initializing_messages(config: Config, journal: UseJournal, done = ready)]
#[actor]
impl Greeter {
    /// Runs once both have arrived, before the held messages.
    fn ready(&mut self, ctx: &mut ActorContext<'_>) {
        if let Some(config) = &self.config {
            ctx.send(&config.sender, "ready".to_string());
        }
    }

    #[handler(Greet)]
    fn greet(&mut self, msg: &Greet, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        let (Some(config), Some(journal)) = (&self.config, &self.journal) else {
            return Err("not initialized".into()); // cannot happen: Greet waits for both
        };
        ctx.send(sender, format!("{}, {}!", config.message.greeting, msg.0));
        ctx.send(&journal.message.0, format!("greeted {}", msg.0));
        Ok(())
    }
}
// ANCHOR_END: greeter

// ANCHOR: journal
/// Asks a `Journal` for what it recorded.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Read;

/// What a `Journal` recorded, oldest first.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Lines(Vec<String>);

/// Records the lines it is sent.
#[derive(Default)]
struct Journal {
    lines: Vec<String>,
}

#[actor]
impl Journal {
    #[handler(String)]
    fn record(&mut self, line: &String) {
        self.lines.push(line.clone());
    }

    #[handler(Read)]
    fn read(&mut self, _msg: &Read, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Lines(self.lines.clone()));
    }
}
// ANCHOR_END: journal

// ANCHOR: short_lived
/// Greets with its `Config`, and exits 200 ms after its last message.
#[derive(Default)]
struct QuickGreeter {
    config: Option<Init<Config>>,
}

#[transient_idle(millis = 200)]
#[initializing_messages(config: Config)]
#[actor]
impl QuickGreeter {
    #[handler(Greet)]
    fn greet(&mut self, msg: &Greet, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let greeting = self.config.as_ref().map_or("?", |c| c.message.greeting.as_str());
        ctx.send(sender, format!("{greeting}, {}!", msg.0));
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _msg: &ActorExitRequest, ctx: &mut ActorContext<'_>) {
        if let Some(config) = &self.config {
            ctx.send(&config.sender, "bye".to_string());
        }
    }
}
// ANCHOR_END: short_lived

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: hold
    let greeter = asys.create_actor::<Greeter>()?;
    let journal = asys.create_actor::<Journal>()?;
    let other = asys.private()?; // a second client, with its own endpoint

    asys.tell(&greeter, Greet("Ada".to_string()))?;
    other.tell(&greeter, Greet("Grace".to_string()))?;
    asys.tell(&greeter, Greet("Linus".to_string()))?;
    assert!(asys.listen(Duration::from_millis(50))?.is_none(), "the greetings are held");

    asys.tell(&greeter, Config { greeting: "Hello".to_string() })?;
    assert!(asys.listen(Duration::from_millis(50))?.is_none(), "still held: no journal yet");
    other.tell(&greeter, UseJournal(journal.clone()))?;

    let mut ours = Vec::new();
    for _ in 0..3 {
        ours.push(asys.listen_as::<String>(WAIT)?.expect("a reply"));
    }
    let theirs = other.listen_as::<String>(WAIT)?.expect("a reply");
    let Lines(lines) = asys.ask_as::<Lines>(&journal, Read, WAIT)?.expect("the journal");
    println!("we got:    {ours:?}");
    println!("other got: {theirs:?}");
    println!("journal:   {lines:?}");
    // ANCHOR_END: hold
    assert_eq!(ours, ["ready", "Hello, Ada!", "Hello, Linus!"]);
    assert_eq!(theirs, "Hello, Grace!");
    assert_eq!(lines, ["greeted Ada", "greeted Grace", "greeted Linus"]);

    // ANCHOR: after
    let now = asys.ask_as::<String>(&greeter, Greet("Barbara".to_string()), WAIT)?;
    println!("afterwards: {now:?}");
    // ANCHOR_END: after
    assert_eq!(now.as_deref(), Some("Hello, Barbara!"));

    // ANCHOR: transient
    let quick = asys.create_actor::<QuickGreeter>()?;
    let started = Instant::now();
    asys.tell(&quick, Greet("Ken".to_string()))?;
    asys.tell(&quick, Config { greeting: "Hi".to_string() })?;
    let greeting = asys.listen_as::<String>(WAIT)?;
    let bye = asys.listen_as::<String>(WAIT)?;
    println!("{greeting:?}, then {bye:?} after {} ms", started.elapsed().as_millis());
    // ANCHOR_END: transient
    assert_eq!(greeting.as_deref(), Some("Hi, Ken!"));
    assert_eq!(bye.as_deref(), Some("bye"));
    assert!(started.elapsed() >= Duration::from_millis(200));

    asys.shutdown()
}
