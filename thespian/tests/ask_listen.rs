//! External communication with actors: `tell`, `ask`, `listen` and `private` (spec §6.5–6.8),
//! which system messages reach an external caller (spec §7), actor addresses (spec §1.2) and
//! shutting a system down (spec §6.3).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use common::{Failure, TestResult, ANSWER, NO_ANSWER};
use thespian::prelude::*;
use thespian::{
    ActorSystemConventionUpdate, LoadedSource, UnloadedSource, ValidateSource, ValidatedSource, WatchMessage,
};

// ----- messages ---------------------------------------------------------------------------

/// Asks a `Relay` to have the actor at `via` answer the caller.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct RelayVia {
    via: ActorAddress,
    n: u64,
}

/// Asks an `Answerer` to send an [`Answer`] to `reply_to` (who is not the sender).
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct AnswerTo {
    reply_to: ActorAddress,
    n: u64,
}

/// Twice the number asked about, and who computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Answer {
    n: u64,
    from: ActorAddress,
}

/// A request tagged with the asking thread, echoed back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Tagged {
    thread: u32,
    seq: u32,
}

/// Tells a `Batcher` how many requests to hold before answering them all.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct BatchOf {
    size: usize,
}

/// An address sent to an `Echo`, which returns it with what it saw.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CarryAddress {
    addr: ActorAddress,
}

/// The `Echo`'s answer to [`CarryAddress`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct CarriedBack {
    addr: ActorAddress,
    seen_sender: ActorAddress,
    me: ActorAddress,
}

/// Asks a `Spawner` to create children and report their addresses.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SpawnChildren {
    count: usize,
}

/// The children a `Spawner` created.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Children {
    addresses: Vec<ActorAddress>,
}

/// Asks a `SystemSender` to send every system message that must not reach an outsider,
/// then the text `"done"`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SendSystemMessages;

/// Makes a `Failer` fail, every time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Explode {
    why: String,
}

// ----- actors -----------------------------------------------------------------------------

/// Passes a request on to another actor, naming the original sender as the one to answer.
#[derive(Default)]
struct Relay;

impl Actor for Relay {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<RelayVia>() {
            ctx.send(&req.via, AnswerTo { reply_to: sender.clone(), n: req.n });
        }
        Ok(())
    }
}

/// Doubles numbers: to `reply_to` for [`AnswerTo`], to the sender for a plain `u64`.
#[derive(Default)]
struct Answerer;

impl Actor for Answerer {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        let me = ctx.my_address().clone();
        if let Some(req) = msg.downcast_ref::<AnswerTo>() {
            ctx.send(&req.reply_to, Answer { n: req.n * 2, from: me });
        } else if let Some(n) = msg.downcast_ref::<u64>() {
            ctx.send(sender, Answer { n: n * 2, from: me });
        }
        Ok(())
    }
}

/// Answers every text twice: `"<text> 1"`, then `"<text> 2"`.
#[derive(Default)]
struct Twice;

impl Actor for Twice {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(text) = msg.downcast_ref::<String>() {
            ctx.send(sender, format!("{text} 1"));
            ctx.send(sender, format!("{text} 2"));
        }
        Ok(())
    }
}

/// Never answers.
#[derive(Default)]
struct Silent;

impl Actor for Silent {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// Echoes [`Tagged`] requests, and reports on [`CarryAddress`]es.
#[derive(Default)]
struct Echo;

impl Actor for Echo {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(tagged) = msg.downcast_ref::<Tagged>() {
            ctx.send(sender, tagged.clone());
        } else if let Some(carry) = msg.downcast_ref::<CarryAddress>() {
            let back =
                CarriedBack { addr: carry.addr.clone(), seen_sender: sender.clone(), me: ctx.my_address().clone() };
            ctx.send(sender, back);
        }
        Ok(())
    }
}

/// Holds [`Tagged`] requests until it has a full batch, then echoes each to its own sender.
#[derive(Default)]
struct Batcher {
    size: usize,
    held: Vec<(ActorAddress, Tagged)>,
}

impl Actor for Batcher {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(batch) = msg.downcast_ref::<BatchOf>() {
            self.size = batch.size;
            ctx.send(sender, "batching".to_string());
        } else if let Some(tagged) = msg.downcast_ref::<Tagged>() {
            self.held.push((sender.clone(), tagged.clone()));
            if self.held.len() >= self.size {
                for (to, tagged) in self.held.drain(..) {
                    ctx.send(&to, tagged);
                }
            }
        }
        Ok(())
    }
}

/// Creates children on request and reports their addresses.
#[derive(Default)]
struct Spawner;

impl Actor for Spawner {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(req) = msg.downcast_ref::<SpawnChildren>() {
            let mut addresses = Vec::with_capacity(req.count);
            for _ in 0..req.count {
                addresses.push(ctx.create_actor::<Echo>()?);
            }
            ctx.send(sender, Children { addresses });
        }
        Ok(())
    }
}

/// Sends its requester system messages that the requester must never see, then `"done"`.
#[derive(Default)]
struct SystemSender;

impl Actor for SystemSender {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<SendSystemMessages>() {
            let me = ctx.my_address().clone();
            ctx.send(sender, ChildActorExited { child_address: me.clone() });
            ctx.send(sender, WakeupMessage { delay_period: Duration::from_millis(1), payload: Box::new(()) });
            ctx.send(sender, ActorExitRequest::new());
            ctx.send(sender, DeadEnvelope { dead_address: me.clone(), dead_message: Box::new("lost".to_string()) });
            ctx.send(sender, WatchMessage { ready: vec![0] });
            ctx.send(
                sender,
                ActorSystemConventionUpdate {
                    remote_admin_address: me,
                    remote_capabilities: Capabilities::new(),
                    remote_added: true,
                },
            );
            ctx.send(sender, ValidateSource { source_hash: "h".to_string(), source_data: vec![1, 2] });
            ctx.send(sender, ValidatedSource { source_hash: "h".to_string(), source_zip: None });
            ctx.send(sender, LoadedSource { source_hash: "h".to_string(), source_info: "i".to_string() });
            ctx.send(sender, UnloadedSource { source_hash: "h".to_string(), source_info: "i".to_string() });
            ctx.send(sender, ThespianStatusReq);
            ctx.send(sender, "done".to_string());
        }
        Ok(())
    }
}

/// Fails on every [`Explode`], so that it comes back as a `PoisonMessage`.
#[derive(Default)]
struct Failer;

impl Actor for Failer {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        if let Some(explode) = msg.downcast_ref::<Explode>() {
            return Err(format!("exploded: {}", explode.why).into());
        }
        Ok(())
    }
}

// ----- helpers ----------------------------------------------------------------------------

/// True for the error every call on a shut-down system must give.
fn is_shut_down<T>(result: &Result<T, ActorSystemError>) -> bool {
    matches!(result, Err(ActorSystemError::SystemShutDown))
}

/// The characters spec §1.2 allows in the printed form of an address.
fn printable_address(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-~/():., '|>".contains(c))
}

/// What one thread of a concurrency test does; errors are text so they cross threads.
type ThreadResult = Result<(), String>;

/// Joins every thread of a scope, turning panics and errors into one error.
fn join_all(handles: Vec<std::thread::ScopedJoinHandle<'_, ThreadResult>>) -> TestResult {
    for handle in handles {
        handle.join().map_err(|_| "a thread panicked")??;
    }
    Ok(())
}

// ----- §6.6 ask, §6.7 listen --------------------------------------------------------------

on_every_base! {
    fn spec_6_6_ask_returns_reply_from_any_actor(asys) {
        let relay = asys.create_actor::<Relay>()?;
        let answerer = asys.create_actor::<Answerer>()?;
        // The caller asks the relay; the answer comes from the answerer, a different actor.
        let reply = asys.ask(&relay, RelayVia { via: answerer.clone(), n: 21 }, ANSWER)?.ok_or("no reply to ask")?;
        let answer = reply.downcast_ref::<Answer>().ok_or_else(|| format!("unexpected reply {reply:?}"))?;
        assert_eq!(answer, &Answer { n: 42, from: answerer });
        assert!(asys.listen(NO_ANSWER)?.is_none(), "exactly one reply was sent");
        Ok(())
    }

    fn spec_6_6_1_extra_replies_come_from_later_listen_and_ask(asys) {
        let twice = asys.create_actor::<Twice>()?;
        let first: Option<String> = asys.ask_as(&twice, "a".to_string(), ANSWER)?;
        assert_eq!(first.as_deref(), Some("a 1"));
        let second: Option<String> = asys.listen_as(ANSWER)?;
        assert_eq!(second.as_deref(), Some("a 2"), "the second reply waits for the next listen");
        assert!(asys.listen(NO_ANSWER)?.is_none());

        // A left-over reply answers the next ask, whatever that ask sent (spec §6.6.1).
        asys.tell(&twice, "b".to_string())?;
        let left_over: Option<String> = asys.ask_as(&twice, "c".to_string(), ANSWER)?;
        assert_eq!(left_over.as_deref(), Some("b 1"));
        for expected in ["b 2", "c 1", "c 2"] {
            let next: Option<String> = asys.listen_as(ANSWER)?;
            assert_eq!(next.as_deref(), Some(expected));
        }
        assert!(asys.listen(NO_ANSWER)?.is_none());
        Ok(())
    }

    fn spec_6_6_ask_timeout_returns_none(asys) {
        let silent = asys.create_actor::<Silent>()?;
        let started = Instant::now();
        assert!(asys.ask(&silent, "anyone?".to_string(), NO_ANSWER)?.is_none());
        assert!(started.elapsed() >= NO_ANSWER, "ask gave up before its timeout");
        let typed: Option<String> = asys.ask_as(&silent, "anyone?".to_string(), NO_ANSWER)?;
        assert!(typed.is_none());
        let started = Instant::now();
        assert!(asys.listen(NO_ANSWER)?.is_none());
        assert!(started.elapsed() >= NO_ANSWER, "listen gave up before its timeout");
        assert!(asys.listen(Duration::ZERO)?.is_none());
        Ok(())
    }

    fn spec_6_6_ask_as_returns_typed_reply(asys) {
        let answerer = asys.create_actor::<Answerer>()?;
        let answer: Answer = asys.ask_as(&answerer, 50_u64, ANSWER)?.ok_or("no reply to ask_as")?;
        assert_eq!(answer, Answer { n: 100, from: answerer });
        Ok(())
    }

    fn spec_6_6_ask_as_wrong_type_is_unexpected_reply(asys) {
        let twice = asys.create_actor::<Twice>()?;
        let err = match asys.ask_as::<u64>(&twice, "x".to_string(), ANSWER) {
            Ok(r) => return Err(format!("ask_as::<u64> accepted a String reply: {r:?}").into()),
            Err(e) => e,
        };
        match &err {
            ActorSystemError::UnexpectedReply { expected, got, .. } => {
                assert_eq!(*expected, "u64");
                assert_eq!(*got, "String");
            }
            other => return Err(format!("expected UnexpectedReply, got {other:?}").into()),
        }
        let text = err.to_string();
        assert!(text.contains("u64") && text.contains("String") && text.contains("`ask`"), "unhelpful text: {text}");
        let reply = err.into_reply().ok_or("UnexpectedReply must hand the reply back")?;
        assert_eq!(reply.downcast_ref::<String>().map(String::as_str), Some("x 1"));
        // The reply was consumed by the failed ask_as; the second one is still waiting.
        let second: Option<String> = asys.listen_as(ANSWER)?;
        assert_eq!(second.as_deref(), Some("x 2"));
        assert!(ActorSystemError::SystemShutDown.into_reply().is_none());
        Ok(())
    }

    fn spec_6_5_tell_delivers_without_waiting_for_an_answer(asys) {
        let twice = asys.create_actor::<Twice>()?;
        asys.tell(&twice, "t".to_string())?;
        let replies: Vec<Option<String>> = vec![asys.listen_as(ANSWER)?, asys.listen_as(ANSWER)?];
        assert_eq!(replies, [Some("t 1".to_string()), Some("t 2".to_string())]);
        Ok(())
    }
}

// ----- §7 which system messages reach an external caller ----------------------------------

on_every_base! {
    fn spec_7_system_messages_are_filtered_from_ask_and_listen(asys) {
        let sender = asys.create_actor::<SystemSender>()?;
        // Every system message was sent before "done": had one got through, ask_as::<String>
        // would fail with UnexpectedReply.
        let done: Option<String> = asys.ask_as(&sender, SendSystemMessages, ANSWER)?;
        assert_eq!(done.as_deref(), Some("done"));
        if let Some(stray) = asys.listen(NO_ANSWER)? {
            return Err(format!("a filtered system message reached listen: {stray:?}").into());
        }
        Ok(())
    }

    fn spec_7_poison_message_reaches_ask(asys) {
        let failer = asys.create_actor::<Failer>()?;
        let sent = Explode { why: "on purpose".to_string() };
        let poison: PoisonMessage = asys.ask_as(&failer, sent.clone(), ANSWER)?.ok_or("no poison message")?;
        assert_eq!(poison.poison_message.downcast_ref::<Explode>(), Some(&sent));
        assert!(poison.details.contains("exploded: on purpose"), "details: {}", poison.details);
        Ok(())
    }

    fn spec_7_status_replies_reach_ask(asys) {
        let echo = asys.create_actor::<Echo>()?;
        let actor: ThespianActorStatus = asys.ask_as(&echo, ThespianStatusReq, ANSWER)?.ok_or("no actor status")?;
        assert_eq!(actor.actor_address, echo);
        let system: ThespianSystemStatus =
            asys.ask_as(&asys.admin_address(), ThespianStatusReq, ANSWER)?.ok_or("no system status")?;
        assert_eq!(system.admin_address, asys.admin_address());
        Ok(())
    }
}

// ----- §6.8 private -----------------------------------------------------------------------

on_every_base! {
    fn spec_6_8_private_endpoints_ask_concurrently(asys) {
        let echo = asys.create_actor::<Echo>()?;
        std::thread::scope(|s| {
            let handles = (0..8_u32)
                .map(|thread| {
                    let echo = &echo;
                    s.spawn(move || -> ThreadResult {
                        let me = asys.private().map_err(|e| e.to_string())?;
                        for seq in 0..25 {
                            let sent = Tagged { thread, seq };
                            let got: Option<Tagged> =
                                me.ask_as(echo, sent.clone(), ANSWER).map_err(|e| e.to_string())?;
                            if got.as_ref() != Some(&sent) {
                                return Err(format!("thread {thread} sent {sent:?} and got {got:?}"));
                            }
                        }
                        Ok(())
                    })
                })
                .collect();
            join_all(handles)
        })?;
        assert!(asys.listen(NO_ANSWER)?.is_none(), "no reply may reach the shared endpoint");
        Ok(())
    }

    fn spec_6_8_replies_reach_the_thread_that_asked(asys) {
        const THREADS: u32 = 4;
        let batcher = asys.create_actor::<Batcher>()?;
        let ack: Option<String> = asys.ask_as(&batcher, BatchOf { size: THREADS as usize }, ANSWER)?;
        assert_eq!(ack.as_deref(), Some("batching"));
        // No reply comes until every thread has asked, so most replies are produced while
        // another thread's call runs the system: each must still reach its own asker.
        let endpoints = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            let handles = (0..THREADS)
                .map(|thread| {
                    let (batcher, endpoints) = (&batcher, &endpoints);
                    s.spawn(move || -> ThreadResult {
                        let me = asys.private().map_err(|e| e.to_string())?;
                        endpoints.lock().map_err(|e| e.to_string())?.push(me.my_address().clone());
                        let sent = Tagged { thread, seq: 0 };
                        let got: Option<Tagged> =
                            me.ask_as(batcher, sent.clone(), ANSWER).map_err(|e| e.to_string())?;
                        if got.as_ref() != Some(&sent) {
                            return Err(format!("thread {thread} sent {sent:?} and got {got:?}"));
                        }
                        Ok(())
                    })
                })
                .collect();
            join_all(handles)
        })?;
        let endpoints = endpoints.into_inner().map_err(|e| e.to_string())?;
        let distinct: HashSet<&ActorAddress> = endpoints.iter().collect();
        assert_eq!(distinct.len(), THREADS as usize, "each private endpoint has its own address");
        assert!(!distinct.contains(asys.my_address()));
        assert!(asys.listen(NO_ANSWER)?.is_none(), "no reply may reach the shared endpoint");
        Ok(())
    }

    fn spec_6_8_dropping_a_private_endpoint_leaves_the_system_running(asys) {
        let answerer = asys.create_actor::<Answerer>()?;
        {
            let private = asys.private()?;
            let answer: Option<Answer> = private.ask_as(&answerer, 1_u64, ANSWER)?;
            assert_eq!(answer.map(|a| a.n), Some(2));
        }
        let answer: Option<Answer> = asys.ask_as(&answerer, 2_u64, ANSWER)?;
        assert_eq!(answer.map(|a| a.n), Some(4));
        let again = asys.private()?;
        let answer: Option<Answer> = again.ask_as(&answerer, 3_u64, ANSWER)?;
        assert_eq!(answer.map(|a| a.n), Some(6));
        Ok(())
    }
}

// ----- §1.2 addresses ---------------------------------------------------------------------

on_every_base! {
    fn spec_1_2_addresses_are_unique_per_actor(asys) {
        let mut all = HashSet::new();
        for _ in 0..20 {
            assert!(all.insert(asys.create_actor::<Echo>()?), "create_actor returned an address twice");
        }
        let spawner = asys.create_actor::<Spawner>()?;
        let children: Children = asys.ask_as(&spawner, SpawnChildren { count: 20 }, ANSWER)?.ok_or("no children")?;
        assert_eq!(children.addresses.len(), 20);
        for address in [vec![spawner, asys.my_address().clone(), asys.admin_address()], children.addresses].concat() {
            assert!(all.insert(address.clone()), "{address} is not unique");
        }
        assert_eq!(all.len(), 43);
        Ok(())
    }

    fn spec_1_2_addresses_are_hash_map_keys_across_messages(asys) {
        let mut index: HashMap<ActorAddress, usize> = HashMap::new();
        let mut actors = Vec::new();
        for i in 0..10 {
            let echo = asys.create_actor::<Echo>()?;
            index.insert(echo.clone(), i);
            actors.push(echo);
        }
        assert_eq!(index.len(), 10);
        for (i, echo) in actors.iter().enumerate() {
            // The actor's own view of its address, come back in a message, finds its entry.
            let back: CarriedBack = asys.ask_as(echo, CarryAddress { addr: echo.clone() }, ANSWER)?.ok_or("no reply")?;
            assert_eq!(index.get(&back.me), Some(&i));
            assert_eq!(index.get(&back.addr), Some(&i));
        }
        Ok(())
    }

    fn spec_1_2_address_is_equal_after_a_round_trip_through_a_message(asys) {
        let echo = asys.create_actor::<Echo>()?;
        let other = asys.create_actor::<Silent>()?;
        let private = asys.private()?;
        let me = asys.my_address().clone();
        for sent in [me, echo.clone(), other, asys.admin_address(), private.my_address().clone()] {
            let back: CarriedBack = asys.ask_as(&echo, CarryAddress { addr: sent.clone() }, ANSWER)?.ok_or("no reply")?;
            assert_eq!(back.addr, sent);
            assert_eq!(back.seen_sender, *asys.my_address(), "the actor sees the caller's endpoint as sender");
            assert_eq!(back.me, echo, "my_address is the address create_actor returned");
        }
        Ok(())
    }

    fn spec_1_2_address_display_uses_only_allowed_characters(asys) {
        let echo = asys.create_actor::<Echo>()?;
        let spawner = asys.create_actor::<Spawner>()?;
        let children: Children = asys.ask_as(&spawner, SpawnChildren { count: 3 }, ANSWER)?.ok_or("no children")?;
        let private = asys.private()?;
        let me = asys.my_address().clone();
        let mut addresses = vec![echo, spawner, me, asys.admin_address(), private.my_address().clone()];
        addresses.extend(children.addresses);
        let mut texts = HashSet::new();
        for address in &addresses {
            let text = address.to_string();
            assert!(printable_address(&text), "{text:?} uses characters outside spec §1.2's set");
            texts.insert(text);
        }
        assert_eq!(texts.len(), addresses.len(), "different addresses print differently");
        Ok(())
    }

    fn spec_1_2_address_of_another_system_is_invalid(asys) {
        let other = common::system(asys.base_name());
        let stranger = other.create_actor::<Echo>()?;
        let result = asys.tell(&stranger, Tagged { thread: 0, seq: 0 });
        assert!(
            matches!(result, Err(ActorSystemError::InvalidActorAddress { .. })),
            "an address of another system was accepted: {result:?}"
        );
        other.shutdown()?;
        Ok(())
    }
}

// ----- §6.3 shutdown ----------------------------------------------------------------------

on_every_base! {
    fn spec_6_3_shutdown_is_idempotent_and_later_calls_fail(asys) {
        let echo = asys.create_actor::<Echo>()?;
        let private = asys.private()?;
        asys.shutdown()?;
        asys.shutdown()?;
        private.shutdown()?;
        let msg = || Tagged { thread: 0, seq: 0 };
        assert!(is_shut_down(&asys.tell(&echo, msg())), "tell");
        assert!(is_shut_down(&asys.ask(&echo, msg(), NO_ANSWER)), "ask");
        assert!(is_shut_down(&asys.ask_as::<Tagged>(&echo, msg(), NO_ANSWER)), "ask_as");
        assert!(is_shut_down(&asys.listen(NO_ANSWER)), "listen");
        assert!(is_shut_down(&asys.listen_as::<Tagged>(NO_ANSWER)), "listen_as");
        assert!(is_shut_down(&asys.create_actor::<Echo>()), "create_actor");
        let named = ActorSpec::of::<Echo>().global_name("echo");
        assert!(is_shut_down(&asys.create_actor_with(named)), "create_actor_with");
        assert!(is_shut_down(&asys.private()), "private");
        assert!(is_shut_down(&asys.update_capability("Color", Some("Red".into()))), "update_capability");
        assert!(is_shut_down(&asys.capabilities()), "capabilities");
        assert!(is_shut_down(&asys.status()), "status");
        assert!(is_shut_down(&asys.system_update("setProcessingLimit", 100)), "system_update");
        assert!(is_shut_down(&private.tell(&echo, msg())), "tell on a private endpoint");
        assert!(is_shut_down(&private.listen(NO_ANSWER)), "listen on a private endpoint");
        Ok(())
    }
}

/// How many `ActorExitRequest`s the actors of
/// [`spec_6_3_dropping_the_system_shuts_it_down`] have handled.
///
/// A static, used by that one test only: once the system is dropped no endpoint is left to
/// receive a report, and an actor cannot be handed a channel (its constructor takes no
/// arguments and messages must be serializable). Observing a static from the test works
/// because the simple base runs actors in this process, so the test is a plain `#[test]`
/// on that base rather than an `on_every_base!` test.
static EXIT_REQUESTS_SEEN: AtomicUsize = AtomicUsize::new(0);

/// Counts its exit request in [`EXIT_REQUESTS_SEEN`]; creates children on request.
#[derive(Default)]
struct ExitCounter;

impl Actor for ExitCounter {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<ActorExitRequest>() {
            EXIT_REQUESTS_SEEN.fetch_add(1, Ordering::SeqCst);
        } else if let Some(req) = msg.downcast_ref::<SpawnChildren>() {
            let mut addresses = Vec::with_capacity(req.count);
            for _ in 0..req.count {
                addresses.push(ctx.create_actor::<ExitCounter>()?);
            }
            ctx.send(sender, Children { addresses });
        }
        Ok(())
    }
}

#[test]
fn spec_6_3_dropping_the_system_shuts_it_down() -> TestResult {
    let asys = common::system("simpleSystemBase");
    let parent = asys.create_actor::<ExitCounter>()?;
    asys.create_actor::<ExitCounter>()?;
    asys.create_actor::<ExitCounter>()?;
    let children: Children = asys.ask_as(&parent, SpawnChildren { count: 2 }, ANSWER)?.ok_or("no children")?;
    assert_eq!(children.addresses.len(), 2);
    assert_eq!(EXIT_REQUESTS_SEEN.load(Ordering::SeqCst), 0, "no actor was asked to exit yet");
    drop(asys);
    assert_eq!(EXIT_REQUESTS_SEEN.load(Ordering::SeqCst), 5, "every actor, children included, was asked to exit");
    Ok(())
}

/// Set by the listening thread of [`spec_6_3_shutdown_ends_a_waiting_listen`] just
/// before it calls `listen`: from then on, that thread's only call into the system is the
/// `listen`.
static ABOUT_TO_LISTEN: AtomicBool = AtomicBool::new(false);

/// Where a [`ListenWitness`] reports that it ran inside the listener's `listen`.
static INSIDE_LISTEN: Mutex<Option<mpsc::Sender<()>>> = Mutex::new(None);

/// Asks a [`ListenWitness`] to report once it runs inside the listener's `listen`.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Arm;

/// Reports to [`INSIDE_LISTEN`] from a wakeup handled after [`ABOUT_TO_LISTEN`] was set.
///
/// The simple base runs actors, and fires due wakeups, in the thread whose call runs the
/// system. Only the listening thread calls into the system, so a wakeup handled once the
/// flag is set runs inside that thread's `listen`, which holds the system's lock until it
/// waits for its reply. A wakeup that falls due before the flag is set (during the `tell`
/// that armed it, on a slow machine) is re-armed.
#[derive(Default)]
struct ListenWitness;

impl Actor for ListenWitness {
    fn receive_message(&mut self, msg: &mut dyn Message, _: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        let inside_listen = msg.is::<WakeupMessage>() && ABOUT_TO_LISTEN.load(Ordering::SeqCst);
        if inside_listen {
            let report = INSIDE_LISTEN.lock().map_err(|_| "report channel poisoned")?;
            report.as_ref().ok_or("no report channel")?.send(()).map_err(|_| "the test stopped waiting")?;
        } else if msg.is::<Arm>() || msg.is::<WakeupMessage>() {
            ctx.wakeup_after(Duration::from_millis(5), ());
        }
        Ok(())
    }
}

/// Spec §6.3 on the simple base: a thread provably waiting in `listen` is woken by a
/// shutdown from another thread and fails with `SystemShutDown`, long before its timeout.
///
/// The listening thread arms a [`ListenWitness`], sets [`ABOUT_TO_LISTEN`], then listens;
/// the witness's wakeup fires inside that `listen`, which reports through
/// [`INSIDE_LISTEN`]. The main thread shuts the system down only after that report, and
/// the shutdown can take the system's lock only once the listener has released it to wait.
/// A plain `#[test]` on that base, like [`spec_6_3_dropping_the_system_shuts_it_down`]: the
/// statics work because the simple base runs actors in this process.
#[test]
fn spec_6_3_shutdown_ends_a_waiting_listen() -> TestResult {
    let asys = common::system("simpleSystemBase");
    let witness = asys.create_actor::<ListenWitness>()?;
    let (report, inside_listen) = mpsc::channel();
    *INSIDE_LISTEN.lock().map_err(|_| "report channel poisoned")? = Some(report);
    let (listened, took) = std::thread::scope(|s| -> Result<_, Failure> {
        let listener = s.spawn(|| -> Result<_, ActorSystemError> {
            let private = asys.private()?;
            private.tell(&witness, Arm)?;
            ABOUT_TO_LISTEN.store(true, Ordering::SeqCst);
            let started = Instant::now();
            let listened = private.listen(ANSWER).map(|_| ());
            Ok((listened, started.elapsed()))
        });
        match inside_listen.recv_timeout(ANSWER) {
            Ok(()) => asys.shutdown()?,
            Err(e) => {
                asys.shutdown()?; // lets the listener finish before the error is returned
                return Err(format!("the witness never ran inside the listener's listen: {e}").into());
            }
        }
        Ok(listener.join().map_err(|_| "the listening thread panicked")??)
    })?;
    assert!(is_shut_down(&listened), "a listen waiting during shutdown gave {listened:?}");
    assert!(took < ANSWER, "the waiting listen was not woken by the shutdown: it returned after {took:?}");
    Ok(())
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Relay);
thespian::register_actor!(Answerer);
thespian::register_actor!(Twice);
thespian::register_actor!(Silent);
thespian::register_actor!(Echo);
thespian::register_actor!(Batcher);
thespian::register_actor!(Spawner);
thespian::register_actor!(SystemSender);
thespian::register_actor!(Failer);
thespian::register_actor!(ExitCounter);
thespian::register_actor!(ListenWitness);
