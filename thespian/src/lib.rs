//! # thespian
//!
//! A typed Rust implementation of the [Thespian](https://thespianpy.com) actor system.
//!
//! Actors are values that receive messages one at a time and, in answer, change their
//! state, create other actors, and send messages. They talk only by sending messages to
//! the [`ActorAddress`]es they were given. Code outside the actors reaches them through an
//! [`ActorSystem`]: `tell` to send, `ask` to send and wait for the answer.
//!
//! ```
//! use std::time::Duration;
//! use thespian::prelude::*;
//!
//! #[derive(Default)]
//! struct Greeter;
//!
//! impl Actor for Greeter {
//!     fn receive_message(&mut self, msg: &mut dyn Message, sender: &ActorAddress,
//!                        ctx: &mut ActorContext<'_>) -> ActorResult {
//!         if let Some(name) = msg.downcast_ref::<String>() {
//!             ctx.send(sender, format!("Hello, {name}!"));
//!         }
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> Result<(), ActorSystemError> {
//!     let asys = ActorSystem::new()?; // simpleSystemBase
//!     let greeter = asys.create_actor::<Greeter>()?;
//!     let reply: Option<String> = asys.ask_as(&greeter, "Rust".to_string(), Duration::from_secs(1))?;
//!     assert_eq!(reply.as_deref(), Some("Hello, Rust!"));
//!     asys.shutdown()
//! }
//! ```
//!
//! The guide (the `book/` folder of the repository) teaches the patterns; the section
//! numbers in these docs (§4.4, …) refer to the Thespian usage guide.

extern crate self as thespian;

mod api;
mod bases;
pub mod codes;
mod core;
mod encoding;
pub mod patterns;
#[cfg(target_os = "linux")]
mod process;
mod system;
pub mod wire;

#[cfg(test)]
mod layers;

/// The README's example, compiled and run with the doctests so it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

pub use api::actor::{Actor, ActorError, ActorFactory, ActorResult, ActorSpec, ActorStart, NewActor};
pub use api::address::ActorAddress;
pub use api::capabilities::{CapValue, Capabilities};
pub use api::context::ActorContext;
pub use api::dispatch::{family_mut, Dispatch, FamilyId, HandlerReturn, TypeDispatch};
pub use api::error::{ActorSystemError, ActorSystemException};
pub use api::logging::Logging;
pub use api::message::Message;
pub use api::system_messages::{
    ActorExitRequest, ActorSystemConventionUpdate, ActorSystemMessage, ChildActorExited, DeadEnvelope, LoadedSource,
    PoisonMessage, ThespianActorStatus, ThespianStatusReq, ThespianSystemStatus, UndecodedMessage, UnloadedSource,
    ValidateSource, ValidatedSource, WakeupMessage, WatchMessage,
};
pub use api::watch::ThespianWatch;
#[doc(inline)]
pub use codes::ErrorCode;
pub use system::{ActorSystem, ActorSystemBuilder, PrivateSystem};
pub use thespian_macros::{initializing_messages, Message};
// One `pub use` per macro that carries its spec name: rustdoc searches the alias only when
// it is written on the re-export (an alias on the proc-macro definition is not carried over).
#[doc(alias("ActorTypeDispatcher", "receiveMsg"))]
pub use thespian_macros::actor;
#[doc(alias = "receiveMsg")]
pub use thespian_macros::handler;
#[doc(alias = "requireCapability")]
pub use thespian_macros::require_capability;
#[doc(alias = "exit_delay")]
pub use thespian_macros::transient;
#[doc(alias = "exit_delay")]
pub use thespian_macros::transient_idle;
#[doc(alias = "troupe_work_in_progress")]
pub use thespian_macros::troupe;
#[doc(alias = "receiveUnrecognizedMessage")]
pub use thespian_macros::unrecognized;

/// Takes this process's child role if a multi-process base started it in one; otherwise
/// does nothing and returns at once.
///
/// The multi-process bases run actors in processes of the program's own binary, started in a
/// *child role*. On Linux a constructor that runs before `main` takes that role in every
/// binary that links thespian (programs, examples, unit and integration tests, doctests), so
/// calling this is optional: it is for programs that prefer the step visible, or binaries
/// built in a way that drops such constructors. A process in a role never returns from here;
/// it runs the role and exits. Calling it again, or after the constructor ran, does nothing.
///
/// Call it first thing in `main`, before any thread or runtime starts, and never from inside
/// a test: a test binary's `main` belongs to libtest, which would run every test in the child.
/// Forgetting it where it is needed is an
/// [`ActorSystemError::ActorSystemStartupFailure`] when a multi-process system starts, never
/// a hang. On targets other than Linux it does nothing, and the multi-process bases are
/// unsupported there.
///
/// # Examples
///
/// ```no_run
/// fn main() {
///     thespian::init(); // returns at once unless this process is a child role
///     run(); // start the actor system, threads, runtimes
/// }
/// # fn run() {}
/// ```
pub fn init() {
    #[cfg(target_os = "linux")]
    process::role::init();
}

/// Everything an actor program needs: `use thespian::prelude::*;`.
pub mod prelude {
    pub use crate::{
        actor, handler, initializing_messages, require_capability, transient, transient_idle, troupe, unrecognized,
    };
    pub use crate::{
        Actor, ActorAddress, ActorContext, ActorError, ActorResult, ActorSpec, ActorStart, ActorSystem,
        ActorSystemBuilder, ActorSystemError, CapValue, Capabilities, Dispatch, Logging, Message, NewActor,
        PrivateSystem, ThespianWatch,
    };
    // Every system message of spec §7 and their family, so a handler for any of them needs no
    // other import.
    pub use crate::{
        ActorExitRequest, ActorSystemConventionUpdate, ActorSystemMessage, ChildActorExited, DeadEnvelope,
        LoadedSource, PoisonMessage, ThespianActorStatus, ThespianStatusReq, ThespianSystemStatus, UndecodedMessage,
        UnloadedSource, ValidateSource, ValidatedSource, WakeupMessage, WatchMessage,
    };
    pub use serde::{Deserialize, Serialize};
}

/// Items used by the code the macros generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::api::actor::{
        base_of, construct, new_alone, ActorRegistration, BaseCapabilityCheck, BaseOf, Constructor, IntoNewActor,
        NotAnActorBase,
    };
    pub use crate::api::dispatch::dispatch;
    pub use crate::api::message::{DeserializeMessage, MessageRegistration, SerializeMessage};
    pub use inventory;

    /// Starting actor processes through a zygote, for the multi-process bases and their tests.
    #[cfg(target_os = "linux")]
    pub mod process {
        pub use crate::process::{
            ChildEntry, ChildExit, ChildProcess, ChildStatus, Zygote, ZygoteBuilder, EXIT_ORPHANED, EXIT_PANIC,
            EXIT_SETUP_FAILED, EXIT_UNKNOWN_ROLE, MAX_PAYLOAD,
        };
    }

    /// Whether a control frame's body is one a connected program may send to change the
    /// system for everyone (shut it down, own it, start processes, change its registries):
    /// what a fuzz of the Admin Port leaves out, to test robustness rather than trust.
    #[cfg(target_os = "linux")]
    pub fn is_authoritative_control(body: &[u8]) -> bool {
        crate::bases::multiproc::is_authoritative_control(body)
    }
}
