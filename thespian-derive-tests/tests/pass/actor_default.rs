//! A `Default` actor with `&T` and `&mut T` messages, created by type and by its registered
//! module-qualified name.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize, Deserialize, Message)]
struct Append(Vec<String>);

#[derive(Default)]
struct Collector {
    items: Vec<String>,
}

#[actor]
impl Collector {
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.items.push(msg.clone());
        ctx.send(sender, self.items.len());
    }

    #[handler(Append)]
    fn on_append(&mut self, msg: &mut Append, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.items.append(&mut msg.0);
        ctx.send(sender, self.items.join(","));
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let by_type = asys.create_actor::<Collector>()?;
    assert_eq!(asys.ask_as::<usize>(&by_type, "a".to_string(), ANSWER)?, Some(1));
    let joined: Option<String> = asys.ask_as(&by_type, Append(vec!["b".into(), "c".into()]), ANSWER)?;
    assert_eq!(joined.as_deref(), Some("a,b,c"));

    let by_name = asys.create_actor_by_name(concat!(module_path!(), "::Collector"))?;
    assert_ne!(by_name, by_type);
    assert_eq!(asys.ask_as::<usize>(&by_name, "x".to_string(), ANSWER)?, Some(1));
    asys.shutdown()
}
