use thespian::patterns::Init;
use thespian::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Config;

#[derive(Default)]
struct Worker {
    config: Option<Init<Config>>,
}

#[troupe]
#[initializing_messages(config: Config)]
#[actor]
impl Worker {}

fn main() {}
