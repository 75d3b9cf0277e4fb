//! Message families, the Rust form of message base classes (usage guide §5.17): a handler
//! for `dyn Family` receives every message of the family, and a message's dispatch chain is
//! its own type, then its families in the order it declares them.
//!
//! Run it with `cargo run --example families`.

use thespian::prelude::*;

// ANCHOR: families
/// Every message that comes from a sensor: the family of readings.
trait Reading: Message {
    /// Which sensor sent it.
    fn sensor(&self) -> &str;
}

/// Readings that call for attention. The supertrait lets an alarm be used as a reading.
trait Alarm: Reading {
    /// How urgent it is, from 1 (not very) to 3.
    fn level(&self) -> u8;
}
// ANCHOR_END: families

// ANCHOR: members
/// A temperature: a reading, not an alarm.
#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Reading)]
struct Temperature {
    sensor: String,
    celsius: f64,
}

impl Reading for Temperature {
    fn sensor(&self) -> &str {
        &self.sensor
    }
}

/// Water where it should not be: an alarm, and so also a reading.
#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Alarm, family = Reading)]
struct Leak {
    sensor: String,
    litres: u32,
}

impl Reading for Leak {
    fn sensor(&self) -> &str {
        &self.sensor
    }
}

impl Alarm for Leak {
    fn level(&self) -> u8 {
        if self.litres < 10 {
            1
        } else {
            3
        }
    }
}

/// Smoke: an alarm of its own kind.
#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Alarm, family = Reading)]
struct Smoke {
    sensor: String,
}

impl Reading for Smoke {
    fn sensor(&self) -> &str {
        &self.sensor
    }
}

impl Alarm for Smoke {
    fn level(&self) -> u8 {
        3
    }
}
// ANCHOR_END: members

// ANCHOR: monitor
/// Answers each reading with what it makes of it.
#[derive(Default)]
struct Monitor;

#[actor]
impl Monitor {
    /// The most specific handler: only `Smoke`.
    #[handler(Smoke)]
    fn on_smoke(&mut self, msg: &Smoke, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("evacuate: smoke at {}", msg.sensor));
    }

    /// Every alarm that has no handler of its own type. A minor one is passed on down the
    /// chain, to be treated as a plain reading.
    #[handler(dyn Alarm)]
    fn on_alarm(&mut self, msg: &dyn Alarm, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        if msg.level() < 2 {
            return Dispatch::Super;
        }
        ctx.send(sender, format!("alarm, level {}, at {}", msg.level(), msg.sensor()));
        Dispatch::Handled
    }

    /// Every reading that got this far.
    #[handler(dyn Reading)]
    fn on_reading(&mut self, msg: &dyn Reading, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("noted a {} from {}", msg.message_type_name(), msg.sensor()));
    }
}
// ANCHOR_END: monitor

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let wait = std::time::Duration::from_secs(1);

    // ANCHOR: ask
    let monitor = asys.create_actor::<Monitor>()?;
    let answers = [
        asys.ask_as::<String>(&monitor, Temperature { sensor: "kitchen".into(), celsius: 21.5 }, wait)?,
        asys.ask_as::<String>(&monitor, Leak { sensor: "bathroom".into(), litres: 2 }, wait)?,
        asys.ask_as::<String>(&monitor, Leak { sensor: "cellar".into(), litres: 80 }, wait)?,
        asys.ask_as::<String>(&monitor, Smoke { sensor: "hall".into() }, wait)?,
    ];
    for answer in answers.iter().flatten() {
        println!("{answer}");
    }
    assert_eq!(
        answers.map(Option::unwrap_or_default),
        [
            "noted a families::Temperature from kitchen",
            "noted a families::Leak from bathroom",
            "alarm, level 3, at cellar",
            "evacuate: smoke at hall",
        ]
    );
    // ANCHOR_END: ask

    // ANCHOR: chain
    let leak = Leak { sensor: "attic".into(), litres: 1 };
    let families: Vec<&str> = leak.message_families().iter().map(|family| family.name()).collect();
    println!("a Leak's chain: {}, then {families:?}", leak.message_type_name());
    assert_eq!(families, ["Alarm", "Reading"]);
    // ANCHOR_END: chain

    asys.shutdown()
}
