//! Procedural macros for [`thespian`](https://docs.rs/thespian).
//!
//! This crate is an implementation detail: depend on `thespian` and write
//! `use thespian::prelude::*;`, which re-exports every macro defined here.

mod message;

use proc_macro::TokenStream;

/// Makes a type a `thespian` message: implements `thespian::Message` and registers the
/// type under its module-qualified name so that the multi-process bases can decode it.
///
/// The type must also implement `Debug`, `serde::Serialize` and `serde::Deserialize`.
/// `#[message(name = "stable::Name")]` overrides the registered name (names must be unique
/// across the program; the system checks this when it starts).
#[proc_macro_derive(Message, attributes(message))]
pub fn derive_message(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    message::expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}
