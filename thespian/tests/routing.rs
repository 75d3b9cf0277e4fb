//! Routing by type beyond the Python dispatcher scenario: an address is a message (spec §1.2,
//! §5.17) and a handler reads its parameters by position.

mod common;

use thespian::prelude::*;

use common::answer;

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
