//! multiprocQueueBase (spec §9.3): every actor in a process of its own, local to the program
//! that starts the system and living exactly as long as it; no Admin Port, no daemon, no
//! convention. The behaviours it shares with the other bases run on it through
//! `on_every_base!`; these are its own (its lifetime is tested in `multiproc.rs`, which
//! runs programs in child processes).
#![cfg(target_os = "linux")]

mod common;

use common::actors::Pid;
use common::*;
use thespian::prelude::*;

const QUEUE: &str = "multiprocQueueBase";

#[test]
fn spec_9_3_each_start_is_a_system_of_its_own_without_an_admin_port() -> TestResult {
    let (first, second) = (system(QUEUE), system(QUEUE));
    assert_ne!(first.admin_address(), second.admin_address(), "two systems");
    for asys in [&first, &second] {
        let caps = asys.capabilities()?;
        assert_eq!(caps.get("Thespian ActorSystem Name"), Some(&CapValue::from(QUEUE)));
        assert_eq!(caps.get("Admin Address"), Some(&CapValue::from("ThespianQ")));
        assert_eq!(caps.get("Admin Port"), None, "no Admin Port: {caps:?}");
        let actor = asys.create_actor::<Pid>()?;
        let pid: u32 = answer(asys, &actor, "pid?".to_string())?;
        assert_ne!(pid, std::process::id(), "in a process of its own");
    }
    first.shutdown()?;
    second.shutdown()?;
    Ok(())
}

#[test]
fn spec_9_3_what_the_queue_base_does_not_offer_is_a_startup_failure_naming_it() -> TestResult {
    let refused = [
        ("forkserver", builder(QUEUE).capability("Process Startup Method", "forkserver").build().err()),
        ("a convention", builder(QUEUE).capability("Convention Address.IPv4", "10.0.0.1:1900").build().err()),
        ("attaching", builder(QUEUE).attach_only(true).build().err()),
    ];
    for (what, error) in refused {
        match error {
            Some(ActorSystemError::ActorSystemStartupFailure { reason }) => {
                assert!(reason.contains(QUEUE), "{what}: the reason names the base: {reason}");
            }
            other => return Err(format!("{what}: expected ActorSystemStartupFailure, got {other:?}").into()),
        }
    }
    // "fork" and "spawn" are the methods §9.3 lists.
    for method in ["fork", "spawn"] {
        let asys = builder(QUEUE).capability("Process Startup Method", method).build()?;
        let actor = asys.create_actor::<Pid>()?;
        let _: u32 = answer(&asys, &actor, "pid?".to_string())?;
        asys.shutdown()?;
    }
    Ok(())
}
