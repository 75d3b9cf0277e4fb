//! Talking to actors from outside: `tell`, `ask`, `ask_as`, `listen`, timeouts, and the
//! reply that belongs to an earlier request.
//!
//! Run it with `cargo run --example asking`.

use std::time::{Duration, Instant};

use thespian::prelude::*;

// ANCHOR: actors
/// Sends every `String` straight back.
#[derive(Default)]
struct Echo;

#[actor]
impl Echo {
    #[handler(String)]
    fn echo(&mut self, text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, text.clone());
    }
}

/// Receives everything and answers nothing.
#[derive(Default)]
struct Silent;

#[actor]
impl Silent {}

/// Answers every `String` twice.
#[derive(Default)]
struct Chatty;

#[actor]
impl Chatty {
    #[handler(String)]
    fn answer_twice(&mut self, text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("first answer to {text}"));
        ctx.send(sender, format!("second answer to {text}"));
    }
}
// ANCHOR_END: actors

// ANCHOR: tagged
/// A question with a number chosen by the asker.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Question {
    id: u64,
    text: String,
}

/// An answer carrying the number of the question it answers.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Answer {
    id: u64,
    text: String,
}

/// Answers every question twice, like `Chatty`, but tags its answers.
#[derive(Default)]
struct Oracle;

#[actor]
impl Oracle {
    #[handler(Question)]
    fn answer(&mut self, q: &Question, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Answer { id: q.id, text: format!("yes, {}", q.text) });
        ctx.send(sender, Answer { id: q.id, text: "and another thing".to_string() });
    }
}

/// Sends `question` and waits until `timeout` for the answer with the same id,
/// dropping answers to earlier questions on the way.
fn ask_tagged(
    asys: &ActorSystem,
    target: &ActorAddress,
    question: Question,
    timeout: Duration,
) -> Result<Option<Answer>, ActorSystemError> {
    let deadline = Instant::now() + timeout;
    let id = question.id;
    asys.tell(target, question)?;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match asys.listen_as::<Answer>(left)? {
            None => return Ok(None),
            Some(answer) if answer.id == id => return Ok(Some(answer)),
            Some(stale) => println!("  dropped a stale answer: {stale:?}"),
        }
    }
}
// ANCHOR_END: tagged

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let echo = asys.create_actor::<Echo>()?;

    // ANCHOR: ask
    let reply: Option<Box<dyn Message>> = asys.ask(&echo, "ping".to_string(), Duration::from_secs(1))?;
    println!("ask gave {reply:?}");
    let text: Option<String> = reply.and_then(|m| m.downcast::<String>().ok()).map(|boxed| *boxed);
    assert_eq!(text.as_deref(), Some("ping"));

    let reply: Option<String> = asys.ask_as(&echo, "pong".to_string(), Duration::from_secs(1))?;
    println!("ask_as gave {reply:?}");
    assert_eq!(reply.as_deref(), Some("pong"));
    // ANCHOR_END: ask

    // ANCHOR: tell_listen
    asys.tell(&echo, "one".to_string())?;
    asys.tell(&echo, "two".to_string())?;
    let first: Option<String> = asys.listen_as(Duration::from_secs(1))?;
    let second: Option<String> = asys.listen_as(Duration::from_secs(1))?;
    println!("listen gave {first:?}, then {second:?}");
    assert_eq!((first.as_deref(), second.as_deref()), (Some("one"), Some("two")));
    // ANCHOR_END: tell_listen

    // ANCHOR: timeout
    let silent = asys.create_actor::<Silent>()?;
    let started = Instant::now();
    let reply = asys.ask(&silent, "hello?".to_string(), Duration::from_millis(50))?;
    println!("the silent actor gave {reply:?} after {:?}", started.elapsed());
    assert!(reply.is_none());
    assert!(started.elapsed() >= Duration::from_millis(50));
    // ANCHOR_END: timeout

    // ANCHOR: wrong_type
    match asys.ask_as::<i64>(&echo, "not a number".to_string(), Duration::from_secs(1)) {
        Err(e @ ActorSystemError::UnexpectedReply { .. }) => {
            println!("ask_as failed: {e}");
            let reply = e.into_reply().expect("UnexpectedReply carries the reply");
            println!("the reply was still there: {:?}", reply.downcast_ref::<String>());
        }
        other => panic!("expected UnexpectedReply, got {other:?}"),
    }
    // ANCHOR_END: wrong_type

    // ANCHOR: gotcha
    let chatty = asys.create_actor::<Chatty>()?;
    let a: Option<String> = asys.ask_as(&chatty, "A".to_string(), Duration::from_secs(1))?;
    let b: Option<String> = asys.ask_as(&chatty, "B".to_string(), Duration::from_secs(1))?;
    println!("asked A, got {a:?}");
    println!("asked B, got {b:?}");
    assert_eq!(b.as_deref(), Some("second answer to A")); // not an answer to B!

    // Drain what is left before going on: listen until nothing comes.
    while let Some(left_over) = asys.listen(Duration::from_millis(10))? {
        println!("left over: {left_over:?}");
    }
    // ANCHOR_END: gotcha

    // ANCHOR: use_tagged
    let oracle = asys.create_actor::<Oracle>()?;
    for (id, text) in [(1, "is it Tuesday?"), (2, "is it raining?")] {
        println!("asking question {id}");
        let question = Question { id, text: text.to_string() };
        let answer = ask_tagged(&asys, &oracle, question, Duration::from_secs(1))?;
        println!("  answer: {answer:?}");
        assert_eq!(answer.map(|a| a.id), Some(id));
    }
    // ANCHOR_END: use_tagged

    asys.shutdown()
}
