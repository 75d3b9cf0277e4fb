//! Benchmarks of the thespian actor framework (being written).

fn main() {}
