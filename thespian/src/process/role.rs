//! Taking a child role before `main`: the constructor in `.init_array.65535`, and
//! [`crate::init`] for programs that call it themselves.
//!
//! A process is in a role when its environment has [`ROLE_VAR`]; only a
//! [`Zygote`](super::Zygote) sets it, on the process it starts. Every other run of a binary that links
//! thespian (the program, its tests, doctests, trybuild builds) finds no role and goes on as
//! if nothing happened: one environment lookup.

use std::ffi::{c_char, c_int, OsString};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{zygote, EXIT_SETUP_FAILED, EXIT_UNKNOWN_ROLE};
use nix::sys::signal::{signal, SigHandler, Signal};

/// The environment variable naming the role a process takes.
pub(crate) const ROLE_VAR: &str = "THESPIAN_ROLE";

/// The value of [`ROLE_VAR`] for a zygote.
pub(crate) const ZYGOTE: &str = "zygote";

/// The value of [`ROLE_VAR`] for the admin of a multi-process system.
pub(crate) const ADMIN: &str = "admin";

/// Set once the environment was looked at, by the constructor or by [`init`].
static CLAIMED: AtomicBool = AtomicBool::new(false);

/// The signature the loader calls `.init_array` entries with (glibc passes `argc`, `argv`,
/// `envp`; other loaders pass nothing, which these entries tolerate as they ignore them).
type InitFn = unsafe extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char);

/// The role constructor. `.init_array.65535` sorts after every other numbered entry (so the
/// standard library has captured `argv`) and before the plain `.init_array` entries, which
/// [`run_following_init_entries`] runs.
#[used]
#[link_section = ".init_array.65535"]
static ROLE_CONSTRUCTOR: InitFn = role_constructor;

extern "C" {
    /// Linker-defined: the first entry of the executable's `.init_array`.
    static __init_array_start: InitFn;
    /// Linker-defined: one past the last entry of the executable's `.init_array`.
    static __init_array_end: InitFn;
}

/// Runs before `main`; returns at once unless the process was started in a role.
///
/// # Safety
///
/// Called by the loader only, with the arguments it gives every `.init_array` entry.
unsafe extern "C" fn role_constructor(argc: c_int, argv: *mut *mut c_char, envp: *mut *mut c_char) {
    let Some(role) = claim() else { return };
    let role = Role::prepare(role);
    // SAFETY: we are the loader's call of our own entry; the entries after it have not run.
    unsafe { run_following_init_entries(argc, argv, envp) };
    role.run()
}

/// [`crate::init`]: takes the role if the constructor did not (it was not linked, or the
/// target has none). The `inventory` registries are filled by then: `main` runs after them.
pub(crate) fn init() {
    if let Some(role) = claim() {
        Role::prepare(role).run()
    }
}

/// Makes sure the constructor is linked into every binary that can start a zygote: the
/// object file holding it is kept by the linker only if something refers to it.
pub(crate) fn ensure_linked() {
    std::hint::black_box(&ROLE_CONSTRUCTOR);
}

/// The role to take, read once and removed from the environment so nothing started from
/// this process inherits it.
fn claim() -> Option<OsString> {
    if CLAIMED.swap(true, Ordering::SeqCst) {
        return None;
    }
    let role = std::env::var_os(ROLE_VAR)?;
    // Before `main` (or first thing in it): no other thread reads the environment yet.
    std::env::remove_var(ROLE_VAR);
    Some(role)
}

/// Runs the `.init_array` entries that follow [`ROLE_CONSTRUCTOR`] (the plain, unnumbered
/// ones that fill `inventory` and `typetag` registries), since the constructor never returns
/// to the loader that would run them.
///
/// # Safety
///
/// Only from [`role_constructor`], called by the loader, once.
unsafe fn run_following_init_entries(argc: c_int, argv: *mut *mut c_char, envp: *mut *mut c_char) {
    // The linker defines both symbols around the executable's `.init_array`; only their
    // addresses are taken here.
    let (start, end) = (&raw const __init_array_start, &raw const __init_array_end);
    let me = &raw const ROLE_CONSTRUCTOR;
    let mut slot = start;
    let mut found = false;
    while slot < end {
        if found {
            // SAFETY: `slot` lies in `.init_array`, whose entries are relocated function
            // pointers by now; null and -1 are skipped as some toolchains pad with them.
            let raw = unsafe { slot.cast::<usize>().read() };
            if raw != 0 && raw != usize::MAX {
                // SAFETY: as above: an entry the loader would have called with these arguments.
                unsafe { (slot.read())(argc, argv, envp) };
            }
        }
        found |= slot == me;
        // SAFETY: `slot < end`, so one step stays within or one past the array.
        slot = unsafe { slot.add(1) };
    }
    if !found {
        eprintln!(
            "thespian: the role constructor is not in this executable's .init_array; registries \
             filled by constructors may be empty in this {ROLE_VAR} process"
        );
    }
}

/// A role, set up and ready to run.
enum Role {
    Zygote(zygote::Setup),
    Admin,
}

impl Role {
    /// Sets the role up before the other constructors run: a zygote takes its control socket
    /// from standard input and closes every descriptor it inherited by accident. Exits the
    /// process if that fails or the role is unknown.
    fn prepare(role: OsString) -> Self {
        if role == ADMIN {
            // Rust's runtime ignores SIGPIPE just before `main`, which the admin never
            // reaches: without this, the admin dies of the first write to an actor process
            // that has just ended, taking the whole system with it.
            // SAFETY: no other thread runs yet, and `SigIgn` installs no handler.
            if let Err(e) = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) } {
                eprintln!("thespian: the admin cannot ignore SIGPIPE: {e}");
                std::process::exit(EXIT_SETUP_FAILED);
            }
            return Role::Admin;
        }
        if role != ZYGOTE {
            eprintln!("thespian: unknown {ROLE_VAR} `{}`; this process exits", role.to_string_lossy());
            std::process::exit(EXIT_UNKNOWN_ROLE);
        }
        match zygote::Setup::take() {
            Ok(setup) => Role::Zygote(setup),
            Err(reason) => {
                eprintln!("thespian: cannot act as a zygote: {reason}");
                std::process::exit(EXIT_SETUP_FAILED)
            }
        }
    }

    /// Plays the role to its end; never returns.
    fn run(self) -> ! {
        match self {
            Role::Zygote(setup) => zygote::run(setup),
            Role::Admin => crate::bases::multiproc::admin::run(),
        }
    }
}
