//! Runnable example programs for the thespian guide; run one with `cargo run --example NAME`.
//!
//! The library holds what several examples share: the [`typer`] module, with the `Typer`
//! actor of usage guide §5.17 and its messages.

#[path = "shared/typer.rs"]
pub mod typer;
