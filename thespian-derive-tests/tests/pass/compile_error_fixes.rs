//! The fixed programs of the book's *Compile errors and their fixes* page for the decorators
//! and the newer `#[actor]` and `#[derive(Message)]` checks (the others are in
//! `examples/fixes.rs`). Each module is the fix of one compile-fail case, included by the book
//! through its ANCHOR comments; `main` builds and uses each, so the fixes stay correct.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

/// `#[handler(T)]` with `T` named, not `_`.
mod placeholder {
    use super::*;

    #[derive(Default)]
    pub(super) struct Greeter;

    // ANCHOR: placeholder
    #[actor]
    impl Greeter {
        #[handler(u8)]
        fn on_number(&mut self, msg: &u8, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, u32::from(*msg) + 1);
        }
    }
    // ANCHOR_END: placeholder

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        assert_eq!(asys.ask_as::<u32>(&greeter, 1_u8, WAIT)?, Some(2));
        Ok(())
    }
}

/// Handlers for one type under `#[cfg]`s that exclude each other.
mod cfg_alternatives {
    use super::*;

    #[derive(Default)]
    pub(super) struct Greeter;

    // ANCHOR: cfg_alternatives
    #[actor]
    impl Greeter {
        #[cfg(unix)]
        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, format!("{msg}\n"));
        }

        #[cfg(not(unix))]
        #[handler(String)]
        fn on_other_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, format!("{msg}\r\n"));
        }
    }
    // ANCHOR_END: cfg_alternatives

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let line: Option<String> = asys.ask_as(&greeter, "hi".to_string(), WAIT)?;
        assert!(line.is_some_and(|l| l.starts_with("hi")));
        Ok(())
    }
}

/// A family handler names the trait alone.
mod family_alone {
    use super::*;

    // ANCHOR: family_alone
    pub trait Greeting: Message {}

    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(family = Greeting)]
    pub struct Hello;

    impl Greeting for Hello {}

    #[derive(Default)]
    pub(super) struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(dyn Greeting)]
        fn on_greeting(&mut self, msg: &dyn Greeting, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, format!("got a {}", msg.message_type_name()));
        }
    }
    // ANCHOR_END: family_alone

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let reply: Option<String> = asys.ask_as(&greeter, Hello, WAIT)?;
        assert!(reply.is_some_and(|r| r.ends_with("::Hello")));
        Ok(())
    }
}

/// `#[handler]` on the method, not on the constant.
mod marker_on_method {
    use super::*;

    #[derive(Default)]
    pub(super) struct Greeter;

    // ANCHOR: marker_on_method
    #[actor]
    impl Greeter {
        const GREETING: &'static str = "Hello";

        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, format!("{}, {msg}", Self::GREETING));
        }
    }
    // ANCHOR_END: marker_on_method

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let reply: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        assert_eq!(reply.as_deref(), Some("Hello, Ada"));
        Ok(())
    }
}

/// `#[require_capability]` with a name, and a value when it needs one.
mod require_named {
    use super::*;

    #[derive(Default)]
    pub(super) struct Lamp;

    // ANCHOR: require_named
    #[require_capability("Has Lightbulb")]
    #[require_capability("Color", "Yellow")]
    #[actor]
    impl Lamp {}
    // ANCHOR_END: require_named

    pub(super) fn check() {
        let caps = Capabilities::from_iter([("Has Lightbulb", CapValue::Int(1)), ("Color", CapValue::from("Yellow"))]);
        assert_eq!(<Lamp as Actor>::capability_check(&caps, None), Ok(()));
    }
}

/// A capability value a `CapValue::Int` can hold.
mod require_in_range {
    use super::*;

    #[derive(Default)]
    pub(super) struct Counter;

    // ANCHOR: require_in_range
    #[require_capability("Max Count", 1_000_000_000_000)]
    #[actor]
    impl Counter {}
    // ANCHOR_END: require_in_range

    pub(super) fn check() {
        let caps = Capabilities::from_iter([("Max Count", CapValue::Int(1_000_000_000_000))]);
        assert_eq!(<Counter as Actor>::capability_check(&caps, None), Ok(()));
    }
}

/// `actor_system_capability_check` with its signature: no `self`, the requirements as an
/// `Option`, and a `bool`.
mod capability_check {
    use super::*;

    #[derive(Default)]
    pub(super) struct Lamp;

    // ANCHOR: capability_check
    #[actor]
    impl Lamp {
        fn actor_system_capability_check(caps: &Capabilities, _reqs: Option<&Capabilities>) -> bool {
            caps.get("Lightbulb").is_some()
        }
    }
    // ANCHOR_END: capability_check

    pub(super) fn check() {
        let caps = Capabilities::from_iter([("Lightbulb", CapValue::Bool(true))]);
        assert_eq!(<Lamp as Actor>::capability_check(&caps, None), Ok(()));
        assert!(<Lamp as Actor>::capability_check(&Capabilities::new(), None).is_err());
    }
}

/// `#[troupe]` with its two options, each `name = integer`.
mod troupe_options {
    use super::*;

    #[derive(Default)]
    pub(super) struct Worker;

    // ANCHOR: troupe_options
    #[troupe(max_count = 4, idle_count = 3)]
    #[actor]
    impl Worker {
        #[handler(u32)]
        fn on_job(&mut self, job: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, job * 2);
        }
    }
    // ANCHOR_END: troupe_options

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let troupe = asys.create_actor::<Worker>()?;
        assert_eq!(asys.ask_as::<u32>(&troupe, 21_u32, WAIT)?, Some(42));
        Ok(())
    }
}

/// `#[transient]` and `#[transient_idle]` with a literal duration and its unit.
mod transient_literal {
    use super::*;

    #[derive(Default)]
    pub(super) struct Session;

    #[derive(Default)]
    pub(super) struct Temp;

    // ANCHOR: transient_literal
    #[transient(secs = 3)]
    #[actor]
    impl Session {}

    #[transient_idle(secs = 3)]
    #[actor]
    impl Temp {}
    // ANCHOR_END: transient_literal

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        asys.create_actor::<Session>()?;
        asys.create_actor::<Temp>()?;
        Ok(())
    }
}

/// `#[initializing_messages]` names each field and its message type.
mod init_fields {
    use super::*;
    use thespian::patterns::Init;

    // ANCHOR: init_fields
    #[derive(Debug, Clone, Serialize, Deserialize, Message)]
    pub struct Config;

    #[derive(Default)]
    pub(super) struct Service {
        config: Option<Init<Config>>,
    }

    #[initializing_messages(config: Config)]
    #[actor]
    impl Service {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, self.config.is_some());
        }
    }
    // ANCHOR_END: init_fields

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let service = asys.create_actor::<Service>()?;
        asys.tell(&service, "ready?".to_string())?;
        asys.tell(&service, Config)?;
        assert_eq!(asys.listen_as::<bool>(WAIT)?, Some(true));
        Ok(())
    }
}

/// `#[message]` options, each written once and right.
mod message_options {
    use super::*;

    // ANCHOR: message_options
    pub trait Greeting: Message {}

    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(name = "greetings::Hello", family = Greeting)]
    pub struct Hello;

    impl Greeting for Hello {}
    // ANCHOR_END: message_options

    pub(super) fn check() {
        assert_eq!(Hello.message_type_name(), "greetings::Hello");
        assert_eq!(Hello.message_families()[0].name(), "Greeting");
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    placeholder::check(&asys)?;
    cfg_alternatives::check(&asys)?;
    family_alone::check(&asys)?;
    marker_on_method::check(&asys)?;
    require_named::check();
    require_in_range::check();
    capability_check::check();
    troupe_options::check(&asys)?;
    transient_literal::check(&asys)?;
    init_fields::check(&asys)?;
    message_options::check();
    asys.shutdown()
}
