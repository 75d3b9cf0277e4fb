//! Runnable example programs for the thespian guide; run one with `cargo run --example NAME`.
