//! `simpleSystemBase` (spec §9.2): every actor runs synchronously in the calling thread.
//!
//! Each `tell`, `ask`, `listen` and `create_actor` delivers messages until the system
//! reaches equilibrium (no message queued, no wakeup due) before returning. Wakeups fire
//! only during such calls; wakeups already due when a call begins are delivered before the
//! call's own message. A call fires only the wakeups scheduled before it began: one
//! an actor schedules during the call waits for the next call, even with no delay, so an
//! actor that keeps waking itself up cannot keep a call from returning. Wakeups count
//! against the processing limit like any other delivery; a call that reaches the limit
//! drops what is still queued and names the actors that filled it. Capability checks are not made on
//! this base unless the builder asks for them.
//!
//! The system's state is behind one mutex, held for a whole call. The thread holding it is
//! recorded, so that a call made from code the system is running in that thread (an
//! actor's handler calling the `ActorSystem` API) fails instead of waiting for itself
//! forever. User code never unwinds through the kernel (see `core::cell`); should a panic
//! escape anyway, the mutex is recovered when the kernel was between operations, and
//! `shutdown` always recovers it, so that dropping the system still stops its actors.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, LockResult, Mutex, PoisonError};
use std::time::Instant;

use crate::api::actor::ActorSpec;
use crate::api::address::ActorAddress;
use crate::api::capabilities::{CapValue, Capabilities};
use crate::api::context::ActorHost;
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::bases::SystemBase;
use crate::core::kernel::{CreateError, Kernel, Received};
use crate::core::timers::TimerMark;

/// The spec name of this base.
pub(crate) const NAME: &str = "simpleSystemBase";

/// Deliveries allowed in one call before it is taken for a runaway loop.
pub(crate) const DEFAULT_PROCESSING_LIMIT: u64 = 10_000_000;

pub(crate) struct SimpleBase {
    state: Mutex<State>,
    /// Signalled after every run, so threads waiting in `receive` look at their inbox.
    ran: Condvar,
    admin: ActorAddress,
    /// The [`thread_token`] of the thread holding `state`, or 0.
    holder: AtomicU64,
}

struct State {
    kernel: Kernel,
    processing_limit: u64,
    shut_down: bool,
    /// Threads blocked in `receive`; notifying is skipped (a futex syscall) when none is.
    waiters: usize,
    /// Set while the kernel is in the middle of an operation. A panic that escapes leaves it
    /// set: the kernel is then not trusted again, except to shut down.
    busy: bool,
}

impl State {
    fn open(&mut self) -> Result<&mut Self, ActorSystemError> {
        if self.shut_down {
            Err(ActorSystemError::SystemShutDown)
        } else {
            Ok(self)
        }
    }

    /// Runs `op` on the kernel, marking the state busy while it does.
    fn guarded<T>(&mut self, op: impl FnOnce(&mut Self) -> T) -> T {
        self.busy = true;
        let value = op(self);
        self.busy = false;
        value
    }

    /// Delivers messages and due wakeups until none is left (spec §9.2).
    ///
    /// Only the wakeups scheduled before `scheduled_before` (the start of the call) are
    /// fired, those due when it first looks (the clock is read at most once), so that an
    /// actor that keeps waking itself up cannot keep a call from returning. `delivered` counts the deliveries of the
    /// whole call, wakeups included: once it reaches the processing limit with more to
    /// deliver, the run stops with [`ActorSystemError::ProcessingLimitExceeded`], naming
    /// the actors and message types that filled the queue, and the undelivered messages are
    /// dropped (counted in the error), so that later calls start from a quiet system.
    #[inline]
    fn run(&mut self, delivered: &mut u64, scheduled_before: TimerMark) -> Result<(), ActorSystemError> {
        let mut now = None;
        loop {
            loop {
                if *delivered >= self.processing_limit && self.kernel.queue_len() > 0 {
                    return Err(self.limit_exceeded());
                }
                if !self.kernel.step() {
                    break;
                }
                *delivered += 1;
                if self.kernel.take_shutdown_request() {
                    self.kernel.shutdown();
                    self.shut_down = true;
                    return Ok(());
                }
            }
            if !self.kernel.has_timers() {
                return Ok(());
            }
            let now = *now.get_or_insert_with(Instant::now);
            if self.kernel.fire_due_timers(now, scheduled_before) == 0 {
                return Ok(());
            }
        }
    }

    /// Runs a call's own operation between two runs: wakeups already due are delivered
    /// before the operation's message (spec §9.2), and the operation's effects after it.
    fn call<T>(&mut self, op: impl FnOnce(&mut Self) -> Result<T, ActorSystemError>) -> Result<T, ActorSystemError> {
        let mut delivered = 0;
        let scheduled_before = self.kernel.timer_mark();
        // Between calls the system is quiet: only wakeups can be due (or mail left by a call
        // that failed). Checking is two loads; the run itself is skipped when there is none.
        if self.kernel.queue_len() > 0 || self.kernel.has_timers() {
            self.run(&mut delivered, scheduled_before)?;
            if self.shut_down {
                return Err(ActorSystemError::SystemShutDown);
            }
        }
        let value = op(self)?;
        self.run(&mut delivered, scheduled_before).map(|()| value)
    }

    #[cold]
    #[inline(never)]
    fn limit_exceeded(&mut self) -> ActorSystemError {
        let (pending, runaways) = self.kernel.drop_queue();
        ActorSystemError::ProcessingLimitExceeded { limit: self.processing_limit, pending, runaways }
    }
}

/// A number naming the current thread, unique in the process (never 0).
fn thread_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static TOKEN: Cell<u64> = const { Cell::new(0) };
    }
    let fresh = || NEXT.fetch_add(1, Ordering::Relaxed);
    TOKEN
        .try_with(|token| {
            if token.get() == 0 {
                token.set(fresh());
            }
            token.get()
        })
        .unwrap_or_else(|_| fresh())
}

/// The error of a call made from inside the system's own thread of work.
#[cold]
#[inline(never)]
fn reentrant_call() -> ActorSystemError {
    ActorSystemError::CalledFromInsideAnActor
}

/// Records the current thread as the holder of the state while it is alive, and clears the
/// record when dropped (declared after the guard, so that this happens before unlocking).
struct Holding<'a>(&'a AtomicU64);

impl<'a> Holding<'a> {
    fn new(holder: &'a AtomicU64, me: u64) -> Self {
        holder.store(me, Ordering::Relaxed);
        Self(holder)
    }
}

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// Whether a poisoned lock is taken back.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recover {
    /// Only if the kernel was between operations when the panic struck.
    IfConsistent,
    /// Always (shutting down, which needs no consistency).
    Always,
}

impl SimpleBase {
    pub(crate) fn new(
        system: u64,
        capabilities: Capabilities,
        processing_limit: Option<u64>,
        check_capabilities: bool,
    ) -> Self {
        // Spec §9.2: this base makes no capability checks unless asked to.
        let kernel = Kernel::new(system, NAME, capabilities, check_capabilities);
        let admin = kernel.admin_address();
        Self {
            state: Mutex::new(State {
                kernel,
                processing_limit: processing_limit.unwrap_or(DEFAULT_PROCESSING_LIMIT),
                shut_down: false,
                waiters: 0,
                busy: false,
            }),
            ran: Condvar::new(),
            admin,
            holder: AtomicU64::new(0),
        }
    }

    /// This thread's token, unless this thread holds the state already: it is then calling
    /// from inside code the system runs, and waiting for the lock would never end.
    #[inline]
    fn not_holding(&self) -> Result<u64, ActorSystemError> {
        let me = thread_token();
        if self.holder.load(Ordering::Relaxed) == me {
            Err(reentrant_call())
        } else {
            Ok(me)
        }
    }

    /// Runs `op` on the locked state, with this thread recorded as its holder.
    #[inline]
    fn with_lock<T>(
        &self,
        recover: Recover,
        op: impl FnOnce(&mut State) -> Result<T, ActorSystemError>,
    ) -> Result<T, ActorSystemError> {
        let me = self.not_holding()?;
        let mut state = self.recover(self.state.lock(), recover)?;
        let _holding = Holding::new(&self.holder, me);
        op(&mut state)
    }

    /// Takes back a lock poisoned by a panic, when the kernel state can still be trusted.
    #[inline]
    fn recover<T>(&self, locked: LockResult<T>, recover: Recover) -> Result<T, ActorSystemError>
    where
        T: std::ops::Deref<Target = State>,
    {
        locked.or_else(|poisoned| self.recover_poisoned(poisoned, recover))
    }

    #[cold]
    #[inline(never)]
    fn recover_poisoned<T>(&self, poisoned: PoisonError<T>, recover: Recover) -> Result<T, ActorSystemError>
    where
        T: std::ops::Deref<Target = State>,
    {
        let guard = poisoned.into_inner();
        if guard.busy && recover == Recover::IfConsistent {
            return Err(ActorSystemError::failure(
                "a panic inside the actor system left its state inconsistent; only `shutdown` still works",
            ));
        }
        self.state.clear_poison();
        tracing::warn!("recovered the actor system's state after a panic in another call");
        Ok(guard)
    }

    /// Runs `op` on the open system, then runs it to equilibrium and wakes waiting threads.
    fn with_run<T>(&self, op: impl FnOnce(&mut State) -> Result<T, ActorSystemError>) -> Result<T, ActorSystemError> {
        let (outcome, wake) = self.with_lock(Recover::IfConsistent, |state| {
            let outcome = state.open()?.guarded(|state| state.call(op));
            Ok((outcome, state.waiters > 0))
        })?;
        if wake {
            self.ran.notify_all();
        }
        outcome
    }
}

impl SystemBase for SimpleBase {
    fn base_name(&self) -> &'static str {
        NAME
    }

    fn admin_address(&self) -> ActorAddress {
        self.admin.clone()
    }

    fn open_endpoint(&self) -> Result<ActorAddress, ActorSystemError> {
        self.with_lock(Recover::IfConsistent, |state| Ok(state.open()?.kernel.open_endpoint()))
    }

    fn close_endpoint(&self, endpoint: &ActorAddress) {
        let closed = self.with_lock(Recover::IfConsistent, |state| {
            state.guarded(|state| state.kernel.close_endpoint(endpoint));
            Ok(())
        });
        if let Err(e) = closed {
            tracing::warn!(endpoint = %endpoint, error = %e, "endpoint not closed");
        }
    }

    fn create_actor(&self, spec: ActorSpec) -> Result<ActorAddress, ActorSystemError> {
        self.with_run(|state| match state.kernel.create(None, spec) {
            Ok(address) => Ok(address),
            Err(CreateError::Invalid(e)) => Err(e),
            Err(CreateError::NonStartable { actor_type, reason, .. }) => {
                Err(ActorSystemError::ActorCreateFailure { actor_type: actor_type.to_string(), reason })
            }
        })
    }

    fn tell(&self, from: &ActorAddress, to: &ActorAddress, msg: Box<dyn Message>) -> Result<(), ActorSystemError> {
        self.with_run(|state| state.kernel.send(from, to, msg))
    }

    fn receive(&self, endpoint: &ActorAddress, deadline: Instant) -> Result<Option<Received>, ActorSystemError> {
        let me = self.not_holding()?;
        let mut state = self.recover(self.state.lock(), Recover::IfConsistent)?;
        loop {
            let wait = {
                // Not held while waiting below, when other threads may take the lock.
                let _holding = Holding::new(&self.holder, me);
                // Replies that arrived before a shutdown can still be read after it.
                if let Some(received) = state.kernel.take_received(endpoint) {
                    return Ok(Some(received));
                }
                let ran = state.open()?.guarded(|state| state.run(&mut 0, state.kernel.timer_mark()));
                if state.waiters > 0 {
                    self.ran.notify_all();
                }
                ran?;
                if let Some(received) = state.kernel.take_received(endpoint) {
                    return Ok(Some(received));
                }
                // An actor shut the system down during this run: nothing more will come.
                state.open()?;
                let now = Instant::now();
                if now >= deadline {
                    return Ok(None);
                }
                let until = state.kernel.next_timer_deadline().map_or(deadline, |t| t.min(deadline));
                until.saturating_duration_since(now)
            };
            state.waiters += 1;
            let woken = match self.ran.wait_timeout(state, wait) {
                Ok((state, _)) => Ok(state),
                Err(poisoned) => Err(PoisonError::new(poisoned.into_inner().0)),
            };
            state = self.recover(woken, Recover::IfConsistent)?;
            state.waiters -= 1;
        }
    }

    fn update_capability(&self, name: &str, value: Option<CapValue>) -> Result<(), ActorSystemError> {
        self.with_run(|state| {
            state.kernel.set_capability(name, value);
            state.kernel.revalidate_actors();
            Ok(())
        })
    }

    fn system_update(&self, name: &str, value: CapValue) -> Result<(), ActorSystemError> {
        self.with_lock(Recover::IfConsistent, |state| self::system_update(state.open()?, name, value))
    }

    fn capabilities(&self) -> Result<Capabilities, ActorSystemError> {
        self.with_lock(Recover::IfConsistent, |state| Ok(state.open()?.kernel.capabilities().clone()))
    }

    fn shutdown(&self) -> Result<(), ActorSystemError> {
        self.with_lock(Recover::Always, |state| {
            if !state.shut_down {
                // Marked first: should the teardown itself fail, it is not tried again.
                state.shut_down = true;
                state.guarded(|state| state.kernel.shutdown());
            }
            Ok(())
        })?;
        self.ran.notify_all();
        Ok(())
    }
}

/// `system_update` (the simple base's only setting is the processing limit).
fn system_update(state: &mut State, name: &str, value: CapValue) -> Result<(), ActorSystemError> {
    match (name, &value) {
        ("setProcessingLimit", CapValue::Int(n)) if *n > 0 => {
            state.processing_limit = n.unsigned_abs();
            Ok(())
        }
        _ => Err(ActorSystemError::InvalidActorSpecification {
            spec: format!("system_update({name:?}, {value})"),
            reason: "the simple base understands only `system_update(\"setProcessingLimit\", n)` \
                         with a positive integer n"
                .to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    //! Recovering from a panic that escaped while the state was locked. User code cannot
    //! cause one (the kernel catches its panics), so these tests poison the lock by hand.

    use std::panic::{catch_unwind, AssertUnwindSafe};

    use super::*;

    fn base() -> SimpleBase {
        SimpleBase::new(1, Capabilities::new(), None, false)
    }

    /// Poisons the state's lock as a panic escaping the kernel would, mid-operation or not.
    fn poison(base: &SimpleBase, mid_operation: bool) {
        let escaped = catch_unwind(AssertUnwindSafe(|| {
            base.with_lock(Recover::IfConsistent, |state| -> Result<(), ActorSystemError> {
                state.busy = mid_operation;
                panic!("a panic escaped while the state was locked");
            })
        }));
        assert!(escaped.is_err() && base.state.is_poisoned());
        assert_eq!(base.holder.load(Ordering::Relaxed), 0, "the holder is cleared on unwinding");
    }

    #[test]
    fn spec_9_2_lock_poisoned_between_operations_is_recovered() {
        let base = base();
        poison(&base, false);
        assert!(base.capabilities().is_ok(), "the next call works");
        assert!(!base.state.is_poisoned());
        assert!(base.open_endpoint().is_ok());
        assert!(base.shutdown().is_ok());
    }

    #[test]
    fn spec_9_2_lock_poisoned_mid_operation_still_shuts_down() {
        let base = base();
        poison(&base, true);
        match base.capabilities() {
            Err(ActorSystemError::ActorSystemFailure { reason }) => {
                assert!(reason.contains("inconsistent"), "{reason}")
            }
            other => panic!("expected ActorSystemFailure, got {other:?}"),
        }
        assert!(base.shutdown().is_ok(), "shutdown recovers the lock");
        assert!(matches!(base.capabilities(), Err(ActorSystemError::SystemShutDown)));
    }
}
