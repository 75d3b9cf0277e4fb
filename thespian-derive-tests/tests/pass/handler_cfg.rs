//! `#[cfg]` on handlers: a handler compiled out is not routed to, and handlers for one type
//! under different `#[cfg]`s are alternatives (one handler per type once compiled). The same
//! holds for `#[unrecognized]`, for `cfg`s inside `#[cfg_attr]`, and for
//! `actor_system_capability_check`.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Switched;

#[actor]
impl Switched {
    #[cfg(any())]
    #[handler(String)]
    fn compiled_out(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "compiled out".to_string());
    }

    #[cfg(all())]
    #[handler(String)]
    fn compiled_in(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "compiled in".to_string());
    }

    #[cfg(any())]
    #[handler(u32)]
    fn only_handler_of_u32(&mut self, _msg: &u32) {}

    #[cfg_attr(all(), cfg(any()), inline)]
    #[handler(i64)]
    fn out_by_cfg_attr(&mut self, _msg: &i64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "i64 by cfg_attr".to_string());
    }

    #[cfg(any())]
    #[unrecognized]
    fn fallback_out(&mut self, _msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "fallback out".to_string());
    }

    #[cfg(not(any()))]
    #[unrecognized]
    fn fallback_in(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("fallback got {}", msg.message_type_name()));
    }

    #[cfg(not(any()))]
    fn actor_system_capability_check(caps: &Capabilities, _reqs: Option<&Capabilities>) -> bool {
        !caps.is_truthy("Refuse")
    }

    #[cfg(any())]
    fn actor_system_capability_check(_caps: &Capabilities, _reqs: Option<&Capabilities>) -> bool {
        false
    }
}

/// Every fallback compiled out: no `#[unrecognized]` at all.
#[derive(Default)]
struct NoFallback;

#[actor]
impl NoFallback {
    #[cfg(any())]
    #[unrecognized]
    fn gone(&mut self, _msg: &dyn Message) {}

    #[cfg(not(all()))]
    #[unrecognized]
    fn also_gone(&mut self, _msg: &dyn Message) {}
}

fn text(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<Option<String>, ActorSystemError> {
    asys.ask_as::<String>(target, msg, ANSWER)
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(Logging::Off).check_capabilities(true).build()?;
    let switched = asys.create_actor::<Switched>()?;
    assert_eq!(text(&asys, &switched, "x".to_string())?.as_deref(), Some("compiled in"));
    assert_eq!(text(&asys, &switched, 7_u32)?.as_deref(), Some("fallback got u32"));
    assert_eq!(text(&asys, &switched, 7_i64)?.as_deref(), Some("fallback got i64"));
    let refuse = Capabilities::from_iter([("Refuse", true)]);
    assert!(<Switched as Actor>::capability_check(&refuse, None).is_err(), "the check compiled in is called");
    let quiet = asys.create_actor::<NoFallback>()?;
    assert_eq!(asys.ask_as::<String>(&quiet, 1_u8, Duration::from_millis(200))?, None);
    asys.shutdown()
}
