//! Routing by type beyond the Python dispatcher scenario: an address is a message (spec §1.2,
//! §5.17) and a handler reads its parameters by position; one handler takes every system
//! message (spec §7, Python's `ActorSystemMessage`).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use thespian::prelude::*;

use common::{answer, ANSWER};

/// Given an address, sends its own sender's address there.
#[derive(Default)]
struct Introducer;

#[actor]
impl Introducer {
    #[handler(ActorAddress)]
    fn on_addr(&mut self, addr: &ActorAddress, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(addr, sender.clone());
    }
}

/// Given an address, greets it, naming who sent the address.
#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(ActorAddress)]
    fn on_addr(&mut self, addr: &ActorAddress, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(addr, format!("hello from {sender}"));
    }
}

on_every_base! {
    fn spec_1_2_an_address_is_a_message_and_handlers_read_it_by_position(asys) {
        let introducer = asys.create_actor::<Introducer>()?;
        let greeter = asys.create_actor::<Greeter>()?;
        // The introducer sends our address to the greeter, which greets us: were the message
        // and the sender swapped, the greeting would go to the introducer and never arrive.
        let greeting: String = answer(asys, &introducer, greeter.clone())?;
        assert_eq!(greeting, format!("hello from {introducer}"));
        Ok(())
    }
}

/// Fails on every byte, so that the byte comes back to its sender as poison.
#[derive(Default)]
struct Failing;

#[actor]
impl Failing {
    #[handler(u8)]
    fn on_byte(&mut self, _msg: &u8) -> Result<(), String> {
        Err("cannot take bytes".into())
    }
}

/// Does nothing: there to be asked to exit.
#[derive(Default)]
struct Quiet;

#[actor]
impl Quiet {}

/// Tells its client the name of every system message it receives, through one handler.
#[derive(Default)]
struct Observer {
    client: Option<ActorAddress>,
}

#[actor]
impl Observer {
    /// Makes the system send a wakeup, a child's exit and a poison message.
    #[handler(String)]
    fn start(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> ActorResult {
        self.client = Some(sender.clone());
        ctx.wakeup_after(Duration::from_millis(1), ());
        let quiet = ctx.create_actor::<Quiet>()?;
        ctx.send(&quiet, ActorExitRequest::new());
        let failing = ctx.create_actor::<Failing>()?;
        ctx.send(&failing, 7_u8);
        Ok(())
    }

    #[handler(dyn ActorSystemMessage)]
    fn on_system(&mut self, msg: &dyn ActorSystemMessage, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let to = self.client.clone().unwrap_or_else(|| sender.clone());
        ctx.send(&to, msg.message_type_name().to_string());
    }
}

/// Handles exit requests by their own type, and the rest of the family with another handler.
#[derive(Default)]
struct Particular;

#[actor]
impl Particular {
    #[handler(ActorExitRequest)]
    fn on_exit(&mut self, _msg: &ActorExitRequest, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "own handler".to_string());
    }

    #[handler(dyn ActorSystemMessage)]
    fn on_system(&mut self, _msg: &dyn ActorSystemMessage, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "family handler".to_string());
    }
}

on_every_base! {
    fn spec_7_one_family_handler_receives_every_system_message(asys) {
        let observer = asys.create_actor::<Observer>()?;
        let mut seen = BTreeSet::new();
        seen.insert(answer::<String>(asys, &observer, "start".to_string())?);
        while seen.len() < 3 {
            let next = asys.listen(ANSWER)?.ok_or_else(|| format!("only {seen:?} arrived"))?;
            let name = next.downcast::<String>().map_err(|other| format!("unexpected {other:?}"))?;
            seen.insert(*name);
        }
        let expected = ["thespian::ChildActorExited", "thespian::PoisonMessage", "thespian::WakeupMessage"];
        assert_eq!(seen, expected.into_iter().map(String::from).collect::<BTreeSet<_>>());
        let exit: String = answer(asys, &observer, ActorExitRequest::new())?;
        assert_eq!(exit, "thespian::ActorExitRequest");
        Ok(())
    }

    fn spec_7_a_handler_of_the_own_type_wins_over_the_family(asys) {
        let particular = asys.create_actor::<Particular>()?;
        let reply: String = answer(asys, &particular, ActorExitRequest::new())?;
        assert_eq!(reply, "own handler");
        Ok(())
    }
}
