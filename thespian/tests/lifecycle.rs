//! The actor lifecycle: parents and children (spec §2.2), exit requests and their propagation
//! (§2.2.3, §2.2.4, §7.4, §7.5), non-startable actors (§4.3), top-level actors (§4.5, §6.3,
//! §6.4) and creation from a registered name (§5.3, §5.3.2).

mod common;

use common::{answer, quiet, Failure, TestResult, ANSWER, NO_ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Makes a [`Node`] report its lifecycle events to this address; answered with [`Ack`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Observe(ActorAddress);

/// Acknowledges a setting.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ack;

/// Which child a [`Node`] creates on [`Spawn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ChildKind {
    /// Another `Node`, observed by the same observer.
    Node,
    /// An actor whose `NewActor::new_actor` returns `Err`.
    CtorError,
    /// An actor whose `Default` panics.
    CtorPanic,
}

/// Asks a [`Node`] to create a child; answered with [`Spawned`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Spawn(ChildKind);

/// Asks a [`Node`] to create a child from a registered name; answered with [`Spawned`] or
/// [`Refused`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SpawnByName(String);

/// The address of a child just created.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Spawned(ActorAddress);

/// Why a child could not be created.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Refused(String);

/// What a [`Node`] does when it handles its `ActorExitRequest`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
enum ExitBehaviour {
    #[default]
    Normal,
    /// Calls `not_recursive()`, so its children stay.
    KeepChildren,
    /// Returns `Err`.
    Fail,
    /// Panics.
    Panic,
}

/// Sets a [`Node`]'s [`ExitBehaviour`]; answered with [`Ack`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct OnExit(ExitBehaviour);

/// Answered with [`Pong`] carrying the answering actor's address.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ping;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Pong(ActorAddress);

/// Asks a [`Node`] to send an `ActorExitRequest` to this address.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Kill(ActorAddress);

/// Makes a [`ShutdownWitness`] call `actor_system_shutdown()`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct StopTheSystem;

/// What observers are told.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Message)]
enum Event {
    /// The actor is handling its `ActorExitRequest`.
    Exiting(ActorAddress),
    /// `parent` received `ChildActorExited` for `child`.
    ChildExited { parent: ActorAddress, child: ActorAddress },
    /// The dead-letter handler received a `DeadEnvelope`.
    Dead { address: ActorAddress, message_type: String },
}

// ----- actors -----------------------------------------------------------------------------

/// A configurable actor that creates children and reports its lifecycle to an observer.
#[derive(Default)]
struct Node {
    observer: Option<ActorAddress>,
    on_exit: ExitBehaviour,
    /// Children told of the observer, with who asked for them: each is answered with
    /// `Spawned` once the child has acknowledged its observer. Across processes the child
    /// could otherwise hear from the asker first (only each sender's order is kept, §4.1),
    /// and go unobserved.
    observing: Vec<(ActorAddress, ActorAddress)>,
}

thespian::register_actor!(Node);

/// The registered name of [`Node`].
const NODE_NAME: &str = concat!(module_path!(), "::Node");

impl Node {
    fn report(&self, ctx: &mut ActorContext<'_>, event: Event) {
        if let Some(observer) = &self.observer {
            ctx.send(observer, event);
        }
    }
}

impl Actor for Node {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        let me = ctx.my_address().clone();
        if let Some(Observe(observer)) = msg.downcast_ref::<Observe>() {
            self.observer = Some(observer.clone());
            ctx.send(sender, Ack);
        } else if let Some(OnExit(behaviour)) = msg.downcast_ref::<OnExit>() {
            self.on_exit = *behaviour;
            ctx.send(sender, Ack);
        } else if let Some(Spawn(kind)) = msg.downcast_ref::<Spawn>() {
            let child = match kind {
                ChildKind::Node => ctx.create_actor::<Node>()?,
                ChildKind::CtorError => ctx.create_actor::<RefusesToStart>()?,
                ChildKind::CtorPanic => ctx.create_actor::<PanicsOnStart>()?,
            };
            if let (ChildKind::Node, Some(observer)) = (kind, &self.observer) {
                ctx.send(&child, Observe(observer.clone()));
                self.observing.push((child, sender.clone()));
            } else {
                ctx.send(sender, Spawned(child));
            }
        } else if msg.is::<Ack>() {
            if let Some(at) = self.observing.iter().position(|(child, _)| child == sender) {
                let (child, asker) = self.observing.swap_remove(at);
                ctx.send(&asker, Spawned(child));
            }
        } else if let Some(SpawnByName(name)) = msg.downcast_ref::<SpawnByName>() {
            match ctx.create_actor_by_name(name) {
                Ok(child) => ctx.send(sender, Spawned(child)),
                Err(e) => ctx.send(sender, Refused(e.to_string())),
            }
        } else if let Some(request) = msg.downcast_mut::<ActorExitRequest>() {
            self.report(ctx, Event::Exiting(me));
            match self.on_exit {
                ExitBehaviour::Normal => {}
                ExitBehaviour::KeepChildren => request.not_recursive(),
                ExitBehaviour::Fail => return Err("the exit handler failed (on purpose)".into()),
                ExitBehaviour::Panic => panic!("the exit handler panicked (on purpose)"),
            }
        } else if let Some(exited) = msg.downcast_ref::<ChildActorExited>() {
            self.report(ctx, Event::ChildExited { parent: me, child: exited.child_address.clone() });
        } else if msg.is::<Ping>() {
            ctx.send(sender, Pong(me));
        } else if let Some(Kill(target)) = msg.downcast_ref::<Kill>() {
            ctx.send(target, ActorExitRequest::new());
        }
        Ok(())
    }
}

const REFUSAL: &str = "no database to connect to (on purpose)";
const CTOR_PANIC: &str = "the constructor panicked (on purpose)";

/// An actor whose constructor returns an error.
struct RefusesToStart;

impl NewActor for RefusesToStart {
    fn new_actor() -> Result<Self, ActorError> {
        Err(REFUSAL.into())
    }
}

impl Actor for RefusesToStart {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// An actor whose constructor panics.
struct PanicsOnStart;

impl Default for PanicsOnStart {
    fn default() -> Self {
        panic!("{CTOR_PANIC}")
    }
}

impl Actor for PanicsOnStart {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// Registers as the dead-letter handler on [`Observe`] and reports every dead letter.
#[derive(Default)]
struct DeadLetterWatcher {
    observer: Option<ActorAddress>,
}

impl Actor for DeadLetterWatcher {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(Observe(observer)) = msg.downcast_ref::<Observe>() {
            self.observer = Some(observer.clone());
            ctx.handle_dead_letters(true);
            ctx.send(sender, Ack);
        } else if let (Some(envelope), Some(observer)) = (msg.downcast_ref::<DeadEnvelope>(), &self.observer) {
            let event = Event::Dead {
                address: envelope.dead_address.clone(),
                message_type: envelope.dead_message.message_type_name().to_string(),
            };
            ctx.send(observer, event);
        }
        Ok(())
    }
}

/// Tells its observer (set by [`Observe`], passed on to its children) when it handles its
/// `ActorExitRequest`; creates a child of its own type on [`Spawn`]; keeps its children
/// running when it exits after [`OnExit`]`(KeepChildren)`; shuts the whole system down on
/// [`StopTheSystem`]. What it tells an external endpoint while the system shuts down is
/// read there afterwards.
#[derive(Default)]
struct ShutdownWitness {
    keep_children: bool,
    observer: Option<ActorAddress>,
    /// Who asked for a child, answered once the child acknowledged its observer: across
    /// processes nothing else orders the child's observer before the asker's next message.
    asker: Option<ActorAddress>,
}

impl Actor for ShutdownWitness {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(request) = msg.downcast_mut::<ActorExitRequest>() {
            if let Some(observer) = &self.observer {
                ctx.send(observer, Event::Exiting(ctx.my_address().clone()));
            }
            if self.keep_children {
                request.not_recursive();
            }
        } else if let Some(Observe(observer)) = msg.downcast_ref::<Observe>() {
            self.observer = Some(observer.clone());
            ctx.send(sender, Ack);
        } else if msg.is::<Spawn>() {
            let child = ctx.create_actor::<ShutdownWitness>()?;
            match &self.observer {
                Some(observer) => {
                    ctx.send(&child, Observe(observer.clone()));
                    self.asker = Some(sender.clone());
                }
                None => ctx.send(sender, Spawned(child)),
            }
        } else if let (true, Some(asker)) = (msg.is::<Ack>(), self.asker.take()) {
            ctx.send(&asker, Spawned(sender.clone()));
        } else if let Some(OnExit(behaviour)) = msg.downcast_ref::<OnExit>() {
            self.keep_children = *behaviour == ExitBehaviour::KeepChildren;
            ctx.send(sender, Ack);
        } else if msg.is::<StopTheSystem>() {
            ctx.actor_system_shutdown();
        }
        Ok(())
    }
}

/// A top-level [`ShutdownWitness`] that tells `observer` of its exit.
fn witness(asys: &ActorSystem, observer: &ActorAddress) -> Result<ActorAddress, Failure> {
    let witness = asys.create_actor::<ShutdownWitness>()?;
    let Ack = answer(asys, &witness, Observe(observer.clone()))?;
    Ok(witness)
}

/// The actors whose exit `observer` was told of, sorted, read once the system is down.
fn exits_told(observer: &ActorSystem) -> Result<Vec<ActorAddress>, Failure> {
    let mut exited = Vec::new();
    loop {
        match observer.listen_as::<Event>(ANSWER) {
            Ok(Some(Event::Exiting(actor))) => exited.push(actor),
            Ok(Some(other)) => return Err(format!("unexpected {other:?}").into()),
            Ok(None) => return Err(format!("the system still runs; told of {exited:?}").into()),
            Err(ActorSystemError::SystemShutDown) => break,
            Err(e) => return Err(e.into()),
        }
    }
    exited.sort();
    Ok(exited)
}

// ----- helpers ----------------------------------------------------------------------------

/// The next `n` events sent to this endpoint, sorted (senders are independent, so their
/// order is not part of the behaviour).
fn events(endpoint: &ActorSystem, n: usize) -> Result<Vec<Event>, Failure> {
    let mut got = Vec::with_capacity(n);
    for i in 0..n {
        match endpoint.listen_as::<Event>(ANSWER)? {
            Some(event) => got.push(event),
            None => return Err(format!("only {i} of {n} events arrived: {got:?}").into()),
        }
    }
    got.sort();
    Ok(got)
}

fn sorted(mut events: Vec<Event>) -> Vec<Event> {
    events.sort();
    events
}

/// A top-level [`Node`] reporting to `observer`.
fn observed_node(asys: &ActorSystem, observer: &ActorAddress) -> Result<ActorAddress, Failure> {
    let node = asys.create_actor::<Node>()?;
    let Ack = answer(asys, &node, Observe(observer.clone()))?;
    Ok(node)
}

/// Registers a [`DeadLetterWatcher`] reporting to `observer`.
fn watch_dead_letters(asys: &ActorSystem, observer: &ActorAddress) -> TestResult {
    let watcher = asys.create_actor::<DeadLetterWatcher>()?;
    let Ack = answer(asys, &watcher, Observe(observer.clone()))?;
    Ok(())
}

fn status(asys: &ActorSystem, actor: &ActorAddress) -> Result<ThespianActorStatus, Failure> {
    answer(asys, actor, ThespianStatusReq)
}

/// True if `actor` no longer answers.
fn is_gone(asys: &ActorSystem, actor: &ActorAddress) -> Result<bool, Failure> {
    Ok(asys.ask(actor, Ping, NO_ANSWER)?.is_none())
}

// ----- tests ------------------------------------------------------------------------------

on_every_base! {
    fn spec_2_2_2_actor_creates_a_child_and_becomes_its_parent(asys) {
        let parent = asys.create_actor::<Node>()?;
        let Spawned(child) = answer(asys, &parent, Spawn(ChildKind::Node))?;
        assert_ne!(child, parent);
        let Pong(who) = answer(asys, &child, Ping)?;
        assert_eq!(who, child);
        assert_eq!(status(asys, &child)?.parent, Some(parent.clone()));
        let parent_status = status(asys, &parent)?;
        assert_eq!(parent_status.children, vec![child]);
        assert_eq!(parent_status.parent, None, "an actor created from outside is top-level");
        Ok(())
    }

    fn spec_2_2_3_exit_request_is_handled_then_the_actor_exits(asys) {
        let obs = asys.private()?;
        watch_dead_letters(asys, obs.my_address())?;
        let node = observed_node(asys, obs.my_address())?;
        asys.tell(&node, ActorExitRequest::new())?;
        assert_eq!(events(&obs, 1)?, vec![Event::Exiting(node.clone())]);
        // Its address is dead-lettered from now on.
        asys.tell(&node, Ping)?;
        let dead = Event::Dead { address: node.clone(), message_type: Ping.message_type_name().to_string() };
        assert_eq!(events(&obs, 1)?, vec![dead]);
        quiet(&obs)?;
        Ok(())
    }

    fn spec_2_2_4_exit_propagates_to_children_and_the_grandparent_is_told(asys) {
        let obs = asys.private()?;
        let grandparent = observed_node(asys, obs.my_address())?;
        let Spawned(parent) = answer(asys, &grandparent, Spawn(ChildKind::Node))?;
        let Spawned(child) = answer(asys, &parent, Spawn(ChildKind::Node))?;
        asys.tell(&parent, ActorExitRequest::new())?;
        let expected = sorted(vec![
            Event::Exiting(parent.clone()),
            Event::Exiting(child.clone()),
            Event::ChildExited { parent: grandparent.clone(), child: parent.clone() },
        ]);
        assert_eq!(events(&obs, 3)?, expected);
        // Nothing else: the exited parent handles nothing after its exit request.
        quiet(&obs)?;
        assert!(is_gone(asys, &parent)?);
        assert!(is_gone(asys, &child)?);
        let Pong(_) = answer(asys, &grandparent, Ping)?;
        assert!(status(asys, &grandparent)?.children.is_empty());
        Ok(())
    }

    fn spec_7_4_not_recursive_exit_leaves_the_children_running(asys) {
        let obs = asys.private()?;
        let parent = observed_node(asys, obs.my_address())?;
        let Ack = answer(asys, &parent, OnExit(ExitBehaviour::KeepChildren))?;
        let Spawned(child) = answer(asys, &parent, Spawn(ChildKind::Node))?;
        asys.tell(&parent, ActorExitRequest::new())?;
        assert_eq!(events(&obs, 1)?, vec![Event::Exiting(parent.clone())]);
        quiet(&obs)?;
        assert!(is_gone(asys, &parent)?);
        let Pong(who) = answer(asys, &child, Ping)?;
        assert_eq!(who, child);
        Ok(())
    }

    fn spec_7_5_parent_is_told_when_its_child_is_stopped(asys) {
        let obs = asys.private()?;
        let parent = observed_node(asys, obs.my_address())?;
        let Spawned(child) = answer(asys, &parent, Spawn(ChildKind::Node))?;
        // Stopped by someone other than its parent.
        asys.tell(&child, ActorExitRequest::new())?;
        let expected = sorted(vec![
            Event::Exiting(child.clone()),
            Event::ChildExited { parent: parent.clone(), child: child.clone() },
        ]);
        assert_eq!(events(&obs, 2)?, expected);
        quiet(&obs)?;
        assert!(status(asys, &parent)?.children.is_empty());
        Ok(())
    }

    fn spec_4_3_child_whose_constructor_fails_is_non_startable(asys) {
        let obs = asys.private()?;
        watch_dead_letters(asys, obs.my_address())?;
        let parent = observed_node(asys, obs.my_address())?;
        for kind in [ChildKind::CtorError, ChildKind::CtorPanic] {
            // An address is still returned ...
            let Spawned(child) = answer(asys, &parent, Spawn(kind))?;
            assert_ne!(child, parent);
            // ... the parent is told the child exited ...
            let exited = Event::ChildExited { parent: parent.clone(), child: child.clone() };
            assert_eq!(events(&obs, 1)?, vec![exited], "{kind:?}");
            // ... and mail to it is dead-lettered.
            asys.tell(&child, Ping)?;
            let dead = Event::Dead { address: child.clone(), message_type: Ping.message_type_name().to_string() };
            assert_eq!(events(&obs, 1)?, vec![dead], "{kind:?}");
            quiet(&obs)?;
        }
        let Pong(_) = answer(asys, &parent, Ping)?;
        assert!(status(asys, &parent)?.children.is_empty());
        Ok(())
    }

    fn spec_6_4_external_create_with_a_failing_constructor_is_an_error(asys) {
        match asys.create_actor::<RefusesToStart>() {
            Err(ActorSystemError::ActorCreateFailure { actor_type, reason }) => {
                assert!(actor_type.contains("RefusesToStart"), "{actor_type}");
                assert!(reason.contains(REFUSAL), "{reason}");
            }
            other => return Err(format!("expected ActorCreateFailure, got {other:?}").into()),
        }
        match asys.create_actor::<PanicsOnStart>() {
            Err(ActorSystemError::ActorCreateFailure { actor_type, reason }) => {
                assert!(actor_type.contains("PanicsOnStart"), "{actor_type}");
                assert!(reason.contains(CTOR_PANIC), "{reason}");
            }
            other => return Err(format!("expected ActorCreateFailure, got {other:?}").into()),
        }
        // The system carries on.
        let node = asys.create_actor::<Node>()?;
        let Pong(who) = answer(asys, &node, Ping)?;
        assert_eq!(who, node);
        Ok(())
    }

    fn spec_4_5_top_level_actor_has_no_parent_to_tell(asys) {
        let obs = asys.private()?;
        let killer = observed_node(asys, obs.my_address())?;
        let top = observed_node(asys, obs.my_address())?;
        assert_eq!(status(asys, &top)?.parent, None);
        assert!(asys.status()?.top_level_actors.contains(&top));
        // Another top-level actor stops it: only the exit itself is seen, no ChildActorExited
        // reaches the actor that asked, nor anyone else.
        asys.tell(&killer, Kill(top.clone()))?;
        assert_eq!(events(&obs, 1)?, vec![Event::Exiting(top.clone())]);
        quiet(&obs)?;
        assert!(is_gone(asys, &top)?);
        Ok(())
    }

    fn spec_6_3_shutdown_stops_top_level_actors_and_their_children(asys) {
        // first ── child              (first keeps its children when it exits)
        // second ── middle ── grandchild  (middle keeps its children when it exits)
        let obs = asys.private()?;
        let first = witness(asys, obs.my_address())?;
        let second = witness(asys, obs.my_address())?;
        let Spawned(child) = answer(asys, &first, Spawn(ChildKind::Node))?;
        let Spawned(middle) = answer(asys, &second, Spawn(ChildKind::Node))?;
        let Spawned(grandchild) = answer(asys, &middle, Spawn(ChildKind::Node))?;
        let Ack = answer(asys, &first, OnExit(ExitBehaviour::KeepChildren))?;
        let Ack = answer(asys, &middle, OnExit(ExitBehaviour::KeepChildren))?;
        let mut ours = vec![first.clone(), second, child, middle, grandchild];
        ours.sort();
        quiet(&obs)?;
        asys.shutdown()?;
        // Every actor handled exactly one ActorExitRequest, also those whose parent exited
        // without taking them along.
        assert_eq!(exits_told(&obs)?, ours);
        assert!(matches!(asys.tell(&first, Ping), Err(ActorSystemError::SystemShutDown)));
        Ok(())
    }

    fn spec_5_16_actor_system_shutdown_stops_every_actor_and_the_system(asys) {
        // first ── child ── grandchild     second
        let obs = asys.private()?;
        let first = witness(asys, obs.my_address())?;
        let second = witness(asys, obs.my_address())?;
        let Spawned(child) = answer(asys, &first, Spawn(ChildKind::Node))?;
        let Spawned(grandchild) = answer(asys, &child, Spawn(ChildKind::Node))?;
        let private = asys.private()?;
        let mut ours = vec![first.clone(), second, child, grandchild.clone()];
        ours.sort();
        quiet(&obs)?;
        // An actor deep in the tree shuts the whole system down.
        asys.tell(&grandchild, StopTheSystem)?;
        // Wait for the system to be gone: listen fails once it is (at once on the simple base).
        match asys.listen(ANSWER) {
            Err(e) => assert_eq!(e.code(), thespian::codes::T0004, "{e}"),
            Ok(got) => return Err(format!("the system still runs after actor_system_shutdown: {got:?}").into()),
        }
        // Every actor, the one that asked included, handled exactly one ActorExitRequest.
        assert_eq!(exits_told(&obs)?, ours);
        // Every later call is refused with the shutdown error.
        let refused = [
            asys.tell(&first, Ping).err(),
            asys.ask(&first, Ping, NO_ANSWER).err(),
            asys.create_actor::<Node>().err(),
            asys.private().err(),
            asys.status().err(),
            asys.capabilities().err(),
            private.tell(&first, Ping).err(),
            private.listen(NO_ANSWER).err(),
        ];
        for (n, error) in refused.iter().enumerate() {
            let code = error.as_ref().map(ActorSystemError::code);
            assert_eq!(code, Some(thespian::codes::T0004), "call {n}: {error:?}");
        }
        // Shutting down what is already shut down is not an error.
        asys.shutdown()?;
        Ok(())
    }

    fn spec_7_4_actor_exits_even_when_its_exit_handler_fails(asys) {
        let obs = asys.private()?;
        let parent = observed_node(asys, obs.my_address())?;
        for behaviour in [ExitBehaviour::Fail, ExitBehaviour::Panic] {
            let Spawned(child) = answer(asys, &parent, Spawn(ChildKind::Node))?;
            let Ack = answer(asys, &child, OnExit(behaviour))?;
            asys.tell(&child, ActorExitRequest::new())?;
            // The handler ran once (an exit request is not retried), the parent was told.
            let expected = sorted(vec![
                Event::Exiting(child.clone()),
                Event::ChildExited { parent: parent.clone(), child: child.clone() },
            ]);
            assert_eq!(events(&obs, 2)?, expected, "{behaviour:?}");
            quiet(&obs)?;
            // No poison comes back for a system message.
            quiet(asys)?;
            assert!(is_gone(asys, &child)?, "{behaviour:?}");
        }
        Ok(())
    }

    fn spec_5_3_an_actor_is_found_by_its_types_path_and_by_its_impl_blocks(asys) {
        // `Elsewhere` is defined in `defs` and its `#[actor]` impl block written in `impls`.
        for name in ["lifecycle::defs::Elsewhere", "lifecycle::impls::Elsewhere"] {
            let actor = asys.create_actor_by_name(name)?;
            let reply: String = answer(asys, &actor, "where?".to_string())?;
            assert_eq!(reply, "elsewhere", "created by the name {name}");
        }
        Ok(())
    }

    fn spec_5_3_create_actor_by_registered_name(asys) {
        // From outside: a top-level actor.
        let top = asys.create_actor_by_name(NODE_NAME)?;
        let Pong(who) = answer(asys, &top, Ping)?;
        assert_eq!(who, top);
        let top_status = status(asys, &top)?;
        assert!(top_status.actor_type.ends_with("Node"), "{}", top_status.actor_type);
        assert_eq!(top_status.parent, None);
        // From inside an actor: its child.
        let Spawned(child) = answer(asys, &top, SpawnByName(NODE_NAME.to_string()))?;
        let Pong(who) = answer(asys, &child, Ping)?;
        assert_eq!(who, child);
        assert_eq!(status(asys, &child)?.parent, Some(top));
        Ok(())
    }

    fn spec_5_3_2_unknown_or_unqualified_name_is_an_invalid_specification(asys) {
        let unknown = concat!(module_path!(), "::NoSuchActor");
        let node = asys.create_actor::<Node>()?;
        for (name, advice) in [(unknown, "register_actor!"), ("Node", "module-qualified")] {
            match asys.create_actor_by_name(name) {
                Err(ActorSystemError::InvalidActorSpecification { spec, reason }) => {
                    assert_eq!(spec, name);
                    assert!(reason.contains(advice), "{name}: {reason}");
                }
                other => return Err(format!("{name}: expected InvalidActorSpecification, got {other:?}").into()),
            }
            // From inside an actor the same error is returned to the actor.
            let Refused(text) = answer(asys, &node, SpawnByName(name.to_string()))?;
            assert!(text.contains("InvalidActorSpecification"), "{text}");
            assert!(text.contains(advice), "{text}");
        }
        Ok(())
    }
}

/// An actor type defined in one module ...
mod defs {
    /// Answers where it is.
    #[derive(Default)]
    pub(crate) struct Elsewhere;
}

/// ... whose `#[actor]` impl block is written in another.
mod impls {
    use thespian::prelude::*;

    #[actor]
    impl super::defs::Elsewhere {
        #[handler(String)]
        fn on_text(&mut self, _text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
            ctx.send(sender, "elsewhere".to_string());
        }
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Node);
thespian::register_actor!(RefusesToStart);
thespian::register_actor!(PanicsOnStart);
thespian::register_actor!(DeadLetterWatcher);
thespian::register_actor!(ShutdownWitness);
