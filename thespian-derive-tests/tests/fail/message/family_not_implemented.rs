use thespian::prelude::*;

trait Greeting: Message {}

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Greeting)]
struct Hello;

fn main() {}
