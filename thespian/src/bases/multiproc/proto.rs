//! The runtime's own protocol between the processes of a multi-process system, carried in
//! [`Frame::Control`] frames, and the blocking framed I/O that actor processes and
//! programs use (the admin uses the same codec on tokio).

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use bytes::BytesMut;
use serde::{Deserialize, Serialize};
use tokio_util::codec::{Decoder, Encoder};

use super::logs::{InternalsLog, LogRecord};
use crate::api::address::ActorAddress;
use crate::api::capabilities::Capabilities;
use crate::api::error::ActorSystemError;
use crate::core::kernel::{AdminRequest, Envelope, HostEnd, SpawnOrder};
use crate::wire::frame::{Frame, FrameCodec, FrameError, Hello, HelloCodec};
use crate::wire::{WireEnvelope, WireError};

/// A block of host numbers the admin issued to one process, for the actor processes it
/// creates: `first .. first + count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HostBlock {
    pub(crate) first: u32,
    pub(crate) count: u32,
}

/// How many host numbers one [`HostBlock`] holds.
pub(crate) const HOST_BLOCK: u32 = 64;

/// A control message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Control {
    /// Program → admin, first after the handshake: the program's executable, which its
    /// actors run in; with `owner`, the system shuts down when this connection ends.
    Attach { program: PathBuf, owner: bool },
    /// Admin → program: its host number, the capabilities, a first block of host numbers.
    /// With `direct`, processes send to each other over direct connections (no "Admin
    /// Routing", spec §9.4).
    Welcome { host: u32, capabilities: Capabilities, hosts: HostBlock, direct: bool },
    /// Member → admin: another block of host numbers, please.
    MoreHosts,
    /// Admin → member: another block.
    Hosts(HostBlock),
    /// Member → admin: start this actor in a new process running `program`.
    Spawn { order: SpawnOrder, program: PathBuf },
    /// Admin → the program that asked for a top-level actor: it runs, or why it does not.
    Spawned { address: ActorAddress, outcome: Result<(), String> },
    /// Member → admin: who holds this global name (registering `candidate` if none does)?
    ClaimName { name: String, candidate: ActorAddress },
    /// Admin → member: `holder` holds `name`.
    NameHeld { name: String, holder: ActorAddress },
    /// Member → admin: a request for the registries.
    Admin(AdminRequest),
    /// Admin → every member: the capabilities changed.
    Capabilities(Capabilities),
    /// Admin → every member: this host's process is gone.
    HostLost(u32, HostEnd),
    /// Actor process → admin: its actor runs, or could not be built.
    /// With the address it takes direct connections on, unless the system routes all mail
    /// through the admin.
    Started { outcome: Result<(), String>, listening: Option<PeerAt> },
    /// Admin → actor process: how many messages and wakeups wait in your kernel? (For a
    /// system status, spec §7.13.) Answered with [`Control::Counts`] on the same link, so
    /// everything the process sent the admin before is handled first.
    Census(u64),
    /// Actor process → admin: the answer to [`Control::Census`].
    Counts { census: u64, messages: usize, wakeups: usize },
    /// Member → admin: answer [`Control::Synced`] once what this process sent before is
    /// applied (its requests to the registries, which must take effect before anything it
    /// sends afterwards reaches another process directly).
    Sync(u64),
    /// Admin → member: the answer to [`Control::Sync`].
    Synced(u64),
    /// Member → admin: where does `host` take direct connections?
    Locate(u32),
    /// Admin → member: the answer to [`Control::Locate`]; `None`: send through the admin.
    Located { host: u32, at: Option<PeerAt> },
    /// Member → admin → member `to`: `from` sends to `to` directly from now on; what it sent
    /// through the admin before is all ahead of this marker, so `to` delivers what comes
    /// directly only after it (per-sender order across the two routes).
    Marker { from: u32, to: u32 },
    /// Actor process → admin: its actors are gone; forward nothing more.
    Leaving,
    /// Admin → actor process: nothing more will be forwarded.
    Left,
    /// Program → admin: shut the system down.
    Shutdown,
    /// Admin → program: the system is down.
    ShutDown,
    /// Actor process → admin: an event its actor logged, for the admin's log (spec §4.13).
    Log(LogRecord),
}

impl Control {
    pub(crate) fn frame(&self) -> Frame {
        // A control message holds addresses, names and capabilities: it always encodes.
        Frame::Control { body: postcard::to_stdvec(self).unwrap_or_default() }
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Self, WireError> {
        crate::encoding::from_exact(body)
            .map_err(|e| WireError::Malformed { type_name: "control".to_string(), reason: e.to_string() })
    }
}

/// Where a process takes direct connections from the other processes of its system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PeerAt {
    /// A TCP port (`multiprocTCPBase`) or a UDP socket (`multiprocUDPBase`).
    Inet(SocketAddr),
    /// An abstract Unix socket, by name (`multiprocQueueBase`: local to one host).
    Unix(String),
}

impl std::fmt::Display for PeerAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Inet(at) => at.fmt(f),
            Self::Unix(name) => write!(f, "@{name}"),
        }
    }
}

/// What an actor process is started with (the zygote's spawn payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Boot {
    pub(crate) system: u64,
    pub(crate) base: String,
    pub(crate) order: SpawnOrder,
    pub(crate) capabilities: Capabilities,
    pub(crate) checks_capabilities: bool,
    pub(crate) hosts: HostBlock,
    /// The filter of the events the actor process forwards to the admin; none when `None`.
    pub(crate) forward: Option<String>,
    /// Where Thespian's internals in the actor process log.
    pub(crate) internals: InternalsLog,
    /// Where to take direct connections from other processes (port 0: any free one); `None`
    /// when every message goes through the admin ("Admin Routing", spec §9.4).
    pub(crate) listen: Option<IpAddr>,
    /// How long a thread waiting for the next message watches for it before it sleeps
    /// (`ActorSystemBuilder::reply_spin` of the program that started the system); `None`:
    /// the default.
    pub(crate) spin: Option<std::time::Duration>,
}

/// An envelope as a frame for a system of base `base`; a message that cannot be encoded, or
/// (on `multiprocUDPBase`) whose frame does not fit in one datagram, is the error, for poison.
pub(crate) fn envelope_frame(env: &Envelope, base: &str) -> Result<Frame, WireError> {
    let envelope = WireEnvelope::new(env.target.clone(), env.sender.clone(), env.message.as_ref())?;
    // Addresses and the length prefixes take far less than this.
    const ROOM: usize = 512;
    let near_limit = envelope.body.len() + envelope.type_name.len() + ROOM > super::udp::MAX_FRAME;
    let frame = Frame::Envelope { seq: 0, envelope };
    if base == super::UDP && near_limit {
        let size = frame.encode()?.len() + 4;
        if size > super::udp::MAX_FRAME {
            return Err(WireError::TooLarge { size, limit: super::udp::MAX_FRAME });
        }
    }
    Ok(frame)
}

/// An envelope from a frame; a body that does not decode is the error.
pub(crate) fn open_envelope(wire: WireEnvelope) -> Result<Envelope, WireError> {
    let (target, sender) = (wire.target.clone(), wire.sender.clone());
    Ok(Envelope { target, sender, message: wire.open()? })
}

/// The most one read of a [`Reader`] asks for.
const READ_WINDOW: usize = 256 * 1024;

/// The size of a [`Reader`]'s scratch buffer: small frames are read through it.
const SCRATCH: usize = 16 * 1024;

/// The reading half of a blocking connection.
pub(crate) struct Reader<R: Read> {
    input: R,
    codec: FrameCodec,
    buf: BytesMut,
    /// Zeroed once: reads that take small frames land here and are copied, so that no read
    /// zeroes a window of `buf` it mostly does not fill.
    scratch: Box<[u8]>,
}

impl<R: Read> Reader<R> {
    pub(crate) fn new(input: R) -> Self {
        let scratch = vec![0; SCRATCH].into_boxed_slice();
        Self { input, codec: FrameCodec::new(), buf: BytesMut::with_capacity(64 * 1024), scratch }
    }

    /// The next frame; `None` at a clean end of the stream.
    pub(crate) fn next(&mut self) -> Result<Option<Frame>, FrameError> {
        loop {
            if let Some(frame) = self.codec.decode(&mut self.buf)? {
                return Ok(Some(frame));
            }
            if self.fill(|input, buf| retry(|| input.read(buf)).map(Some))? == Some(0) {
                return self.codec.decode_eof(&mut self.buf);
            }
        }
    }

    /// Reads once into the buffer with `read`; what it returns (`None`: nothing to read
    /// now). A large frame, whose whole size the codec reserved, is read in place, a zeroed
    /// window of at most READ_WINDOW bytes at a time (so zeroed once); small ones through
    /// the scratch buffer.
    fn fill(
        &mut self,
        mut read: impl FnMut(&mut R, &mut [u8]) -> io::Result<Option<usize>>,
    ) -> io::Result<Option<usize>> {
        if self.buf.capacity() - self.buf.len() > SCRATCH {
            let start = self.buf.len();
            let room = (self.buf.capacity() - start).min(READ_WINDOW);
            self.buf.resize(start + room, 0);
            let read = read(&mut self.input, &mut self.buf[start..]);
            self.buf.truncate(start + read.as_ref().ok().copied().flatten().unwrap_or(0));
            read
        } else {
            let read = read(&mut self.input, &mut self.scratch)?;
            if let Some(n) = read {
                self.buf.extend_from_slice(&self.scratch[..n]);
            }
            Ok(read)
        }
    }
}

/// What one [`Reader::take_now`] found: whole frames, then the stream's end (`Ok`) or how
/// reading it failed, if that came after them.
pub(crate) struct Batch {
    pub(crate) frames: Vec<Frame>,
    pub(crate) end: Option<Result<(), FrameError>>,
}

impl Reader<super::conn::PeerStream> {
    /// Reads what the connection holds now, without waiting, for the next
    /// [`Reader::next`]; true if anything came, or its end, or an error (which `next`
    /// meets again).
    pub(crate) fn fill_now(&mut self) -> bool {
        !matches!(self.fill(|input, buf| input.read_now(buf)), Ok(None))
    }

    /// The whole frames buffered, or, when there are none, those that one read of what the
    /// connection holds now brings: never more than one read, and no waiting.
    pub(crate) fn take_now(&mut self) -> Batch {
        let mut batch = Batch { frames: Vec::new(), end: None };
        let mut read = false;
        loop {
            match self.codec.decode(&mut self.buf) {
                Ok(Some(frame)) => {
                    batch.frames.push(frame);
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    batch.end = Some(Err(e));
                    return batch;
                }
            }
            if read || !batch.frames.is_empty() {
                return batch;
            }
            read = true;
            match self.fill(|input, buf| input.read_now(buf)) {
                Ok(None) => return batch,
                Ok(Some(0)) => {
                    batch.end = Some(match self.codec.decode_eof(&mut self.buf) {
                        Ok(last) => {
                            batch.frames.extend(last);
                            Ok(())
                        }
                        Err(e) => Err(e),
                    });
                    return batch;
                }
                Ok(Some(_)) => {}
                Err(e) => {
                    batch.end = Some(Err(e.into()));
                    return batch;
                }
            }
        }
    }

    /// Part of a frame is buffered, the rest still to come (a large frame, usually).
    pub(crate) fn mid_frame(&self) -> bool {
        !self.buf.is_empty()
    }
}

/// `read`, again when a signal interrupted it.
fn retry(mut read: impl FnMut() -> io::Result<usize>) -> io::Result<usize> {
    loop {
        match read() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// The handshake of a blocking connection: sends `ours`, reads the peer's, and not a byte
/// more (what follows is the [`Reader`]'s).
pub(crate) fn handshake<S: Read + Write>(stream: &mut S, ours: Hello) -> Result<Hello, FrameError> {
    let mut codec = HelloCodec::new();
    let mut buf = BytesMut::new();
    codec.encode(ours, &mut buf)?;
    stream.write_all(&buf)?;
    buf.clear();
    let mut prefix = [0u8; 4];
    stream.read_exact(&mut prefix)?;
    buf.extend_from_slice(&prefix);
    // The codec refuses an oversized length before anything more is read.
    if let Some(hello) = codec.decode(&mut buf)? {
        return Ok(hello);
    }
    let size = u32::from_be_bytes(prefix) as usize;
    let mut body = vec![0u8; size];
    stream.read_exact(&mut body)?;
    buf.extend_from_slice(&body);
    codec
        .decode_eof(&mut buf)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "closed during the handshake").into())
}

/// A startup failure with this reason.
pub(crate) fn startup(reason: impl Into<String>) -> ActorSystemError {
    ActorSystemError::ActorSystemStartupFailure { reason: reason.into() }
}
