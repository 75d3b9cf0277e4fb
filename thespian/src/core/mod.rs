//! The kernel: base-independent actor machinery, shared by every system base.
//!
//! Above the Actor API, whose `ActorHost` trait the kernel implements, and the wire; under
//! the bases that drive it (see `layers.rs`).

pub(crate) mod cell;
pub(crate) mod kernel;
pub(crate) mod timers;

#[cfg(test)]
mod net_tests;
