use thespian::prelude::*;

#[derive(Debug, Serialize, Deserialize, Message)]
#[message(nmae = "x::Y")]
struct Typo;

fn main() {}
