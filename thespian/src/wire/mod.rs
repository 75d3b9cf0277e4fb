//! The wire encoding of messages and envelopes, shared by the multi-process bases.
//!
//! A message is encoded as its registered type name plus its `postcard` bytes. Binary
//! payloads (`Vec<u8>` messages, `serde_bytes` fields) are written as one length-prefixed
//! block. A message nested in another ([`PoisonMessage`](crate::PoisonMessage),
//! [`DeadEnvelope`](crate::DeadEnvelope), a wakeup payload) travels as (type name, bytes)
//! too, never as a recursive trait object.
//!
//! Decoding depth is bounded whatever a peer sends: every recursive value the wire carries
//! counts its levels on the decoding thread and refuses past its limit with
//! [`WireError::Malformed`], before the stack can run out. Messages nest at most
//! [`nested::MAX_NESTING`] deep, [`CapValue`](crate::CapValue) lists and maps at most
//! [`CapValue::MAX_DEPTH`](crate::CapValue::MAX_DEPTH) deep; the other types of the library
//! are not recursive. Encoding refuses the same depths, with [`WireError::Unserializable`],
//! so what one side writes the other can read.
//!
//! Sizes are checked before anything is decoded, and encoding stops as soon as a message
//! grows past [`MAX_FRAME_SIZE`].
//!
//! The envelope ([`WireEnvelope`]) and the [`frame`]s of a connection are this module's own.
//! The encoding of one message ([`encode_message`], [`decode_message`], [`nested`]) and
//! [`WireError`] come from below the Actor API, whose own types (system messages,
//! capability values) are encoded with them, and are re-exported here.

pub mod frame;

use serde::{Deserialize, Serialize};

use crate::api::address::ActorAddress;
pub use crate::api::codec::{decode_message, encode_message, encode_parts, nested, round_trip};
use crate::api::message::Message;
use crate::api::system_messages::UndecodedMessage;
use crate::encoding::{check_size, from_exact, write_limited};
pub use crate::encoding::{WireError, MAX_FRAME_SIZE};

/// A message addressed to an actor, as it crosses a process boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireEnvelope {
    /// Where it goes.
    pub target: ActorAddress,
    /// Who sent it.
    pub sender: ActorAddress,
    /// The registered type name of the message.
    pub type_name: String,
    /// The encoded message.
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
}

impl WireEnvelope {
    /// Encodes `msg` for sending from `sender` to `target`.
    ///
    /// # Errors
    ///
    /// As [`encode_message`].
    pub fn new(target: ActorAddress, sender: ActorAddress, msg: &dyn Message) -> Result<Self, WireError> {
        let (type_name, body) = encode_parts(msg)?;
        Ok(Self { target, sender, type_name: type_name.to_string(), body: body.into_owned() })
    }

    /// Decodes the message; a type this program does not know becomes an
    /// [`UndecodedMessage`] carrying the name and bytes.
    ///
    /// # Errors
    ///
    /// [`WireError::Malformed`] if the bytes do not decode as the named, known type.
    pub fn open(self) -> Result<Box<dyn Message>, WireError> {
        match decode_message(&self.type_name, &self.body) {
            Err(WireError::UnknownType { .. }) => {
                Ok(Box::new(UndecodedMessage { type_name: self.type_name, bytes: self.body }))
            }
            other => other,
        }
    }

    /// The envelope as one frame.
    ///
    /// # Errors
    ///
    /// [`WireError::TooLarge`] past [`MAX_FRAME_SIZE`].
    pub fn to_frame(&self) -> Result<Vec<u8>, WireError> {
        write_limited(&self.type_name, |ser| self.serialize(ser))
    }

    /// Reads a frame written by [`to_frame`](Self::to_frame). Never panics on hostile input.
    ///
    /// # Errors
    ///
    /// [`WireError::TooLarge`] or [`WireError::Malformed`].
    pub fn from_frame(frame: &[u8]) -> Result<Self, WireError> {
        check_size(frame.len())?;
        from_exact(frame).map_err(|e| WireError::Malformed { type_name: "envelope".to_string(), reason: e.to_string() })
    }
}
