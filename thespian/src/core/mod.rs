//! Base-independent actor machinery, shared by every system base.

pub(crate) mod cell;
pub(crate) mod kernel;
pub(crate) mod timers;

#[cfg(test)]
mod net_tests;
