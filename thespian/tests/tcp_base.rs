//! multiprocTCPBase (spec §9.4): behaviours only the multi-process bases have.

mod common;

use common::actors::Pid;
use common::*;
use thespian::prelude::*;

#[derive(Default)]
struct Echo;

impl Actor for Echo {
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult {
        if let Some(text) = msg.downcast_ref::<String>() {
            ctx.send(sender, format!("{text} from {}", std::process::id()));
        }
        Ok(())
    }
}
thespian::register_actor!(Echo);

#[test]
fn spec_9_4_an_actor_runs_in_its_own_process() -> TestResult {
    let asys = ActorSystem::builder()
        .base("multiprocTCPBase")
        .admin_port(0)
        .shutdown_on_drop(true)
        .logging(Logging::Off)
        .build()?;
    let echo = asys.create_actor::<Echo>()?;
    let reply: String = answer(&asys, &echo, "hi".to_string())?;
    assert!(reply.starts_with("hi from "), "{reply}");
    assert_ne!(reply, format!("hi from {}", std::process::id()));
    asys.shutdown()?;
    Ok(())
}

// ----- signals to an actor process (spec §2.2.5, §4.3) -------------------------------------

/// Creates a [`Watched`] child on a `String`, and tells the asker its child's process id;
/// tells the asker `"child exited"` when the child is gone.
#[derive(Default)]
struct Parent {
    asker: Option<ActorAddress>,
}

#[actor]
impl Parent {
    #[handler(String)]
    fn start(&mut self, _m: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.asker = Some(sender.clone());
        let child = ctx.create_actor::<Watched>()?;
        ctx.send(&child, sender.clone());
        Ok(())
    }

    #[handler(ChildActorExited)]
    fn exited(&mut self, _m: &ChildActorExited, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(asker) = &self.asker {
            ctx.send(asker, "child exited".to_string());
        }
    }
}

/// Answers an address with its process id, and tells that address `"exit request"` when it
/// is asked to exit.
#[derive(Default)]
struct Watched {
    watcher: Option<ActorAddress>,
}

#[actor]
impl Watched {
    #[handler(ActorAddress)]
    fn watch(&mut self, watcher: &ActorAddress, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.watcher = Some(watcher.clone());
        ctx.send(watcher, std::process::id());
    }

    #[handler(ActorExitRequest)]
    fn exit(&mut self, _m: &ActorExitRequest, _sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        if let Some(watcher) = &self.watcher {
            ctx.send(watcher, "exit request".to_string());
        }
    }
}

/// Starts a [`Parent`] and its child, and returns the parent and the child's process id.
fn parent_and_child(asys: &ActorSystem) -> Result<(ActorAddress, rustix::process::Pid), Failure> {
    let parent = asys.create_actor::<Parent>()?;
    let pid: u32 = answer(asys, &parent, "start".to_string())?;
    let pid = rustix::process::Pid::from_raw(i32::try_from(pid)?).ok_or("process id 0")?;
    assert_ne!(pid.as_raw_pid(), i32::try_from(std::process::id())?, "the child runs in a process of its own");
    Ok((parent, pid))
}

/// The next `String`s told to this program, until `count` arrived.
fn told(asys: &ActorSystem, count: usize) -> Result<Vec<String>, Failure> {
    let mut seen = Vec::new();
    while seen.len() < count {
        let msg = asys.listen(ANSWER)?.ok_or_else(|| format!("only {seen:?} arrived within {ANSWER:?}"))?;
        seen.push(*msg.downcast::<String>().map_err(|m| format!("unexpected message: {m:?}"))?);
    }
    Ok(seen)
}

// Each base that runs actors in processes of their own (issue: "kill -9 of an actor process
// on each base tells its parent every time").
on_multiprocess_bases! {
    fn spec_2_2_5_an_actor_process_killed_outright_is_reported_to_its_parent(asys) {
        for _ in 0..3 {
            let (_parent, pid) = parent_and_child(asys)?;
            rustix::process::kill_process(pid, rustix::process::Signal::KILL)?;
            // No exit request reaches an actor killed outright: only its parent's report.
            assert_eq!(told(asys, 1)?, ["child exited"]);
            quiet(asys)?;
        }
        Ok(())
    }

    fn spec_4_3_sigterm_to_an_actor_process_is_a_graceful_exit(asys) {
        let (parent, pid) = parent_and_child(asys)?;
        // SIGCONT is harmless: the child still answers afterwards.
        rustix::process::kill_process(pid, rustix::process::Signal::CONT)?;
        rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
        // The child handles its exit request, and its parent learns it is gone. The two come
        // from different processes, each on its own connection: their order here is not given.
        let mut seen = told(asys, 2)?;
        seen.sort();
        assert_eq!(seen, ["child exited", "exit request"]);
        quiet(asys)?;
        // The parent is untouched: it starts another child.
        let _pid: u32 = answer(asys, &parent, "start".to_string())?;
        Ok(())
    }
}

// ----- attaching to a running system only (spec §9.4) --------------------------------------

/// A builder that attaches to the system on `port`, and never starts one.
fn attacher(port: u16) -> thespian::ActorSystemBuilder {
    ActorSystem::builder().base("multiprocTCPBase").admin_port(port).attach_only(true).logging(Logging::Off)
}

#[test]
fn spec_9_4_attach_only_joins_the_system_on_the_admin_port() -> TestResult {
    let asys = system("multiprocTCPBase");
    let echo = asys.create_actor::<Echo>()?;
    let attached = attacher(admin_port(&asys)?).build()?;
    assert_eq!(attached.admin_address(), asys.admin_address(), "the same system");
    assert_eq!(attached.status()?.top_level_actors, std::slice::from_ref(&echo));
    let reply: String = answer(&attached, &echo, "hi".to_string())?;
    assert!(reply.starts_with("hi from "), "{reply}");
    // Dropping the attached handle detaches; the system goes on.
    drop(attached);
    let _: String = answer(&asys, &echo, "again".to_string())?;
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_4_attach_only_fails_at_once_when_nothing_listens() -> TestResult {
    let port = unused_port()?;
    match attacher(port).build() {
        Err(ActorSystemError::ActorSystemStartupFailure { reason }) => {
            assert!(reason.contains(&format!("nothing listens on the Admin Port 127.0.0.1:{port}")), "{reason}");
            assert!(reason.contains("start the system first"), "{reason}");
        }
        other => panic!("expected ActorSystemStartupFailure, got {other:?}"),
    }
    // No system was started there.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "an admin listens on {port}");
    Ok(())
}

#[test]
fn spec_9_4_attach_only_refuses_port_0_and_the_simple_base() {
    for builder in [attacher(0), ActorSystem::builder().base("simpleSystemBase").attach_only(true)] {
        match builder.logging(Logging::Off).build() {
            Err(ActorSystemError::ActorSystemStartupFailure { reason }) => {
                assert!(reason.contains("`attach_only`"), "{reason}");
            }
            other => panic!("expected ActorSystemStartupFailure, got {other:?}"),
        }
    }
}

// ----- the Process Startup Method (spec §9.4) -----------------------------------------------

/// The environment process `pid` was started with.
fn environ(pid: u32) -> Result<String, Failure> {
    Ok(String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/environ"))?).replace('\0', "\n"))
}

#[test]
fn spec_9_4_process_startup_method_spawn_executes_the_program_afresh() -> TestResult {
    for (method, role) in
        [(None, "zygote"), (Some("fork"), "zygote"), (Some("forkserver"), "zygote"), (Some("spawn"), "child")]
    {
        let mut builder = builder("multiprocTCPBase");
        if let Some(method) = method {
            builder = builder.capability("Process Startup Method", method);
        }
        let asys = builder.build()?;
        let actor = asys.create_actor::<Pid>()?;
        let pid: u32 = answer(&asys, &actor, "pid?".to_string())?;
        // A forked actor process carries the environment its zygote was started with; one
        // started afresh, its own.
        let env = environ(pid)?;
        assert!(env.lines().any(|l| l == format!("THESPIAN_ROLE={role}")), "{method:?}: {env}");
        // Its children start the same way, and everything works as usual.
        let (parent, child_pid) = parent_and_child(&asys)?;
        assert!(environ(child_pid.as_raw_pid().unsigned_abs())?.contains(&format!("THESPIAN_ROLE={role}")));
        let _: u32 = answer(&asys, &parent, "start".to_string())?;
        asys.shutdown()?;
    }
    Ok(())
}

#[test]
fn spec_9_4_an_unknown_process_startup_method_is_a_startup_failure() -> TestResult {
    match builder("multiprocTCPBase").capability("Process Startup Method", "teleport").build() {
        Err(ActorSystemError::ActorSystemStartupFailure { reason }) => {
            assert!(reason.contains("teleport") && reason.contains("spawn"), "{reason}");
            Ok(())
        }
        Err(other) => Err(format!("expected ActorSystemStartupFailure, got {other}").into()),
        Ok(_) => Err("a system started with an unknown startup method".into()),
    }
}
