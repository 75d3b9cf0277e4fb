use thespian::prelude::*;

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(system)]
struct Shutdown;

fn main() {}
