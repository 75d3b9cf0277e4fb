//! Logging in a multi-process system (spec §4.13, §4.13.1; DESIGN §5).
//!
//! - An actor process installs a subscriber whose [`Forward`] layer turns each event its
//!   actor logs, and the builder's [`Logging`] enables, into a [`LogRecord`]; the records
//!   travel to the admin on the process's link, ahead of the frames the actor sent after
//!   logging them ([`drain`]), and the admin writes them where the setting says.
//! - Thespian's own events ([`is_internal`]) go, in every admin and actor process, to the
//!   file `THESPLOG_FILE` ([`InternalsLog`]), rotated once at `THESPLOG_FILE_MAXSIZE`
//!   bytes, from `THESPLOG_THRESHOLD` up.
//!
//! Logging never blocks or fails an actor or the admin: a record that finds the queue full
//! is counted and dropped, and a file that cannot be written loses the line.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::filter::{filter_fn, EnvFilter, FilterExt as _};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::Registry;
use tracing_subscriber::util::SubscriberInitExt as _;

use super::conn::Writer;
use super::proto::Control;
use crate::api::address::ActorAddress;
use crate::api::logging::Logging;

/// The file Thespian's internals log to (spec §4.13.1).
pub(crate) const FILE_VAR: &str = "THESPLOG_FILE";
/// The size at which that file is rotated, in bytes.
pub(crate) const MAXSIZE_VAR: &str = "THESPLOG_FILE_MAXSIZE";
/// The lowest level written to that file.
pub(crate) const THRESHOLD_VAR: &str = "THESPLOG_THRESHOLD";

/// `THESPLOG_FILE_MAXSIZE` when it is not set: 50 KB, as in Python Thespian.
const DEFAULT_MAXSIZE: u64 = 50 * 1024;

/// How many records an actor process holds for the admin before it drops them.
const QUEUE: usize = 16 * 1024;

/// How the processes of a multi-process system log: decided by the program that starts the
/// admin, from the builder's [`Logging`] and the `THESPLOG_*` variables in its environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LogConfig {
    /// What actors' events the admin writes, and where; `None` for [`Logging::Off`].
    pub(crate) actors: Option<ActorLogs>,
    pub(crate) internals: InternalsLog,
}

/// Where the admin writes actors' events, and which ones actor processes forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ActorLogs {
    /// An `EnvFilter` directive string.
    pub(crate) filter: String,
    /// Appended to; the admin's standard error when `None`.
    pub(crate) file: Option<PathBuf>,
}

impl LogConfig {
    /// The configuration `logging` describes, with the internals file from the environment.
    pub(crate) fn new(logging: &Logging) -> Self {
        let default_filter = || std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_string());
        let actors = match logging {
            Logging::Off => None,
            Logging::Default => Some(ActorLogs { filter: default_filter(), file: None }),
            Logging::Filter(filter) => Some(ActorLogs { filter: filter.clone(), file: None }),
            Logging::File { path, filter } => Some(ActorLogs {
                filter: filter.clone(),
                // The admin may run elsewhere than the program's working directory.
                file: Some(std::path::absolute(path).unwrap_or_else(|_| path.clone())),
            }),
        };
        Self { actors, internals: InternalsLog::from_env() }
    }
}

/// Where and from which level Thespian's internals log (spec §4.13.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InternalsLog {
    pub(crate) path: PathBuf,
    pub(crate) max_size: u64,
    /// A `tracing` level name (`error` .. `debug`).
    pub(crate) threshold: String,
}

impl InternalsLog {
    /// From `THESPLOG_FILE`, `THESPLOG_FILE_MAXSIZE` and `THESPLOG_THRESHOLD`.
    pub(crate) fn from_env() -> Self {
        let var = |name| std::env::var(name).ok();
        Self::from_vars(var(FILE_VAR), var(MAXSIZE_VAR), var(THRESHOLD_VAR))
    }

    /// From the variables' values; a value that does not parse is its default.
    pub(crate) fn from_vars(file: Option<String>, max_size: Option<String>, threshold: Option<String>) -> Self {
        let path = file
            .filter(|f| !f.trim().is_empty())
            .map_or_else(|| std::env::temp_dir().join("thespian.log"), PathBuf::from);
        let max_size = max_size.and_then(|s| s.trim().parse().ok()).unwrap_or(DEFAULT_MAXSIZE);
        let threshold = threshold_level(threshold.as_deref().unwrap_or("WARNING")).to_string();
        Self { path: std::path::absolute(&path).unwrap_or(path), max_size, threshold }
    }

    fn level(&self) -> LevelFilter {
        self.threshold.parse().unwrap_or(LevelFilter::WARN)
    }
}

/// The `tracing` level of a `THESPLOG_THRESHOLD` (Python's level names; `tracing` has no
/// CRITICAL, so it is ERROR). An unknown name is the default, WARNING.
fn threshold_level(name: &str) -> LevelFilter {
    match name.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" | "ERROR" => LevelFilter::ERROR,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        "TRACE" => LevelFilter::TRACE,
        _ => LevelFilter::WARN,
    }
}

/// Whether an event is one of Thespian's internals, rather than an actor's: its target is in
/// this crate and it is about no actor (it has no `actor_address` field).
pub(crate) fn is_internal(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    (target == "thespian" || target.starts_with("thespian::")) && meta.fields().field("actor_address").is_none()
}

/// A file written up to `max_size` bytes, then moved to `{path}.old` (replacing the last
/// one) and started again. A file that cannot be opened or written loses what was written.
pub(crate) struct RotatingFile {
    path: PathBuf,
    max_size: u64,
    file: Option<File>,
}

impl RotatingFile {
    pub(crate) fn new(path: PathBuf, max_size: u64) -> Self {
        Self { path, max_size, file: None }
    }

    fn old(&self) -> PathBuf {
        let mut old = self.path.clone().into_os_string();
        old.push(".old");
        PathBuf::from(old)
    }

    fn open(path: &Path) -> Option<File> {
        OpenOptions::new().create(true).append(true).open(path).ok()
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() {
            self.file = Self::open(&self.path);
        }
        // The size on disk, not what this process wrote: others append to the file too.
        let size = self.file.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
        if size > 0 && size + buf.len() as u64 > self.max_size {
            self.file = None;
            let _ = std::fs::rename(&self.path, self.old());
            self.file = Self::open(&self.path);
        }
        if let Some(file) = &mut self.file {
            let _ = file.write_all(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer shared by the threads of a process, one whole line at a time; a failed write
/// loses the line.
#[derive(Clone)]
pub(crate) struct Sink(Arc<Mutex<Box<dyn Write + Send>>>);

impl Sink {
    pub(crate) fn new(out: impl Write + Send + 'static) -> Self {
        Self(Arc::new(Mutex::new(Box::new(out))))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = out.write_all(buf).and_then(|()| out.flush());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Sink {
    type Writer = Sink;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// The layer writing Thespian's internals to their file.
fn internals_layer(config: &InternalsLog) -> BoxedLayer {
    let threshold = config.level();
    let file = Sink::new(RotatingFile::new(config.path.clone(), config.max_size));
    tracing_subscriber::fmt::layer()
        .with_writer(file)
        .with_ansi(false)
        .with_filter(filter_fn(move |meta| is_internal(meta) && *meta.level() <= threshold))
        .boxed()
}

/// The filter of actors' events: `filter`, and not Thespian's internals.
fn actor_filter<S>(filter: &str) -> impl tracing_subscriber::layer::Filter<S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    EnvFilter::new(filter).and(filter_fn(|meta| !is_internal(meta)))
}

// ----- the actor process -------------------------------------------------------------------

/// An event an actor process forwards to the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LogRecord {
    /// `ERROR` .. `TRACE`.
    pub(crate) level: String,
    pub(crate) target: String,
    pub(crate) message: String,
    /// The other fields, as `name=value` separated by spaces.
    pub(crate) fields: String,
    /// The actor whose event it is.
    pub(crate) actor_address: ActorAddress,
}

/// What an actor process has logged and not yet sent: drained by [`drain`].
static PENDING: OnceLock<Pending> = OnceLock::new();

struct Pending {
    records: Mutex<Receiver<LogRecord>>,
    /// Records dropped because the queue was full, not yet reported.
    dropped: Arc<AtomicU64>,
    me: ActorAddress,
}

/// The layer of an actor process that queues its actor's events for the admin. It never
/// blocks and never logs: it only puts a record in a bounded queue.
struct Forward {
    queue: SyncSender<LogRecord>,
    dropped: Arc<AtomicU64>,
    me: ActorAddress,
}

impl<S: Subscriber> Layer<S> for Forward {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let record = LogRecord {
            level: meta.level().to_string(),
            target: meta.target().to_string(),
            message: fields.message,
            fields: fields.rest,
            actor_address: self.me.clone(),
        };
        if let Err(TrySendError::Full(_)) = self.queue.try_send(record) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// An event's message, and its other fields as `fmt` writes them.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        match field.name() {
            "message" => {
                let _ = write!(self.message, "{value:?}");
            }
            // The record carries the address; the field would say it twice.
            "actor_address" => {}
            name => {
                let space = if self.rest.is_empty() { "" } else { " " };
                let _ = write!(self.rest, "{space}{name}={value:?}");
            }
        }
    }
}

/// Installs an actor process's subscriber: its actor's events (those `forward`, a filter,
/// enables) for the admin, and Thespian's internals to their file. Leaves a subscriber that
/// is already installed alone.
pub(crate) fn install_actor(me: &ActorAddress, forward: Option<&str>, internals: &InternalsLog) {
    let mut layers = vec![internals_layer(internals)];
    if let Some(filter) = forward {
        let (queue, records) = mpsc::sync_channel(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let pending = Pending { records: Mutex::new(records), dropped: Arc::clone(&dropped), me: me.clone() };
        if PENDING.set(pending).is_ok() {
            let forward = Forward { queue, dropped, me: me.clone() };
            layers.push(forward.with_filter(actor_filter(filter)).boxed());
        }
    }
    let _ = tracing_subscriber::registry().with(layers).try_init();
}

/// Writes what this process's actor logged and has not been sent to the admin yet; nothing
/// in a process that forwards nothing. Called before the frames the actor sent since, so
/// the admin writes an actor's events before it routes what the actor sent after them.
pub(crate) fn drain(writer: &mut Writer) {
    let Some(pending) = PENDING.get() else { return };
    let records = pending.records.lock().unwrap_or_else(PoisonError::into_inner);
    let dropped = pending.dropped.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        let note = LogRecord {
            level: "WARN".to_string(),
            target: "thespian::log".to_string(),
            message: format!("{dropped} log events of this actor were dropped: more were logged than the admin took"),
            fields: String::new(),
            actor_address: pending.me.clone(),
        };
        let _ = writer.control(&Control::Log(note));
    }
    while let Ok(record) = records.try_recv() {
        // A link that fails is reported by the frames written after these.
        let _ = writer.control(&Control::Log(record));
    }
}

// ----- the admin ---------------------------------------------------------------------------

/// Where the admin writes the actors' events it receives; `None` when they are off.
pub(crate) struct AdminLog(Option<Sink>);

impl AdminLog {
    /// Writes one forwarded event as a line, as `fmt` writes an event in an actor's span.
    pub(crate) fn write(&self, record: &LogRecord) {
        let Some(sink) = &self.0 else { return };
        let mut time = String::new();
        let _ = tracing_subscriber::fmt::time::FormatTime::format_time(
            &tracing_subscriber::fmt::time::SystemTime,
            &mut tracing_subscriber::fmt::format::Writer::new(&mut time),
        );
        let LogRecord { level, target, message, fields, actor_address } = record;
        let space = if fields.is_empty() { "" } else { " " };
        let line =
            format!("{time} {level:>5} actor{{actor_address={actor_address}}}: {target}: {message}{space}{fields}\n");
        let _ = sink.clone().write_all(line.as_bytes());
    }
}

/// Installs the admin's subscriber (Thespian's internals to their file; events about actors
/// where `config` says) and returns where forwarded events go. A file that cannot be
/// opened is reported in the internals file, and actors' events then go to standard error.
pub(crate) fn install_admin(config: &LogConfig) -> AdminLog {
    let mut layers = vec![internals_layer(&config.internals)];
    let mut failed = None;
    let sink = config.actors.as_ref().map(|actors| {
        use std::io::IsTerminal as _;
        let file = actors.file.as_ref().and_then(|path| match RotatingFile::open(path) {
            Some(file) => Some(file),
            None => {
                failed = Some(path.clone());
                None
            }
        });
        let ansi = file.is_none() && std::io::stderr().is_terminal();
        let sink = file.map_or_else(|| Sink::new(io::stderr()), Sink::new);
        layers.push(
            tracing_subscriber::fmt::layer()
                .with_writer(sink.clone())
                .with_ansi(ansi)
                .with_filter(actor_filter(&actors.filter))
                .boxed(),
        );
        sink
    });
    let _ = tracing_subscriber::registry().with(layers).try_init();
    if let Some(path) = failed {
        tracing::error!(path = %path.display(), "cannot open the actors' log file; they log to standard error");
    }
    AdminLog(sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("thespian-logs-{}-{name}", std::process::id()))
    }

    #[test]
    fn spec_4_13_1_the_internals_file_rotates_once_at_its_size() -> io::Result<()> {
        let path = temp_path("rotate.log");
        let mut old = path.clone().into_os_string();
        old.push(".old");
        let old = PathBuf::from(old);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&old);
        let mut file = RotatingFile::new(path.clone(), 100);
        file.write_all(&[b'a'; 60])?;
        file.write_all(&[b'b'; 30])?;
        assert_eq!(std::fs::read(&path)?.len(), 90, "under the limit: one file");
        file.write_all(&[b'c'; 30])?;
        assert_eq!(std::fs::read(&old)?, [[b'a'; 60].as_slice(), &[b'b'; 30]].concat(), "rotated whole");
        assert_eq!(std::fs::read(&path)?, [b'c'; 30]);
        file.write_all(&[b'd'; 80])?;
        assert_eq!(std::fs::read(&old)?, [b'c'; 30], "one backup only: the older one is gone");
        assert_eq!(std::fs::read(&path)?, [b'd'; 80]);
        std::fs::remove_file(&path)?;
        std::fs::remove_file(&old)
    }

    #[test]
    fn spec_4_13_1_an_unwritable_internals_file_loses_lines_quietly() {
        let mut file = RotatingFile::new(PathBuf::from("/nonexistent-dir/thespian.log"), 100);
        assert!(file.write_all(b"lost\n").is_ok(), "a logging failure is no error");
    }

    #[test]
    fn spec_4_13_1_thesplog_variables_and_their_defaults() {
        let defaults = InternalsLog::from_vars(None, None, None);
        assert_eq!(defaults.path, std::env::temp_dir().join("thespian.log"));
        assert_eq!((defaults.max_size, defaults.level()), (50 * 1024, LevelFilter::WARN));
        let set = InternalsLog::from_vars(Some("/tmp/x.log".into()), Some("1000".into()), Some("debug".into()));
        assert_eq!((set.level(), set.path, set.max_size), (LevelFilter::DEBUG, PathBuf::from("/tmp/x.log"), 1000));
        for (name, level) in [
            ("CRITICAL", LevelFilter::ERROR),
            ("ERROR", LevelFilter::ERROR),
            ("WARNING", LevelFilter::WARN),
            ("INFO", LevelFilter::INFO),
            ("DEBUG", LevelFilter::DEBUG),
            ("nonsense", LevelFilter::WARN),
        ] {
            assert_eq!(InternalsLog::from_vars(None, None, Some(name.into())).level(), level, "{name}");
        }
        let bad = InternalsLog::from_vars(Some(String::new()), Some("big".into()), None);
        assert_eq!((bad.path, bad.max_size), (std::env::temp_dir().join("thespian.log"), 50 * 1024));
    }
}
