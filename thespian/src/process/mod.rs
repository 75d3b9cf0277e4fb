//! Starting actor processes and reaping them: the process model of the multi-process bases
//! (spec §9.3–§9.5). Linux only; on other targets the multi-process bases are unsupported.
//!
//! # Why the user's own binary, in a child role
//!
//! Rust cannot ship an actor's code to another process, so an actor process is the program
//! itself, started again in a *role*. The role is taken before `main` by a constructor in
//! `.init_array.65535` ([`role`]), so it works where libtest owns `main` too (unit and
//! integration tests, doctests, nextest). The constructor must fill the `inventory`
//! registries first: they are plain `.init_array` entries, which the loader runs after every
//! numbered one, so the constructor runs the entries that follow it itself, takes the role and
//! never returns (returning would run them twice). Programs may also call [`crate::init`]
//! first thing in `main`; it does the same and is harmless where the constructor already ran.
//!
//! # Why a zygote
//!
//! A starter runs threads (tokio, libtest), and forking a multi-threaded process is unsound;
//! `pre_exec` is both that and slow (it copies the page tables of a large parent). So the
//! starter executes its binary once, with `std::process::Command`, in the *zygote* role
//! ([`Zygote::start`]). The zygote runs from the constructor, before `main`: single-threaded,
//! no runtime. For every [`Zygote::spawn`] it creates a socket pair, forks a child that keeps
//! one end and runs a registered [`ChildEntry`], and passes the other end back by
//! `SCM_RIGHTS`. A fork of that small process is cheap to start and to keep.
//!
//! # Why reaping in layers
//!
//! No process may outlive the system that started it, whichever way that system ends:
//!
//! 1. *Dropping* a [`Zygote`] closes its control socket; the zygote kills and reaps its
//!    children, then exits; the drop waits for it (and kills it if it does not).
//! 2. A *panicking* starter drops the zygote while unwinding: layer 1.
//! 3. A starter *killed* outright (`kill -9`, abort) closes nothing itself, but the kernel
//!    closes its descriptors: the zygote sees end of file on its control socket: layer 1
//!    without the wait.
//! 4. A zygote killed outright: every child set `PR_SET_PDEATHSIG(SIGKILL)` and then checked
//!    that its parent is still the zygote (it could have died before the `prctl`). The death
//!    signal follows the *thread* that forked, which is why only the single-threaded zygote
//!    forks, never the starter.
//! 5. A child whose starter dropped its socket sees end of file there: the entry point's rule.
//!
//! The zygote reaps every child (`waitpid` after a `SIGCHLD` read from a `signalfd`, so no
//! signal handler runs) and reports each exit to the starter ([`Zygote::take_exits`]).
//!
//! Every descriptor is close-on-exec unless passed on purpose; a child holds only standard
//! output and error, a null standard input and its own socket, ignores `SIGPIPE`, and ends
//! with code [`EXIT_PANIC`] if its entry point panics.
//!
//! # Where it sits
//!
//! Under the bases, over the encoding and the Actor API's errors only (see `layers.rs`): the
//! bases start zygotes and admins through it, and register the code of their processes,
//! [`ChildEntry`] for an actor process and a [`RoleEntry`](role::RoleEntry) for the admin,
//! so that nothing here calls up into them.

mod os;
mod proto;
pub(crate) mod role;
mod starter;
mod zygote;

use std::os::unix::net::UnixStream;

use serde::{Deserialize, Serialize};

pub use starter::{ChildExit, ChildProcess, Zygote, ZygoteBuilder, MAX_PAYLOAD};

/// The exit code of a child whose entry point panicked (the same as a Rust program's).
pub const EXIT_PANIC: i32 = 101;
/// The exit code of a child whose zygote was gone before the child could watch it.
pub const EXIT_ORPHANED: i32 = 120;
/// The exit code of a role that could not be set up (no control socket, a failed `prctl`).
pub const EXIT_SETUP_FAILED: i32 = 121;
/// The exit code of a process started with a role this binary does not know.
pub const EXIT_UNKNOWN_ROLE: i32 = 122;

/// An entry point a zygote's child can run, chosen by name in [`Zygote::spawn`].
///
/// Register one with `inventory` (re-exported as `thespian::__private::inventory`); it must
/// be linked into the binary, which every process of a system runs.
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use std::os::unix::net::UnixStream;
/// use thespian::__private::process::ChildEntry;
///
/// fn greet(mut parent: UnixStream, payload: Vec<u8>) -> i32 {
///     // A child's rule: end when the parent's socket says so or fails.
///     match parent.write_all(&payload) {
///         Ok(()) => 0,
///         Err(_) => 1,
///     }
/// }
///
/// thespian::__private::inventory::submit! { ChildEntry::new("my_app::greet", greet) }
/// ```
#[derive(Debug)]
pub struct ChildEntry {
    name: &'static str,
    run: fn(UnixStream, Vec<u8>) -> i32,
}

impl ChildEntry {
    /// An entry point named `name`: `run` gets the child's socket and the request's payload,
    /// and returns the child's exit code.
    pub const fn new(name: &'static str, run: fn(UnixStream, Vec<u8>) -> i32) -> Self {
        Self { name, run }
    }

    /// The one entry point registered under `name`.
    fn find(name: &str) -> Result<&'static ChildEntry, proto::SpawnFailure> {
        let mut named = inventory::iter::<ChildEntry>.into_iter().filter(|e| e.name == name);
        match (named.next(), named.next()) {
            (Some(entry), None) => Ok(entry),
            (None, _) => Err(proto::SpawnFailure::NoSuchEntry),
            (Some(_), Some(_)) => Err(proto::SpawnFailure::Ambiguous),
        }
    }
}

inventory::collect!(ChildEntry);

/// How a child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChildStatus {
    /// It exited with this code.
    Exited(i32),
    /// A signal of this number ended it.
    Signaled(i32),
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    use super::{ChildEntry, Zygote};

    fn shout(mut parent: UnixStream, payload: Vec<u8>) -> i32 {
        i32::from(parent.write_all(&payload.to_ascii_uppercase()).is_err())
    }

    fn twin(_parent: UnixStream, _payload: Vec<u8>) -> i32 {
        0
    }

    inventory::submit! { ChildEntry::new("unit::shout", shout) }
    inventory::submit! { ChildEntry::new("unit::twin", twin) }
    inventory::submit! { ChildEntry::new("unit::twin", twin) }

    /// DESIGN §3: the role constructor works in a unit-test binary too, where libtest owns
    /// `main`, and the entries registered in it are found.
    #[test]
    fn spec_9_3_a_unit_test_binary_takes_the_zygote_role() -> Result<(), Box<dyn std::error::Error>> {
        let zygote = Zygote::start()?;
        let mut text = String::new();
        zygote.spawn("unit::shout", b"hello")?.into_socket().read_to_string(&mut text)?;
        assert_eq!(text, "HELLO");
        Ok(())
    }

    #[test]
    fn spec_9_3_two_entries_of_one_name_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let zygote = Zygote::start()?;
        let err = zygote.spawn("unit::twin", b"").err().ok_or("an ambiguous entry spawned")?;
        assert!(err.to_string().contains("two process entries are named `unit::twin`"), "{err}");
        Ok(())
    }
}
