//! System messages (spec §7) as handler types: `WakeupMessage`, `ChildActorExited`,
//! `PoisonMessage` and `ActorExitRequest`; and their family, `dyn ActorSystemMessage`, from the
//! prelude alone.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Parent {
    client: Option<ActorAddress>,
    child: Option<ActorAddress>,
}

#[actor]
impl Parent {
    #[handler(String)]
    fn start(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), ActorError> {
        self.client = Some(sender.clone());
        match msg.as_str() {
            "wakeup" => ctx.wakeup_after(Duration::from_millis(10), "woken".to_string()),
            "child" => {
                let child = ctx.create_actor::<Child>()?;
                ctx.send(&child, ActorExitRequest::new());
                self.child = Some(child);
            }
            "poison" => {
                let failing = ctx.create_actor::<Failing>()?;
                ctx.send(&failing, 7_u8);
            }
            other => return Err(format!("unknown command {other}").into()),
        }
        Ok(())
    }

    fn tell_client(&self, ctx: &mut ActorContext<'_>, text: String) {
        if let Some(client) = &self.client {
            ctx.send(client, text);
        }
    }

    #[handler(WakeupMessage)]
    fn on_wakeup(&mut self, msg: &WakeupMessage, ctx: &mut ActorContext<'_>) {
        let payload = msg.payload_as::<String>().cloned().unwrap_or_default();
        self.tell_client(ctx, format!("wakeup {payload}"));
    }

    #[handler(ChildActorExited)]
    fn on_child_exited(&mut self, msg: &ChildActorExited, ctx: &mut ActorContext<'_>) {
        let mine = self.child.as_ref() == Some(&msg.child_address);
        self.tell_client(ctx, format!("child exited: {mine}"));
    }

    #[handler(PoisonMessage)]
    fn on_poison(&mut self, msg: &PoisonMessage, ctx: &mut ActorContext<'_>) {
        let value = msg.poison_message.downcast_ref::<u8>().copied();
        self.tell_client(ctx, format!("poison {value:?}: {}", msg.details));
    }

    #[handler(ActorExitRequest)]
    fn on_exit(&mut self, msg: &mut ActorExitRequest, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        msg.not_recursive();
        ctx.send(sender, format!("exiting, recursive: {}", msg.is_recursive));
    }
}

#[derive(Default)]
struct Child;

#[actor]
impl Child {
    #[handler(ActorExitRequest)]
    fn on_exit(&mut self, _msg: &ActorExitRequest) {}
}

#[derive(Default)]
struct Failing;

#[actor]
impl Failing {
    #[handler(u8)]
    fn on_byte(&mut self, _msg: &u8) -> Result<(), String> {
        Err("cannot take bytes".into())
    }
}

/// Counts the system messages without a handler of their own type.
#[derive(Default)]
struct Counter {
    seen: usize,
}

#[actor]
impl Counter {
    #[handler(dyn ActorSystemMessage)]
    fn on_system(&mut self, msg: &mut dyn ActorSystemMessage, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.seen += 1;
        ctx.send(sender, format!("{} #{}", msg.message_type_name(), self.seen));
    }
}

fn text(asys: &ActorSystem, target: &ActorAddress, msg: impl Message) -> Result<String, ActorSystemError> {
    Ok(asys.ask_as::<String>(target, msg, ANSWER)?.expect("an answer"))
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let parent = asys.create_actor::<Parent>()?;
    assert_eq!(text(&asys, &parent, "wakeup".to_string())?, "wakeup woken");
    assert_eq!(text(&asys, &parent, "child".to_string())?, "child exited: true");
    let poison = text(&asys, &parent, "poison".to_string())?;
    assert!(poison.starts_with("poison Some(7): "), "{poison}");
    assert!(poison.contains("cannot take bytes"), "{poison}");
    assert_eq!(text(&asys, &parent, ActorExitRequest::new())?, "exiting, recursive: false");
    let counter = asys.create_actor::<Counter>()?;
    assert_eq!(text(&asys, &counter, ActorExitRequest::new())?, "thespian::ActorExitRequest #1");
    asys.shutdown()
}
