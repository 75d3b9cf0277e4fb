//! The fixed versions of the mistakes shown in the guide's "Compile errors and their fixes"
//! page. Each mistake is a compile-fail test of `thespian-derive-tests`; here each fix is a
//! module named after it (one module serves mistakes that share a fix), and `main` builds
//! every fixed actor and sends it a message.
//!
//! Run it with `cargo run --example fixes`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

/// Creates an `A` and sends it a `String`: the fixed actor builds and takes messages.
fn start<A: NewActor>(asys: &ActorSystem) -> Result<ActorAddress, ActorSystemError> {
    let actor = asys.create_actor::<A>()?;
    asys.tell(&actor, "Ada".to_string())?;
    Ok(actor)
}

/// Answers every message with its registered type name: the fixed messages are sent here.
#[derive(Default)]
struct Sink;

#[actor]
impl Sink {
    #[unrecognized]
    fn name(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, msg.message_type_name().to_string());
    }
}

/// Sends `msg` to a `Sink` and returns the type name it answers.
fn type_name_of(asys: &ActorSystem, msg: impl Message) -> Result<String, ActorSystemError> {
    let sink = asys.create_actor::<Sink>()?;
    let name: Option<String> = asys.ask_as(&sink, msg, WAIT)?;
    Ok(name.expect("the sink answers every message"))
}

// ---------------------------------------------------------------------------------------
// Handler signatures
// ---------------------------------------------------------------------------------------

/// The fix of most signature mistakes: `&mut self`, then the message by reference.
mod on_text {
    use super::*;

    // ANCHOR: on_text
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: on_text

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

/// Every parameter, in order: the message, the sender, the context.
mod all_parameters {
    use super::*;

    // ANCHOR: all_parameters
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {}
    }
    // ANCHOR_END: all_parameters

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

/// The sender, borrowed.
mod sender_by_value {
    use super::*;

    // ANCHOR: sender_by_value
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String, _sender: &ActorAddress) {}
    }
    // ANCHOR_END: sender_by_value

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

/// Other data lives in the actor's fields, not in extra parameters.
mod unknown_parameter {
    use super::*;

    // ANCHOR: unknown_parameter
    #[derive(Default)]
    struct Greeter {
        count: u32,
    }

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            self.count += 1;
            ctx.send(sender, self.count);
        }
    }
    // ANCHOR_END: unknown_parameter

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let first: Option<u32> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        let second: Option<u32> = asys.ask_as(&greeter, "Grace".to_string(), WAIT)?;
        assert_eq!((first, second), (Some(1), Some(2)));
        Ok(())
    }
}

/// Waiting without `async`: ask for a wakeup and carry on when it comes.
mod async_fn {
    use super::*;

    // ANCHOR: async_fn
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, msg: &String, ctx: &mut ActorContext<'_>) {
            // Instead of `.await`ing a delay: ask for a wakeup carrying the name.
            ctx.wakeup_after(Duration::from_millis(10), msg.clone());
        }

        #[handler(WakeupMessage)]
        fn on_wakeup(&mut self, msg: &WakeupMessage) {
            println!("async_fn: woken up for {:?}", msg.payload_as::<String>());
        }
    }
    // ANCHOR_END: async_fn

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys)?;
        // Give the wakeup time to arrive.
        asys.listen(Duration::from_millis(50)).map(drop)
    }
}

/// The fallback takes every message, as `&dyn Message` (or `&mut dyn Message`).
mod fallback {
    use super::*;

    // ANCHOR: fallback
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[unrecognized]
        fn other(&mut self, _msg: &dyn Message) {}
    }
    // ANCHOR_END: fallback

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

// ---------------------------------------------------------------------------------------
// Handler types and returns
// ---------------------------------------------------------------------------------------

/// A handler's type must be a message.
mod type_not_a_message {
    use super::*;

    // ANCHOR: type_not_a_message
    #[derive(Debug, Serialize, Deserialize, Message)]
    struct Plain;

    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(Plain)]
        fn on_plain(&mut self, _msg: &Plain) {}
    }
    // ANCHOR_END: type_not_a_message

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = start::<Greeter>(asys)?;
        asys.tell(&greeter, Plain)
    }
}

/// One handler per type: decide inside it, or defer with `Dispatch::Super`.
mod handler_twice {
    use super::*;

    // ANCHOR: handler_twice
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            if msg.is_empty() {
                ctx.send(sender, "nobody to greet".to_string());
            } else {
                ctx.send(sender, format!("Hello, {msg}!"));
            }
        }
    }
    // ANCHOR_END: handler_twice

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let hello: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        assert_eq!(hello.as_deref(), Some("Hello, Ada!"));
        Ok(())
    }
}

/// A result is sent, not returned.
mod returns_i32 {
    use super::*;

    // ANCHOR: returns_i32
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, msg.len());
        }
    }
    // ANCHOR_END: returns_i32

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let len: Option<usize> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        assert_eq!(len, Some(3));
        Ok(())
    }
}

/// One fallback, which looks at the type itself when it must.
mod unrecognized_twice {
    use super::*;

    // ANCHOR: unrecognized_twice
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[unrecognized]
        fn other(&mut self, msg: &mut dyn Message) {
            if let Some(text) = msg.downcast_mut::<String>() {
                text.clear();
            }
        }
    }
    // ANCHOR_END: unrecognized_twice

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

// ---------------------------------------------------------------------------------------
// Actor options and placement
// ---------------------------------------------------------------------------------------

/// `#[actor]` on the inherent impl; `Default` written by hand beside it.
mod on_trait_impl {
    use super::*;

    // ANCHOR: on_trait_impl
    struct Greeter;

    impl Default for Greeter {
        fn default() -> Self {
            Greeter
        }
    }

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: on_trait_impl

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

/// A generic type inside a concrete actor.
mod generic_type {
    use super::*;

    // ANCHOR: generic_type
    #[derive(Default)]
    struct Greeter<T> {
        last: Option<T>,
    }

    /// The actor: one concrete use of `Greeter`.
    #[derive(Default)]
    struct TextGreeter(Greeter<String>);

    #[actor]
    impl TextGreeter {
        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            let previous = self.0.last.replace(msg.clone());
            ctx.send(sender, previous.unwrap_or_default());
        }
    }
    // ANCHOR_END: generic_type

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<TextGreeter>()?;
        let first: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        let second: Option<String> = asys.ask_as(&greeter, "Grace".to_string(), WAIT)?;
        assert_eq!((first.as_deref(), second.as_deref()), (Some(""), Some("Ada")));
        Ok(())
    }
}

/// `base = field` is how an actor extends another.
mod unknown_option {
    use super::*;

    // ANCHOR: unknown_option
    #[derive(Default)]
    struct Other;

    #[actor]
    impl Other {
        #[handler(i64)]
        fn on_number(&mut self, _msg: &i64) {}
    }

    #[derive(Default)]
    struct Greeter {
        other: Other,
    }

    #[actor(base = other)]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: unknown_option

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = start::<Greeter>(asys)?;
        asys.tell(&greeter, 5_i64)
    }
}

/// `new = path` names the constructor, and the type does not also derive `Default`.
mod new_without_value {
    use super::*;

    // ANCHOR: new_without_value
    struct Greeter;

    impl Greeter {
        fn new() -> Self {
            Greeter
        }
    }

    #[actor(new = Greeter::new)]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: new_without_value

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

/// A constructor that can fail returns a `Result`.
mod new_wrong_return {
    use super::*;

    // ANCHOR: new_wrong_return
    struct Greeter;

    impl Greeter {
        fn build() -> Result<Self, &'static str> {
            Some(Greeter).ok_or("no greeter today")
        }
    }

    #[actor(new = Greeter::build)]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: new_wrong_return

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Greeter>(asys).map(drop)
    }
}

/// A named constructor replaces `Default`.
mod new_with_default {
    use super::*;

    // ANCHOR: new_with_default
    struct Greeter {
        greeting: String,
    }

    impl Greeter {
        fn polite() -> Self {
            Self { greeting: "Good morning".into() }
        }
    }

    #[actor(new = Greeter::polite)]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, format!("{}, {msg}", self.greeting));
        }
    }
    // ANCHOR_END: new_with_default

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let reply: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        assert_eq!(reply.as_deref(), Some("Good morning, Ada"));
        Ok(())
    }
}

/// An actor whose fields have no sensible default names its constructor.
mod without_constructor {
    use super::*;

    // ANCHOR: without_constructor
    struct Greeter {
        greeting: String,
    }

    impl Greeter {
        fn new() -> Self {
            Self { greeting: "Hello".into() }
        }
    }

    #[actor(new = Greeter::new)]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, format!("{} {msg}", self.greeting));
        }
    }
    // ANCHOR_END: without_constructor

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = asys.create_actor::<Greeter>()?;
        let reply: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), WAIT)?;
        assert_eq!(reply.as_deref(), Some("Hello Ada"));
        Ok(())
    }
}

/// `base` names the field that holds the base actor.
mod base_missing_field {
    use super::*;

    // ANCHOR: base_missing_field
    #[derive(Default)]
    struct Base;

    #[actor]
    impl Base {}

    #[derive(Default)]
    struct Derived {
        base: Base,
    }

    #[actor(base = base)]
    impl Derived {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: base_missing_field

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        start::<Derived>(asys).map(drop)
    }
}

/// The base is an `#[actor]` type.
mod base_not_an_actor {
    use super::*;

    // ANCHOR: base_not_an_actor
    #[derive(Default)]
    struct Plain;

    #[actor]
    impl Plain {
        #[handler(i64)]
        fn on_number(&mut self, _msg: &i64) {}
    }

    #[derive(Default)]
    struct Derived {
        inner: Plain,
    }

    #[actor(base = inner)]
    impl Derived {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }
    // ANCHOR_END: base_not_an_actor

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let derived = start::<Derived>(asys)?;
        asys.tell(&derived, 5_i64)
    }
}

/// Every mistake of the many-mistakes case, fixed.
mod many_mistakes {
    use super::*;

    // ANCHOR: many_mistakes
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        /// The one handler for `String`: what `on_more_text` did belongs here too.
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}

        #[handler(i64)]
        fn on_int(&mut self, _msg: &i64, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {}

        #[unrecognized]
        fn other(&mut self, _msg: &dyn Message) {}
    }
    // ANCHOR_END: many_mistakes

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = start::<Greeter>(asys)?;
        asys.tell(&greeter, 5_i64)?;
        asys.tell(&greeter, true)
    }
}

/// Once the handler is fixed, the code that creates the actor compiles as it was.
mod no_cascade {
    use super::*;

    // ANCHOR: no_cascade
    #[derive(Default)]
    struct Greeter;

    #[actor]
    impl Greeter {
        #[handler(String)]
        fn on_text(&mut self, _msg: &String) {}
    }

    fn start(asys: &ActorSystem) -> Result<ActorAddress, ActorSystemError> {
        asys.create_actor::<Greeter>()
    }
    // ANCHOR_END: no_cascade

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let greeter = start(asys)?;
        asys.tell(&greeter, "Ada".to_string())
    }
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

/// A message's registered name, when you choose one, is not empty.
mod empty_name {
    use super::*;

    // ANCHOR: empty_name
    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(name = "my_app::Nameless")]
    struct Nameless;
    // ANCHOR_END: empty_name

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        assert_eq!(type_name_of(asys, Nameless)?, "my_app::Nameless");
        Ok(())
    }
}

/// A member of a family implements the family's trait.
mod family_not_implemented {
    use super::*;

    // ANCHOR: family_not_implemented
    trait Greeting: Message {}

    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(family = Greeting)]
    struct Hello;

    impl Greeting for Hello {}
    // ANCHOR_END: family_not_implemented

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        assert_eq!(type_name_of(asys, Hello)?, "fixes::family_not_implemented::Hello");
        Ok(())
    }
}

/// A concrete message wraps the generic type.
mod generic_message {
    use super::*;

    // ANCHOR: generic_message
    #[derive(Debug, Serialize, Deserialize)]
    struct Job<T> {
        input: T,
    }

    #[derive(Debug, Serialize, Deserialize, Message)]
    struct IntJob(Job<i64>);
    // ANCHOR_END: generic_message

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let job = IntJob(Job { input: 7 });
        assert_eq!(job.0.input, 7);
        assert_eq!(type_name_of(asys, job)?, "fixes::generic_message::IntJob");
        Ok(())
    }
}

/// A message derives `Serialize` and `Deserialize` too.
mod missing_serialize {
    use super::*;

    // ANCHOR: missing_serialize
    #[derive(Debug, Serialize, Deserialize, Message)]
    struct NotSerializable {
        n: u32,
    }
    // ANCHOR_END: missing_serialize

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        let msg = NotSerializable { n: 1 };
        assert_eq!(msg.n, 1);
        assert_eq!(type_name_of(asys, msg)?, "fixes::missing_serialize::NotSerializable");
        Ok(())
    }
}

/// Only messages can be sent.
mod not_a_message {
    use super::*;

    // ANCHOR: not_a_message
    #[derive(Debug, Serialize, Deserialize, Message)]
    struct Plain;
    // ANCHOR_END: not_a_message

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        assert_eq!(type_name_of(asys, Plain)?, "fixes::not_a_message::Plain");
        Ok(())
    }
}

/// `#[message]` knows `name` and `family`.
mod message_unknown_option {
    use super::*;

    // ANCHOR: message_unknown_option
    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(name = "x::Y")]
    struct Typo;
    // ANCHOR_END: message_unknown_option

    pub(super) fn check(asys: &ActorSystem) -> Result<(), ActorSystemError> {
        assert_eq!(type_name_of(asys, Typo)?, "x::Y");
        Ok(())
    }
}

/// Builds one fixed actor (or message) and uses it.
type Check = fn(&ActorSystem) -> Result<(), ActorSystemError>;

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let checks: [(&str, Check); 27] = [
        ("on_text", on_text::check),
        ("all_parameters", all_parameters::check),
        ("sender_by_value", sender_by_value::check),
        ("unknown_parameter", unknown_parameter::check),
        ("async_fn", async_fn::check),
        ("fallback", fallback::check),
        ("type_not_a_message", type_not_a_message::check),
        ("handler_twice", handler_twice::check),
        ("returns_i32", returns_i32::check),
        ("unrecognized_twice", unrecognized_twice::check),
        ("on_trait_impl", on_trait_impl::check),
        ("generic_type", generic_type::check),
        ("unknown_option", unknown_option::check),
        ("new_without_value", new_without_value::check),
        ("new_wrong_return", new_wrong_return::check),
        ("new_with_default", new_with_default::check),
        ("without_constructor", without_constructor::check),
        ("base_missing_field", base_missing_field::check),
        ("base_not_an_actor", base_not_an_actor::check),
        ("many_mistakes", many_mistakes::check),
        ("no_cascade", no_cascade::check),
        ("empty_name", empty_name::check),
        ("family_not_implemented", family_not_implemented::check),
        ("generic_message", generic_message::check),
        ("missing_serialize", missing_serialize::check),
        ("not_a_message", not_a_message::check),
        ("message_unknown_option", message_unknown_option::check),
    ];
    for (name, check) in checks {
        check(&asys)?;
        println!("fixed: {name}");
    }
    asys.shutdown()
}
