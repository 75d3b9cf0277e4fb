//! `#[actor(new = path)]`: a constructor returning `Self`, one returning `Ok(Self)`, and one
//! returning `Err`, which makes the actor non-startable.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

struct Configured {
    greeting: String,
}

impl Configured {
    fn with_config() -> Self {
        Self { greeting: "hello".into() }
    }
}

#[actor(new = Self::with_config)]
impl Configured {
    #[handler(String)]
    fn on_name(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{} {msg}", self.greeting));
    }
}

struct Fallible {
    limit: u32,
}

impl Fallible {
    fn open(limit: u32) -> Result<Self, std::num::TryFromIntError> {
        let _ = u8::try_from(limit)?;
        Ok(Self { limit })
    }

    fn small() -> Result<Self, std::num::TryFromIntError> {
        Self::open(7)
    }

    fn huge() -> Result<Self, std::num::TryFromIntError> {
        Self::open(1000)
    }
}

#[actor(new = Fallible::small)]
impl Fallible {
    #[handler(u32)]
    fn on_n(&mut self, msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, *msg <= self.limit);
    }
}

/// The same state, built by a constructor that fails.
struct Broken(Fallible);

#[actor(new = Broken::build)]
impl Broken {
    fn build() -> Result<Self, std::num::TryFromIntError> {
        Fallible::huge().map(Broken)
    }

    #[handler(u32)]
    fn on_n(&mut self, msg: &u32) {
        self.0.limit = *msg;
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let configured = asys.create_actor::<Configured>()?;
    let reply: Option<String> = asys.ask_as(&configured, "world".to_string(), ANSWER)?;
    assert_eq!(reply.as_deref(), Some("hello world"));

    let fallible = asys.create_actor::<Fallible>()?;
    assert_eq!(asys.ask_as::<bool>(&fallible, 7_u32, ANSWER)?, Some(true));
    assert_eq!(asys.ask_as::<bool>(&fallible, 8_u32, ANSWER)?, Some(false));

    match asys.create_actor::<Broken>() {
        Err(ActorSystemError::ActorCreateFailure { reason, .. }) => {
            assert!(reason.contains("out of range"), "{reason}");
        }
        other => panic!("a failing constructor must fail the creation: {other:?}"),
    }
    let by_name = asys.create_actor_by_name(concat!(module_path!(), "::Configured"))?;
    let reply: Option<String> = asys.ask_as(&by_name, "again".to_string(), ANSWER)?;
    assert_eq!(reply.as_deref(), Some("hello again"));
    asys.shutdown()
}
