//! Actor addresses (spec §1.2).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The address of an actor, or of an external endpoint that talks to actors (spec §1.2).
///
/// Addresses are opaque: they are handed out by the system (as the result of creating an
/// actor, or inside a message) and can be compared, hashed, printed, and sent inside
/// messages. An address stays equal to itself after a round trip through a message.
/// Its [`Display`](fmt::Display) form uses only `A-Z a-z 0-9 - ~ / ( ) : . , ' | >` and space.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let a = asys.create_actor::<Echo>()?;
/// let b = asys.create_actor::<Echo>()?;
/// assert_ne!(a, b);
/// println!("created {a} and {b}");
/// # Ok(()) }
/// # #[derive(Default)] struct Echo;
/// # impl Actor for Echo {
/// #     fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress,
/// #         _: &mut ActorContext<'_>) -> ActorResult { Ok(()) }
/// # }
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ActorAddress {
    /// The system that issued the address.
    system: u64,
    /// The actor's number within that system; `0` is the system itself.
    id: u64,
}

impl ActorAddress {
    pub(crate) const fn new(system: u64, id: u64) -> Self {
        Self { system, id }
    }

    pub(crate) const fn system(&self) -> u64 {
        self.system
    }

    pub(crate) const fn id(&self) -> u64 {
        self.id
    }
}

impl fmt::Display for ActorAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorAddr-({:x}/{})", self.system, self.id)
    }
}

impl fmt::Debug for ActorAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_1_2_display_uses_only_allowed_characters() {
        let addr = ActorAddress::new(u64::MAX, 12345);
        let text = addr.to_string();
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "-~/():., '|>".contains(c)));
    }
}
