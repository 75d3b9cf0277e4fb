//! Spec §5.17 (ActorTypeDispatcher): routing by message type with `#[actor]` and
//! `#[handler(T)]`, message families, derived actors, SUPER deferral and the unrecognized
//! fallback — the Python suite's `test_typeDispatcher.py` scenario, exactly.

mod common;

use std::time::Duration;

use thespian::prelude::*;

use common::ANSWER;

// The Python messages: Message2 derives from Message1, StrangeMessage1 from Message3.
// A Python base class becomes a family trait; the class itself is a message in that family.

/// Messages that "are a" Message1.
pub trait Message1Family: Message {
    /// The `m1` attribute.
    fn m1(&self) -> &str;
}

/// Messages that "are a" Message3.
pub trait Message3Family: Message {}

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
#[message(family = Message1Family)]
struct Message1 {
    m1: String,
}

impl Message1Family for Message1 {
    fn m1(&self) -> &str {
        &self.m1
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
#[message(family = Message1Family)]
struct Message2 {
    m1: String,
    m2: String,
}

impl Message1Family for Message2 {
    fn m1(&self) -> &str {
        &self.m1
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
#[message(family = Message3Family)]
struct Message3;

impl Message3Family for Message3 {}

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
#[message(family = Message3Family)]
struct StrangeMessage1;

impl Message3Family for StrangeMessage1 {}

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct StrangeMessage2;

fn message1() -> Message1 {
    Message1 { m1: "m1".into() }
}

fn message2() -> Message2 {
    Message2 { m1: "m1".into(), m2: "m2".into() }
}

#[derive(Default)]
struct Bottom;

#[actor]
impl Bottom {
    #[handler(String)]
    fn on_str(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "got a string".to_string());
    }

    #[handler(dyn Message1Family)]
    fn on_message1(&mut self, msg: &dyn Message1Family, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("got {}", msg.m1()));
    }
}

#[derive(Default)]
struct Middle {
    bottom: Bottom,
}

#[actor(base = bottom)]
impl Middle {
    #[handler(Message2)]
    fn on_message2(&mut self, msg: &Message2, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        ctx.send(sender, format!("middle got {}", msg.m2));
        Dispatch::Super
    }

    #[handler(dyn Message3Family)]
    fn on_message3(&mut self, _msg: &dyn Message3Family, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "middle got #3".to_string());
    }

    #[unrecognized]
    fn other(&mut self, msg: &mut dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("didn't recognize: {}", msg.message_type_name()));
    }
}

#[derive(Default)]
struct Top {
    middle: Middle,
}

#[actor(base = middle)]
impl Top {
    #[handler(dyn Message3Family)]
    fn on_message3(
        &mut self,
        _msg: &dyn Message3Family,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Dispatch {
        ctx.send(sender, "top got msg3".to_string());
        Dispatch::Super
    }

    #[handler(Message2)]
    fn on_message2(&mut self, msg: &Message2, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("top got {}", msg.m2));
    }

    #[handler(String)]
    fn on_str(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("top got \"{msg}\""));
    }

    #[handler(i64)]
    fn on_int(&mut self, msg: &i64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg * 2);
    }
}

/// Every reply to `msg`, as text: the ask's answer, then whatever else arrives.
fn replies(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<Vec<String>, ActorSystemError> {
    let mut out = Vec::new();
    let mut next = asys.ask(target, msg, ANSWER)?;
    while let Some(reply) = next {
        match reply.downcast::<String>() {
            Ok(text) => out.push(*text),
            Err(other) => out.push(format!("{other:?}")),
        }
        next = asys.listen(Duration::from_millis(100))?;
    }
    Ok(out)
}

fn ask_none(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<bool, ActorSystemError> {
    Ok(asys.ask(target, msg, Duration::from_millis(100))?.is_none())
}

on_every_base! {
    fn spec_5_17_bottom_dispatch(asys) {
        let bottom = asys.create_actor::<Bottom>()?;
        assert_eq!(replies(asys, &bottom, "Are you there?".to_string())?, ["got a string"]);
        assert!(ask_none(asys, &bottom, 9_i64)?);
        assert_eq!(replies(asys, &bottom, message1())?, ["got m1"]);
        assert_eq!(replies(asys, &bottom, message2())?, ["got m1"]);
        assert!(ask_none(asys, &bottom, Message3)?);
        assert!(ask_none(asys, &bottom, StrangeMessage1)?);
        assert!(ask_none(asys, &bottom, StrangeMessage2)?);
        Ok(())
    }

    fn spec_5_17_1_middle_derived_dispatch(asys) {
        let middle = asys.create_actor::<Middle>()?;
        assert_eq!(replies(asys, &middle, "Are you there?".to_string())?, ["got a string"]);
        assert_eq!(replies(asys, &middle, 9_i64)?, ["didn't recognize: i64"]);
        assert_eq!(replies(asys, &middle, message1())?, ["got m1"]);
        assert_eq!(replies(asys, &middle, message2())?, ["middle got m2", "got m1"]);
        assert_eq!(replies(asys, &middle, Message3)?, ["middle got #3"]);
        assert_eq!(replies(asys, &middle, StrangeMessage1)?, ["middle got #3"]);
        let strange = StrangeMessage2.message_type_name();
        assert_eq!(replies(asys, &middle, StrangeMessage2)?, [format!("didn't recognize: {strange}")]);
        Ok(())
    }

    fn spec_5_17_3_top_super_deferral(asys) {
        let top = asys.create_actor::<Top>()?;
        assert_eq!(replies(asys, &top, "Are you there?".to_string())?, ["top got \"Are you there?\""]);
        assert_eq!(asys.ask_as::<i64>(&top, 9_i64, ANSWER)?, Some(18));
        assert_eq!(replies(asys, &top, message1())?, ["got m1"]);
        assert_eq!(replies(asys, &top, message2())?, ["top got m2"]);
        assert_eq!(replies(asys, &top, Message3)?, ["top got msg3", "middle got #3"]);
        assert_eq!(replies(asys, &top, StrangeMessage1)?, ["top got msg3", "middle got #3"]);
        let strange = StrangeMessage2.message_type_name();
        assert_eq!(replies(asys, &top, StrangeMessage2)?, [format!("didn't recognize: {strange}")]);
        Ok(())
    }
}
