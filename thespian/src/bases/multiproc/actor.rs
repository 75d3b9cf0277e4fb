//! An actor process: the zygote's child that hosts one actor (DESIGN §3). Its kernel runs
//! in the process's main thread; a reader thread files what the admin forwards.

use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use nix::sys::signal::{SigSet, Signal};

use super::conn::{self, Congestion, PeerStream};
use super::link::{Link, LinkPlacement, LinkState};
use super::logs;
use super::proto::{self, Boot, Control, PeerAt};
use super::watch::Watcher;
use super::{base_name, program};
use crate::api::system_messages::ActorExitRequest;
use crate::core::kernel::{Envelope, Kernel, SpawnOrder};
use crate::process::ChildEntry;
use crate::wire::frame::Frame;
use crate::wire::WireError;

/// The zygote entry of an actor process.
pub(crate) const ENTRY: &str = "thespian::actor";

inventory::submit! { ChildEntry::new(ENTRY, run) }

/// Exit code: the boot payload did not decode.
const EXIT_BAD_BOOT: i32 = 2;
/// Exit code: the connection to the admin failed.
const EXIT_LINK: i32 = 3;

/// How long a process waits for the admin to apply its requests to the registries.
const SYNC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a leaving actor process waits for its peers to close their direct connections.
const BYE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn run(socket: UnixStream, payload: Vec<u8>) -> i32 {
    // Before any thread starts, so that every thread inherits it: SIGTERM is taken by the
    // thread `watch_terminate` starts, never by a thread in the middle of a handler.
    let terminate = SigSet::from_iter([Signal::SIGTERM]);
    let blocked = terminate.thread_block().is_ok();
    let boot: Boot = match crate::encoding::from_exact(&payload) {
        Ok(boot) => boot,
        Err(e) => {
            eprintln!("thespian: an actor process got an unreadable boot order: {e}");
            return EXIT_BAD_BOOT;
        }
    };
    logs::install_actor(&boot.order.address, boot.forward.as_deref(), &boot.internals);
    let Ok(output) = socket.try_clone() else { return EXIT_LINK };
    let host = boot.order.address.host();
    let Ok(closer) = socket.try_clone() else { return EXIT_LINK };
    let close = Box::new(move || drop(closer.shutdown(std::net::Shutdown::Both)));
    let Ok(link) = Link::start(socket, PeerStream::Unix(output), close, "thespian-link") else { return EXIT_LINK };
    link.lock().add_hosts(boot.hosts);
    if let Some(spin) = boot.spin {
        link.set_spin(spin);
    }
    if blocked {
        watch_terminate(terminate, &link);
    }
    let placement = Box::new(LinkPlacement(Arc::clone(&link)));
    let kernel = Kernel::new(boot.system, base_name(&boot.base), boot.capabilities, boot.checks_capabilities)
        .member(host, placement);
    let kernel = Arc::new(Mutex::new(kernel));
    let inline = Arc::clone(&kernel);
    link.set_inline(Box::new(move |link| run_inline(&inline, link)));
    // Direct connections from the other processes, unless all mail goes through the admin.
    let listening = boot.listen.and_then(|ip| {
        link.lock().peers.enable(boot.system, host);
        super::peers::listen(&link, ip, &boot.base)
            .map_err(|e| tracing::warn!(error = %e, "no direct connections: all mail goes through the admin"))
            .ok()
    });
    match serve(&kernel, &link, boot.order, listening) {
        Ok(()) => 0,
        Err(reason) => {
            tracing::debug!(%reason, "actor process ends");
            EXIT_LINK
        }
    }
}

/// A SIGTERM is a graceful exit (spec §4.3): the actor is sent an `ActorExitRequest` and
/// exits as it would for any, its children first. A second SIGTERM is the same request
/// again; SIGCONT keeps its default, harmless, action.
fn watch_terminate(terminate: SigSet, link: &Arc<Link>) {
    let link = Arc::clone(link);
    let _ = std::thread::Builder::new().name("thespian-sigterm".to_string()).spawn(move || {
        while terminate.wait().is_ok() {
            link.lock().terminated = true;
            link.wake();
        }
    });
}

/// Builds the actor, reports to the admin, and delivers until the actor is gone and the
/// admin has acknowledged that, or the admin is gone.
fn serve(shared: &Mutex<Kernel>, link: &Arc<Link>, order: SpawnOrder, listening: Option<PeerAt>) -> Result<(), String> {
    let mut kernel = lock(shared);
    let me = order.address.clone();
    let outcome = kernel.start_spawned(order).map(|_| ()).map_err(|e| match e {
        crate::core::kernel::CreateError::Invalid(e) => e.to_string(),
        crate::core::kernel::CreateError::NonStartable { reason, .. } => reason,
    });
    let started = outcome.is_ok();
    if started {
        transmit(&mut kernel, link)?;
    }
    link.lock().control(&Control::Started { outcome, listening }).map_err(|e| e.to_string())?;
    let mut leaving = false;
    if !started {
        // The failure reaches the admin before `ChildActorExited` reaches the parent, so
        // that mail sent once the parent knows is a dead letter there (spec §4.3).
        transmit(&mut kernel, link)?;
        leaving = true;
        let mut state = link.lock();
        state.peers.leave();
        state.control(&Control::Leaving).map_err(|e| e.to_string())?;
        drop(state);
    }
    // Set once the actor is gone and its peers were told goodbye: until each has closed its
    // connection (or this deadline), what they still send is handled here.
    let mut closing: Option<Instant> = None;
    // Started at the actor's first watch (spec §4.8): most actors never watch.
    let mut watcher: Option<Watcher> = None;
    let mut watch_failed = false;
    loop {
        let deadline = match (kernel.next_timer_deadline(), closing.filter(|_| !leaving)) {
            (Some(timer), Some(bye)) => Some(timer.min(bye)),
            (timer, bye) => timer.or(bye),
        };
        // The reader threads run mail themselves while the kernel is free: see `run_inline`.
        drop(kernel);
        let mut state = link.lock();
        state.ack_admin();
        let ready = |s: &mut LinkState| {
            let closed = closing.is_some() && !leaving && s.peers.reading() == 0;
            let attention = std::mem::take(&mut s.attention);
            (attention || !s.inbound.is_empty() || s.terminated || !s.watch.is_empty() || closed).then_some(())
        };
        let (state, arrived) = link.wait_for(state, deadline, ready);
        drop(state);
        arrived.map_err(|e| e.to_string())?;
        // Taken only with the kernel held, so that what arrived runs in the order it was filed.
        kernel = lock(shared);
        let (frames, terminated, readiness) = {
            let mut state = link.lock();
            drop(state.flush_all());
            (
                std::mem::take(&mut state.inbound),
                std::mem::take(&mut state.terminated),
                std::mem::take(&mut state.watch),
            )
        };
        if terminated && !leaving {
            let admin = kernel.admin_address();
            kernel.post(me.clone(), admin, Box::new(ActorExitRequest::new()));
        }
        if !readiness.is_empty() {
            if let Some(watcher) = &mut watcher {
                watcher.reported();
            }
            kernel.handle_ready(&readiness.ready, &readiness.invalid);
        }
        let mut left = false;
        for frame in frames {
            match frame {
                Frame::Envelope { envelope, .. } => deliver(&mut kernel, envelope),
                Frame::Control { body } => match Control::decode(&body) {
                    Ok(Control::HostLost(host, end)) => kernel.handle_host_lost(host, end),
                    Ok(Control::Capabilities(caps)) => {
                        kernel.set_capabilities(caps);
                        kernel.revalidate_actors();
                    }
                    Ok(Control::Left) => left = true,
                    Ok(Control::Census(census)) => {
                        // Mail filed before the question is counted: it is queued, not delivered.
                        let status = kernel.system_status();
                        let counts = Control::Counts {
                            census,
                            messages: status.pending_messages,
                            wakeups: status.pending_wakeups,
                        };
                        link.lock().control(&counts).map_err(|e| e.to_string())?;
                    }
                    Ok(other) => tracing::debug!(?other, "unexpected control message ignored"),
                    Err(e) => tracing::warn!(error = %e, "unreadable control message ignored"),
                },
                Frame::Ack { .. } | Frame::Bye => {}
            }
        }
        fire_due_timers(&mut kernel);
        for congested in transmit(&mut kernel, link)? {
            // A peer that reads slower than this process sends: wait for it to catch up
            // before more handlers run. The reader threads file what arrives meanwhile.
            congested.wait(conn::CONGESTED / 2, None);
        }
        watch(&kernel, link, &mut watcher, &mut watch_failed);
        if left {
            return Ok(());
        }
        if !leaving && !kernel.has_actors() {
            let mut state = link.lock();
            let bye = *closing.get_or_insert_with(|| {
                state.peers.say_bye();
                Instant::now() + BYE_TIMEOUT
            });
            if state.peers.reading() == 0 || Instant::now() >= bye {
                leaving = true;
                state.peers.leave();
                state.control(&Control::Leaving).map_err(|e| e.to_string())?;
            }
        }
    }
}

/// Runs, on a peer's reader thread, the mail it just filed, when the kernel is free and only
/// mail waits: the answer leaves without waking the main thread, one thread hand-off fewer
/// per message (bench/README.md). Returns false when the main thread has something to do:
/// frames other than mail, a signal, a timer or a watch the handlers changed, the actor gone,
/// a peer to wait for.
fn run_inline(shared: &Mutex<Kernel>, link: &Link) -> bool {
    let Ok(mut kernel) = shared.try_lock() else { return false };
    let (timer, watched) = (kernel.next_timer_deadline(), kernel.watched_fds());
    loop {
        let frames = {
            let mut state = link.lock();
            if state.inbound.is_empty() {
                break;
            }
            let mail_only = state.inbound.iter().all(|f| matches!(f, Frame::Envelope { .. }));
            if !mail_only || state.terminated || !state.watch.is_empty() {
                return false;
            }
            std::mem::take(&mut state.inbound)
        };
        for frame in frames {
            if let Frame::Envelope { envelope, .. } = frame {
                deliver(&mut kernel, envelope);
            }
        }
        fire_due_timers(&mut kernel);
        match transmit(&mut kernel, link) {
            Ok(congestion) if congestion.is_empty() => {}
            _ => return false,
        }
    }
    let quiet = kernel.has_actors() && kernel.next_timer_deadline() == timer && kernel.watched_fds() == watched;
    let mut state = link.lock();
    // Mail the admin forwarded may have run here too; it is acknowledged as the main thread
    // would before it waits.
    state.ack_admin();
    if !quiet {
        state.attention = true;
    }
    quiet
}

/// The kernel, also when a thread panicked while it held it (the kernel contains panics of
/// handlers; its state stays whole).
fn lock(shared: &Mutex<Kernel>) -> std::sync::MutexGuard<'_, Kernel> {
    shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Hands an arrived message to the kernel.
fn deliver(kernel: &mut Kernel, envelope: crate::wire::WireEnvelope) {
    match proto::open_envelope(envelope) {
        Ok(env) => kernel.handle_envelope(env),
        Err(e) => tracing::warn!(error = %e, "an undecodable message was dropped"),
    }
}

/// Spec §4.7: the wakeups that are due.
fn fire_due_timers(kernel: &mut Kernel) {
    if kernel.has_timers() {
        let mark = kernel.timer_mark();
        kernel.fire_due_timers(Instant::now(), mark);
    }
}

/// Polls the descriptors the actor now watches (spec §4.8), starting the watch thread at the
/// first watch. Without the thread (it could not start), watches are ignored, logged once.
fn watch(kernel: &Kernel, link: &Arc<Link>, watcher: &mut Option<Watcher>, failed: &mut bool) {
    let fds = kernel.watched_fds();
    if watcher.is_none() && !fds.is_empty() && !*failed {
        match Watcher::start(link) {
            Ok(started) => *watcher = Some(started),
            Err(e) => {
                *failed = true;
                tracing::warn!(error = %e, "cannot start the thread that polls watched file descriptors; watches are ignored");
            }
        }
    }
    if let Some(watcher) = watcher {
        watcher.arm(fds);
    }
}

/// Delivers and sends until the kernel is quiet; a message that cannot travel goes back to
/// its sender as poison (spec §4.4). Returns the connections too much waits on.
fn transmit(kernel: &mut Kernel, link: &Link) -> Result<Vec<Congestion>, String> {
    loop {
        while kernel.step() {}
        let (bounced, congestion) = pump(kernel, link)?;
        if bounced.is_empty() {
            return Ok(congestion);
        }
        for (env, error) in bounced {
            kernel.bounce(env, error.to_string());
        }
    }
}

/// Hands what the kernel asks for to the admin: new actor processes first (so that the
/// mail for them finds them announced), then mail, then requests for the registries.
/// Returns the envelopes whose message could not be encoded, with the reason, and the
/// connections more than [`CONGESTED`](conn::CONGESTED) bytes wait on (see
/// [`Congestion::wait`]).
pub(crate) fn pump(kernel: &mut Kernel, link: &Link) -> Result<Pumped, String> {
    let mut state = link.lock();
    // What the actor logged goes first: the admin writes it before it routes what follows.
    logs::drain(&mut state.writer);
    while let Some(order) = kernel.poll_spawn() {
        let spawn = Control::Spawn { order, program: program().to_path_buf() };
        state.writer.control(&spawn).map_err(|e| e.to_string())?;
    }
    // Requests to the registries (a dead-letter handler, a capability, a shutdown) take
    // effect first, as they do in a handler on the simple base: the admin has applied them
    // before anything sent after them can reach another process, directly or not.
    let mut requested = false;
    while let Some(request) = kernel.poll_admin() {
        state.writer.control(&Control::Admin(request)).map_err(|e| e.to_string())?;
        requested = true;
    }
    if requested {
        let sync = state.next_sync;
        state.next_sync += 1;
        state.writer.control(&Control::Sync(sync)).and_then(|()| state.writer.flush()).map_err(|e| e.to_string())?;
        let deadline = Some(Instant::now() + SYNC_TIMEOUT);
        let (guard, synced) = link.wait_for(state, deadline, |s| (s.synced > sync).then_some(()));
        state = guard;
        if synced.map_err(|e| e.to_string())?.is_none() {
            return Err(format!("the admin did not apply a request within {SYNC_TIMEOUT:?}"));
        }
    }
    let mut bounced = Vec::new();
    while let Some(env) = kernel.poll_transmit() {
        match proto::envelope_frame(&env, kernel.base_name()) {
            Ok(frame) => {
                // Sent as bytes: the message itself is dropped here, a panicking `Drop`
                // contained as it is where messages are delivered (spec §2.2.5).
                crate::core::cell::discard(env.message, "a sent message", &env.sender);
                state.send_to(env.target.host(), frame).map_err(|e| e.to_string())?;
            }
            Err(e) => bounced.push((env, e)),
        }
    }
    state.flush_all().map_err(|e| e.to_string())?;
    Ok((bounced, state.congestion()))
}

/// What [`pump`] returns.
pub(crate) type Pumped = (Vec<(Envelope, WireError)>, Vec<Congestion>);
