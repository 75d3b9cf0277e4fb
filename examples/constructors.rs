//! Constructors for `#[actor]` types: `#[actor(new = path)]` names the function the system
//! calls to build the actor. It may return the actor or a `Result`, and may read the
//! `ActorStart`: the capabilities of the system and the requirements of the creator.
//!
//! Run it with `cargo run --example constructors`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: plain
/// Greets in a fixed way, set up by its constructor rather than by `Default`.
struct Greeter {
    greeting: String,
}

impl Greeter {
    fn polite() -> Self {
        Self { greeting: "Good morning".to_string() }
    }
}

#[actor(new = Greeter::polite)]
impl Greeter {
    #[handler(String)]
    fn on_name(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{}, {msg}", self.greeting));
    }
}
// ANCHOR_END: plain

// ANCHOR: fallible
/// Retries a job a configured number of times; building it fails if the setting is bad.
struct Retrier {
    retries: u32,
}

impl Retrier {
    fn from_setting(setting: &str) -> Result<Self, std::num::ParseIntError> {
        Ok(Self { retries: setting.parse()? })
    }

    fn configured() -> Result<Self, std::num::ParseIntError> {
        Self::from_setting("3")
    }
}

#[actor(new = Retrier::configured)]
impl Retrier {
    #[handler(())]
    fn report(&mut self, _msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.retries);
    }
}

/// The same actor, with a setting that does not parse.
struct BrokenRetrier(Retrier);

#[actor(new = BrokenRetrier::misconfigured)]
impl BrokenRetrier {
    fn misconfigured() -> Result<Self, std::num::ParseIntError> {
        Retrier::from_setting("three").map(BrokenRetrier)
    }

    #[handler(())]
    fn report(&mut self, msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.0.report(msg, sender, ctx);
    }
}
// ANCHOR_END: fallible

// ANCHOR: start
/// Greets in the language of the system it runs in, read from its capabilities.
struct LocalGreeter {
    greeting: &'static str,
}

impl LocalGreeter {
    fn for_system(start: &thespian::ActorStart<'_>) -> Self {
        let greeting = match start.capabilities.get("Language") {
            Some(CapValue::Str(language)) if language == "fr" => "Bonjour",
            _ => "Hello",
        };
        Self { greeting }
    }
}

#[actor(new = LocalGreeter::for_system)]
impl LocalGreeter {
    #[handler(String)]
    fn on_name(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{}, {msg}", self.greeting));
    }
}
// ANCHOR_END: start

fn main() -> Result<(), ActorSystemError> {
    // ANCHOR: use
    // A failing constructor is logged as a warning; keep the output to the point.
    let asys = ActorSystem::builder().capability("Language", "fr").logging(Logging::Off).build()?;

    let greeter = asys.create_actor::<Greeter>()?;
    let polite: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
    println!("Greeter:       {polite:?}");
    assert_eq!(polite.as_deref(), Some("Good morning, Ada"));

    let retrier = asys.create_actor::<Retrier>()?;
    let retries: Option<u32> = asys.ask_as(&retrier, (), WAIT)?;
    println!("Retrier:       {retries:?} retries");
    assert_eq!(retries, Some(3));

    match asys.create_actor::<BrokenRetrier>() {
        Err(e @ ActorSystemError::ActorCreateFailure { .. }) => println!("BrokenRetrier: {e}"),
        other => panic!("the constructor fails, so the creation must fail: {other:?}"),
    }

    let local = asys.create_actor::<LocalGreeter>()?;
    let bonjour: Option<String> = asys.ask_as(&local, "Ada".to_string(), WAIT)?;
    println!("LocalGreeter:  {bonjour:?}");
    assert_eq!(bonjour.as_deref(), Some("Bonjour, Ada"));
    // ANCHOR_END: use

    // ANCHOR: by_name
    // Created by name, the actor is built by the same constructor.
    let by_name = asys.create_actor_by_name("constructors::LocalGreeter")?;
    let again: Option<String> = asys.ask_as(&by_name, "Grace".to_string(), WAIT)?;
    println!("by name:       {again:?}");
    assert_eq!(again.as_deref(), Some("Bonjour, Grace"));
    // ANCHOR_END: by_name

    asys.shutdown()
}
