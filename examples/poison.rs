//! Failure: a handler that fails is given the same message once more; if it fails again,
//! the message goes back to its sender wrapped in a `PoisonMessage`, and the actor lives on.
//!
//! Run it with `cargo run --example poison`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: fragile
/// A piece of work. `attempts` is counted by the actor that does it.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Job {
    name: String,
    attempts: u32,
}

impl Job {
    fn new(name: &str) -> Self {
        Self { name: name.to_string(), attempts: 0 }
    }
}

/// The answer to a job that went well.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Done(String);

/// Does jobs; some jobs make it fail.
#[derive(Default)]
struct Fragile {
    flaky_failures: u32,
}

#[actor]
impl Fragile {
    #[handler(Job)]
    fn work(&mut self, job: &mut Job, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), String> {
        job.attempts += 1; // a change to the message itself, kept across attempts
        match job.name.as_str() {
            "bad" => return Err(format!("cannot do {:?}", job.name)),
            "panic" => panic!("{} makes me panic", job.name),
            "flaky" if self.flaky_failures == 0 => {
                self.flaky_failures += 1; // the same instance is retried: this is remembered
                return Err("flaky failure".to_string());
            }
            _ => {}
        }
        ctx.send(sender, Done(format!("{} after {} attempt(s)", job.name, job.attempts)));
        Ok(())
    }
}
// ANCHOR_END: fragile

// ANCHOR: supervisor
/// What a `Supervisor` reports: the jobs done and the jobs that came back as poison.
#[derive(Debug, Default, Serialize, Deserialize, Message)]
struct Report {
    done: Vec<String>,
    poisoned: Vec<String>,
}

/// Hands jobs to a `Fragile` child and reports what happened to them.
#[derive(Default)]
struct Supervisor {
    report: Report,
}

#[actor]
impl Supervisor {
    /// A comma-separated list of job names: hand them to a new `Fragile`.
    #[handler(String)]
    fn start(&mut self, names: &String, ctx: &mut ActorContext<'_>) -> Result<(), ActorSystemError> {
        let worker = ctx.create_actor::<Fragile>()?;
        for name in names.split(',') {
            ctx.send(&worker, Job::new(name));
        }
        // On the simple base, all the work is over when we are asked again.
        Ok(())
    }

    #[handler(Done)]
    fn done(&mut self, Done(what): &Done) {
        self.report.done.push(what.clone());
    }

    #[handler(PoisonMessage)]
    fn poisoned(&mut self, poison: &PoisonMessage) {
        if let Some(job) = poison.poison_message.downcast_ref::<Job>() {
            self.report.poisoned.push(format!("{}: {}", job.name, poison.details));
        }
    }

    /// `()` asks for the report.
    #[handler(())]
    fn report(&mut self, _msg: &(), sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, std::mem::take(&mut self.report));
    }
}
// ANCHOR_END: supervisor

fn main() -> Result<(), ActorSystemError> {
    // ANCHOR: quiet
    // Failures are expected here: keep the system's warnings out of the output.
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    // ANCHOR_END: quiet
    let fragile = asys.create_actor::<Fragile>()?;

    // ANCHOR: outside
    for name in ["good", "flaky", "bad", "panic", "good"] {
        let reply = asys.ask(&fragile, Job::new(name), WAIT)?.expect("an answer within a second");
        if let Some(Done(what)) = reply.downcast_ref::<Done>() {
            println!("done: {what}");
        } else if let Some(poison) = reply.downcast_ref::<PoisonMessage>() {
            let job = poison.poison_message.downcast_ref::<Job>().expect("our own Job came back");
            println!("poison: {job:?} failed with {:?}", poison.details);
            assert_eq!(job.attempts, 2);
        }
    }
    // ANCHOR_END: outside

    // ANCHOR: inside
    let supervisor = asys.create_actor::<Supervisor>()?;
    asys.tell(&supervisor, "good,bad,flaky".to_string())?;
    let report: Option<Report> = asys.ask_as(&supervisor, (), WAIT)?;
    let report = report.expect("the supervisor reports");
    println!("the supervisor saw {report:?}");
    assert_eq!(report.done.len(), 2);
    assert_eq!(report.poisoned, ["bad: error: cannot do \"bad\""]);
    // ANCHOR_END: inside

    asys.shutdown()
}
