//! Handlers that watch file descriptors (spec §5.2.1): `ThespianWatch` and
//! `Result<ThespianWatch, E>` from `#[handler]` and `#[unrecognized]` methods. On the simple
//! base the watch is ignored ("Thespian Watch Supported" is false), so the handlers answer
//! as any other.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Watcher;

#[actor]
impl Watcher {
    #[handler(u8)]
    fn watch(&mut self, _msg: &u8, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ThespianWatch {
        ctx.send(sender, "watch".to_string());
        ThespianWatch::new([0])
    }

    #[handler(u16)]
    fn result_watch(&mut self, msg: &u16, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<ThespianWatch, String> {
        if *msg == 0 {
            return Err("zero u16".to_string());
        }
        ctx.send(sender, "result watch".to_string());
        Ok(ThespianWatch::default())
    }

    #[handler(WatchMessage)]
    fn ready(&mut self, msg: &WatchMessage) -> ThespianWatch {
        msg.ready.iter().copied().collect()
    }

    #[unrecognized]
    fn other(&mut self, _msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ThespianWatch {
        ctx.send(sender, "unrecognized".to_string());
        ThespianWatch::new(Vec::new())
    }
}

fn text(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<String, ActorSystemError> {
    Ok(asys.ask_as::<String>(target, msg, ANSWER)?.expect("an answer"))
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let actor = asys.create_actor::<Watcher>()?;
    assert_eq!(text(&asys, &actor, 1_u8)?, "watch");
    assert_eq!(text(&asys, &actor, 1_u16)?, "result watch");
    assert_eq!(text(&asys, &actor, 1_u32)?, "unrecognized");
    let poison = asys.ask(&actor, 0_u16, ANSWER)?.expect("an answer");
    assert!(poison.is::<PoisonMessage>(), "{poison:?}");
    asys.shutdown()
}
