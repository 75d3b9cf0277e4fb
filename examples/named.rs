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
    /// Reply with the name it runs under, as a `String`.
    Name,
}

/// The registry's answer to `List`.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Entries(BTreeMap<String, String>);

/// The registry's global name, written once: a typo in a `const` name does not compile.
const REGISTRY: &str = "registry";

/// A key-value store meant to exist once per system, under the name [`REGISTRY`].
#[derive(Default)]
struct Registry {
    entries: BTreeMap<String, String>,
}

#[actor]
impl Registry {
    /// How every user of the registry creates it or finds it.
    fn spec() -> ActorSpec {
        ActorSpec::of::<Self>().global_name(REGISTRY)
    }

    #[handler(RegistryMsg)]
    fn on_msg(&mut self, msg: &RegistryMsg, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        match msg {
            RegistryMsg::Set(key, value) => {
                self.entries.insert(key.clone(), value.clone());
            }
            RegistryMsg::List => ctx.send(sender, Entries(self.entries.clone())),
            // ANCHOR: own_name
            RegistryMsg::Name => {
                // `None` for an actor created without a global name (Python's `self.globalName`).
                let name = ctx.global_name().unwrap_or("(no name)").to_string();
                ctx.send(sender, name);
            } // ANCHOR_END: own_name
        }
    }
}
// ANCHOR_END: registry

// ANCHOR: client
/// Records its own address in the registry, which it finds by name.
#[derive(Default)]
struct Client;

#[actor]
impl Client {
    /// Its name: record it, with this client's address, in the registry.
    #[handler(String)]
    fn register(&mut self, name: &String, ctx: &mut ActorContext<'_>) -> Result<(), ActorSystemError> {
        let registry = ctx.create_actor_with(Registry::spec())?;
        let me = ctx.my_address().to_string();
        ctx.send(&registry, RegistryMsg::Set(name.clone(), me));
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
    let other_type = asys.create_actor_with(ActorSpec::of::<Client>().global_name(REGISTRY))?;
    assert_eq!(registry, other_type);

    let entries: Option<Entries> = asys.ask_as(&registry, RegistryMsg::List, WAIT)?;
    let Entries(entries) = entries.expect("the registry answers");
    println!("the registry holds {entries:?}");
    assert_eq!(entries.len(), 2);
    let name: Option<String> = asys.ask_as(&registry, RegistryMsg::Name, WAIT)?;
    assert_eq!(name.as_deref(), Some(REGISTRY));
    // ANCHOR_END: same_address

    // ANCHOR: parent
    let actor_status: Option<ThespianActorStatus> = asys.ask_as(&registry, ThespianStatusReq, WAIT)?;
    let parent = actor_status.expect("the system answers for the registry").parent;
    println!("the registry was created by alice's client, but its parent is {parent:?}");
    assert_eq!(parent, None);
    let status = asys.status()?;
    println!("named actors: {:?}", status.named_actors);
    assert_eq!(status.named_actors, [(REGISTRY.to_string(), registry.clone())]);
    // ANCHOR_END: parent

    // ANCHOR: after_exit
    asys.tell(&registry, ActorExitRequest::new())?;
    let fresh = asys.create_actor_with(Registry::spec())?;
    assert_ne!(fresh, registry);
    let entries: Option<Entries> = asys.ask_as(&fresh, RegistryMsg::List, WAIT)?;
    println!("after the exit, the name gives a new, empty registry: {entries:?}");
    assert_eq!(entries.map(|Entries(e)| e.len()), Some(0));
    // ANCHOR_END: after_exit

    // ANCHOR: typo
    // A misspelled name is not an error: it is another name, so it starts a second registry.
    let typo = asys.create_actor_with(ActorSpec::of::<Registry>().global_name("regsitry"))?;
    assert_ne!(typo, fresh);

    // The names a program expects, checked against those the system knows.
    const KNOWN_NAMES: &[&str] = &[REGISTRY];
    let named = asys.status()?.named_actors;
    let unknown: Vec<&str> =
        named.iter().map(|(name, _)| name.as_str()).filter(|name| !KNOWN_NAMES.contains(name)).collect();
    println!("named actors no code should have made: {unknown:?}");
    assert_eq!(unknown, ["regsitry"]);
    // ANCHOR_END: typo

    asys.shutdown()
}
