use thespian::prelude::*;

pub trait Greeting {}

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(nmae = "greetings::Hello", family = dyn Greeting, name)]
struct Hello;

fn main() {}
