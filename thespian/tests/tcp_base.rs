//! multiprocTCPBase (spec §9.4): behaviours only the multi-process bases have.

mod common;

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
