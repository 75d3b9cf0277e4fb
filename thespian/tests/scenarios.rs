//! End-to-end scenarios after the Python Thespian test suite: a three-actor conversation, a
//! parent with 100 children, addresses passed along chains of actors, a 275-actor fan-out,
//! and messages from 1 byte to 10 MiB.

mod common;

use std::collections::HashSet;

use common::{ANSWER, NO_ANSWER};
use thespian::prelude::*;

// ----- a three-actor conversation ---------------------------------------------------------

/// Tells a `Speaker` its name and who speaks after it.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Introduce {
    name: String,
    next: ActorAddress,
}

/// The conversation so far: who said what, from which address.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Conversation {
    lines: Vec<(String, ActorAddress)>,
    rounds_left: u32,
    reply_to: ActorAddress,
}

/// Adds its line to the conversation and passes it to the next speaker, or back to whoever
/// started it when the last round is done.
#[derive(Default)]
struct Speaker {
    name: String,
    next: Option<ActorAddress>,
}

impl Actor for Speaker {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(intro) = msg.downcast_ref::<Introduce>() {
            self.name = intro.name.clone();
            self.next = Some(intro.next.clone());
            ctx.send(sender, format!("{} ready", self.name));
        } else if let Some(talk) = msg.downcast_ref::<Conversation>() {
            let mut talk = talk.clone();
            talk.lines.push((self.name.clone(), ctx.my_address().clone()));
            if talk.rounds_left == 0 {
                let reply_to = talk.reply_to.clone();
                ctx.send(&reply_to, talk);
            } else {
                talk.rounds_left -= 1;
                let next = self.next.clone().ok_or("not introduced")?;
                ctx.send(&next, talk);
            }
        }
        Ok(())
    }
}

// ----- a parent with many children --------------------------------------------------------

/// Asks a `Family` parent to create `count` children and ask each one who it is.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct RaiseChildren {
    count: u32,
}

/// Asks a child who it is.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WhoAreYou {
    index: u32,
}

/// A child's answer.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct IAm {
    index: u32,
    address: ActorAddress,
}

/// The parent's report once every child answered.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct AllAnswered {
    answers: Vec<IAm>,
    children: Vec<ActorAddress>,
}

/// Creates children, asks each one, and reports when all have answered.
#[derive(Default)]
struct Family {
    requester: Option<ActorAddress>,
    expected: usize,
    children: Vec<ActorAddress>,
    answers: Vec<IAm>,
}

impl Actor for Family {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<RaiseChildren>() {
            self.requester = Some(sender.clone());
            self.expected = req.count as usize;
            for index in 0..req.count {
                let child = ctx.create_actor::<Child>()?;
                ctx.send(&child, WhoAreYou { index });
                self.children.push(child);
            }
        } else if let Some(answer) = msg.downcast_ref::<IAm>() {
            self.answers.push(answer.clone());
            if self.answers.len() == self.expected {
                if let Some(requester) = self.requester.take() {
                    let report = AllAnswered {
                        answers: std::mem::take(&mut self.answers),
                        children: std::mem::take(&mut self.children),
                    };
                    ctx.send(&requester, report);
                }
            }
        }
        Ok(())
    }
}

/// Answers who it is.
#[derive(Default)]
struct Child;

impl Actor for Child {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(q) = msg.downcast_ref::<WhoAreYou>() {
            let me = ctx.my_address().clone();
            ctx.send(sender, IAm { index: q.index, address: me });
        }
        Ok(())
    }
}

// ----- address passing along a chain ------------------------------------------------------

/// Travels along `route`; the last actor sends it to `reply_to`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Pass {
    route: Vec<ActorAddress>,
    visited: Vec<ActorAddress>,
    reply_to: ActorAddress,
}

/// Records itself on a [`Pass`] and sends it on.
#[derive(Default)]
struct Hopper;

impl Actor for Hopper {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        if let Some(pass) = msg.downcast_ref::<Pass>() {
            let mut pass = pass.clone();
            pass.visited.push(ctx.my_address().clone());
            if pass.route.is_empty() {
                let reply_to = pass.reply_to.clone();
                ctx.send(&reply_to, pass);
            } else {
                let next = pass.route.remove(0);
                ctx.send(&next, pass);
            }
        }
        Ok(())
    }
}

// ----- a fan-out that sums ----------------------------------------------------------------

/// Asks a `Summer` to create `count` workers, give worker i the number i, and sum the squares.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct FanOut {
    count: u64,
}

/// A worker's input.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Square {
    n: u64,
}

/// A worker's output.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Squared {
    value: u64,
}

/// The `Summer`'s report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Message)]
struct Total {
    sum: u64,
    answers: u64,
}

/// Fans work out to one new worker per number and sums the answers.
#[derive(Default)]
struct Summer {
    requester: Option<ActorAddress>,
    expected: u64,
    total: Total,
}

impl Actor for Summer {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<FanOut>() {
            self.requester = Some(sender.clone());
            self.expected = req.count;
            for n in 1..=req.count {
                let worker = ctx.create_actor::<SquareWorker>()?;
                ctx.send(&worker, Square { n });
            }
        } else if let Some(squared) = msg.downcast_ref::<Squared>() {
            self.total.sum += squared.value;
            self.total.answers += 1;
            if self.total.answers == self.expected {
                if let Some(requester) = self.requester.take() {
                    ctx.send(&requester, self.total.clone());
                }
            }
        }
        Ok(())
    }
}

/// Squares one number.
#[derive(Default)]
struct SquareWorker;

impl Actor for SquareWorker {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(sq) = msg.downcast_ref::<Square>() {
            ctx.send(sender, Squared { value: sq.n * sq.n });
        }
        Ok(())
    }
}

// ----- large messages ---------------------------------------------------------------------

/// Sends every `Vec<u8>` back to its sender.
#[derive(Default)]
struct BytesEcho;

impl Actor for BytesEcho {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(bytes) = msg.downcast_mut::<Vec<u8>>() {
            ctx.send(sender, std::mem::take(bytes));
        }
        Ok(())
    }
}

/// `len` bytes in a pattern that a lost, repeated or shifted block would break.
fn patterned(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ (i / 251 % 256) as u8).collect()
}

// ----- the scenarios ----------------------------------------------------------------------

on_every_base! {
    fn spec_1_1_three_actor_conversation(asys) {
        let names = ["alice", "bob", "carol"];
        let speakers = [
            asys.create_actor::<Speaker>()?,
            asys.create_actor::<Speaker>()?,
            asys.create_actor::<Speaker>()?,
        ];
        for (i, name) in names.iter().enumerate() {
            let intro = Introduce { name: (*name).to_string(), next: speakers[(i + 1) % 3].clone() };
            let ready: Option<String> = asys.ask_as(&speakers[i], intro, ANSWER)?;
            assert_eq!(ready, Some(format!("{name} ready")));
        }
        let start = Conversation { lines: Vec::new(), rounds_left: 6, reply_to: asys.my_address().clone() };
        let talk: Conversation = asys.ask_as(&speakers[0], start, ANSWER)?.ok_or("the conversation never ended")?;
        let expected: Vec<(String, ActorAddress)> =
            (0..7).map(|i| (names[i % 3].to_string(), speakers[i % 3].clone())).collect();
        assert_eq!(talk.lines, expected);
        assert_eq!(talk.rounds_left, 0);
        assert_eq!(&talk.reply_to, asys.my_address());
        Ok(())
    }

    fn spec_2_2_2_parent_collects_answers_from_100_children(asys) {
        let parent = asys.create_actor::<Family>()?;
        let report: AllAnswered = asys.ask_as(&parent, RaiseChildren { count: 100 }, ANSWER)?.ok_or("no report")?;
        assert_eq!(report.answers.len(), 100);
        let indices: HashSet<u32> = report.answers.iter().map(|a| a.index).collect();
        assert_eq!(indices, (0..100).collect::<HashSet<u32>>(), "every child answered once");
        let answered: HashSet<&ActorAddress> = report.answers.iter().map(|a| &a.address).collect();
        let created: HashSet<&ActorAddress> = report.children.iter().collect();
        assert_eq!(answered.len(), 100, "100 distinct children");
        assert_eq!(answered, created, "the answers came from the children the parent created");
        assert!(!answered.contains(&parent));
        for answer in &report.answers {
            let index = answer.index as usize;
            assert_eq!(report.children[index], answer.address, "child {index} answered as itself");
        }
        let status: ThespianActorStatus = asys.ask_as(&parent, ThespianStatusReq, ANSWER)?.ok_or("no status")?;
        assert_eq!(status.children.len(), 100);
        assert!(asys.listen(NO_ANSWER)?.is_none(), "one report only");
        Ok(())
    }

    fn spec_1_2_address_passing_through_chains_of_2_to_7_actors(asys) {
        for n in 2..=7 {
            let hoppers = (0..n).map(|_| asys.create_actor::<Hopper>()).collect::<Result<Vec<_>, _>>()?;
            let pass = Pass { route: hoppers[1..].to_vec(), visited: Vec::new(), reply_to: asys.my_address().clone() };
            let arrived: Option<Pass> = asys.ask_as(&hoppers[0], pass, ANSWER)?;
            let arrived = arrived.ok_or_else(|| format!("chain of {n}: no reply"))?;
            assert_eq!(arrived.visited, hoppers, "chain of {n}: every actor in order");
            assert!(arrived.route.is_empty());
            assert_eq!(&arrived.reply_to, asys.my_address(), "chain of {n}: the address survived {n} hops");
        }
        Ok(())
    }

    fn spec_2_2_2_fan_out_to_275_actors_sums_correctly(asys) {
        const COUNT: u64 = 275;
        let summer = asys.create_actor::<Summer>()?;
        let total: Total = asys.ask_as(&summer, FanOut { count: COUNT }, ANSWER)?.ok_or("no total")?;
        // 1² + 2² + ... + n² = n(n+1)(2n+1)/6
        assert_eq!(total, Total { sum: COUNT * (COUNT + 1) * (2 * COUNT + 1) / 6, answers: COUNT });
        assert_eq!(asys.status()?.actor_count, COUNT as usize + 1);
        Ok(())
    }

    #[not_on_udp = "§9.5: a UDP message fits in one datagram; udp_base.rs tests the limit"]
    fn spec_4_1_messages_from_1_byte_to_10_mib_arrive_intact(asys) {
        let echo = asys.create_actor::<BytesEcho>()?;
        for len in [1, 1024, 1024 * 1024, 10 * 1024 * 1024] {
            let sent = patterned(len);
            let back: Option<Vec<u8>> = asys.ask_as(&echo, sent.clone(), ANSWER)?;
            let back = back.ok_or_else(|| format!("{len} bytes: no echo"))?;
            assert_eq!(back.len(), len);
            assert!(back == sent, "{len} bytes: the echo differs");
        }
        Ok(())
    }
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Speaker);
thespian::register_actor!(Family);
thespian::register_actor!(Child);
thespian::register_actor!(Hopper);
thespian::register_actor!(Summer);
thespian::register_actor!(SquareWorker);
thespian::register_actor!(BytesEcho);
