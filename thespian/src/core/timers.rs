//! Pending wakeups (spec §4.7): a deadline heap, with per-actor removal on exit.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use crate::api::address::ActorAddress;
use crate::api::message::Message;
use crate::api::system_messages::WakeupMessage;

/// Which wakeups were scheduled before a moment: those whose sequence number is below it
/// (from [`Timers::mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerMark(u64);

#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    pending: HashMap<u64, (ActorAddress, WakeupMessage)>,
    next_seq: u64,
}

impl Timers {
    /// Schedules a wakeup for `target` after `delay`.
    pub(crate) fn schedule(&mut self, now: Instant, target: &ActorAddress, delay: Duration, payload: Box<dyn Message>) {
        // A delay too long for the clock is "never" in practice: a century from now.
        let deadline = now.checked_add(delay).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse((deadline, seq)));
        self.pending.insert(seq, (target.clone(), WakeupMessage { delay_period: delay, payload }));
    }

    /// Marks this moment: [`take_due`](Self::take_due) given the mark leaves alone every
    /// wakeup scheduled after it, however soon it is due.
    pub(crate) fn mark(&self) -> TimerMark {
        TimerMark(self.next_seq)
    }

    /// Removes and returns every wakeup due at or before `now` that was scheduled before
    /// `before`, earliest first.
    pub(crate) fn take_due(&mut self, now: Instant, before: TimerMark) -> Vec<(ActorAddress, WakeupMessage)> {
        let mut due = Vec::new();
        // Later wakeups can be due before earlier ones (a shorter delay): set them aside.
        let mut later = Vec::new();
        while let Some(Reverse((deadline, seq))) = self.heap.peek().copied() {
            if deadline > now {
                break;
            }
            let entry = self.heap.pop();
            if seq >= before.0 {
                later.extend(entry);
            } else if let Some(wakeup) = self.pending.remove(&seq) {
                due.push(wakeup);
            }
        }
        self.heap.extend(later);
        due
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

    /// Forgets every wakeup of an actor that exited; returns them, so that the caller
    /// decides how their payloads are dropped.
    pub(crate) fn remove_for(&mut self, target: &ActorAddress) -> Vec<WakeupMessage> {
        let seqs: Vec<u64> = self.pending.iter().filter(|(_, (addr, _))| addr == target).map(|(&seq, _)| seq).collect();
        seqs.into_iter().filter_map(|seq| self.pending.remove(&seq)).map(|(_, wakeup)| wakeup).collect()
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

    /// Forgets every wakeup; returns them, so that the caller decides how their payloads are
    /// dropped.
    pub(crate) fn clear(&mut self) -> Vec<(ActorAddress, WakeupMessage)> {
        self.heap.clear();
        self.pending.drain().map(|(_, entry)| entry).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_9_2_take_due_leaves_wakeups_scheduled_after_the_mark() {
        let mut timers = Timers::default();
        let actor = ActorAddress::new(1, 1);
        let now = Instant::now();
        timers.schedule(now, &actor, Duration::ZERO, Box::new("before".to_string()));
        let mark = timers.mark();
        timers.schedule(now, &actor, Duration::ZERO, Box::new("after".to_string()));
        let due = timers.take_due(now, mark);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].1.payload.downcast_ref::<String>().map(String::as_str), Some("before"));
        assert_eq!(timers.len(), 1, "the later wakeup is still pending");
        assert!(timers.next_deadline().is_some_and(|d| d <= now), "and still due");
        assert_eq!(timers.take_due(now, timers.mark()).len(), 1, "a later mark takes it");
    }
}
