//! [`ActorContext`]: what a running actor can ask of its system (spec §5), and
//! [`ActorHost`], the trait it asks through, which the kernel (`core`) implements.

use std::time::Duration;

use crate::api::actor::{boxed, Actor, ActorSpec, NewActor};
use crate::api::address::ActorAddress;
use crate::api::capabilities::{CapValue, Capabilities};
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::api::watch::ThespianWatch;

/// The Actor API (spec §5): given to [`Actor::receive_message`]
/// for the duration of one message.
pub struct ActorContext<'a> {
    me: &'a ActorAddress,
    host: &'a mut dyn ActorHost,
    failure: Option<String>,
    troupe_work_in_progress: Option<bool>,
    watch: Option<ThespianWatch>,
}

impl<'a> ActorContext<'a> {
    pub(crate) fn new(me: &'a ActorAddress, host: &'a mut dyn ActorHost) -> Self {
        Self { me, host, failure: None, troupe_work_in_progress: None, watch: None }
    }

    /// A failure recorded during the handler (a send to an invalid address), if any.
    pub(crate) fn take_failure(&mut self) -> Option<String> {
        self.failure.take()
    }

    /// What the handler set with [`set_troupe_work_in_progress`](Self::set_troupe_work_in_progress).
    pub(crate) fn take_troupe_work_in_progress(&mut self) -> Option<bool> {
        self.troupe_work_in_progress.take()
    }

    /// The watch this handler asked for with [`watch`](Self::watch), if any.
    pub(crate) fn take_watch(&mut self) -> Option<ThespianWatch> {
        self.watch.take()
    }

    /// Delivers a message held by a pattern (initializing messages) to `actor` now, with its
    /// original sender and the core's retry-then-poison handling.
    pub(crate) fn deliver_held(&mut self, actor: &mut dyn Actor, msg: Box<dyn Message>, sender: &ActorAddress) {
        self.host.deliver_held(self.me, actor, msg, sender);
    }

    /// The requirements this actor's creator gave, for patterns that create more actors of
    /// the same kind (a troupe's workers are created as their manager was).
    pub(crate) fn own_requirements(&self) -> Option<Capabilities> {
        self.host.requirements_of(self.me)
    }

    /// This actor's own address (spec §5.1 `myAddress`).
    #[doc(alias = "myAddress")]
    pub fn my_address(&self) -> &ActorAddress {
        self.me
    }

    /// The global name this actor was created with (spec §5.3.1, Python's `self.globalName`),
    /// or `None` for an actor created without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use thespian::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Registry;
    ///
    /// #[actor]
    /// impl Registry {
    ///     #[handler(String)]
    ///     fn who(&mut self, _: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
    ///         let name = ctx.global_name().unwrap_or("(unnamed)").to_string();
    ///         ctx.send(sender, name);
    ///     }
    /// }
    ///
    /// # fn main() -> Result<(), ActorSystemError> {
    /// let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    /// let named = asys.create_actor_with(ActorSpec::of::<Registry>().global_name("registry"))?;
    /// let reply: Option<String> = asys.ask_as(&named, "who?".to_string(), Duration::from_secs(1))?;
    /// assert_eq!(reply.as_deref(), Some("registry"));
    /// # asys.shutdown() }
    /// ```
    #[doc(alias = "globalName")]
    pub fn global_name(&self) -> Option<&str> {
        self.host.global_name(self.me)
    }

    /// Sends `msg` to `target` (spec §5.4). Delivery is asynchronous and best-effort: mail to
    /// an actor that has exited goes to dead-letter handling (spec §4.2).
    ///
    /// Sending to an address that is not one of this system's is an error in the handler,
    /// like a raised exception in Python: the handler's message is retried once and then
    /// returned to its sender as a [`PoisonMessage`](crate::PoisonMessage) whose details
    /// name `InvalidActorAddress`.
    pub fn send(&mut self, target: &ActorAddress, msg: impl Message) {
        self.send_boxed(target, boxed(msg));
    }

    /// The system's admin address: send it a [`ThespianStatusReq`](crate::ThespianStatusReq)
    /// for a [`ThespianSystemStatus`](crate::ThespianSystemStatus) (spec §7.12).
    #[doc(alias = "Thespian_StatusReq")]
    pub fn admin_address(&self) -> ActorAddress {
        self.host.admin_address()
    }

    /// Sends `msg` to `target`, or returns the error for an address that is not one of this
    /// system's, without failing the handler (compare [`send`](Self::send)).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorAddress`] (the message is dropped).
    #[doc(alias = "send")]
    pub fn try_send(&mut self, target: &ActorAddress, msg: impl Message) -> Result<(), ActorSystemError> {
        self.host.send(self.me, target, boxed(msg))
    }

    /// Sends an already boxed message (for forwarding a message received as `dyn Message`).
    #[doc(alias = "send")]
    pub fn send_boxed(&mut self, target: &ActorAddress, msg: Box<dyn Message>) {
        if let Err(e) = self.host.send(self.me, target, msg) {
            tracing::warn!(actor_address = %self.me, error = %e, "send failed");
            if self.failure.is_none() {
                self.failure = Some(e.to_string());
            }
        }
    }

    /// Creates a child actor of type `A` (spec §2.2.2, §5.3).
    ///
    /// The child exists when this returns (on the simple base) or soon after; messages sent
    /// to it meanwhile are held and delivered in order. If its constructor fails the address
    /// is still returned: the child is non-startable (spec §4.3), this actor is sent
    /// [`ChildActorExited`](crate::ChildActorExited), and mail to it is dead-lettered.
    ///
    /// # Errors
    ///
    /// Only for an invalid specification; see [`create_actor_with`](Self::create_actor_with).
    #[doc(alias = "createActor")]
    pub fn create_actor<A: NewActor>(&mut self) -> Result<ActorAddress, ActorSystemError> {
        self.create_actor_with(ActorSpec::of::<A>())
    }

    /// Creates a child actor from its registered module-qualified type name (spec §5.3).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorSpecification`] if no actor type is registered as `name`.
    #[doc(alias = "createActor")]
    pub fn create_actor_by_name(&mut self, name: &str) -> Result<ActorAddress, ActorSystemError> {
        self.create_actor_with(ActorSpec::by_name(name))
    }

    /// Creates an actor from a full specification: requirements and global name (spec §5.3).
    /// A named actor is a child of the system, not of this actor (spec §5.3.1).
    ///
    /// # Errors
    ///
    /// [`ActorSystemError::InvalidActorSpecification`] for an unknown type name,
    /// [`ActorSystemError::NoCompatibleSystemForActor`] when no system accepts it.
    #[doc(alias("createActor", "targetActorRequirements", "globalName"))]
    pub fn create_actor_with(&mut self, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError> {
        self.host.create_actor(self.me, spec)
    }

    /// Asks for a [`WakeupMessage`](crate::WakeupMessage) carrying `payload` after `delay`
    /// (spec §4.7, §5.5). Use `()` for no payload. Each call schedules one delivery; there
    /// is no cancelling, and pending wakeups do not keep an exiting actor alive.
    #[doc(alias = "wakeupAfter")]
    pub fn wakeup_after(&mut self, delay: Duration, payload: impl Message) {
        self.host.wakeup_after(self.me, delay, boxed(payload));
    }

    /// Registers (`true`) or deregisters (`false`) this actor as the dead-letter handler
    /// (spec §5.6). The last registration wins; after deregistering, dead letters are dropped.
    #[doc(alias = "handleDeadLetters")]
    pub fn handle_dead_letters(&mut self, start: bool) {
        self.host.handle_dead_letters(self.me, start);
    }

    /// Shuts down the whole local actor system once this handler returns (spec §5.16).
    ///
    /// Delivery stays in order: the messages queued before the request, this handler's
    /// included, are delivered first; then every actor is asked to exit, as for
    /// [`ActorSystem::shutdown`](crate::ActorSystem::shutdown). Messages to external endpoints
    /// sent meanwhile can still be read there; mail that no live actor is left to receive is
    /// counted and reported in one warning. A `listen` or `ask` waiting meanwhile returns at
    /// once with [`ActorSystemError::SystemShutDown`] once its replies are read.
    #[doc(alias = "actorSystemShutdown")]
    pub fn actor_system_shutdown(&mut self) {
        self.host.request_shutdown();
    }

    /// For a member of a troupe (spec §8.1): `true` says the work it was given is not finished
    /// (it awaits other messages or a wakeup), so the troupe manager sends it nothing new;
    /// `false` says it is done and ready for more. Outside a troupe it has no effect.
    #[doc(alias = "troupe_work_in_progress")]
    pub fn set_troupe_work_in_progress(&mut self, in_progress: bool) {
        self.troupe_work_in_progress = Some(in_progress);
    }

    /// Sets capability `name` of this system, or removes it when `value` is `None` or
    /// `Some(CapValue::Null)` (Python's `None`, spec §5.13). Read-only capabilities (spec
    /// §9.1) are left unchanged.
    #[doc(alias = "updateCapability")]
    pub fn update_capability(&mut self, name: &str, value: Option<CapValue>) {
        self.host.update_capability(name, value);
    }

    /// Watches the file descriptors of `watch` until this actor's next message (spec §4.8,
    /// §5.2.1): the Rust form of returning a `ThespianWatch` from `receiveMessage`, for a
    /// hand-written [`Actor`]. (A `#[handler]` simply returns the
    /// [`ThespianWatch`].)
    ///
    /// When one of them has data to read, the actor is sent a
    /// [`WatchMessage`](crate::WatchMessage) listing the ready ones. The watch holds for this
    /// one handler invocation: the next message's handler must call it again to keep
    /// watching. Called twice in one handler, the last call wins; a handler that fails sets
    /// no watch. Bases whose capability `"Thespian Watch Supported"` is false ignore it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpListener;
    /// use std::os::fd::AsRawFd;
    /// use thespian::prelude::*;
    ///
    /// struct Acceptor {
    ///     listener: TcpListener,
    /// }
    ///
    /// impl Actor for Acceptor {
    ///     fn receive_message(
    ///         &mut self,
    ///         msg: &mut dyn Message,
    ///         _sender: &ActorAddress,
    ///         ctx: &mut ActorContext<'_>,
    ///     ) -> ActorResult {
    ///         if let Some(ready) = msg.downcast_ref::<WatchMessage>() {
    ///             // accept the pending connections on `ready.ready`
    ///             # let _ = ready;
    ///         }
    ///         ctx.watch(ThespianWatch::new([self.listener.as_raw_fd()]));
    ///         Ok(())
    ///     }
    /// }
    /// # fn main() {}
    /// ```
    #[doc(alias("ThespianWatch", "receiveMessage"))]
    pub fn watch(&mut self, watch: ThespianWatch) {
        self.watch = Some(watch);
    }
}

/// What an [`ActorContext`] asks of the system that runs its actor: the seam between the
/// Actor API and the kernel (`core`), which implements it for every base.
pub(crate) trait ActorHost {
    /// The system's admin address.
    fn admin_address(&self) -> ActorAddress;
    /// Queues `msg` from `from` to `to`; fails only for an address that is not this system's.
    fn send(&mut self, from: &ActorAddress, to: &ActorAddress, msg: Box<dyn Message>) -> Result<(), ActorSystemError>;
    /// Creates an actor whose parent is `parent` (unless it is named).
    fn create_actor(&mut self, parent: &ActorAddress, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError>;
    /// The requirements `me`'s creator gave (spec §5.12), for patterns that create more
    /// actors of the same kind (a troupe's workers).
    fn requirements_of(&self, me: &ActorAddress) -> Option<Capabilities>;
    /// The global name `me` was created with (spec §5.3.1), if any.
    fn global_name(&self, me: &ActorAddress) -> Option<&str>;
    /// Schedules a wakeup for `me`.
    fn wakeup_after(&mut self, me: &ActorAddress, delay: Duration, payload: Box<dyn Message>);
    /// Registers or deregisters `me` as the dead-letter handler.
    fn handle_dead_letters(&mut self, me: &ActorAddress, start: bool);
    /// Spec §4.4: returns a message that failed twice to its sender as poison (unless it is a
    /// system message or the actor's own).
    fn return_poison(&mut self, me: &ActorAddress, sender: &ActorAddress, message: Box<dyn Message>, details: String);
    /// Delivers `msg`, held by a pattern that wraps `actor` (initializing messages), to
    /// `actor` now, inside `me`'s handler, with its original `sender`: retried once on
    /// failure, then returned as poison, as any message is.
    fn deliver_held(&mut self, me: &ActorAddress, actor: &mut dyn Actor, msg: Box<dyn Message>, sender: &ActorAddress);
    /// Shuts the system down after the current message.
    fn request_shutdown(&mut self);
    /// Changes a capability.
    fn update_capability(&mut self, name: &str, value: Option<CapValue>);
    /// Spec §5.2.1: the file descriptors the handler invocation of `me` that just returned
    /// asked to watch. Called only when it asked; the host ended the previous watch when it
    /// delivered the message.
    fn set_watch(&mut self, me: &ActorAddress, fds: Vec<i32>);
}
