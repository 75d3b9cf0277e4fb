//! Every handler return type: `()`, `Dispatch`, `Result<(), E>` and `Result<Dispatch, E>`.
//! `Dispatch::Super` passes the message on (here to `#[unrecognized]`); an `Err` is an actor
//! failure, so the message comes back to its sender as a `PoisonMessage`.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Returns;

#[actor]
impl Returns {
    #[handler(u8)]
    fn unit(&mut self, _msg: &u8, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "unit".to_string());
    }

    #[handler(u16)]
    fn dispatch(&mut self, msg: &u16, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        if *msg == 0 {
            return Dispatch::Super;
        }
        ctx.send(sender, "dispatch".to_string());
        Dispatch::Handled
    }

    #[handler(u32)]
    fn result_unit(&mut self, msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), String> {
        if *msg == 0 {
            return Err("zero u32".to_string());
        }
        ctx.send(sender, "result unit".to_string());
        Ok(())
    }

    #[handler(u64)]
    fn result_dispatch(
        &mut self,
        msg: &u64,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Result<Dispatch, std::io::Error> {
        match msg {
            0 => Err(std::io::Error::other("zero u64")),
            1 => Ok(Dispatch::Super),
            _ => {
                ctx.send(sender, "result dispatch".to_string());
                Ok(Dispatch::Handled)
            }
        }
    }

    #[handler(i64)]
    fn actor_error(&mut self, msg: &i64) -> Result<(), ActorError> {
        Err(format!("bad i64 {msg}").into())
    }

    #[unrecognized]
    fn other(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), String> {
        ctx.send(sender, format!("unrecognized {msg:?}"));
        Ok(())
    }
}

fn poison(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<PoisonMessage, ActorSystemError> {
    let reply = asys.ask(target, msg, ANSWER)?.expect("an answer");
    match reply.downcast::<PoisonMessage>() {
        Ok(poison) => Ok(*poison),
        Err(other) => panic!("expected a PoisonMessage, got {other:?}"),
    }
}

fn text(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<String, ActorSystemError> {
    Ok(asys.ask_as::<String>(target, msg, ANSWER)?.expect("an answer"))
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let actor = asys.create_actor::<Returns>()?;
    assert_eq!(text(&asys, &actor, 1_u8)?, "unit");
    assert_eq!(text(&asys, &actor, 1_u16)?, "dispatch");
    assert_eq!(text(&asys, &actor, 0_u16)?, "unrecognized 0");
    assert_eq!(text(&asys, &actor, 1_u32)?, "result unit");
    assert_eq!(text(&asys, &actor, 2_u64)?, "result dispatch");
    assert_eq!(text(&asys, &actor, 1_u64)?, "unrecognized 1");

    let zero_u32 = poison(&asys, &actor, 0_u32)?;
    assert_eq!(zero_u32.poison_message.downcast_ref::<u32>(), Some(&0));
    assert!(zero_u32.details.contains("zero u32"), "{}", zero_u32.details);
    let zero_u64 = poison(&asys, &actor, 0_u64)?;
    assert!(zero_u64.details.contains("zero u64"), "{}", zero_u64.details);
    let bad = poison(&asys, &actor, 5_i64)?;
    assert!(bad.details.contains("bad i64 5"), "{}", bad.details);

    assert_eq!(text(&asys, &actor, 3_u8)?, "unit", "the actor carries on after a failure");
    asys.shutdown()
}
