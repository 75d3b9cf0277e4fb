//! The errors of the actor system (spec §6.1).

use std::time::Duration;

use sync_wrapper::SyncWrapper;

use crate::api::message::Message;
use crate::codes::{self, ErrorCode};
use crate::encoding::WireError;

/// Everything the actor system can report (spec §6.1's `ActorSystemException` family).
///
/// Each variant has a stable [`ErrorCode`] ([`code`](Self::code)) and a page explaining it,
/// in [`codes`] and in the book's "Error codes" part. Its text has the form
/// `error[T0001]: InvalidActorAddress: <what happened>. <what to do>.`: the code, then the
/// spec's exception name, so programs and people can match on either.
/// [`ActorSystemError::is_actor_system_failure`] tells the variants that are unexpected
/// failures of the system (the spec's `ActorSystemFailure` branch) from mistakes in the call.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let err = asys.create_actor_by_name("my_app::Nobody").expect_err("nothing is registered under that name");
/// assert_eq!(err.code(), thespian::codes::T0002);
/// assert!(err.to_string().starts_with("error[T0002]: InvalidActorSpecification: my_app::Nobody"));
/// # Ok(()) }
/// ```
#[doc(alias = "ActorSystemException")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActorSystemError {
    /// The address is not one of this system's (spec `InvalidActorAddress`): [`codes::T0001`].
    #[error(
        "error[{code}]: InvalidActorAddress: {address} {reason}. Send only to addresses returned by \
         `create_actor` or received in a message from this actor system.",
        code = self.code()
    )]
    InvalidActorAddress {
        /// The address as text.
        address: String,
        /// Why it is not valid here.
        reason: &'static str,
    },
    /// No system accepts the actor's capability requirements (spec `NoCompatibleSystemForActor`):
    /// [`codes::T0006`].
    #[error(
        "error[{code}]: NoCompatibleSystemForActor: no actor system can run `{actor_type}`: {reason}. \
         Add the capability to a system (`ActorSystem::builder().capability(..)`) or relax the requirement.",
        code = self.code()
    )]
    NoCompatibleSystemForActor {
        /// The actor type that could not be placed.
        actor_type: String,
        /// The requirement that failed.
        reason: String,
    },
    /// The actor to create was not specified in a valid way (spec `InvalidActorSpecification`):
    /// [`codes::T0002`].
    #[error("error[{code}]: InvalidActorSpecification: {spec}: {reason}.", code = self.code())]
    InvalidActorSpecification {
        /// The specification as given.
        spec: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// No loaded source has this hash (spec `InvalidActorSourceHash`): [`codes::T0014`].
    #[error(
        "error[{code}]: InvalidActorSourceHash: no loaded actor source has hash `{hash}`. Load it with \
         `load_actor_source` and wait for it to be validated first.",
        code = self.code()
    )]
    InvalidActorSourceHash {
        /// The hash that was given.
        hash: String,
    },
    /// An unexpected failure inside the actor system (spec `ActorSystemFailure`):
    /// [`codes::T0015`].
    #[error(
        "error[{code}]: ActorSystemFailure: {reason}. The system itself failed, not the request: shut \
         it down, start a new one, and report this as a bug if it happens again.",
        code = self.code()
    )]
    ActorSystemFailure {
        /// What failed.
        reason: String,
    },
    /// The actor system could not be started (spec `ActorSystemStartupFailure`):
    /// [`codes::T0007`].
    #[error("error[{code}]: ActorSystemStartupFailure: {reason}.", code = self.code())]
    ActorSystemStartupFailure {
        /// Why, and what to change.
        reason: String,
    },
    /// A request to the actor system timed out (spec `ActorSystemRequestTimeout`):
    /// [`codes::T0009`].
    #[error(
        "error[{code}]: ActorSystemRequestTimeout: {what} took longer than {timeout:?}. Retry later; a \
         busy system may need more time.",
        code = self.code()
    )]
    ActorSystemRequestTimeout {
        /// The request.
        what: String,
        /// How long was waited.
        timeout: Duration,
    },
    /// The actor's constructor failed or panicked, so `create_actor` made no actor:
    /// [`codes::T0005`]. Part of the spec's `ActorSystemFailure` branch.
    #[error(
        "error[{code}]: ActorSystemFailure: creating `{actor_type}` failed: {reason}. Fix the actor's \
         constructor (its `Default`, the function named in `#[actor(new = ..)]`, or `NewActor::new_actor`).",
        code = self.code()
    )]
    ActorCreateFailure {
        /// The actor type.
        actor_type: String,
        /// The constructor's error or panic text.
        reason: String,
    },
    /// The simple base delivered more messages (wakeups included) in one call than its
    /// processing limit allows, which usually means actors keep sending to each other
    /// forever: [`codes::T0008`]. The messages still queued are dropped, so that later calls
    /// start from a quiet system; the error counts them and names the actors and message
    /// types that held most of them. Part of the spec's `ActorSystemFailure` branch.
    #[error(
        "error[{code}]: ActorSystemFailure: processing limit of {limit} deliveries in one call reached; \
         {pending} message(s) still queued were dropped: {runaways}. Look for actors that answer each \
         other forever, or raise the limit with `system_update(\"setProcessingLimit\", n)`.",
        code = self.code()
    )]
    ProcessingLimitExceeded {
        /// The limit in force.
        limit: u64,
        /// Messages that were still queued, and were dropped.
        pending: usize,
        /// The targets and message types that held most of them, busiest first
        /// ("998 × `my_app::Ball` to `my_app::Player` ActorAddr-(…)").
        runaways: String,
    },
    /// The reply to `ask_as` was not of the requested type; the reply is handed back:
    /// [`codes::T0003`].
    #[error(
        "error[{code}]: ActorSystemException: `ask_as::<{expected}>` got a reply of type `{got}`. Use \
         `ask` to receive any type, or fix the actor's reply (take this one back with `into_reply`).",
        code = self.code()
    )]
    UnexpectedReply {
        /// The type asked for.
        expected: &'static str,
        /// The type of the reply.
        got: &'static str,
        /// The reply itself.
        reply: SyncWrapper<Box<dyn Message>>,
    },
    /// The system was shut down; no more calls can be made on it: [`codes::T0004`].
    #[error(
        "error[{code}]: ActorSystemFailure: the actor system has been shut down. Start a new one with \
         `ActorSystem::new()`.",
        code = self.code()
    )]
    SystemShutDown,
    /// An `ActorSystem` method was called from inside an actor (its handler, constructor,
    /// capability check or `Drop`) that this system runs in the same thread, where it would
    /// wait for itself forever: [`codes::T0016`]. Inside an actor, use its
    /// [`ActorContext`](crate::ActorContext).
    #[error(
        "error[{code}]: ActorSystemException: an `ActorSystem` method was called from inside an actor's \
         handler (or constructor, capability check or `Drop`), which this system runs in the same thread; \
         the call would wait for itself forever. Inside an actor, use its `ActorContext` instead: \
         `ctx.send`, `ctx.create_actor`, `ctx.wakeup_after`, `ctx.update_capability`, \
         `ctx.actor_system_shutdown`.",
        code = self.code()
    )]
    CalledFromInsideAnActor,
    /// A message could not be encoded or decoded for transport. Its code and text are the
    /// [`WireError`]'s own ([`codes::T0010`] to [`codes::T0013`]).
    #[error(transparent)]
    Wire(#[from] WireError),
}

/// The spec's name for the root of the error family (spec §6.1).
pub type ActorSystemException = ActorSystemError;

impl ActorSystemError {
    /// The error's stable code, such as `T0001`; its page is
    /// [`codes::T0001`](crate::codes::T0001) (and `errors/T0001.html` in the book).
    ///
    /// Codes are assigned once and never change or get reused, so a program may match on
    /// them. A [`Wire`](Self::Wire) error has the code of the [`WireError`] inside it.
    ///
    /// # Examples
    ///
    /// ```
    /// use thespian::prelude::*;
    ///
    /// # fn main() -> Result<(), ActorSystemError> {
    /// let asys = ActorSystem::new()?;
    /// asys.shutdown()?;
    /// let err = asys.capabilities().expect_err("the system is shut down");
    /// assert_eq!(err.code(), thespian::codes::T0004);
    /// assert_eq!(err.code().to_string(), "T0004");
    /// assert_eq!(err.code().page(), "errors/T0004.html");
    /// # Ok(()) }
    /// ```
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidActorAddress { .. } => codes::T0001,
            Self::InvalidActorSpecification { .. } => codes::T0002,
            Self::UnexpectedReply { .. } => codes::T0003,
            Self::SystemShutDown => codes::T0004,
            Self::ActorCreateFailure { .. } => codes::T0005,
            Self::NoCompatibleSystemForActor { .. } => codes::T0006,
            Self::ActorSystemStartupFailure { .. } => codes::T0007,
            Self::ProcessingLimitExceeded { .. } => codes::T0008,
            Self::ActorSystemRequestTimeout { .. } => codes::T0009,
            Self::Wire(e) => e.code(),
            Self::InvalidActorSourceHash { .. } => codes::T0014,
            Self::ActorSystemFailure { .. } => codes::T0015,
            Self::CalledFromInsideAnActor => codes::T0016,
        }
    }

    /// True for the spec's `ActorSystemFailure` branch: failures of the system itself rather
    /// than mistakes in the request.
    #[doc(alias = "ActorSystemFailure")]
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use sync_wrapper::SyncWrapper;

    use super::*;

    /// One error of each kind, with the spec exception name its text carries and the title
    /// of its page.
    fn one_of_each() -> Vec<(ActorSystemError, &'static str, &'static str)> {
        let text = |s: &str| s.to_string();
        let wire = |e: WireError| ActorSystemError::Wire(e);
        vec![
            (
                ActorSystemError::InvalidActorAddress { address: text("ActorAddr-(1/2)"), reason: "is foreign" },
                "InvalidActorAddress",
                "InvalidActorAddress",
            ),
            (
                ActorSystemError::InvalidActorSpecification { spec: text("Worker"), reason: text("unqualified") },
                "InvalidActorSpecification",
                "InvalidActorSpecification",
            ),
            (
                ActorSystemError::UnexpectedReply {
                    expected: "u64",
                    got: "String",
                    reply: SyncWrapper::new(Box::new(text("x"))),
                },
                "ActorSystemException",
                "UnexpectedReply",
            ),
            (ActorSystemError::SystemShutDown, "ActorSystemFailure", "SystemShutDown"),
            (
                ActorSystemError::ActorCreateFailure { actor_type: text("a::B"), reason: text("no config") },
                "ActorSystemFailure",
                "ActorCreateFailure",
            ),
            (
                ActorSystemError::NoCompatibleSystemForActor { actor_type: text("a::Lamp"), reason: text("no bulb") },
                "NoCompatibleSystemForActor",
                "NoCompatibleSystemForActor",
            ),
            (
                ActorSystemError::ActorSystemStartupFailure { reason: text("unknown base `x`") },
                "ActorSystemStartupFailure",
                "ActorSystemStartupFailure",
            ),
            (
                ActorSystemError::ProcessingLimitExceeded { limit: 10, pending: 1, runaways: String::new() },
                "ActorSystemFailure",
                "ProcessingLimitExceeded",
            ),
            (
                ActorSystemError::ActorSystemRequestTimeout { what: text("status"), timeout: Duration::from_secs(1) },
                "ActorSystemRequestTimeout",
                "ActorSystemRequestTimeout",
            ),
            (
                wire(WireError::Unserializable { type_name: text("a::M"), reason: text("refused") }),
                "ActorSystemException",
                "WireError::Unserializable",
            ),
            (wire(WireError::TooLarge { size: 2, limit: 1 }), "ActorSystemException", "WireError::TooLarge"),
            (
                wire(WireError::UnknownType { type_name: text("a::M") }),
                "ActorSystemException",
                "WireError::UnknownType",
            ),
            (
                wire(WireError::Malformed { type_name: text("a::M"), reason: text("cut short") }),
                "ActorSystemException",
                "WireError::Malformed",
            ),
            (
                ActorSystemError::InvalidActorSourceHash { hash: text("abc") },
                "InvalidActorSourceHash",
                "InvalidActorSourceHash",
            ),
            (ActorSystemError::failure("poisoned"), "ActorSystemFailure", "ActorSystemFailure"),
            (ActorSystemError::CalledFromInsideAnActor, "ActorSystemException", "CalledFromInsideAnActor"),
        ]
    }

    /// Which kind of error this is. No `_` arm: a new variant does not compile until it is
    /// given a number here, and so a place in [`one_of_each`].
    fn kind(e: &ActorSystemError) -> usize {
        match e {
            ActorSystemError::InvalidActorAddress { .. } => 0,
            ActorSystemError::InvalidActorSpecification { .. } => 1,
            ActorSystemError::UnexpectedReply { .. } => 2,
            ActorSystemError::SystemShutDown => 3,
            ActorSystemError::ActorCreateFailure { .. } => 4,
            ActorSystemError::NoCompatibleSystemForActor { .. } => 5,
            ActorSystemError::ActorSystemStartupFailure { .. } => 6,
            ActorSystemError::ProcessingLimitExceeded { .. } => 7,
            ActorSystemError::ActorSystemRequestTimeout { .. } => 8,
            ActorSystemError::Wire(WireError::Unserializable { .. }) => 9,
            ActorSystemError::Wire(WireError::TooLarge { .. }) => 10,
            ActorSystemError::Wire(WireError::UnknownType { .. }) => 11,
            ActorSystemError::Wire(WireError::Malformed { .. }) => 12,
            ActorSystemError::InvalidActorSourceHash { .. } => 13,
            ActorSystemError::ActorSystemFailure { .. } => 14,
            ActorSystemError::CalledFromInsideAnActor => 15,
        }
    }

    #[test]
    fn style_12_every_error_is_listed_once() {
        let kinds: Vec<usize> = one_of_each().iter().map(|(e, ..)| kind(e)).collect();
        assert_eq!(kinds, (0..kinds.len()).collect::<Vec<_>>(), "one error of each kind, in code order");
    }

    #[test]
    fn style_12_every_text_starts_with_its_code_then_the_spec_name_and_ends_a_sentence() {
        for (e, spec_name, _) in one_of_each() {
            let text = e.to_string();
            let start = format!("error[{}]: {spec_name}: ", e.code());
            assert!(text.starts_with(&start), "{text:?} should start with {start:?}");
            assert!(text.ends_with('.'), "{text:?} should end with a full stop");
            if let ActorSystemError::Wire(inner) = &e {
                assert_eq!(inner.to_string(), text, "a wire error keeps its text when wrapped");
                assert_eq!(inner.code(), e.code(), "a wire error keeps its code when wrapped");
            }
        }
    }

    #[test]
    fn style_12_codes_are_unique_numbered_in_order_and_each_has_a_page() {
        let errors = one_of_each();
        let used: Vec<ErrorCode> = errors.iter().map(|(e, ..)| e.code()).collect();
        let unique: BTreeSet<ErrorCode> = used.iter().copied().collect();
        assert_eq!(unique.len(), used.len(), "two kinds of error share a code: {used:?}");
        assert_eq!(used, codes::ALL, "every code is used, by the kinds of error in code order");
        for (n, code) in (1..).zip(codes::ALL) {
            assert_eq!(code.as_str(), format!("T{n:04}"));
            assert_eq!(code.to_string(), code.as_str());
            assert_eq!(format!("{code:?}"), code.as_str());
            assert_eq!(code.page(), format!("errors/{code}.html"));
        }
    }

    #[test]
    fn style_12_each_page_is_titled_with_its_code_and_its_error() {
        for (e, _, title) in one_of_each() {
            let code = e.code();
            let page = codes::PAGES.iter().find(|(c, _)| *c == code).map(|(_, page)| *page);
            let page = page.unwrap_or_else(|| panic!("no page for {code}"));
            let heading = format!("# {code}: {title}\n");
            assert!(page.starts_with(&heading), "the page of {code} should start with {heading:?}");
            let path =
                if title.starts_with("WireError::") { title.to_string() } else { format!("ActorSystemError::{title}") };
            assert!(page.contains(&format!("`{path}`")), "the page of {code} should name `{path}`");
        }
    }
}
