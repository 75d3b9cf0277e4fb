//! Transient actors (spec §8.2): exit some time after the first, or the last, message.

use std::time::Duration;

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
    AfterFirstMessage,
    /// `#[transient_idle(d)]`: exit `d` after the last message that is not a system message.
    AfterLastMessage,
}

/// The wakeup payload that ends a transient actor, unless a later message superseded it.
#[derive(Debug, Clone, Serialize, Deserialize, thespian_macros::Message)]
#[message(system, name = "thespian::patterns::TransientExpiry")]
struct TransientExpiry {
    generation: u64,
}

/// An actor that exits by itself (spec §8.2). It still sees every message, including the
/// [`ActorExitRequest`] it sends itself. An actor that never receives a message never exits.
pub struct Transient {
    inner: Box<dyn Actor>,
    delay: Duration,
    mode: TransientMode,
    /// Bumped for every message that restarts the clock; only the newest expiry counts.
    generation: u64,
    started: bool,
}

impl Transient {
    /// Wraps `inner` so that it exits `delay` after its first or last message.
    pub fn new(inner: Box<dyn Actor>, mode: TransientMode, delay: Duration) -> Self {
        Self { inner, delay, mode, generation: 0, started: false }
    }

    fn start_clock(&mut self, ctx: &mut ActorContext<'_>) {
        self.generation += 1;
        ctx.wakeup_after(self.delay, TransientExpiry { generation: self.generation });
    }
}

impl Actor for Transient {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(expiry) = msg.downcast_ref::<WakeupMessage>().and_then(|w| w.payload_as::<TransientExpiry>()) {
            if expiry.generation == self.generation {
                let me = ctx.my_address().clone();
                ctx.send(&me, ActorExitRequest::new());
            }
            return Ok(());
        }
        let restarts = match self.mode {
            TransientMode::AfterFirstMessage => !self.started,
            TransientMode::AfterLastMessage => !msg.is_system_message(),
        };
        if restarts && !msg.is::<ActorExitRequest>() {
            self.started = true;
            self.start_clock(ctx);
        }
        self.inner.receive_message(msg, sender, ctx)
    }
}
