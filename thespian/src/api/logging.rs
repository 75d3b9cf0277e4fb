//! [`Logging`]: how a system sets up logging, chosen when it is built and applied by the
//! bases (a multi-process base forwards what its actor processes log).

/// How the system sets up logging (spec §4.13, the `logDefs` argument).
///
/// Whatever an actor logs while it is built or handles a message can carry the actor's
/// address, as the field `actor_address` of a span named `actor` (the spec's
/// "actorAddress"). The span has the target `thespian::actor` and level INFO, so it is on
/// only when the filter enables that target at INFO: `RUST_LOG=warn,thespian::actor=info`
/// (or `Logging::Filter("warn,thespian::actor=info".into())`) prints warnings only, each
/// from an actor prefixed with `actor{actor_address=..}`. Off, it costs nothing worth
/// measuring; on, it adds some 40 ns to each message delivered.
///
/// On `multiprocTCPBase` each actor process forwards what its actor logs (as far as the
/// filter lets it through) to the admin, which writes it where this setting says, each line
/// with `actor_address`: to its standard error for `Default` and `Filter`, to the file for
/// `File`; with `Off` nothing is forwarded. Thespian's own events in the admin and actor
/// processes go to the file `THESPLOG_FILE` names (default `thespian.log` in the temporary
/// directory), rotated once to `{file}.old` at `THESPLOG_FILE_MAXSIZE` bytes (default 50 KB),
/// from the level `THESPLOG_THRESHOLD` (default `WARNING`) up, read from the environment of
/// the program that starts the system (spec §4.13.1).
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let path = std::env::temp_dir().join(format!("thespian-doc-{}.log", std::process::id()));
/// let logging = Logging::File { path: path.clone(), filter: "warn".to_string() };
/// let asys = ActorSystem::builder().logging(logging).build()?;
/// asys.shutdown()?;
/// # let _ = std::fs::remove_file(&path);
/// # Ok(()) }
/// ```
#[doc(alias("logDefs", "actorAddress", "THESPLOG_FILE", "THESPLOG_FILE_MAXSIZE", "THESPLOG_THRESHOLD"))]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Logging {
    /// Install a `tracing` subscriber printing warnings and above (or what `RUST_LOG` says) to
    /// standard error,
    /// unless the program already installed one.
    #[default]
    Default,
    /// Install a subscriber with this filter (`tracing_subscriber::EnvFilter` syntax), unless
    /// the program already installed one.
    Filter(String),
    /// Append what is logged to the file at `path`, with this filter
    /// (`tracing_subscriber::EnvFilter` syntax, `"warn"` for warnings and above). On a
    /// multi-process base the admin writes every actor process's events there, so a daemon
    /// admin, which has no terminal, keeps its actors' logs.
    File {
        /// The file, created if missing and appended to.
        path: std::path::PathBuf,
        /// Which events are written.
        filter: String,
    },
    /// Leave logging alone (the spec's `logDefs=False`): for tests and hosts with their own.
    /// On a multi-process base, actor processes then forward nothing to the admin.
    Off,
}

impl Logging {
    /// Installs the subscriber this setting asks for, unless one is installed already.
    pub(crate) fn install(&self) {
        let filter = match self {
            Self::Off => return,
            Self::Default => tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            Self::Filter(f) | Self::File { filter: f, .. } => tracing_subscriber::EnvFilter::new(f),
        };
        // Each fails only if a subscriber is already installed, which is then left alone.
        if let Self::File { path, .. } = self {
            // A file that cannot be opened leaves this program's events unwritten; the
            // system starts all the same.
            if let Ok(file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                let _ = tracing_subscriber::fmt()
                    .with_env_filter(filter)
                    .with_writer(std::sync::Mutex::new(file))
                    .with_ansi(false)
                    .try_init();
            }
            return;
        }
        use std::io::IsTerminal as _;
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init();
    }
}
