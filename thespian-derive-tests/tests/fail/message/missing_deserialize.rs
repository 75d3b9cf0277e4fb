use thespian::prelude::*;

#[derive(Debug, Serialize, Message)]
struct OnlySerialize {
    n: u32,
}

fn main() {}
