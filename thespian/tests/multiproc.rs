//! Behaviours only the multi-process bases have (spec §9.3–§9.5): many actor processes at
//! once, traffic between them, large messages, and a system that outlives the program that
//! started it (§9.4).
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::actors::{pattern, Blob, BlobEcho};
use common::procs::{self, descendants, descendants_of, listener_of, Watched};
use common::*;
use thespian::prelude::*;

// ----- many children ----------------------------------------------------------------------

/// Asks a [`Crowd`] to create this many children and collect an answer from each.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Gather(u32);

/// What a [`Crowd`] gathered: each child's number and process id.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Gathered(Vec<(u32, u32)>);

/// Asks a [`Member`] for its process id, tagged with its number.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Roll(u32);

/// A [`Member`]'s answer to [`Roll`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Present(u32, u32);

#[derive(Default)]
struct Crowd {
    asker: Option<ActorAddress>,
    expected: u32,
    present: Vec<(u32, u32)>,
}

#[actor]
impl Crowd {
    #[handler(Gather)]
    fn gather(&mut self, m: &Gather, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.asker = Some(sender.clone());
        self.expected = m.0;
        for n in 0..m.0 {
            let member = ctx.create_actor::<Member>()?;
            ctx.send(&member, Roll(n));
        }
        Ok(())
    }

    #[handler(Present)]
    fn present(&mut self, m: &Present, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.present.push((m.0, m.1));
        if self.present.len() == self.expected as usize {
            if let Some(asker) = &self.asker {
                ctx.send(asker, Gathered(std::mem::take(&mut self.present)));
            }
        }
    }
}

#[derive(Default)]
struct Member;

#[actor]
impl Member {
    #[handler(Roll)]
    fn roll(&mut self, m: &Roll, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Present(m.0, std::process::id()));
    }
}

// ----- the adder --------------------------------------------------------------------------

/// Asks an [`Adders`] coordinator to run the adder: `actors` adders, each given its own
/// number, with `background` unrelated messages among them; answered with the [`Sum`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct RunAdder {
    actors: u64,
    background: u64,
}

/// Adds its value to an adder's total.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Add(u64);

/// Traffic that an adder counts but does not add.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Noise(u64);

/// Asks an adder for its total.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Report;

/// An adder's total, and how much noise it heard.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Total {
    sum: u64,
    noise: u64,
}

/// The adder's result: the sum of every total, the noise heard, and how many reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
struct Sum {
    sum: u64,
    noise: u64,
    reports: u64,
}

#[derive(Default)]
struct Adders {
    asker: Option<ActorAddress>,
    expected: u64,
    result: Option<Sum>,
}

#[actor]
impl Adders {
    #[handler(RunAdder)]
    fn run(&mut self, m: &RunAdder, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.asker = Some(sender.clone());
        self.expected = m.actors;
        self.result = Some(Sum { sum: 0, noise: 0, reports: 0 });
        let mut adders = Vec::new();
        for n in 1..=m.actors {
            let adder = ctx.create_actor::<Adder>()?;
            ctx.send(&adder, Add(n));
            adders.push(adder);
        }
        // Background traffic, spread over the adders, interleaved with the reports.
        for (i, adder) in adders.iter().enumerate() {
            if (i as u64) < m.background {
                ctx.send(adder, Noise(i as u64));
            }
            ctx.send(adder, Report);
        }
        Ok(())
    }

    #[handler(Total)]
    fn total(&mut self, m: &Total, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let Some(result) = &mut self.result else { return };
        result.sum += m.sum;
        result.noise += m.noise;
        result.reports += 1;
        if result.reports == self.expected {
            if let (Some(asker), Some(result)) = (&self.asker, self.result.take()) {
                ctx.send(asker, result);
            }
        }
    }
}

#[derive(Default)]
struct Adder {
    sum: u64,
    noise: u64,
}

#[actor]
impl Adder {
    #[handler(Add)]
    fn add(&mut self, m: &Add, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        self.sum += m.0;
    }

    #[handler(Noise)]
    fn noise(&mut self, _m: &Noise, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        self.noise += 1;
    }

    #[handler(Report)]
    fn report(&mut self, _m: &Report, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Total { sum: self.sum, noise: self.noise });
    }
}

// ----- large messages ---------------------------------------------------------------------

on_multiprocess_bases! {
    fn spec_9_100_children_each_in_its_own_process_all_answer(asys) {
        let crowd = asys.create_actor::<Crowd>()?;
        let Gathered(mut present) = answer(asys, &crowd, Gather(100))?;
        present.sort_unstable();
        let numbers: Vec<u32> = present.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, (0..100).collect::<Vec<u32>>(), "every child answered once");
        let mut pids: Vec<u32> = present.iter().map(|(_, pid)| *pid).collect();
        pids.sort_unstable();
        pids.dedup();
        assert_eq!(pids.len(), 100, "a hundred processes");
        assert!(!pids.contains(&std::process::id()));
        Ok(())
    }

    fn spec_9_275_adders_sum_correctly_with_background_traffic(asys) {
        for background in [0, 37, 100] {
            let adders = asys.create_actor::<Adders>()?;
            let sum: Sum = answer(asys, &adders, RunAdder { actors: 275, background })?;
            assert_eq!(sum, Sum { sum: 275 * 276 / 2, noise: background, reports: 275 });
            asys.tell(&adders, ActorExitRequest::new())?;
        }
        Ok(())
    }

    #[not_on_udp = "§9.5: a UDP message fits in one datagram; udp_base.rs tests the limit"]
    fn spec_9_messages_from_1_byte_to_50_mib_arrive_whole(asys) {
        let echo = asys.create_actor::<BlobEcho>()?;
        for len in [0, 1, 1 << 10, 64 << 10, 1 << 20, 10 << 20, 50 << 20] {
            let sent = pattern(len);
            let back: Blob = answer(asys, &echo, sent.clone())?;
            assert!(back == sent, "a {len}-byte message came back as {} bytes, or changed", back.0.len());
        }
        Ok(())
    }
}

// ----- the admin outlives its starter (spec §9.4) ------------------------------------------

/// The name the starter gives its actor, for the programs that attach later.
const SHARED: &str = "multiproc-test-shared-echo";

/// Set for the starter program, to the name of the base it starts.
const STARTER: &str = "THESPIAN_TEST_STARTER";

/// Answers a `String` with the text and its process id.
#[derive(Default)]
struct Echo;

#[actor]
impl Echo {
    #[handler(String)]
    fn echo(&mut self, text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{text} from {}", std::process::id()));
    }
}

/// Prints, for the parent test, the system's Admin Port and every process of this program's
/// (on a line of its own: libtest has written the test's name without ending its line).
fn report_system(asys: &ActorSystem) -> TestResult {
    let pids: Vec<String> = descendants()?.iter().map(u32::to_string).collect();
    // A Queue system has no Admin Port: 0 then.
    println!("\nport={} pids={}", admin_port(asys).unwrap_or(0), pids.join(","));
    Ok(())
}

/// Runs the ignored test `name` of this binary in a child process with `var` set to the
/// TCP base's name, and reads its [`report_system`] line: returns the child, the Admin
/// Port, and the system's processes watched (killed if the test fails).
fn run_reporter(name: &str, var: &str, base: &str) -> Result<(std::process::Child, u16, Watched), Failure> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([name, "--exact", "--include-ignored", "--nocapture", "--test-threads=1"])
        .env(var, base)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let mut watched = Watched::default();
    while let Some(line) = lines.next() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("port=") {
            let (port, pids) = rest.split_once(" pids=").ok_or("a malformed report")?;
            for pid in pids.split(',').filter(|p| !p.is_empty()) {
                watched.watch(pid.parse()?)?;
            }
            // The rest of its output is read too, so that the child can write it.
            std::thread::spawn(move || lines.for_each(drop));
            return Ok((child, port.parse()?, watched));
        }
    }
    let status = child.wait()?;
    Err(format!("{name} reported no system ({status})").into())
}

/// The starter's side, run in a child process: starts a system that outlives it, creates a
/// named actor there, prints the Admin Port and the system's processes, and ends.
#[test]
#[ignore = "run in a child process by spec_9_4_the_admin_outlives_the_program_that_started_it"]
fn starter_child_process() -> TestResult {
    let Ok(base) = std::env::var(STARTER) else {
        return Ok(()); // run by hand rather than by the parent test
    };
    let asys = builder(&base).shutdown_on_drop(false).build()?;
    let echo = asys.create_actor_with(ActorSpec::of::<Echo>().global_name(SHARED))?;
    let _: String = answer(&asys, &echo, "ready".to_string())?;
    report_system(&asys)?;
    // Dropping the handle detaches: the system goes on.
    Ok(())
}

#[test]
fn spec_9_4_the_admin_outlives_the_program_that_started_it() -> TestResult {
    let (mut child, port, watched) = run_reporter("starter_child_process", STARTER, "multiprocTCPBase")?;
    let status = child.wait()?;
    assert!(status.success(), "the starter failed: {status}");
    assert!(watched.procs.len() >= 3, "the admin, its zygote and the actor run: {:?}", watched.procs.len());

    // A second program attaches on the same Admin Port and talks to the starter's actor.
    let asys = builder("multiprocTCPBase").admin_port(port).build()?;
    let echo = asys.create_actor_with(ActorSpec::of::<Echo>().global_name(SHARED))?;
    let reply: String = answer(&asys, &echo, "still there".to_string())?;
    assert!(reply.starts_with("still there from "), "{reply}");
    // Its own actors talk to the old ones too.
    let crowd = asys.create_actor::<Crowd>()?;
    let Gathered(present) = answer(&asys, &crowd, Gather(3))?;
    assert_eq!(present.len(), 3);

    asys.shutdown()?;
    watched.await_gone(ANSWER)?;
    Ok(())
}

#[test]
fn spec_9_4_the_admin_ignores_sigpipe_so_a_peer_that_left_cannot_kill_it() -> TestResult {
    let asys = system("multiprocTCPBase");
    let admin = listener_of(admin_port(&asys)?)?;
    let status = std::fs::read_to_string(format!("/proc/{admin}/status"))?;
    let ignored = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).ok_or("no SigIgn")?;
    let ignored = u64::from_str_radix(ignored.trim(), 16)?;
    assert_ne!(ignored & (1 << (13 - 1)), 0, "SIGPIPE (13) is ignored: {status}");
    asys.shutdown()?;
    Ok(())
}

// ----- nothing outlives its system (spec §9.4; DESIGN §3 "Reaping in layers") -------------

/// Set for the owner program, to the name of the base it starts.
const OWNER: &str = "THESPIAN_TEST_OWNER";

/// Watches `root` and every process descended from it.
fn watch_tree(root: u32) -> Result<Watched, Failure> {
    let mut watched = Watched::default();
    watched.watch(root)?;
    for pid in descendants_of(root)? {
        watched.watch(pid)?;
    }
    Ok(watched)
}

#[test]
fn spec_9_4_an_admin_killed_outright_takes_its_actor_processes_along() -> TestResult {
    let asys = system("multiprocTCPBase");
    let port = admin_port(&asys)?;
    let crowd = asys.create_actor::<Crowd>()?;
    let Gathered(present) = answer(&asys, &crowd, Gather(3))?;
    assert_eq!(present.len(), 3);
    let admin = listener_of(port)?;
    let watched = watch_tree(admin)?;
    assert!(watched.procs.len() >= 6, "the admin, its zygote and four actors: {}", watched.procs.len());
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(admin)?).ok_or("pid 0")?,
        rustix::process::Signal::KILL,
    )?;
    watched.await_gone(ANSWER)?;
    // The program sees the system gone ...
    assert!(asys.tell(&crowd, Gather(1)).is_err() || asys.listen(ANSWER).is_err(), "the system is gone");
    drop(asys);
    // ... and a new system starts on the same port.
    let again = builder("multiprocTCPBase").admin_port(port).build()?;
    let crowd = again.create_actor::<Crowd>()?;
    let Gathered(present) = answer(&again, &crowd, Gather(2))?;
    assert_eq!(present.len(), 2);
    again.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_3_a_queue_system_ends_when_the_program_that_created_it_ends() -> TestResult {
    // The owner (which asked for no shutdown on drop) is told to finish, lets go of its
    // handle and ends: a Queue system goes with its program.
    let (mut child, _, watched) = run_reporter("owner_child_process", OWNER, "multiprocQueueBase")?;
    drop(child.stdin.take());
    let status = child.wait()?;
    assert!(status.success(), "the owner failed: {status}");
    watched.await_gone(ANSWER)?;
    Ok(())
}

#[test]
fn spec_9_3_a_queue_system_lives_as_long_as_the_program_that_created_it() -> TestResult {
    let (mut child, _, mut watched) = run_reporter("owner_child_process", OWNER, "multiprocQueueBase")?;
    watched.watch(child.id())?;
    assert!(watched.procs.len() >= 7, "the program, the admin, its zygote and four actors");
    child.kill()?;
    let _ = child.wait()?;
    watched.await_gone(ANSWER)?;
    Ok(())
}

/// The owner's side, run in a child process: starts a system that shuts down with it, with
/// four actor processes, prints the Admin Port and the system's processes, and waits until
/// its standard input closes (or it is killed).
#[test]
#[ignore = "run in a child process by the tests of a system's end with its program"]
fn owner_child_process() -> TestResult {
    let Ok(base) = std::env::var(OWNER) else {
        return Ok(()); // run by hand rather than by the parent test
    };
    // A TCP system is told to end with its program; a Queue system does without being told.
    let asys = builder(&base).shutdown_on_drop(base == "multiprocTCPBase").build()?;
    let crowd = asys.create_actor::<Crowd>()?;
    let Gathered(_) = answer(&asys, &crowd, Gather(3))?;
    report_system(&asys)?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(())
}

#[test]
fn spec_9_4_a_program_killed_outright_takes_its_system_along() -> TestResult {
    let (mut child, port, mut watched) = run_reporter("owner_child_process", OWNER, "multiprocTCPBase")?;
    watched.watch(child.id())?;
    assert!(watched.procs.len() >= 7, "the owner, the admin, its zygote and four actors");
    child.kill()?;
    let _ = child.wait()?;
    watched.await_gone(ANSWER)?;
    // The port is free for a new system.
    let again = builder("multiprocTCPBase").admin_port(port).build()?;
    again.shutdown()?;
    Ok(())
}

// ----- a child that never starts (DESIGN §3: mail held for it comes back as poison) -------

/// An actor whose constructor fails: its process never reports in.
struct NeverStarts;

impl NewActor for NeverStarts {
    fn new_actor() -> Result<Self, ActorError> {
        Err("this actor never starts".into())
    }
}

impl Actor for NeverStarts {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}
thespian::register_actor!(NeverStarts);

/// On a `String`, creates a [`NeverStarts`] child and at once sends it that text; tells
/// the asker what comes back: `"poison: <text>: <details>"` and `"exited"`.
#[derive(Default)]
struct Hopeful {
    asker: Option<ActorAddress>,
}

#[actor]
impl Hopeful {
    #[handler(String)]
    fn start(&mut self, text: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.asker = Some(sender.clone());
        let child = ctx.create_actor::<NeverStarts>()?;
        ctx.send(&child, text.clone());
        Ok(())
    }

    #[handler(PoisonMessage)]
    fn poison(&mut self, m: &PoisonMessage, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let text = m.poison_message.downcast_ref::<String>().cloned().unwrap_or_default();
        if let Some(asker) = &self.asker {
            ctx.send(asker, format!("poison: {text}: {}", m.details));
        }
    }

    #[handler(ChildActorExited)]
    fn exited(&mut self, _m: &ChildActorExited, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(asker) = &self.asker {
            ctx.send(asker, "exited".to_string());
        }
    }
}

on_multiprocess_bases! {
    fn design_3_mail_held_for_a_child_that_never_starts_comes_back_as_poison(asys) {
        let hopeful = asys.create_actor::<Hopeful>()?;
        asys.tell(&hopeful, "hello".to_string())?;
        let mut told = Vec::new();
        for _ in 0..2 {
            told.push(asys.listen_as::<String>(ANSWER)?.ok_or_else(|| format!("only {told:?} came back"))?);
        }
        told.sort();
        assert_eq!(told[0], "exited", "{told:?}");
        assert!(told[1].starts_with("poison: hello: "), "{told:?}");
        assert!(told[1].contains("this actor never starts"), "the reason is given: {told:?}");
        quiet(asys)?;
        Ok(())
    }
}

#[test]
fn spec_9_4_a_system_started_on_the_port_of_one_shutting_down_starts_or_says_why() -> TestResult {
    let first = system("multiprocTCPBase");
    let port = admin_port(&first)?;
    first.shutdown()?;
    let (mut started, mut refused) = (0, 0);
    let deadline = std::time::Instant::now() + ANSWER;
    // Five systems in a row, each started right after the last one's shutdown returned.
    for round in 0.. {
        if started == 5 || std::time::Instant::now() >= deadline {
            break;
        }
        // Right after the previous system's shutdown returned, its admin may still be going:
        // a new system starts, or fails at once saying why; it never hangs or half-starts.
        match builder("multiprocTCPBase").admin_port(port).build() {
            Ok(again) => {
                let hopeful = again.create_actor::<Crowd>()?;
                let Gathered(present) = answer(&again, &hopeful, Gather(1))?;
                assert_eq!(present.len(), 1, "round {round}");
                again.shutdown()?;
                started += 1;
            }
            Err(ActorSystemError::ActorSystemStartupFailure { reason }) => {
                assert!(reason.contains(&port.to_string()), "round {round}: the reason names the port: {reason}");
                refused += 1;
            }
            Err(other) => return Err(format!("round {round}: {other}").into()),
        }
    }
    assert_eq!(started, 5, "{refused} refused, {started} started within {ANSWER:?}");
    Ok(())
}

// ----- load (issue: no deadlock under load on any multi-process base) ------------------------

/// Counts the `u64`s it is told; answers `Counted` with how many and their sum when asked.
/// Told a `Flood`, sends that many `u64`s to another counter, from one handler.
#[derive(Default)]
struct Counter {
    count: u64,
    sum: u64,
}

/// How many, and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Message)]
struct Counted {
    count: u64,
    sum: u64,
}

/// Asks a [`Counter`] for its [`Counted`].
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct HowMany;

/// Sends `0..count` to `to`, from one handler.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Flood {
    to: ActorAddress,
    count: u64,
    /// The first number sent: `first .. first + count` are.
    first: u64,
}

#[actor]
impl Counter {
    #[handler(u64)]
    fn count(&mut self, n: &u64, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        self.count += 1;
        self.sum += n;
    }

    #[handler(HowMany)]
    fn how_many(&mut self, _m: &HowMany, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, Counted { count: self.count, sum: self.sum });
    }

    #[handler(Flood)]
    fn flood(&mut self, m: &Flood, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        for n in m.first..m.first + m.count {
            ctx.send(&m.to, n);
        }
    }
}

/// What `0..count` sums to.
fn sum_below(count: u64) -> u64 {
    count * count.saturating_sub(1) / 2
}

/// Asks `to` the `question` (each time a round trip, never a sleep) until its answer has
/// `count` of something (`counted` reads it from the answer), within [`ANSWER`]; more than
/// `count` fails at once. Returns that answer.
fn ask_until_counted<R: Message + std::fmt::Debug>(
    asys: &ActorSystem,
    to: &ActorAddress,
    question: impl Message + Clone,
    count: u64,
    counted: impl Fn(&R) -> u64,
) -> Result<R, Failure> {
    let deadline = std::time::Instant::now() + ANSWER;
    loop {
        let answer: R = answer(asys, to, question.clone())?;
        let so_far = counted(&answer);
        if so_far == count {
            return Ok(answer);
        }
        assert!(so_far < count, "more than {count}: {answer:?}");
        assert!(std::time::Instant::now() < deadline, "only {answer:?} of {count} within {ANSWER:?}");
    }
}

on_multiprocess_bases! {
    fn spec_9_10_000_tells_from_outside_all_arrive(asys) {
        let counter = asys.create_actor::<Counter>()?;
        for n in 0..10_000_u64 {
            asys.tell(&counter, n)?;
        }
        // The question follows the tells on the same route: it is answered after them.
        let counted: Counted = answer(asys, &counter, HowMany)?;
        assert_eq!(counted, Counted { count: 10_000, sum: sum_below(10_000) });
        Ok(())
    }

    fn spec_9_10_000_sends_from_one_handler_all_arrive(asys) {
        let (from, to) = (asys.create_actor::<Counter>()?, asys.create_actor::<Counter>()?);
        asys.tell(&from, Flood { to: to.clone(), count: 10_000, first: 0 })?;
        // The flood reaches `to` from another process: ask until all of it has (each ask a
        // round trip), within the usual bound.
        let counted: Counted = ask_until_counted(asys, &to, HowMany, 10_000, |c: &Counted| c.count)?;
        assert_eq!(counted.sum, sum_below(10_000));
        Ok(())
    }

    fn spec_6_8_100_threads_asking_through_private_all_get_their_answers(asys) {
        let crowd = asys.create_actor::<Crowd>()?;
        let Gathered(_) = answer(asys, &crowd, Gather(1))?;
        let counter = asys.create_actor::<Counter>()?;
        std::thread::scope(|scope| -> TestResult {
            let askers: Vec<_> = (0..100_u64)
                .map(|n| {
                    let counter = counter.clone();
                    scope.spawn(move || -> Result<Counted, String> {
                        let private = asys.private().map_err(|e| e.to_string())?;
                        private.tell(&counter, n).map_err(|e| e.to_string())?;
                        answer(&private, &counter, HowMany).map_err(|e| e.to_string())
                    })
                })
                .collect();
            for asker in askers {
                let counted = asker.join().map_err(|_| "an asking thread panicked")??;
                assert!(counted.count >= 1, "{counted:?}");
            }
            Ok(())
        })?;
        let counted: Counted = answer(asys, &counter, HowMany)?;
        assert_eq!(counted, Counted { count: 100, sum: sum_below(100) });
        Ok(())
    }
}

// ----- two actors flooding each other ------------------------------------------------------

/// Tells a [`Swapper`] to send `count` blobs of `size` bytes to `to`, from one handler.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Swap {
    to: ActorAddress,
    count: u64,
    size: usize,
}

/// Asks a [`Swapper`] how many blobs, and bytes, it has received.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Received;

/// A [`Swapper`]'s answer to [`Received`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Message)]
struct ReceivedSoFar {
    blobs: u64,
    bytes: usize,
}

#[derive(Default)]
struct Swapper {
    received: ReceivedSoFar,
}

#[actor]
impl Swapper {
    #[handler(Swap)]
    fn swap(&mut self, m: &Swap, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        for _ in 0..m.count {
            ctx.send(&m.to, pattern(m.size));
        }
    }

    #[handler(Blob)]
    fn blob(&mut self, m: &Blob, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {
        self.received.blobs += 1;
        self.received.bytes += m.0.len();
    }

    #[handler(Received)]
    fn received(&mut self, _m: &Received, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.received.clone());
    }
}

/// Asks each swapper until it has received `blobs` blobs of `bytes` bytes in all.
fn await_received(asys: &ActorSystem, swappers: &[&ActorAddress], blobs: u64, bytes: usize) -> TestResult {
    for swapper in swappers {
        let so_far = ask_until_counted(asys, swapper, Received, blobs, |r: &ReceivedSoFar| r.blobs)?;
        assert_eq!(so_far.bytes, bytes);
    }
    Ok(())
}

on_multiprocess_bases! {
    fn spec_9_two_actors_flooding_each_other_at_once_both_get_everything(asys) {
        let (a, b) = (asys.create_actor::<Swapper>()?, asys.create_actor::<Swapper>()?);
        // One blob each way first, so that the flood takes the direct route between them.
        asys.tell(&a, Swap { to: b.clone(), count: 1, size: 1 })?;
        asys.tell(&b, Swap { to: a.clone(), count: 1, size: 1 })?;
        await_received(asys, &[&a, &b], 1, 1)?;
        // Far more each way than a socket buffers: neither may wait on the other.
        let (count, size) = (1000, 60_000);
        asys.tell(&a, Swap { to: b.clone(), count, size })?;
        asys.tell(&b, Swap { to: a.clone(), count, size })?;
        await_received(asys, &[&a, &b], count + 1, 1 + count as usize * size)?;
        Ok(())
    }
}

// ----- mail in flight to a process killed outright ----------------------------------------

/// The number a warm-up message carries, which a [`DeadTally`] does not count.
const WARM_UP: u64 = 1 << 40;

/// Counts the dead letters whose message is a `u64` below [`WARM_UP`] once told [`KeepDead`]; answers
/// [`HowMany`] with that count.
#[derive(Default)]
struct DeadTally {
    count: u64,
    sum: u64,
}

/// Makes a [`DeadTally`] the dead-letter handler; answered with the same.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct KeepDead;

impl Actor for DeadTally {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<KeepDead>() {
            ctx.handle_dead_letters(true);
            ctx.send(sender, KeepDead);
        } else if msg.is::<HowMany>() {
            ctx.send(sender, Counted { count: self.count, sum: self.sum });
        } else if let Some(dead) = msg.downcast_ref::<DeadEnvelope>() {
            if let Some(n) = dead.dead_message.downcast_ref::<u64>().filter(|n| **n < WARM_UP) {
                self.count += 1;
                self.sum += n;
            }
        }
        Ok(())
    }
}

/// A [`Counter`] that also answers a `String` with its process id.
#[derive(Default)]
struct Target {
    counter: Counter,
}

impl Actor for Target {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if msg.is::<String>() {
            ctx.send(sender, std::process::id());
            return Ok(());
        }
        self.counter.receive_message(msg, sender, ctx)
    }
}

thespian::register_actor!(DeadTally);
thespian::register_actor!(Target);

/// Has another actor send `to` 1 000 messages while `to`'s process is stopped, then kills
/// that process outright: every message must come back as a dead letter, whether it
/// travelled directly or through the admin.
fn mail_to_a_killed_process_comes_back(asys: &ActorSystem) -> TestResult {
    let tally = asys.create_actor::<DeadTally>()?;
    let KeepDead = answer(asys, &tally, KeepDead)?;
    let (from, to) = (asys.create_actor::<Counter>()?, asys.create_actor::<Target>()?);
    // One message first, so that `from` sends to `to` directly where it can.
    // Numbered apart from the flood: handled before the process stops, it may come back as a
    // dead letter too if the process had not acknowledged it yet (at least once).
    asys.tell(&from, Flood { to: to.clone(), count: 1, first: WARM_UP })?;
    ask_until_counted(asys, &to, HowMany, 1, |c: &Counted| c.count)?;
    let pid: u32 = answer(asys, &to, "pid?".to_string())?;
    // Stopped, `to` reads nothing more: the flood waits in its socket (sent directly, or
    // forwarded by the admin) when the process is killed, unread. A process that read and
    // acknowledged mail, and was killed before it handled it, loses it (the book says so):
    // the flood starts only once every thread of `to` has stopped.
    procs::stop(pid)?;
    let pid = rustix::process::Pid::from_raw(i32::try_from(pid)?).ok_or("no pid")?;
    let count = 1_000;
    asys.tell(&from, Flood { to: to.clone(), count, first: 0 })?;
    // `from` answers once it has handled the flood, so all of it has been sent.
    let _: Counted = answer(asys, &from, HowMany)?;
    rustix::process::kill_process(pid, rustix::process::Signal::KILL)?;
    // Every one comes back as a dead letter; none is lost on the way.
    let dead = ask_until_counted(asys, &tally, HowMany, count, |c: &Counted| c.count)?;
    assert_eq!(dead, Counted { count, sum: sum_below(count) });
    Ok(())
}

on_multiprocess_bases! {
    fn spec_4_2_mail_sent_directly_to_a_process_killed_outright_comes_back_as_dead_letters(asys) {
        mail_to_a_killed_process_comes_back(asys)
    }
}

#[test]
fn spec_4_2_with_admin_routing_mail_to_a_process_killed_outright_comes_back_as_dead_letters() -> TestResult {
    for base in ["multiprocQueueBase", "multiprocTCPBase", "multiprocUDPBase"] {
        let asys = builder(base).capability("Admin Routing", true).build()?;
        let outcome = mail_to_a_killed_process_comes_back(&asys);
        asys.shutdown()?;
        outcome.map_err(|e| format!("on {base}: {e}"))?;
    }
    Ok(())
}

// ----- waiting for answers without spinning ------------------------------------------------

#[test]
fn spec_6_6_with_reply_spin_off_every_ask_and_listen_is_still_answered() -> TestResult {
    use common::actors::TextEcho;
    for base in ["multiprocQueueBase", "multiprocTCPBase", "multiprocUDPBase"] {
        let asys = builder(base).reply_spin(std::time::Duration::ZERO).build()?;
        let outcome = (|| -> TestResult {
            let echo = asys.create_actor::<TextEcho>()?;
            for n in 0..200 {
                let text = format!("ask {n}");
                let back: String = answer(&asys, &echo, text.clone())?;
                assert_eq!(back, text);
            }
            // A wait that outlasts any spin sleeps, and wakes for the answer.
            asys.tell(&echo, "told".to_string())?;
            assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("told"));
            Ok(())
        })();
        asys.shutdown()?;
        outcome.map_err(|e| format!("on {base}: {e}"))?;
    }
    Ok(())
}
