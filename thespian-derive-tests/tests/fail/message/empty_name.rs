use thespian::prelude::*;

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(name = "")]
struct Nameless;

fn main() {}
