//! The encoding rules that know nothing of actors: the bottom layer under the Actor API.
//!
//! What every layer that reads or writes bytes shares: the size limit ([`MAX_FRAME_SIZE`]),
//! the error of a failed encode or decode ([`WireError`], public as
//! `thespian::wire::WireError`), `postcard` written with that limit and read with no trailing
//! bytes, the bound on nesting of every recursive value ([`depth`]), and the text of a
//! caught panic, which a decode reports when a type's `Deserialize` panics.
//!
//! It uses only [`codes`]. The Actor API builds on it (a message's encoding by
//! its registered name, nested messages, capability values); the public face of all of it is
//! the `thespian::wire` module.

pub(crate) mod depth;

use std::any::Any;

use crate::codes::{self, ErrorCode};

pub(crate) use depth::{Level, Recursive};

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

/// Runs `write` on a serializer whose output stops at [`MAX_FRAME_SIZE`]; `type_name` names
/// what is written in an error.
pub(crate) fn write_limited(
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
pub(crate) struct Limited {
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

/// Decodes exactly the whole of `bytes` as a `T`: trailing bytes are malformed too.
pub(crate) fn from_exact<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, postcard::Error> {
    match postcard::take_from_bytes::<T>(bytes)? {
        (value, []) => Ok(value),
        _ => Err(postcard::Error::DeserializeBadEncoding),
    }
}

/// Fails with [`WireError::TooLarge`] for `size` bytes past [`MAX_FRAME_SIZE`].
pub(crate) fn check_size(size: usize) -> Result<(), WireError> {
    if size > MAX_FRAME_SIZE {
        Err(WireError::TooLarge { size, limit: MAX_FRAME_SIZE })
    } else {
        Ok(())
    }
}

/// The text of a caught panic's payload: its message, when it is text.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_string())
}
