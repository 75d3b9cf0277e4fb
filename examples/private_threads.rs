//! Several threads talking to one actor system, each through its own private endpoint
//! (`ActorSystem::private`), so each thread receives only the replies meant for it.
//!
//! Run it with `cargo run --example private_threads`.

use std::thread;
use std::time::Duration;

use thespian::prelude::*;

// ANCHOR: squarer
/// Answers every `i64` with its square.
#[derive(Default)]
struct Squarer;

#[actor]
impl Squarer {
    #[handler(i64)]
    fn square(&mut self, n: &i64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, n * n);
    }
}
// ANCHOR_END: squarer

// ANCHOR: main
fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;
    let squarer = asys.create_actor::<Squarer>()?;

    let results: Vec<(i64, Option<i64>)> = thread::scope(|s| {
        let workers: Vec<_> = (1..=4_i64)
            .map(|n| {
                let (asys, squarer) = (&asys, &squarer);
                s.spawn(move || -> Result<(i64, Option<i64>), ActorSystemError> {
                    // This thread's own endpoint; dropping it closes the endpoint.
                    let mine = asys.private()?;
                    assert_ne!(mine.my_address(), asys.my_address());
                    let mut last = None;
                    for round in 0..100 {
                        let asked = n * 1000 + round;
                        last = mine.ask_as::<i64>(squarer, asked, Duration::from_secs(5))?;
                        assert_eq!(last, Some(asked * asked), "a reply for another thread?");
                    }
                    Ok((n, last))
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker thread panicked")).collect::<Result<_, _>>()
    })?;

    for (n, last) in &results {
        println!("thread {n}: 100 answers, all its own; the last was {last:?}");
    }
    assert_eq!(results.len(), 4);
    asys.shutdown()
}
// ANCHOR_END: main
