//! The `thespian` command: looks at, or stops, a running `multiprocTCPBase` system from the
//! shell (spec §9.4).
//!
//! ```text
//! thespian status   [--admin-port 1900] [--ip 127.0.0.1]   the system's status and actor tree
//! thespian shutdown [--admin-port 1900] [--ip 127.0.0.1]   stops every actor and the admin
//! ```
//!
//! It attaches to the admin on the Admin Port and never starts one: when nothing listens
//! there it says so on one line of standard error and exits with status 1. Built with the
//! crate's `cli` feature: `cargo run -p thespian --features cli -- status`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use thespian::{
    ActorAddress, ActorSystem, ActorSystemError, Logging, ThespianActorStatus, ThespianStatusReq, ThespianSystemStatus,
};

/// Looks at, or stops, a running Thespian actor system (multiprocTCPBase).
#[derive(Debug, Parser)]
#[command(name = "thespian", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prints the system's status and its actor tree.
    Status(Target),
    /// Stops the system: every actor, then the admin.
    Shutdown(Target),
}

/// Where the system's admin listens.
#[derive(Debug, Args)]
struct Target {
    /// The Admin Port the system's admin listens on (spec §9.4).
    #[arg(long, value_name = "PORT", default_value_t = 1900)]
    admin_port: u16,
    /// The IP address of the admin [default: $THESPIAN_BASE_IPADDR, else 127.0.0.1].
    #[arg(long, value_name = "ADDR")]
    ip: Option<IpAddr>,
}

/// How long one actor may take to answer its status request.
const ACTOR_STATUS_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    // First, before any thread starts: a process started in a child role runs it and exits.
    thespian::init();
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Status(target) => status(target),
        Command::Shutdown(target) => shutdown(target),
    };
    let written =
        outcome.and_then(|text| std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| e.to_string()));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thespian: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Attaches to the running system `target` names; never starts one.
fn attach(target: &Target) -> Result<ActorSystem, ActorSystemError> {
    let builder = ActorSystem::builder()
        .base("multiprocTCPBase")
        .admin_port(target.admin_port)
        .attach_only(true)
        .logging(Logging::Default);
    match target.ip {
        Some(ip) => builder.ip_address(ip),
        None => builder,
    }
    .build()
}

/// `thespian status`: the system's status, then its actor tree.
fn status(target: &Target) -> Result<String, String> {
    let asys = attach(target).map_err(|e| e.to_string())?;
    let status = asys.status().map_err(|e| e.to_string())?;
    let mut out = render_system(&status);
    out.push_str("actor tree:\n");
    if status.top_level_actors.is_empty() {
        out.push_str("  (no actors)\n");
    }
    // Depth first, children under their parent, without recursion (trees may be deep).
    let mut stack: Vec<(ActorAddress, usize)> = status.top_level_actors.iter().rev().map(|a| (a.clone(), 0)).collect();
    while let Some((address, depth)) = stack.pop() {
        let indent = "  ".repeat(depth + 1);
        match actor_status(&asys, &address) {
            Ok(Some(actor)) => {
                let _ = writeln!(out, "{indent}{address}  {}", actor.actor_type);
                stack.extend(actor.children.iter().rev().map(|child| (child.clone(), depth + 1)));
            }
            Ok(None) => {
                let _ = writeln!(out, "{indent}{address}  (no answer within {ACTOR_STATUS_TIMEOUT:?}: gone?)");
            }
            Err(e) => {
                let _ = writeln!(out, "{indent}{address}  (no status: {e})");
            }
        }
    }
    Ok(out)
}

/// One actor's status, asked through an endpoint of its own, so that a late answer never
/// passes for the next actor's.
fn actor_status(asys: &ActorSystem, address: &ActorAddress) -> Result<Option<ThespianActorStatus>, ActorSystemError> {
    asys.private()?.ask_as::<ThespianActorStatus>(address, ThespianStatusReq, ACTOR_STATUS_TIMEOUT)
}

/// The system part of `thespian status`: one `name: value` line per field, then the
/// capabilities and named actors, sorted.
fn render_system(status: &ThespianSystemStatus) -> String {
    let mut out = String::new();
    let handler = status.dead_letter_handler.as_ref().map_or_else(|| "none".to_string(), ToString::to_string);
    let _ = writeln!(out, "system:");
    let _ = writeln!(out, "  base: {}", status.base);
    let _ = writeln!(out, "  admin: {}", status.admin_address);
    let _ = writeln!(out, "  actors: {}", status.actor_count);
    let _ = writeln!(out, "  pending messages: {}", status.pending_messages);
    let _ = writeln!(out, "  pending wakeups: {}", status.pending_wakeups);
    let _ = writeln!(out, "  dead-letter handler: {handler}");
    let _ = writeln!(out, "capabilities:");
    for (name, value) in status.capabilities.iter() {
        let _ = writeln!(out, "  {name}: {value}");
    }
    let _ = writeln!(out, "named actors:");
    if status.named_actors.is_empty() {
        out.push_str("  (none)\n");
    }
    for (name, address) in &status.named_actors {
        let _ = writeln!(out, "  {name}: {address}");
    }
    out
}

/// `thespian shutdown`: stops the system, and says so.
fn shutdown(target: &Target) -> Result<String, String> {
    let asys = attach(target).map_err(|e| e.to_string())?;
    let admin = asys.admin_address();
    asys.shutdown().map_err(|e| e.to_string())?;
    Ok(format!("the system of admin {admin} (Admin Port {}) is shut down\n", target.admin_port))
}
