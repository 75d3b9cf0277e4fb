//! `#[unrecognized]` (spec §5.17.2) takes `&dyn Message` or `&mut dyn Message`, with the
//! optional sender and context; without it, unhandled messages are dropped.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);
const NO_ANSWER: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Shared {
    missed: Vec<String>,
}

#[actor]
impl Shared {
    #[handler(bool)]
    fn report(&mut self, _msg: &bool, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.missed.join(", "));
    }

    #[unrecognized]
    fn missed(&mut self, msg: &dyn Message) {
        self.missed.push(format!("{msg:?}"));
    }
}

#[derive(Default)]
struct Mutable;

#[actor]
impl Mutable {
    #[unrecognized]
    fn shout(&self, msg: &mut dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(text) = msg.downcast_mut::<String>() {
            text.make_ascii_uppercase();
            ctx.send(sender, std::mem::take(text));
        }
    }
}

#[derive(Default)]
struct Dropping;

#[actor]
impl Dropping {
    #[handler(bool)]
    fn on_bool(&mut self, msg: &bool, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, *msg);
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let shared = asys.create_actor::<Shared>()?;
    asys.tell(&shared, 1_u8)?;
    asys.tell(&shared, "two".to_string())?;
    let missed: Option<String> = asys.ask_as(&shared, true, ANSWER)?;
    assert_eq!(missed.as_deref(), Some(r#"1, "two""#));

    let mutable = asys.create_actor::<Mutable>()?;
    let shouted: Option<String> = asys.ask_as(&mutable, "quiet".to_string(), ANSWER)?;
    assert_eq!(shouted.as_deref(), Some("QUIET"));

    let dropping = asys.create_actor::<Dropping>()?;
    assert!(asys.ask(&dropping, 5_u8, NO_ANSWER)?.is_none());
    assert_eq!(asys.ask_as::<bool>(&dropping, true, ANSWER)?, Some(true));
    asys.shutdown()
}
