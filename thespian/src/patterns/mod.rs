//! Patterns and helpers (spec §8): troupes, transient actors and initializing messages.
//!
//! `#[troupe]`, `#[transient]` and `#[transient_idle]` on an `#[actor]` impl block wrap the
//! actor in these; a hand-written actor can use them by overriding
//! [`Actor::into_boxed_actor`](crate::Actor::into_boxed_actor).

mod init;
mod transient;
mod troupe;

pub use init::{Init, InitFields, Initializing};
pub use transient::{Transient, TransientMode};
pub use troupe::{Troupe, TroupeSettings, TroupeStatus, TroupeStatusReq, UpdateTroupeSettings};
