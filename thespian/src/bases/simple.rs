//! `simpleSystemBase` (spec §9.2): every actor runs synchronously in the calling thread.
//!
//! Each `tell`, `ask`, `listen` and `create_actor` delivers messages until the system
//! reaches equilibrium (no message queued, no wakeup due) before returning. Wakeups fire
//! only during such calls. Capability checks are not made on this base unless the builder asks
//! for them.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use crate::api::actor::ActorSpec;
use crate::api::address::ActorAddress;
use crate::api::capabilities::{CapValue, Capabilities};
use crate::api::error::ActorSystemError;
use crate::api::message::Message;
use crate::bases::SystemBase;
use crate::core::host::ActorHost;
use crate::core::kernel::{CreateError, Kernel, Received};

/// The spec name of this base.
pub(crate) const NAME: &str = "simpleSystemBase";

/// Deliveries allowed in one call before it is taken for a runaway loop.
pub(crate) const DEFAULT_PROCESSING_LIMIT: u64 = 10_000_000;

pub(crate) struct SimpleBase {
    state: Mutex<State>,
    /// Signalled after every run, so threads waiting in `receive` look at their inbox.
    ran: Condvar,
    admin: ActorAddress,
}

struct State {
    kernel: Kernel,
    processing_limit: u64,
    shut_down: bool,
    /// Threads blocked in `receive`; notifying is skipped (a futex syscall) when none is.
    waiters: usize,
}

impl State {
    fn open(&mut self) -> Result<&mut Self, ActorSystemError> {
        if self.shut_down {
            Err(ActorSystemError::SystemShutDown)
        } else {
            Ok(self)
        }
    }

    /// Delivers messages and due wakeups until none is left.
    fn run(&mut self) -> Result<(), ActorSystemError> {
        let mut delivered: u64 = 0;
        loop {
            while self.kernel.step() {
                delivered += 1;
                if self.kernel.take_shutdown_request() {
                    self.kernel.shutdown();
                    self.shut_down = true;
                    return Ok(());
                }
                if delivered >= self.processing_limit && self.kernel.queue_len() > 0 {
                    return Err(ActorSystemError::ProcessingLimitExceeded {
                        limit: self.processing_limit,
                        pending: self.kernel.queue_len(),
                    });
                }
            }
            if !self.kernel.has_timers() || self.kernel.fire_due_timers(Instant::now()) == 0 {
                return Ok(());
            }
        }
    }
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
            }),
            ran: Condvar::new(),
            admin,
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, ActorSystemError> {
        self.state.lock().map_err(|_| ActorSystemError::failure("the actor system's state was poisoned by a panic"))
    }

    /// Runs `op` on the open system, then runs it to equilibrium and wakes waiting threads.
    fn with_run<T>(&self, op: impl FnOnce(&mut State) -> Result<T, ActorSystemError>) -> Result<T, ActorSystemError> {
        let mut state = self.lock()?;
        let value = op(state.open()?)?;
        let ran = state.run();
        let wake = state.waiters > 0;
        drop(state);
        if wake {
            self.ran.notify_all();
        }
        ran.map(|()| value)
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
        Ok(self.lock()?.open()?.kernel.open_endpoint())
    }

    fn close_endpoint(&self, endpoint: &ActorAddress) {
        if let Ok(mut state) = self.lock() {
            state.kernel.close_endpoint(endpoint);
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
        let mut state = self.lock()?;
        loop {
            let ran = state.open()?.run();
            if state.waiters > 0 {
                self.ran.notify_all();
            }
            ran?;
            if let Some(received) = state.kernel.take_received(endpoint) {
                return Ok(Some(received));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let until = state.kernel.next_timer_deadline().map_or(deadline, |t| t.min(deadline));
            state.waiters += 1;
            state = self
                .ran
                .wait_timeout(state, until.saturating_duration_since(now))
                .map_err(|_| ActorSystemError::failure("the actor system's state was poisoned by a panic"))?
                .0;
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
        let mut state = self.lock()?;
        let state = state.open()?;
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

    fn capabilities(&self) -> Result<Capabilities, ActorSystemError> {
        Ok(self.lock()?.open()?.kernel.capabilities().clone())
    }

    fn shutdown(&self) -> Result<(), ActorSystemError> {
        let mut state = self.lock()?;
        if !state.shut_down {
            state.kernel.shutdown();
            state.shut_down = true;
        }
        drop(state);
        self.ran.notify_all();
        Ok(())
    }
}
