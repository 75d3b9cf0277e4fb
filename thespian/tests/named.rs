//! Named actors (spec §4.6, §5.3.1, `globalName` of §6.4): one running actor per name for
//! every creator, parented by the system, and the name is free again once it exits.

mod common;

use common::{answer, quiet, settled_status, Failure, ANSWER, NO_ANSWER};
use thespian::prelude::*;

// ----- messages ---------------------------------------------------------------------------

/// Logged by a [`Registry`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Hello(u32);

/// Asks a [`Registry`] for its log; answered with [`Log`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct GetLog;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Log(Vec<u32>);

/// Asks an actor which type it is; answered with [`Identity`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Identify;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Identity(String);

/// Asks a [`Creator`] to create the [`Registry`] named `name` and send it `greetings`
/// [`Hello`]s right away; answered with [`Created`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CreateNamed {
    name: String,
    greetings: u32,
}

/// Asks a [`Creator`] to create an ordinary child; answered with [`Created`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CreateChild;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Created(ActorAddress);

/// A [`Creator`] received `ChildActorExited` for this actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
struct ChildExited(ActorAddress);

// ----- actors -----------------------------------------------------------------------------

/// Logs the [`Hello`]s it receives, in order.
#[derive(Default)]
struct Registry {
    log: Vec<u32>,
}

impl Actor for Registry {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(Hello(n)) = msg.downcast_ref::<Hello>() {
            self.log.push(*n);
        } else if msg.is::<GetLog>() {
            ctx.send(sender, Log(self.log.clone()));
        } else if msg.is::<Identify>() {
            ctx.send(sender, Identity("Registry".to_string()));
        }
        Ok(())
    }
}

/// Another actor type, to show that the type given for an existing name is ignored.
#[derive(Default)]
struct Impostor;

impl Actor for Impostor {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<Identify>() {
            ctx.send(sender, Identity("Impostor".to_string()));
        }
        Ok(())
    }
}

/// Creates named and ordinary actors, and reports the `ChildActorExited` it receives to
/// whoever last asked it to create something.
#[derive(Default)]
struct Creator {
    observer: Option<ActorAddress>,
}

impl Actor for Creator {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(CreateNamed { name, greetings }) = msg.downcast_ref::<CreateNamed>() {
            self.observer = Some(sender.clone());
            let named = ctx.create_actor_with(ActorSpec::of::<Registry>().global_name(name.as_str()))?;
            for n in 0..*greetings {
                ctx.send(&named, Hello(n));
            }
            ctx.send(sender, Created(named));
        } else if msg.is::<CreateChild>() {
            self.observer = Some(sender.clone());
            let child = ctx.create_actor::<Registry>()?;
            ctx.send(sender, Created(child));
        } else if let (Some(exited), Some(observer)) = (msg.downcast_ref::<ChildActorExited>(), &self.observer) {
            ctx.send(observer, ChildExited(exited.child_address.clone()));
        }
        Ok(())
    }
}

// ----- helpers ----------------------------------------------------------------------------

/// Creates (or finds) the [`Registry`] named `name` from outside.
fn named_registry(asys: &ActorSystem, name: &str) -> Result<ActorAddress, Failure> {
    Ok(asys.create_actor_with(ActorSpec::of::<Registry>().global_name(name))?)
}

/// Creates (or finds) the [`Registry`] named `name` from inside `creator`, which greets it
/// `greetings` times; returns once the greetings have arrived. (The creator's answer and
/// its greetings travel on different routes across processes, and only one sender's
/// messages to one target keep their order, spec §4.1: the registry is asked again, each
/// time a round trip, until it has as many as it was sent.)
fn named_from(asys: &ActorSystem, creator: &ActorAddress, name: &str, greetings: u32) -> Result<ActorAddress, Failure> {
    let Created(named) = answer(asys, creator, CreateNamed { name: name.to_string(), greetings })?;
    let deadline = std::time::Instant::now() + ANSWER;
    while log_of(asys, &named)?.len() < greetings as usize {
        if std::time::Instant::now() >= deadline {
            return Err(format!("{name} did not get its {greetings} greetings within {ANSWER:?}").into());
        }
    }
    Ok(named)
}

fn log_of(asys: &ActorSystem, registry: &ActorAddress) -> Result<Vec<u32>, Failure> {
    let Log(log) = answer(asys, registry, GetLog)?;
    Ok(log)
}

// ----- tests ------------------------------------------------------------------------------

/// Asks a [`NameReader`] for its global name; answered with an `Option<String>` as a
/// [`MyName`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WhatIsYourName;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct MyName(Option<String>);

/// Answers with the global name it was created with.
#[derive(Default)]
struct NameReader;

#[actor]
impl NameReader {
    #[handler(WhatIsYourName)]
    fn name(&mut self, _: &WhatIsYourName, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let name = ctx.global_name().map(str::to_string);
        ctx.send(sender, MyName(name));
    }
}

on_every_base! {
    fn spec_5_3_1_an_actor_reads_its_own_global_name(asys) {
        let named = asys.create_actor_with(ActorSpec::of::<NameReader>().global_name("the-reader"))?;
        let unnamed = asys.create_actor::<NameReader>()?;
        assert_eq!(answer::<MyName>(asys, &named, WhatIsYourName)?, MyName(Some("the-reader".to_string())));
        assert_eq!(answer::<MyName>(asys, &unnamed, WhatIsYourName)?, MyName(None));
        Ok(())
    }

    fn spec_4_6_every_creator_gets_the_same_named_actor(asys) {
        let first = named_registry(asys, "registry")?;
        let again = named_registry(asys, "registry")?;
        assert_eq!(again, first);
        // Another external endpoint, and an actor, get the same one.
        let private = asys.private()?;
        assert_eq!(named_registry(&private, "registry")?, first);
        let creator = asys.create_actor::<Creator>()?;
        assert_eq!(named_from(asys, &creator, "registry", 0)?, first);
        // It is one running actor: what one creator sends, another sees.
        asys.tell(&first, Hello(1))?;
        assert_eq!(log_of(&private, &again)?, vec![1]);
        // Another name is another actor.
        let other = named_registry(asys, "other registry")?;
        assert_ne!(other, first);
        assert!(log_of(asys, &other)?.is_empty());
        Ok(())
    }

    fn spec_4_6_the_type_is_ignored_for_an_existing_name(asys) {
        let registry = named_registry(asys, "registry")?;
        let impostor = asys.create_actor_with(ActorSpec::of::<Impostor>().global_name("registry"))?;
        assert_eq!(impostor, registry);
        let Identity(kind) = answer(asys, &impostor, Identify)?;
        assert_eq!(kind, "Registry");
        // The first creation decides, whatever its type.
        let impostor = asys.create_actor_with(ActorSpec::of::<Impostor>().global_name("impostor"))?;
        assert_eq!(named_registry(asys, "impostor")?, impostor);
        let Identity(kind) = answer(asys, &impostor, Identify)?;
        assert_eq!(kind, "Impostor");
        Ok(())
    }

    fn spec_5_3_1_the_parent_of_a_named_actor_is_the_system(asys) {
        let obs = asys.private()?;
        let creator = asys.create_actor::<Creator>()?;
        let named = named_from(&obs, &creator, "registry", 0)?;
        let child = {
            let Created(child) = answer(&obs, &creator, CreateChild)?;
            child
        };
        let named_status: ThespianActorStatus = answer(asys, &named, ThespianStatusReq)?;
        assert_eq!(named_status.parent, None);
        let creator_status: ThespianActorStatus = answer(asys, &creator, ThespianStatusReq)?;
        assert_eq!(creator_status.children, vec![child.clone()]);
        assert!(asys.status()?.top_level_actors.contains(&named));
        // When the named actor exits, its creator is not told ...
        asys.tell(&named, ActorExitRequest::new())?;
        quiet(&obs)?;
        // ... while it is told about its ordinary child.
        asys.tell(&child, ActorExitRequest::new())?;
        assert_eq!(obs.listen_as::<ChildExited>(ANSWER)?, Some(ChildExited(child)));
        quiet(&obs)?;
        // Nor does a named actor go with its creator's (recursive) exit.
        let survivor = named_from(asys, &creator, "survivor", 1)?;
        asys.tell(&creator, ActorExitRequest::new())?;
        assert_eq!(log_of(asys, &survivor)?, vec![0]);
        Ok(())
    }

    fn spec_5_3_sends_right_after_creation_are_delivered_in_order(asys) {
        // From inside an actor, in the same handler that created it.
        let creator = asys.create_actor::<Creator>()?;
        let named = named_from(asys, &creator, "from inside", 20)?;
        assert_eq!(log_of(asys, &named)?, (0..20).collect::<Vec<_>>());
        // From outside.
        let named = named_registry(asys, "from outside")?;
        for n in 0..20 {
            asys.tell(&named, Hello(n))?;
        }
        assert_eq!(log_of(asys, &named)?, (0..20).collect::<Vec<_>>());
        Ok(())
    }

    fn spec_4_6_the_name_is_free_once_the_named_actor_exits(asys) {
        let old = named_registry(asys, "registry")?;
        asys.tell(&old, Hello(1))?;
        asys.tell(&old, ActorExitRequest::new())?;
        settled_status(asys, |s| s.named_actors.iter().all(|(name, _)| name != "registry"))?;
        let new = named_registry(asys, "registry")?;
        assert_ne!(new, old);
        // A fresh instance that works; the old one is gone.
        assert!(log_of(asys, &new)?.is_empty());
        asys.tell(&new, Hello(2))?;
        assert_eq!(log_of(asys, &new)?, vec![2]);
        assert!(asys.ask(&old, GetLog, NO_ANSWER)?.is_none());
        // Every creator now gets the new one.
        assert_eq!(named_registry(asys, "registry")?, new);
        let creator = asys.create_actor::<Creator>()?;
        assert_eq!(named_from(asys, &creator, "registry", 0)?, new);
        assert!(asys.status()?.named_actors.contains(&("registry".to_string(), new)));
        Ok(())
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Registry);
thespian::register_actor!(Impostor);
thespian::register_actor!(Creator);
