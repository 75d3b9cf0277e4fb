//! The `hello` party again, on `multiprocTCPBase`: every actor runs in an OS process of its
//! own, and says which. The program starts the system's admin on a free port, a host actor
//! creates one greeter child per guest, and the program shuts the system down at the end.
//!
//! Run it with `cargo run --example tcp_hello`.

use std::time::Duration;

use thespian::prelude::*;

const WAIT: Duration = Duration::from_secs(10);

// ANCHOR: messages
/// Asks a `Host` to have every guest greeted.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Invite {
    guests: Vec<String>,
}

/// A greeter's answer: the greeting, and the process the greeter runs in.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Greeting {
    text: String,
    pid: u32,
}

/// What the host reports once every guest was greeted.
#[derive(Debug, Serialize, Deserialize, Message)]
struct PartyReport {
    host_pid: u32,
    greetings: Vec<Greeting>,
}
// ANCHOR_END: messages

// ANCHOR: actors
/// Answers a name with a `Greeting` that names this process.
#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn greet(&mut self, name: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let greeting = Greeting { text: format!("Hello, {name}!"), pid: std::process::id() };
        ctx.send(sender, greeting);
    }
}

/// Creates a `Greeter` child per guest, and reports when all of them answered.
#[derive(Default)]
struct Host {
    organiser: Option<ActorAddress>,
    expected: usize,
    greetings: Vec<Greeting>,
}

#[actor]
impl Host {
    #[handler(Invite)]
    fn invite(&mut self, invite: &Invite, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.organiser = Some(sender.clone());
        self.expected = invite.guests.len();
        for guest in &invite.guests {
            // Each child is a new process, forked from the zygote.
            let greeter = ctx.create_actor::<Greeter>()?;
            ctx.send(&greeter, guest.clone());
        }
        Ok(())
    }

    #[handler(Greeting)]
    fn greeted(&mut self, greeting: &Greeting, ctx: &mut ActorContext<'_>) {
        self.greetings.push(Greeting { text: greeting.text.clone(), pid: greeting.pid });
        if self.greetings.len() == self.expected {
            if let Some(organiser) = self.organiser.take() {
                let greetings = std::mem::take(&mut self.greetings);
                ctx.send(&organiser, PartyReport { host_pid: std::process::id(), greetings });
            }
        }
    }
}
// ANCHOR_END: actors

// ANCHOR: main
fn main() -> Result<(), ActorSystemError> {
    // First in `main`. In the program it returns at once; in a process that the system
    // starts from this binary (the admin, the zygote), it becomes that process.
    thespian::init();

    // ANCHOR: builder
    let asys = ActorSystem::builder()
        .base("multiprocTCPBase")
        .admin_port(0) // a free port; a real deployment keeps the default, 1900
        .shutdown_on_drop(true) // even if this program fails, nothing is left running
        .build()?;
    // ANCHOR_END: builder
    let caps = asys.capabilities()?;
    let port = caps.get("Admin Port").map_or_else(|| "?".to_string(), ToString::to_string);
    println!("the program runs in process {}; the admin listens on port {port}", std::process::id());

    let host = asys.create_actor::<Host>()?;
    let guests = ["Ada", "Grace", "Barbara"].map(String::from).to_vec();
    let report: Option<PartyReport> = asys.ask_as(&host, Invite { guests }, WAIT)?;
    let report = report.expect("the host reports within 10 s");
    println!("the host runs in process {}", report.host_pid);
    for greeting in &report.greetings {
        println!("  {:?} from a greeter in process {}", greeting.text, greeting.pid);
    }

    // Five actors' worth of processes: the program's, the host's and one per greeter.
    let mut pids: Vec<u32> = report.greetings.iter().map(|g| g.pid).collect();
    pids.extend([std::process::id(), report.host_pid]);
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 5, "every actor runs in a process of its own");

    // Stops every actor, their processes, the zygote and the admin.
    asys.shutdown()
}
// ANCHOR_END: main
