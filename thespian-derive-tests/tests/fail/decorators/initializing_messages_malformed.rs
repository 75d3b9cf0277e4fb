use thespian::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Config;

#[derive(Default)]
struct Service;

#[initializing_messages(Config)]
#[actor]
impl Service {}

fn main() {}
