//! Several kernels of one system, each the kernel of one process (DESIGN §3), wired by an
//! in-memory transport that carries every envelope as a wire frame: the lifecycle rules that
//! cross processes, tested deterministically and without processes.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::api::actor::{Actor, ActorResult, ActorSpec};
use crate::api::address::ActorAddress;
use crate::api::capabilities::Capabilities;
use crate::api::context::ActorContext;
use crate::api::message::Message;
use crate::api::system_messages::{ActorExitRequest, ChildActorExited, DeadEnvelope, WakeupMessage};
use crate::core::kernel::{Envelope, HostEnd, Kernel};
use crate::wire::WireEnvelope;

const SYSTEM: u64 = 0x5eed;

thread_local! {
    /// The virtual clock of this test's kernels: a fixed origin and how far it has moved.
    static ORIGIN: Instant = Instant::now();
    static ELAPSED: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// The virtual time: it moves only when a test says so ([`Net::advance`]).
fn virtual_now() -> Instant {
    ORIGIN.with(|origin| *origin) + ELAPSED.with(Cell::get)
}

/// One kernel per host; host 0 is the admin's process.
struct Net {
    kernels: Vec<Kernel>,
    /// Hosts whose process is gone: what is sent to them is lost with them.
    dead: BTreeSet<u32>,
}

impl Net {
    fn new(hosts: u32) -> Self {
        let kernels = (0..hosts)
            .map(|h| Kernel::new(SYSTEM, "test", Capabilities::new(), false).in_process(h).with_clock(virtual_now))
            .collect();
        Self { kernels, dead: BTreeSet::new() }
    }

    /// Moves the virtual clock on by `by`: each live kernel delivers the wakeups then due,
    /// and the messages they cause are carried.
    fn advance(&mut self, by: Duration) -> Result<(), String> {
        ELAPSED.with(|elapsed| elapsed.set(elapsed.get() + by));
        let now = virtual_now();
        for (host, kernel) in self.kernels.iter_mut().enumerate() {
            if !u32::try_from(host).is_ok_and(|h| self.dead.contains(&h)) {
                let mark = kernel.timer_mark();
                kernel.fire_due_timers(now, mark);
            }
        }
        self.run()
    }

    fn kernel(&mut self, host: u32) -> &mut Kernel {
        &mut self.kernels[host as usize]
    }

    /// Delivers and carries messages until every kernel is quiet. Each envelope crosses as a
    /// frame, so what arrives is what another process would decode.
    fn run(&mut self) -> Result<(), String> {
        loop {
            let mut moved = false;
            for host in 0..self.kernels.len() {
                while self.kernels[host].step() {
                    moved = true;
                }
                while let Some(env) = self.kernels[host].poll_transmit() {
                    moved = true;
                    let to = env.target.host();
                    let frame = WireEnvelope::new(env.target, env.sender, env.message.as_ref())
                        .and_then(|w| w.to_frame())
                        .map_err(|e| e.to_string())?;
                    if self.dead.contains(&to) {
                        continue;
                    }
                    let wire = WireEnvelope::from_frame(&frame).map_err(|e| e.to_string())?;
                    let (target, sender) = (wire.target.clone(), wire.sender.clone());
                    let message = wire.open().map_err(|e| e.to_string())?;
                    self.kernel(to).handle_envelope(Envelope { target, sender, message });
                }
            }
            if !moved {
                return Ok(());
            }
        }
    }

    /// Host `host`'s process dies: every other kernel is told.
    fn kill(&mut self, host: u32) {
        self.end(host, HostEnd::Died);
    }

    /// Host `host`'s process ends as `end` says: every other kernel is told.
    fn end(&mut self, host: u32, end: HostEnd) {
        self.dead.insert(host);
        for (h, kernel) in self.kernels.iter_mut().enumerate() {
            if u32::try_from(h).ok() != Some(host) {
                kernel.handle_host_lost(host, end);
            }
        }
    }

    /// Creates `A` on `host`, as a child of `parent` when given (which may run elsewhere:
    /// its kernel is told, as a base would once the child reports in).
    fn create<A: crate::NewActor>(&mut self, host: u32, parent: Option<&ActorAddress>) -> Result<ActorAddress, String> {
        let child = self.kernel(host).create(parent, ActorSpec::of::<A>()).map_err(|_| "create failed".to_string())?;
        if let Some(parent) = parent.filter(|p| p.host() != host) {
            self.kernel(parent.host()).handle_child_started(parent, child.clone());
        }
        Ok(child)
    }
}

/// Answers a `u64` with the same number.
#[derive(Default)]
struct Echo;

impl Actor for Echo {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(n) = msg.downcast_ref::<u64>() {
            ctx.send(sender, *n);
        }
        Ok(())
    }
}

/// Told an observer by a `Vec<u8>`, it handles dead letters and reports to that observer
/// each child's exit as the child's address text, each dead letter as `dead:` and its
/// address, and its own exit request as `exiting:` and its address.
#[derive(Default)]
struct Parent {
    observer: Option<ActorAddress>,
}

impl Actor for Parent {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<Vec<u8>>() {
            self.observer = Some(sender.clone());
            ctx.handle_dead_letters(true);
        } else if let (Some(exited), Some(observer)) = (msg.downcast_ref::<ChildActorExited>(), &self.observer) {
            ctx.send(observer, exited.child_address.to_string());
        } else if let (Some(dead), Some(observer)) = (msg.downcast_ref::<DeadEnvelope>(), &self.observer) {
            ctx.send(observer, format!("dead:{}", dead.dead_address));
        } else if let (true, Some(observer)) = (msg.is::<ActorExitRequest>(), &self.observer) {
            let me = ctx.my_address().clone();
            ctx.send(observer, format!("exiting:{me}"));
        }
        Ok(())
    }
}

/// The texts an endpoint received, in order.
fn texts(kernel: &mut Kernel, endpoint: &ActorAddress) -> Vec<String> {
    std::iter::from_fn(|| kernel.take_received(endpoint))
        .filter_map(|(m, _)| m.downcast_ref::<String>().cloned())
        .collect()
}

#[test]
fn design_3_mail_crosses_processes_in_order_and_addresses_survive() -> Result<(), String> {
    let mut net = Net::new(3);
    let echo = net.create::<Echo>(2, None)?;
    assert_eq!(echo.host(), 2, "an actor's address names the process that hosts it");
    let endpoint = net.kernel(0).open_endpoint();
    for n in 0..100_u64 {
        net.kernel(0).post(echo.clone(), endpoint.clone(), Box::new(n));
    }
    net.run()?;
    let replies: Vec<(u64, ActorAddress)> = std::iter::from_fn(|| net.kernel(0).take_received(&endpoint))
        .filter_map(|(m, sender)| m.downcast_ref::<u64>().map(|n| (*n, sender)))
        .collect();
    assert_eq!(replies.iter().map(|(n, _)| *n).collect::<Vec<_>>(), (0..100).collect::<Vec<_>>(), "in order");
    assert!(replies.iter().all(|(_, sender)| *sender == echo), "the sender is equal after two crossings");
    Ok(())
}

/// A [`Parent`] on host 0 reporting to an endpoint there, and its [`Echo`] child on host 1:
/// the parent, the child and the endpoint.
fn observed_family(net: &mut Net) -> Result<(ActorAddress, ActorAddress, ActorAddress), String> {
    let parent = net.create::<Parent>(0, None)?;
    let child = net.create::<Echo>(1, Some(&parent))?;
    let observer = net.kernel(0).open_endpoint();
    net.kernel(0).post(parent.clone(), observer.clone(), Box::new(Vec::<u8>::new()));
    net.run()?;
    Ok((parent, child, observer))
}

#[test]
fn design_3_a_remote_childs_exit_reaches_its_parent() -> Result<(), String> {
    let mut net = Net::new(2);
    let (_parent, child, observer) = observed_family(&mut net)?;
    net.kernel(0).post(child.clone(), observer.clone(), Box::new(ActorExitRequest::new()));
    net.run()?;
    assert_eq!(texts(net.kernel(0), &observer), [child.to_string()], "ChildActorExited crossed to the parent");
    assert!(net.kernel(1).system_status().actor_count == 0, "the child is gone");
    Ok(())
}

#[test]
fn design_3_a_parents_exit_reaches_its_children_in_other_processes() -> Result<(), String> {
    let mut net = Net::new(3);
    let parent = net.create::<Parent>(0, None)?;
    for host in [1, 2] {
        net.create::<Echo>(host, Some(&parent))?;
    }
    let endpoint = net.kernel(0).open_endpoint();
    net.kernel(0).post(parent, endpoint, Box::new(ActorExitRequest::new()));
    net.run()?;
    for host in 0..3 {
        assert_eq!(net.kernel(host).system_status().actor_count, 0, "host {host} still has actors");
    }
    Ok(())
}

/// A grandparent and a parent on host 0, the parent's child `C` on host 1, all observed
/// (`C` too when `watch_child`); the parent has just handled its exit request, and its child
/// has not yet got its own.
struct ExitingParent {
    parent: ActorAddress,
    child: ActorAddress,
    observer: ActorAddress,
}

fn exiting_parent<C: crate::NewActor>(net: &mut Net, watch_child: bool) -> Result<ExitingParent, String> {
    let grandparent = net.create::<Parent>(0, None)?;
    let parent = net.create::<Parent>(0, Some(&grandparent))?;
    let child = net.create::<C>(1, Some(&parent))?;
    let observer = net.kernel(0).open_endpoint();
    let watched = if watch_child { vec![&grandparent, &child] } else { vec![&grandparent] };
    for actor in watched {
        net.kernel(0).post(actor.clone(), observer.clone(), Box::new(Vec::<u8>::new()));
    }
    net.run()?;
    net.kernel(0).post(parent.clone(), observer.clone(), Box::new(ActorExitRequest::new()));
    while net.kernel(0).step() {}
    Ok(ExitingParent { parent, child, observer })
}

#[test]
fn design_3_an_actor_is_removed_only_after_its_children_in_other_processes_reported() -> Result<(), String> {
    let mut net = Net::new(2);
    let ExitingParent { parent, child, observer } = exiting_parent::<Parent>(&mut net, true)?;
    assert_eq!(net.kernel(0).system_status().actor_count, 2, "the parent waits for its remote child");
    // Meanwhile it is dead to mail: the grandparent, handling dead letters, sees this one.
    net.kernel(0).post(parent.clone(), observer.clone(), Box::new(5_u64));
    net.run()?;
    let told = texts(net.kernel(0), &observer);
    let expected = [format!("dead:{parent}"), format!("exiting:{child}"), parent.to_string()];
    assert_eq!(told, expected, "the grandparent is told only after the remote child exited");
    assert_eq!(net.kernel(0).system_status().actor_count, 1, "only the grandparent is left");
    Ok(())
}

#[test]
fn design_3_a_lost_process_ends_the_wait_for_its_children() -> Result<(), String> {
    let mut net = Net::new(2);
    let ExitingParent { parent, child, observer } = exiting_parent::<Echo>(&mut net, false)?;
    // The child's process dies before it could report: it counts as exited, so the parent
    // goes and the grandparent is told; the exit request still on its way is a dead letter.
    net.kill(1);
    net.run()?;
    assert_eq!(texts(net.kernel(0), &observer), [parent.to_string(), format!("dead:{child}")]);
    assert_eq!(net.kernel(0).system_status().actor_count, 1);
    Ok(())
}

#[test]
fn design_3_a_lost_process_counts_its_actors_as_exited() -> Result<(), String> {
    let mut net = Net::new(3);
    let parent = net.create::<Parent>(0, None)?;
    let lost_child = net.create::<Echo>(1, Some(&parent))?;
    // A grandchild on host 2 whose parent ran on the lost host exits too (spec §2.2.4).
    net.create::<Echo>(2, Some(&lost_child))?;
    let observer = net.kernel(0).open_endpoint();
    net.kernel(0).post(parent.clone(), observer.clone(), Box::new(Vec::<u8>::new()));
    net.run()?;
    // Mail on its way to the lost host when it dies comes back as a dead letter, not silence.
    net.kernel(0).post(lost_child.clone(), observer.clone(), Box::new(7_u64));
    net.kernel(0).step();
    net.kill(1);
    net.run()?;
    let told = texts(net.kernel(0), &observer);
    assert_eq!(told, [lost_child.to_string(), format!("dead:{lost_child}")], "the parent was told, the mail came back");
    assert_eq!(net.kernel(0).system_status().actor_count, 1, "the parent lives on");
    assert_eq!(net.kernel(2).system_status().actor_count, 0, "the orphaned grandchild exited");
    Ok(())
}

#[test]
fn spec_7_4_a_process_that_left_keeps_the_children_a_non_recursive_exit_left_behind() -> Result<(), String> {
    // The parent's process left after its actor exited without taking its children along.
    assert!(child_outlives(HostEnd::Left)?, "the child runs on");
    // A process that died takes them along (spec §2.2.4).
    assert!(!child_outlives(HostEnd::Died)?, "the orphan exited");
    Ok(())
}

/// Whether an actor on host 2 runs on once its parent's process, on host 1, ended so.
fn child_outlives(end: HostEnd) -> Result<bool, String> {
    let mut net = Net::new(3);
    let parent = net.create::<Parent>(1, None)?;
    net.create::<Echo>(2, Some(&parent))?;
    net.run()?;
    net.end(1, end);
    net.run()?;
    Ok(net.kernel(2).system_status().actor_count == 1)
}

#[test]
fn spec_7_5_a_childs_exit_is_told_once_when_its_report_and_its_loss_both_arrive() -> Result<(), String> {
    let mut net = Net::new(2);
    let (_parent, child, observer) = observed_family(&mut net)?;
    // The child exits and reports; its report is queued in the parent's process when the
    // news that its process is gone arrives.
    net.kernel(1).post(child.clone(), observer.clone(), Box::new(ActorExitRequest::new()));
    while net.kernel(1).step() {}
    while let Some(env) = net.kernel(1).poll_transmit() {
        net.kernel(0).handle_envelope(env);
    }
    net.kill(1);
    net.run()?;
    assert_eq!(texts(net.kernel(0), &observer), [child.to_string()], "told once");
    Ok(())
}

#[test]
fn spec_4_6_a_name_held_in_a_lost_process_is_free_again() {
    let mut net = Net::new(3);
    let (first, second) = (ActorAddress::on_host(SYSTEM, 1, 1), ActorAddress::on_host(SYSTEM, 2, 1));
    assert_eq!(net.kernel(0).claim_name("registry", &first), first);
    assert_eq!(net.kernel(0).claim_name("registry", &second), first, "held");
    net.kill(1);
    assert_eq!(net.kernel(0).claim_name("registry", &second), second, "free once its holder is gone");
}

#[test]
fn spec_1_2_on_a_single_process_system_an_address_of_another_process_is_invalid() {
    let kernel = Kernel::new(SYSTEM, "test", Capabilities::new(), false);
    let elsewhere = ActorAddress::on_host(SYSTEM, 1, 1);
    assert!(kernel.validate(&elsewhere).is_err());
}

/// Told a number of milliseconds by an observer, it asks for a wakeup after that long and
/// tells the observer `"woke"` when it comes.
#[derive(Default)]
struct Sleeper {
    observer: Option<ActorAddress>,
}

impl Actor for Sleeper {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(ms) = msg.downcast_ref::<u64>() {
            self.observer = Some(sender.clone());
            ctx.wakeup_after(Duration::from_millis(*ms), ());
        } else if let (true, Some(observer)) = (msg.is::<WakeupMessage>(), &self.observer) {
            ctx.send(observer, "woke".to_string());
        }
        Ok(())
    }
}

#[test]
fn spec_4_7_a_wakeup_in_another_process_comes_at_its_virtual_time() -> Result<(), String> {
    let mut net = Net::new(2);
    let sleeper = net.create::<Sleeper>(1, None)?;
    let observer = net.kernel(0).open_endpoint();
    net.kernel(0).post(sleeper, observer.clone(), Box::new(10_u64));
    net.run()?;
    net.advance(Duration::from_millis(9))?;
    assert!(texts(net.kernel(0), &observer).is_empty(), "not before its time");
    net.advance(Duration::from_millis(1))?;
    assert_eq!(texts(net.kernel(0), &observer), ["woke"], "at its time, across processes");
    assert_eq!(net.kernel(1).system_status().pending_wakeups, 0);
    Ok(())
}

#[test]
fn spec_4_7_an_orphan_that_exits_takes_its_pending_wakeups_along() -> Result<(), String> {
    let mut net = Net::new(3);
    let parent = net.create::<Parent>(1, None)?;
    let sleeper = net.create::<Sleeper>(2, Some(&parent))?;
    let observer = net.kernel(0).open_endpoint();
    net.kernel(0).post(sleeper, observer.clone(), Box::new(10_u64));
    net.run()?;
    assert_eq!(net.kernel(2).system_status().pending_wakeups, 1);
    // Its parent's process dies: it exits (spec §2.2.4), and its wakeup with it.
    net.kill(1);
    net.run()?;
    assert_eq!(net.kernel(2).system_status().pending_wakeups, 0);
    net.advance(Duration::from_millis(10))?;
    assert!(texts(net.kernel(0), &observer).is_empty(), "no wakeup after the exit");
    Ok(())
}
