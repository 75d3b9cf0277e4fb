//! Initializing messages (`#[initializing_messages]`): other messages wait until one of each
//! initializing message has arrived; then the init hook runs and the held messages are
//! delivered in order, each to be answered to its own sender.

mod common;

use std::time::Duration;

use thespian::patterns::Init;
use thespian::prelude::*;

use common::{ANSWER, NO_ANSWER};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Config {
    greeting: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Hello;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Request {
    name: String,
}

#[derive(Default)]
struct Service {
    config: Option<Init<Config>>,
    peer: Option<Init<Hello>>,
}

#[initializing_messages(config: Config, peer: Hello, done = on_ready)]
#[actor]
impl Service {
    fn on_ready(&mut self, ctx: &mut ActorContext<'_>) {
        if let Some(config) = &self.config {
            ctx.send(&config.sender, "ready".to_string());
        }
    }

    #[handler(Request)]
    fn on_request(&mut self, msg: &Request, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), String> {
        if msg.name.is_empty() {
            return Err("a request needs a name".to_string());
        }
        let greeting = self.config.as_ref().map_or("?", |c| c.message.greeting.as_str());
        ctx.send(sender, format!("{greeting}, {}", msg.name));
        Ok(())
    }
}

#[derive(Default)]
struct ShortLived {
    config: Option<Init<Config>>,
}

#[transient(millis = 50)]
#[actor]
#[initializing_messages(config: Config)]
impl ShortLived {
    #[handler(Request)]
    fn on_request(&mut self, msg: &Request, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        let greeting = self.config.as_ref().map_or("?", |c| c.message.greeting.as_str());
        ctx.send(sender, format!("{greeting}, {}", msg.name));
    }
}

fn request(name: &str) -> Request {
    Request { name: name.to_string() }
}

on_every_base! {
    fn initializing_messages_hold_other_messages_until_complete(asys) {
        let service = asys.create_actor::<Service>()?;
        let other = asys.private()?;
        asys.tell(&service, request("Ada"))?;
        other.tell(&service, request("Grace"))?;
        asys.tell(&service, request("Linus"))?;
        assert!(asys.listen(NO_ANSWER)?.is_none(), "nothing is handled before initialization");
        asys.tell(&service, Config { greeting: "Hello".to_string() })?;
        assert!(asys.listen(NO_ANSWER)?.is_none(), "one initializing message is not enough");
        // The second initializing message may come from anyone.
        other.tell(&service, Hello)?;
        assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("ready"), "the hook ran first");
        assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("Hello, Ada"));
        assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("Hello, Linus"), "held messages keep their order");
        assert_eq!(other.listen_as::<String>(ANSWER)?.as_deref(), Some("Hello, Grace"), "and their senders");
        // Afterwards messages flow straight through.
        assert_eq!(asys.ask_as::<String>(&service, request("Barbara"), ANSWER)?.as_deref(), Some("Hello, Barbara"));
        Ok(())
    }

    fn initializing_messages_held_failure_returns_poison_to_its_sender(asys) {
        let service = asys.create_actor::<Service>()?;
        asys.tell(&service, request(""))?;
        asys.tell(&service, Config { greeting: "Hi".to_string() })?;
        asys.tell(&service, Hello)?;
        assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("ready"));
        let poison = asys.listen_as::<PoisonMessage>(ANSWER)?.ok_or("no poison")?;
        assert!(poison.poison_message.is::<Request>());
        assert!(poison.details.contains("a request needs a name"), "{}", poison.details);
        Ok(())
    }

    fn initializing_messages_do_not_hold_system_messages(asys) {
        let service = asys.create_actor::<Service>()?;
        asys.tell(&service, request("Ada"))?;
        let status = asys.ask_as::<ThespianActorStatus>(&service, ThespianStatusReq, ANSWER)?;
        assert!(status.is_some());
        asys.tell(&service, ActorExitRequest::new())?;
        let gone = asys.ask_as::<ThespianActorStatus>(&service, ThespianStatusReq, NO_ANSWER)?;
        assert!(gone.is_none(), "the exit request was not held");
        Ok(())
    }

    fn initializing_messages_combine_with_transient(asys) {
        let short = asys.create_actor::<ShortLived>()?;
        asys.tell(&short, request("Ada"))?;
        asys.tell(&short, Config { greeting: "Hey".to_string() })?;
        assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("Hey, Ada"));
        // Transient: it exits 50 ms after its first message.
        let deadline = std::time::Instant::now() + ANSWER;
        while asys.ask_as::<ThespianActorStatus>(&short, ThespianStatusReq, NO_ANSWER)?.is_some() {
            assert!(std::time::Instant::now() < deadline, "the transient actor did not exit");
            assert!(asys.listen(Duration::from_millis(20))?.is_none());
        }
        Ok(())
    }
}
