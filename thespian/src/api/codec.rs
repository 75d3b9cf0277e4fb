//! A message as bytes: its body by its registered type name, and a message nested in
//! another. Public in `thespian::wire`, with the envelopes that carry them.

use serde::Serialize;

use crate::api::message::{Message, MessageRegistry};
use crate::api::system_messages::UndecodedMessage;
#[cfg(doc)]
use crate::encoding::MAX_FRAME_SIZE;
use crate::encoding::{check_size, depth, panic_message, write_limited, Recursive, WireError};

/// Encodes a message's body (without its type name).
///
/// Encoding stops as soon as the bytes written pass [`MAX_FRAME_SIZE`]: an oversized message
/// is refused without being serialized whole.
///
/// # Errors
///
/// [`WireError::Unserializable`] if its `Serialize` fails (also for values nested deeper
/// than the wire's limits: messages past [`nested::MAX_NESTING`], capability values past
/// [`CapValue::MAX_DEPTH`](crate::CapValue::MAX_DEPTH)), [`WireError::TooLarge`] past
/// [`MAX_FRAME_SIZE`]; its `size` is then how far encoding got, at least `limit + 1`, not
/// the size the whole message would have.
pub fn encode_message(msg: &dyn Message) -> Result<Vec<u8>, WireError> {
    write_limited(msg.message_type_name(), |ser| match msg.downcast_ref::<Vec<u8>>() {
        // Same bytes as the generic path, written as one block instead of byte by byte.
        Some(raw) => serde_bytes::Bytes::new(raw).serialize(ser),
        None => erased_serde::serialize(msg, ser),
    })
}

/// Decodes a message body of registered type `type_name`.
///
/// # Errors
///
/// [`WireError::UnknownType`] for a name no type is registered under,
/// [`WireError::Malformed`] for bytes that do not decode, [`WireError::TooLarge`] past
/// [`MAX_FRAME_SIZE`].
pub fn decode_message(type_name: &str, bytes: &[u8]) -> Result<Box<dyn Message>, WireError> {
    check_size(bytes.len())?;
    let registration = MessageRegistry::get().lookup(type_name)?;
    let outermost = depth::current(Recursive::Message) == 0;
    let decoded = if outermost {
        let _ = depth::take_failure(); // nothing left over from a decode that panicked
                                       // A type's `Deserialize` is user code run on bytes from elsewhere: a panic in it is a
                                       // malformed message, not the end of the thread that reads the socket.
        std::panic::catch_unwind(|| (registration.decode)(bytes)).map_err(|panic| WireError::Malformed {
            type_name: type_name.to_string(),
            reason: format!("its `Deserialize` panicked: {}", panic_message(panic.as_ref())),
        })?
    } else {
        (registration.decode)(bytes)
    };
    decoded.map_err(|e| {
        // The decoder reports a failure deep inside only as "custom error"; the outermost
        // level says what actually went wrong, and where.
        let reason = outermost.then(depth::take_failure).flatten().unwrap_or_else(|| e.to_string());
        WireError::Malformed { type_name: type_name.to_string(), reason }
    })
}

/// The type name and body a message travels as. An [`UndecodedMessage`]
/// travels as the message it stands for, so forwarding it loses nothing.
///
/// # Errors
///
/// As [`encode_message`].
pub fn encode_parts(msg: &dyn Message) -> Result<(&str, std::borrow::Cow<'_, [u8]>), WireError> {
    match msg.downcast_ref::<UndecodedMessage>() {
        Some(undecoded) => {
            check_size(undecoded.bytes.len())?;
            Ok((undecoded.type_name.as_str(), std::borrow::Cow::Borrowed(undecoded.bytes.as_slice())))
        }
        None => Ok((msg.message_type_name(), std::borrow::Cow::Owned(encode_message(msg)?))),
    }
}

/// `serde(with = "nested")` for a `Box<dyn Message>` field: written as (type name, bytes).
pub mod nested {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{decode_message, encode_parts, UndecodedMessage};
    use crate::api::message::Message;
    use crate::encoding::{depth, Level, Recursive, WireError};

    /// How deep messages may nest inside each other on the wire, read or written.
    pub const MAX_NESTING: u32 = 32;
    // The bound the wire's depth counter applies is this one.
    const _: () = assert!(MAX_NESTING == depth::MAX_NESTING);

    #[derive(Serialize)]
    struct Out<'a> {
        type_name: &'a str,
        #[serde(with = "serde_bytes")]
        bytes: &'a [u8],
    }

    #[derive(Deserialize)]
    struct In {
        type_name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    }

    /// Writes the nested message as its type name and encoded bytes.
    ///
    /// # Errors
    ///
    /// If the nested message cannot be encoded, or is nested more than [`MAX_NESTING`] deep.
    #[allow(clippy::borrowed_box)]
    pub fn serialize<S: Serializer>(msg: &Box<dyn Message>, serializer: S) -> Result<S::Ok, S::Error> {
        let encoded = Level::enter(Recursive::Message).and_then(|_level| {
            encode_parts(msg.as_ref()).map_err(|e| {
                let reason = inner_reason(&e);
                depth::record_failure(reason.clone());
                reason
            })
        });
        let (type_name, bytes) = encoded.map_err(S::Error::custom)?;
        Out { type_name, bytes: &bytes }.serialize(serializer)
    }

    /// Reads a nested message; an unknown type is kept as an
    /// [`UndecodedMessage`].
    ///
    /// # Errors
    ///
    /// If the bytes do not decode as the named, known type.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Box<dyn Message>, D::Error> {
        let raw = In::deserialize(deserializer)?;
        let decoded = match Level::enter(Recursive::Message) {
            Err(reason) => Err(WireError::Malformed { type_name: raw.type_name.clone(), reason }),
            Ok(_level) => decode_message(&raw.type_name, &raw.bytes),
        };
        match decoded {
            Ok(msg) => Ok(msg),
            Err(WireError::UnknownType { .. }) => {
                Ok(Box::new(UndecodedMessage { type_name: raw.type_name, bytes: raw.bytes }))
            }
            Err(e) => {
                let reason = inner_reason(&e);
                depth::record_failure(reason.clone());
                Err(D::Error::custom(reason))
            }
        }
    }

    /// What the outer message reports of a nested message's failure (without a second code).
    fn inner_reason(e: &WireError) -> String {
        match e {
            WireError::Unserializable { type_name, reason } => {
                format!("a nested `{type_name}` message cannot be serialized: {reason}")
            }
            WireError::Malformed { type_name, reason } => {
                format!("a nested `{type_name}` message is malformed: {reason}")
            }
            WireError::TooLarge { size, limit } => {
                format!("a nested message of {size} bytes is over the {limit}-byte limit")
            }
            WireError::UnknownType { type_name } => format!("a nested message is of unknown type `{type_name}`"),
        }
    }
}

/// Encodes then decodes a message, as a multi-process base would.
///
/// # Errors
///
/// As [`encode_message`] and [`decode_message`].
pub fn round_trip(msg: &dyn Message) -> Result<Box<dyn Message>, WireError> {
    decode_message(msg.message_type_name(), &encode_message(msg)?)
}
