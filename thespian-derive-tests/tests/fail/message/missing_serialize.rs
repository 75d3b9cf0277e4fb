use thespian::prelude::*;

#[derive(Debug, Message)]
struct NotSerializable {
    n: u32,
}

fn main() {}
