//! Named actors: one actor per name in the system, found by creating it again with the
//! same `global_name`.
//!
//! Run it with `cargo run --example named`.

use std::collections::BTreeMap;
use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: registry
/// What a `Registry` understands.
#[derive(Debug, Serialize, Deserialize, Message)]
enum RegistryMsg {
    /// Store a value under a key.
    Set(String, String),
    /// Reply with every entry, as `Entries`.
    List,
}

/// The registry's answer to `List`.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Entries(BTreeMap<String, String>);

/// A key-value store meant to exist once per system, under the name "registry".
#[derive(Default)]
struct Registry {
    entries: BTreeMap<String, String>,
}

impl Registry {
    /// How every user of the registry creates it or finds it.
    fn spec() -> ActorSpec {
        ActorSpec::of::<Self>().global_name("registry")
    }
}

impl Actor for Registry {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        match msg.downcast_ref::<RegistryMsg>() {
            Some(RegistryMsg::Set(key, value)) => {
                self.entries.insert(key.clone(), value.clone());
            }
            Some(RegistryMsg::List) => ctx.send(sender, Entries(self.entries.clone())),
            None => {}
        }
        Ok(())
    }
}
// ANCHOR_END: registry

// ANCHOR: client
/// Records its own address in the registry, which it finds by name.
#[derive(Default)]
struct Client;

impl Actor for Client {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        _sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(name) = msg.downcast_ref::<String>() {
            let registry = ctx.create_actor_with(Registry::spec())?;
            let me = ctx.my_address().to_string();
            ctx.send(&registry, RegistryMsg::Set(name.clone(), me));
        }
        Ok(())
    }
}
// ANCHOR_END: client

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: from_actors
    for name in ["alice", "bob"] {
        let client = asys.create_actor::<Client>()?;
        asys.tell(&client, name.to_string())?;
    }
    // ANCHOR_END: from_actors

    // ANCHOR: same_address
    let registry = asys.create_actor_with(Registry::spec())?;
    let again = asys.create_actor_with(Registry::spec())?;
    assert_eq!(registry, again);
    // The name wins over the type: this finds the running Registry too.
    let other_type = asys.create_actor_with(ActorSpec::of::<Client>().global_name("registry"))?;
    assert_eq!(registry, other_type);

    let entries: Option<Entries> = asys.ask_as(&registry, RegistryMsg::List, WAIT)?;
    let Entries(entries) = entries.expect("the registry answers");
    println!("the registry holds {entries:?}");
    assert_eq!(entries.len(), 2);
    // ANCHOR_END: same_address

    // ANCHOR: parent
    let actor_status: Option<ThespianActorStatus> = asys.ask_as(&registry, ThespianStatusReq, WAIT)?;
    let parent = actor_status.expect("the system answers for the registry").parent;
    println!("the registry was created by alice's client, but its parent is {parent:?}");
    assert_eq!(parent, None);
    let status = asys.status()?;
    println!("named actors: {:?}", status.named_actors);
    assert_eq!(status.named_actors, [("registry".to_string(), registry.clone())]);
    // ANCHOR_END: parent

    // ANCHOR: after_exit
    asys.tell(&registry, ActorExitRequest::new())?;
    let fresh = asys.create_actor_with(Registry::spec())?;
    assert_ne!(fresh, registry);
    let entries: Option<Entries> = asys.ask_as(&fresh, RegistryMsg::List, WAIT)?;
    println!("after the exit, the name gives a new, empty registry: {entries:?}");
    assert_eq!(entries.map(|Entries(e)| e.len()), Some(0));
    // ANCHOR_END: after_exit

    asys.shutdown()
}
