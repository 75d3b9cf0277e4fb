//! The `thespian` command (feature `cli`) against a running multiprocTCPBase system
//! (spec §9.4: a system outlives its starter, found by its Admin Port, until an explicit
//! shutdown).

mod common;

use std::process::{Command, Output};

use common::*;
use thespian::prelude::*;

/// Creates a [`Child`] on any `String` and answers with the child's address.
#[derive(Default)]
struct Parent;

#[actor]
impl Parent {
    #[handler(String)]
    fn start(&mut self, _m: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        let child = ctx.create_actor::<Child>()?;
        ctx.send(sender, child);
        Ok(())
    }
}

/// Does nothing; it is only there to be seen in the tree.
#[derive(Default)]
struct Child;

#[actor]
impl Child {
    #[handler(String)]
    fn ignore(&mut self, _m: &String, _sender: &ActorAddress, _ctx: &mut ActorContext<'_>) {}
}

/// Runs the `thespian` command with `args`, and waits for it to end.
fn thespian(args: &[&str]) -> Result<Output, Failure> {
    Ok(Command::new(env!("CARGO_BIN_EXE_thespian")).args(args).env_remove("RUST_LOG").output()?)
}

/// The command's standard output and error, as text.
fn texts(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The line of `text` that shows `address`, and its indentation.
fn line_of(text: &str, address: &ActorAddress) -> Result<(usize, usize), Failure> {
    let shown = address.to_string();
    text.lines()
        .enumerate()
        .find(|(_, line)| line.trim_start().starts_with(&shown))
        .map(|(at, line)| (at, line.len() - line.trim_start().len()))
        .ok_or_else(|| format!("{shown} is not in:\n{text}").into())
}

#[test]
fn spec_9_4_status_prints_the_system_and_its_actor_tree() -> TestResult {
    let asys = system("multiprocTCPBase");
    let parent = asys.create_actor::<Parent>()?;
    let child: ActorAddress = answer(&asys, &parent, "start".to_string())?;
    let port = admin_port(&asys)?.to_string();

    let output = thespian(&["status", "--admin-port", &port])?;
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("  base: multiprocTCPBase\n"), "{stdout}");
    assert!(stdout.contains(&format!("  admin: {}\n", asys.admin_address())), "{stdout}");
    assert!(stdout.contains("  actors: 2\n"), "{stdout}");
    assert!(stdout.contains(&format!("  Admin Port: {port}\n")), "{stdout}");
    // The child is on the line right under its parent, indented one step further.
    let (parent_line, parent_indent) = line_of(&stdout, &parent)?;
    let (child_line, child_indent) = line_of(&stdout, &child)?;
    assert_eq!(child_line, parent_line + 1, "{stdout}");
    assert_eq!(child_indent, parent_indent + 2, "{stdout}");
    assert!(stdout.lines().nth(parent_line).is_some_and(|l| l.ends_with("::Parent")), "{stdout}");
    assert!(stdout.lines().nth(child_line).is_some_and(|l| l.ends_with("::Child")), "{stdout}");

    // The command only looked: the system and its actors go on.
    let again: ActorAddress = answer(&asys, &parent, "again".to_string())?;
    assert_ne!(again, child);
    asys.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_4_shutdown_stops_the_system() -> TestResult {
    let asys = system("multiprocTCPBase");
    let parent = asys.create_actor::<Parent>()?;
    let _child: ActorAddress = answer(&asys, &parent, "start".to_string())?;
    let port = admin_port(&asys)?.to_string();

    let output = thespian(&["shutdown", "--admin-port", &port, "--ip", "127.0.0.1"])?;
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    assert!(stdout.contains("is shut down"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    // The admin tells every program the system is down: this one's next call says so.
    match asys.listen(ANSWER) {
        Err(ActorSystemError::SystemShutDown) => {}
        other => panic!("expected SystemShutDown, got {other:?}"),
    }
    assert!(matches!(asys.create_actor::<Parent>(), Err(ActorSystemError::SystemShutDown)));
    Ok(())
}

#[test]
fn spec_9_4_status_where_nothing_listens_is_a_one_line_error() -> TestResult {
    let port = unused_port()?;
    for command in ["status", "shutdown"] {
        let output = thespian(&[command, "--admin-port", &port.to_string()])?;
        let (stdout, stderr) = texts(&output);
        assert_eq!(output.status.code(), Some(1), "{command}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{command}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{command}: {stderr}");
        assert!(stderr.starts_with("thespian: error[T0007]: ActorSystemStartupFailure: "), "{stderr}");
        assert!(stderr.contains(&format!("nothing listens on the Admin Port 127.0.0.1:{port}")), "{stderr}");
    }
    // No system was started there.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "an admin listens on {port}");
    Ok(())
}
