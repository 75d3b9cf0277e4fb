//! Frames: what one connection between two processes of a multi-process base carries.
//!
//! A connection is a byte stream (TCP, a unix socket, an in-memory pipe) cut into
//! length-delimited frames: each frame is a 4-byte big-endian length, then that many bytes of
//! `postcard`. The length is checked against the limit before the body is buffered, so a peer
//! announcing a huge frame costs nothing but an error; a frame within the limit is buffered
//! whole before it is decoded (at most [`MAX_FRAME_SIZE`] per connection, and only once the
//! peer has passed the handshake).
//!
//! ```text
//! each side, first:   [len][Hello: "THSP", version, system, host, role]   (at most MAX_HELLO_SIZE)
//! then, either way:   [len][Frame::Envelope { seq: 1, envelope }]
//!                     [len][Frame::Envelope { seq: 2, envelope }]
//!                     [len][Frame::Ack { up_to: 2 }]                      (from the receiver)
//!                     ...
//! last, on a clean close:  [len][Frame::Bye]
//! ```
//!
//! - **The handshake** ([`Hello`], read and written by [`HelloCodec`], both at once by
//!   [`handshake`]) is the first frame each side sends. Its body starts with the fixed
//!   [`MAGIC`] and the [`PROTOCOL_VERSION`]; a peer with another magic or version is refused
//!   with an error naming what it sent. During the handshake a frame may be at most
//!   [`MAX_HELLO_SIZE`] bytes: a stranger speaking HTTP to the port announces a "frame" of
//!   over a gigabyte with its first four bytes (`GET `) and is refused at once.
//! - **Frames** ([`Frame`], read and written by [`FrameCodec`]) follow, each at most
//!   [`MAX_FRAME_SIZE`] bytes. An envelope's message stays encoded
//!   (a [`WireEnvelope`] holds its type name and bytes), so a frame that only passes through
//!   a process is never decoded.
//! - **Sequence numbers and acks**: a sender numbers the envelopes it writes on a connection
//!   1, 2, 3, ...; the receiver answers with [`Frame::Ack`] `{ up_to: n }` meaning "I have
//!   every envelope up to `n`" (cumulative), so after a broken connection the sender knows
//!   which messages the peer has and which come back as dead letters or poison.
//! - **Writes are batched** ([`write_batched`]): every queued frame is written, and the
//!   connection is flushed only when the queue is empty.
//!
//! Anything a peer can send gives a typed error, never a panic: an oversized length is
//! [`WireError::TooLarge`], bytes that do not decode or a stream that ends inside a frame
//! ("truncated frame") are [`WireError::Malformed`]. Nothing here recurses: frames,
//! handshakes and envelopes are flat, and a message's body is decoded (with its own bound on
//! nesting) only when the envelope is [opened](WireEnvelope::open).

use std::io;

use bytes::{Buf, BytesMut};
use futures_util::{Sink, SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_util::codec::{Decoder, Encoder, Framed, LengthDelimitedCodec};

use super::WireEnvelope;
use crate::codes::ErrorCode;
use crate::encoding::{check_size, from_exact, write_limited, WireError, MAX_FRAME_SIZE};

/// The four bytes every handshake starts with.
pub const MAGIC: [u8; 4] = *b"THSP";

/// The version of the wire protocol this program speaks; a peer must speak the same.
pub const PROTOCOL_VERSION: u16 = 1;

/// The largest handshake frame accepted, in bytes.
pub const MAX_HELLO_SIZE: usize = 256;

/// The bytes of the length prefix in front of every frame.
const LENGTH_PREFIX: usize = 4;

/// What `Malformed` names for a handshake.
const HANDSHAKE: &str = "handshake";

/// What `Malformed` names for a frame.
const FRAME: &str = "frame";

/// The part a process plays in its actor system, as it announces itself in a [`Hello`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Role {
    /// The admin: the process that holds the system-wide registries.
    Admin,
    /// An actor process: a process that hosts actors of the system.
    Actor,
    /// The user's program, holding the `ActorSystem` handle.
    Endpoint,
}

/// The handshake: the first frame each side sends on a new connection.
///
/// # Examples
///
/// ```
/// use thespian::wire::frame::{Hello, Role, PROTOCOL_VERSION};
///
/// let hello = Hello::new(0x5157, 3, Role::Actor);
/// let bytes = hello.encode()?;
/// assert_eq!(&bytes[..4], b"THSP");
/// assert_eq!(Hello::decode(&bytes)?, hello);
/// assert_eq!(hello.version, PROTOCOL_VERSION);
/// # Ok::<(), thespian::wire::WireError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Always [`MAGIC`]; written first, so a stranger is told apart at once.
    pub magic: [u8; 4],
    /// The sender's [`PROTOCOL_VERSION`]; written second, so that it can be read whatever
    /// the rest of a handshake of another version looks like.
    pub version: u16,
    /// The id of the actor system the sender belongs to.
    pub system: u64,
    /// The sender's host id: which process of the system it is.
    pub host: u64,
    /// The part the sender plays.
    pub role: Role,
}

impl Hello {
    /// The handshake of this program, as process `host` of system `system`.
    pub fn new(system: u64, host: u64, role: Role) -> Self {
        Self { magic: MAGIC, version: PROTOCOL_VERSION, system, host, role }
    }

    /// The handshake's frame body.
    ///
    /// # Errors
    ///
    /// None in practice (the handshake is a few bytes); typed as the other encoders.
    pub fn encode(&self) -> Result<Vec<u8>, WireError> {
        write_limited(HANDSHAKE, |ser| self.serialize(ser))
    }

    /// Reads a handshake's frame body, refusing a stranger or another protocol version.
    ///
    /// # Errors
    ///
    /// [`WireError::Malformed`] (type name `handshake`) if the bytes do not start with
    /// [`MAGIC`] (saying what they start with), if the version is not [`PROTOCOL_VERSION`]
    /// (naming both versions), or if the rest does not decode.
    ///
    /// # Examples
    ///
    /// ```
    /// use thespian::wire::frame::Hello;
    ///
    /// let err = Hello::decode(b"GET / HTTP/1.1\r\n").expect_err("not a Thespian peer");
    /// assert!(err.to_string().contains("not a Thespian peer"), "{err}");
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        let malformed = |reason: String| WireError::Malformed { type_name: HANDSHAKE.to_string(), reason };
        match bytes.get(..MAGIC.len()) {
            Some(magic) if magic == MAGIC => {}
            _ => {
                let start = &bytes[..bytes.len().min(MAGIC.len())];
                return Err(malformed(format!(
                    "not a Thespian peer: its handshake starts with \"{}\", not \"{}\"",
                    start.escape_ascii(),
                    MAGIC.escape_ascii()
                )));
            }
        }
        // The version first, alone: a handshake of another version may differ after it.
        let (_, version) = postcard::take_from_bytes::<([u8; 4], u16)>(bytes)
            .map(|(head, _)| head)
            .map_err(|e| malformed(format!("unreadable protocol version: {e}")))?;
        if version != PROTOCOL_VERSION {
            return Err(malformed(format!(
                "the peer speaks wire protocol version {version}, this program speaks version \
                 {PROTOCOL_VERSION}; run the same thespian version on both sides"
            )));
        }
        from_exact(bytes).map_err(|e| malformed(e.to_string()))
    }
}

/// A frame after the handshake.
///
/// # Examples
///
/// ```
/// use thespian::wire::frame::Frame;
///
/// let ack = Frame::Ack { up_to: 41 };
/// assert_eq!(Frame::decode(&ack.encode()?)?, ack);
/// # Ok::<(), thespian::wire::WireError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Frame {
    /// A message for an actor in (or reached through) the receiving process.
    Envelope {
        /// Its number on this connection, in the direction it travels: 1 for the first
        /// envelope, then one more for each.
        seq: u64,
        /// The envelope, its message still encoded.
        envelope: WireEnvelope,
    },
    /// The receiver has every envelope of this connection numbered up to `up_to`.
    Ack {
        /// The highest sequence number received, all before it received too.
        up_to: u64,
    },
    /// The sender closes the connection cleanly: nothing follows.
    Bye,
    /// Between the processes of one system: the runtime's own protocol (starting actor
    /// processes, host numbers, names, shutdown), opaque to the frame layer.
    Control {
        /// The encoded control message.
        #[serde(with = "serde_bytes")]
        body: Vec<u8>,
    },
}

impl Frame {
    /// The frame's body (without the length prefix).
    ///
    /// # Errors
    ///
    /// [`WireError::TooLarge`] past [`MAX_FRAME_SIZE`].
    pub fn encode(&self) -> Result<Vec<u8>, WireError> {
        let name = match self {
            Self::Envelope { envelope, .. } => envelope.type_name.as_str(),
            Self::Ack { .. } | Self::Bye | Self::Control { .. } => FRAME,
        };
        write_limited(name, |ser| self.serialize(ser))
    }

    /// Reads a frame's body. Never panics on hostile input; an envelope's message is not
    /// decoded.
    ///
    /// # Errors
    ///
    /// [`WireError::Malformed`] (type name `frame`) if the bytes are not exactly one frame,
    /// [`WireError::TooLarge`] past [`MAX_FRAME_SIZE`].
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        check_size(bytes.len())?;
        from_exact(bytes).map_err(|e| WireError::Malformed { type_name: FRAME.to_string(), reason: e.to_string() })
    }
}

/// A frame could not be read from or written to a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// What the peer sent is oversized or malformed (or a frame to send is oversized): the
    /// connection is unusable and should be closed with this reason logged.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The connection itself failed (or closed before the handshake).
    #[error("the connection failed: {0}")]
    Io(#[from] io::Error),
}

impl FrameError {
    /// The error's code, for errors of what was sent rather than of the connection.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Wire(e) => Some(e.code()),
            Self::Io(_) => None,
        }
    }
}

/// The length-delimited framing both codecs share: a limit checked before a body is
/// buffered, and a typed error for a stream that ends inside a frame.
#[derive(Debug)]
struct Framing {
    inner: LengthDelimitedCodec,
    /// What a `Malformed` error names.
    what: &'static str,
    /// The length prefix of the frame being read has been taken from the buffer.
    inside_frame: bool,
}

impl Framing {
    fn new(limit: usize, what: &'static str) -> Self {
        let inner =
            LengthDelimitedCodec::builder().length_field_length(LENGTH_PREFIX).max_frame_length(limit).new_codec();
        Self { inner, what, inside_frame: false }
    }

    fn limit(&self) -> usize {
        self.inner.max_frame_length()
    }

    /// The next whole frame body in `src`, if there is one.
    fn next(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, WireError> {
        // The announced size, for the error (the codec's own error does not carry it).
        let announced = match src.get(..LENGTH_PREFIX) {
            Some(&[a, b, c, d]) if !self.inside_frame => Some(u32::from_be_bytes([a, b, c, d]) as usize),
            _ => None,
        };
        let before = src.len();
        match self.inner.decode(src) {
            Ok(Some(body)) => {
                self.inside_frame = false;
                Ok(Some(body))
            }
            Ok(None) => {
                self.inside_frame |= src.len() < before;
                Ok(None)
            }
            Err(e) => Err(match announced {
                Some(size) if size > self.limit() => WireError::TooLarge { size, limit: self.limit() },
                _ => WireError::Malformed { type_name: self.what.to_string(), reason: e.to_string() },
            }),
        }
    }

    /// As [`next`](Self::next), at the end of the stream: bytes left over are an error.
    fn last(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, WireError> {
        match self.next(src)? {
            Some(body) => Ok(Some(body)),
            None if src.is_empty() && !self.inside_frame => Ok(None),
            None => Err(WireError::Malformed {
                type_name: self.what.to_string(),
                reason: format!("truncated frame: the stream ended {} bytes into a frame", src.len()),
            }),
        }
    }

    fn write(&mut self, body: &[u8], dst: &mut BytesMut) -> Result<(), WireError> {
        let size = body.len();
        self.inner.encode(body, dst).map_err(|_| WireError::TooLarge { size, limit: self.limit() })
    }
}

/// The codec of the handshake: reads and writes one [`Hello`] frame, of at most
/// [`MAX_HELLO_SIZE`] bytes.
///
/// [`handshake`] uses it and then switches the connection to [`FrameCodec`]; use it
/// directly only to handshake some other way.
#[derive(Debug)]
pub struct HelloCodec {
    framing: Framing,
}

impl HelloCodec {
    /// A codec at the start of a connection.
    pub fn new() -> Self {
        Self { framing: Framing::new(MAX_HELLO_SIZE, HANDSHAKE) }
    }
}

impl Default for HelloCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl HelloCodec {
    /// A handshake frame whose length is over the limit comes from a stranger, not from a
    /// peer with a long handshake: say so.
    fn read(&mut self, src: &mut BytesMut, at_eof: bool) -> Result<Option<Hello>, FrameError> {
        let first = src.get(..LENGTH_PREFIX).map(<[u8]>::escape_ascii).map(|start| start.to_string());
        let body = if at_eof { self.framing.last(src) } else { self.framing.next(src) };
        match body {
            Ok(Some(body)) => Ok(Some(Hello::decode(&body)?)),
            Ok(None) => Ok(None),
            Err(WireError::TooLarge { size, limit }) => Err(WireError::Malformed {
                type_name: HANDSHAKE.to_string(),
                reason: format!(
                    "not a Thespian peer: its first frame announces {size} bytes where a handshake \
                     has at most {limit} (the connection starts with \"{}\")",
                    first.unwrap_or_default()
                ),
            }
            .into()),
            Err(e) => Err(e.into()),
        }
    }
}

impl Decoder for HelloCodec {
    type Item = Hello;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Hello>, FrameError> {
        self.read(src, false)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Hello>, FrameError> {
        self.read(src, true)
    }
}

impl Encoder<Hello> for HelloCodec {
    type Error = FrameError;

    fn encode(&mut self, hello: Hello, dst: &mut BytesMut) -> Result<(), FrameError> {
        Ok(self.framing.write(&hello.encode()?, dst)?)
    }
}

/// The codec of a connection after the handshake: reads and writes [`Frame`]s of at most
/// [`MAX_FRAME_SIZE`] bytes.
///
/// # Examples
///
/// ```
/// use bytes::BytesMut;
/// use thespian::wire::frame::{Frame, FrameCodec};
/// use tokio_util::codec::{Decoder, Encoder};
///
/// let mut codec = FrameCodec::new();
/// let mut buf = BytesMut::new();
/// codec.encode(Frame::Ack { up_to: 7 }, &mut buf)?;
/// codec.encode(Frame::Bye, &mut buf)?;
/// assert_eq!(codec.decode(&mut buf)?, Some(Frame::Ack { up_to: 7 }));
/// assert_eq!(codec.decode(&mut buf)?, Some(Frame::Bye));
/// assert_eq!(codec.decode(&mut buf)?, None);
///
/// // A length prefix over the limit is refused before anything is buffered.
/// let mut hostile = BytesMut::from(&[0xFF, 0xFF, 0xFF, 0xFF, 0][..]);
/// let err = codec.decode(&mut hostile).expect_err("oversized");
/// assert_eq!(err.code(), Some(thespian::codes::T0011));
/// # Ok::<(), thespian::wire::frame::FrameError>(())
/// ```
#[derive(Debug)]
pub struct FrameCodec {
    framing: Framing,
}

impl FrameCodec {
    /// A codec for a connection whose handshake is done.
    pub fn new() -> Self {
        Self { framing: Framing::new(MAX_FRAME_SIZE, FRAME) }
    }
}

impl Default for FrameCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        match self.framing.next(src)? {
            Some(body) => Ok(Some(Frame::decode(body.chunk())?)),
            None => Ok(None),
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, FrameError> {
        match self.framing.last(src)? {
            Some(body) => Ok(Some(Frame::decode(body.chunk())?)),
            None => Ok(None),
        }
    }
}

impl Encoder<Frame> for FrameCodec {
    type Error = FrameError;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), FrameError> {
        self.encode(&frame, dst)
    }
}

impl Encoder<&Frame> for FrameCodec {
    type Error = FrameError;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), FrameError> {
        Ok(self.framing.write(&frame.encode()?, dst)?)
    }
}

/// Handshakes on a new connection: sends `ours`, reads the peer's [`Hello`], and returns it
/// with the connection framed for [`Frame`]s. Frames the peer sent right behind its
/// handshake are kept.
///
/// The peer's system, host and role are the caller's to check.
///
/// # Errors
///
/// [`FrameError::Wire`] if the peer is not a Thespian peer or speaks another protocol
/// version (see [`Hello::decode`]), [`FrameError::Io`] if the connection fails or closes
/// before the peer's handshake.
///
/// # Examples
///
/// ```
/// use thespian::wire::frame::{handshake, Hello, Role};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// let (admin, actor) = tokio::io::duplex(1024);
/// let (at_admin, at_actor) = runtime.block_on(async {
///     tokio::try_join!(
///         handshake(admin, Hello::new(7, 0, Role::Admin)),
///         handshake(actor, Hello::new(7, 1, Role::Actor)),
///     )
/// })?;
/// assert_eq!(at_admin.0.role, Role::Actor);
/// assert_eq!(at_actor.0.host, 0);
/// # Ok(())
/// # }
/// ```
pub async fn handshake<T>(io: T, ours: Hello) -> Result<(Hello, Framed<T, FrameCodec>), FrameError>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut framed = Framed::new(io, HelloCodec::new());
    framed.send(ours).await?;
    let theirs = match framed.next().await {
        Some(hello) => hello?,
        None => {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before the peer's handshake",
            )
            .into())
        }
    };
    Ok((theirs, framed.map_codec(|_| FrameCodec::new())))
}

/// Writes every frame queued in `frames` to `sink`, flushing only when the queue is empty,
/// until every sender of the queue is gone; returns how many frames it wrote.
///
/// One flush per batch instead of one per frame is what lets a connection carry millions of
/// small messages a second. While frames keep coming, the sink still writes out its buffer
/// whenever it fills (a [`Framed`] does past 8 KiB), so memory stays bounded.
///
/// # Errors
///
/// The sink's first error; the frames still queued stay in `frames`.
pub async fn write_batched<S>(frames: &mut mpsc::UnboundedReceiver<Frame>, sink: &mut S) -> Result<u64, S::Error>
where
    S: Sink<Frame> + Unpin,
{
    let mut written = 0;
    while let Some(frame) = frames.recv().await {
        sink.feed(frame).await?;
        written += 1;
        while let Ok(frame) = frames.try_recv() {
            sink.feed(frame).await?;
            written += 1;
        }
        sink.flush().await?;
    }
    Ok(written)
}
