//! Every handler signature: `&mut self` or `&self`; the message as `&T` or `&mut T`; with or
//! without `sender: &ActorAddress`; with or without `ctx: &mut ActorContext`. Parameters are
//! read by position, so an `ActorAddress` message comes first and the sender after it.

use std::cell::Cell;
use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Recorder {
    log: Vec<String>,
    client: Option<ActorAddress>,
    peeks: Cell<u32>,
}

#[actor]
impl Recorder {
    #[handler(u8)]
    fn only_message(&mut self, msg: &u8) {
        self.log.push(format!("u8 {msg}"));
    }

    #[handler(u16)]
    fn message_and_sender(&mut self, msg: &u16, sender: &ActorAddress) {
        self.log.push(format!("u16 {msg}"));
        self.client = Some(sender.clone());
    }

    #[handler(u32)]
    fn message_and_context(&mut self, msg: &u32, ctx: &mut ActorContext<'_>) {
        self.log.push(format!("u32 {msg}"));
        if let Some(client) = &self.client {
            ctx.send(client, self.log.join(", "));
        }
    }

    #[handler(u64)]
    fn everything_by_shared_self(&self, msg: &u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("u64 {msg} after {} peeks", self.peeks.get()));
    }

    #[handler(i8)]
    fn peek(&self, _msg: &i8) {
        self.peeks.set(self.peeks.get() + 1);
    }

    #[handler(String)]
    fn mutable_message(&mut self, msg: &mut String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        msg.push('!');
        ctx.send(sender, std::mem::take(msg));
    }

    #[handler(i16)]
    fn mutable_message_only(&mut self, msg: &mut i16) {
        *msg += 1;
        self.log.push(format!("i16 {msg}"));
    }

    #[handler(i32)]
    fn mutable_message_and_context(&self, msg: &mut i32, ctx: &mut ActorContext<'_>) {
        *msg *= 2;
        if let Some(client) = &self.client {
            ctx.send(client, *msg);
        }
    }
}

/// Handles addresses: the message and the sender are both `&ActorAddress`.
#[derive(Default)]
struct Introducer;

#[actor]
impl Introducer {
    #[handler(ActorAddress)]
    fn on_addr(&mut self, addr: &ActorAddress, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(addr, sender.clone());
    }
}

/// Handles addresses, taking only the message.
#[derive(Default)]
struct Keeper {
    kept: Vec<ActorAddress>,
}

#[actor]
impl Keeper {
    #[handler(thespian::ActorAddress)]
    fn on_addr(&mut self, addr: &mut ActorAddress) {
        self.kept.push(addr.clone());
    }

    #[handler(u8)]
    fn count(&mut self, _msg: &u8, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.kept.len());
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let recorder = asys.create_actor::<Recorder>()?;
    asys.tell(&recorder, 1_u8)?;
    asys.tell(&recorder, 2_u16)?;
    asys.tell(&recorder, 3_i16)?;
    let log: Option<String> = asys.ask_as(&recorder, 4_u32, ANSWER)?;
    assert_eq!(log.as_deref(), Some("u8 1, u16 2, i16 4, u32 4"));

    asys.tell(&recorder, 0_i8)?;
    asys.tell(&recorder, 0_i8)?;
    let shared: Option<String> = asys.ask_as(&recorder, 5_u64, ANSWER)?;
    assert_eq!(shared.as_deref(), Some("u64 5 after 2 peeks"));

    let taken: Option<String> = asys.ask_as(&recorder, "hey".to_string(), ANSWER)?;
    assert_eq!(taken.as_deref(), Some("hey!"));
    assert_eq!(asys.ask_as::<i32>(&recorder, 21_i32, ANSWER)?, Some(42));

    let introducer = asys.create_actor::<Introducer>()?;
    let back: Option<ActorAddress> = asys.ask_as(&introducer, asys.my_address().clone(), ANSWER)?;
    assert_eq!(back.as_ref(), Some(asys.my_address()));
    let keeper = asys.create_actor::<Keeper>()?;
    asys.tell(&keeper, introducer)?;
    assert_eq!(asys.ask_as::<usize>(&keeper, 0_u8, ANSWER)?, Some(1));
    asys.shutdown()
}
