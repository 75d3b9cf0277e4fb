//! The actors and messages the benchmarks drive. Hand-written `Actor` impls, so what is
//! measured is the runtime's cost, not the dispatch code `#[actor]` generates (`dispatch.rs`
//! compares the two).

use thespian::prelude::*;

/// Answers every `u64` with the same `u64`.
#[derive(Debug, Default)]
pub(crate) struct Echo;

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

/// Asks a [`Counter`] for what it has counted; it answers [`Counted`].
#[derive(Debug, Serialize, Deserialize, Message)]
pub(crate) struct GetCount;

/// How many `u64`s a [`Counter`] received, and their wrapping sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Message)]
pub(crate) struct Counted {
    /// Messages counted.
    pub(crate) count: u64,
    /// Wrapping sum of their values, so a lost or repeated message shows even if another
    /// made up the count.
    pub(crate) sum: u64,
}

impl Counted {
    /// What a counter that received each of `0..n` exactly once reports.
    pub(crate) fn of_range(n: u64) -> Self {
        // Sum of 0..n, computed without overflow for any n this program uses.
        let sum =
            if n.is_multiple_of(2) { (n / 2).wrapping_mul(n.wrapping_sub(1)) } else { n.wrapping_mul((n - 1) / 2) };
        Self { count: n, sum }
    }
}

/// Counts and sums the `u64`s it receives; answers [`GetCount`] with [`Counted`].
#[derive(Debug, Default)]
pub(crate) struct Counter {
    seen: Counted,
}

impl Actor for Counter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(n) = msg.downcast_ref::<u64>() {
            self.seen.count += 1;
            self.seen.sum = self.seen.sum.wrapping_add(*n);
        } else if msg.is::<GetCount>() {
            ctx.send(sender, self.seen);
        }
        Ok(())
    }
}

/// An actor that does nothing: the smallest actor, for the per-actor overhead.
#[derive(Debug, Default)]
pub(crate) struct Idle;

impl Actor for Idle {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// How many `u64`s a [`Producer`] sends per handler call, before it tells itself to go on
/// (so that it never holds millions of envelopes at once).
const PRODUCE_CHUNK: u64 = 10_000;

/// Tells a [`Producer`] to send `count` `u64`s, `first..first + count`, to `to`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
pub(crate) struct Produce {
    /// The consumer.
    pub(crate) to: ActorAddress,
    /// The first value sent.
    pub(crate) first: u64,
    /// How many values to send.
    pub(crate) count: u64,
}

/// Sends the `u64`s a [`Produce`] asks for, [`PRODUCE_CHUNK`] per handler call: it tells
/// itself the rest, so the other actors' mail is not held up behind a million envelopes.
#[derive(Debug, Default)]
pub(crate) struct Producer;

impl Actor for Producer {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        if let Some(order) = msg.downcast_ref::<Produce>() {
            let now = order.count.min(PRODUCE_CHUNK);
            for n in order.first..order.first + now {
                ctx.send(&order.to, n);
            }
            if now < order.count {
                let rest = Produce { to: order.to.clone(), first: order.first + now, count: order.count - now };
                let me = ctx.my_address().clone();
                ctx.send(&me, rest);
            }
        }
        Ok(())
    }
}
thespian::register_actor!(Producer);

/// Tells a [`FanInStarter`] to poke every sender in one handler, so that all of them send
/// during the same run of the system: sender `k` sends `k * per_sender ..`.
#[derive(Debug, Serialize, Deserialize, Message)]
pub(crate) struct StartFanIn {
    /// The senders to poke, in order.
    pub(crate) senders: Vec<ActorAddress>,
    /// Where they all send.
    pub(crate) collector: ActorAddress,
    /// How many messages each sends.
    pub(crate) per_sender: u64,
}

/// Starts every sender named in a [`StartFanIn`].
#[derive(Debug, Default)]
pub(crate) struct FanInStarter;

impl Actor for FanInStarter {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        if let Some(start) = msg.downcast_mut::<StartFanIn>() {
            for (k, sender) in (0u64..).zip(std::mem::take(&mut start.senders)) {
                let produce =
                    Produce { to: start.collector.clone(), first: k * start.per_sender, count: start.per_sender };
                ctx.send(&sender, produce);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_sums() {
        assert_eq!(Counted::of_range(0), Counted { count: 0, sum: 0 });
        assert_eq!(Counted::of_range(1), Counted { count: 1, sum: 0 });
        assert_eq!(Counted::of_range(4), Counted { count: 4, sum: 6 });
        assert_eq!(Counted::of_range(5), Counted { count: 5, sum: 10 });
    }
}
