//! The seam between the Actor API and a system base.

use std::time::Duration;

use crate::api::actor::ActorSpec;
use crate::api::address::ActorAddress;
use crate::api::capabilities::{CapValue, Capabilities};
use crate::api::error::ActorSystemError;
use crate::api::message::Message;

/// What an actor's [`ActorContext`](crate::ActorContext) asks of the system that runs it.
/// Each base implements it; the lifecycle rules behind it live in `core`.
pub(crate) trait ActorHost {
    /// The system's admin address.
    fn admin_address(&self) -> ActorAddress;
    /// Queues `msg` from `from` to `to`; fails only for an address that is not this system's.
    fn send(&mut self, from: &ActorAddress, to: &ActorAddress, msg: Box<dyn Message>) -> Result<(), ActorSystemError>;
    /// Creates an actor whose parent is `parent` (unless it is named).
    fn create_actor(&mut self, parent: &ActorAddress, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError>;
    /// The requirements `me`'s creator gave (spec §5.12), for patterns that create more
    /// actors of the same kind (a troupe's workers).
    fn requirements_of(&self, me: &ActorAddress) -> Option<Capabilities>;
    /// The global name `me` was created with (spec §5.3.1), if any.
    fn global_name(&self, me: &ActorAddress) -> Option<&str>;
    /// Schedules a wakeup for `me`.
    fn wakeup_after(&mut self, me: &ActorAddress, delay: Duration, payload: Box<dyn Message>);
    /// Registers or deregisters `me` as the dead-letter handler.
    fn handle_dead_letters(&mut self, me: &ActorAddress, start: bool);
    /// Spec §4.4: returns a message that failed twice to its sender as poison (unless it is a
    /// system message or the actor's own).
    fn return_poison(&mut self, me: &ActorAddress, sender: &ActorAddress, message: Box<dyn Message>, details: String);
    /// Shuts the system down after the current message.
    fn request_shutdown(&mut self);
    /// Changes a capability.
    fn update_capability(&mut self, name: &str, value: Option<CapValue>);
    /// Spec §5.2.1: the file descriptors the handler invocation of `me` that just returned
    /// asked to watch. Called only when it asked; the host ended the previous watch when it
    /// delivered the message.
    fn set_watch(&mut self, me: &ActorAddress, fds: Vec<i32>);
}
