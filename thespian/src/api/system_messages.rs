//! The messages the actor system itself sends and understands (spec §7).
//!
//! All of them are [system messages](crate::Message::is_system_message): actors may handle
//! them like any other message; `ask` and `listen` filter them out, except
//! [`PoisonMessage`], [`ThespianSystemStatus`] and [`ThespianActorStatus`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::api::address::ActorAddress;
use crate::api::capabilities::Capabilities;
use crate::api::codec::nested;
use crate::api::message::Message;

/// The family of every message of spec §7: Python's `ActorSystemMessage` base class, so that
/// one `#[handler(dyn ActorSystemMessage)]` receives every system message that has no handler
/// of its own type (as `isinstance(msg, ActorSystemMessage)` does in Python).
///
/// Its members are [`PoisonMessage`], [`WakeupMessage`], [`WatchMessage`],
/// [`ActorExitRequest`], [`ChildActorExited`], [`DeadEnvelope`],
/// [`ActorSystemConventionUpdate`], [`ValidateSource`], [`ValidatedSource`], [`LoadedSource`],
/// [`UnloadedSource`], [`ThespianStatusReq`], [`ThespianSystemStatus`] and
/// [`ThespianActorStatus`]. [`UndecodedMessage`] is not one: it stands for a user message this
/// program cannot decode. Only the system defines members; a user message is never one.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// /// Logs every system message it gets, and handles the wakeups itself.
/// #[derive(Default)]
/// struct Observer {
///     seen: Vec<&'static str>,
/// }
///
/// #[actor]
/// impl Observer {
///     #[handler(WakeupMessage)]
///     fn on_wakeup(&mut self, _msg: &WakeupMessage) {}
///
///     #[handler(dyn ActorSystemMessage)]
///     fn on_system(&mut self, msg: &dyn ActorSystemMessage) {
///         self.seen.push(msg.message_type_name());
///     }
/// }
///
/// let exit: &dyn Message = &ActorExitRequest::new();
/// assert_eq!(exit.message_families()[0].name(), "ActorSystemMessage");
/// ```
pub trait ActorSystemMessage: Message {}

impl ActorSystemMessage for PoisonMessage {}
impl ActorSystemMessage for WakeupMessage {}
impl ActorSystemMessage for WatchMessage {}
impl ActorSystemMessage for ActorExitRequest {}
impl ActorSystemMessage for ChildActorExited {}
impl ActorSystemMessage for DeadEnvelope {}
impl ActorSystemMessage for ActorSystemConventionUpdate {}
impl ActorSystemMessage for ValidateSource {}
impl ActorSystemMessage for ValidatedSource {}
impl ActorSystemMessage for LoadedSource {}
impl ActorSystemMessage for UnloadedSource {}
impl ActorSystemMessage for ThespianStatusReq {}
impl ActorSystemMessage for ThespianSystemStatus {}
impl ActorSystemMessage for ThespianActorStatus {}

/// A message that made its target fail twice, returned to its sender (spec §4.4, §7.1).
#[derive(Debug, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::PoisonMessage")]
pub struct PoisonMessage {
    /// The original message (with any changes the failing handler made to it).
    #[doc(alias = "poisonMessage")]
    #[serde(with = "nested")]
    pub poison_message: Box<dyn Message>,
    /// The failure: the error text or panic message of the second attempt.
    pub details: String,
}

/// Delivered after the delay given to [`ActorContext::wakeup_after`](crate::ActorContext::wakeup_after)
/// (spec §4.7, §7.2). Its sender is the actor itself.
#[derive(Debug, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::WakeupMessage")]
pub struct WakeupMessage {
    /// The delay that has expired.
    #[doc(alias = "delayPeriod")]
    pub delay_period: Duration,
    /// The payload given to `wakeup_after` (`()` when none was given).
    #[serde(with = "nested")]
    pub payload: Box<dyn Message>,
}

impl WakeupMessage {
    /// The payload as a `&T`, if it is one.
    pub fn payload_as<T: Message>(&self) -> Option<&T> {
        self.payload.downcast_ref::<T>()
    }
}

/// File descriptors with data ready to read (spec §4.8, §7.3), on bases that support the
/// Watch extension ("Thespian Watch Supported").
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::WatchMessage")]
pub struct WatchMessage {
    /// The ready file descriptors.
    pub ready: Vec<i32>,
}

/// Asks an actor to exit (spec §2.2.3, §7.4).
///
/// The actor sees it once; whatever its handler does (even failing), the actor exits
/// afterwards. If [`is_recursive`](Self::is_recursive) is still true when the handler
/// returns, the actor's children are asked to exit too, before the actor itself is gone.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ActorExitRequest")]
pub struct ActorExitRequest {
    /// Whether the request propagates to the actor's children.
    #[doc(alias = "isRecursive")]
    pub is_recursive: bool,
}

impl ActorExitRequest {
    /// A recursive exit request (the usual one).
    pub const fn new() -> Self {
        Self { is_recursive: true }
    }

    /// Stops the request from propagating to the children (spec `notRecursive()`).
    #[doc(alias = "notRecursive")]
    pub fn not_recursive(&mut self) {
        self.is_recursive = false;
    }
}

impl Default for ActorExitRequest {
    fn default() -> Self {
        Self::new()
    }
}

/// Tells a parent that one of its children exited (spec §2.2.4, §7.5).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ChildActorExited")]
pub struct ChildActorExited {
    /// The child that exited.
    #[doc(alias = "childAddress")]
    pub child_address: ActorAddress,
}

/// A message that could not be delivered, given to the dead-letter handler (spec §4.2, §7.6).
#[derive(Debug, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::DeadEnvelope")]
pub struct DeadEnvelope {
    /// The address the message was sent to.
    #[doc(alias = "deadAddress")]
    pub dead_address: ActorAddress,
    /// The undelivered message.
    #[doc(alias = "deadMessage")]
    #[serde(with = "nested")]
    pub dead_message: Box<dyn Message>,
}

/// A remote actor system joined or left the convention (spec §4.11, §7.7).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ActorSystemConventionUpdate")]
pub struct ActorSystemConventionUpdate {
    /// The remote system's admin.
    #[doc(alias = "remoteAdminAddress")]
    pub remote_admin_address: ActorAddress,
    /// Its current capabilities.
    #[doc(alias = "remoteCapabilities")]
    pub remote_capabilities: Capabilities,
    /// True when it joined, false when it left or stopped checking in.
    #[doc(alias = "remoteAdded")]
    pub remote_added: bool,
}

/// A loaded actor source, given to the source authority to validate (spec §7.8).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ValidateSource")]
pub struct ValidateSource {
    /// The hash of the loaded bytes.
    #[doc(alias = "sourceHash")]
    pub source_hash: String,
    /// The bytes given to `load_actor_source`.
    #[doc(alias = "sourceData")]
    #[serde(with = "serde_bytes")]
    pub source_data: Vec<u8>,
}

/// The source authority's answer to [`ValidateSource`] (spec §7.9).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ValidatedSource")]
pub struct ValidatedSource {
    /// The hash from the request.
    #[doc(alias = "sourceHash")]
    pub source_hash: String,
    /// The validated bundle, or `None` to reject the load.
    #[doc(alias = "sourceZip")]
    #[serde(with = "serde_bytes")]
    pub source_zip: Option<Vec<u8>>,
}

/// A source was loaded and can be used to create actors (spec §7.10).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::LoadedSource")]
pub struct LoadedSource {
    /// The source's hash.
    #[doc(alias = "sourceHash")]
    pub source_hash: String,
    /// Informational text about the source.
    #[doc(alias = "sourceInfo")]
    pub source_info: String,
}

/// A source was unloaded (spec §7.11).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::UnloadedSource")]
pub struct UnloadedSource {
    /// The source's hash.
    #[doc(alias = "sourceHash")]
    pub source_hash: String,
    /// Informational text about the source.
    #[doc(alias = "sourceInfo")]
    pub source_info: String,
}

/// Asks an actor (or the system's admin) for its status (spec §7.12).
///
/// The system answers for the actor, which never sees this message: an actor replies with
/// [`ThespianActorStatus`], the admin ([`ActorSystem::admin_address`](crate::ActorSystem::admin_address))
/// with [`ThespianSystemStatus`].
#[doc(alias = "Thespian_StatusReq")]
#[derive(Debug, Clone, Default, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ThespianStatusReq")]
pub struct ThespianStatusReq;

/// The status of an actor system (spec §7.13). Informational: fields may change.
#[doc(alias = "Thespian_SystemStatus")]
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ThespianSystemStatus")]
pub struct ThespianSystemStatus {
    /// The system base ("simpleSystemBase", ...).
    pub base: String,
    /// The admin's address.
    pub admin_address: ActorAddress,
    /// The system's capabilities.
    pub capabilities: Capabilities,
    /// How many actors are alive.
    pub actor_count: usize,
    /// The actors without a parent actor (top-level and named actors).
    pub top_level_actors: Vec<ActorAddress>,
    /// The named actors, by name.
    pub named_actors: Vec<(String, ActorAddress)>,
    /// The registered dead-letter handler, if any.
    pub dead_letter_handler: Option<ActorAddress>,
    /// Messages queued and not yet delivered.
    pub pending_messages: usize,
    /// Wakeups scheduled and not yet delivered.
    pub pending_wakeups: usize,
}

/// The status of one actor (spec §7.14). Informational: fields may change.
#[doc(alias = "Thespian_ActorStatus")]
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, family = ActorSystemMessage, name = "thespian::ThespianActorStatus")]
pub struct ThespianActorStatus {
    /// The actor.
    pub actor_address: ActorAddress,
    /// Its Rust type.
    pub actor_type: String,
    /// Its parent, if it has one (top-level and named actors have none).
    pub parent: Option<ActorAddress>,
    /// Its children.
    pub children: Vec<ActorAddress>,
    /// Messages queued for it and not yet delivered.
    pub pending_messages: usize,
    /// Its wakeups not yet delivered.
    pub pending_wakeups: usize,
}

/// A message whose type this program does not know, kept as its registered name and bytes
/// so that nothing is lost (it can be forwarded or dead-lettered as it is).
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::UndecodedMessage")]
pub struct UndecodedMessage {
    /// The registered type name the sender used.
    pub type_name: String,
    /// The encoded message.
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}
