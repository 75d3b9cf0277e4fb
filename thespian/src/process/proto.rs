//! The control protocol between a starter and its zygote, and the framing both sides share.
//!
//! A frame is a little-endian `u32` length followed by that many bytes of a postcard-encoded
//! [`Request`] (starter → zygote) or [`Report`] (zygote → starter). The length is checked
//! against [`MAX_FRAME_SIZE`] before anything is buffered or decoded. The socket of a new
//! child travels as `SCM_RIGHTS` ancillary data on the bytes of its [`Report::Spawned`]
//! frame; the receiver queues descriptors in arrival order, and since a descriptor arrives
//! no later than the first byte it was sent with, the next queued one belongs to the next
//! `Spawned` frame decoded.

use std::collections::VecDeque;
use std::io::{IoSliceMut, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use nix::errno::Errno;
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, UnixAddr};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub(crate) use crate::encoding::MAX_FRAME_SIZE;

/// The first bytes of a zygote's [`Report::Hello`], so a program that merely writes to its
/// standard input is not taken for a zygote.
pub(crate) const MAGIC: [u8; 8] = *b"thespZyg";

/// The version of this protocol; a zygote of another version is refused at the handshake.
pub(crate) const VERSION: u32 = 1;

/// What a starter asks of its zygote.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    /// Fork a child that runs the entry point `entry` with `payload`.
    Spawn {
        /// Chosen by the starter; the answer carries it back.
        id: u64,
        /// The name of a registered [`ChildEntry`](super::ChildEntry).
        entry: String,
        /// Handed to the entry point as it is.
        #[serde(with = "serde_bytes")]
        payload: Vec<u8>,
        /// The child executes the program afresh before it runs the entry point (the
        /// "spawn" Process Startup Method), instead of running it in the forked copy.
        exec: bool,
    },
}

/// What a zygote tells its starter.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Report {
    /// The first frame: the zygote took its role.
    Hello {
        /// Always [`MAGIC`].
        magic: [u8; 8],
        /// The zygote's [`VERSION`].
        version: u32,
    },
    /// The child of request `id` runs as `pid`; its socket rides on this frame.
    Spawned {
        /// The request's id.
        id: u64,
        /// The child's process id.
        pid: u32,
    },
    /// Request `id` started no child.
    SpawnFailed {
        /// The request's id.
        id: u64,
        /// Why.
        reason: SpawnFailure,
    },
    /// A child ended and was reaped.
    Exited {
        /// The child's process id.
        pid: u32,
        /// How it ended.
        status: super::ChildStatus,
    },
}

/// Why a zygote started no child.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum SpawnFailure {
    /// No [`ChildEntry`](super::ChildEntry) of that name is linked into the binary.
    NoSuchEntry,
    /// More than one [`ChildEntry`](super::ChildEntry) has that name.
    Ambiguous,
    /// `socketpair` or `fork` failed with this error text.
    Os(String),
}

/// A frame that breaks the protocol.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ProtoError {
    /// The length prefix exceeds [`MAX_FRAME_SIZE`].
    #[error("a control frame of {0} bytes exceeds the limit of {MAX_FRAME_SIZE} bytes")]
    Oversized(usize),
    /// The bytes do not decode as the expected message.
    #[error("a control frame does not decode: {0}")]
    Malformed(String),
    /// A `Spawned` frame came without a socket.
    #[error("a spawned child's socket did not arrive with its frame")]
    MissingSocket,
}

/// Encodes `msg` as one frame.
pub(crate) fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, ProtoError> {
    let mut frame = postcard::to_extend(msg, vec![0; 4]).map_err(|e| ProtoError::Malformed(e.to_string()))?;
    let len = frame.len() - 4;
    let prefix = u32::try_from(len).ok().filter(|&l| l as usize <= MAX_FRAME_SIZE).ok_or(ProtoError::Oversized(len))?;
    frame[..4].copy_from_slice(&prefix.to_le_bytes());
    Ok(frame)
}

/// Bytes received and not yet decoded, cut into frames.
#[derive(Debug, Default)]
pub(crate) struct FrameBuf {
    buf: Vec<u8>,
}

impl FrameBuf {
    /// Appends received bytes.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame decoded, `None` until one is complete.
    ///
    /// # Errors
    ///
    /// [`ProtoError::Oversized`] as soon as a length prefix exceeds the limit (nothing more
    /// is buffered for it), [`ProtoError::Malformed`] for a frame that does not decode.
    pub(crate) fn next_frame<T: DeserializeOwned>(&mut self) -> Result<Option<T>, ProtoError> {
        let Some(prefix) = self.buf.first_chunk::<4>() else { return Ok(None) };
        let len = u32::from_le_bytes(*prefix) as usize;
        if len > MAX_FRAME_SIZE {
            return Err(ProtoError::Oversized(len));
        }
        let Some(body) = self.buf.get(4..4 + len) else { return Ok(None) };
        let msg = postcard::from_bytes(body).map_err(|e| ProtoError::Malformed(e.to_string()))?;
        self.buf.drain(..4 + len);
        Ok(Some(msg))
    }
}

/// Why reading the next frame failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    /// The peer closed its end.
    #[error("the peer closed the control socket")]
    Eof,
    /// No complete frame before the deadline.
    #[error("no answer in time")]
    Timeout,
    /// The socket failed.
    #[error("reading the control socket failed: {0}")]
    Io(#[from] std::io::Error),
    /// The peer broke the protocol.
    #[error(transparent)]
    Proto(#[from] ProtoError),
}

/// The reading half of a control socket: frames, plus the descriptors that came with them.
#[derive(Debug)]
pub(crate) struct FrameReader {
    sock: UnixStream,
    frames: FrameBuf,
    fds: VecDeque<OwnedFd>,
}

/// The most descriptors one `recvmsg` accepts; each `Spawned` frame carries one.
const FDS_PER_READ: usize = 4;

impl FrameReader {
    /// Reads frames from `sock`.
    pub(crate) fn new(sock: UnixStream) -> Self {
        Self { sock, frames: FrameBuf::default(), fds: VecDeque::new() }
    }

    /// The next frame, waiting at most until `deadline` (forever for `None`).
    ///
    /// # Errors
    ///
    /// [`ReadError`] when the peer closes, the deadline passes, the socket fails or the peer
    /// sends a frame that breaks the protocol.
    pub(crate) fn next_frame<T: DeserializeOwned>(
        &mut self,
        deadline: Option<std::time::Instant>,
    ) -> Result<T, ReadError> {
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some(msg) = self.frames.next_frame()? {
                return Ok(msg);
            }
            if let Some(deadline) = deadline {
                if !super::os::wait_readable(&self.sock, deadline)? {
                    return Err(ReadError::Timeout);
                }
            }
            let n = self.recv(&mut buf)?;
            if n == 0 {
                return Err(ReadError::Eof);
            }
            self.frames.extend(&buf[..n]);
        }
    }

    /// The descriptor that came with the `Spawned` frame just decoded.
    pub(crate) fn take_fd(&mut self) -> Result<OwnedFd, ProtoError> {
        self.fds.pop_front().ok_or(ProtoError::MissingSocket)
    }

    /// One `recvmsg`, retried on `EINTR`; received descriptors are queued, close-on-exec.
    fn recv(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut cmsg = nix::cmsg_space!([std::os::fd::RawFd; FDS_PER_READ]);
        loop {
            let mut iov = [IoSliceMut::new(buf)];
            let msg =
                match recvmsg::<UnixAddr>(self.sock.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::MSG_CMSG_CLOEXEC)
                {
                    Ok(msg) => msg,
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e.into()),
                };
            // `cmsgs` refuses (ENOBUFS) when descriptors were cut off: they are lost, so the
            // stream of frames and descriptors no longer lines up; treat it as a failure.
            for c in msg.cmsgs()? {
                if let ControlMessageOwned::ScmRights(fds) = c {
                    for fd in fds {
                        // SAFETY: the kernel just installed `fd` in this process for us;
                        // nothing else owns it.
                        self.fds.push_back(unsafe { OwnedFd::from_raw_fd(fd) });
                    }
                }
            }
            return Ok(msg.bytes);
        }
    }
}

/// Reads what is available from a socket that carries no descriptors (the zygote's side),
/// retried on `EINTR`; `Ok(0)` is end of file.
pub(crate) fn read_some(sock: &mut UnixStream, frames: &mut FrameBuf) -> std::io::Result<usize> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match sock.read(&mut buf) {
            Ok(n) => {
                frames.extend(&buf[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::ChildStatus;

    fn decode_all(bytes: &[u8]) -> Result<Vec<Report>, ProtoError> {
        let mut frames = FrameBuf::default();
        frames.extend(bytes);
        let mut out = Vec::new();
        while let Some(r) = frames.next_frame()? {
            out.push(r);
        }
        Ok(out)
    }

    #[test]
    fn spec_9_3_control_frames_round_trip_byte_by_byte() -> Result<(), ProtoError> {
        let reports = [
            Report::Hello { magic: MAGIC, version: VERSION },
            Report::Spawned { id: 7, pid: 1234 },
            Report::Exited { pid: 1234, status: ChildStatus::Signaled(9) },
            Report::SpawnFailed { id: 8, reason: SpawnFailure::NoSuchEntry },
        ];
        let mut bytes = Vec::new();
        for r in &reports {
            bytes.extend(encode(r)?);
        }
        // Fed one byte at a time, frames come out whole and in order.
        let mut frames = FrameBuf::default();
        let mut out = Vec::new();
        for b in &bytes {
            frames.extend(std::slice::from_ref(b));
            if let Some(r) = frames.next_frame::<Report>()? {
                out.push(r);
            }
        }
        assert_eq!(out, reports);
        Ok(())
    }

    #[test]
    fn spec_9_3_an_oversized_control_frame_is_refused_before_it_is_buffered() {
        let prefix = u32::try_from(MAX_FRAME_SIZE + 1).unwrap_or(u32::MAX).to_le_bytes();
        assert_eq!(decode_all(&prefix), Err(ProtoError::Oversized(MAX_FRAME_SIZE + 1)));
    }

    #[test]
    fn spec_9_3_a_malformed_control_frame_is_a_typed_error() {
        // A variant index no `Report` has.
        let frame = [1, 0, 0, 0, 200];
        assert!(matches!(decode_all(&frame), Err(ProtoError::Malformed(_))));
        // A frame cut short is not an error, only incomplete.
        assert_eq!(decode_all(&[9, 0, 0]), Ok(vec![]));
    }
}
