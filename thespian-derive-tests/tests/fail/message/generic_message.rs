use thespian::prelude::*;

#[derive(Debug, Serialize, Deserialize, Message)]
struct Job<T> {
    input: T,
}

fn main() {}
