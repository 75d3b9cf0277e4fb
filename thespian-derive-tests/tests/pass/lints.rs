//! Every macro feature, compiled under the strictest lints: the generated code must not
//! trigger any, and must not force the user's handlers to trigger any.
#![deny(warnings, missing_docs, clippy::pedantic)]

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

/// Messages that carry a number.
pub trait Numbered: Message {
    /// The number.
    fn number(&self) -> u64;
}

/// A renamed message in the `Numbered` family.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
#[message(name = "lints::Ticket", family = Numbered)]
pub struct Ticket {
    /// The ticket number.
    pub number: u64,
}

impl Numbered for Ticket {
    fn number(&self) -> u64 {
        self.number
    }
}

/// A plain message.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Message)]
pub struct Tick;

/// The base actor: counts what it sees.
#[derive(Default)]
pub struct Counter {
    seen: u64,
}

#[actor]
impl Counter {
    #[handler(u64)]
    fn on_number(&mut self, msg: &u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.seen += msg;
        ctx.send(sender, self.seen);
    }

    #[handler(String)]
    fn on_text(&self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg.len());
    }

    #[handler(dyn Numbered)]
    fn on_numbered(&mut self, msg: &dyn Numbered) -> Dispatch {
        self.seen += msg.number();
        Dispatch::Super
    }

    #[handler(Tick)]
    fn on_tick(&mut self, _msg: &Tick) {}

    #[handler(ActorExitRequest)]
    fn on_exit(&mut self, msg: &mut ActorExitRequest) {
        msg.not_recursive();
    }

    #[unrecognized]
    fn other(&self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("unrecognized {}", msg.message_type_name()));
    }
}

/// The derived actor, built by a constructor that may fail.
pub struct Front {
    counter: Counter,
    limit: u64,
}

impl Front {
    fn build() -> Result<Self, std::num::TryFromIntError> {
        Ok(Self { counter: Counter::default(), limit: u64::from(u8::try_from(200_u32)?) })
    }
}

#[actor(new = Self::build, base = counter)]
impl Front {
    #[handler(u64)]
    fn on_number(&mut self, msg: &mut u64) -> Result<Dispatch, String> {
        if *msg > self.limit {
            return Err(format!("{msg} is over the limit"));
        }
        *msg *= 2;
        Ok(Dispatch::Super)
    }

    #[handler(Ticket)]
    fn on_ticket(&mut self, msg: &Ticket, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), ActorError> {
        ctx.send(sender, msg.number + self.limit);
        Ok(())
    }

    #[handler(bool)]
    fn on_flag(&mut self, msg: &bool, ctx: &mut ActorContext<'_>) {
        if *msg {
            ctx.wakeup_after(Duration::from_millis(1), Tick);
        }
    }

    #[handler(WakeupMessage)]
    fn on_wakeup(&mut self, _msg: &WakeupMessage, _sender: &ActorAddress) {}
}

/// A hand-written actor beside the generated ones.
#[derive(Default)]
pub struct Manual;

impl Actor for Manual {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<Tick>() {
            ctx.send(sender, Tick);
        }
        Ok(())
    }
}

/// A troupe member that needs a capability (and checks the requirements by hand too).
#[derive(Default)]
pub struct Pooled;

#[require_capability("Pool", true)]
#[troupe(max_count = 4, idle_count = 1)]
#[actor]
#[require_capability("Pool Size")]
impl Pooled {
    fn actor_system_capability_check(_capabilities: &Capabilities, requirements: Option<&Capabilities>) -> bool {
        requirements.is_none_or(|r| !r.is_truthy("refuse"))
    }

    #[handler(u32)]
    fn on_number(&mut self, msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg + 1);
    }
}

/// A derived actor: it inherits `Pooled`'s requirements, adds numeric ones, and picks its
/// handlers with `#[cfg]`.
#[derive(Default)]
pub struct Gauged {
    pooled: Pooled,
}

#[require_capability("Pool Limit", 5000000000u64)]
#[require_capability("Pool Ratio", -0.5f32)]
#[actor(base = pooled)]
impl Gauged {
    #[cfg(unix)]
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg.len());
    }

    #[cfg(not(unix))]
    #[handler(String)]
    fn on_text_elsewhere(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg.len());
    }

    #[cfg_attr(not(unix), cfg(windows))]
    #[unrecognized]
    fn other(&mut self, _msg: &dyn Message) {}

    #[cfg(not(any(unix, windows)))]
    #[unrecognized]
    fn other_elsewhere(&mut self, _msg: &dyn Message) {}
}

/// Configuration for `Brief`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
pub struct Setup {
    /// What to add.
    pub add: u32,
}

/// A short-lived actor that waits for its setup.
#[derive(Default)]
pub struct Brief {
    setup: Option<thespian::patterns::Init<Setup>>,
}

#[transient_idle(secs = 5)]
#[initializing_messages(setup: Setup, done = on_ready)]
#[actor]
impl Brief {
    fn on_ready(&mut self, ctx: &mut ActorContext<'_>) {
        let _ = (&self.setup, ctx);
    }

    #[handler(u32)]
    fn on_number(&mut self, msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let add = self.setup.as_ref().map_or(0, |s| s.message.add);
        ctx.send(sender, msg + add);
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let front = asys.create_actor::<Front>()?;
    assert_eq!(asys.ask_as::<u64>(&front, 3_u64, ANSWER)?, Some(6));
    assert_eq!(asys.ask_as::<u64>(&front, Ticket { number: 1 }, ANSWER)?, Some(201));
    assert_eq!(asys.ask_as::<usize>(&front, "four".to_string(), ANSWER)?, Some(4));
    let other: Option<String> = asys.ask_as(&front, 'x', ANSWER)?;
    assert_eq!(other.as_deref(), Some("unrecognized char"));
    let poison = asys.ask(&front, 500_u64, ANSWER)?.map(|m| m.is::<PoisonMessage>());
    assert_eq!(poison, Some(true));
    asys.tell(&front, true)?;
    let manual = asys.create_actor::<Manual>()?;
    assert!(asys.ask_as::<Tick>(&manual, Tick, ANSWER)?.is_some());
    let pool = Capabilities::from_iter([("Pool", CapValue::Bool(true)), ("Pool Size", CapValue::Int(4))]);
    assert_eq!(<Pooled as Actor>::capability_check(&pool, None), Ok(()));
    let gauged = Capabilities::from_iter([
        ("Pool", CapValue::Bool(true)),
        ("Pool Size", CapValue::Int(4)),
        ("Pool Limit", CapValue::Int(5_000_000_000)),
        ("Pool Ratio", CapValue::Float(-0.5)),
    ]);
    assert_eq!(<Gauged as Actor>::capability_check(&gauged, None), Ok(()));
    assert!(<Gauged as Actor>::capability_check(&pool, None).is_err());
    let pooled = asys.create_actor::<Pooled>()?;
    assert_eq!(asys.ask_as::<u32>(&pooled, 1_u32, ANSWER)?, Some(2));
    let brief = asys.create_actor::<Brief>()?;
    asys.tell(&brief, 1_u32)?;
    asys.tell(&brief, Setup { add: 10 })?;
    assert_eq!(asys.listen_as::<u32>(ANSWER)?, Some(11));
    asys.shutdown()
}
