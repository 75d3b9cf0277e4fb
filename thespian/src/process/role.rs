//! Taking a child role before `main`: the constructor in `.init_array.65535`, and
//! [`crate::init`] for programs that call it themselves.
//!
//! A process is in a role when its environment has [`ROLE_VAR`]; only a
//! [`Zygote`](super::Zygote) sets it, on the process it starts. Every other run of a binary that links
//! thespian (the program, its tests, doctests, trybuild builds) finds no role and goes on as
//! if nothing happened: one environment lookup.
//!
//! The code of the zygote and of a fresh child is in this module; the admin's is the
//! multi-process bases' own, registered as a [`RoleEntry`], so that the process model never
//! calls up into the bases that use it.

use std::ffi::{c_char, c_int, OsString};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{zygote, EXIT_SETUP_FAILED, EXIT_UNKNOWN_ROLE};
use nix::sys::signal::{signal, SigHandler, Signal};

/// The environment variable naming the role a process takes.
pub(crate) const ROLE_VAR: &str = "THESPIAN_ROLE";

/// The value of [`ROLE_VAR`] for a zygote.
pub(crate) const ZYGOTE: &str = "zygote";

/// The value of [`ROLE_VAR`] for the admin of a multi-process system. Its code is the
/// [`RoleEntry`] of this name, which the multi-process bases register.
pub(crate) const ADMIN: &str = "admin";

/// The value of [`ROLE_VAR`] for a zygote's child that executed the program afresh (the
/// "spawn" Process Startup Method): it runs one entry point, then exits.
pub(crate) const CHILD: &str = "child";

/// A fresh child's entry point, by name.
const CHILD_ENTRY_VAR: &str = "THESPIAN_CHILD_ENTRY";
/// A fresh child's socket to its starter, by descriptor number.
const CHILD_SOCKET_VAR: &str = "THESPIAN_CHILD_SOCKET";
/// A fresh child's payload: a memory file, by descriptor number.
const CHILD_PAYLOAD_VAR: &str = "THESPIAN_CHILD_PAYLOAD";

/// In a zygote's forked child: executes the program afresh in the [`CHILD`] role, which
/// runs `entry` with `socket` and `payload` (handed over in a memory file, since a payload
/// may be larger than an environment variable may be). Returns only on failure, with why.
pub(crate) fn exec_child(entry: &str, socket: std::os::fd::OwnedFd, payload: &[u8]) -> String {
    use std::io::{Seek as _, Write as _};
    use std::os::fd::AsRawFd as _;
    use std::os::unix::process::CommandExt as _;

    let memfd = match nix::sys::memfd::memfd_create("thespian-payload", nix::sys::memfd::MFdFlags::empty()) {
        Ok(fd) => fd,
        Err(e) => return format!("memfd_create: {e}"),
    };
    let mut file = std::fs::File::from(memfd);
    if let Err(e) = file.write_all(payload).and_then(|()| file.rewind()) {
        return format!("cannot hand over the payload: {e}");
    }
    // The socket crosses `exec`; the memory file was made without close-on-exec.
    let keep = nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty());
    if let Err(e) = nix::fcntl::fcntl(&socket, keep) {
        return format!("cannot keep the socket: {e}");
    }
    let error = std::process::Command::new("/proc/self/exe")
        .env(ROLE_VAR, CHILD)
        .env(CHILD_ENTRY_VAR, entry)
        .env(CHILD_SOCKET_VAR, socket.as_raw_fd().to_string())
        .env(CHILD_PAYLOAD_VAR, file.as_raw_fd().to_string())
        .exec();
    format!("exec: {error}")
}

/// A fresh child's setup, read from its environment before the other constructors run.
struct Fresh {
    entry: String,
    socket: std::os::fd::OwnedFd,
    payload: std::fs::File,
}

impl Fresh {
    fn take() -> Result<Self, String> {
        let var = |name: &str| {
            let value = std::env::var(name).map_err(|_| format!("no {name}"));
            std::env::remove_var(name);
            value
        };
        let fd = |name: &str| -> Result<std::os::fd::RawFd, String> {
            var(name)?.parse().map_err(|_| format!("{name} is no descriptor number"))
        };
        let (entry, socket, payload) = (var(CHILD_ENTRY_VAR)?, fd(CHILD_SOCKET_VAR)?, fd(CHILD_PAYLOAD_VAR)?);
        let open = |fd: std::os::fd::RawFd| {
            // Only a descriptor that is open may be owned, and closed, here.
            // SAFETY: borrowed for this one call, which fails harmlessly if it is not open.
            nix::fcntl::fcntl(unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }, nix::fcntl::FcntlArg::F_GETFD)
                .map_err(|e| format!("descriptor {fd}: {e}"))
        };
        open(socket)?;
        open(payload)?;
        use std::os::fd::FromRawFd as _;
        // SAFETY: both were passed to this process for it alone, are open (checked above),
        // and are owned by nothing else in it: each is closed once, by these owners.
        let (socket, payload) =
            unsafe { (std::os::fd::OwnedFd::from_raw_fd(socket), std::fs::File::from_raw_fd(payload)) };
        Ok(Self { entry, socket, payload })
    }

    /// Runs the entry point (the registries are full by now); never returns.
    fn run(mut self) -> ! {
        use std::io::Read as _;
        let mut payload = Vec::new();
        if let Err(e) = self.payload.read_to_end(&mut payload) {
            eprintln!("thespian: a fresh child cannot read its payload: {e}");
            std::process::exit(EXIT_SETUP_FAILED);
        }
        drop(self.payload);
        let code = match super::ChildEntry::find(&self.entry) {
            Ok(entry) => zygote::run_entry(entry, std::os::unix::net::UnixStream::from(self.socket), payload),
            Err(reason) => {
                eprintln!("thespian: a fresh child has no entry point `{}`: {reason:?}", self.entry);
                EXIT_SETUP_FAILED
            }
        };
        std::process::exit(code)
    }
}

/// The code of a role that a layer above this one provides, registered with `inventory` by
/// that layer: the admin's, `inventory::submit! { RoleEntry::new(ADMIN, run) }` in the
/// multi-process bases, the way actor processes register their [`ChildEntry`](super::ChildEntry).
/// The process model names the role and sets the process up for it; the role's code runs
/// once the registries are filled.
pub(crate) struct RoleEntry {
    name: &'static str,
    run: fn() -> !,
}

impl RoleEntry {
    /// The code of the role named `name`; `run` plays it to its end.
    pub(crate) const fn new(name: &'static str, run: fn() -> !) -> Self {
        Self { name, run }
    }

    /// Runs the code registered for the role `name`; a binary with none exits with
    /// [`EXIT_SETUP_FAILED`].
    fn run(name: &str) -> ! {
        match inventory::iter::<RoleEntry>.into_iter().find(|entry| entry.name == name) {
            Some(entry) => (entry.run)(),
            None => {
                eprintln!("thespian: no code is registered for the {ROLE_VAR} `{name}`; this process exits");
                std::process::exit(EXIT_SETUP_FAILED)
            }
        }
    }
}

inventory::collect!(RoleEntry);

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
    Child(Fresh),
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
        if role == CHILD {
            return match Fresh::take() {
                Ok(fresh) => Role::Child(fresh),
                Err(reason) => {
                    eprintln!("thespian: cannot act as a fresh child: {reason}");
                    std::process::exit(EXIT_SETUP_FAILED)
                }
            };
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
            Role::Admin => RoleEntry::run(ADMIN),
            Role::Child(fresh) => fresh.run(),
        }
    }
}
