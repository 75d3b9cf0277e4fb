//! The zygote process: single-threaded, run from the role constructor, it forks one child per
//! request and reaps them all.

use std::collections::HashSet;
use std::io::ErrorKind;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::panic::{self, AssertUnwindSafe};

use nix::errno::Errno;
use nix::fcntl::{fcntl, open, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::prctl;
use nix::sys::signal::{kill, signal, SigHandler, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use nix::sys::stat::{fstat, Mode, SFlag};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{dup2_stdin, fork, getpid, getppid, ForkResult, Pid};

use super::proto::{self, FrameBuf, Report, Request, SpawnFailure};
use super::{ChildEntry, ChildStatus, EXIT_ORPHANED, EXIT_PANIC, EXIT_SETUP_FAILED};

/// A zygote's control socket, taken before the other constructors run.
pub(crate) struct Setup {
    ctl: UnixStream,
}

impl Setup {
    /// Takes the control socket the starter passed as standard input, gives standard input
    /// `/dev/null` instead (children inherit it), and closes every other inherited descriptor
    /// but standard output and error, so no child holds a descriptor it was not given.
    ///
    /// # Errors
    ///
    /// A description of the failure, for a standard input that is not a socket (the binary was
    /// run by hand with the role variable set) or a failed system call.
    pub(crate) fn take() -> Result<Self, String> {
        let stdin = std::io::stdin();
        let stat = fstat(stdin.as_fd()).map_err(|e| format!("standard input: {e}"))?;
        if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFSOCK {
            return Err("standard input is not the control socket of a starter".into());
        }
        let raw = fcntl(stdin.as_fd(), FcntlArg::F_DUPFD_CLOEXEC(3)).map_err(|e| format!("dup: {e}"))?;
        // SAFETY: `fcntl` just returned this new descriptor; nothing else owns it.
        let ctl = unsafe { OwnedFd::from_raw_fd(raw) };
        let null = open("/dev/null", OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|e| format!("/dev/null: {e}"))?;
        dup2_stdin(&null).map_err(|e| format!("dup2: {e}"))?;
        drop(null);
        close_inherited(ctl.as_raw_fd());
        Ok(Self { ctl: UnixStream::from(ctl) })
    }
}

/// Closes every descriptor above standard error but `keep`. Only called before the other
/// constructors run, when every such descriptor was inherited through `exec` and is owned by
/// no code of this process.
fn close_inherited(keep: RawFd) {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else { return };
    let fds: Vec<RawFd> =
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).filter(|&fd| fd > 2 && fd != keep).collect();
    for fd in fds {
        // The directory's own descriptor, closed by now, fails with EBADF: nothing to do.
        let _ = nix::unistd::close(fd);
    }
}

/// The zygote's state: its two descriptors and its live children.
struct Zygote {
    ctl: UnixStream,
    sigchld: SignalFd,
    frames: FrameBuf,
    children: HashSet<Pid>,
    pid: Pid,
}

/// Plays the zygote until the starter closes the control socket; never returns.
pub(crate) fn run(setup: Setup) -> ! {
    match Zygote::new(setup) {
        Ok(mut zygote) => {
            match zygote.serve() {
                Ok(()) => {}
                // The starter is gone, perhaps with frames unread: as good as end of file.
                Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {}
                Err(e) => eprintln!("thespian: zygote stops: {e}"),
            }
            zygote.shutdown()
        }
        Err(e) => {
            eprintln!("thespian: cannot act as a zygote: {e}");
            std::process::exit(EXIT_SETUP_FAILED)
        }
    }
}

impl Zygote {
    /// Ignores `SIGPIPE`, routes `SIGCHLD` to a `signalfd` and says hello to the starter.
    fn new(setup: Setup) -> std::io::Result<Self> {
        // SAFETY: single-threaded, and `SigIgn` installs no handler.
        unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) }?;
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGCHLD);
        // Blocked, SIGCHLD stays pending for the signalfd: no handler, so nothing
        // async-signal-unsafe can run in one.
        mask.thread_block()?;
        let sigchld = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;
        let mut zygote =
            Self { ctl: setup.ctl, sigchld, frames: FrameBuf::default(), children: HashSet::new(), pid: getpid() };
        zygote.send(&Report::Hello { magic: proto::MAGIC, version: proto::VERSION })?;
        Ok(zygote)
    }

    /// Serves requests and reaps children; `Ok` when the starter closed the control socket.
    fn serve(&mut self) -> std::io::Result<()> {
        loop {
            let (ctl_ready, child_ready) = {
                let mut fds = [
                    PollFd::new(self.ctl.as_fd(), PollFlags::POLLIN),
                    PollFd::new(self.sigchld.as_fd(), PollFlags::POLLIN),
                ];
                match poll(&mut fds, PollTimeout::NONE) {
                    Ok(_) => {}
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e.into()),
                }
                let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
                (ready(&fds[0]), ready(&fds[1]))
            };
            if child_ready {
                while let Ok(Some(_)) = self.sigchld.read_signal() {}
                self.reap()?;
            }
            if ctl_ready {
                if proto::read_some(&mut self.ctl, &mut self.frames)? == 0 {
                    return Ok(());
                }
                while let Some(request) = self.frames.next_frame().map_err(std::io::Error::other)? {
                    self.handle(request)?;
                }
            }
        }
    }

    /// Answers one request; `Err` only when the starter cannot be told.
    fn handle(&mut self, request: Request) -> std::io::Result<()> {
        let Request::Spawn { id, entry, payload, exec } = request;
        let entry = match ChildEntry::find(&entry) {
            Ok(entry) => entry,
            Err(reason) => return self.send(&Report::SpawnFailed { id, reason }),
        };
        match self.fork_child(entry, payload, exec) {
            Ok((pid, theirs)) => {
                self.children.insert(pid);
                let frame = proto::encode(&Report::Spawned { id, pid: pid.as_raw().unsigned_abs() })
                    .map_err(std::io::Error::other)?;
                super::os::send_with_fd(&self.ctl, &frame, theirs.as_fd())
                // `theirs` closes here: the starter holds the only copy now.
            }
            Err(e) => self.send(&Report::SpawnFailed { id, reason: SpawnFailure::Os(e.to_string()) }),
        }
    }

    /// Forks a child running `entry`; returns its pid and the starter's end of its socket.
    fn fork_child(&self, entry: &'static ChildEntry, payload: Vec<u8>, exec: bool) -> nix::Result<(Pid, OwnedFd)> {
        let (keep, pass) = socketpair(AddressFamily::Unix, SockType::Stream, None, SockFlag::SOCK_CLOEXEC)?;
        // SAFETY: the zygote is single-threaded, so the child's copy of its memory is
        // consistent; the child runs `child_main`, which never returns here.
        match unsafe { fork() }? {
            ForkResult::Parent { child } => Ok((child, pass)),
            ForkResult::Child => {
                drop(pass);
                self.child_main(entry, keep, payload, exec)
            }
        }
    }

    /// The child's side of a fork: watch the zygote, drop what is not the child's, run the
    /// entry point, exit with its code.
    fn child_main(&self, entry: &ChildEntry, sock: OwnedFd, payload: Vec<u8>, exec: bool) -> ! {
        // The zygote is single-threaded, so "the thread that forked us exits" is "the zygote
        // exits". It may have exited before this call: then the parent is no longer it.
        if prctl::set_pdeathsig(Signal::SIGKILL).is_err() {
            std::process::exit(EXIT_SETUP_FAILED);
        }
        if getppid() != self.pid {
            std::process::exit(EXIT_ORPHANED);
        }
        // SAFETY: this function never returns, so the zygote's owners of these two
        // descriptors are never dropped in this process: each is closed once, here.
        unsafe {
            drop(OwnedFd::from_raw_fd(self.ctl.as_raw_fd()));
            drop(OwnedFd::from_raw_fd(self.sigchld.as_raw_fd()));
        }
        // SAFETY: single-threaded; `SigIgn` installs no handler.
        if unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) }.is_err() || SigSet::empty().thread_set_mask().is_err()
        {
            std::process::exit(EXIT_SETUP_FAILED);
        }
        if exec {
            let reason = super::role::exec_child(entry.name, sock, &payload);
            eprintln!("thespian: cannot start process entry `{}` afresh: {reason}", entry.name);
            std::process::exit(EXIT_SETUP_FAILED);
        }
        std::process::exit(run_entry(entry, UnixStream::from(sock), payload))
    }

    /// Reaps every child that ended and reports it.
    fn reap(&mut self) -> std::io::Result<()> {
        loop {
            let (pid, status) = match waitpid(None::<Pid>, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(pid, code)) => (pid, ChildStatus::Exited(code)),
                Ok(WaitStatus::Signaled(pid, signal, _)) => (pid, ChildStatus::Signaled(signal as i32)),
                Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => return Ok(()),
                // Stops and continues are not asked for; nothing else ends a child.
                Ok(_) | Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            self.children.remove(&pid);
            self.send(&Report::Exited { pid: pid.as_raw().unsigned_abs(), status })?;
        }
    }

    /// Writes one report to the starter.
    fn send(&mut self, report: &Report) -> std::io::Result<()> {
        let frame = proto::encode(report).map_err(std::io::Error::other)?;
        super::os::send_all(&self.ctl, &frame)
    }

    /// The starter is gone: kill and reap every child, then exit.
    fn shutdown(mut self) -> ! {
        for &pid in &self.children {
            // A child that already ended is a zombie until reaped: its pid is still ours.
            let _ = kill(pid, Signal::SIGKILL);
        }
        for pid in std::mem::take(&mut self.children) {
            while let Err(Errno::EINTR) = waitpid(pid, None) {}
        }
        std::process::exit(0)
    }
}

/// Runs a child's entry point, a panic included: returns the child's exit code.
pub(crate) fn run_entry(entry: &ChildEntry, parent: UnixStream, payload: Vec<u8>) -> i32 {
    match panic::catch_unwind(AssertUnwindSafe(|| (entry.run)(parent, payload))) {
        Ok(code) => code,
        Err(_) => {
            eprintln!("thespian: process entry `{}` panicked; its process exits with code {EXIT_PANIC}", entry.name);
            EXIT_PANIC
        }
    }
}
