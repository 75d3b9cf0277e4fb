//! The base-independent actor machinery: addresses, parents and children, delivery with
//! retry and poison, dead letters, named actors, exit propagation, wakeups and status.
//!
//! A base drives it: it posts envelopes, calls [`Kernel::step`] to deliver them and
//! [`Kernel::fire_due_timers`] to turn due wakeups into messages, and decides when and in
//! which thread that happens.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use tracing::Span;

use crate::api::actor::{Actor, ActorFactory, ActorSpec, ActorStart};
use crate::api::address::ActorAddress;
use crate::api::capabilities::{self, CapValue, Capabilities};
use crate::api::context::ActorHost;
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::api::system_messages::{
    ActorExitRequest, ChildActorExited, DeadEnvelope, PoisonMessage, ThespianActorStatus, ThespianStatusReq,
    ThespianSystemStatus, WatchMessage,
};
use crate::core::cell;
use crate::core::timers::{TimerMark, Timers};

/// The capability that says a base polls the descriptors of a [`ThespianWatch`](crate::ThespianWatch).
const WATCH_SUPPORTED: &str = "Thespian Watch Supported";

/// A map keyed by actor id.
/// Ids are sequential, so a fast hasher (seeded per process) replaces SipHash on this hot path.
type IdMap<V> = HashMap<u64, V, foldhash::fast::RandomState>;

/// A message on its way.
pub(crate) struct Envelope {
    pub(crate) target: ActorAddress,
    pub(crate) sender: ActorAddress,
    pub(crate) message: Box<dyn Message>,
}

/// A received message and who sent it.
pub(crate) type Received = (Box<dyn Message>, ActorAddress);

/// One live actor.
struct Slot {
    /// The instance; `None` while it is handling a message.
    actor: Option<Box<dyn Actor>>,
    type_name: &'static str,
    /// How it was built: its capability check is re-run when capabilities change.
    factory: ActorFactory,
    /// The requirements its creator gave.
    requirements: Option<Capabilities>,
    /// The parent actor; `None` for top-level and named actors (children of the system).
    parent: Option<ActorAddress>,
    children: Vec<ActorAddress>,
    name: Option<String>,
    /// Set once its exit has begun, so its children's exits are not reported to it.
    exiting: bool,
    /// Once exiting with children in other processes: the wait for them (boxed: rare, and
    /// every idle actor would pay for it inline).
    waiting: Option<Box<Waiting>>,
    /// The span its code runs in, carrying its address (spec §4.13); taken with `actor`
    /// while it handles a message, unless it is disabled.
    span: Span,
}

/// Where an address leads.
enum Route {
    Actor,
    Endpoint,
    Admin,
    /// Another process of the system: handed to the base's transport.
    Remote,
    Dead,
    Invalid(&'static str),
}

/// An exiting actor's wait for its children in other processes (DESIGN §3: an actor is
/// removed only after its children reported).
#[derive(Default)]
struct Waiting {
    /// The children asked to exit that have not reported `ChildActorExited` yet.
    children: Vec<ActorAddress>,
    /// Set when its exit reached the point of removal while it still awaited children: the
    /// last of them to go removes it.
    removal_due: bool,
}

impl Slot {
    /// True while it waits for children in other processes.
    fn awaits(&self) -> bool {
        self.waiting.as_ref().is_some_and(|w| !w.children.is_empty())
    }

    /// Its wait, begun if need be.
    fn wait(&mut self) -> &mut Waiting {
        self.waiting.get_or_insert_with(Box::default)
    }

    /// Stops waiting for the children `gone` says are gone; true if that ends a wait whose
    /// removal is due.
    fn stop_waiting(&mut self, gone: impl Fn(&ActorAddress) -> bool) -> bool {
        self.waiting.as_mut().is_some_and(|w| {
            w.children.retain(|c| !gone(c));
            w.children.is_empty() && w.removal_due
        })
    }
}

/// One step of an exit walking an actor's subtree ([`Kernel::exit_tree`]).
enum ExitStep {
    /// Deliver an exit request to the actor, then go on to its children.
    Ask { addr: ActorAddress, requester: ActorAddress },
    /// The actor has handled its exit request; go on to its children.
    Handled { addr: ActorAddress, recursive: bool },
    /// Its children are gone: remove it.
    Remove(ActorAddress),
}

/// What a kernel of a multi-process system needs from its base when it creates an actor in
/// another process (DESIGN §3: where an actor runs is the base's decision). The base may
/// block here (a round trip to the admin); the kernel itself does no I/O.
pub(crate) trait Placement: Send {
    /// A host number never used before in this system, for a new actor process.
    fn next_host(&mut self) -> Result<u32, ActorSystemError>;
    /// Registers `candidate` under the global `name` unless an actor holds it (spec §4.6):
    /// the address that holds the name afterwards.
    fn claim_name(&mut self, name: &str, candidate: &ActorAddress) -> Result<ActorAddress, ActorSystemError>;
}

/// How a host's process ended, as [`Kernel::handle_host_lost`] is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum HostEnd {
    /// It died, or its connection broke: its actors exited without passing anything on.
    Died,
    /// It left once its actors had exited, each having handled its exit request.
    Left,
}

/// An actor to start in a new process, as a kernel of a multi-process system asks its base.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SpawnOrder {
    /// The address issued for it: its host is the new process.
    pub(crate) address: ActorAddress,
    /// Its parent actor; `None` for top-level and named actors.
    pub(crate) parent: Option<ActorAddress>,
    /// The registered name of its type.
    pub(crate) type_name: String,
    pub(crate) requirements: Option<Capabilities>,
    pub(crate) global_name: Option<String>,
}

/// What a kernel of a multi-process system asks of the admin, which holds the system-wide
/// registries (DESIGN §3).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) enum AdminRequest {
    /// Register (or, with `start` false, deregister) `actor` as the dead-letter handler.
    DeadLetters { actor: ActorAddress, start: bool },
    /// Set or remove a capability, and re-validate every actor.
    UpdateCapability { name: String, value: Option<CapValue> },
    /// Shut the system down.
    Shutdown,
}

/// Which part of a system a kernel is (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The whole system in one process: every registry here, every actor built in place.
    Standalone,
    /// One process of a multi-process system: its own actors here, the registries with the
    /// admin, new actors started by the base in new processes.
    Member,
    /// The admin of a multi-process system: the registries, no actors of its own.
    Admin,
}

/// Why `create` made no running actor.
pub(crate) enum CreateError {
    /// The specification is unusable; no address was issued.
    Invalid(ActorSystemError),
    /// The constructor failed: the address was issued and is dead (spec §4.3).
    NonStartable { address: ActorAddress, actor_type: &'static str, reason: String },
}

pub(crate) struct Kernel {
    system: u64,
    /// The process this kernel runs in (DESIGN §3): it hosts the actors whose addresses name
    /// it, and hands every other address of its system to the transport.
    host: u32,
    /// Envelopes for other hosts, oldest first, waiting for [`poll_transmit`](Self::poll_transmit).
    outbound: VecDeque<Envelope>,
    /// Whether other hosts exist (a multi-process base's kernel); on a single-process base
    /// an address naming another host is invalid.
    has_peers: bool,
    mode: Mode,
    /// A member's base, asked for new hosts and names.
    placement: Option<Box<dyn Placement>>,
    /// A member's actors to start in new processes, for [`poll_spawn`](Self::poll_spawn).
    spawns: VecDeque<SpawnOrder>,
    /// A member's requests to the admin, for [`poll_admin`](Self::poll_admin).
    admin_requests: VecDeque<AdminRequest>,
    /// The admin's view of the actors in other processes: each one's parent (`None` for
    /// top-level and named actors), for the system status and the shutdown.
    remote_actors: std::collections::BTreeMap<ActorAddress, Option<ActorAddress>>,
    base_name: &'static str,
    next_id: u64,
    actors: IdMap<Slot>,
    /// External endpoints and their inboxes.
    endpoints: IdMap<VecDeque<Received>>,
    names: HashMap<String, ActorAddress>,
    dead_letter_handler: Option<ActorAddress>,
    queue: VecDeque<Envelope>,
    timers: Timers,
    /// The clock a wakeup's delay counts from: the system's, or a test's virtual one. Read
    /// only when an actor asks for a wakeup; the bases pass `now` everywhere else.
    clock: fn() -> Instant,
    capabilities: Capabilities,
    /// Whether actors' capability checks are made (spec §9.2: not on the simple base).
    checks_capabilities: bool,
    /// Set when a capability changed and running actors must be re-validated.
    revalidate: bool,
    shutdown_requested: bool,
    /// While shutting down: the mail no live actor received (dead letters with no handler
    /// left), reported together once the shutdown is done.
    undelivered: Option<VecDeque<Envelope>>,
    /// Spec §4.8: the file descriptors each actor's last handler invocation asked to watch;
    /// only actors with a watch are present.
    watches: std::collections::BTreeMap<ActorAddress, Vec<i32>>,
    /// A watch was ignored on a system without "Thespian Watch Supported" (logged once).
    watch_ignored: bool,
}

impl Kernel {
    pub(crate) fn new(
        system: u64,
        base_name: &'static str,
        capabilities: Capabilities,
        checks_capabilities: bool,
    ) -> Self {
        Self {
            system,
            host: 0,
            outbound: VecDeque::new(),
            has_peers: false,
            mode: Mode::Standalone,
            placement: None,
            spawns: VecDeque::new(),
            admin_requests: VecDeque::new(),
            remote_actors: std::collections::BTreeMap::new(),
            base_name,
            next_id: 1,
            actors: IdMap::default(),
            endpoints: IdMap::default(),
            names: HashMap::new(),
            dead_letter_handler: None,
            queue: VecDeque::new(),
            timers: Timers::default(),
            clock: Instant::now,
            capabilities,
            checks_capabilities,
            revalidate: false,
            shutdown_requested: false,
            undelivered: None,
            watches: std::collections::BTreeMap::new(),
            watch_ignored: false,
        }
    }

    /// This kernel reads `clock` for the time a wakeup's delay counts from (a virtual clock
    /// makes kernel tests deterministic).
    #[cfg(test)]
    pub(crate) fn with_clock(mut self, clock: fn() -> Instant) -> Self {
        self.clock = clock;
        self
    }

    /// This kernel as one process of a multi-process system: process `host` (the admin's is
    /// host 0). It issues addresses on that host only, and hands mail for every other host
    /// to the transport ([`poll_transmit`](Self::poll_transmit)).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn in_process(mut self, host: u32) -> Self {
        self.host = host;
        self.has_peers = true;
        self
    }

    /// The spec name of the system base this kernel runs in.
    pub(crate) fn base_name(&self) -> &'static str {
        self.base_name
    }

    /// This kernel as member `host` of a multi-process system: it hosts the actors of its
    /// process; new actors start in new processes (placed by `placement`, handed out by
    /// [`poll_spawn`](Self::poll_spawn)), and what is system-wide goes to the admin
    /// ([`poll_admin`](Self::poll_admin)).
    pub(crate) fn member(self, host: u32, placement: Box<dyn Placement>) -> Self {
        let mut kernel = self.in_process(host);
        kernel.mode = Mode::Member;
        kernel.placement = Some(placement);
        kernel
    }

    /// This kernel as the admin of a multi-process system (host 0): it holds the registries
    /// and hosts no actor.
    pub(crate) fn admin(self) -> Self {
        let mut kernel = self.in_process(0);
        kernel.mode = Mode::Admin;
        kernel
    }

    /// The admin learns of an actor started in another process.
    pub(crate) fn register_remote(&mut self, order: &SpawnOrder) {
        if let Some(name) = &order.global_name {
            self.names.insert(name.clone(), order.address.clone());
        }
        self.remote_actors.insert(order.address.clone(), order.parent.clone());
    }

    /// The admin's name registry (spec §4.6): the actor holding `name`, registering
    /// `candidate` when none does.
    pub(crate) fn claim_name(&mut self, name: &str, candidate: &ActorAddress) -> ActorAddress {
        self.names.entry(name.to_string()).or_insert_with(|| candidate.clone()).clone()
    }

    /// The admin applies a member's request; true for a shutdown request.
    pub(crate) fn apply_admin_request(&mut self, request: AdminRequest) -> bool {
        match request {
            AdminRequest::DeadLetters { actor, start } => ActorHost::handle_dead_letters(self, &actor, start),
            AdminRequest::UpdateCapability { name, value } => self.set_capability(&name, value),
            AdminRequest::Shutdown => return true,
        }
        false
    }

    /// The actors in other processes without a parent actor (top-level and named), as the
    /// admin knows them.
    pub(crate) fn remote_roots(&self) -> Vec<ActorAddress> {
        // A child whose parent is gone (a non-recursive exit left it running) is a root too.
        let root = |parent: &Option<ActorAddress>| parent.as_ref().is_none_or(|p| !self.remote_actors.contains_key(p));
        self.remote_actors.iter().filter(|(_, p)| root(p)).map(|(a, _)| a.clone()).collect()
    }

    /// Replaces the capabilities with the admin's, re-validating the actors here if any
    /// changed (spec §5.13).
    pub(crate) fn set_capabilities(&mut self, capabilities: Capabilities) {
        if capabilities != self.capabilities {
            self.capabilities = capabilities;
            self.revalidate = self.checks_capabilities;
        }
    }

    /// True while this kernel hosts at least one actor.
    pub(crate) fn has_actors(&self) -> bool {
        !self.actors.is_empty()
    }

    /// True while actors wait for [`poll_spawn`](Self::poll_spawn).
    pub(crate) fn has_spawns(&self) -> bool {
        !self.spawns.is_empty()
    }

    /// The next actor a member asked to start in a new process.
    pub(crate) fn poll_spawn(&mut self) -> Option<SpawnOrder> {
        self.spawns.pop_front()
    }

    /// The next request a member makes of the admin.
    pub(crate) fn poll_admin(&mut self) -> Option<AdminRequest> {
        self.admin_requests.pop_front()
    }

    /// The system's own address (its admin), on host 0.
    pub(crate) fn admin_address(&self) -> ActorAddress {
        ActorAddress::new(self.system, 0)
    }

    /// The address of local actor or endpoint `id`.
    fn local(&self, id: u64) -> ActorAddress {
        ActorAddress::on_host(self.system, self.host, id)
    }

    fn allocate(&mut self) -> ActorAddress {
        let id = self.next_id;
        self.next_id += 1;
        self.local(id)
    }

    fn route(&self, addr: &ActorAddress) -> Route {
        if addr.system() != self.system {
            return Route::Invalid("belongs to another actor system");
        }
        if addr.host() != self.host {
            return if self.has_peers {
                Route::Remote
            } else {
                Route::Invalid("names a process that this single-process system does not have")
            };
        }
        let id = addr.id();
        if id == 0 && self.host == 0 {
            Route::Admin
        } else if self.actors.contains_key(&id) {
            Route::Actor
        } else if self.endpoints.contains_key(&id) {
            Route::Endpoint
        } else if id < self.next_id {
            Route::Dead
        } else {
            Route::Invalid("was never issued by this actor system")
        }
    }

    /// Checks that `addr` is one of this system's addresses (live or dead).
    pub(crate) fn validate(&self, addr: &ActorAddress) -> Result<(), ActorSystemError> {
        match self.route(addr) {
            Route::Invalid(reason) => Err(ActorSystemError::InvalidActorAddress { address: addr.to_string(), reason }),
            _ => Ok(()),
        }
    }

    /// Queues a message; the caller has validated the target.
    pub(crate) fn post(&mut self, target: ActorAddress, sender: ActorAddress, message: Box<dyn Message>) {
        self.queue.push_back(Envelope { target, sender, message });
    }

    // ----- external endpoints -------------------------------------------------------------

    /// A new external endpoint: an address whose mail waits in an inbox (spec §1.4, §6.8).
    pub(crate) fn open_endpoint(&mut self) -> ActorAddress {
        let addr = self.allocate();
        self.endpoints.insert(addr.id(), VecDeque::new());
        addr
    }

    /// Closes an endpoint; later mail to it is dead-lettered.
    pub(crate) fn close_endpoint(&mut self, addr: &ActorAddress) {
        if let Some(unread) = self.endpoints.remove(&addr.id()) {
            if !unread.is_empty() {
                tracing::debug!(endpoint = %addr, unread = unread.len(), "closed an endpoint with unread replies");
            }
            for received in unread {
                cell::discard(received, "an unread reply", addr);
            }
        }
    }

    /// The oldest message in an endpoint's inbox.
    pub(crate) fn take_received(&mut self, endpoint: &ActorAddress) -> Option<Received> {
        self.endpoints.get_mut(&endpoint.id())?.pop_front()
    }

    // ----- the transport's side (DESIGN §3: the kernel does no I/O) ------------------------

    /// The oldest envelope for another host, for the base's transport to carry. Per-sender
    /// order holds: envelopes leave in the order they were sent.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn poll_transmit(&mut self) -> Option<Envelope> {
        self.outbound.pop_front()
    }

    /// An envelope that arrived from another host; delivered by the next [`step`](Self::step)s.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn handle_envelope(&mut self, env: Envelope) {
        self.queue.push_back(env);
    }

    /// An envelope this kernel's base could not carry (its message cannot be encoded, or
    /// its target's process never started): it goes back to its sender as poison with
    /// `details` (spec §4.4), unless it is a system message.
    pub(crate) fn bounce(&mut self, env: Envelope, details: String) {
        let Envelope { target, sender, message } = env;
        self.return_poison(target, sender, message, details);
    }

    /// An envelope whose target's process is gone: a dead letter (spec §4.2).
    pub(crate) fn handle_undeliverable(&mut self, env: Envelope) {
        self.dead_letter(env);
    }

    /// A local actor's child started in another process (the spawn the base made for it
    /// reported in): it becomes one of `parent`'s children, told of the parent's exit and
    /// counted in its status.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn handle_child_started(&mut self, parent: &ActorAddress, child: ActorAddress) {
        match self.actors.get_mut(&parent.id()).filter(|_| parent.host() == self.host) {
            Some(slot) if !slot.exiting => slot.children.push(child),
            // The parent is gone or going: the new child is asked to exit at once.
            _ => self.post(child, parent.clone(), Box::new(ActorExitRequest::new())),
        }
    }

    /// Host `host` is gone: each of its actors counts as exited (spec §7.5): a local parent
    /// is sent [`ChildActorExited`] for each child it had there, and mail still waiting for
    /// that host is dead-lettered (spec §4.2). If its process died ([`HostEnd::Died`]), a
    /// local actor whose parent ran there exits with its subtree (spec §2.2.4); if it left
    /// after its actors exited ([`HostEnd::Left`]), those actors passed their exit requests
    /// on as they chose, and a child that a non-recursive exit left behind runs on (§7.4).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn handle_host_lost(&mut self, host: u32, end: HostEnd) {
        self.remote_actors.retain(|actor, _| actor.host() != host);
        // A name held by an actor that ran there is free again (spec §4.6).
        self.names.retain(|_, holder| holder.host() != host);
        if self.dead_letter_handler.as_ref().is_some_and(|h| h.host() == host) {
            self.dead_letter_handler = None;
        }
        let mut exited: Vec<(ActorAddress, ActorAddress)> = Vec::new();
        let mut orphaned: Vec<ActorAddress> = Vec::new();
        let mut done_waiting: Vec<ActorAddress> = Vec::new();
        for (&id, slot) in &mut self.actors {
            let me = ActorAddress::on_host(self.system, self.host, id);
            if slot.exiting {
                if slot.awaits() && slot.stop_waiting(|child| child.host() == host) {
                    done_waiting.push(me.clone());
                }
                slot.children.retain(|child| child.host() != host);
            } else {
                // Told as the child's own report would tell it: delivery takes the child off
                // the children, so whichever of the two arrives second is dropped.
                let lost = slot.children.iter().filter(|child| child.host() == host);
                exited.extend(lost.map(|child| (me.clone(), child.clone())));
            }
            if end == HostEnd::Died && slot.parent.as_ref().is_some_and(|p| p.host() == host) {
                orphaned.push(me);
            }
        }
        exited.sort();
        for (parent, child) in exited {
            self.post(parent, child.clone(), Box::new(ChildActorExited { child_address: child }));
        }
        done_waiting.sort();
        for actor in done_waiting {
            self.remove_exited(&actor);
        }
        orphaned.sort();
        let admin = self.admin_address();
        for actor in orphaned {
            self.stop_actor(&actor, &admin);
        }
        let (lost, kept): (VecDeque<Envelope>, VecDeque<Envelope>) =
            std::mem::take(&mut self.outbound).into_iter().partition(|env| env.target.host() == host);
        self.outbound = kept;
        for env in lost {
            self.dead_letter(env);
        }
    }

    // ----- running ------------------------------------------------------------------------

    /// Messages queued and not yet delivered.
    pub(crate) fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Delivers the oldest queued message; false if there was none.
    pub(crate) fn step(&mut self) -> bool {
        let Some(env) = self.queue.pop_front() else {
            return false;
        };
        match self.route(&env.target) {
            Route::Actor => self.deliver_to_actor(env),
            Route::Endpoint => self.deliver_to_endpoint(env),
            Route::Admin => self.deliver_to_admin(env),
            Route::Remote => self.outbound.push_back(env),
            Route::Dead => self.dead_letter(env),
            Route::Invalid(reason) => {
                tracing::warn!(target_address = %env.target, reason, "dropped a message to an invalid address");
                let target = env.target.clone();
                cell::discard(env, "a message to an invalid address", &target);
            }
        }
        self.revalidate_actors();
        true
    }

    /// Marks this moment, for [`fire_due_timers`](Self::fire_due_timers).
    pub(crate) fn timer_mark(&self) -> TimerMark {
        self.timers.mark()
    }

    /// Turns every wakeup due at `now` and scheduled before `before` into a queued
    /// [`WakeupMessage`](crate::WakeupMessage); returns how many. Wakeups scheduled since
    /// the mark stay pending, however soon they are due.
    pub(crate) fn fire_due_timers(&mut self, now: Instant, before: TimerMark) -> usize {
        let due = self.timers.take_due(now, before);
        let fired = due.len();
        for (target, wakeup) in due {
            self.post(target.clone(), target, Box::new(wakeup));
        }
        fired
    }

    /// True if any wakeup is scheduled (reading the clock can then be skipped).
    pub(crate) fn has_timers(&self) -> bool {
        !self.timers.is_heap_empty()
    }

    /// When the next wakeup is due.
    pub(crate) fn next_timer_deadline(&mut self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// A message is delivered to `actor`: the watch its last handler returned ends (spec
    /// §5.2.1: a watch is valid for one return); this handler may return the next.
    fn end_watch(&mut self, actor: &ActorAddress) {
        if !self.watches.is_empty() {
            self.watches.remove(actor);
        }
    }

    /// Spec §4.8: every file descriptor a live actor of this kernel watches, in increasing
    /// order, for the base to poll. It changes only when a handler runs.
    pub(crate) fn watched_fds(&self) -> Vec<i32> {
        let mut fds: Vec<i32> = self.watches.values().flatten().copied().collect();
        fds.sort_unstable();
        fds.dedup();
        fds
    }

    /// Spec §7.3: the base found the descriptors `ready` readable (or `invalid`: not open).
    /// Each watching actor is sent a [`WatchMessage`](crate::WatchMessage) listing its ready
    /// ones, and its watch ends there: the handler of that message gives the next one, so
    /// data not read yet is not reported twice. Invalid descriptors are logged and dropped
    /// from every watch.
    pub(crate) fn handle_ready(&mut self, ready: &[i32], invalid: &[i32]) {
        let mut told = Vec::new();
        for (actor, fds) in &mut self.watches {
            let bad: Vec<i32> = fds.iter().copied().filter(|fd| invalid.contains(fd)).collect();
            if !bad.is_empty() {
                tracing::warn!(actor_address = %actor, fds = ?bad,
                    "watched file descriptors are not open; no longer watched");
                fds.retain(|fd| !bad.contains(fd));
            }
            let mine: Vec<i32> = fds.iter().copied().filter(|fd| ready.contains(fd)).collect();
            if !mine.is_empty() {
                told.push((actor.clone(), mine));
            }
        }
        self.watches.retain(|_, fds| !fds.is_empty());
        for (actor, ready) in told {
            self.watches.remove(&actor);
            self.post(actor.clone(), actor, Box::new(WatchMessage { ready }));
        }
    }

    /// True once (and only once) after an actor asked for the system to shut down.
    pub(crate) fn take_shutdown_request(&mut self) -> bool {
        std::mem::take(&mut self.shutdown_requested)
    }

    fn deliver_to_endpoint(&mut self, env: Envelope) {
        // Spec §7: system messages other than poison and status replies are not for outsiders.
        let for_outsiders = !env.message.is_system_message()
            || env.message.is::<PoisonMessage>()
            || env.message.is::<ThespianSystemStatus>()
            || env.message.is::<ThespianActorStatus>();
        if !for_outsiders {
            tracing::debug!(endpoint = %env.target, message_type = env.message.message_type_name(),
                "system message to an external endpoint filtered");
            let target = env.target.clone();
            cell::discard(env, "a filtered system message", &target);
            return;
        }
        if let Some(inbox) = self.endpoints.get_mut(&env.target.id()) {
            inbox.push_back((env.message, env.sender));
        }
    }

    fn deliver_to_admin(&mut self, env: Envelope) {
        if env.message.is::<ThespianStatusReq>() {
            let status = self.system_status();
            self.reply(env.sender, env.target, Box::new(status));
        } else if env.message.is::<DeadEnvelope>() && self.mode == Mode::Admin {
            // A member found no live target (spec §4.2): the handler gets it, if there is one.
            let Envelope { sender, message, .. } = env;
            match self.dead_letter_handler.clone().filter(|h| self.remote_actors.contains_key(h)) {
                Some(handler) => self.post(handler, sender, message),
                None => {
                    tracing::debug!("dead letter dropped (no dead-letter handler)");
                    cell::discard(message, "a dead letter", &sender);
                }
            }
        } else {
            tracing::debug!(message_type = env.message.message_type_name(), "message to the admin dropped");
            let admin = env.target.clone();
            cell::discard(env, "a message to the admin", &admin);
        }
    }

    /// Sends a system-made reply, unless the recipient cannot be reached.
    fn reply(&mut self, target: ActorAddress, sender: ActorAddress, message: Box<dyn Message>) {
        if self.validate(&target).is_ok() {
            self.post(target, sender, message);
        } else {
            cell::discard(message, "an undeliverable reply", &sender);
        }
    }

    fn deliver_to_actor(&mut self, env: Envelope) {
        let Envelope { target, sender, mut message } = env;
        if message.is::<ThespianStatusReq>() {
            // Spec §7.12: the system answers for the actor, which never sees the request.
            if let Some(status) = self.actor_status(&target) {
                self.reply(sender, target, Box::new(status));
            }
            return;
        }
        // Only a kernel with peers has children in other processes.
        let remote_exit = if self.has_peers { message.downcast_ref::<ChildActorExited>() } else { None };
        if let Some(exited) = remote_exit.filter(|e| e.child_address.host() != self.host) {
            // A child in another process is gone: it is no longer one of the children.
            let child = exited.child_address.clone();
            // Both the child's process and the news of its loss report it (spec §7.5: once).
            let told = self.actors.get(&target.id()).is_some_and(|s| !s.exiting && !s.children.contains(&child));
            if told || self.child_reported(&target, &child) {
                cell::discard(message, "a handled message", &target);
                return;
            }
        }
        // An actor still present after its exit awaits its children in other processes (so
        // only a kernel with peers has one): it handled its exit request and is dead to mail.
        if self.has_peers && self.actors.get(&target.id()).is_some_and(|slot| slot.exiting) {
            self.dead_letter(Envelope { target, sender, message });
            return;
        }
        let Some((mut actor, span)) = self.take_actor(&target) else {
            // The actor is busy with another message (a base delivering concurrently): wait.
            self.queue.push_back(Envelope { target, sender, message });
            return;
        };
        let is_exit = message.is::<ActorExitRequest>();
        // An exit request is seen once: the actor exits whatever its handler does.
        self.end_watch(&target);
        let outcome = cell::handle_in(&span, actor.as_mut(), &mut message, &sender, &target, self, !is_exit);
        self.put_actor_back(&target, actor, span);
        if is_exit {
            // An exiting actor reads nothing more: the watch its exit handler gave ends here.
            self.watches.remove(&target);
            let recursive = message.downcast_ref::<ActorExitRequest>().is_none_or(|r| r.is_recursive);
            cell::discard(message, "a handled message", &target);
            self.exit_actor(&target, recursive);
        } else if let Err(details) = outcome {
            self.return_poison(target, sender, message, details);
        } else {
            cell::discard(message, "a handled message", &target);
        }
    }

    /// Takes an idle actor and its span out of its slot, to run it; `None` if it has exited
    /// or is busy.
    fn take_actor(&mut self, addr: &ActorAddress) -> Option<(Box<dyn Actor>, Span)> {
        let slot = self.actors.get_mut(&addr.id())?;
        let actor = slot.actor.take()?;
        // A disabled span (no subscriber wants it, the usual case) stays where it is.
        let span = if slot.span.is_disabled() { Span::none() } else { std::mem::replace(&mut slot.span, Span::none()) };
        Some((actor, span))
    }

    /// Returns an actor and its span taken with [`take_actor`](Self::take_actor) to its slot.
    fn put_actor_back(&mut self, addr: &ActorAddress, actor: Box<dyn Actor>, span: Span) {
        match self.actors.get_mut(&addr.id()) {
            Some(slot) => {
                slot.actor = Some(actor);
                if !span.is_disabled() {
                    slot.span = span;
                }
            }
            // Its slot is gone (the system was torn down under it): the instance goes too.
            None => cell::discard(actor, "an actor", addr),
        }
    }

    /// Spec §4.4: after the second failure the message goes back to its sender as poison.
    fn return_poison(&mut self, me: ActorAddress, sender: ActorAddress, message: Box<dyn Message>, details: String) {
        if message.is_system_message() {
            tracing::warn!(actor_address = %me, message_type = message.message_type_name(),
                "system message failed twice; not returned as poison");
            cell::discard(message, "a failed message", &me);
        } else if sender == me {
            tracing::warn!(actor_address = %me, message_type = message.message_type_name(),
                "actor failed twice on its own message; not returned to itself as poison");
            cell::discard(message, "a failed message", &me);
        } else {
            self.reply(sender, me, Box::new(PoisonMessage { poison_message: message, details }));
        }
    }

    /// Spec §4.2: undeliverable mail goes to the dead-letter handler, or is dropped.
    fn dead_letter(&mut self, env: Envelope) {
        let live = |k: &Self, h: &ActorAddress| match k.mode {
            Mode::Standalone => k.actors.contains_key(&h.id()),
            Mode::Admin => k.remote_actors.contains_key(h),
            // The handler is known to the admin, which forwards what it is sent.
            Mode::Member => true,
        };
        let handler = match self.mode {
            Mode::Member => Some(self.admin_address()),
            _ => self.dead_letter_handler.clone().filter(|h| live(self, h)),
        };
        match handler {
            Some(handler) if !env.message.is::<DeadEnvelope>() => {
                let wrapped = DeadEnvelope { dead_address: env.target, dead_message: env.message };
                self.post(handler, env.sender, Box::new(wrapped));
            }
            // During a shutdown it joins the report of what could not be delivered.
            _ => match self.undelivered.as_mut() {
                Some(undelivered) => undelivered.push_back(env),
                None => {
                    tracing::debug!(dead_address = %env.target, message_type = env.message.message_type_name(),
                        "dead letter dropped");
                    let target = env.target.clone();
                    cell::discard(env, "a dead letter", &target);
                }
            },
        }
    }

    // ----- lifecycle ----------------------------------------------------------------------

    /// Creates an actor (spec §2.2, §4.6, §5.3). `parent` is `None` for top-level actors.
    ///
    /// A member kernel issues the address at once and asks its base to start the actor in a
    /// new process ([`poll_spawn`](Self::poll_spawn)); the others build it in place.
    pub(crate) fn create(
        &mut self,
        parent: Option<&ActorAddress>,
        spec: ActorSpec,
    ) -> Result<ActorAddress, CreateError> {
        if let Some(existing) = spec.global_name.as_ref().and_then(|n| self.names.get(n)) {
            return Ok(existing.clone());
        }
        let factory = spec.factory().map_err(CreateError::Invalid)?;
        if self.checks_capabilities {
            cell::check(&factory, &self.capabilities, spec.requirements.as_ref(), None).map_err(|reason| {
                CreateError::Invalid(ActorSystemError::NoCompatibleSystemForActor {
                    actor_type: factory.type_name.to_string(),
                    reason,
                })
            })?;
        }
        let parent = match parent {
            // A parent in another process (the actor is created here on its behalf) is
            // recorded as it is: its kernel learns of the child from the base.
            Some(p) if spec.global_name.is_none() && (p.host() != self.host || self.actors.contains_key(&p.id())) => {
                Some(p.clone())
            }
            _ => None,
        };
        if self.mode == Mode::Member {
            return self.place(parent, factory, spec).map_err(CreateError::Invalid);
        }
        let address = self.allocate();
        self.construct_at(address, parent, factory, spec)
    }

    /// A member's new actor, placed in a new process: its address is usable at once (the
    /// base holds its mail until the process reports in).
    fn place(
        &mut self,
        parent: Option<ActorAddress>,
        factory: ActorFactory,
        spec: ActorSpec,
    ) -> Result<ActorAddress, ActorSystemError> {
        // The new process finds the type by its registered name.
        let registered = crate::api::actor::factory_by_name(factory.type_name)
            .is_ok_and(|found| found.type_name == factory.type_name);
        if !registered {
            return Err(ActorSystemError::InvalidActorSpecification {
                spec: factory.type_name.to_string(),
                reason: format!(
                    "on {} every actor runs in a process of its own, which builds it from its registered \
                     name; register the type with `thespian::register_actor!(Type)` next to its \
                     definition (or use `#[actor]`, which does)",
                    self.base_name
                ),
            });
        }
        let placement = self.placement.as_mut().ok_or_else(|| ActorSystemError::failure("no placement"))?;
        let address = ActorAddress::on_host(self.system, placement.next_host()?, 1);
        let address = match &spec.global_name {
            Some(name) => {
                let holder = placement.claim_name(name, &address)?;
                if holder != address {
                    return Ok(holder);
                }
                address
            }
            None => address,
        };
        if let Some(p) = parent.as_ref().filter(|p| p.host() == self.host).and_then(|p| self.actors.get_mut(&p.id())) {
            p.children.push(address.clone());
        }
        self.spawns.push_back(SpawnOrder {
            address: address.clone(),
            parent,
            type_name: factory.type_name.to_string(),
            requirements: spec.requirements,
            global_name: spec.global_name,
        });
        Ok(address)
    }

    /// Builds the actor a spawn order names, in this (its new) process. A constructor that
    /// fails tells the parent as [`create`](Self::create) does.
    pub(crate) fn start_spawned(&mut self, order: SpawnOrder) -> Result<ActorAddress, CreateError> {
        let mut spec = ActorSpec::by_name(order.type_name);
        spec.requirements = order.requirements;
        spec.global_name = order.global_name;
        let factory = spec.factory().map_err(CreateError::Invalid)?;
        if order.address.host() != self.host || order.address.id() < self.next_id {
            return Err(CreateError::Invalid(ActorSystemError::failure("a spawn order for another process")));
        }
        self.next_id = order.address.id() + 1;
        self.construct_at(order.address, order.parent, factory, spec)
    }

    /// Builds an actor at an issued address and records it.
    fn construct_at(
        &mut self,
        address: ActorAddress,
        parent: Option<ActorAddress>,
        factory: ActorFactory,
        spec: ActorSpec,
    ) -> Result<ActorAddress, CreateError> {
        let span = cell::actor_span(&address);
        let start = ActorStart { capabilities: &self.capabilities, requirements: spec.requirements.as_ref() };
        match cell::construct(factory, &start, &span) {
            Ok(actor) => {
                let local_parent = parent.as_ref().filter(|p| p.host() == self.host);
                if let Some(p) = local_parent.and_then(|p| self.actors.get_mut(&p.id())) {
                    p.children.push(address.clone());
                }
                if let Some(name) = &spec.global_name {
                    self.names.insert(name.clone(), address.clone());
                }
                self.actors.insert(
                    address.id(),
                    Slot {
                        actor: Some(actor),
                        type_name: factory.type_name,
                        factory,
                        requirements: spec.requirements,
                        parent,
                        children: Vec::new(),
                        name: spec.global_name,
                        exiting: false,
                        waiting: None,
                        span,
                    },
                );
                tracing::debug!(actor_address = %address, actor_type = factory.type_name, "actor created");
                Ok(address)
            }
            Err(reason) => {
                tracing::warn!(actor_address = %address, actor_type = factory.type_name, %reason,
                    "actor could not be started");
                if let Some(parent) = parent {
                    let exited = ChildActorExited { child_address: address.clone() };
                    self.post(parent, address.clone(), Box::new(exited));
                }
                Err(CreateError::NonStartable { address, actor_type: factory.type_name, reason })
            }
        }
    }

    /// Delivers an [`ActorExitRequest`] to `addr` now, then ends it and its subtree (see
    /// [`exit_tree`](Self::exit_tree)).
    fn stop_actor(&mut self, addr: &ActorAddress, requester: &ActorAddress) {
        self.exit_tree(ExitStep::Ask { addr: addr.clone(), requester: requester.clone() });
    }

    /// Ends an actor that has handled its exit request, and its subtree.
    fn exit_actor(&mut self, addr: &ActorAddress, recursive: bool) {
        self.exit_tree(ExitStep::Handled { addr: addr.clone(), recursive });
    }

    /// Runs an exit through an actor's subtree (spec §2.2.3, §2.2.4, §7.4, §7.5): each actor
    /// handles its [`ActorExitRequest`] before its children are sent theirs (unless its
    /// handler made the request non-recursive: the children are then orphaned), and is
    /// removed, its parent told, only after its children are gone.
    ///
    /// The tree is walked with an explicit work list, depth first, in the order children were
    /// created, so that no depth of parent→child chain can overflow the stack.
    fn exit_tree(&mut self, first: ExitStep) {
        let mut work = vec![first];
        while let Some(step) = work.pop() {
            let (addr, recursive) = match step {
                ExitStep::Ask { addr, requester } => {
                    let Some((mut actor, span)) = self.take_actor(&addr) else {
                        continue;
                    };
                    let mut request: Box<dyn Message> = Box::new(ActorExitRequest::new());
                    // Failures are logged by `handle`; the actor exits regardless.
                    self.end_watch(&addr);
                    let _ = cell::handle_in(&span, actor.as_mut(), &mut request, &requester, &addr, self, false);
                    self.watches.remove(&addr);
                    self.put_actor_back(&addr, actor, span);
                    let recursive = request.downcast_ref::<ActorExitRequest>().is_none_or(|r| r.is_recursive);
                    (addr, recursive)
                }
                ExitStep::Handled { addr, recursive } => (addr, recursive),
                ExitStep::Remove(addr) => {
                    self.remove_when_children_are_gone(&addr);
                    continue;
                }
            };
            let host = self.host;
            let Some(slot) = self.actors.get_mut(&addr.id()) else {
                continue;
            };
            slot.exiting = true;
            let children = std::mem::take(&mut slot.children);
            work.push(ExitStep::Remove(addr.clone()));
            if recursive {
                // A child in another process handles its request there; its kernel tells
                // this one when it is gone.
                let (local, remote): (Vec<_>, Vec<_>) = children.into_iter().partition(|c| c.host() == host);
                if !remote.is_empty() {
                    slot.wait().children.clone_from(&remote);
                }
                for child in remote {
                    self.post(child, addr.clone(), Box::new(ActorExitRequest::new()));
                }
                // Pushed last to first, so the first child is handled first.
                work.extend(
                    local.into_iter().rev().map(|child| ExitStep::Ask { addr: child, requester: addr.clone() }),
                );
            } else {
                for child in &children {
                    if let Some(orphan) = self.actors.get_mut(&child.id()) {
                        orphan.parent = None;
                    }
                }
            }
        }
    }

    /// Child `child` of local actor `parent`, in another process, reported its exit: it leaves
    /// the parent's children (or, for an exiting parent, the children it awaits; the parent
    /// is removed once none is left). True if the parent is exiting, so the report is not for
    /// its handler.
    fn child_reported(&mut self, parent: &ActorAddress, child: &ActorAddress) -> bool {
        let Some(slot) = self.actors.get_mut(&parent.id()) else {
            return false;
        };
        slot.children.retain(|c| c != child);
        if !slot.exiting {
            return false;
        }
        if slot.stop_waiting(|c| c == child) {
            self.remove_exited(parent);
        }
        true
    }

    /// Removes an exiting actor whose children are gone; one still awaiting children in other
    /// processes is removed when the last of them reports, and its exiting parent waits for
    /// it in turn.
    fn remove_when_children_are_gone(&mut self, addr: &ActorAddress) {
        let Some(slot) = self.actors.get_mut(&addr.id()) else {
            return;
        };
        if !slot.awaits() {
            self.remove_exited(addr);
            return;
        }
        slot.wait().removal_due = true;
        let parent = slot.parent.clone().filter(|p| p.host() == self.host);
        if let Some(p) = parent.and_then(|p| self.actors.get_mut(&p.id())).filter(|p| p.exiting) {
            p.wait().children.push(addr.clone());
        }
    }

    /// Removes an actor whose children are gone, and tells its parent (spec §7.5).
    fn remove_exited(&mut self, addr: &ActorAddress) {
        // An exiting parent that waited only for this actor goes next: a loop, not recursion.
        let mut next = Some(addr.clone());
        while let Some(addr) = next.take() {
            next = self.remove_one_exited(&addr);
        }
    }

    /// Removes one exited actor; returns its parent when the parent was waiting only for it.
    fn remove_one_exited(&mut self, addr: &ActorAddress) -> Option<ActorAddress> {
        let mut slot = self.actors.remove(&addr.id())?;
        // The instance is dropped here, after its children are gone; its `Drop` is user code.
        if let Some(actor) = slot.actor.take() {
            cell::discard(actor, "an actor", addr);
        }
        for wakeup in self.timers.remove_for(addr) {
            cell::discard(wakeup, "a pending wakeup", addr);
        }
        self.watches.remove(addr);
        if let Some(name) = &slot.name {
            self.names.remove(name);
        }
        if self.dead_letter_handler.as_ref() == Some(addr) {
            self.dead_letter_handler = None;
        }
        tracing::debug!(actor_address = %addr, actor_type = slot.type_name, "actor exited");
        let parent = slot.parent?;
        // A parent in another process is always told: its kernel decides what the news means.
        if parent.host() == self.host {
            let p = self.actors.get_mut(&parent.id())?;
            p.children.retain(|c| c != addr);
            if p.exiting {
                return p.stop_waiting(|c| c == addr).then_some(parent);
            }
        }
        let exited = ChildActorExited { child_address: addr.clone() };
        self.post(parent, addr.clone(), Box::new(exited));
        None
    }

    /// Stops every actor (spec §6.3): each actor without a parent actor is sent an exit
    /// request. As for any exit (spec §7.4.1), its handler runs first, then the request
    /// passes on to its children (each handles it, then passes it to its own), and actors
    /// are removed children first, so a parent is never gone while a child is still running.
    pub(crate) fn shutdown(&mut self) {
        self.undelivered = Some(VecDeque::new());
        // Spec §4.1: delivery is in order, so the mail queued before the shutdown is
        // delivered before the exit requests. What that mail makes waits behind them.
        for _ in 0..self.queue.len() {
            if !self.step() {
                break;
            }
        }
        let admin = self.admin_address();
        // An exit handler that calls `not_recursive()` leaves its children without a parent:
        // they are roots too, so look again until every actor has been asked once.
        let mut asked: HashSet<u64> = HashSet::new();
        loop {
            let mut roots: Vec<ActorAddress> = self
                .actors
                .iter()
                .filter(|(id, s)| s.parent.is_none() && !asked.contains(*id))
                .map(|(&id, _)| self.local(id))
                .collect();
            if roots.is_empty() {
                break;
            }
            roots.sort();
            for root in &roots {
                asked.insert(root.id());
                self.stop_actor(root, &admin);
                // What its exit handlers sent reaches actors not yet asked to exit (each
                // delivery bounded by the queue as it stands, so two actors answering each
                // other cannot keep the shutdown going).
                for _ in 0..self.queue.len() {
                    if !self.step() {
                        break;
                    }
                }
            }
        }
        // Anything still alive (an actor busy elsewhere) is dropped with the system. Every
        // value here may hold user code with a `Drop`: each is dropped on its own.
        for (id, slot) in std::mem::take(&mut self.actors) {
            cell::discard(slot, "an actor", &self.local(id));
        }
        self.names.clear();
        self.dead_letter_handler = None;
        // What is still queued (sent by exit handlers, or made by the mail above): replies
        // to external endpoints are delivered, to be read after the shutdown; the rest has
        // no live target left, and is reported, never dropped in silence.
        let mut undelivered = self.undelivered.take().unwrap_or_default();
        for env in std::mem::take(&mut self.queue) {
            if matches!(self.route(&env.target), Route::Endpoint) {
                self.deliver_to_endpoint(env);
            } else {
                undelivered.push_back(env);
            }
        }
        if !undelivered.is_empty() {
            let count = undelivered.len();
            let messages = self.summarize(&undelivered);
            tracing::warn!(count, %messages, "{count} message(s) could not be delivered before the system shut down");
            for env in undelivered {
                let target = env.target.clone();
                cell::discard(env, "an undelivered message", &target);
            }
        }
        for (target, wakeup) in self.timers.clear() {
            cell::discard(wakeup, "a pending wakeup", &target);
        }
    }

    /// Empties the queue, after a runaway loop (spec §9.2 processing limit): how many
    /// messages were dropped, and which targets and message types held most of them.
    pub(crate) fn drop_queue(&mut self) -> (usize, String) {
        let queue = std::mem::take(&mut self.queue);
        let summary = self.summarize(&queue);
        let count = queue.len();
        for env in queue {
            let target = env.target.clone();
            cell::discard(env, "an undelivered message", &target);
        }
        (count, summary)
    }

    /// The busiest (target, message type) pairs among `envelopes`, most messages first:
    /// "998 × `Ball` to `Player` ActorAddr-(..), 2 × `u8` to ActorAddr-(..), and 3 more".
    fn summarize(&self, envelopes: &VecDeque<Envelope>) -> String {
        /// How many pairs are named.
        const NAMED: usize = 3;
        let mut counts: HashMap<(&ActorAddress, &'static str), usize> = HashMap::new();
        for env in envelopes {
            *counts.entry((&env.target, env.message.message_type_name())).or_default() += 1;
        }
        let mut pairs: Vec<_> = counts.into_iter().collect();
        pairs.sort_by(|((a1, m1), n1), ((a2, m2), n2)| n2.cmp(n1).then_with(|| (a1, m1).cmp(&(a2, m2))));
        let mut text: Vec<String> = pairs
            .iter()
            .take(NAMED)
            .map(|((target, message), n)| match self.actors.get(&target.id()) {
                Some(slot) => format!("{n} × `{message}` to `{}` {target}", slot.type_name),
                None => format!("{n} × `{message}` to {target}"),
            })
            .collect();
        if pairs.len() > NAMED {
            text.push(format!("and {} more", pairs.len() - NAMED));
        }
        text.join(", ")
    }

    // ----- capabilities and status --------------------------------------------------------

    pub(crate) fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// Sets or removes a capability; read-only ones (spec §9.1) are left alone. A real
    /// change makes every running actor re-run its capability check (spec §5.13) once the
    /// current message is done.
    pub(crate) fn set_capability(&mut self, name: &str, value: Option<CapValue>) {
        if capabilities::READ_ONLY.contains(&name) {
            tracing::warn!(capability = name, "read-only capability not changed");
            return;
        }
        let changed = match value {
            // `Null` is Python's `None`, which removes the capability as no value does.
            None | Some(CapValue::Null) => self.capabilities.remove(name).is_some(),
            Some(v) => self.capabilities.insert(name, v.clone()).as_ref() != Some(&v),
        };
        self.revalidate |= changed && self.checks_capabilities;
    }

    /// Spec §5.13: after a capability change, every actor whose check no longer passes is
    /// sent an [`ActorExitRequest`] (its parent is told as for any exit).
    pub(crate) fn revalidate_actors(&mut self) {
        if !std::mem::take(&mut self.revalidate) {
            return;
        }
        let mut failing: Vec<ActorAddress> = self
            .actors
            .iter()
            .map(|(&id, slot)| (self.local(id), slot))
            .filter(|(addr, slot)| {
                cell::check(&slot.factory, &self.capabilities, slot.requirements.as_ref(), Some(addr)).is_err()
            })
            .map(|(addr, _)| addr)
            .collect();
        failing.sort();
        let admin = self.admin_address();
        for addr in failing {
            tracing::info!(actor_address = %addr, "actor no longer accepts the system's capabilities; exiting");
            self.stop_actor(&addr, &admin);
        }
    }

    fn actor_status(&self, addr: &ActorAddress) -> Option<ThespianActorStatus> {
        let slot = self.actors.get(&addr.id())?;
        Some(ThespianActorStatus {
            actor_address: addr.clone(),
            actor_type: slot.type_name.to_string(),
            parent: slot.parent.clone(),
            children: slot.children.clone(),
            pending_messages: self.queue.iter().filter(|e| &e.target == addr).count(),
            pending_wakeups: self.timers.pending_for(addr),
        })
    }

    pub(crate) fn system_status(&self) -> ThespianSystemStatus {
        let mut top_level_actors: Vec<ActorAddress> =
            self.actors.iter().filter(|(_, s)| s.parent.is_none()).map(|(&id, _)| self.local(id)).collect();
        top_level_actors.extend(self.remote_roots());
        top_level_actors.sort();
        let mut named_actors: Vec<(String, ActorAddress)> =
            self.names.iter().map(|(n, a)| (n.clone(), a.clone())).collect();
        named_actors.sort();
        ThespianSystemStatus {
            base: self.base_name.to_string(),
            admin_address: self.admin_address(),
            capabilities: self.capabilities.clone(),
            actor_count: self.actors.len() + self.remote_actors.len(),
            top_level_actors,
            named_actors,
            dead_letter_handler: self.dead_letter_handler.clone(),
            pending_messages: self.queue.len(),
            pending_wakeups: self.timers.len(),
        }
    }
}

impl ActorHost for Kernel {
    fn admin_address(&self) -> ActorAddress {
        Kernel::admin_address(self)
    }

    fn send(&mut self, from: &ActorAddress, to: &ActorAddress, msg: Box<dyn Message>) -> Result<(), ActorSystemError> {
        if let Err(e) = self.validate(to) {
            cell::discard(msg, "a message to an invalid address", from);
            return Err(e);
        }
        self.post(to.clone(), from.clone(), msg);
        Ok(())
    }

    fn create_actor(&mut self, parent: &ActorAddress, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError> {
        match self.create(Some(parent), spec) {
            Ok(address) | Err(CreateError::NonStartable { address, .. }) => Ok(address),
            Err(CreateError::Invalid(e)) => Err(e),
        }
    }

    fn requirements_of(&self, me: &ActorAddress) -> Option<Capabilities> {
        self.actors.get(&me.id()).and_then(|slot| slot.requirements.clone())
    }

    fn global_name(&self, me: &ActorAddress) -> Option<&str> {
        self.actors.get(&me.id()).and_then(|slot| slot.name.as_deref())
    }

    fn wakeup_after(&mut self, me: &ActorAddress, delay: Duration, payload: Box<dyn Message>) {
        let now = (self.clock)();
        self.timers.schedule(now, me, delay, payload);
    }

    fn handle_dead_letters(&mut self, me: &ActorAddress, start: bool) {
        if self.mode == Mode::Member {
            self.admin_requests.push_back(AdminRequest::DeadLetters { actor: me.clone(), start });
        } else if start {
            self.dead_letter_handler = Some(me.clone());
        } else if self.dead_letter_handler.as_ref() == Some(me) {
            self.dead_letter_handler = None;
        }
    }

    fn request_shutdown(&mut self) {
        if self.mode == Mode::Member {
            self.admin_requests.push_back(AdminRequest::Shutdown);
        } else {
            self.shutdown_requested = true;
        }
    }

    fn return_poison(&mut self, me: &ActorAddress, sender: &ActorAddress, message: Box<dyn Message>, details: String) {
        Kernel::return_poison(self, me.clone(), sender.clone(), message, details);
    }

    fn deliver_held(&mut self, me: &ActorAddress, actor: &mut dyn Actor, msg: Box<dyn Message>, sender: &ActorAddress) {
        let mut msg = msg;
        if let Err(details) = cell::handle(actor, &mut msg, sender, me, self, true) {
            ActorHost::return_poison(self, me, sender, msg, details);
        }
    }

    fn set_watch(&mut self, me: &ActorAddress, fds: Vec<i32>) {
        if fds.is_empty() || self.actors.get(&me.id()).is_none_or(|slot| slot.exiting) {
            self.watches.remove(me);
        } else if self.capabilities.is_truthy(WATCH_SUPPORTED) {
            self.watches.insert(me.clone(), fds);
        } else if !std::mem::replace(&mut self.watch_ignored, true) {
            tracing::debug!(actor_address = %me, base = self.base_name,
                "a ThespianWatch was returned on a system without \"{WATCH_SUPPORTED}\"; ignored (logged once)");
        }
    }

    fn update_capability(&mut self, name: &str, value: Option<CapValue>) {
        if self.mode == Mode::Member {
            let request = AdminRequest::UpdateCapability { name: name.to_string(), value };
            self.admin_requests.push_back(request);
        } else {
            self.set_capability(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    //! The capability-check logic (spec §5.12, §5.13) on a kernel that checks, as the
    //! multi-process bases' kernels do; the simple base skips checks (spec §9.2).

    use super::*;
    use crate::api::actor::ActorResult;
    use crate::api::context::ActorContext;

    /// Needs a truthy "Has Lightbulb" and, if required, the requested "Color".
    #[derive(Default)]
    struct Lamp;

    impl Actor for Lamp {
        fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
            Ok(())
        }

        fn capability_check(caps: &Capabilities, reqs: Option<&Capabilities>) -> Result<(), String> {
            if !caps.is_truthy("Has Lightbulb") {
                return Err("capability \"Has Lightbulb\" is missing or false".to_string());
            }
            match reqs.and_then(|r| r.get("Color")) {
                Some(color) if caps.get("Color") != Some(color) => Err(format!("capability \"Color\" is not {color}")),
                _ => Ok(()),
            }
        }
    }

    /// Creates a `Lamp` child whenever it gets a `String`.
    #[derive(Default)]
    struct Parent;

    impl Actor for Parent {
        fn receive_message(
            &mut self,
            msg: &mut dyn Message,
            _: &ActorAddress,
            ctx: &mut ActorContext<'_>,
        ) -> ActorResult {
            if msg.is::<String>() {
                ctx.create_actor::<Lamp>()?;
            }
            Ok(())
        }
    }

    fn kernel(caps: Capabilities) -> Kernel {
        Kernel::new(7, "test", caps, true)
    }

    fn run(kernel: &mut Kernel) {
        while kernel.step() {}
    }

    fn create(kernel: &mut Kernel, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError> {
        match kernel.create(None, spec) {
            Ok(address) => Ok(address),
            Err(CreateError::Invalid(e)) => Err(e),
            Err(CreateError::NonStartable { reason, .. }) => Err(ActorSystemError::failure(reason)),
        }
    }

    #[test]
    fn spec_5_12_incompatible_system_names_actor_and_requirement() {
        let mut k = kernel(Capabilities::new());
        let err = create(&mut k, ActorSpec::of::<Lamp>()).expect_err("no lightbulb here");
        let text = err.to_string();
        assert!(matches!(err, ActorSystemError::NoCompatibleSystemForActor { .. }), "{text}");
        assert!(text.contains("Lamp") && text.contains("Has Lightbulb"), "{text}");
    }

    #[test]
    fn spec_5_12_requirements_reach_the_check() {
        let caps: Capabilities =
            [("Has Lightbulb", CapValue::Int(5)), ("Color", CapValue::from("Yellow"))].into_iter().collect();
        let mut k = kernel(caps);
        let yellow: Capabilities = [("Color", "Yellow")].into_iter().collect();
        let blue: Capabilities = [("Color", "Blue")].into_iter().collect();
        assert!(create(&mut k, ActorSpec::of::<Lamp>().requirements(yellow)).is_ok());
        let err = create(&mut k, ActorSpec::of::<Lamp>().requirements(blue)).expect_err("wrong color");
        assert!(err.to_string().contains("Color"), "{err}");
    }

    #[test]
    fn spec_5_13_update_that_fails_the_check_stops_the_actor_and_tells_its_parent() {
        let mut k = kernel([("Has Lightbulb", true)].into_iter().collect());
        let parent = create(&mut k, ActorSpec::of::<Parent>()).expect("parent starts");
        let endpoint = k.open_endpoint();
        k.post(parent.clone(), endpoint, Box::new("make a lamp".to_string()));
        run(&mut k);
        let lamp = k.actor_status(&parent).expect("parent alive").children[0].clone();
        // An unchanged value re-validates nothing.
        k.set_capability("Has Lightbulb", Some(CapValue::Bool(true)));
        k.revalidate_actors();
        assert!(k.actor_status(&lamp).is_some());
        k.set_capability("Has Lightbulb", Some(CapValue::Bool(false)));
        k.revalidate_actors();
        assert!(k.actor_status(&lamp).is_none(), "the lamp exited");
        assert!(k.actor_status(&parent).is_some(), "the parent accepts any system");
        let told = k.queue.iter().any(|e| {
            e.target == parent && e.message.downcast_ref::<ChildActorExited>().is_some_and(|c| c.child_address == lamp)
        });
        assert!(told, "the parent is sent ChildActorExited");
    }
}
