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

mod depth;
pub mod frame;

pub(crate) use depth::{Level, Recursive};

use serde::{Deserialize, Serialize};

use crate::api::address::ActorAddress;
use crate::api::message::{Message, MessageRegistry};
use crate::codes;
use crate::codes::ErrorCode;

/// The largest encoded message or frame accepted: 64 MiB.
pub const MAX_FRAME_SIZE: usize = 64 * 1024 * 1024;

/// A message could not be encoded or decoded.
///
/// Each variant has a stable [`ErrorCode`] ([`code`](Self::code)) with a page in
/// [`codes`], and its text starts with it: `error[T0010]: ...`. Inside an
/// [`ActorSystemError::Wire`](crate::ActorSystemError::Wire) it keeps its code and text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The message's `Serialize` implementation failed: [`codes::T0010`].
    #[error(
        "error[{code}]: ActorSystemException: message of type `{type_name}` cannot be serialized: {reason}. \
         Check its `Serialize` implementation.",
        code = self.code()
    )]
    Unserializable {
        /// The message type.
        type_name: String,
        /// The serializer's error.
        reason: String,
    },
    /// No message type is registered under this name in this program: [`codes::T0012`].
    #[error(
        "error[{code}]: ActorSystemException: unknown message type `{type_name}`: no `#[derive(Message)]` \
         type of that name is linked into this program. Use the same message crate on both sides.",
        code = self.code()
    )]
    UnknownType {
        /// The name received.
        type_name: String,
    },
    /// The bytes do not decode as the named type: [`codes::T0013`].
    #[error(
        "error[{code}]: ActorSystemException: malformed `{type_name}` message: {reason}. Check that both \
         sides use the same version of the message type, and that the bytes are not cut short.",
        code = self.code()
    )]
    Malformed {
        /// The name received.
        type_name: String,
        /// The decoder's error.
        reason: String,
    },
    /// The encoded size is over the limit: [`codes::T0011`].
    #[error(
        "error[{code}]: ActorSystemException: message of {size} bytes is over the {limit}-byte limit. Send \
         large data in parts.",
        code = self.code()
    )]
    TooLarge {
        /// The size met: for bytes received, their size; for a message being encoded, how
        /// far encoding got when it stopped (at least `limit + 1`), not its whole size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl WireError {
    /// The error's stable code (see [`ErrorCode`]): `T0010` to `T0013`.
    ///
    /// # Examples
    ///
    /// ```
    /// use thespian::wire;
    ///
    /// let err = wire::decode_message("my_app::NoSuchMessage", &[]).expect_err("no such type");
    /// assert_eq!(err.code(), thespian::codes::T0012);
    /// ```
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unserializable { .. } => codes::T0010,
            Self::TooLarge { .. } => codes::T0011,
            Self::UnknownType { .. } => codes::T0012,
            Self::Malformed { .. } => codes::T0013,
        }
    }
}

/// Encodes a message's body (without its type name).
///
/// Encoding stops as soon as the bytes written pass [`MAX_FRAME_SIZE`]: an oversized message
/// is refused without being serialized whole.
///
/// # Errors
///
/// [`WireError::Unserializable`] if its `Serialize` fails (also for values nested deeper
/// than the wire's limits, see the [module docs](self)), [`WireError::TooLarge`] past
/// [`MAX_FRAME_SIZE`]; its `size` is then how far encoding got, at least `limit + 1`, not
/// the size the whole message would have.
pub fn encode_message(msg: &dyn Message) -> Result<Vec<u8>, WireError> {
    write_limited(msg.message_type_name(), |ser| match msg.downcast_ref::<Vec<u8>>() {
        // Same bytes as the generic path, written as one block instead of byte by byte.
        Some(raw) => serde_bytes::Bytes::new(raw).serialize(ser),
        None => erased_serde::serialize(msg, ser),
    })
}

/// Runs `write` on a serializer whose output stops at [`MAX_FRAME_SIZE`]; `type_name` names
/// what is written in an error.
fn write_limited(
    type_name: &str,
    write: impl FnOnce(&mut postcard::Serializer<Limited>) -> postcard::Result<()>,
) -> Result<Vec<u8>, WireError> {
    let _ = depth::take_failure(); // nothing left over from an earlier failure
    let mut ser = postcard::Serializer { output: Limited::default() };
    match (write(&mut ser), ser.output.overflow) {
        (Ok(()), _) => Ok(ser.output.bytes),
        (Err(_), Some(size)) => Err(WireError::TooLarge { size, limit: MAX_FRAME_SIZE }),
        // A failure deep inside reaches here only as "custom error": say what it was.
        (Err(e), None) => Err(WireError::Unserializable {
            type_name: type_name.to_string(),
            reason: depth::take_failure().unwrap_or_else(|| e.to_string()),
        }),
    }
}

/// A `postcard` output that refuses to grow past [`MAX_FRAME_SIZE`], recording how far the
/// encoding got when it did.
#[derive(Default)]
struct Limited {
    bytes: Vec<u8>,
    /// The size reached when the limit was passed.
    overflow: Option<usize>,
}

impl postcard::ser_flavors::Flavor for Limited {
    type Output = Vec<u8>;

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        let size = self.bytes.len().saturating_add(data.len());
        if size > MAX_FRAME_SIZE {
            self.overflow = Some(size);
            return Err(postcard::Error::SerializeBufferFull);
        }
        self.bytes.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        if self.bytes.len() >= MAX_FRAME_SIZE {
            self.overflow = Some(self.bytes.len() + 1);
            return Err(postcard::Error::SerializeBufferFull);
        }
        self.bytes.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<Vec<u8>> {
        Ok(self.bytes)
    }
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
            reason: format!("its `Deserialize` panicked: {}", crate::core::cell::panic_message(panic.as_ref())),
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

/// Decodes exactly the whole of `bytes` as a `T`: trailing bytes are malformed too.
pub(crate) fn from_exact<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, postcard::Error> {
    match postcard::take_from_bytes::<T>(bytes)? {
        (value, []) => Ok(value),
        _ => Err(postcard::Error::DeserializeBadEncoding),
    }
}

/// The type name and body a message travels as. An [`UndecodedMessage`](crate::UndecodedMessage)
/// travels as the message it stands for, so forwarding it loses nothing.
///
/// # Errors
///
/// As [`encode_message`].
pub fn encode_parts(msg: &dyn Message) -> Result<(&str, std::borrow::Cow<'_, [u8]>), WireError> {
    match msg.downcast_ref::<crate::UndecodedMessage>() {
        Some(undecoded) => {
            check_size(undecoded.bytes.len())?;
            Ok((undecoded.type_name.as_str(), std::borrow::Cow::Borrowed(undecoded.bytes.as_slice())))
        }
        None => Ok((msg.message_type_name(), std::borrow::Cow::Owned(encode_message(msg)?))),
    }
}

fn check_size(size: usize) -> Result<(), WireError> {
    if size > MAX_FRAME_SIZE {
        Err(WireError::TooLarge { size, limit: MAX_FRAME_SIZE })
    } else {
        Ok(())
    }
}

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
    /// [`UndecodedMessage`](crate::UndecodedMessage) carrying the name and bytes.
    ///
    /// # Errors
    ///
    /// [`WireError::Malformed`] if the bytes do not decode as the named, known type.
    pub fn open(self) -> Result<Box<dyn Message>, WireError> {
        match decode_message(&self.type_name, &self.body) {
            Err(WireError::UnknownType { .. }) => {
                Ok(Box::new(crate::UndecodedMessage { type_name: self.type_name, bytes: self.body }))
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

/// `serde(with = "nested")` for a `Box<dyn Message>` field: written as (type name, bytes).
pub mod nested {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{decode_message, depth, encode_parts, Level, Recursive, WireError};
    use crate::api::message::Message;

    /// How deep messages may nest inside each other on the wire, read or written.
    pub const MAX_NESTING: u32 = 32;

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
    /// [`UndecodedMessage`](crate::UndecodedMessage).
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
                Ok(Box::new(crate::UndecodedMessage { type_name: raw.type_name, bytes: raw.bytes }))
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
