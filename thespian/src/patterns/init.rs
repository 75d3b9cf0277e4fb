//! Initializing messages: an actor that needs some messages before it can work holds every
//! other message until one of each has arrived.

use std::collections::VecDeque;

use crate::api::actor::{Actor, ActorResult};
use crate::api::address::ActorAddress;
use crate::api::context::ActorContext;
use crate::api::message::Message;
use crate::wire;

/// An initializing message as stored in the actor's field: the message and who sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Init<T> {
    /// The message.
    pub message: T,
    /// Its sender.
    pub sender: ActorAddress,
}

/// The fields an actor fills from its initializing messages; implemented by
/// `#[initializing_messages(..)]`.
pub trait InitFields {
    /// Stores `msg` if it is one of the initializing message types; true if it was.
    fn offer(&mut self, msg: &dyn Message, sender: &ActorAddress) -> bool;

    /// True once one of each initializing message has arrived.
    fn complete(&self) -> bool;

    /// The hook run once every initializing message has arrived, before the held messages.
    ///
    /// # Errors
    ///
    /// The hook's error: a failure of the completing message.
    fn init_done(&mut self, ctx: &mut ActorContext<'_>) -> ActorResult;
}

/// Holds an actor's other messages until its initializing messages have all arrived, then
/// runs its init hook and delivers the held messages in order, each with its own sender and
/// the usual retry-then-poison handling. System messages are never held.
#[doc(alias = "initializing_messages")]
pub struct Initializing<A> {
    inner: A,
    held: VecDeque<(&'static str, Vec<u8>, ActorAddress)>,
    ready: bool,
}

impl<A: Actor + InitFields> Initializing<A> {
    /// Wraps `inner`.
    pub fn new(inner: A) -> Self {
        Self { inner, held: VecDeque::new(), ready: false }
    }
}

impl<A: Actor + InitFields> Actor for Initializing<A> {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if self.ready || msg.is_system_message() {
            return self.inner.receive_message(msg, sender, ctx);
        }
        if !self.inner.offer(msg, sender) {
            // Kept encoded: the message is borrowed, and must outlive this call.
            let bytes = wire::encode_message(msg)?;
            self.held.push_back((msg.message_type_name(), bytes, sender.clone()));
            return Ok(());
        }
        if !self.inner.complete() {
            return Ok(());
        }
        // Ready only once the hook succeeded: if it fails, the completing message is retried
        // (or returned as poison) and the other messages stay held.
        self.inner.init_done(ctx)?;
        self.ready = true;
        while let Some((type_name, bytes, sender)) = self.held.pop_front() {
            let held = wire::decode_message(type_name, &bytes)?;
            ctx.deliver_held(&mut self.inner, held, &sender);
        }
        Ok(())
    }
}
