//! A hand-written `impl Actor` next to `#[actor]` types: each creates and talks to the other.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize, Deserialize, Message)]
struct Echoed(String);

/// Written by hand: answers a `String` with `Echoed`, and `Echoed` by asking a `Shouter`.
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
            ctx.send(sender, Echoed(text.clone()));
        } else if let Some(Echoed(text)) = msg.downcast_ref::<Echoed>() {
            let shouter = ctx.create_actor::<Shouter>()?;
            ctx.send(&shouter, ShoutFor { text: text.clone(), client: sender.clone() });
        }
        Ok(())
    }
}

thespian::register_actor!(Echo);

#[derive(Debug, Serialize, Deserialize, Message)]
struct ShoutFor {
    text: String,
    client: ActorAddress,
}

/// Made with `#[actor]`: relays through a hand-written `Echo`.
#[derive(Default)]
struct Shouter {
    client: Option<ActorAddress>,
}

#[actor]
impl Shouter {
    #[handler(String)]
    fn relay(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), ActorError> {
        self.client = Some(sender.clone());
        let echo = ctx.create_actor::<Echo>()?;
        ctx.send(&echo, msg.clone());
        Ok(())
    }

    #[handler(Echoed)]
    fn on_echoed(&mut self, msg: &Echoed, ctx: &mut ActorContext<'_>) {
        if let Some(client) = &self.client {
            ctx.send(client, format!("relayed {}", msg.0));
        }
    }

    #[handler(ShoutFor)]
    fn shout_for(&mut self, msg: &ShoutFor, ctx: &mut ActorContext<'_>) {
        ctx.send(&msg.client, msg.text.to_uppercase());
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let shouter = asys.create_actor::<Shouter>()?;
    let relayed: Option<String> = asys.ask_as(&shouter, "hi".to_string(), ANSWER)?;
    assert_eq!(relayed.as_deref(), Some("relayed hi"));

    let echo = asys.create_actor_by_name(concat!(module_path!(), "::Echo"))?;
    let echoed: Option<Echoed> = asys.ask_as(&echo, "ping".to_string(), ANSWER)?;
    assert_eq!(echoed.map(|e| e.0).as_deref(), Some("ping"));
    let shouted: Option<String> = asys.ask_as(&echo, Echoed("loud".into()), ANSWER)?;
    assert_eq!(shouted.as_deref(), Some("LOUD"));
    asys.shutdown()
}
