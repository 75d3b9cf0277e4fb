//! The few system calls both sides need, each retried on `EINTR`.

use std::io::IoSlice;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::time::Instant;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{send, sendmsg, ControlMessage, MsgFlags, UnixAddr};

/// Waits until `fd` is readable (or closed) or `deadline` passes; `Ok(false)` on timeout.
pub(crate) fn wait_readable(fd: &impl AsFd, deadline: Instant) -> std::io::Result<bool> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // Round up so a deadline a fraction of a millisecond away is not a busy loop.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) if left.is_zero() => return Ok(false),
            Ok(0) => continue,
            Ok(_) => return Ok(true),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Writes all of `frame` to `sock`, the descriptor `fd` riding on its first bytes.
///
/// `MSG_NOSIGNAL`: a starter that is gone is an `EPIPE` error, never a `SIGPIPE`.
pub(crate) fn send_with_fd(sock: &UnixStream, frame: &[u8], fd: BorrowedFd<'_>) -> std::io::Result<()> {
    let fds = [fd.as_raw_fd()];
    let sent = loop {
        match sendmsg::<UnixAddr>(
            sock.as_raw_fd(),
            &[IoSlice::new(frame)],
            &[ControlMessage::ScmRights(&fds)],
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            Ok(n) => break n,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    // A stream socket may take part of a frame; the descriptor went with the first byte.
    send_all(sock, frame.get(sent..).unwrap_or_default())
}

/// Writes all of `bytes` to `sock`, with `MSG_NOSIGNAL`: a peer that is gone is an `EPIPE`
/// error, never a `SIGPIPE`, whatever the program did with that signal.
pub(crate) fn send_all(sock: &UnixStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        match send(sock.as_raw_fd(), bytes, MsgFlags::MSG_NOSIGNAL) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
