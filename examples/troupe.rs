//! Troupes: `#[troupe]` puts several instances of one actor behind one address. Work goes to
//! an idle worker, or to a new one up to `max_count`, or waits its turn; workers answer the
//! original sender; a worker busy with several messages says so; extra workers go once the
//! work runs out; a worker's failure comes back as poison, and a dead worker's work is
//! handed out again.
//!
//! Run it with `cargo run --example troupe`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use thespian::patterns::{TroupeSettings, TroupeStatus, TroupeStatusReq, UpdateTroupeSettings};
use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

// ANCHOR: squarer
/// Asks for the square of a number.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Square(u64);

/// The answer, and which worker of the troupe worked it out.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Squared {
    n: u64,
    square: u64,
    worker: ActorAddress,
}

/// Squares numbers, as a troupe of up to four workers.
#[derive(Default)]
struct Squarer;

#[troupe(max_count = 4, idle_count = 1)]
#[actor]
impl Squarer {
    #[handler(Square)]
    fn square(&mut self, msg: &Square, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        let square = msg.0.checked_mul(msg.0).ok_or("too big to square")?;
        // `sender` is whoever sent `Square` to the troupe, not the troupe itself.
        ctx.send(sender, Squared { n: msg.0, square, worker: ctx.my_address().clone() });
        Ok(())
    }
}
// ANCHOR_END: squarer

// ANCHOR: batch
/// Asks a `Batch` to square all `numbers` with the troupe.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Run {
    troupe: ActorAddress,
    numbers: Vec<u64>,
}

/// The `Batch`'s report: the sum of the squares, and how many workers took part.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Report {
    sum: u64,
    workers: usize,
}

/// Sends every number to the troupe at once, and reports once every answer is in.
#[derive(Default)]
struct Batch {
    client: Option<ActorAddress>,
    waiting: usize,
    sum: u64,
    workers: HashSet<ActorAddress>,
}

#[actor]
impl Batch {
    #[handler(Run)]
    fn run(&mut self, msg: &Run, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.client = Some(sender.clone());
        self.waiting = msg.numbers.len();
        for &n in &msg.numbers {
            ctx.send(&msg.troupe, Square(n));
        }
    }

    #[handler(Squared)]
    fn squared(&mut self, msg: &Squared, ctx: &mut ActorContext<'_>) {
        self.sum += msg.square;
        self.workers.insert(msg.worker.clone());
        self.waiting -= 1;
        if let (0, Some(client)) = (self.waiting, &self.client) {
            ctx.send(client, Report { sum: self.sum, workers: self.workers.len() });
        }
    }
}
// ANCHOR_END: batch

// ANCHOR: quoter
/// Asks for the price of an item.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Quote(String);

/// The price of an item, in cents, and the worker that quoted it.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Quoted {
    item: String,
    cents: u64,
    worker: ActorAddress,
}

/// Quotes prices, as a troupe of up to two workers. Each quote takes two messages: the
/// `Quote`, then the `Price` from the price list.
#[derive(Default)]
struct Quoter {
    client: Option<ActorAddress>,
}

#[troupe(max_count = 2, idle_count = 1)]
#[actor]
impl Quoter {
    #[handler(Quote)]
    fn quote(&mut self, msg: &Quote, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        let prices = ctx.create_actor_with(ActorSpec::of::<PriceList>().global_name("price list"))?;
        ctx.send(&prices, Lookup(msg.0.clone()));
        self.client = Some(sender.clone());
        // Not done yet: the troupe must not hand this worker more work meanwhile.
        ctx.set_troupe_work_in_progress(true);
        Ok(())
    }

    #[handler(Price)]
    fn price(&mut self, msg: &Price, ctx: &mut ActorContext<'_>) {
        if let Some(client) = self.client.take() {
            let worker = ctx.my_address().clone();
            ctx.send(&client, Quoted { item: msg.item.clone(), cents: msg.cents, worker });
        }
        // Done: ready for the next piece of work.
        ctx.set_troupe_work_in_progress(false);
    }
}
// ANCHOR_END: quoter

// ANCHOR: price_list
/// Asks the price list for the price of an item.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Lookup(String);

/// The price list's answer.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Price {
    item: String,
    cents: u64,
}

/// The wakeup payload: the answer to send, and to whom.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Answer {
    to: ActorAddress,
    price: Price,
}

/// A slow price list: each answer takes 100 ms (a timer stands in for a database).
#[derive(Default)]
struct PriceList;

#[actor]
impl PriceList {
    #[handler(Lookup)]
    fn lookup(&mut self, msg: &Lookup, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let cents = 100 * msg.0.len() as u64;
        let answer = Answer { to: sender.clone(), price: Price { item: msg.0.clone(), cents } };
        ctx.wakeup_after(Duration::from_millis(100), answer);
    }

    #[handler(WakeupMessage)]
    fn answer(&mut self, msg: &WakeupMessage, ctx: &mut ActorContext<'_>) {
        if let Some(answer) = msg.payload_as::<Answer>() {
            ctx.send(&answer.to, answer.price.clone());
        }
    }
}
// ANCHOR_END: price_list

/// Asks a troupe for its status.
fn status(asys: &ActorSystem, troupe: &ActorAddress) -> Result<TroupeStatus, ActorSystemError> {
    let status = asys.ask_as::<TroupeStatus>(troupe, TroupeStatusReq, WAIT)?;
    Ok(status.expect("a troupe answers TroupeStatusReq"))
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: ask
    let squarer = asys.create_actor::<Squarer>()?;
    let answer = asys.ask_as::<Squared>(&squarer, Square(7), WAIT)?.expect("an answer");
    println!("7 squared is {}, worked out by {} (the troupe is {squarer})", answer.square, answer.worker);
    // ANCHOR_END: ask
    assert_eq!((answer.n, answer.square), (7, 49));
    assert_ne!(answer.worker, squarer, "a worker answers, not the troupe's address");

    // ANCHOR: burst
    let batch = asys.create_actor::<Batch>()?;
    let run = Run { troupe: squarer.clone(), numbers: (1..=12).collect() };
    let report = asys.ask_as::<Report>(&batch, run, WAIT)?.expect("a report");
    println!("sum of squares: {}, from {} workers", report.sum, report.workers);
    println!("{:?}", status(&asys, &squarer)?);
    // ANCHOR_END: burst
    assert_eq!(report.sum, (1..=12).map(|n| n * n).sum::<u64>());
    assert_eq!(report.workers, 4, "the burst grows the troupe to max_count");

    // ANCHOR: shrink
    let idle_since = Instant::now();
    let mut now = status(&asys, &squarer)?;
    while now.workers > now.idle_count {
        // Wait a little for anything to arrive; nothing should.
        assert!(asys.listen(Duration::from_millis(250))?.is_none());
        now = status(&asys, &squarer)?;
    }
    println!("after {:.1} s: {now:?}", idle_since.elapsed().as_secs_f64());
    // ANCHOR_END: shrink
    assert_eq!((now.workers, now.idle), (1, 1));
    assert!(idle_since.elapsed() >= Duration::from_secs(1));

    // ANCHOR: poison
    let reply = asys.ask(&squarer, Square(u64::MAX), WAIT)?.expect("an answer");
    let poison = reply.downcast::<PoisonMessage>().expect("the work failed twice");
    let returned = poison.poison_message.downcast_ref::<Square>().expect("our Square");
    println!("Square({}) came back: {}", returned.0, poison.details);
    // ANCHOR_END: poison
    assert!(poison.details.contains("too big to square"));

    // ANCHOR: settings
    let update = UpdateTroupeSettings { max_count: Some(8), idle_count: Some(12) };
    let settings = asys.ask_as::<TroupeSettings>(&squarer, update, WAIT)?.expect("the settings");
    println!("{settings:?}");
    // ANCHOR_END: settings
    assert_eq!(settings, TroupeSettings { max_count: 8, idle_count: 8 });

    // ANCHOR: in_progress
    let quoter = asys.create_actor::<Quoter>()?;
    let started = Instant::now();
    for item in ["lamp", "desk", "chair"] {
        asys.tell(&quoter, Quote(item.to_string()))?;
    }
    println!("{:?}", status(&asys, &quoter)?);
    let mut workers = HashSet::new();
    for _ in 0..3 {
        let quoted = asys.listen_as::<Quoted>(WAIT)?.expect("a quote");
        println!("{:>4} ms  {} costs {} cents", started.elapsed().as_millis(), quoted.item, quoted.cents);
        workers.insert(quoted.worker);
    }
    // ANCHOR_END: in_progress
    assert_eq!(workers.len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(200), "the third quote waited for a worker");

    // ANCHOR: dead_worker
    let quoter = asys.create_actor::<Quoter>()?;
    asys.tell(&quoter, Quote("sofa".to_string()))?;
    let manager = asys.ask_as::<ThespianActorStatus>(&quoter, ThespianStatusReq, WAIT)?.expect("a status");
    let busy = manager.children[0].clone();
    asys.tell(&busy, ActorExitRequest::new())?; // stop the worker in the middle of its work
    let quoted = asys.listen_as::<Quoted>(WAIT)?.expect("a quote");
    println!("{} costs {} cents, quoted by {} after {busy} stopped", quoted.item, quoted.cents, quoted.worker);
    // ANCHOR_END: dead_worker
    assert_eq!(quoted.item, "sofa");
    assert_ne!(quoted.worker, busy, "another worker took the work over");
    assert!(asys.listen(Duration::from_millis(200))?.is_none(), "and answered once");

    asys.shutdown()
}
