//! Transient actors (spec §8.2): exit some time after the first, or the last, message.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::api::actor::{Actor, ActorResult};
use crate::api::address::ActorAddress;
use crate::api::context::ActorContext;
use crate::api::message::Message;
use crate::api::system_messages::{ActorExitRequest, WakeupMessage};

/// When a transient actor's exit clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransientMode {
    /// `#[transient(d)]`: exit `d` after the first message.
    #[doc(alias = "transient")]
    AfterFirstMessage,
    /// `#[transient_idle(d)]`: exit `d` after the last message that is not a system message.
    #[doc(alias = "transient_idle")]
    AfterLastMessage,
}

/// The wakeup payload that ends a transient actor, unless its deadline has moved since.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::patterns::TransientExpiry")]
struct TransientExpiry;

/// An actor that exits by itself (spec §8.2). It still sees every message, including the
/// [`ActorExitRequest`] it sends itself. An actor that never receives a message never exits.
///
/// At most one wakeup is pending at a time, however many messages arrive: each message only
/// moves the deadline, and a wakeup that finds the deadline moved waits for the rest.
#[doc(alias("transient", "transient_idle"))]
pub struct Transient {
    inner: Box<dyn Actor>,
    delay: Duration,
    mode: TransientMode,
    /// When to exit; `None` until the first message starts the clock.
    deadline: Option<Instant>,
    /// Whether a [`TransientExpiry`] wakeup is pending.
    armed: bool,
    /// Set once the actor has asked itself to exit.
    exiting: bool,
}

impl Transient {
    /// Wraps `inner` so that it exits `delay` after its first or last message.
    #[doc(alias = "exit_delay")]
    pub fn new(inner: Box<dyn Actor>, mode: TransientMode, delay: Duration) -> Self {
        Self { inner, delay, mode, deadline: None, armed: false, exiting: false }
    }

    fn start_clock(&mut self, ctx: &mut ActorContext<'_>) {
        self.deadline = Some(Instant::now() + self.delay);
        if !self.armed {
            self.armed = true;
            ctx.wakeup_after(self.delay, TransientExpiry);
        }
    }

    fn expire(&mut self, ctx: &mut ActorContext<'_>) {
        self.armed = false;
        let Some(deadline) = self.deadline else { return };
        let left = deadline.saturating_duration_since(Instant::now());
        if !left.is_zero() {
            // A later message moved the deadline: wait for the rest of it.
            self.armed = true;
            ctx.wakeup_after(left, TransientExpiry);
        } else if !self.exiting {
            self.exiting = true;
            let me = ctx.my_address().clone();
            ctx.send(&me, ActorExitRequest::new());
        }
    }
}

impl Actor for Transient {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.downcast_ref::<WakeupMessage>().is_some_and(|w| w.payload_as::<TransientExpiry>().is_some()) {
            self.expire(ctx);
            return Ok(());
        }
        let restarts = match self.mode {
            TransientMode::AfterFirstMessage => self.deadline.is_none(),
            TransientMode::AfterLastMessage => !msg.is_system_message(),
        };
        if restarts && !self.exiting && !msg.is::<ActorExitRequest>() {
            self.start_clock(ctx);
        }
        self.inner.receive_message(msg, sender, ctx)
    }
}
