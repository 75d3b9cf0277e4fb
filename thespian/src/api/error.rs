//! The errors of the actor system (spec §6.1).

use std::time::Duration;

use sync_wrapper::SyncWrapper;

use crate::api::message::Message;
use crate::wire::WireError;

/// Everything the actor system can report (spec §6.1's `ActorSystemException` family).
///
/// Each variant keeps the spec's exception name at the start of its text and says what to do.
/// [`ActorSystemError::is_actor_system_failure`] tells the variants that are unexpected
/// failures of the system (the spec's `ActorSystemFailure` branch) from mistakes in the call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActorSystemError {
    /// The address is not one of this system's (spec `InvalidActorAddress`).
    #[error(
        "InvalidActorAddress: {address} {reason}; send only to addresses returned by \
         `create_actor` or received in a message from this actor system"
    )]
    InvalidActorAddress {
        /// The address as text.
        address: String,
        /// Why it is not valid here.
        reason: &'static str,
    },
    /// No system accepts the actor's capability requirements (spec `NoCompatibleSystemForActor`).
    #[error(
        "NoCompatibleSystemForActor: no actor system can run `{actor_type}`: {reason}; add the \
         capability to a system (`ActorSystem::builder().capability(..)`) or relax the requirement"
    )]
    NoCompatibleSystemForActor {
        /// The actor type that could not be placed.
        actor_type: String,
        /// The requirement that failed.
        reason: String,
    },
    /// The actor to create was not specified in a valid way (spec `InvalidActorSpecification`).
    #[error("InvalidActorSpecification: {spec}: {reason}")]
    InvalidActorSpecification {
        /// The specification as given.
        spec: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// No loaded source has this hash (spec `InvalidActorSourceHash`).
    #[error(
        "InvalidActorSourceHash: no loaded actor source has hash `{hash}`; load it with \
         `load_actor_source` and wait for it to be validated first"
    )]
    InvalidActorSourceHash {
        /// The hash that was given.
        hash: String,
    },
    /// An unexpected failure inside the actor system (spec `ActorSystemFailure`).
    #[error("ActorSystemFailure: {reason}")]
    ActorSystemFailure {
        /// What failed.
        reason: String,
    },
    /// The actor system could not be started (spec `ActorSystemStartupFailure`).
    #[error("ActorSystemStartupFailure: {reason}")]
    ActorSystemStartupFailure {
        /// Why, and what to change.
        reason: String,
    },
    /// A request to the actor system timed out (spec `ActorSystemRequestTimeout`).
    #[error("ActorSystemRequestTimeout: {what} took longer than {timeout:?}")]
    ActorSystemRequestTimeout {
        /// The request.
        what: String,
        /// How long was waited.
        timeout: Duration,
    },
    /// The actor's constructor failed or panicked, so `create_actor` made no actor.
    /// Part of the spec's `ActorSystemFailure` branch.
    #[error(
        "ActorSystemFailure: creating `{actor_type}` failed: {reason}; fix the actor's \
         constructor (its `Default`, the function named in `#[actor(new = ..)]`, or `NewActor::new_actor`)"
    )]
    ActorCreateFailure {
        /// The actor type.
        actor_type: String,
        /// The constructor's error or panic text.
        reason: String,
    },
    /// The simple base delivered more messages in one call than its processing limit allows,
    /// which usually means actors keep sending to each other forever. The undelivered messages
    /// stay queued. Part of the spec's `ActorSystemFailure` branch.
    #[error(
        "ActorSystemFailure: processing limit of {limit} deliveries in one call reached with \
         {pending} message(s) still queued; look for actors that answer each other forever, or \
         raise the limit with `system_update(\"setProcessingLimit\", n)`"
    )]
    ProcessingLimitExceeded {
        /// The limit in force.
        limit: u64,
        /// Messages still waiting.
        pending: usize,
    },
    /// The reply to `ask_as` was not of the requested type; the reply is handed back.
    #[error(
        "ActorSystemException: `ask_as::<{expected}>` got a reply of type `{got}`; use `ask` to \
         receive any type, or fix the actor's reply (the reply is in this error)"
    )]
    UnexpectedReply {
        /// The type asked for.
        expected: &'static str,
        /// The type of the reply.
        got: &'static str,
        /// The reply itself.
        reply: SyncWrapper<Box<dyn Message>>,
    },
    /// The system was shut down; no more calls can be made on it.
    #[error("ActorSystemFailure: the actor system has been shut down; start a new one")]
    SystemShutDown,
    /// A message could not be encoded or decoded for transport.
    #[error("ActorSystemException: {0}")]
    Wire(#[from] WireError),
}

/// The spec's name for the root of the error family (spec §6.1).
pub type ActorSystemException = ActorSystemError;

impl ActorSystemError {
    /// True for the spec's `ActorSystemFailure` branch: failures of the system itself rather
    /// than mistakes in the request.
    pub fn is_actor_system_failure(&self) -> bool {
        matches!(
            self,
            Self::ActorSystemFailure { .. }
                | Self::ActorSystemStartupFailure { .. }
                | Self::ActorSystemRequestTimeout { .. }
                | Self::ActorCreateFailure { .. }
                | Self::ProcessingLimitExceeded { .. }
                | Self::SystemShutDown
        )
    }

    /// Takes back the reply carried by [`ActorSystemError::UnexpectedReply`].
    pub fn into_reply(self) -> Option<Box<dyn Message>> {
        match self {
            Self::UnexpectedReply { reply, .. } => Some(reply.into_inner()),
            _ => None,
        }
    }

    pub(crate) fn failure(reason: impl Into<String>) -> Self {
        Self::ActorSystemFailure { reason: reason.into() }
    }
}
