//! Actor troupes (spec §4.9, §8.1): several instances of one actor type behind one address.
//!
//! The first instance created becomes the troupe's *manager*. It hands each message to an
//! idle *worker* (another instance of the same type, created on demand up to `max_count`),
//! or queues it in arrival order. Workers see the original message and sender, so their
//! replies go straight back. Workers above `idle_count` are dismissed about two seconds after
//! the last message arrived; a worker that dies with work in hand has that work handed out
//! again. Workers are created with the manager's requirements, so they pass the same checks.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::api::actor::{Actor, ActorFactory, ActorResult, ActorSpec};
use crate::api::address::ActorAddress;
use crate::api::context::ActorContext;
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::api::system_messages::{ActorExitRequest, ChildActorExited, PoisonMessage, UndecodedMessage, WakeupMessage};
use crate::wire::{self, nested};

/// How long idle extra workers are kept after the work runs out.
const TRIM_DELAY: Duration = Duration::from_secs(2);

/// Changes a troupe's limits; the manager answers with the [`TroupeSettings`] in effect.
/// `None` leaves a limit as it is.
///
/// The limits are clamped, never refused: a `max_count` of 0 becomes 1, and an
/// `idle_count` above `max_count` (the one asked for, or the one in force when only
/// `max_count` is lowered) becomes `max_count`. The answer says what was kept. (In
/// `#[troupe(..)]` the same mistake is a compile error instead.) New limits apply to the
/// manager's next decisions: lowering them stops no busy worker, and idle workers above the
/// new `idle_count` go in the next shrink.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::patterns::{TroupeSettings, UpdateTroupeSettings};
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Worker;
///
/// #[troupe(max_count = 4, idle_count = 2)]
/// #[actor]
/// impl Worker {}
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let troupe = asys.create_actor::<Worker>()?;
/// let update = UpdateTroupeSettings { max_count: Some(1), idle_count: None };
/// let kept: Option<TroupeSettings> = asys.ask_as(&troupe, update, Duration::from_secs(1))?;
/// assert_eq!(kept, Some(TroupeSettings { max_count: 1, idle_count: 1 }));
/// # asys.shutdown() }
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize, thespian_macros::Message)]
#[message(name = "thespian::patterns::UpdateTroupeSettings")]
pub struct UpdateTroupeSettings {
    /// The most workers the troupe may have (0 is taken as 1).
    pub max_count: Option<usize>,
    /// How many idle workers are kept when there is no work (more than `max_count` is
    /// taken as `max_count`).
    pub idle_count: Option<usize>,
}

/// A troupe's limits, as in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thespian_macros::Message)]
#[message(name = "thespian::patterns::TroupeSettings")]
pub struct TroupeSettings {
    /// The most workers the troupe may have.
    pub max_count: usize,
    /// How many idle workers are kept when there is no work.
    pub idle_count: usize,
}

/// Asks a troupe's manager for a [`TroupeStatus`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, thespian_macros::Message)]
#[message(name = "thespian::patterns::TroupeStatusReq")]
pub struct TroupeStatusReq;

/// A troupe's state, from its manager: its limits and what its workers are doing.
///
/// `workers == busy + idle` always; `pending` counts messages, not workers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thespian_macros::Message)]
#[message(name = "thespian::patterns::TroupeStatus")]
pub struct TroupeStatus {
    /// The most workers the troupe may have.
    pub max_count: usize,
    /// How many idle workers are kept when there is no work.
    pub idle_count: usize,
    /// Workers alive: the troupe's current size. New workers are made only below
    /// `max_count`, but lowering `max_count` stops no busy worker: right after a lowering,
    /// `workers` may exceed it until the extra workers are idle and dismissed (as any worker
    /// over `idle_count` is, about two seconds after the last message).
    pub workers: usize,
    /// Workers with work in hand: a message given to them that they have not finished,
    /// including work kept in progress with
    /// [`set_troupe_work_in_progress`](crate::ActorContext::set_troupe_work_in_progress).
    pub busy: usize,
    /// Workers with no work, ready for the next message.
    pub idle: usize,
    /// Messages queued: received by the manager and waiting for a worker.
    pub pending: usize,
}

/// Tells a new instance that it is a worker of `manager`.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::patterns::TroupeJoin")]
struct TroupeJoin {
    manager: ActorAddress,
}

/// A message handed to a worker, with its original sender. Not a system message: if the
/// worker fails on it twice, the poison comes back to the manager, which returns the
/// original message to the original sender.
#[derive(Debug, Serialize, Deserialize, thespian_macros::Message)]
#[message(name = "thespian::patterns::TroupeWork")]
struct TroupeWork {
    sender: ActorAddress,
    #[serde(with = "nested")]
    message: Box<dyn Message>,
}

/// A new worker has taken its role: it started, so a later exit is a death, not a failed start.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::patterns::TroupeJoined")]
struct TroupeJoined;

/// A worker finished its work.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::patterns::TroupeReady")]
struct TroupeReady;

/// The manager's wakeup payload for dismissing extra idle workers.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::patterns::TroupeTrim")]
struct TroupeTrim;

/// A message waiting for, or held by, a worker: kept encoded so it can be handed out again.
struct Job {
    sender: ActorAddress,
    type_name: &'static str,
    bytes: Vec<u8>,
}

impl Job {
    fn message(&self) -> Result<Box<dyn Message>, wire::WireError> {
        wire::decode_message(self.type_name, &self.bytes)
    }

    /// Returns the job to its sender as a [`PoisonMessage`]: nobody in the troupe can do it.
    fn return_as_poison(self, details: String, ctx: &mut ActorContext<'_>) {
        let message = self.message().unwrap_or_else(|_| {
            Box::new(UndecodedMessage { type_name: self.type_name.to_string(), bytes: self.bytes })
        });
        ctx.send(&self.sender, PoisonMessage { poison_message: message, details });
    }
}

struct Member {
    address: ActorAddress,
    job: Option<Job>,
    /// Whether it has said [`TroupeJoined`]: a worker that exits before that never started.
    joined: bool,
}

struct Manager {
    settings: TroupeSettings,
    members: Vec<Member>,
    queue: VecDeque<Job>,
    trim_scheduled: bool,
    /// When the last job arrived: extra workers are dismissed [`TRIM_DELAY`] after the load ends.
    last_job: Instant,
}

enum Role {
    /// Not yet told: the first message decides.
    Unassigned,
    Manager(Manager),
    Worker {
        manager: ActorAddress,
        in_progress: bool,
    },
}

/// An actor troupe member: the manager or a worker, decided by its first message.
#[doc(alias = "troupe")]
pub struct Troupe {
    inner: Box<dyn Actor>,
    factory: ActorFactory,
    defaults: TroupeSettings,
    role: Role,
}

impl Troupe {
    /// Wraps `inner`, an instance of the actor type `factory` builds.
    pub fn new(inner: Box<dyn Actor>, factory: ActorFactory, max_count: usize, idle_count: usize) -> Self {
        let max_count = max_count.max(1);
        Self {
            inner,
            factory,
            defaults: TroupeSettings { max_count, idle_count: idle_count.min(max_count) },
            role: Role::Unassigned,
        }
    }
}

impl Actor for Troupe {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if matches!(self.role, Role::Unassigned) {
            self.role = match msg.downcast_ref::<TroupeJoin>() {
                Some(join) => Role::Worker { manager: join.manager.clone(), in_progress: false },
                None => Role::Manager(Manager {
                    settings: self.defaults.clone(),
                    members: Vec::new(),
                    queue: VecDeque::new(),
                    trim_scheduled: false,
                    last_job: Instant::now(),
                }),
            };
            if let Some(join) = msg.downcast_ref::<TroupeJoin>() {
                let manager = join.manager.clone();
                ctx.send(&manager, TroupeJoined);
                return Ok(());
            }
        }
        match &mut self.role {
            Role::Manager(manager) => manager.receive(self.factory, msg, sender, ctx),
            Role::Worker { manager, in_progress } => {
                let was_busy = *in_progress;
                let is_work = msg.is::<TroupeWork>();
                let result = match msg.downcast_mut::<TroupeWork>() {
                    Some(work) => self.inner.receive_message(work.message.as_mut(), &work.sender, ctx),
                    None => self.inner.receive_message(msg, sender, ctx),
                };
                if let Some(flag) = ctx.take_troupe_work_in_progress() {
                    *in_progress = flag;
                }
                // Ready after finishing work, or when work in progress completes.
                if result.is_ok() && !*in_progress && (is_work || was_busy) {
                    let manager = manager.clone();
                    ctx.send(&manager, TroupeReady);
                }
                result
            }
            Role::Unassigned => Ok(()),
        }
    }
}

impl Manager {
    fn receive(
        &mut self,
        factory: ActorFactory,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<TroupeReady>() {
            self.worker_done(sender);
        } else if msg.is::<TroupeJoined>() {
            if let Some(member) = self.members.iter_mut().find(|m| &m.address == sender) {
                member.joined = true;
            }
        } else if let Some(exited) = msg.downcast_ref::<ChildActorExited>() {
            self.worker_exited(&exited.child_address, ctx);
        } else if let Some(poison) = msg.downcast_mut::<PoisonMessage>() {
            self.worker_failed(sender, poison, ctx);
        } else if msg.downcast_ref::<WakeupMessage>().is_some_and(|w| w.payload_as::<TroupeTrim>().is_some()) {
            self.trim(ctx);
            return Ok(());
        } else if let Some(update) = msg.downcast_ref::<UpdateTroupeSettings>() {
            self.update(update);
            ctx.send(sender, self.settings.clone());
        } else if msg.is::<TroupeStatusReq>() {
            ctx.send(sender, self.status());
        } else if msg.is_system_message() {
            // Exit requests are handled by the system; other system messages are not work.
            tracing::debug!(actor_address = %ctx.my_address(), message_type = msg.message_type_name(),
                "troupe manager ignores a system message");
            return Ok(());
        } else {
            let bytes = wire::encode_message(msg)?;
            self.last_job = Instant::now();
            self.queue.push_back(Job { sender: sender.clone(), type_name: msg.message_type_name(), bytes });
        }
        // Never an error from here on: the message is queued, and a retry would queue it twice.
        self.dispatch(factory, ctx);
        self.schedule_trim(ctx);
        Ok(())
    }

    /// Hands queued work to idle workers, creating workers up to `max_count`. A worker that
    /// cannot be created stops the growth; if the troupe then has no worker at all, the queued
    /// work goes back to its senders as poison, since nobody could ever do it.
    fn dispatch(&mut self, factory: ActorFactory, ctx: &mut ActorContext<'_>) {
        while !self.queue.is_empty() {
            let index = match self.members.iter().position(|m| m.job.is_none()) {
                Some(index) => index,
                None if self.members.len() < self.settings.max_count => match Self::create_worker(factory, ctx) {
                    Ok(address) => {
                        self.members.push(Member { address, job: None, joined: false });
                        self.members.len() - 1
                    }
                    Err(e) => {
                        tracing::warn!(actor_address = %ctx.my_address(), error = %e, "troupe cannot add a worker");
                        if self.members.is_empty() {
                            let details = format!("no troupe worker could be created: {e}");
                            for job in std::mem::take(&mut self.queue) {
                                job.return_as_poison(details.clone(), ctx);
                            }
                        }
                        break;
                    }
                },
                None => break,
            };
            let Some(job) = self.queue.pop_front() else { break };
            match job.message() {
                Ok(message) => {
                    let member = &mut self.members[index];
                    ctx.send(&member.address, TroupeWork { sender: job.sender.clone(), message });
                    member.job = Some(job);
                }
                Err(e) => job.return_as_poison(format!("the troupe could not decode its copy: {e}"), ctx),
            }
        }
    }

    /// Creates a worker as the manager was created, so it passes the same checks.
    fn create_worker(factory: ActorFactory, ctx: &mut ActorContext<'_>) -> Result<ActorAddress, ActorSystemError> {
        let mut spec = ActorSpec::from_factory(factory);
        if let Some(requirements) = ctx.own_requirements() {
            spec = spec.requirements(requirements);
        }
        let address = ctx.create_actor_with(spec)?;
        ctx.send(&address, TroupeJoin { manager: ctx.my_address().clone() });
        Ok(address)
    }

    fn worker_done(&mut self, worker: &ActorAddress) {
        if let Some(member) = self.members.iter_mut().find(|m| &m.address == worker) {
            member.job = None;
        }
    }

    /// A worker died: its work goes back to the front of the queue. A worker that never
    /// started (its constructor failed) returns the work to its sender as poison instead, so a
    /// type whose workers cannot start does not create workers forever.
    fn worker_exited(&mut self, worker: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(index) = self.members.iter().position(|m| &m.address == worker) {
            let member = self.members.remove(index);
            match member.job {
                Some(job) if member.joined => self.queue.push_front(job),
                Some(job) => job.return_as_poison("the troupe worker given this message could not start".into(), ctx),
                None => {}
            }
        }
    }

    /// A worker failed twice on a message: return it to its original sender as poison.
    fn worker_failed(&mut self, worker: &ActorAddress, poison: &mut PoisonMessage, ctx: &mut ActorContext<'_>) {
        let Some(work) = poison.poison_message.downcast_mut::<TroupeWork>() else {
            return;
        };
        let original = std::mem::replace(&mut work.message, Box::new(()));
        let returned = PoisonMessage { poison_message: original, details: poison.details.clone() };
        let sender = work.sender.clone();
        ctx.send(&sender, returned);
        self.worker_done(worker);
    }

    fn update(&mut self, update: &UpdateTroupeSettings) {
        if let Some(max) = update.max_count {
            self.settings.max_count = max.max(1);
        }
        if let Some(idle) = update.idle_count {
            self.settings.idle_count = idle;
        }
        self.settings.idle_count = self.settings.idle_count.min(self.settings.max_count);
    }

    fn status(&self) -> TroupeStatus {
        let busy = self.members.iter().filter(|m| m.job.is_some()).count();
        TroupeStatus {
            max_count: self.settings.max_count,
            idle_count: self.settings.idle_count,
            workers: self.members.len(),
            busy,
            idle: self.members.len() - busy,
            pending: self.queue.len(),
        }
    }

    fn schedule_trim(&mut self, ctx: &mut ActorContext<'_>) {
        if !self.trim_scheduled && self.queue.is_empty() && self.members.len() > self.settings.idle_count {
            self.trim_scheduled = true;
            ctx.wakeup_after(TRIM_DELAY, TroupeTrim);
        }
    }

    /// Dismisses idle workers above `idle_count`, once no job has arrived for [`TRIM_DELAY`].
    fn trim(&mut self, ctx: &mut ActorContext<'_>) {
        self.trim_scheduled = false;
        if !self.queue.is_empty() {
            return;
        }
        let quiet_for = self.last_job.elapsed();
        if quiet_for < TRIM_DELAY {
            // Work arrived since this round was scheduled: the load has not ended yet.
            self.trim_scheduled = true;
            ctx.wakeup_after(TRIM_DELAY - quiet_for, TroupeTrim);
            return;
        }
        let mut excess = self.members.len().saturating_sub(self.settings.idle_count);
        let mut index = 0;
        while excess > 0 && index < self.members.len() {
            if self.members[index].job.is_none() {
                let member = self.members.remove(index);
                ctx.send(&member.address, ActorExitRequest::new());
                excess -= 1;
            } else {
                index += 1;
            }
        }
        // Busy workers above the limit are dismissed on a later round.
        if self.members.len() > self.settings.idle_count {
            self.trim_scheduled = true;
            ctx.wakeup_after(TRIM_DELAY, TroupeTrim);
        }
    }
}
