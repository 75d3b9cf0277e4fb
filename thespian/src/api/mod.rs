//! The Actor API, what users touch: actors, addresses, messages, errors, capabilities,
//! system messages, the context a handler is given, dispatch, watches and logging settings.
//!
//! A layer of its own over `codes` and `encoding` only (see `layers.rs`): the kernel under
//! every base (`core`) implements the [`ActorHost`](context::ActorHost) trait the context
//! calls through, and the [`ActorSystem`](crate::ActorSystem) facade that starts a base sits
//! on top of the bases, in `system`. A message's encoding by its registered name (`codec`)
//! is here too, since system messages carry messages nested in them.

pub(crate) mod actor;
pub(crate) mod address;
pub(crate) mod capabilities;
pub(crate) mod codec;
pub(crate) mod context;
pub(crate) mod dispatch;
pub(crate) mod error;
pub(crate) mod logging;
pub(crate) mod message;
pub(crate) mod system_messages;
pub(crate) mod watch;
