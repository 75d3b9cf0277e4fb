//! The generated code names nothing through the caller's scope: it still compiles when the
//! prelude's types, variants and macros, and the crate names `core`, `std` and `thespian`,
//! are shadowed by local items.

#![allow(dead_code, non_camel_case_types, unused_macros)]

use ::thespian::prelude::{
    actor, require_capability, ActorAddress, ActorContext, ActorSystem, Deserialize, Dispatch, Message, Serialize,
};

struct Result;
struct Ok;
struct Err;
struct Option;
struct Some;
struct None;
struct Box;
struct String;
struct Vec;
struct TypeId;
struct Any;
struct Send;
struct Sized;
struct From;
struct Into;
struct Actor;
struct TypeDispatch;
struct HandlerReturn;
struct NewActor;
struct CapValue;
struct Capabilities;
struct BaseOf;
struct HandlerAlreadyDefinedFor;

mod core {}
mod std {}
mod thespian {}
mod inventory {}
mod __private {}

macro_rules! concat {
    ($($t:tt)*) => {
        compile_error!("the local `concat!` was used")
    };
}
macro_rules! module_path {
    () => {
        compile_error!("the local `module_path!` was used")
    };
}
macro_rules! unreachable {
    ($($t:tt)*) => {
        compile_error!("the local `unreachable!` was used")
    };
}

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Named)]
struct Ping(u32);

/// A message family.
trait Named: Message {
    fn number(&self) -> u32;
}

impl Named for Ping {
    fn number(&self) -> u32 {
        self.0
    }
}

#[derive(Default)]
struct Inner;

#[require_capability("Level", -3)]
#[require_capability("Ratio", 0.5)]
#[require_capability("Name", "inner")]
#[actor]
impl Inner {
    #[handler(u8)]
    fn on_byte(&mut self, msg: &u8, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, u32::from(*msg));
    }
}

struct Hygienic {
    inner: Inner,
}

impl Hygienic {
    fn make() -> ::core::result::Result<Self, ::std::string::String> {
        ::core::result::Result::Ok(Self { inner: Inner })
    }
}

#[actor(new = Hygienic::make, base = inner)]
impl Hygienic {
    #[handler(Ping)]
    fn receive_message(&mut self, _msg: &Ping) -> Dispatch {
        Dispatch::Super
    }

    #[handler(dyn Named)]
    fn on_named(
        &mut self,
        msg: &dyn Named,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ::core::result::Result<(), ::std::string::String> {
        ctx.send(sender, msg.number() + 1);
        ::core::result::Result::Ok(())
    }

    #[unrecognized]
    fn new_actor(&mut self, _msg: &mut dyn Message) {}
}

fn main() {
    let asys = ActorSystem::builder().logging(::thespian::Logging::Off).build().expect("a system");
    let actor = asys.create_actor::<Hygienic>().expect("an actor");
    let timeout = ::core::time::Duration::from_secs(10);
    let reply = asys.ask_as::<u32>(&actor, Ping(41), timeout).expect("an answer");
    assert_eq!(reply, ::core::option::Option::Some(42));
    let reply = asys.ask_as::<u32>(&actor, 7_u8, timeout).expect("an answer");
    assert_eq!(reply, ::core::option::Option::Some(7));
    asys.shutdown().expect("shutdown");
}
