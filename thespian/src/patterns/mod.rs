//! Patterns and helpers (spec §8): troupes and transient actors.
//!
//! `#[troupe]`, `#[transient]` and `#[transient_idle]` on an `#[actor]` impl block wrap the
//! actor in these; a hand-written actor can use them by overriding
//! [`Actor::into_boxed_actor`](crate::Actor::into_boxed_actor).

mod transient;
mod troupe;

pub use transient::{Transient, TransientMode};
pub use troupe::{Troupe, TroupeSettings, TroupeStatus, TroupeStatusReq, UpdateTroupeSettings};
