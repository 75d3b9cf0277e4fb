//! System bases (spec §9): how actors are scheduled and how messages travel.
//! Lifecycle rules are not here but in `core`.
//!
//! The bases use every layer under them (the kernel, the wire, the process model); only the
//! `ActorSystem` facade in `system` uses them (see `layers.rs`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use crate::api::actor::ActorSpec;
use crate::api::address::ActorAddress;
use crate::api::capabilities::{CapValue, Capabilities};
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::core::kernel::Received;

#[cfg(target_os = "linux")]
pub(crate) mod multiproc;
pub(crate) mod simple;

/// The operations of the ActorSystem API (spec §6), as one base provides them.
pub(crate) trait SystemBase: Send + Sync {
    /// The base's spec name.
    fn base_name(&self) -> &'static str;
    /// The system's admin address.
    fn admin_address(&self) -> ActorAddress;
    /// A new external endpoint.
    fn open_endpoint(&self) -> Result<ActorAddress, ActorSystemError>;
    /// Closes an external endpoint.
    fn close_endpoint(&self, endpoint: &ActorAddress);
    /// Creates a top-level actor.
    fn create_actor(&self, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError>;
    /// Sends a message from an external endpoint.
    fn tell(&self, from: &ActorAddress, to: &ActorAddress, msg: Box<dyn Message>) -> Result<(), ActorSystemError>;
    /// The next message for `endpoint`, waiting until `deadline`.
    fn receive(&self, endpoint: &ActorAddress, deadline: Instant) -> Result<Option<Received>, ActorSystemError>;
    /// Sets or removes a capability.
    fn update_capability(&self, name: &str, value: Option<CapValue>) -> Result<(), ActorSystemError>;
    /// A base-specific setting.
    fn system_update(&self, name: &str, value: CapValue) -> Result<(), ActorSystemError>;
    /// The current capabilities.
    fn capabilities(&self) -> Result<Capabilities, ActorSystemError>;
    /// Stops every actor; later calls fail with `SystemShutDown`. Idempotent.
    fn shutdown(&self) -> Result<(), ActorSystemError>;
    /// The owning handle is dropped: shuts the system down, unless the base lets the system
    /// outlive its program (the TCP admin, spec §9.4).
    fn release(&self) {
        if let Err(e) = self.shutdown() {
            tracing::warn!(error = %e, "actor system shutdown on drop failed");
        }
    }
}

/// A number unique to each system of this process, and unlikely to be shared with another.
pub(crate) fn new_system_id() -> u64 {
    static COUNTER: AtomicU32 = AtomicU32::new(1);
    (u64::from(std::process::id()) << 32) | u64::from(COUNTER.fetch_add(1, Ordering::Relaxed))
}
