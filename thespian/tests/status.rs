//! Status requests (spec §7.12): `ThespianStatusReq` to an actor gives a `ThespianActorStatus`
//! (§7.14), to the system's admin a `ThespianSystemStatus` (§7.13); `ActorSystem::status`.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{settled_status, ANSWER, NO_ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Asks a `Parent` to create children and schedule (far-off) wakeups.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Setup {
    children: usize,
    wakeups: usize,
}

/// A `Parent`'s answer to [`Setup`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Ready {
    children: Vec<ActorAddress>,
}

/// Asks a `Parent` to create a named actor.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct MakeNamed {
    name: String,
}

/// A `Parent`'s answer to [`MakeNamed`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Named {
    address: ActorAddress,
}

/// A `Recorder`'s report of a message it received.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Saw {
    type_name: String,
}

/// Asks a `Prober` to request the status of `target` itself.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Probe {
    target: ActorAddress,
}

/// What a `Prober` learnt from a status reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
enum Probed {
    Actor { address: ActorAddress, children: usize },
    System { admin: ActorAddress, actor_count: usize },
}

/// Makes a `Keeper` the dead-letter handler.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct KeepDeadLetters;

/// Asks a `Flooder` for a status while messages are queued: it sends the status request
/// (to itself, or to the admin with `of_system`), then `to_self` messages to itself and
/// `to_other` to `other`, all from the same handler, and reports the status reply.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Flood {
    of_system: bool,
    to_self: usize,
    to_other: usize,
    other: ActorAddress,
}

/// Mail that only fills a queue.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Filler;

// ----- actors -----------------------------------------------------------------------------

/// Creates children and schedules wakeups on request.
#[derive(Default)]
struct Parent;

impl Actor for Parent {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(setup) = msg.downcast_ref::<Setup>() {
            let mut children = Vec::new();
            for _ in 0..setup.children {
                children.push(ctx.create_actor::<Idle>()?);
            }
            for n in 0..setup.wakeups {
                // Never due during the test: they only count as pending.
                ctx.wakeup_after(Duration::from_secs(3600), n as u64);
            }
            ctx.send(sender, Ready { children });
        } else if let Some(req) = msg.downcast_ref::<MakeNamed>() {
            let address = ctx.create_actor_with(ActorSpec::of::<Idle>().global_name(req.name.clone()))?;
            ctx.send(sender, Named { address });
        }
        Ok(())
    }
}

/// Does nothing.
#[derive(Default)]
struct Idle;

impl Actor for Idle {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// Reports every message it receives to its sender.
#[derive(Default)]
struct Recorder;

impl Actor for Recorder {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        ctx.send(sender, Saw { type_name: msg.message_type_name().to_string() });
        Ok(())
    }
}

/// Requests a status itself and reports the reply to whoever asked it to.
#[derive(Default)]
struct Prober {
    requester: Option<ActorAddress>,
}

impl Actor for Prober {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        let report = if let Some(probe) = msg.downcast_ref::<Probe>() {
            self.requester = Some(sender.clone());
            ctx.send(&probe.target, ThespianStatusReq);
            return Ok(());
        } else if let Some(status) = msg.downcast_ref::<ThespianActorStatus>() {
            Probed::Actor { address: status.actor_address.clone(), children: status.children.len() }
        } else if let Some(status) = msg.downcast_ref::<ThespianSystemStatus>() {
            Probed::System { admin: status.admin_address.clone(), actor_count: status.actor_count }
        } else {
            return Ok(());
        };
        if let Some(requester) = &self.requester {
            ctx.send(requester, report);
        }
        Ok(())
    }
}

/// Becomes the dead-letter handler on request.
#[derive(Default)]
struct Keeper;

impl Actor for Keeper {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<KeepDeadLetters>() {
            ctx.handle_dead_letters(true);
            ctx.send(sender, "keeping".to_string());
        }
        Ok(())
    }
}

/// Requests a status behind which messages are queued, and reports it (see [`Flood`]).
#[derive(Default)]
struct Flooder {
    requester: Option<ActorAddress>,
}

impl Actor for Flooder {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(flood) = msg.downcast_ref::<Flood>() {
            self.requester = Some(sender.clone());
            let me = ctx.my_address().clone();
            let asked = if flood.of_system { ctx.admin_address() } else { me.clone() };
            ctx.send(&asked, ThespianStatusReq);
            for _ in 0..flood.to_self {
                ctx.send(&me, Filler);
            }
            for _ in 0..flood.to_other {
                ctx.send(&flood.other, Filler);
            }
        } else if let (Some(status), Some(requester)) = (msg.downcast_ref::<ThespianActorStatus>(), &self.requester) {
            ctx.send(requester, status.clone());
        } else if let (Some(status), Some(requester)) = (msg.downcast_ref::<ThespianSystemStatus>(), &self.requester) {
            ctx.send(requester, status.clone());
        }
        Ok(())
    }
}

/// The common capabilities every system has (spec §9.1, with "Rust Version" for Python's).
const COMMON_CAPABILITIES: [&str; 6] = [
    "Thespian Generation",
    "Thespian Version",
    "Thespian ActorSystem Name",
    "Thespian ActorSystem Version",
    "Rust Version",
    "AllowRemoteActorSources",
];

fn set_of(addresses: &[ActorAddress]) -> HashSet<ActorAddress> {
    addresses.iter().cloned().collect()
}

// ----- §7.12 / §7.14 actor status ---------------------------------------------------------

on_every_base! {
    fn spec_7_14_actor_status_reports_address_children_and_wakeups(asys) {
        let parent = asys.create_actor::<Parent>()?;
        let ready: Ready = asys.ask_as(&parent, Setup { children: 3, wakeups: 2 }, ANSWER)?.ok_or("no Ready")?;
        assert_eq!(ready.children.len(), 3);

        let status: ThespianActorStatus = asys.ask_as(&parent, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!(status.actor_address, parent);
        assert_eq!(set_of(&status.children), set_of(&ready.children));
        assert_eq!(status.children.len(), 3);
        assert_eq!(status.pending_wakeups, 2);
        assert_eq!(status.pending_messages, 0);
        assert_eq!(status.parent, None, "a top-level actor has no parent actor");
        assert!(status.actor_type.ends_with("Parent"), "actor_type {:?}", status.actor_type);

        for child in &ready.children {
            let status: ThespianActorStatus = asys.ask_as(child, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
            assert_eq!(&status.actor_address, child);
            assert_eq!(status.parent.as_ref(), Some(&parent));
            assert!(status.children.is_empty());
            assert_eq!(status.pending_wakeups, 0);
        }
        Ok(())
    }

    fn spec_7_14_actor_status_counts_the_messages_queued_for_the_actor(asys) {
        let flooder = asys.create_actor::<Flooder>()?;
        let other = asys.create_actor::<Idle>()?;
        let flood = Flood { of_system: false, to_self: 3, to_other: 2, other };
        let status: ThespianActorStatus = asys.ask_as(&flooder, flood, ANSWER)?.ok_or("no status")?;
        assert_eq!(status.actor_address, flooder);
        assert_eq!(status.pending_messages, 3, "the messages queued for the actor, not those for another");
        // Once they are delivered nothing is pending.
        let status: ThespianActorStatus = asys.ask_as(&flooder, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!(status.pending_messages, 0);
        Ok(())
    }

    fn spec_7_12_the_actor_never_sees_the_status_request(asys) {
        let recorder = asys.create_actor::<Recorder>()?;
        // Control: the recorder does report what it receives.
        let saw: Saw = asys.ask_as(&recorder, 1_u8, ANSWER)?.ok_or("the recorder reported nothing")?;
        assert_eq!(saw.type_name, "u8");
        for _ in 0..3 {
            let status: ThespianActorStatus = asys.ask_as(&recorder, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
            assert_eq!(status.actor_address, recorder);
        }
        if let Some(stray) = asys.listen(NO_ANSWER)? {
            return Err(format!("the actor saw the status request: {stray:?}").into());
        }
        Ok(())
    }

    fn spec_7_12_an_actor_can_request_status(asys) {
        let prober = asys.create_actor::<Prober>()?;
        let parent = asys.create_actor::<Parent>()?;
        let _: Ready = asys.ask_as(&parent, Setup { children: 2, wakeups: 0 }, ANSWER)?.ok_or("no Ready")?;
        let probed: Probed = asys.ask_as(&prober, Probe { target: parent.clone() }, ANSWER)?.ok_or("no actor probe")?;
        assert_eq!(probed, Probed::Actor { address: parent, children: 2 });
        let probed: Probed =
            asys.ask_as(&prober, Probe { target: asys.admin_address() }, ANSWER)?.ok_or("no system probe")?;
        assert_eq!(probed, Probed::System { admin: asys.admin_address(), actor_count: 4 });
        Ok(())
    }
}

// ----- §7.13 system status ----------------------------------------------------------------

on_every_base! {
    fn spec_7_13_system_status_from_the_admin(asys) {
        let lone = asys.create_actor::<Idle>()?;
        let parent = asys.create_actor::<Parent>()?;
        let ready: Ready = asys.ask_as(&parent, Setup { children: 2, wakeups: 1 }, ANSWER)?.ok_or("no Ready")?;
        let named: Named =
            asys.ask_as(&parent, MakeNamed { name: "registry".to_string() }, ANSWER)?.ok_or("no Named")?;
        let keeper = asys.create_actor::<Keeper>()?;
        let kept: Option<String> = asys.ask_as(&keeper, KeepDeadLetters, ANSWER)?;
        assert_eq!(kept.as_deref(), Some("keeping"));

        let status: ThespianSystemStatus =
            asys.ask_as(&asys.admin_address(), ThespianStatusReq, ANSWER)?.ok_or("no system status")?;
        assert_eq!(status.base, asys.base_name());
        assert_eq!(status.admin_address, asys.admin_address());
        assert_eq!(status.actor_count, 6, "lone, parent, its 2 children, the named actor, the keeper");
        // A named actor is a child of the system, even when an actor created it (spec §5.3.1).
        let top: HashSet<ActorAddress> = [lone, parent.clone(), named.address.clone(), keeper.clone()].into();
        assert_eq!(set_of(&status.top_level_actors), top);
        for child in &ready.children {
            assert!(!status.top_level_actors.contains(child), "a child is not top-level");
        }
        assert_eq!(status.named_actors, [("registry".to_string(), named.address)]);
        assert_eq!(status.dead_letter_handler, Some(keeper));
        assert_eq!(status.pending_wakeups, 1);
        assert_eq!(status.pending_messages, 0);
        let parent_status: ThespianActorStatus = asys.ask_as(&parent, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!(parent_status.children.len(), 2, "the named actor is not the parent's child");
        Ok(())
    }

    #[not_across_processes = "§7.13: the status is informational, its values not to be relied on; across processes the count is a snapshot taken after the request (see the next body)"]
    fn spec_7_13_system_status_counts_every_queued_message(asys) {
        let flooder = asys.create_actor::<Flooder>()?;
        let other = asys.create_actor::<Idle>()?;
        let flood = Flood { of_system: true, to_self: 3, to_other: 2, other };
        let status: ThespianSystemStatus = asys.ask_as(&flooder, flood, ANSWER)?.ok_or("no system status")?;
        assert_eq!(status.admin_address, asys.admin_address());
        assert_eq!(status.pending_messages, 5, "the messages queued for every actor");
        // Once they are delivered nothing is pending.
        assert_eq!(asys.status()?.pending_messages, 0);
        Ok(())
    }

    fn spec_7_13_system_status_has_the_common_capabilities(asys) {
        let status = asys.status()?;
        for name in COMMON_CAPABILITIES {
            let caps = &status.capabilities;
            assert!(caps.get(name).is_some(), "capability {name:?} missing from {caps:?}");
        }
        assert_eq!(
            status.capabilities.get("Thespian ActorSystem Name"),
            Some(&CapValue::Str(asys.base_name().to_string()))
        );
        assert_eq!(status.capabilities, asys.capabilities()?);
        Ok(())
    }

    fn spec_7_13_status_method_matches_the_admin_reply(asys) {
        let parent = asys.create_actor::<Parent>()?;
        let _: Ready = asys.ask_as(&parent, Setup { children: 1, wakeups: 0 }, ANSWER)?.ok_or("no Ready")?;
        let by_method = asys.status()?;
        // status() uses an endpoint of its own: nothing is left for this one.
        assert!(asys.listen(NO_ANSWER)?.is_none(), "status() left a reply on the caller's endpoint");
        let by_ask: ThespianSystemStatus =
            asys.ask_as(&asys.admin_address(), ThespianStatusReq, ANSWER)?.ok_or("no system status")?;
        assert_eq!(format!("{by_method:?}"), format!("{by_ask:?}"));
        assert_eq!(by_method.actor_count, 2);
        assert_eq!(by_method.top_level_actors, [parent]);
        Ok(())
    }

    fn spec_7_13_system_status_follows_exits(asys) {
        let stays = asys.create_actor::<Idle>()?;
        let parent = asys.create_actor::<Parent>()?;
        let _: Ready = asys.ask_as(&parent, Setup { children: 3, wakeups: 2 }, ANSWER)?.ok_or("no Ready")?;
        let before = asys.status()?;
        assert_eq!(before.actor_count, 5);
        assert_eq!(before.pending_wakeups, 2);

        asys.tell(&parent, ActorExitRequest::new())?;
        let after = settled_status(asys, |s| s.actor_count == 1)?;
        assert_eq!(after.actor_count, 1, "the parent and its children exited");
        assert_eq!(after.top_level_actors, [stays]);
        assert_eq!(after.pending_wakeups, 0);
        Ok(())
    }
}

on_multiprocess_bases! {
    fn spec_7_13_across_processes_the_status_counts_a_snapshot_taken_after_the_request(asys) {
        let flooder = asys.create_actor::<Flooder>()?;
        let other = asys.create_actor::<Idle>()?;
        let flood = Flood { of_system: true, to_self: 3, to_other: 2, other };
        let status: ThespianSystemStatus = asys.ask_as(&flooder, flood, ANSWER)?.ok_or("no system status")?;
        assert_eq!(status.admin_address, asys.admin_address());
        // Each process counts what waits in it when the admin's census reaches it, after the
        // request: some of the five may be delivered by then, none is counted twice.
        assert!(status.pending_messages <= 5, "more than the five sent: {status:?}");
        settled_status(asys, |status| status.pending_messages == 0)?;
        Ok(())
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Parent);
thespian::register_actor!(Idle);
thespian::register_actor!(Recorder);
thespian::register_actor!(Prober);
thespian::register_actor!(Keeper);
thespian::register_actor!(Flooder);
