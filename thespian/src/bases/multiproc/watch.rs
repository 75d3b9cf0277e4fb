//! The Watch extension in an actor process (spec §4.8): a thread polls the descriptors the
//! actor watches while the process's main thread waits on its link, and files what is ready
//! in the link's state, as the reader thread files what arrives.
//!
//! The main thread *arms* the poller with the kernel's watched descriptors whenever they
//! change, and after each report (the poller stops polling what it reported, so that data
//! not read yet is not reported again and again). Arming writes a byte to a socket pair the
//! poller polls as well, so a poller asleep on an old set wakes up for the new one.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, PoisonError};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout};

use super::link::Link;

/// What the poller reported, for the kernel's [`handle_ready`](crate::core::kernel::Kernel::handle_ready).
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    /// Watched descriptors with data to read (or at their end).
    pub(crate) ready: Vec<i32>,
    /// Watched descriptors that are not open.
    pub(crate) invalid: Vec<i32>,
}

impl Readiness {
    pub(crate) fn is_empty(&self) -> bool {
        self.ready.is_empty() && self.invalid.is_empty()
    }
}

/// The set the main thread armed, numbered so the poller sees a new arming of the same set.
#[derive(Default)]
struct Armed {
    fds: Vec<i32>,
    generation: u64,
}

/// The main thread's handle on the poller thread.
pub(crate) struct Watcher {
    armed: Arc<Mutex<Armed>>,
    /// Written to wake the poller.
    wake: UnixStream,
    /// The set last armed, and whether the poller reported since (so must be re-armed).
    current: Vec<i32>,
    reported: bool,
}

impl Watcher {
    /// Starts the poller thread; it files its reports in `link`'s state.
    pub(crate) fn start(link: &Arc<Link>) -> std::io::Result<Self> {
        let (wake, woken) = UnixStream::pair()?;
        woken.set_nonblocking(true)?;
        wake.set_nonblocking(true)?;
        let armed = Arc::new(Mutex::new(Armed::default()));
        let poller = Poller { armed: Arc::clone(&armed), woken, link: Arc::clone(link) };
        std::thread::Builder::new().name("thespian-watch".to_string()).spawn(move || poller.run())?;
        Ok(Self { armed, wake, current: Vec::new(), reported: false })
    }

    /// Notes that the poller's report was taken: it polls nothing until armed again.
    pub(crate) fn reported(&mut self) {
        self.reported = true;
    }

    /// Polls `fds` from now on (sorted, as [`Kernel::watched_fds`](crate::core::kernel::Kernel::watched_fds)
    /// gives them), unless the poller is already polling exactly them.
    pub(crate) fn arm(&mut self, fds: Vec<i32>) {
        if fds == self.current && !self.reported {
            return;
        }
        self.reported = false;
        self.current.clone_from(&fds);
        {
            let mut armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
            armed.fds = fds;
            armed.generation += 1;
        }
        // A full socket buffer means the poller has wake-ups pending already.
        if let Err(e) = (&self.wake).write(&[1]) {
            if e.kind() != ErrorKind::WouldBlock {
                tracing::warn!(error = %e, "cannot wake the thread that polls watched file descriptors");
            }
        }
    }
}

/// The poller thread's side.
struct Poller {
    armed: Arc<Mutex<Armed>>,
    woken: UnixStream,
    link: Arc<Link>,
}

impl Poller {
    fn run(self) {
        // The generation whose set was reported: nothing is polled until the next one.
        let mut reported = None;
        loop {
            let (fds, generation) = {
                let armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
                (armed.fds.clone(), armed.generation)
            };
            let fds = if reported == Some(generation) { Vec::new() } else { fds };
            let Some(readiness) = self.poll_once(&fds) else { return };
            if readiness.is_empty() {
                continue;
            }
            reported = Some(generation);
            let mut state = self.link.lock();
            state.watch.ready.extend(readiness.ready);
            state.watch.invalid.extend(readiness.invalid);
            drop(state);
            self.link.wake();
        }
    }

    /// Waits until the waker or one of `fds` is ready; `None` if the poller must stop.
    fn poll_once(&self, fds: &[i32]) -> Option<Readiness> {
        // SAFETY: `borrow_raw` needs the descriptor open while borrowed. These borrows live
        // only for the `poll` below, which reads nothing but the descriptor's readiness; a
        // descriptor the actor closed meanwhile is reported by `poll` as POLLNVAL, which is
        // the case handled below, and no I/O is done on any of them here.
        let watched = fds.iter().map(|&fd| unsafe { BorrowedFd::borrow_raw(fd) });
        let mut polled: Vec<PollFd<'_>> =
            std::iter::once(self.woken.as_fd()).chain(watched).map(|fd| PollFd::new(fd, PollFlags::POLLIN)).collect();
        match nix::poll::poll(&mut polled, PollTimeout::NONE) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => {
                // Too many descriptors, or no memory: report them all as unusable so that
                // the watch is dropped (and logged) rather than polled in a loop.
                tracing::warn!(error = %e, "polling the watched file descriptors failed");
                return Some(Readiness { ready: Vec::new(), invalid: fds.to_vec() });
            }
        }
        let woken = polled[0].revents().is_some_and(|r| !r.is_empty());
        if woken && !self.drain() {
            return None;
        }
        let mut readiness = Readiness::default();
        for (pfd, &fd) in polled[1..].iter().zip(fds) {
            let revents = pfd.revents().unwrap_or_else(PollFlags::empty);
            if revents.contains(PollFlags::POLLNVAL) {
                readiness.invalid.push(fd);
            } else if revents.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
                readiness.ready.push(fd);
            }
        }
        Some(readiness)
    }

    /// Empties the waker; false once the main thread's side is gone.
    fn drain(&self) -> bool {
        let mut buf = [0u8; 64];
        loop {
            match (&self.woken).read(&mut buf) {
                Ok(0) => return false,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) => {
                    tracing::warn!(error = %e, fd = self.woken.as_raw_fd(), "the watch thread's waker failed");
                    return false;
                }
            }
        }
    }
}
