//! Pending wakeups (spec §4.7): a deadline heap, with per-actor removal on exit.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use crate::api::address::ActorAddress;
use crate::api::message::Message;
use crate::api::system_messages::WakeupMessage;

#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    pending: HashMap<u64, (ActorAddress, WakeupMessage)>,
    next_seq: u64,
}

impl Timers {
    /// Schedules a wakeup for `target` after `delay`.
    pub(crate) fn schedule(&mut self, target: &ActorAddress, delay: Duration, payload: Box<dyn Message>) {
        let now = Instant::now();
        // A delay too long for the clock is "never" in practice: a century from now.
        let deadline = now.checked_add(delay).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse((deadline, seq)));
        self.pending.insert(seq, (target.clone(), WakeupMessage { delay_period: delay, payload }));
    }

    /// The next wakeup due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(ActorAddress, WakeupMessage)> {
        while let Some(Reverse((deadline, seq))) = self.heap.peek().copied() {
            if deadline > now {
                return None;
            }
            self.heap.pop();
            if let Some(entry) = self.pending.remove(&seq) {
                return Some(entry);
            }
        }
        None
    }

    /// When the next live wakeup is due.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((deadline, seq))) = self.heap.peek().copied() {
            if self.pending.contains_key(&seq) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// Forgets every wakeup of an actor that exited.
    pub(crate) fn remove_for(&mut self, target: &ActorAddress) {
        self.pending.retain(|_, (addr, _)| addr != target);
    }

    /// Wakeups pending for `target`.
    pub(crate) fn pending_for(&self, target: &ActorAddress) -> usize {
        self.pending.values().filter(|(addr, _)| addr == target).count()
    }

    /// True when no deadline is in the heap.
    pub(crate) fn is_heap_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// All pending wakeups.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn clear(&mut self) {
        self.heap.clear();
        self.pending.clear();
    }
}
