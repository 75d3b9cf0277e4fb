//! The ActorSystem API (spec §6): how code outside the actors talks to them.
//!
//! The top layer of the crate: [`ActorSystem`] and its builder choose a base and start it,
//! so this module uses the bases and everything under them, and nothing but the crate root
//! uses it.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sync_wrapper::SyncWrapper;

use crate::api::actor::{ActorSpec, NewActor};
use crate::api::address::ActorAddress;
use crate::api::capabilities::{self, CapValue, Capabilities};
use crate::api::error::ActorSystemError;
use crate::api::logging::Logging;
use crate::api::message::{Message, MessageRegistry};
use crate::api::system_messages::{ThespianStatusReq, ThespianSystemStatus};
use crate::bases::simple::{self, SimpleBase};
use crate::bases::{new_system_id, SystemBase};

/// Configures and starts an [`ActorSystem`] (spec §6.2).
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::builder()
///     .base("simpleSystemBase")
///     .capability("Has Lightbulb", true)
///     .logging(Logging::Off)
///     .build()?;
/// assert!(asys.capabilities()?.is_truthy("Has Lightbulb"));
/// # Ok(()) }
/// ```
#[doc(alias("systemBase", "logDefs", "transientUnique"))]
#[derive(Debug, Clone)]
#[must_use]
pub struct ActorSystemBuilder {
    base: String,
    capabilities: Capabilities,
    logging: Logging,
    transient_unique: bool,
    processing_limit: Option<u64>,
    check_capabilities: Option<bool>,
    admin_port: Option<u16>,
    ip_address: Option<std::net::IpAddr>,
    shutdown_on_drop: bool,
    attach_only: bool,
    reply_spin: Option<Duration>,
}

impl Default for ActorSystemBuilder {
    fn default() -> Self {
        Self {
            base: simple::NAME.to_string(),
            capabilities: Capabilities::new(),
            logging: Logging::Default,
            transient_unique: false,
            processing_limit: None,
            check_capabilities: None,
            admin_port: None,
            ip_address: None,
            shutdown_on_drop: false,
            attach_only: false,
            reply_spin: None,
        }
    }
}

/// The system bases of spec §9 by name, and whether this build provides them.
const BASES: &[(&str, bool)] = &[
    ("simpleSystemBase", true),
    ("multiprocQueueBase", cfg!(target_os = "linux")),
    ("multiprocTCPBase", cfg!(target_os = "linux")),
    ("multiprocUDPBase", cfg!(target_os = "linux")),
];

impl ActorSystemBuilder {
    /// The system base, by its spec name (§9); `"simpleSystemBase"` by default.
    #[doc(alias = "systemBase")]
    pub fn base(mut self, name: impl Into<String>) -> Self {
        self.base = name.into();
        self
    }

    /// Sets one initial capability (spec §4.10). A [`CapValue::Null`] (Python's `None`)
    /// sets none: it removes a value given earlier for `name`, as
    /// [`ActorSystem::update_capability`] does.
    pub fn capability(mut self, name: impl Into<String>, value: impl Into<CapValue>) -> Self {
        let (name, value) = (name.into(), value.into());
        if value == CapValue::Null {
            self.capabilities.remove(&name);
        } else {
            self.capabilities.insert(name, value);
        }
        self
    }

    /// Adds initial capabilities, one by one as [`capability`](Self::capability) does.
    pub fn capabilities(self, capabilities: Capabilities) -> Self {
        capabilities.iter().fold(self, |builder, (name, value)| builder.capability(name, value.clone()))
    }

    /// How logging is set up (spec `logDefs`).
    #[doc(alias = "logDefs")]
    pub fn logging(mut self, logging: Logging) -> Self {
        self.logging = logging;
        self
    }

    /// The spec's `transientUnique`. Every system built here is already unique (there is
    /// no process-wide singleton), so this only records the request.
    #[doc(alias = "transientUnique")]
    pub fn transient_unique(mut self, transient_unique: bool) -> Self {
        self.transient_unique = transient_unique;
        self
    }

    /// On the simple base, how many messages one call may deliver before it stops with
    /// [`ActorSystemError::ProcessingLimitExceeded`] (default 10 000 000), naming the actors
    /// that kept the queue full and dropping what they left queued. Wakeups count as
    /// messages. Raise it for a program that really delivers more in one call; lower it in a
    /// test to catch a runaway loop early. `system_update("setProcessingLimit", n)` changes
    /// it later.
    #[doc(alias = "setProcessingLimit")]
    pub fn processing_limit(mut self, limit: u64) -> Self {
        self.processing_limit = Some(limit.max(1));
        self
    }

    /// Whether actors' capability checks are made (spec §5.12, §5.13). Each base has its
    /// default: the simple base makes none (spec §9.2); turning them on there lets tests
    /// exercise requirements and re-validation in-process, as a checking base would.
    #[doc(alias = "actorSystemCapabilityCheck")]
    pub fn check_capabilities(mut self, check: bool) -> Self {
        self.check_capabilities = Some(check);
        self
    }

    /// The Admin Port of a multi-process base (spec §9.4: 1900 on `multiprocTCPBase`): the
    /// program attaches to the system whose admin listens there, or starts one. The
    /// capability `"Admin Port"` says the same.
    #[doc(alias = "Admin Port")]
    pub fn admin_port(mut self, port: u16) -> Self {
        self.admin_port = Some(port);
        self
    }

    /// The IP address a multi-process base binds and advertises; by default the
    /// environment variable `THESPIAN_BASE_IPADDR`, else loopback (`127.0.0.1`).
    #[doc(alias = "THESPIAN_BASE_IPADDR")]
    pub fn ip_address(mut self, address: std::net::IpAddr) -> Self {
        self.ip_address = Some(address);
        self
    }

    /// On `multiprocTCPBase`, whether dropping the handle (or the death of this program)
    /// shuts the whole system down. By default it does not: the admin outlives the program
    /// that started it (spec §9.4), and dropping the handle only detaches from the system.
    /// Tests turn it on, so that a failing test leaves no process behind. On the other
    /// bases dropping the handle always shuts the system down.
    pub fn shutdown_on_drop(mut self, shutdown: bool) -> Self {
        self.shutdown_on_drop = shutdown;
        self
    }

    /// On a multi-process base, whether to attach only to a system that is already running
    /// on the Admin Port, instead of starting one there when none listens (spec §9.4 starts
    /// one). Off by default. Tools that inspect or stop a system (the `thespian` command)
    /// turn it on, so that a wrong port is an error instead of a new, empty system.
    ///
    /// The simple base has no running system to attach to: building one with this on is an
    /// error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use thespian::prelude::*;
    ///
    /// # fn main() -> Result<(), ActorSystemError> {
    /// let asys = ActorSystem::builder()
    ///     .base("multiprocTCPBase")
    ///     .admin_port(1900)
    ///     .attach_only(true)
    ///     .build()?; // fails at once if no system listens on port 1900
    /// println!("{} actors", asys.status()?.actor_count);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`build`](Self::build) fails with [`ActorSystemError::ActorSystemStartupFailure`]
    /// when nothing listens on the Admin Port (the reason names the address), with Admin
    /// Port 0 (which names no running system), and on the simple base.
    pub fn attach_only(mut self, attach_only: bool) -> Self {
        self.attach_only = attach_only;
        self
    }

    /// On a multi-process base, how long a thread that waits for a message watches for it
    /// before it sleeps: 50 µs by default, on machines with more than one CPU. In this
    /// program that is a thread waiting for an answer (`ask`, `listen`); in the actor
    /// processes of a system this program starts, the thread that just handled a message and
    /// waits for the next on the same connection (it leaves the CPU to any other thread
    /// that wants it meanwhile). The waiting thread of a program also reads its connections
    /// to the actors itself meanwhile. A message that comes within that time is taken
    /// without waking a sleeping thread, which on a virtual machine costs more than a local
    /// round trip; the price is that much CPU time per wait (one thread per process at a
    /// time spins). `Duration::ZERO` turns it off: every wait sleeps at once. A program that
    /// attaches to a running system sets it for itself only. The simple base never waits,
    /// and ignores it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use thespian::prelude::*;
    ///
    /// # fn main() -> Result<(), ActorSystemError> {
    /// // A program that asks rarely and would rather not spend CPU on waiting.
    /// let asys = ActorSystem::builder().base("multiprocTCPBase").reply_spin(Duration::ZERO).build()?;
    /// # asys.shutdown() }
    /// ```
    pub fn reply_spin(mut self, spin: Duration) -> Self {
        self.reply_spin = Some(spin);
        self
    }

    /// Starts the system.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::ActorSystemStartupFailure`] for an unknown or unavailable base,
    /// when two message types, or two actor types, are registered under one name, and with
    /// [`attach_only`](Self::attach_only) when no system runs on the Admin Port.
    pub fn build(self) -> Result<ActorSystem, ActorSystemError> {
        self.logging.install();
        MessageRegistry::get().check_unique()?;
        crate::api::actor::check_unique_actor_names()?;
        let base: Arc<dyn SystemBase> = match BASES.iter().find(|(name, _)| *name == self.base) {
            Some((name, true)) => {
                let mut caps = self.capabilities.clone();
                for (cap, value) in capabilities::common(name).iter() {
                    if capabilities::READ_ONLY.contains(&cap) || caps.get(cap).is_none() {
                        caps.insert(cap, value.clone());
                    }
                }
                if *name == simple::NAME && self.attach_only {
                    return Err(ActorSystemError::ActorSystemStartupFailure {
                        reason: format!(
                            "`attach_only` attaches to a running multi-process system, and `{name}` \
                             runs none to attach to; use `multiprocTCPBase`, or leave `attach_only` off"
                        ),
                    });
                }
                if *name == simple::NAME {
                    let checks = self.check_capabilities.unwrap_or(false);
                    Arc::new(SimpleBase::new(new_system_id(), caps, self.processing_limit, checks))
                } else {
                    self.multiproc(name, caps)?
                }
            }
            Some((name, false)) => {
                let available: Vec<&str> = BASES.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
                return Err(ActorSystemError::ActorSystemStartupFailure {
                    reason: format!(
                        "the system base `{name}` is not available in this version; use one of: {}",
                        available.join(", ")
                    ),
                });
            }
            None => {
                let known: Vec<&str> = BASES.iter().map(|(n, _)| *n).collect();
                return Err(ActorSystemError::ActorSystemStartupFailure {
                    reason: format!("unknown system base `{}`; expected one of: {}", self.base, known.join(", ")),
                });
            }
        };
        let endpoint = base.open_endpoint()?;
        Ok(ActorSystem { base, endpoint, owner: true })
    }
}

impl ActorSystemBuilder {
    /// Attaches to (or starts) a multi-process system.
    #[cfg(target_os = "linux")]
    fn multiproc(&self, name: &'static str, mut caps: Capabilities) -> Result<Arc<dyn SystemBase>, ActorSystemError> {
        use crate::bases::multiproc::{MultiprocBase, Options, DEFAULT_ADMIN_PORT, DEFAULT_UDP_ADMIN_PORT, QUEUE, UDP};
        let queue = name == QUEUE;
        if queue {
            // Spec §9.3: a Queue system is private to the program that starts it and lives as
            // long as that program; it has no Admin Port and takes part in no convention.
            let refuse = |what: &str| ActorSystemError::ActorSystemStartupFailure {
                reason: format!("{QUEUE} {what}; use multiprocTCPBase for that"),
            };
            if self.attach_only {
                return Err(refuse("starts a system of its own for each program: there is none to attach to"));
            }
            if caps.get("Convention Address.IPv4").is_some() {
                return Err(refuse("systems are local to their program and join no convention"));
            }
        }
        let from_caps = match caps.get("Admin Port") {
            Some(CapValue::Int(port)) => Some(u16::try_from(*port).map_err(|_| {
                ActorSystemError::ActorSystemStartupFailure { reason: format!("\"Admin Port\" {port} is not a port") }
            })?),
            _ => None,
        };
        let default_port = if name == UDP { DEFAULT_UDP_ADMIN_PORT } else { DEFAULT_ADMIN_PORT };
        let admin_port = self.admin_port.or(from_caps).unwrap_or(default_port);
        if queue {
            caps.remove("Admin Port");
        } else {
            caps.insert("Admin Port", i64::from(admin_port));
        }
        let options = Options {
            base: name,
            admin_port,
            bind: Options::bind_from_env(self.ip_address)?,
            capabilities: caps,
            // Spec §5.12: only the simple base skips the checks.
            checks_capabilities: self.check_capabilities.unwrap_or(true),
            // A Queue system ends with its program (spec §9.3).
            shutdown_on_drop: self.shutdown_on_drop || queue,
            attach_only: self.attach_only,
            logging: crate::bases::multiproc::logs::LogConfig::new(&self.logging),
            reply_spin: self.reply_spin,
        };
        Ok(Arc::new(MultiprocBase::start(options)?))
    }

    #[cfg(not(target_os = "linux"))]
    fn multiproc(&self, name: &'static str, _: Capabilities) -> Result<Arc<dyn SystemBase>, ActorSystemError> {
        Err(ActorSystemError::ActorSystemStartupFailure {
            reason: format!("the system base `{name}` runs on Linux only; use `simpleSystemBase`"),
        })
    }
}

/// A running actor system and an external endpoint into it (spec §6).
///
/// Every `ActorSystem::new()` or `builder().build()` starts a system of its own; there is
/// no process-wide singleton, so tests can run side by side. Dropping the handle shuts the
/// system down. To talk to it from several threads, give each thread its own endpoint with
/// [`private`](Self::private).
///
/// The API is for code outside the actors. On the simple base an actor's handler runs
/// inside a call into the system, in the caller's thread, so a handler (or an actor's
/// constructor, capability check or `Drop`) that calls a method of the system running it
/// would wait for itself forever. Such a call fails at once instead, with
/// [`ActorSystemError::CalledFromInsideAnActor`]; a handler uses its [`ActorContext`](crate::ActorContext) (`ctx.send`,
/// `ctx.create_actor`, `ctx.actor_system_shutdown`, ...) instead. A `Drop` of the system's
/// handle in such a place does not shut the system down; it logs a warning.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Hello;
///
/// impl Actor for Hello {
///     fn receive_message(&mut self, msg: &mut dyn Message, sender: &ActorAddress,
///                        ctx: &mut ActorContext<'_>) -> ActorResult {
///         if let Some(name) = msg.downcast_ref::<String>() {
///             ctx.send(sender, format!("Hello, {name}!"));
///         }
///         Ok(())
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let hello = asys.create_actor::<Hello>()?;
/// let reply: Option<String> = asys.ask_as(&hello, "world".to_string(), Duration::from_secs(1))?;
/// assert_eq!(reply.as_deref(), Some("Hello, world!"));
/// asys.shutdown()
/// # }
/// ```
pub struct ActorSystem {
    base: Arc<dyn SystemBase>,
    endpoint: ActorAddress,
    /// The handle that shuts the system down when dropped (private endpoints do not).
    owner: bool,
}

impl std::fmt::Debug for ActorSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorSystem").field("base", &self.base.base_name()).field("endpoint", &self.endpoint).finish()
    }
}

impl ActorSystem {
    /// Starts a system on the default base, `simpleSystemBase` (spec §6.2, §9.2).
    ///
    /// # Errors
    ///
    /// As [`ActorSystemBuilder::build`].
    pub fn new() -> Result<Self, ActorSystemError> {
        Self::builder().build()
    }

    /// A builder for a system with a chosen base, capabilities and logging.
    pub fn builder() -> ActorSystemBuilder {
        ActorSystemBuilder::default()
    }

    /// The spec name of the system base.
    #[doc(alias = "systemBase")]
    pub fn base_name(&self) -> &'static str {
        self.base.base_name()
    }

    /// The system's admin address: send it [`ThespianStatusReq`] for a
    /// [`ThespianSystemStatus`] (spec §7.12).
    pub fn admin_address(&self) -> ActorAddress {
        self.base.admin_address()
    }

    /// The address actors see as the sender of this endpoint's messages.
    #[doc(alias = "myAddress")]
    pub fn my_address(&self) -> &ActorAddress {
        &self.endpoint
    }

    /// Creates a top-level actor of type `A` (spec §2.2.1, §6.4).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::ActorCreateFailure`] if its constructor fails or panics,
    /// [`ActorSystemError::SystemShutDown`] after shutdown.
    #[doc(alias = "createActor")]
    pub fn create_actor<A: NewActor>(&self) -> Result<ActorAddress, ActorSystemError> {
        self.create_actor_with(ActorSpec::of::<A>())
    }

    /// Creates a top-level actor from its registered module-qualified type name
    /// (spec §6.4, `"foo.bar.BarActor"`).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorSpecification`] if no actor type is registered as `name`.
    #[doc(alias = "createActor")]
    pub fn create_actor_by_name(&self, name: &str) -> Result<ActorAddress, ActorSystemError> {
        self.create_actor_with(ActorSpec::by_name(name))
    }

    /// Creates an actor from a full specification: requirements and global name (spec §6.4).
    ///
    /// # Errors
    ///
    /// As [`create_actor`](Self::create_actor) and
    /// [`create_actor_by_name`](Self::create_actor_by_name).
    #[doc(alias("createActor", "targetActorRequirements", "globalName"))]
    pub fn create_actor_with(&self, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError> {
        self.base.create_actor(spec)
    }

    /// Sends a message to an actor without waiting for an answer (spec §6.5).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorAddress`] for an address not of this system.
    pub fn tell(&self, target: &ActorAddress, msg: impl Message) -> Result<(), ActorSystemError> {
        self.base.tell(&self.endpoint, target, Box::new(msg))
    }

    /// Sends a message and waits up to `timeout` for the next message to this endpoint
    /// (spec §6.6). `Ok(None)` means the time ran out; `Duration::MAX` waits forever.
    ///
    /// The answer is *any* message sent to this endpoint, from any actor: possibly one left
    /// over from an earlier call (spec §6.6.1). A [`PoisonMessage`](crate::PoisonMessage)
    /// is returned like any answer.
    ///
    /// # Errors
    ///
    /// As [`tell`](Self::tell).
    pub fn ask(
        &self,
        target: &ActorAddress,
        msg: impl Message,
        timeout: Duration,
    ) -> Result<Option<Box<dyn Message>>, ActorSystemError> {
        self.tell(target, msg)?;
        self.listen(timeout)
    }

    /// [`ask`](Self::ask), expecting a reply of type `R`.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::UnexpectedReply`] (which hands the reply back) if the reply is of
    /// another type, and the errors of [`ask`](Self::ask).
    #[doc(alias = "ask")]
    pub fn ask_as<R: Message>(
        &self,
        target: &ActorAddress,
        msg: impl Message,
        timeout: Duration,
    ) -> Result<Option<R>, ActorSystemError> {
        self.tell(target, msg)?;
        self.listen_as(timeout)
    }

    /// Waits up to `timeout` for the next message to this endpoint (spec §6.7).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::SystemShutDown`] after shutdown.
    pub fn listen(&self, timeout: Duration) -> Result<Option<Box<dyn Message>>, ActorSystemError> {
        let now = Instant::now();
        let deadline = now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        Ok(self.base.receive(&self.endpoint, deadline)?.map(|(msg, _sender)| msg))
    }

    /// [`listen`](Self::listen), expecting a message of type `R`.
    ///
    /// # Errors
    ///
    /// As [`ask_as`](Self::ask_as).
    #[doc(alias = "listen")]
    pub fn listen_as<R: Message>(&self, timeout: Duration) -> Result<Option<R>, ActorSystemError> {
        match self.listen(timeout)? {
            None => Ok(None),
            Some(reply) => reply.downcast::<R>().map(|r| Some(*r)).map_err(|reply| ActorSystemError::UnexpectedReply {
                expected: std::any::type_name::<R>(),
                got: reply.message_type_name(),
                reply: SyncWrapper::new(reply),
            }),
        }
    }

    /// A private endpoint for this thread (spec §6.8): its asks and listens see only the
    /// replies sent to it. Dropping the guard closes the endpoint.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::SystemShutDown`] after shutdown.
    pub fn private(&self) -> Result<PrivateSystem<'_>, ActorSystemError> {
        let endpoint = self.base.open_endpoint()?;
        Ok(PrivateSystem {
            system: ActorSystem { base: Arc::clone(&self.base), endpoint, owner: false },
            _parent: PhantomData,
        })
    }

    /// Sets a capability, or removes it with `None` or `Some(CapValue::Null)` (Python's
    /// `None`, spec §6.9). Read-only capabilities (spec §9.1) are left unchanged.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::SystemShutDown`] after shutdown.
    #[doc(alias = "updateCapability")]
    pub fn update_capability(&self, name: &str, value: Option<CapValue>) -> Result<(), ActorSystemError> {
        self.base.update_capability(name, value)
    }

    /// The current capabilities (spec §4.10, §9.1).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::SystemShutDown`] after shutdown.
    pub fn capabilities(&self) -> Result<Capabilities, ActorSystemError> {
        self.base.capabilities()
    }

    /// A base-specific setting; the simple base understands `"setProcessingLimit"`.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorSpecification`] for a setting the base does not know.
    #[doc(alias = "setProcessingLimit")]
    pub fn system_update(&self, name: &str, value: impl Into<CapValue>) -> Result<(), ActorSystemError> {
        self.base.system_update(name, value.into())
    }

    /// Asks the admin for the system's status (spec §7.12, §7.13).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::ActorSystemRequestTimeout`] if the admin does not answer in 10 s.
    #[doc(alias("Thespian_StatusReq", "Thespian_SystemStatus"))]
    pub fn status(&self) -> Result<ThespianSystemStatus, ActorSystemError> {
        let private = self.private()?;
        let timeout = Duration::from_secs(10);
        private
            .ask_as::<ThespianSystemStatus>(&self.admin_address(), ThespianStatusReq, timeout)?
            .ok_or_else(|| ActorSystemError::ActorSystemRequestTimeout { what: "status request".to_string(), timeout })
    }

    /// Stops every actor and the system itself (spec §6.3). Calling it again does nothing.
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::ActorSystemFailure`] if the system's state was corrupted.
    pub fn shutdown(&self) -> Result<(), ActorSystemError> {
        self.base.shutdown()
    }
}

impl Drop for ActorSystem {
    fn drop(&mut self) {
        if self.owner {
            self.base.release();
        } else {
            self.base.close_endpoint(&self.endpoint);
        }
    }
}

/// A private endpoint into an [`ActorSystem`] for one thread (spec §6.8), from
/// [`ActorSystem::private`]. It has every method of `ActorSystem`; dropping it closes the
/// endpoint but leaves the system running.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
/// # #[derive(Default)] struct Echo;
/// # impl Actor for Echo {
/// #     fn receive_message(&mut self, msg: &mut dyn Message, sender: &ActorAddress,
/// #         ctx: &mut ActorContext<'_>) -> ActorResult {
/// #         if let Some(n) = msg.downcast_ref::<i64>() { ctx.send(sender, *n); } Ok(()) }
/// # }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let echo = asys.create_actor::<Echo>()?;
/// std::thread::scope(|s| {
///     for n in 0..4_i64 {
///         let asys = &asys;
///         let echo = &echo;
///         s.spawn(move || {
///             let me = asys.private().expect("system is running");
///             let r: Option<i64> = me.ask_as(echo, n, Duration::from_secs(5)).expect("ask");
///             assert_eq!(r, Some(n));
///         });
///     }
/// });
/// # Ok(()) }
/// ```
#[doc(alias = "private")]
#[derive(Debug)]
pub struct PrivateSystem<'a> {
    system: ActorSystem,
    _parent: PhantomData<&'a ActorSystem>,
}

impl Deref for PrivateSystem<'_> {
    type Target = ActorSystem;

    fn deref(&self) -> &ActorSystem {
        &self.system
    }
}
