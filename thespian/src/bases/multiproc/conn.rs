//! The connections of actor processes and programs, and the writing half that never makes
//! its caller wait for the peer.
//!
//! Two processes that send each other more than their sockets buffer must both keep
//! reading, or each waits for the other to read first. So a [`Writer`] writes what the
//! socket takes at once, without blocking, and leaves the rest to a thread of its own (its
//! drain, started the first time a socket is full) that waits for the peer to read. Frames
//! keep their order: while the drain holds bytes, later ones queue behind them. The thread
//! that runs the kernel waits only when too much is queued ([`Writer::congested`]), and
//! never while it holds the lock the reader threads file what arrives under.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use nix::sys::socket::{send, MsgFlags};
use tokio_util::codec::Encoder;

use super::proto::Control;
use super::udp;
use crate::wire::frame::{Frame, FrameCodec, FrameError};

/// A connection of an actor process or a program: TCP, a stream on the process's UDP socket
/// (`multiprocUDPBase`), or a Unix socket (`multiprocQueueBase`, and an actor process's
/// connection to the admin).
pub(crate) enum PeerStream {
    Tcp(TcpStream),
    Udp(udp::Stream),
    Unix(UnixStream),
}

impl PeerStream {
    pub(crate) fn try_clone(&self) -> io::Result<Self> {
        Ok(match self {
            Self::Tcp(s) => Self::Tcp(s.try_clone()?),
            Self::Udp(s) => Self::Udp(s.clone()),
            Self::Unix(s) => Self::Unix(s.try_clone()?),
        })
    }

    /// Closes the connection both ways: a thread reading or writing it returns.
    pub(crate) fn shutdown(&self) {
        match self {
            Self::Tcp(s) => drop(s.shutdown(std::net::Shutdown::Both)),
            Self::Udp(s) => s.shutdown(),
            Self::Unix(s) => drop(s.shutdown(std::net::Shutdown::Both)),
        }
    }

    /// Ends the reading side: a thread waiting for input sees the end.
    pub(crate) fn shutdown_read(&self) {
        match self {
            Self::Tcp(s) => drop(s.shutdown(std::net::Shutdown::Read)),
            Self::Udp(_) => {}
            Self::Unix(s) => drop(s.shutdown(std::net::Shutdown::Read)),
        }
    }

    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) {
        match self {
            Self::Tcp(s) => drop(s.set_read_timeout(timeout)),
            Self::Udp(s) => s.set_read_timeout(timeout),
            Self::Unix(s) => drop(s.set_read_timeout(timeout)),
        }
    }

    /// Waits until the socket has input, its end or an error, or `also` is readable, or
    /// `timeout` passes (false); a signal ends the wait early (true). A UDP stream is never
    /// waited on this way.
    pub(crate) fn wait_input(&self, also: std::os::fd::BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
        use nix::poll::{PollFd, PollFlags};
        let fd = match self {
            Self::Udp(_) => return Err(io::ErrorKind::Unsupported.into()),
            Self::Tcp(s) => s.as_fd(),
            Self::Unix(s) => s.as_fd(),
        };
        let wait = poll_timeout(timeout);
        match nix::poll::poll(&mut [PollFd::new(fd, PollFlags::POLLIN), PollFd::new(also, PollFlags::POLLIN)], wait) {
            Ok(n) => Ok(n > 0),
            Err(nix::errno::Errno::EINTR) => Ok(true),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads what the socket holds now, without waiting: `None` when it holds nothing (and
    /// always on a UDP stream, which its socket's own thread reads), `Some(0)` at its end.
    pub(crate) fn read_now(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        let fd = match self {
            Self::Udp(_) => return Ok(None),
            Self::Tcp(s) => s.as_fd().as_raw_fd(),
            Self::Unix(s) => s.as_fd().as_raw_fd(),
        };
        recv_now(fd, buf)
    }

    /// Hands what the peer has not confirmed to the `admin`, in order (UDP only: what TCP
    /// accepted is the kernel's to deliver).
    pub(crate) fn hand_back(&self, admin: &mut Writer) {
        if let Self::Udp(s) = self {
            // The handshake is the stream's own, not mail.
            let hello = |frame: &Vec<u8>| frame.get(4..8) == Some(&crate::wire::frame::MAGIC[..]);
            let frames: Vec<_> = s.take_unconfirmed().into_iter().filter(|f| !hello(f)).collect();
            if !frames.is_empty() {
                tracing::debug!(peer = %s.peer(), frames = frames.len(), "unconfirmed frames go through the admin");
            }
            for frame in frames {
                if admin.send_encoded(&frame).is_err() {
                    return;
                }
            }
        }
    }

    /// Writes what the socket takes now; `Ok(0)` when it takes nothing. A UDP stream takes
    /// everything (it queues what the network has not carried yet).
    fn write_now(&mut self, buf: &[u8]) -> io::Result<usize> {
        let fd = match self {
            Self::Udp(s) => return s.write(buf),
            Self::Tcp(s) => s.as_fd().as_raw_fd(),
            Self::Unix(s) => s.as_fd().as_raw_fd(),
        };
        match send(fd, buf, MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL) {
            Ok(n) => Ok(n),
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}

impl Read for PeerStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.read(buf),
            Self::Udp(s) => s.read(buf),
            Self::Unix(s) => read_unix(s, buf),
        }
    }
}

/// Reads what socket `fd` holds now, without waiting: `None` when it holds nothing yet.
fn recv_now(fd: std::os::fd::RawFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    match nix::sys::socket::recv(fd, buf, MsgFlags::MSG_DONTWAIT) {
        Ok(n) => Ok(Some(n)),
        Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `poll`'s timeout for a wait of `timeout` (`None`: no timeout): whole milliseconds, at
/// least one, so that no caller loops busily on the last fraction.
pub(crate) fn poll_timeout(timeout: Option<Duration>) -> nix::poll::PollTimeout {
    use nix::poll::PollTimeout;
    timeout.map_or(PollTimeout::NONE, |t| {
        PollTimeout::try_from(t.max(Duration::from_millis(1))).unwrap_or(PollTimeout::MAX)
    })
}

/// Reads a Unix socket, waiting for input in `poll` rather than in the read.
///
/// A thread blocked reading a Unix stream socket is woken each time the peer reads what
/// this end wrote (the kernel tells every thread waiting on the socket that there is room
/// to write), to find nothing and sleep again: a context switch per message each way, on
/// the CPU the answer needs. `poll` for input wakes for input only. The socket's read
/// timeout applies as to a plain read.
fn read_unix(socket: &UnixStream, buf: &mut [u8]) -> io::Result<usize> {
    use nix::poll::{PollFd, PollFlags};
    let fd = socket.as_fd().as_raw_fd();
    // When the read timeout ends, taken once a read found nothing (`Some(None)`: never).
    let mut deadline: Option<Option<Instant>> = None;
    loop {
        if let Some(n) = recv_now(fd, buf)? {
            return Ok(n);
        }
        let deadline = match deadline {
            Some(deadline) => deadline,
            None => *deadline.insert(socket.read_timeout()?.map(|timeout| Instant::now() + timeout)),
        };
        let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        if left.is_some_and(|left| left.is_zero()) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let wait = poll_timeout(left);
        let mut fds = [PollFd::new(socket.as_fd(), PollFlags::POLLIN)];
        match nix::poll::poll(&mut fds, wait) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

impl Write for PeerStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.write(buf),
            Self::Udp(s) => s.write(buf),
            Self::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.flush(),
            Self::Udp(s) => s.flush(),
            Self::Unix(s) => s.flush(),
        }
    }
}

/// Past this many encoded bytes, [`Writer::send`] hands them to the socket.
const WRITE_BUFFER: usize = 64 * 1024;

/// Past this many bytes queued for one peer, the thread that runs the kernel waits
/// ([`Writer::congested`]) before it runs more handlers: a fast sender is slowed to its
/// reader's pace instead of queueing without bound.
pub(crate) const CONGESTED: usize = 8 * 1024 * 1024;

/// The writing half of a connection. Its methods never wait for the peer.
pub(crate) struct Writer {
    out: PeerStream,
    codec: FrameCodec,
    /// Frames encoded since the last [`Writer::flush`].
    buf: BytesMut,
    queue: Arc<Queue>,
}

/// What a [`Writer`] could not write at once, shared with its drain thread.
struct Queue {
    state: Mutex<Queued>,
    /// Signalled when bytes are queued for the drain, and when the drain wrote some.
    changed: Condvar,
}

#[derive(Default)]
struct Queued {
    /// Bytes the drain has not taken yet, behind those it holds.
    bytes: BytesMut,
    /// Bytes the drain holds and has not written yet.
    draining: usize,
    /// The drain thread runs.
    started: bool,
    /// Why writing failed: nothing more is written.
    failed: Option<String>,
    /// The writer is gone: the drain ends once it has written everything.
    closed: bool,
}

impl Queued {
    fn pending(&self) -> usize {
        self.bytes.len() + self.draining
    }
}

impl Writer {
    pub(crate) fn new(out: PeerStream) -> Self {
        let queue = Arc::new(Queue { state: Mutex::new(Queued::default()), changed: Condvar::new() });
        Self { out, codec: FrameCodec::new(), buf: BytesMut::new(), queue }
    }

    /// Encodes `frame` for the next [`Writer::flush`]. On a UDP stream, a frame that does
    /// not fit in one datagram is refused here, before anything of it is written, so the
    /// connection stays usable: [`WireError::TooLarge`](crate::wire::WireError::TooLarge).
    pub(crate) fn send(&mut self, frame: &Frame) -> Result<(), FrameError> {
        let start = self.buf.len();
        if let Err(e) = self.codec.encode(frame, &mut self.buf) {
            self.buf.truncate(start);
            return Err(e);
        }
        let size = self.buf.len() - start;
        if matches!(self.out, PeerStream::Udp(_)) && size > udp::MAX_FRAME {
            self.buf.truncate(start);
            return Err(crate::wire::WireError::TooLarge { size, limit: udp::MAX_FRAME }.into());
        }
        if self.buf.len() >= WRITE_BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    pub(crate) fn control(&mut self, control: &Control) -> Result<(), FrameError> {
        self.send(&control.frame())
    }

    /// Sends a frame encoded already (its length prefix included).
    pub(crate) fn send_encoded(&mut self, frame: &[u8]) -> Result<(), FrameError> {
        self.buf.extend_from_slice(frame);
        if self.buf.len() >= WRITE_BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// Whether frames were sent since the last [`Writer::flush`].
    pub(crate) fn has_unflushed(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Hands what was sent to the socket: what it does not take at once goes to the drain
    /// thread. Fails once writing has failed.
    pub(crate) fn flush(&mut self) -> Result<(), FrameError> {
        if self.buf.is_empty() {
            return self.queue.lock().failed.as_ref().map_or(Ok(()), |reason| Err(failed(reason)));
        }
        let mut queued = self.queue.lock();
        if let Some(reason) = &queued.failed {
            return Err(failed(reason));
        }
        if queued.pending() == 0 {
            // Nothing ahead of these bytes: the socket may take them now.
            while !self.buf.is_empty() {
                match self.out.write_now(&self.buf) {
                    Ok(0) => break,
                    Ok(n) => drop(self.buf.split_to(n)),
                    Err(e) => {
                        queued.failed = Some(e.to_string());
                        self.buf.clear();
                        return Err(e.into());
                    }
                }
            }
            if self.buf.is_empty() {
                return Ok(());
            }
        }
        queued.bytes.unsplit(self.buf.split());
        if !queued.started {
            queued.started = true;
            self.start_drain(&mut queued)?;
        }
        self.queue.changed.notify_all();
        Ok(())
    }

    fn start_drain(&self, queued: &mut Queued) -> Result<(), FrameError> {
        let queue = Arc::clone(&self.queue);
        let out = self.out.try_clone()?;
        let started = std::thread::Builder::new().name("thespian-drain".to_string()).spawn(move || queue.drain(out));
        if let Err(e) = started {
            queued.failed = Some(format!("cannot start the thread that writes to a full socket: {e}"));
            queued.bytes.clear();
            return Err(e.into());
        }
        Ok(())
    }

    /// Whether more than [`CONGESTED`] bytes wait for the peer; if so, the thread that runs
    /// the kernel waits for them with [`Congestion::wait`], holding no lock.
    pub(crate) fn congested(&self) -> Option<Congestion> {
        (self.queue.lock().pending() > CONGESTED).then(|| Congestion(Arc::clone(&self.queue)))
    }

    /// What waits until everything sent so far is written: see [`Congestion::wait`].
    pub(crate) fn finishing(&mut self) -> Congestion {
        let _ = self.flush();
        Congestion(Arc::clone(&self.queue))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.flush();
        self.queue.lock().closed = true;
        self.queue.changed.notify_all();
    }
}

/// A failure of an earlier write.
fn failed(reason: &str) -> FrameError {
    io::Error::new(io::ErrorKind::BrokenPipe, format!("an earlier write failed: {reason}")).into()
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Queued> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The drain thread: writes what is queued, waiting for the peer as long as it takes,
    /// until the writer is gone and everything is written, or writing fails.
    fn drain(&self, mut out: PeerStream) {
        let mut queued = self.lock();
        loop {
            if queued.bytes.is_empty() {
                if queued.closed {
                    return;
                }
                queued = self.changed.wait(queued).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            let mut bytes = queued.bytes.split();
            queued.draining = bytes.len();
            drop(queued);
            let mut outcome = Ok(());
            while !bytes.is_empty() {
                match out.write(&bytes) {
                    Ok(0) => {
                        outcome = Err("the peer takes no more".to_string());
                        break;
                    }
                    Ok(n) => {
                        drop(bytes.split_to(n));
                        let mut queued = self.lock();
                        queued.draining = bytes.len();
                        drop(queued);
                        self.changed.notify_all();
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        outcome = Err(e.to_string());
                        break;
                    }
                }
            }
            queued = self.lock();
            queued.draining = 0;
            self.changed.notify_all();
            if let Err(reason) = outcome {
                tracing::debug!(%reason, "a connection failed while writing");
                queued.failed = Some(reason);
                queued.bytes.clear();
                return;
            }
        }
    }
}

/// Bytes queued for a peer, to wait for.
pub(crate) struct Congestion(Arc<Queue>);

impl Congestion {
    /// Waits until at most `limit` bytes are queued, writing failed, or `deadline` passed.
    pub(crate) fn wait(&self, limit: usize, deadline: Option<Instant>) {
        let mut queued = self.0.lock();
        while queued.pending() > limit && queued.failed.is_none() {
            queued = match deadline {
                None => self.0.changed.wait(queued).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return;
                    }
                    self.0.changed.wait_timeout(queued, deadline - now).unwrap_or_else(PoisonError::into_inner).0
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bases::multiproc::proto::Reader;

    /// Frames numbered `0..count`, each `size` bytes of its number.
    fn frames(count: u8, size: usize) -> impl Iterator<Item = Frame> {
        (0..count).map(move |n| Frame::Control { body: vec![n; size] })
    }

    #[test]
    fn design_3_a_writer_never_waits_for_a_peer_that_does_not_read() -> Result<(), Box<dyn std::error::Error>> {
        let (ours, theirs) = UnixStream::pair()?;
        let mut writer = Writer::new(PeerStream::Unix(ours));
        // Far more than the socket buffers, with nobody reading yet: every call returns.
        for frame in frames(100, 100_000) {
            writer.send(&frame)?;
            writer.flush()?;
        }
        let congestion = writer.congested().ok_or("10 MB queued is congested")?;
        let mut reader = Reader::new(theirs);
        for expected in frames(100, 100_000) {
            assert_eq!(reader.next()?, Some(expected), "in order, whole");
        }
        congestion.wait(0, Some(Instant::now() + Duration::from_secs(10)));
        assert!(writer.congested().is_none());
        Ok(())
    }

    #[test]
    fn design_3_a_write_that_failed_fails_the_next_flush() -> Result<(), Box<dyn std::error::Error>> {
        let (ours, theirs) = UnixStream::pair()?;
        let mut writer = Writer::new(PeerStream::Unix(ours));
        drop(theirs);
        let sent = frames(1, 10).try_for_each(|frame| writer.send(&frame).and_then(|()| writer.flush()));
        assert!(sent.is_err(), "a closed peer is an error");
        assert!(writer.flush().is_err(), "and stays one");
        Ok(())
    }

    #[test]
    fn design_3_a_unix_read_waits_for_input_keeps_its_timeout_and_sees_the_end(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let (ours, mut theirs) = UnixStream::pair()?;
        let mut ours = PeerStream::Unix(ours);
        let mut buf = [0; 16];
        assert_eq!(ours.read_now(&mut buf)?, None, "nothing was written");
        ours.set_read_timeout(Some(Duration::from_millis(20)));
        let timed_out = ours.read(&mut buf).map_err(|e| e.kind());
        assert_eq!(timed_out, Err(io::ErrorKind::WouldBlock), "the read timeout still ends a read");
        ours.set_read_timeout(None);
        let writer = std::thread::spawn(move || {
            theirs.write_all(b"late")?;
            Ok::<_, io::Error>(theirs)
        });
        // Waits in `poll` until the other thread writes, then reads it.
        assert_eq!(ours.read(&mut buf)?, 4);
        assert_eq!(&buf[..4], b"late");
        let theirs = writer.join().map_err(|_| "the writer panicked")??;
        drop(theirs);
        assert_eq!(ours.read_now(&mut buf)?, Some(0), "the end of the stream is there at once");
        assert_eq!(ours.read(&mut buf)?, 0, "and a read returns it too");
        Ok(())
    }
}
