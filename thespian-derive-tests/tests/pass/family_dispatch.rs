//! Message families: `#[handler(dyn Family)]` receives every message of the family, as `&dyn`
//! or `&mut dyn`; the chain is the message's own type, then its families in declared order,
//! and `Dispatch::Super` moves one link down that chain.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

/// Messages that name a shape.
trait Shape: Message {
    fn name(&self) -> String;
}

/// Messages that can be scaled.
trait Scalable: Message {
    fn scale(&mut self, by: u32);
    fn size(&self) -> u32;
}

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Shape, family = Scalable)]
struct Square(u32);

impl Shape for Square {
    fn name(&self) -> String {
        format!("square {}", self.0)
    }
}

impl Scalable for Square {
    fn scale(&mut self, by: u32) {
        self.0 *= by;
    }

    fn size(&self) -> u32 {
        self.0
    }
}

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Shape)]
struct Circle;

impl Shape for Circle {
    fn name(&self) -> String {
        "circle".into()
    }
}

#[derive(Default)]
struct Painter;

#[actor]
impl Painter {
    #[handler(Square)]
    fn on_square(&mut self, msg: &Square, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        if msg.0 == 0 {
            ctx.send(sender, "empty square".to_string());
            return Dispatch::Handled;
        }
        Dispatch::Super
    }

    #[handler(dyn Shape)]
    fn on_shape(&mut self, msg: &dyn Shape, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
        if msg.name().starts_with("square") {
            return Dispatch::Super;
        }
        ctx.send(sender, format!("shape {}", msg.name()));
        Dispatch::Handled
    }

    #[handler(dyn Scalable)]
    fn on_scalable(&mut self, msg: &mut dyn Scalable, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        msg.scale(10);
        ctx.send(sender, format!("scaled to {}", msg.size()));
    }
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(thespian::Logging::Off).build()?;
    let painter = asys.create_actor::<Painter>()?;
    assert_eq!(asys.ask_as::<String>(&painter, Square(0), ANSWER)?.as_deref(), Some("empty square"));
    assert_eq!(asys.ask_as::<String>(&painter, Square(3), ANSWER)?.as_deref(), Some("scaled to 30"));
    assert_eq!(asys.ask_as::<String>(&painter, Circle, ANSWER)?.as_deref(), Some("shape circle"));
    assert_eq!(Square(1).message_families().iter().map(|f| f.name()).collect::<Vec<_>>(), ["Shape", "Scalable"]);
    asys.shutdown()
}
