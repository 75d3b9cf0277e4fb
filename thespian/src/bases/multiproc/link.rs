//! A member's connection to the admin, shared by the threads of its process: a reader
//! thread files what arrives, answers to the member's own requests apart from the mail, and
//! the [`Placement`] a member kernel asks for host numbers and names waits on it.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Instant;

use super::conn::{Congestion, PeerStream, Writer};
use super::peers::{Peers, Received, Took, ACK_EVERY};
use super::proto::{Control, HostBlock, Reader, HOST_BLOCK};
use super::watch::Readiness;
use crate::api::address::ActorAddress;
use crate::api::capabilities::Capabilities;
use crate::api::error::ActorSystemError;
use crate::core::kernel::Placement;
use crate::wire::frame::{Frame, FrameError};

/// What a member's reader thread filed, and the writer every thread of the member shares.
pub(crate) struct LinkState {
    /// Envelopes and control messages for the member's kernel, oldest first.
    pub(crate) inbound: VecDeque<Frame>,
    pub(crate) writer: Writer,
    /// Host numbers issued to this process and not used yet.
    hosts: VecDeque<u32>,
    /// A [`Control::MoreHosts`] is on its way.
    more_asked: bool,
    /// Answers to [`Control::ClaimName`], by name.
    names: HashMap<String, ActorAddress>,
    /// Answers to [`Control::Spawn`] for top-level actors, by address.
    pub(crate) spawned: HashMap<ActorAddress, Result<(), String>>,
    /// Why the connection ended, once it has.
    pub(crate) closed: Option<String>,
    /// The admin's welcome of a program: its host number, the capabilities, and whether
    /// processes connect directly.
    pub(crate) welcome: Option<(u32, Capabilities, bool)>,
    /// Bumped each time a thread moved what arrived into its kernel, so that threads
    /// waiting for replies look again.
    pub(crate) drained: u64,
    /// A reader thread ran mail and left the main thread something to do: a timer or a watch
    /// to set, or the actor gone (see `actor::run_inline`).
    pub(crate) attention: bool,
    /// SIGTERM arrived and the actor has not been asked to exit for it yet (spec §4.3).
    pub(crate) terminated: bool,
    /// The direct connections to other processes of the system.
    pub(crate) peers: Peers,
    /// The number of the last envelope the admin sent (numbered to actor processes only),
    /// and the highest this process acknowledged: see [`LinkState::flush_all`].
    from_admin: Received,
    /// The number of the next [`Control::Sync`] this process sends.
    pub(crate) next_sync: u64,
    /// One past the highest [`Control::Synced`] the admin answered.
    pub(crate) synced: u64,
    /// What the watch thread found ready among the actor's watched descriptors (spec §4.8).
    pub(crate) watch: Readiness,
    /// Closes the connection both ways.
    closer: Box<dyn Fn() + Send>,
}

/// How long a process waits, as it closes a connection, for what it sent to be written.
const FINISH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A member's connection to the admin.
pub(crate) struct Link {
    state: Mutex<LinkState>,
    /// Signalled whenever something arrives or the connection ends.
    pub(crate) arrived: Condvar,
    /// Bumped with each signal of `arrived`: a thread about to wait for a reply watches it
    /// for a moment first ([`Link::spin_until_woken`]).
    woken: AtomicU64,
    /// A thread watches `woken`.
    spinning: AtomicBool,
    /// How long it watches, in nanoseconds ([`SPIN`] unless set).
    spin: AtomicU64,
    /// In an actor process: runs the mail a peer's reader thread just filed, on that
    /// thread, when the kernel is free; true if nothing is left for the main thread.
    inline: OnceLock<Inline>,
}

/// What runs the mail a reader thread filed: see [`Link::delivered`].
pub(crate) type Inline = Box<dyn Fn(&Link) -> bool + Send + Sync>;

/// How long a thread that waits for a reply watches for it before it sleeps: about one
/// local round trip. Waking a sleeping thread costs more than that on a virtual machine
/// (bench/README.md), and replies mostly come within it.
const SPIN: std::time::Duration = std::time::Duration::from_micros(50);

impl Link {
    /// Starts the reader thread on `input`; `output` is the writing side.
    pub(crate) fn start(
        input: impl Read + Send + 'static,
        output: PeerStream,
        closer: Box<dyn Fn() + Send>,
        name: &str,
    ) -> Result<Arc<Self>, ActorSystemError> {
        let link = Arc::new(Self {
            state: Mutex::new(LinkState {
                inbound: VecDeque::new(),
                writer: Writer::new(output),
                hosts: VecDeque::new(),
                more_asked: false,
                names: HashMap::new(),
                spawned: HashMap::new(),
                closed: None,
                welcome: None,
                drained: 0,
                attention: false,
                terminated: false,
                peers: Peers::default(),
                from_admin: Received::default(),
                next_sync: 0,
                synced: 0,
                watch: Readiness::default(),
                closer,
            }),
            arrived: Condvar::new(),
            woken: AtomicU64::new(0),
            spinning: AtomicBool::new(false),
            spin: AtomicU64::new(SPIN.as_nanos() as u64),
            inline: OnceLock::new(),
        });
        let reader = Arc::clone(&link);
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || Self::read_all(&reader, Reader::new(input)))
            .map_err(|e| ActorSystemError::failure(format!("cannot start the connection's reader thread: {e}")))?;
        Ok(link)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, LinkState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_all<R: Read>(self: &Arc<Self>, mut reader: Reader<R>) {
        let reason = loop {
            match reader.next() {
                Ok(Some(frame)) => self.file(frame),
                Ok(None) => break "the admin closed the connection".to_string(),
                Err(e) => break format!("the connection to the admin failed: {e}"),
            }
        };
        self.lock().closed = Some(reason);
        self.wake();
    }

    fn file(self: &Arc<Self>, frame: Frame) {
        let mut state = self.lock();
        match &frame {
            Frame::Control { body } => match Control::decode(body) {
                Ok(Control::Located { host, at: Some(at) }) => {
                    drop(state);
                    super::peers::connect(self, host, at);
                    return;
                }
                Ok(Control::Located { at: None, .. }) => {}
                Ok(Control::Synced(sync)) => state.synced = state.synced.max(sync.saturating_add(1)),
                Ok(Control::Marker { from, .. }) => {
                    let state = &mut *state;
                    state.peers.marked(from, &mut state.inbound);
                }
                Ok(Control::HostLost(host, _)) => {
                    let state = &mut *state;
                    state.peers.lost(host, &mut state.writer);
                    let _ = state.writer.flush();
                    state.inbound.push_back(frame);
                }
                Ok(Control::Hosts(block)) => {
                    state.add_hosts(block);
                    state.more_asked = false;
                }
                Ok(Control::NameHeld { name, holder }) => {
                    state.names.insert(name, holder);
                }
                Ok(Control::Spawned { address, outcome }) => {
                    state.spawned.insert(address, outcome);
                }
                Ok(Control::Welcome { host, capabilities, hosts, direct }) => {
                    state.add_hosts(hosts);
                    state.welcome = Some((host, capabilities, direct));
                }
                Ok(_) => state.inbound.push_back(frame),
                Err(e) => tracing::warn!(error = %e, "unreadable control message from the admin ignored"),
            },
            Frame::Envelope { seq, .. } => {
                if *seq != 0 && !state.from_admin.arrived(*seq) {
                    tracing::warn!(seq, "the admin sent a frame out of sequence");
                }
                state.inbound.push_back(frame);
            }
            _ => state.inbound.push_back(frame),
        }
        drop(state);
        self.wake();
    }

    /// Wakes the threads waiting on the link: something arrived, or changed.
    pub(crate) fn wake(&self) {
        self.woken.fetch_add(1, Ordering::Release);
        self.arrived.notify_all();
    }

    /// Sets what runs the mail a peer's reader thread filed (an actor process's kernel).
    pub(crate) fn set_inline(&self, inline: Inline) {
        let _ = self.inline.set(inline);
    }

    /// A peer's reader thread filed mail: it runs it now if it can (see [`Inline`]), else
    /// wakes the thread that will.
    pub(crate) fn delivered(&self) {
        if !self.inline.get().is_some_and(|inline| inline(self)) {
            self.wake();
        }
    }

    /// How long [`Link::spin_until_woken`] watches; zero: not at all.
    pub(crate) fn set_spin(&self, spin: std::time::Duration) {
        self.spin.store(u64::try_from(spin.as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// How many wake-ups there were: see [`Link::spin_until_woken`].
    pub(crate) fn woken(&self) -> u64 {
        self.woken.load(Ordering::Acquire)
    }

    /// Watches for a wake-up after the `seen`th for a moment ([`SPIN`]) before the caller
    /// sleeps on the link: a reply that comes meanwhile is taken without the sleeping
    /// thread's wake-up. The caller also reads the program's connections itself meanwhile
    /// (the UDP socket: [`udp::Endpoint::receive_now`](super::udp::Endpoint::receive_now);
    /// direct TCP and Unix connections: [`Inbound::take_now`](super::peers::Inbound::take_now)),
    /// so that the reply is not held up by the wake-up of the thread that reads them either.
    /// Returns whether something woke it.
    pub(crate) fn spin_until_woken(&self, seen: u64, deadline: Option<Instant>) -> bool {
        let (udp, inbounds) = {
            let state = self.lock();
            (state.peers.udp.clone(), state.peers.inbounds.clone())
        };
        self.spin(deadline, || {
            (0..64).any(|_| {
                std::hint::spin_loop();
                self.woken.load(Ordering::Acquire) != seen
            }) || udp
                .as_ref()
                .is_some_and(|endpoint| endpoint.receive_now() && self.woken.load(Ordering::Acquire) != seen)
                || inbounds.iter().any(|inbound| {
                    let took = matches!(inbound.take_now(self, true), Some(Took::Filed | Took::Ended(_)));
                    if took {
                        self.wake();
                    }
                    took
                })
        })
    }

    /// In an actor process, once a reader thread (or the UDP socket's receiving thread, see
    /// `udp::Endpoint::watch_with`) ran the mail it read: watches for the next
    /// message for a moment ([`SPIN`]), reading without waiting (`read_now`, true once
    /// something came), and leaving the CPU to any other thread that wants it between
    /// tries, before the thread sleeps in its next read. A message that comes within that
    /// time (the next request of a program that asks in a loop) is read without waking a
    /// sleeping thread. In a program the thread waiting for an answer watches instead
    /// ([`Link::spin_until_woken`]).
    pub(crate) fn await_input(&self, mut read_now: impl FnMut() -> bool) {
        if self.inline.get().is_some() {
            self.spin(None, || {
                read_now() || {
                    std::thread::yield_now();
                    false
                }
            });
        }
    }

    /// Runs `step` until it returns true, for at most [`SPIN`] (or as set) and never past
    /// `deadline` if any, on a machine with more than one CPU, and in one thread of the
    /// process at a time: many spinning would take the CPUs the message needs. Returns
    /// whether `step` returned true.
    fn spin(&self, deadline: Option<Instant>, mut step: impl FnMut() -> bool) -> bool {
        static CPUS: OnceLock<usize> = OnceLock::new();
        let spin = self.spin.load(Ordering::Relaxed);
        if spin == 0 || *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from)) < 2 {
            return false;
        }
        if self.spinning.swap(true, Ordering::Acquire) {
            return false;
        }
        let until = Instant::now() + std::time::Duration::from_nanos(spin);
        let until = deadline.map_or(until, |deadline| deadline.min(until));
        let done = loop {
            if step() {
                break true;
            }
            if Instant::now() >= until {
                break false;
            }
        };
        self.spinning.store(false, Ordering::Release);
        done
    }

    /// Waits until every direct connection has been read to its end, or `deadline`; the
    /// connection to the admin may have ended meanwhile.
    pub(crate) fn await_peers_read(&self, deadline: Instant) {
        let mut state = self.lock();
        while state.peers.reading() > 0 {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            state = self.arrived.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Waits on `state` until `ready` gives a value, the connection ends, or `deadline`.
    pub(crate) fn wait_for<'a, T>(
        &'a self,
        mut state: MutexGuard<'a, LinkState>,
        deadline: Option<Instant>,
        mut ready: impl FnMut(&mut LinkState) -> Option<T>,
    ) -> (MutexGuard<'a, LinkState>, Result<Option<T>, ActorSystemError>) {
        loop {
            if let Some(value) = ready(&mut state) {
                return (state, Ok(Some(value)));
            }
            if let Some(reason) = &state.closed {
                let reason = reason.clone();
                return (state, Err(ActorSystemError::failure(reason)));
            }
            state = match deadline {
                None => self.arrived.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return (state, Ok(None));
                    }
                    self.arrived.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0
                }
            };
        }
    }

    /// Says goodbye and closes the connection: the admin forgets this process.
    pub(crate) fn detach(&self) {
        let _ = self.lock().writer.send(&Frame::Bye);
        self.close();
    }

    /// Closes the connection (and, on the UDP base, the process's UDP socket), once what was
    /// sent on it is written, or [`FINISH_TIMEOUT`] passed.
    pub(crate) fn close(&self) {
        let written = self.lock().writer.finishing();
        written.wait(0, Some(Instant::now() + FINISH_TIMEOUT));
        (self.lock().closer)();
    }
}

impl LinkState {
    /// Host numbers the admin issued to this process.
    pub(crate) fn add_hosts(&mut self, block: HostBlock) {
        self.hosts.extend(block.first..block.first.saturating_add(block.count));
    }

    /// Sends `frame` to `host`, directly when connected, else through the admin.
    pub(crate) fn send_to(&mut self, host: u32, frame: Frame) -> Result<(), FrameError> {
        self.peers.send(&mut self.writer, host, frame)
    }

    /// Writes out what is buffered, for the admin and for every peer, with the
    /// acknowledgement owed to the admin for the mail it forwarded: the admin makes what the
    /// process did not acknowledge dead letters if the process dies.
    pub(crate) fn flush_all(&mut self) -> Result<(), FrameError> {
        self.peers.flush(&mut self.writer);
        // With other frames to the admin, or once many wait for it: one write either way.
        if self.from_admin.owes(if self.writer.has_unflushed() { 1 } else { ACK_EVERY }) {
            if let Some(ack) = self.from_admin.take_ack() {
                self.writer.send(&ack)?;
            }
        }
        self.writer.flush()
    }

    /// The connections more than [`CONGESTED`](super::conn::CONGESTED) bytes wait on: the thread that runs the
    /// kernel waits for them, without this lock, before it runs more handlers.
    pub(crate) fn congestion(&self) -> Vec<Congestion> {
        self.writer.congested().into_iter().chain(self.peers.congestion()).collect()
    }

    /// Acknowledges the admin's mail now, if any is owed: an actor process does so before it
    /// waits for more, so that what it handled is not made a dead letter should it die.
    pub(crate) fn ack_admin(&mut self) {
        if let Some(ack) = self.from_admin.take_ack() {
            let _ = self.writer.send(&ack).and_then(|()| self.writer.flush());
        }
    }

    /// Sends and flushes a control message.
    pub(crate) fn control(&mut self, control: &Control) -> Result<(), ActorSystemError> {
        self.writer.control(control).and_then(|()| self.writer.flush()).map_err(link_failed)
    }
}

/// A write to the admin failed, or (a frame too large for the connection) was refused.
pub(crate) fn link_failed(e: FrameError) -> ActorSystemError {
    match e {
        FrameError::Wire(refused) => ActorSystemError::Wire(refused),
        FrameError::Io(e) => ActorSystemError::failure(format!("the connection to the admin failed: {e}")),
    }
}

/// A member kernel's [`Placement`]: host numbers and names from the admin, over the link.
pub(crate) struct LinkPlacement(pub(crate) Arc<Link>);

impl Placement for LinkPlacement {
    fn next_host(&mut self) -> Result<u32, ActorSystemError> {
        let mut state = self.0.lock();
        // Asked for early, so that a burst of creations rarely waits.
        if state.hosts.len() < (HOST_BLOCK / 2) as usize && !state.more_asked {
            state.more_asked = true;
            state.control(&Control::MoreHosts)?;
        }
        let (_state, host) = self.0.wait_for(state, None, |s| s.hosts.pop_front());
        host?.ok_or_else(|| ActorSystemError::failure("no host number"))
    }

    fn claim_name(&mut self, name: &str, candidate: &ActorAddress) -> Result<ActorAddress, ActorSystemError> {
        let mut state = self.0.lock();
        state.control(&Control::ClaimName { name: name.to_string(), candidate: candidate.clone() })?;
        let (_state, holder) = self.0.wait_for(state, None, |s| s.names.remove(name));
        holder?.ok_or_else(|| ActorSystemError::failure("no answer for the name"))
    }
}
