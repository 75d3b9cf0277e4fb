//! Exits through deep actor trees (spec §2.2.3, §2.2.4, §6.3, §7.4): the kernel walks a
//! subtree with a work list, so no chain of parents and children is too deep to stop, and
//! the walk keeps the spec's order.
//!
//! These check the kernel's walk, which every base shares; a chain of 100 000 actors is one
//! of 100 000 processes on a multi-process base, so they run on the simple base only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use thespian::prelude::*;

/// The stack a libtest thread gets by default, made explicit.
const SMALL_STACK: usize = 2 << 20;

/// How deep the chains are.
const DEPTH: u64 = 100_000;

/// Grows a chain: the receiver creates a child and passes the rest on; the last link
/// answers `reply_to` with [`Grown`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Grow {
    left: u64,
    reply_to: ActorAddress,
}

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Grown;

/// Counts the exit requests handled and the instances dropped, per system.
static EXITS: Mutex<Vec<(String, String, &'static str)>> = Mutex::new(Vec::new());

/// One link of a chain.
#[derive(Default)]
struct Link {
    me: Option<ActorAddress>,
}

#[actor]
impl Link {
    #[handler(Grow)]
    fn grow(&mut self, grow: &Grow, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.me = Some(ctx.my_address().clone());
        if grow.left == 0 {
            ctx.send(&grow.reply_to, Grown);
        } else {
            let child = ctx.create_actor::<Link>()?;
            ctx.send(&child, Grow { left: grow.left - 1, reply_to: grow.reply_to.clone() });
        }
        Ok(())
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _: &ActorExitRequest, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        LINK_EXITS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Exit requests handled by [`Link`]s, in every test of this file.
static LINK_EXITS: AtomicUsize = AtomicUsize::new(0);

/// Records its exit request and its drop, to check their order.
#[derive(Default)]
struct Recorder {
    me: Option<ActorAddress>,
}

/// Asks a [`Recorder`] to create children, answered with their addresses.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct MakeChildren(u8);

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Children(Vec<ActorAddress>);

#[actor]
impl Recorder {
    #[handler(MakeChildren)]
    fn make(&mut self, n: &MakeChildren, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.me = Some(ctx.my_address().clone());
        let mut children = Vec::new();
        for _ in 0..n.0 {
            children.push(ctx.create_actor::<Recorder>()?);
        }
        ctx.send(sender, Children(children));
        Ok(())
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _: &ActorExitRequest, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.me = Some(ctx.my_address().clone());
        record(ctx.my_address(), "handled");
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(me) = &self.me {
            record(me, "dropped");
        }
    }
}

fn record(addr: &ActorAddress, what: &'static str) {
    if let Ok(mut log) = EXITS.lock() {
        log.push((system_of(addr), addr.to_string(), what));
    }
}

/// The part of an address's text that names its system (before the `/`), to tell the
/// systems of this file's tests apart.
fn system_of(addr: &ActorAddress) -> String {
    let text = addr.to_string();
    text.split('/').next().unwrap_or_default().to_string()
}

fn system() -> Result<ActorSystem, ActorSystemError> {
    ActorSystem::builder().logging(Logging::Off).build()
}

/// Builds a chain of `DEPTH` links under a top-level root.
fn chain(asys: &ActorSystem) -> Result<ActorAddress, Box<dyn std::error::Error>> {
    let root = asys.create_actor::<Link>()?;
    let grown =
        asys.ask_as::<Grown>(&root, Grow { left: DEPTH, reply_to: asys.my_address().clone() }, Duration::MAX)?;
    grown.ok_or("the chain did not report back")?;
    Ok(root)
}

/// Runs `body` on a thread with a [`SMALL_STACK`], as a test thread has.
fn on_small_stack(body: impl FnOnce() -> Result<(), String> + Send) {
    let outcome = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(SMALL_STACK)
            .spawn_scoped(s, body)
            .map_err(|e| e.to_string())
            .and_then(|t| t.join().map_err(|_| "the test thread panicked".to_string()))
    });
    if let Err(e) = outcome.and_then(|r| r) {
        panic!("{e}");
    }
}

fn exits_handled() -> usize {
    LINK_EXITS.load(Ordering::Relaxed)
}

#[test]
fn spec_6_3_shutdown_stops_a_100_000_deep_chain_on_a_small_stack() {
    on_small_stack(|| {
        let asys = system().map_err(|e| e.to_string())?;
        let _root = chain(&asys).map_err(|e| e.to_string())?;
        let before = exits_handled();
        asys.shutdown().map_err(|e| e.to_string())?;
        // Other tests of this file may count too: at least this chain's links were asked.
        let asked = exits_handled() - before;
        if asked < (DEPTH + 1) as usize {
            return Err(format!("only {asked} links handled their exit request"));
        }
        Ok(())
    });
}

#[test]
fn spec_7_4_exit_request_to_the_root_of_a_100_000_deep_chain_on_a_small_stack() {
    on_small_stack(|| {
        let asys = system().map_err(|e| e.to_string())?;
        let root = chain(&asys).map_err(|e| e.to_string())?;
        asys.tell(&root, ActorExitRequest::new()).map_err(|e| e.to_string())?;
        let status = asys.status().map_err(|e| e.to_string())?;
        if status.actor_count != 0 {
            return Err(format!("{} actors left after the root exited", status.actor_count));
        }
        asys.shutdown().map_err(|e| e.to_string())
    });
}

#[test]
fn spec_6_3_dropping_the_system_stops_a_100_000_deep_chain_on_a_small_stack() {
    on_small_stack(|| {
        let asys = system().map_err(|e| e.to_string())?;
        let _root = chain(&asys).map_err(|e| e.to_string())?;
        let before = exits_handled();
        drop(asys);
        let asked = exits_handled() - before;
        if asked < (DEPTH + 1) as usize {
            return Err(format!("only {asked} links handled their exit request"));
        }
        Ok(())
    });
}

#[test]
fn spec_7_4_each_actor_handles_its_exit_before_its_children_and_is_removed_after_them(
) -> Result<(), Box<dyn std::error::Error>> {
    let asys = system()?;
    let root = asys.create_actor::<Recorder>()?;
    let wait = Duration::from_secs(10);
    let Children(kids) = asys.ask_as(&root, MakeChildren(2), wait)?.ok_or("no children")?;
    let Children(grandkids) = asys.ask_as(&kids[0], MakeChildren(2), wait)?.ok_or("no grandchildren")?;
    let id = system_of(&root);
    asys.shutdown()?;
    let log: Vec<(String, &str)> = EXITS
        .lock()
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|(s, ..)| *s == id)
        .map(|(_, a, w)| (a.clone(), *w))
        .collect();
    let at = |addr: &ActorAddress, what: &str| {
        log.iter().position(|(a, w)| *a == addr.to_string() && *w == what).ok_or(format!("{addr} never {what}"))
    };
    // Depth first, in creation order: root, first child and its children, second child.
    let handled = [&root, &kids[0], &grandkids[0], &grandkids[1], &kids[1]];
    let order: Result<Vec<usize>, String> = handled.iter().map(|a| at(a, "handled")).collect();
    let order = order?;
    assert!(order.windows(2).all(|w| w[0] < w[1]), "exit requests handled in the wrong order: {log:?}");
    for (parent, children) in [(&root, &kids), (&kids[0], &grandkids)] {
        for child in children {
            assert!(at(parent, "handled")? < at(child, "handled")?, "a child before its parent: {log:?}");
            assert!(at(child, "dropped")? < at(parent, "dropped")?, "a parent removed before its child: {log:?}");
            assert!(at(child, "handled")? < at(child, "dropped")?, "{log:?}");
        }
    }
    Ok(())
}
