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
    /// The process of that system hosting the actor (DESIGN §3: an address names its host);
    /// `0` is the admin's process, and every actor of a single-process base.
    host: u32,
    /// The actor's number within its host; `0` on host `0` is the system itself.
    id: u64,
}

impl ActorAddress {
    /// An address on host `0` (the admin's process).
    pub(crate) const fn new(system: u64, id: u64) -> Self {
        Self { system, host: 0, id }
    }

    /// An address on `host`.
    pub(crate) const fn on_host(system: u64, host: u32, id: u64) -> Self {
        Self { system, host, id }
    }

    pub(crate) const fn system(&self) -> u64 {
        self.system
    }

    /// The process hosting the actor.
    pub(crate) const fn host(&self) -> u32 {
        self.host
    }

    pub(crate) const fn id(&self) -> u64 {
        self.id
    }
}

impl fmt::Display for ActorAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same text in every process: it names the host, not where it is printed.
        match self.host {
            0 => write!(f, "ActorAddr-({:x}/{})", self.system, self.id),
            host => write!(f, "ActorAddr-({:x}/{host}.{})", self.system, self.id),
        }
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
    fn spec_1_2_an_address_names_its_host() {
        let (a, b) = (ActorAddress::on_host(7, 1, 3), ActorAddress::on_host(7, 2, 3));
        assert_ne!(a, b, "the same number on two hosts is two actors");
        assert_ne!(a.to_string(), b.to_string());
        assert_eq!(ActorAddress::on_host(7, 0, 3), ActorAddress::new(7, 3));
        assert_eq!(ActorAddress::new(7, 3).to_string(), "ActorAddr-(7/3)");
        assert_eq!(a.to_string(), "ActorAddr-(7/1.3)");
    }

    #[test]
    fn spec_1_2_display_uses_only_allowed_characters() {
        for addr in [ActorAddress::new(u64::MAX, 12345), ActorAddress::on_host(u64::MAX, u32::MAX, u64::MAX)] {
            let text = addr.to_string();
            assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "-~/():., '|>".contains(c)), "{text}");
        }
    }
}
