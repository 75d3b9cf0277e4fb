use thespian::prelude::*;

trait Greeting {}

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(family = Greeting)]
struct Hello;

impl Greeting for Hello {}

fn main() {}
