//! The multi-process bases (spec §9.3–§9.5): every actor in an OS process of its own.
//!
//! Three kinds of process make a system (DESIGN §3), each around the one kernel type:
//!
//! - the **admin** ([`admin`]), a daemon holding the system-wide registries, which starts
//!   actor processes through a zygote per program and carries the frames between processes;
//! - an **actor process** ([`actor`]), a zygote's child hosting one actor;
//! - the **program** (this module's [`MultiprocBase`]), whose `ActorSystem` handle hosts
//!   external endpoints and attaches to the admin on its Admin Port.
//!
//! The program finds the admin on the Admin Port, or starts it there. The admin outlives the
//! program that started it (spec §9.4) unless that program asked for shutdown on drop.

pub(crate) mod actor;
pub(crate) mod admin;
mod conn;
mod link;
pub(crate) mod logs;
mod peers;
mod proto;
pub(crate) mod udp;
mod watch;

use std::io::{BufRead as _, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use self::conn::PeerStream;
use self::link::{Link, LinkPlacement};
use self::proto::{startup, Control};
use crate::api::actor::ActorSpec;
use crate::api::address::ActorAddress;
use crate::api::capabilities::{CapValue, Capabilities};
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::api::system_messages::{ThespianStatusReq, ThespianSystemStatus};
use crate::bases::SystemBase;
use crate::core::kernel::{CreateError, Kernel, Received};
use crate::wire::frame::{Frame, Hello, Role};

/// The spec name of the TCP base.
pub(crate) const TCP: &str = "multiprocTCPBase";

/// The default Admin Port of the TCP base (spec §9.4).
pub(crate) const DEFAULT_ADMIN_PORT: u16 = 1900;

/// The spec name of the UDP base.
pub(crate) const UDP: &str = "multiprocUDPBase";

/// The default Admin Port of the UDP base (spec §9.5).
pub(crate) const DEFAULT_UDP_ADMIN_PORT: u16 = 1029;

/// The environment variable naming the address to bind and advertise (spec §9.4).
pub(crate) const BASE_IPADDR_VAR: &str = "THESPIAN_BASE_IPADDR";

/// How long a program waits for an admin it started to listen.
const ADMIN_START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a program waits for the admin's answers.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// How actor processes are started (usage guide §9.4, the "Process Startup Method"
/// capability).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartupMethod {
    /// Forked from the zygote, a copy of the program that runs no threads ("fork", the
    /// default; "forkserver" names the same, since the zygote is a fork server).
    Fork,
    /// Forked from the zygote, then the program executed afresh ("spawn"): the actor's
    /// process inherits nothing of the zygote's memory.
    Spawn,
}

/// The startup method the capabilities ask for.
pub(crate) fn startup_method(base: &str, capabilities: &Capabilities) -> Result<StartupMethod, ActorSystemError> {
    match capabilities.get(STARTUP_METHOD) {
        None | Some(CapValue::Null) => Ok(StartupMethod::Fork),
        // Spec §9.3: the Queue base lists only "fork" and "spawn".
        Some(CapValue::Str(method)) if method == "forkserver" && base == QUEUE => Err(startup(format!(
            "{QUEUE} does not offer the \"{STARTUP_METHOD}\" \"forkserver\"; use \"fork\" (the default) or \"spawn\""
        ))),
        Some(CapValue::Str(method)) if method == "fork" || method == "forkserver" => Ok(StartupMethod::Fork),
        Some(CapValue::Str(method)) if method == "spawn" => Ok(StartupMethod::Spawn),
        Some(other) => Err(startup(format!(
            "the capability \"{STARTUP_METHOD}\" is {other}; use \"fork\" (the default), \"forkserver\" or \"spawn\""
        ))),
    }
}

/// The capability that chooses the [`StartupMethod`].
const STARTUP_METHOD: &str = "Process Startup Method";

/// Whether `body` is a control message that changes the system for everyone: see
/// `thespian::__private::is_authoritative_control`.
pub(crate) fn is_authoritative_control(body: &[u8]) -> bool {
    matches!(
        Control::decode(body),
        Ok(Control::Attach { .. } | Control::Spawn { .. } | Control::Admin(_) | Control::Shutdown)
    )
}

/// The `'static` spec name of a multi-process base.
pub(crate) fn base_name(name: &str) -> &'static str {
    match name {
        QUEUE => QUEUE,
        UDP => UDP,
        _ => TCP,
    }
}

/// This program's executable: the one its actor processes run.
pub(crate) fn program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe")))
}

/// How a program joins a multi-process system.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) base: &'static str,
    pub(crate) admin_port: u16,
    pub(crate) bind: IpAddr,
    pub(crate) capabilities: Capabilities,
    pub(crate) checks_capabilities: bool,
    /// The system shuts down when this program's handle is dropped, or the program dies.
    pub(crate) shutdown_on_drop: bool,
    /// Attach to a running admin only: never start one.
    pub(crate) attach_only: bool,
    /// How an admin this program starts, and its actor processes, log.
    pub(crate) logging: logs::LogConfig,
    /// How long a thread waiting for an answer watches for it before it sleeps; `None`:
    /// the default ([`ActorSystemBuilder::reply_spin`](crate::ActorSystemBuilder::reply_spin)).
    pub(crate) reply_spin: Option<Duration>,
}

impl Options {
    /// The address to bind: the option, else `THESPIAN_BASE_IPADDR`, else loopback.
    pub(crate) fn bind_from_env(bind: Option<IpAddr>) -> Result<IpAddr, ActorSystemError> {
        if let Some(bind) = bind {
            return Ok(bind);
        }
        match std::env::var(BASE_IPADDR_VAR) {
            Ok(text) => text
                .trim()
                .parse()
                .map_err(|e| startup(format!("{BASE_IPADDR_VAR}={text:?} is not an IP address: {e}"))),
            Err(_) => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        }
    }
}

/// A program's side of a multi-process system.
pub(crate) struct MultiprocBase {
    state: Mutex<State>,
    link: Arc<Link>,
    admin: ActorAddress,
    base: &'static str,
    shutdown_on_drop: bool,
}

struct State {
    kernel: Kernel,
    shut_down: bool,
}

impl MultiprocBase {
    /// Attaches to the admin on the Admin Port, starting it first if none listens there
    /// (unless the options say to attach only).
    pub(crate) fn start(options: Options) -> Result<Self, ActorSystemError> {
        let mut at = SocketAddr::new(options.bind, options.admin_port);
        if options.attach_only && options.admin_port == 0 {
            return Err(startup(
                "`attach_only` needs the Admin Port of a running system, and port 0 names none; \
                 give the port its admin listens on (`admin_port(1900)` by default)",
            ));
        }
        let (connection, hello, at) = if options.base == QUEUE {
            // Spec §9.3: a new system for each program that asks, private to it.
            let system = crate::bases::new_system_id();
            start_admin(&options, system)?;
            let (stream, hello) = connect_queue(system)?;
            (PeerStream::Unix(stream), hello, "the system's socket".to_string())
        } else {
            // Port 0 starts a new system on a free port (for tests).
            let attached = if options.admin_port == 0 { None } else { connect(options.base, at)? };
            let (stream, hello) = match attached {
                Some(attached) => attached,
                None if options.attach_only => {
                    return Err(startup(format!(
                        "nothing listens on the Admin Port {at}, so there is no {base} system to attach to; \
                         start the system first, or give the Admin Port (and IP address) it listens on",
                        base = options.base
                    )))
                }
                None => {
                    at.set_port(start_admin(&options, crate::bases::new_system_id())?);
                    connect(options.base, at)?
                        .ok_or_else(|| startup(format!("the admin started but does not answer on {at}")))?
                }
            };
            (stream, hello, format!("the Admin Port {at}"))
        };
        let udp = match &connection {
            PeerStream::Udp(stream) => Some(Arc::clone(stream.endpoint())),
            _ => None,
        };
        let (input, output, close) =
            split(connection).map_err(|e| startup(format!("cannot use the connection to {at}: {e}")))?;
        let link = Link::start(input, output, close, "thespian-admin-link")?;
        if let Some(spin) = options.reply_spin {
            link.set_spin(spin);
        }
        // An admin that shuts down (or has just shut down) as this program attaches.
        let going = || startup(format!("the system on {at} is shutting down; start again once it is gone"));
        let attach = Control::Attach { program: program().to_path_buf(), owner: options.shutdown_on_drop };
        link.lock().control(&attach).map_err(|_| going())?;
        let shutting_down = |s: &link::LinkState| {
            s.inbound
                .iter()
                .any(|f| matches!(f, Frame::Control { body } if Control::decode(body) == Ok(Control::ShutDown)))
        };
        let (mut guard, welcome) = link.wait_for(link.lock(), Some(Instant::now() + ANSWER_TIMEOUT), |s| {
            s.welcome.take().map(Some).or_else(|| shutting_down(s).then_some(None))
        });
        let (host, capabilities, direct) = match welcome {
            Ok(Some(Some(welcome))) => welcome,
            Ok(Some(None)) | Err(_) => return Err(going()),
            Ok(None) => return Err(startup(format!("the admin on {at} did not welcome us within {ANSWER_TIMEOUT:?}"))),
        };
        if direct {
            // A program takes no connections: it opens them to the actors it sends to, and
            // they answer on the same ones.
            guard.peers.enable(hello.system, host);
        }
        // On the UDP base, on the socket it reaches the admin with.
        guard.peers.udp = udp;
        drop(guard.writer.flush());
        drop(guard);
        let kernel = Kernel::new(hello.system, options.base, capabilities, options.checks_capabilities)
            .member(host, Box::new(LinkPlacement(Arc::clone(&link))));
        Ok(Self {
            state: Mutex::new(State { kernel, shut_down: false }),
            link,
            admin: ActorAddress::new(hello.system, 0),
            base: options.base,
            shutdown_on_drop: options.shutdown_on_drop,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> Result<MutexGuard<'_, State>, ActorSystemError> {
        let mut state = self.lock();
        self.drain(&mut state);
        if state.shut_down {
            Err(ActorSystemError::SystemShutDown)
        } else {
            Ok(state)
        }
    }

    /// Moves what arrived into the kernel, delivers it, and sends what it made; wakes the
    /// other threads waiting on the link, whose replies may be among it.
    fn drain(&self, state: &mut State) {
        let frames = std::mem::take(&mut self.link.lock().inbound);
        let closed = self.link.lock().closed.is_some();
        let any = !frames.is_empty();
        for frame in frames {
            match frame {
                Frame::Envelope { envelope, .. } => match proto::open_envelope(envelope) {
                    Ok(env) => state.kernel.handle_envelope(env),
                    Err(e) => tracing::warn!(error = %e, "an undecodable message was dropped"),
                },
                Frame::Control { body } => match Control::decode(&body) {
                    Ok(Control::HostLost(host, end)) => state.kernel.handle_host_lost(host, end),
                    Ok(Control::Capabilities(caps)) => state.kernel.set_capabilities(caps),
                    Ok(Control::ShutDown) => state.shut_down = true,
                    Ok(other) => tracing::debug!(?other, "unexpected control message ignored"),
                    Err(e) => tracing::warn!(error = %e, "unreadable control message ignored"),
                },
                Frame::Ack { .. } | Frame::Bye => {}
            }
        }
        if closed {
            state.shut_down = true;
        }
        let _ = self.run(state, None);
        if any {
            self.link.lock().drained += 1;
            self.link.wake();
        }
    }

    /// Delivers and sends until the kernel is quiet. A message from `caller` that cannot be
    /// encoded is that call's error; any other goes back to its sender as poison.
    fn run(&self, state: &mut State, caller: Option<&ActorAddress>) -> Result<(), ActorSystemError> {
        let mut refused = None;
        loop {
            while state.kernel.step() {}
            let (bounced, congestion) =
                actor::pump(&mut state.kernel, &self.link).map_err(ActorSystemError::failure)?;
            for congested in congestion {
                // An actor that reads slower than this program sends: wait for it to catch up.
                congested.wait(conn::CONGESTED / 2, None);
            }
            if bounced.is_empty() {
                return refused.map_or(Ok(()), Err);
            }
            for (env, error) in bounced {
                if refused.is_none() && Some(&env.sender) == caller {
                    refused = Some(ActorSystemError::Wire(error));
                } else {
                    state.kernel.bounce(env, error.to_string());
                }
            }
        }
    }

    /// Closes the direct connections to actor processes and waits for their reader threads,
    /// so that nothing of this system stays open in the program.
    fn close_peers(&self) {
        let readers = self.link.lock().peers.close_all();
        for reader in readers {
            let _ = reader.join();
        }
    }

    /// Asks the admin for the system status, through a private endpoint.
    fn status(&self) -> Result<ThespianSystemStatus, ActorSystemError> {
        let endpoint = self.open_endpoint()?;
        let asked = self.tell(&endpoint, &self.admin, Box::new(ThespianStatusReq));
        let answer = asked.and_then(|()| self.receive(&endpoint, Instant::now() + ANSWER_TIMEOUT));
        self.close_endpoint(&endpoint);
        match answer?.map(|(msg, _)| msg.downcast::<ThespianSystemStatus>()) {
            Some(Ok(status)) => Ok(*status),
            _ => Err(ActorSystemError::failure("the admin did not answer a status request")),
        }
    }
}

/// The reading half, the writing half, and what closes both.
type Halves = (PeerStream, PeerStream, Box<dyn Fn() + Send>);

/// The halves of a program's connection to its admin.
fn split(connection: PeerStream) -> std::io::Result<Halves> {
    let close: Box<dyn Fn() + Send> = match &connection {
        // Closing ends every stream of the program's UDP socket, and the socket.
        PeerStream::Udp(stream) => {
            let stream = stream.clone();
            Box::new(move || stream.endpoint().close())
        }
        other => {
            let closer = other.try_clone()?;
            Box::new(move || closer.shutdown())
        }
    };
    Ok((connection.try_clone()?, connection, close))
}

/// The spec name of the Queue base.
pub(crate) const QUEUE: &str = "multiprocQueueBase";

/// The abstract Unix socket a Queue system's admin takes its program's connection on:
/// named by the system, so it is private to the program that started it (spec §9.3).
pub(crate) fn queue_socket_name(system: u64) -> String {
    format!("thespian-queue-{system:x}")
}

/// Connects to the admin of the Queue system `system`.
fn connect_queue(system: u64) -> Result<(std::os::unix::net::UnixStream, Hello), ActorSystemError> {
    use std::os::linux::net::SocketAddrExt as _;
    let name = queue_socket_name(system);
    let mut stream = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
        .and_then(|at| std::os::unix::net::UnixStream::connect_addr(&at))
        .map_err(|e| startup(format!("cannot reach the system's admin on {name}: {e}")))?;
    let _ = stream.set_read_timeout(Some(ADMIN_START_TIMEOUT));
    let hello = proto::handshake(&mut stream, Hello::new(0, 0, Role::Endpoint))
        .map_err(|e| startup(format!("the system's admin on {name} did not answer: {e}")))?;
    let _ = stream.set_read_timeout(None);
    if hello.role != Role::Admin || hello.system != system {
        return Err(startup(format!("the process on {name} is not this system's admin ({hello:?})")));
    }
    Ok((stream, hello))
}

/// Connects to the admin of a `base` system at `at`: `None` when nothing listens there.
fn connect(base: &str, at: SocketAddr) -> Result<Option<(PeerStream, Hello)>, ActorSystemError> {
    if base == UDP {
        return connect_udp(at);
    }
    let mut stream = match TcpStream::connect_timeout(&at, Duration::from_secs(5)) {
        Ok(stream) => stream,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Ok(None),
        Err(e) => return Err(startup(format!("cannot reach the Admin Port {at}: {e}"))),
    };
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(ADMIN_START_TIMEOUT));
    let hello = proto::handshake(&mut stream, Hello::new(0, 0, Role::Endpoint))
        .map_err(|e| startup(format!("something listens on the Admin Port {at}, but it is no Thespian admin: {e}")))?;
    if hello.role != Role::Admin {
        return Err(startup(format!("the process on the Admin Port {at} is no admin ({:?})", hello.role)));
    }
    let _ = stream.set_read_timeout(None);
    Ok(Some((PeerStream::Tcp(stream), hello)))
}

/// Connects to a UDP admin at `at`, from a UDP socket of the program's own on the same IP
/// address: `None` when nothing answers there.
fn connect_udp(at: SocketAddr) -> Result<Option<(PeerStream, Hello)>, ActorSystemError> {
    let unreachable = |e: std::io::Error| startup(format!("cannot reach the Admin Port {at} (UDP): {e}"));
    if !udp::probe(at, Duration::from_secs(1)).map_err(unreachable)? {
        return Ok(None);
    }
    let endpoint = udp::Endpoint::bind(SocketAddr::new(at.ip(), 0), false).map_err(unreachable)?;
    let mut stream = Arc::new(endpoint).connect(at).map_err(unreachable)?;
    stream.set_read_timeout(Some(ADMIN_START_TIMEOUT));
    let hello = proto::handshake(&mut stream, Hello::new(0, 0, Role::Endpoint))
        .map_err(|e| startup(format!("something answers on the Admin Port {at}, but it is no Thespian admin: {e}")))?;
    if hello.role != Role::Admin {
        return Err(startup(format!("the process on the Admin Port {at} is no admin ({:?})", hello.role)));
    }
    stream.set_read_timeout(None);
    Ok(Some((PeerStream::Udp(stream), hello)))
}

/// Starts an admin daemon on the Admin Port and waits until it listens; returns its port.
fn start_admin(options: &Options, system: u64) -> Result<u16, ActorSystemError> {
    crate::process::role::ensure_linked();
    startup_method(options.base, &options.capabilities)?;
    let config = admin::AdminConfig {
        system,
        base: options.base.to_string(),
        bind: options.bind,
        port: options.admin_port,
        capabilities: options.capabilities.clone(),
        checks_capabilities: options.checks_capabilities,
        daemon: !options.shutdown_on_drop,
        logging: options.logging.clone(),
        spin: options.reply_spin,
    };
    let bytes =
        postcard::to_stdvec(&config).map_err(|e| startup(format!("cannot encode the admin's settings: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut command = Command::new(program());
    command
        .env(crate::process::role::ROLE_VAR, crate::process::role::ADMIN)
        .env(admin::CONFIG_VAR, hex)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    // Its own process group: a Ctrl-C meant for the program does not stop the system.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| startup(format!("cannot start the admin: {e}")))?;
    let stdout = child.stdout.take().ok_or_else(|| startup("the admin has no standard output"))?;
    // The admin is a daemon: it is reaped whenever it ends, however long that takes.
    let _ = std::thread::Builder::new().name("thespian-admin-reaper".to_string()).spawn(move || child.wait());
    let (tx, rx) = std::sync::mpsc::channel();
    let _ = std::thread::Builder::new().name("thespian-admin-start".to_string()).spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(ADMIN_START_TIMEOUT) {
        Ok(line) if line.starts_with("ready ") => line
            .trim_start_matches("ready ")
            .trim()
            .parse()
            .map_err(|_| startup(format!("the admin's start line {line:?} names no port"))),
        Ok(line) if line.starts_with("error ") => Err(startup(line.trim_start_matches("error ").trim().to_string())),
        Ok(_) => Err(startup(
            "the admin process ended before it listened: is this program's role constructor linked? \
             Call `thespian::init()` first thing in `main`",
        )),
        Err(_) => Err(startup(format!("the admin did not listen within {ADMIN_START_TIMEOUT:?}"))),
    }
}

impl SystemBase for MultiprocBase {
    fn base_name(&self) -> &'static str {
        self.base
    }

    fn admin_address(&self) -> ActorAddress {
        self.admin.clone()
    }

    fn open_endpoint(&self) -> Result<ActorAddress, ActorSystemError> {
        Ok(self.open()?.kernel.open_endpoint())
    }

    fn close_endpoint(&self, endpoint: &ActorAddress) {
        self.lock().kernel.close_endpoint(endpoint);
    }

    fn create_actor(&self, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError> {
        let mut state = self.open()?;
        // The type (or registered name) the failure names, as on the simple base.
        let actor_type = spec.factory().map_or_else(|_| String::new(), |f| f.type_name().to_string());
        let address = match state.kernel.create(None, spec) {
            Ok(address) => address,
            Err(CreateError::Invalid(e)) => return Err(e),
            Err(CreateError::NonStartable { actor_type, reason, .. }) => {
                return Err(ActorSystemError::ActorCreateFailure { actor_type: actor_type.to_string(), reason })
            }
        };
        let placed = state.kernel.has_spawns();
        self.run(&mut state, None)?;
        drop(state);
        if !placed {
            // A named actor that was running already.
            return Ok(address);
        }
        // Spec §6.4: the program's call returns once the actor runs, or fails with the reason.
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        let (_guard, outcome) = self.link.wait_for(self.link.lock(), Some(deadline), |s| s.spawned.remove(&address));
        match outcome? {
            Some(Ok(())) => Ok(address),
            Some(Err(reason)) => Err(ActorSystemError::ActorCreateFailure { actor_type, reason }),
            None => Err(ActorSystemError::failure(format!("the actor {address} did not start within 30 s"))),
        }
    }

    fn tell(&self, from: &ActorAddress, to: &ActorAddress, msg: Box<dyn Message>) -> Result<(), ActorSystemError> {
        let mut state = self.open()?;
        crate::api::context::ActorHost::send(&mut state.kernel, from, to, msg)?;
        self.run(&mut state, Some(from))
    }

    fn receive(&self, endpoint: &ActorAddress, deadline: Instant) -> Result<Option<Received>, ActorSystemError> {
        loop {
            let (seen, woken) = {
                let mut state = self.lock();
                let woken = self.link.woken();
                if let Some(received) = state.kernel.take_received(endpoint) {
                    return Ok(Some(received));
                }
                self.drain(&mut state);
                if let Some(received) = state.kernel.take_received(endpoint) {
                    return Ok(Some(received));
                }
                if state.shut_down {
                    return Err(ActorSystemError::SystemShutDown);
                }
                (self.link.lock().drained, woken)
            };
            if Instant::now() >= deadline {
                return Ok(None);
            }
            if self.link.spin_until_woken(woken, Some(deadline)) {
                continue;
            }
            // Wait until something arrives, or another thread delivered what arrived.
            let link = self.link.lock();
            let (_link, woke) = self
                .link
                .wait_for(link, Some(deadline), |s| (!s.inbound.is_empty() || s.drained != seen).then_some(()));
            if woke.is_err() {
                // The connection ended: the next turn reports the shutdown.
                self.lock().shut_down = true;
            }
        }
    }

    fn update_capability(&self, name: &str, value: Option<CapValue>) -> Result<(), ActorSystemError> {
        let state = self.open()?;
        if self.base == UDP {
            // Every process of the system is sent the whole set, in one datagram to a
            // program: a set that would not fit is refused here (the admin refuses it too,
            // should another program's update make it too large meanwhile). The set is the
            // one the admin last sent this program: no census of the system to learn it.
            let mut capabilities = state.kernel.capabilities().clone();
            match &value {
                Some(value) => drop(capabilities.insert(name, value.clone())),
                None => drop(capabilities.remove(name)),
            }
            udp::fits(&Control::Capabilities(capabilities).frame())?;
        }
        drop(state);
        let request = crate::core::kernel::AdminRequest::UpdateCapability { name: name.to_string(), value };
        self.link.lock().control(&Control::Admin(request))?;
        // The admin handles this program's frames in order: once it answers a status request
        // sent after the update, the update is done.
        self.status().map(|_| ())
    }

    fn system_update(&self, name: &str, value: CapValue) -> Result<(), ActorSystemError> {
        drop(self.open()?);
        Err(ActorSystemError::InvalidActorSpecification {
            spec: format!("system_update({name:?}, {value})"),
            reason: format!("{} has no settings to update", self.base),
        })
    }

    fn capabilities(&self) -> Result<Capabilities, ActorSystemError> {
        drop(self.open()?);
        self.status().map(|status| status.capabilities)
    }

    fn shutdown(&self) -> Result<(), ActorSystemError> {
        let mut state = self.lock();
        self.drain(&mut state);
        if state.shut_down {
            return Ok(());
        }
        self.link.lock().control(&Control::Shutdown)?;
        let (link, done) = self.link.wait_for(self.link.lock(), Some(Instant::now() + ANSWER_TIMEOUT), |s| {
            s.inbound
                .iter()
                .any(|f| matches!(f, Frame::Control { body } if Control::decode(body) == Ok(Control::ShutDown)))
                .then_some(())
        });
        drop(link);
        state.shut_down = true;
        // Every actor process is gone: what they sent directly is read to its end.
        self.link.await_peers_read(Instant::now() + ANSWER_TIMEOUT);
        self.close_peers();
        match done {
            // The admin closing the connection is the end of the shutdown too.
            Ok(Some(())) | Err(_) => Ok(()),
            Ok(None) => Err(ActorSystemError::failure("the admin did not finish shutting down within 30 s")),
        }
    }

    fn release(&self) {
        if self.shutdown_on_drop {
            if let Err(e) = self.shutdown() {
                tracing::warn!(error = %e, "actor system shutdown on drop failed");
            }
            self.link.close();
        } else {
            // Detach: the system goes on without this program (spec §9.4).
            self.close_peers();
            self.link.detach();
        }
    }
}
