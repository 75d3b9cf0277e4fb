//! The admin of a multi-process system: a daemon process that holds the system-wide
//! registries in its kernel (DESIGN §3), starts actor processes through a zygote per
//! program, and carries every frame between the processes (spec §9.4, Admin Routing).
//!
//! It runs one tokio task per connection direction and one router task that owns all the
//! state, so routing needs no lock. Zygotes answer spawns synchronously: a spawner thread
//! talks to them.

use std::collections::{HashMap, VecDeque};
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

use super::logs::{self, AdminLog, LogConfig};
use super::proto::{self, Boot, Control, HostBlock, HOST_BLOCK};
use super::{actor, base_name};
use crate::api::capabilities::Capabilities;
use crate::api::system_messages::ActorExitRequest;
use crate::core::kernel::{HostEnd, Kernel, SpawnOrder};
use crate::process::role::{self, RoleEntry};
use crate::process::{ChildProcess, Zygote};
use crate::wire::frame::{self, Frame, FrameCodec, Hello, Role};
use crate::wire::WireEnvelope;

/// The environment variable carrying an admin's [`AdminConfig`] (hex of its postcard).
pub(crate) const CONFIG_VAR: &str = "THESPIAN_ADMIN_CONFIG";

/// How many frames may wait, in all, for host numbers whose actor has not been created yet.
const MAX_EARLY: usize = 100_000;

/// How long a shutdown waits for the actors to exit before their processes are killed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What an admin is started with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AdminConfig {
    pub(crate) system: u64,
    pub(crate) base: String,
    pub(crate) bind: IpAddr,
    pub(crate) port: u16,
    pub(crate) capabilities: Capabilities,
    pub(crate) checks_capabilities: bool,
    /// Outlives its starter (no shutdown on drop): lets go of the starter's terminal and
    /// standard error once it listens, so that nothing waits on a pipe the daemon holds.
    pub(crate) daemon: bool,
    /// How the admin and its actor processes log.
    pub(crate) logging: LogConfig,
    /// How long an actor process's thread watches for its next message before it sleeps;
    /// `None`: the default.
    pub(crate) spin: Option<std::time::Duration>,
}

inventory::submit! { RoleEntry::new(role::ADMIN, run) }

/// The admin role: reads its configuration, serves until the system shuts down, exits.
fn run() -> ! {
    let code = match config_from_env() {
        Ok(config) => match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime.block_on(serve(config)),
            Err(e) => ready_line(&format!("error cannot start the admin's runtime: {e}")),
        },
        Err(reason) => ready_line(&format!("error {reason}")),
    };
    std::process::exit(code)
}

fn config_from_env() -> Result<AdminConfig, String> {
    let hex = std::env::var(CONFIG_VAR).map_err(|_| format!("no {CONFIG_VAR} in the environment"))?;
    std::env::remove_var(CONFIG_VAR);
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or("a malformed admin configuration")?;
    crate::encoding::from_exact(&bytes).map_err(|e| format!("a malformed admin configuration: {e}"))
}

/// Tells the program that started this admin how the start went, on standard output, which
/// is then closed: `ready` or `error <reason>`. Returns the exit code for an error.
fn ready_line(line: &str) -> i32 {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    // Standard output was only for this line: the program stops reading once it has it.
    if let Ok(null) = std::fs::File::open("/dev/null") {
        let _ = nix::unistd::dup2_stdout(&null);
    }
    i32::from(line.starts_with("error"))
}

/// Makes this admin a daemon: a session of its own (no terminal's hang-up reaches it) and
/// standard error to the file `THESPLOG_FILE` names, or to `/dev/null`. The program that
/// started it may be a test harness that reads its children's output until every writer
/// closed it; a daemon must not be one of those writers.
fn detach() {
    let _ = nix::unistd::setsid();
    let log = std::env::var_os("THESPLOG_FILE")
        .and_then(|path| std::fs::OpenOptions::new().create(true).append(true).open(path).ok());
    if let Some(file) = log.or_else(|| std::fs::OpenOptions::new().write(true).open("/dev/null").ok()) {
        let _ = nix::unistd::dup2_stderr(&file);
    }
}

type LinkId = u64;

/// What the router task is told.
enum Event {
    /// A program connected to the Admin Port and handshook.
    Program(tokio_util::codec::Framed<Box<dyn Stream>, FrameCodec>),
    Frame(LinkId, Frame),
    Closed(LinkId, String),
    /// The zygote answered a spawn for this host.
    Spawned(u32, Result<ChildProcess, String>),
    /// The shutdown's grace period is over.
    GraceOver,
}

/// Who is at the other end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peer {
    /// A program: shuts the system down when it leaves, if it is the owner.
    Program {
        owner: bool,
    },
    Actor,
}

struct LinkHandle {
    tx: mpsc::UnboundedSender<Frame>,
    /// The host number the peer has (a program gets one when it attaches).
    host: Option<u32>,
    peer: Peer,
    program: PathBuf,
    /// The number of the next envelope sent to an actor process.
    next_seq: u64,
    /// Envelopes sent to an actor process that it has not acknowledged: if the process dies,
    /// they are dead letters (DESIGN §3: no message is silently lost).
    unacked: VecDeque<(u64, WireEnvelope)>,
}

/// Where a host stands.
enum Host {
    /// Its process is being started: mail waits here, in order.
    Starting {
        held: Vec<Frame>,
        order: SpawnOrder,
        creator: LinkId,
        link: Option<LinkId>,
    },
    Running(LinkId),
    /// Gone, or leaving: mail to it is a dead letter.
    Gone,
}

struct Router {
    config: AdminConfig,
    /// Where the actors' events go.
    log: AdminLog,
    kernel: Kernel,
    events: mpsc::UnboundedSender<Event>,
    links: HashMap<LinkId, LinkHandle>,
    next_link: LinkId,
    hosts: HashMap<u32, Host>,
    /// The next host number to issue (0 is the admin's).
    next_host: u32,
    /// Blocks of host numbers, by the host they were issued to.
    blocks: Vec<(HostBlock, u32)>,
    /// Mail for issued host numbers whose spawn has not arrived yet.
    early: HashMap<u32, Vec<Frame>>,
    /// How many frames `early` holds.
    early_count: usize,
    spawner: Option<std_mpsc::Sender<SpawnJob>>,
    spawner_thread: Option<std::thread::JoinHandle<()>>,
    /// Where each actor process takes direct connections.
    directory: HashMap<u32, proto::PeerAt>,
    /// Status requests waiting for the actor processes' counts, by number.
    censuses: HashMap<u64, Census>,
    next_census: u64,
    /// Who asked where a host that is starting listens.
    locating: HashMap<u32, Vec<LinkId>>,
    /// Set once a shutdown began: who asked (told when it is done).
    shutting_down: Option<Vec<LinkId>>,
    /// The actors a shutdown asked to exit.
    asked_to_exit: std::collections::HashSet<crate::api::address::ActorAddress>,
    writers: Vec<tokio::task::JoinHandle<()>>,
}

/// The registered name of a status request, which the admin answers with a census.
const STATUS_REQUEST: &str = "thespian::ThespianStatusReq";

/// A status request waiting for the actor processes' counts.
struct Census {
    requester: crate::api::address::ActorAddress,
    waiting: std::collections::HashSet<LinkId>,
    messages: usize,
    wakeups: usize,
}

/// Tells the router that a link's reader ended, when dropped.
struct ReportEnd {
    events: mpsc::UnboundedSender<Event>,
    id: LinkId,
    reason: String,
}

impl Drop for ReportEnd {
    fn drop(&mut self) {
        let _ = self.events.send(Event::Closed(self.id, std::mem::take(&mut self.reason)));
    }
}

struct SpawnJob {
    host: u32,
    program: PathBuf,
    payload: Vec<u8>,
    /// The child executes the program afresh (Process Startup Method "spawn").
    exec: bool,
}

/// A connection a program made to the admin: TCP on the Admin Port, or a Unix socket.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Where the admin takes programs' connections.
enum Listener {
    /// The TCP base's Admin Port.
    Tcp(tokio::net::TcpListener),
    /// The Queue base's Unix socket, private to the system (spec §9.3).
    Unix(tokio::net::UnixListener),
    /// The UDP base's Admin Port (spec §9.5): its streams, each bridged to the router's
    /// tasks, and the port.
    Udp(tokio::sync::Mutex<mpsc::Receiver<Box<dyn Stream>>>, std::sync::Arc<UdpPort>),
}

/// The UDP Admin Port's socket, and the threads that send what the admin writes to programs.
pub(crate) struct UdpPort {
    endpoint: std::sync::Arc<super::udp::Endpoint>,
    senders: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl UdpPort {
    /// Once the admin has written its last frames: waits (until `deadline`) for them to be
    /// sent, and for the programs to confirm them and the ends of their streams, so that
    /// they are not lost with the admin's process.
    fn settle(&self, deadline: std::time::Instant) {
        let senders = std::mem::take(&mut *self.senders.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let (done, all_sent) = std_mpsc::channel();
        let joined = std::thread::Builder::new().name("thespian-admin-udp-end".to_string()).spawn(move || {
            for sender in senders {
                let _ = sender.join();
            }
            let _ = done.send(());
        });
        if joined.is_ok() {
            let _ = all_sent.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
        }
        self.endpoint.settle(deadline);
    }
}

impl Listener {
    async fn bind(config: &AdminConfig) -> Result<Self, String> {
        if config.base == super::QUEUE {
            use std::os::linux::net::SocketAddrExt as _;
            let name = super::queue_socket_name(config.system);
            let bound = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
                .and_then(|at| std::os::unix::net::UnixListener::bind_addr(&at))
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .and_then(tokio::net::UnixListener::from_std);
            return bound.map(Self::Unix).map_err(|e| format!("cannot listen on the system's socket {name}: {e}"));
        }
        if config.base == super::UDP {
            let endpoint = super::udp::Endpoint::bind(SocketAddr::new(config.bind, config.port), true)
                .map_err(|e| format!("cannot listen on the Admin Port {}:{} (UDP): {e}", config.bind, config.port))?;
            let (streams, accepted) = mpsc::channel(16);
            let runtime = tokio::runtime::Handle::current();
            let endpoint = std::sync::Arc::new(endpoint);
            let port = std::sync::Arc::new(UdpPort {
                endpoint: std::sync::Arc::clone(&endpoint),
                senders: std::sync::Mutex::new(Vec::new()),
            });
            let bridged = std::sync::Arc::clone(&port);
            std::thread::Builder::new()
                .name("thespian-admin-udp".to_string())
                .spawn(move || {
                    while let Some(stream) = endpoint.accept() {
                        let (stream, sender) = bridge(stream, &runtime);
                        let mut senders = bridged.senders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        senders.retain(|s| !s.is_finished());
                        senders.extend(sender);
                        drop(senders);
                        if streams.blocking_send(stream).is_err() {
                            return;
                        }
                    }
                })
                .map_err(|e| format!("cannot start the Admin Port's thread: {e}"))?;
            return Ok(Self::Udp(tokio::sync::Mutex::new(accepted), port));
        }
        tokio::net::TcpListener::bind(SocketAddr::new(config.bind, config.port))
            .await
            .map(Self::Tcp)
            .map_err(|e| format!("cannot listen on the Admin Port {}:{}: {e}", config.bind, config.port))
    }

    /// The next connection, set up for frames.
    async fn accept(&self) -> std::io::Result<Box<dyn Stream>> {
        match self {
            Self::Tcp(l) => {
                let (stream, _) = l.accept().await?;
                let _ = stream.set_nodelay(true);
                Ok(Box::new(stream))
            }
            Self::Unix(l) => Ok(Box::new(l.accept().await?.0)),
            Self::Udp(streams, _) => streams
                .lock()
                .await
                .recv()
                .await
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotConnected, "the Admin Port closed")),
        }
    }
}

/// Bridges a UDP stream, which blocks, to a tokio stream the admin's tasks read and write:
/// one thread carries each direction. Returns the tokio side, and the thread that sends.
fn bridge(
    stream: super::udp::Stream,
    runtime: &tokio::runtime::Handle,
) -> (Box<dyn Stream>, Option<std::thread::JoinHandle<()>>) {
    use std::io::{Read as _, Write as _};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (ours, theirs) = tokio::io::duplex(256 * 1024);
    let (mut from_admin, mut to_admin) = tokio::io::split(ours);
    let (mut input, mut output) = (stream.clone(), stream);
    let inbound = runtime.clone();
    let _ = std::thread::Builder::new().name("thespian-udp-in".to_string()).spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n @ 1..) = input.read(&mut buf) {
            if inbound.block_on(to_admin.write_all(&buf[..n])).is_err() {
                break;
            }
        }
        let _ = inbound.block_on(to_admin.shutdown());
        input.shutdown();
    });
    let outbound = runtime.clone();
    let sender = std::thread::Builder::new().name("thespian-udp-out".to_string()).spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n @ 1..) = outbound.block_on(from_admin.read(&mut buf)) {
            if let Err(e) = output.write_all(&buf[..n]) {
                tracing::warn!(error = %e, "a frame to a program could not be sent; its connection is closed");
                break;
            }
        }
        output.shutdown();
    });
    (Box::new(theirs), sender.ok())
}

async fn serve(mut config: AdminConfig) -> i32 {
    let listener = match Listener::bind(&config).await {
        Ok(listener) => listener,
        Err(reason) => return ready_line(&format!("error {reason}")),
    };
    let (events, mut inbox) = mpsc::unbounded_channel();
    let (jobs, spawner_thread) = match start_spawner(events.clone()) {
        Ok(spawner) => spawner,
        Err(e) => return ready_line(&format!("error cannot start the admin's spawner thread: {e}")),
    };
    let port = match &listener {
        Listener::Tcp(l) => l.local_addr().map_or(config.port, |a| a.port()),
        Listener::Unix(_) => 0,
        Listener::Udp(_, udp) => udp.endpoint.local_addr().port(),
    };
    let udp = match &listener {
        Listener::Udp(_, udp) => Some(std::sync::Arc::clone(udp)),
        _ => None,
    };
    ready_line(&format!("ready {port}"));
    if config.daemon {
        detach();
    }
    tokio::spawn(accept(listener, config.system, events.clone()));
    config.port = port;
    if config.base == super::QUEUE {
        // Spec §9.3: the admin's address is an arbitrary string; there is no Admin Port.
        config.capabilities.remove("Admin Port");
        config.capabilities.insert("Admin Address", "ThespianQ");
    } else {
        config.capabilities.insert("Admin Port", i64::from(port));
    }
    let kernel =
        Kernel::new(config.system, base_name(&config.base), config.capabilities.clone(), config.checks_capabilities)
            .admin();
    let mut router = Router {
        log: logs::install_admin(&config.logging),
        config,
        kernel,
        events,
        links: HashMap::new(),
        next_link: 1,
        hosts: HashMap::new(),
        next_host: 1,
        blocks: Vec::new(),
        early: HashMap::new(),
        early_count: 0,
        spawner: Some(jobs),
        spawner_thread: Some(spawner_thread),
        directory: HashMap::new(),
        censuses: HashMap::new(),
        next_census: 0,
        locating: HashMap::new(),
        shutting_down: None,
        asked_to_exit: std::collections::HashSet::new(),
        writers: Vec::new(),
    };
    while let Some(event) = inbox.recv().await {
        if router.handle(event) {
            break;
        }
    }
    router.finish().await;
    if let Some(udp) = udp {
        // The programs' last frames (`ShutDown`) and the ends of their streams are confirmed
        // before this process exits with them.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        let _ = tokio::task::spawn_blocking(move || udp.settle(deadline)).await;
    }
    0
}

/// Accepts programs on the Admin Port: each is handshook in a task of its own, so a
/// stranger that says nothing holds up no one.
async fn accept(listener: Listener, system: u64, events: mpsc::UnboundedSender<Event>) {
    loop {
        let Ok(stream) = listener.accept().await else { continue };
        let events = events.clone();
        tokio::spawn(async move {
            let hello = Hello::new(system, 0, Role::Admin);
            let handshake = tokio::time::timeout(Duration::from_secs(10), frame::handshake(stream, hello));
            match handshake.await {
                Ok(Ok((theirs, framed))) if theirs.role == Role::Endpoint => {
                    let _ = events.send(Event::Program(framed));
                }
                Ok(Ok((theirs, _))) => {
                    tracing::warn!(role = ?theirs.role, "a connection to the Admin Port that is no program closed")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "a connection to the Admin Port failed its handshake"),
                Err(_) => tracing::warn!("a connection to the Admin Port sent no handshake within 10 s"),
            }
        });
    }
}

/// The spawner thread: one zygote per program, started on first use.
fn start_spawner(
    events: mpsc::UnboundedSender<Event>,
) -> std::io::Result<(std_mpsc::Sender<SpawnJob>, std::thread::JoinHandle<()>)> {
    let (jobs, queue) = std_mpsc::channel::<SpawnJob>();
    let thread = std::thread::Builder::new().name("thespian-spawner".to_string()).spawn(move || {
        let mut zygotes: HashMap<PathBuf, Zygote> = HashMap::new();
        for job in queue {
            let zygote = match zygotes.get(&job.program) {
                Some(zygote) => Ok(zygote),
                None => match Zygote::builder().program(job.program.clone()).start() {
                    Ok(zygote) => Ok(&*zygotes.entry(job.program.clone()).or_insert(zygote)),
                    Err(e) => Err(e.to_string()),
                },
            };
            let spawned =
                zygote.and_then(|z| z.spawn_with(actor::ENTRY, &job.payload, job.exec).map_err(|e| e.to_string()));
            if events.send(Event::Spawned(job.host, spawned)).is_err() {
                break;
            }
        }
        // Dropping the zygotes kills and reaps every actor process left.
        drop(zygotes);
    })?;
    Ok((jobs, thread))
}

impl Router {
    /// Handles one event; true once the admin is done.
    fn handle(&mut self, event: Event) -> bool {
        match event {
            Event::Program(framed) => {
                // Frames the program sent right behind its handshake are in the framed buffer.
                let id = self.add_link(framed, Peer::Program { owner: false }, None);
                tracing::debug!(link = id, "a program connected");
            }
            Event::Frame(link, frame) => self.frame(link, frame),
            Event::Closed(link, reason) => self.closed(link, &reason),
            Event::Spawned(host, Ok(child)) => self.spawned(host, child),
            Event::Spawned(host, Err(reason)) => self.failed_start(host, &reason),
            Event::GraceOver => {
                tracing::warn!("actors still running after the shutdown's grace period are killed");
                return true;
            }
        }
        self.shutting_down.is_some() && self.actor_links() == 0
    }

    fn actor_links(&self) -> usize {
        self.links.values().filter(|l| l.peer == Peer::Actor).count()
    }

    fn add_link<T>(&mut self, framed: Framed<T, FrameCodec>, peer: Peer, host: Option<u32>) -> LinkId
    where
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let id = self.next_link;
        self.next_link += 1;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (mut sink, mut reader) = framed.split();
        let events = self.events.clone();
        tokio::spawn(async move {
            // The router hears of the end however the task ends, a panic included.
            let mut end = ReportEnd { events, id, reason: "its reader failed".to_string() };
            end.reason = loop {
                match reader.next().await {
                    Some(Ok(frame)) => {
                        if end.events.send(Event::Frame(id, frame)).is_err() {
                            return;
                        }
                    }
                    // The peer went away: a process that exits with the admin's last frames
                    // unread resets its connection. Its end is reported as any other.
                    Some(Err(frame::FrameError::Io(e)))
                        if matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe) =>
                    {
                        break format!("closed: {e}")
                    }
                    Some(Err(e)) => {
                        // Only this connection ends; the admin and its actors go on.
                        tracing::warn!(link = id, error = %e, "a connection sent a bad frame and was closed");
                        break format!("closed: {e}");
                    }
                    None => break "closed".to_string(),
                }
            };
        });
        // Writers of connections that ended are done: keep only the others.
        self.writers.retain(|w| !w.is_finished());
        self.writers.push(tokio::spawn(async move {
            let _ = frame::write_batched(&mut rx, &mut sink).await;
            // The link is forgotten: its peer reads the end once it has read everything.
            let _ = futures_util::SinkExt::close(&mut sink).await;
        }));
        let handle = LinkHandle { tx, host, peer, program: PathBuf::new(), next_seq: 1, unacked: VecDeque::new() };
        self.links.insert(id, handle);
        id
    }

    fn send(&self, link: LinkId, frame: Frame) {
        if let Some(handle) = self.links.get(&link) {
            let _ = handle.tx.send(frame);
        }
    }

    /// Sends mail on `link`: to an actor process, numbered and kept until acknowledged.
    fn send_mail(&mut self, link: LinkId, frame: Frame) {
        let Some(handle) = self.links.get_mut(&link) else { return };
        let frame = match frame {
            Frame::Envelope { envelope, .. } if handle.peer == Peer::Actor => {
                let seq = handle.next_seq;
                handle.next_seq += 1;
                handle.unacked.push_back((seq, envelope.clone()));
                Frame::Envelope { seq, envelope }
            }
            other => other,
        };
        let _ = handle.tx.send(frame);
    }

    fn control(&self, link: LinkId, control: &Control) {
        self.send(link, control.frame());
    }

    /// A new host number; `None` once all are used (a host number is never reused).
    fn issue_host(&mut self) -> Option<u32> {
        let host = self.next_host;
        self.next_host = host.checked_add(1)?;
        Some(host)
    }

    /// A new block of host numbers for `owner`; `None` once all are used.
    fn issue_block(&mut self, owner: u32) -> Option<HostBlock> {
        let block = HostBlock { first: self.next_host, count: HOST_BLOCK };
        self.next_host = self.next_host.checked_add(HOST_BLOCK)?;
        self.blocks.push((block, owner));
        Some(block)
    }

    /// The system has used every host number: the link that asked for more is closed.
    fn out_of_hosts(&mut self, link: LinkId) {
        tracing::error!(link, "every host number of this system is used; a connection asking for more is closed");
        self.links.remove(&link);
    }

    fn frame(&mut self, link: LinkId, frame: Frame) {
        match frame {
            Frame::Envelope { envelope, .. } => {
                self.route(envelope);
                self.run_kernel();
            }
            Frame::Control { body } => match Control::decode(&body) {
                Ok(control) => self.control_from(link, control),
                Err(e) => tracing::warn!(link, error = %e, "unreadable control message ignored"),
            },
            Frame::Ack { up_to } => {
                if let Some(handle) = self.links.get_mut(&link) {
                    while handle.unacked.front().is_some_and(|(seq, _)| *seq <= up_to) {
                        handle.unacked.pop_front();
                    }
                }
            }
            Frame::Bye => {}
        }
    }

    fn control_from(&mut self, link: LinkId, control: Control) {
        let from_host = self.links.get(&link).and_then(|l| l.host);
        match control {
            Control::Attach { .. } if self.shutting_down.is_some() => {
                // A program that comes as the system shuts down is told so, not welcomed.
                self.control(link, &Control::ShutDown);
            }
            Control::Attach { program, owner } => {
                let Some((host, hosts)) = self.issue_host().and_then(|h| Some((h, self.issue_block(h)?))) else {
                    return self.out_of_hosts(link);
                };
                if let Some(handle) = self.links.get_mut(&link) {
                    handle.host = Some(host);
                    handle.peer = Peer::Program { owner };
                    handle.program = program;
                }
                self.hosts.insert(host, Host::Running(link));
                let capabilities = self.kernel.capabilities().clone();
                let direct = self.direct();
                self.control(link, &Control::Welcome { host, capabilities, hosts, direct });
            }
            Control::MoreHosts => match self.issue_block(from_host.unwrap_or_default()) {
                Some(block) => self.control(link, &Control::Hosts(block)),
                None => self.out_of_hosts(link),
            },
            Control::Spawn { order, program } => self.spawn(link, order, program),
            Control::ClaimName { name, candidate } => {
                let holder = self.kernel.claim_name(&name, &candidate);
                self.control(link, &Control::NameHeld { name, holder });
            }
            Control::Admin(request) => {
                let before = self.kernel.capabilities().clone();
                if self.kernel.apply_admin_request(request) {
                    self.begin_shutdown(None);
                } else if *self.kernel.capabilities() != before {
                    let caps = Control::Capabilities(self.kernel.capabilities().clone());
                    if self.config.base == super::UDP {
                        // The set goes to each program in one datagram: one that does not
                        // fit would end those connections. The requesting program checked;
                        // this is another program's update making it too large meanwhile.
                        if let Err(e) = super::udp::fits(&caps.frame()) {
                            tracing::warn!(error = %e, "a capability update was refused: the capabilities would not fit in one datagram");
                            self.kernel.set_capabilities(before);
                            self.run_kernel();
                            return;
                        }
                    }
                    for id in self.links.keys() {
                        self.control(*id, &caps);
                    }
                }
                self.run_kernel();
            }
            Control::Started { outcome, listening } => {
                if let (Some(host), Some(at), true) = (from_host, listening, outcome.is_ok()) {
                    self.directory.insert(host, at);
                }
                self.started(link, from_host, outcome);
            }
            Control::Locate(host) => self.locate(link, host),
            // Everything this link sent before is applied: frames are handled in order.
            Control::Sync(sync) => self.control(link, &Control::Synced(sync)),
            Control::Counts { census, messages, wakeups } => {
                if let Some(c) = self.censuses.get_mut(&census) {
                    if c.waiting.remove(&link) {
                        c.messages += messages;
                        c.wakeups += wakeups;
                    }
                }
                self.end_censuses();
            }
            Control::Marker { from, to } => self.forward(to, Control::Marker { from, to }.frame()),
            Control::Leaving => {
                if let Some(host) = from_host {
                    self.hosts.insert(host, Host::Gone);
                }
                self.control(link, &Control::Left);
            }
            Control::Shutdown => self.begin_shutdown(Some(link)),
            Control::Log(record) => self.log.write(&record),
            other => tracing::debug!(?other, "unexpected control message ignored"),
        }
    }

    /// Sends a frame on towards its target's process, holding it while that process starts.
    fn route(&mut self, envelope: WireEnvelope) {
        let host = envelope.target.host();
        if host == 0 && envelope.type_name == STATUS_REQUEST {
            self.begin_census(envelope.sender);
            return;
        }
        if host == 0 {
            match proto::open_envelope(envelope) {
                Ok(env) => self.kernel.handle_envelope(env),
                Err(e) => tracing::warn!(error = %e, "an undecodable message to the admin was dropped"),
            }
            return;
        }
        self.forward(host, Frame::Envelope { seq: 0, envelope });
    }

    /// Sends a frame on to `host`'s process, holding it while that process starts; a frame
    /// for a host that is gone is undeliverable.
    fn forward(&mut self, host: u32, frame: Frame) {
        let issued = host < self.next_host && self.block_owner_alive(host);
        match self.hosts.get_mut(&host) {
            Some(Host::Running(link)) => {
                let link = *link;
                self.send_mail(link, frame);
            }
            Some(Host::Starting { held, .. }) => held.push(frame),
            Some(Host::Gone) => self.undeliverable(frame),
            None if issued && self.early_count < MAX_EARLY => {
                self.early_count += 1;
                self.early.entry(host).or_default().push(frame);
            }
            None if issued => {
                tracing::warn!(host, "too much mail waits for actors not created yet; this frame is undeliverable");
                self.undeliverable(frame);
            }
            None => self.undeliverable(frame),
        }
    }

    /// A status request to the admin (spec §7.13): every actor process is asked what waits in
    /// it, and the status goes out once all have answered (or left).
    fn begin_census(&mut self, requester: crate::api::address::ActorAddress) {
        let id = self.next_census;
        self.next_census += 1;
        let waiting: std::collections::HashSet<LinkId> =
            self.links.iter().filter(|(_, l)| l.peer == Peer::Actor).map(|(id, _)| *id).collect();
        for link in &waiting {
            self.control(*link, &Control::Census(id));
        }
        self.censuses.insert(id, Census { requester, waiting, messages: 0, wakeups: 0 });
        self.end_censuses();
    }

    /// Answers every census whose actor processes have all answered.
    fn end_censuses(&mut self) {
        let done: Vec<u64> = self.censuses.iter().filter(|(_, c)| c.waiting.is_empty()).map(|(id, _)| *id).collect();
        for id in done {
            let Some(census) = self.censuses.remove(&id) else { continue };
            let mut status = self.kernel.system_status();
            status.pending_messages += census.messages;
            status.pending_wakeups += census.wakeups;
            let admin = self.kernel.admin_address();
            self.kernel.post(census.requester, admin, Box::new(status));
        }
        self.run_kernel();
    }

    /// Whether processes send to each other directly: unless the system routes through the
    /// admin ("Admin Routing", implied by "Outbound Only"; spec §9.4).
    fn direct(&self) -> bool {
        let caps = &self.config.capabilities;
        // On every base, processes talk directly unless asked not to (spec §9.4): over TCP,
        // UDP, or (the Queue base, local only) abstract Unix sockets.
        !(caps.is_truthy("Admin Routing") || caps.is_truthy("Outbound Only"))
    }

    /// Answers where `host` takes direct connections, once it has started.
    fn locate(&mut self, link: LinkId, host: u32) {
        match self.hosts.get(&host) {
            Some(Host::Starting { .. }) => self.locating.entry(host).or_default().push(link),
            None if host < self.next_host && self.block_owner_alive(host) => {
                self.locating.entry(host).or_default().push(link);
            }
            _ => {
                let at = self.directory.get(&host).cloned();
                self.control(link, &Control::Located { host, at });
            }
        }
    }

    /// Answers the processes that asked where `host` listens.
    fn located(&mut self, host: u32) {
        let at = self.directory.get(&host).cloned();
        for link in self.locating.remove(&host).unwrap_or_default() {
            self.control(link, &Control::Located { host, at: at.clone() });
        }
    }

    /// The mail waiting for `host`'s actor to be created.
    fn take_early(&mut self, host: u32) -> Vec<Frame> {
        let early = self.early.remove(&host).unwrap_or_default();
        self.early_count -= early.len();
        early
    }

    /// Whether the process a host number was issued to may still spawn it.
    fn block_owner_alive(&self, host: u32) -> bool {
        self.blocks
            .iter()
            .find(|(b, _)| (b.first..b.first + b.count).contains(&host))
            .is_some_and(|(_, owner)| !matches!(self.hosts.get(owner), Some(Host::Gone)))
    }

    fn undeliverable(&mut self, frame: Frame) {
        if let Frame::Envelope { envelope, .. } = frame {
            match proto::open_envelope(envelope) {
                Ok(env) => self.kernel.handle_undeliverable(env),
                Err(e) => tracing::debug!(error = %e, "an undecodable dead letter was dropped"),
            }
        }
    }

    /// Delivers what reached the admin's kernel and routes what it sends.
    fn run_kernel(&mut self) {
        loop {
            while self.kernel.step() {}
            let mut out = Vec::new();
            while let Some(env) = self.kernel.poll_transmit() {
                out.push(env);
            }
            if out.is_empty() {
                return;
            }
            for env in out {
                match proto::envelope_frame(&env, &self.config.base) {
                    Ok(Frame::Envelope { envelope, .. }) => {
                        // A user's message with a panicking `Drop` cannot stop the admin.
                        crate::core::cell::discard(env.message, "a sent message", &env.sender);
                        self.route(envelope);
                    }
                    Ok(_) => {}
                    Err(e) => self.kernel.bounce(env, e.to_string()),
                }
            }
        }
    }

    fn spawn(&mut self, creator: LinkId, order: SpawnOrder, program: PathBuf) {
        let host = order.address.host();
        // Only the process a host number was issued to may start an actor on it, once.
        let issued_to = self.blocks.iter().find(|(b, _)| (b.first..b.first + b.count).contains(&host)).map(|(_, o)| *o);
        let creator_host = self.links.get(&creator).and_then(|l| l.host);
        if self.hosts.contains_key(&host) || host == 0 || issued_to.is_none() || issued_to != creator_host {
            tracing::warn!(address = %order.address, "a spawn order for a host number not the creator's, or in use, was refused");
            return;
        }
        let Some(hosts) = self.issue_block(host) else { return self.out_of_hosts(creator) };
        let held = self.take_early(host);
        self.kernel.register_remote(&order);
        let boot = Boot {
            system: self.config.system,
            base: self.config.base.clone(),
            order: order.clone(),
            capabilities: self.kernel.capabilities().clone(),
            checks_capabilities: self.config.checks_capabilities,
            hosts,
            listen: self.direct().then_some(self.config.bind),
            forward: self.config.logging.actors.as_ref().map(|a| a.filter.clone()),
            internals: self.config.logging.internals.clone(),
            spin: self.config.spin,
        };
        self.hosts.insert(host, Host::Starting { held, order, creator, link: None });
        let payload = postcard::to_stdvec(&boot).unwrap_or_default();
        let exec = matches!(
            super::startup_method(&self.config.base, &self.config.capabilities),
            Ok(super::StartupMethod::Spawn)
        );
        let sent = self.spawner.as_ref().is_some_and(|s| s.send(SpawnJob { host, program, payload, exec }).is_ok());
        if !sent {
            self.failed_start(host, "the admin is shutting down");
        }
    }

    fn spawned(&mut self, host: u32, child: ChildProcess) {
        let pid = child.pid();
        let socket = child.into_socket();
        let stream = socket.set_nonblocking(true).and_then(|()| tokio::net::UnixStream::from_std(socket));
        match stream {
            Ok(stream) => {
                let link = self.add_link(Framed::new(stream, FrameCodec::new()), Peer::Actor, Some(host));
                if let Some(Host::Starting { link: slot, .. }) = self.hosts.get_mut(&host) {
                    *slot = Some(link);
                }
                tracing::debug!(host, pid, "actor process started");
            }
            Err(e) => self.failed_start(host, &format!("its socket is unusable: {e}")),
        }
    }

    fn started(&mut self, link: LinkId, host: Option<u32>, outcome: Result<(), String>) {
        let Some(host) = host else { return };
        let Some(Host::Starting { held, order, creator, .. }) = self.hosts.remove(&host) else { return };
        let top_level = order.parent.is_none();
        match outcome {
            Ok(()) => {
                self.hosts.insert(host, Host::Running(link));
                for frame in held {
                    self.send_mail(link, frame);
                }
                if top_level {
                    self.control(creator, &Control::Spawned { address: order.address, outcome: Ok(()) });
                }
                // After the mail held for it: a sender's marker follows that mail.
                self.located(host);
            }
            Err(reason) => {
                self.hosts.insert(host, Host::Starting { held, order, creator, link: Some(link) });
                self.failed_start(host, &reason);
            }
        }
    }

    /// A host's process never started: its parent is told as for any lost host, and each
    /// message held for it goes back to its sender as poison (DESIGN §3).
    fn failed_start(&mut self, host: u32, reason: &str) {
        let Some(Host::Starting { held, order, creator, .. }) = self.hosts.remove(&host) else { return };
        self.hosts.insert(host, Host::Gone);
        tracing::warn!(address = %order.address, actor_type = order.type_name, %reason, "an actor did not start");
        let details = format!("its actor `{}` could not be started: {reason}", order.type_name);
        for frame in held {
            if let Frame::Envelope { envelope, .. } = frame {
                if let Ok(env) = proto::open_envelope(envelope) {
                    self.kernel.bounce(env, details.clone());
                }
            }
        }
        if order.parent.is_none() {
            let outcome = Err(reason.to_string());
            self.control(creator, &Control::Spawned { address: order.address.clone(), outcome });
        }
        self.lost(host, HostEnd::Died);
    }

    /// Every process learns that `host` is gone, and how; so does the admin's kernel.
    fn lost(&mut self, host: u32, end: HostEnd) {
        self.directory.remove(&host);
        self.located(host);
        let news = Control::HostLost(host, end);
        for (id, handle) in &self.links {
            if handle.host != Some(host) {
                self.control(*id, &news);
            }
        }
        self.kernel.handle_host_lost(host, end);
        if self.shutting_down.is_some() {
            self.ask_roots_to_exit();
        }
        // Mail waiting for numbers it was issued and never used has no target.
        let orphans: Vec<u32> = self
            .early
            .keys()
            .copied()
            .filter(|h| self.blocks.iter().any(|(b, owner)| *owner == host && (b.first..b.first + b.count).contains(h)))
            .collect();
        for h in orphans {
            for frame in self.take_early(h) {
                self.undeliverable(frame);
            }
        }
        self.run_kernel();
    }

    fn closed(&mut self, link: LinkId, reason: &str) {
        let Some(handle) = self.links.remove(&link) else { return };
        // A process that left answers no census: what waited in it is gone too.
        for census in self.censuses.values_mut() {
            census.waiting.remove(&link);
        }
        self.end_censuses();
        tracing::debug!(link, reason, "a connection ended");
        if handle.peer == (Peer::Program { owner: true }) && self.shutting_down.is_none() {
            // The program that owns the system is gone (it shut down on drop, or died).
            self.begin_shutdown(None);
        }
        let Some(host) = handle.host else { return };
        match self.hosts.get(&host) {
            Some(Host::Starting { .. }) => {
                self.failed_start(host, &format!("its process ended before the actor was built ({reason})"))
            }
            // It said it was leaving once its actors had exited: a graceful end. It read
            // everything sent before its `Left`, and handled it (as dead letters).
            Some(Host::Gone) => self.lost(host, HostEnd::Left),
            _ => {
                self.hosts.insert(host, Host::Gone);
                // What the process had not acknowledged died with it, unread.
                for (_, envelope) in handle.unacked {
                    self.undeliverable(Frame::Envelope { seq: 0, envelope });
                }
                self.lost(host, HostEnd::Died);
            }
        }
    }

    /// Spec §6.3: every top-level actor is asked to exit; each passes the request to its
    /// children. Done when every actor process has gone, or after a grace period.
    fn begin_shutdown(&mut self, requester: Option<LinkId>) {
        let first = self.shutting_down.is_none();
        self.shutting_down.get_or_insert_with(Vec::new).extend(requester);
        if !first {
            return;
        }
        let events = self.events.clone();
        tokio::spawn(async move {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
            let _ = events.send(Event::GraceOver);
        });
        self.ask_roots_to_exit();
    }

    /// During a shutdown: asks each actor at the top of what runs to exit, once. A child that
    /// a non-recursive exit left running is asked once its parent is gone (spec §6.3: every
    /// actor exits).
    fn ask_roots_to_exit(&mut self) {
        let admin = self.kernel.admin_address();
        for root in self.kernel.remote_roots() {
            if self.asked_to_exit.insert(root.clone()) {
                self.kernel.post(root, admin.clone(), Box::new(ActorExitRequest::new()));
            }
        }
        self.run_kernel();
    }

    /// Tells the programs the system is down, lets the writers finish, and stops the
    /// actor processes that are left.
    async fn finish(mut self) {
        for (id, handle) in &self.links {
            if matches!(handle.peer, Peer::Program { .. }) {
                self.control(*id, &Control::ShutDown);
            }
        }
        self.links.clear();
        drop(self.spawner.take());
        let writers = std::mem::take(&mut self.writers);
        let _ = tokio::time::timeout(Duration::from_secs(2), futures_util::future::join_all(writers)).await;
        if let Some(thread) = self.spawner_thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
