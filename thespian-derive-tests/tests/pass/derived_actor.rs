//! Derived actors, `#[actor(base = field)]` (spec §5.17.1): the derived actor's handler runs
//! first, `Dispatch::Super` defers to the base's handler for the same type, types only the
//! base handles reach it, and the base's `#[unrecognized]` serves the derived actor unless
//! it has its own. `base` combines with `new`.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Base {
    seen: u32,
}

#[actor]
impl Base {
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.seen += 1;
        ctx.send(sender, format!("base got {msg} (#{})", self.seen));
    }

    #[handler(u32)]
    fn on_number(&mut self, msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("base number {msg}"));
    }

    #[unrecognized]
    fn other(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("base did not recognize {}", msg.message_type_name()));
    }
}

#[derive(Default)]
struct Derived {
    parent: Base,
}

#[actor(base = parent)]
impl Derived {
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        if msg == "mine" {
            ctx.send(sender, "derived got mine".to_string());
            return Dispatch::Handled;
        }
        Dispatch::Super
    }
}

struct Overriding {
    inner: Base,
    prefix: &'static str,
}

#[actor(new = Self::build, base = inner)]
impl Overriding {
    fn build() -> Self {
        Self { inner: Base::default(), prefix: "overriding" }
    }

    #[unrecognized]
    fn other(&mut self, msg: &mut dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{} did not recognize {}", self.prefix, msg.message_type_name()));
    }
}

fn text(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<String, ActorSystemError> {
    Ok(asys.ask_as::<String>(target, msg, ANSWER)?.expect("an answer"))
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let derived = asys.create_actor::<Derived>()?;
    assert_eq!(text(&asys, &derived, "mine".to_string())?, "derived got mine");
    assert_eq!(text(&asys, &derived, "yours".to_string())?, "base got yours (#1)");
    assert_eq!(text(&asys, &derived, 7_u32)?, "base number 7");
    assert_eq!(text(&asys, &derived, true)?, "base did not recognize bool");

    let overriding = asys.create_actor::<Overriding>()?;
    assert_eq!(text(&asys, &overriding, "x".to_string())?, "base got x (#1)");
    assert_eq!(text(&asys, &overriding, 'c')?, "overriding did not recognize char");
    asys.shutdown()
}
