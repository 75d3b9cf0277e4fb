//! Procedural macros for [`thespian`](https://docs.rs/thespian).
//!
//! This crate is an implementation detail: depend on `thespian` and write
//! `use thespian::prelude::*;`, which re-exports every macro defined here.

mod actor;
mod decorators;
mod errors;
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

/// Routes an actor's messages by type (spec §5.17): put it on an `impl` block whose methods
/// carry `#[handler(T)]` and, optionally, `#[unrecognized]`.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, item: TokenStream) -> TokenStream {
    actor::expand(args.into(), item.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the handler of message type `T`.
/// Only meaningful inside `#[actor]`, which removes it; anywhere else it is an error.
#[proc_macro_attribute]
pub fn handler(_args: TokenStream, item: TokenStream) -> TokenStream {
    outside_actor("handler", item.into()).into()
}

/// Marks the fallback handler for messages no `#[handler]` takes (spec §5.17.2).
/// Only meaningful inside `#[actor]`, which removes it; anywhere else it is an error.
#[proc_macro_attribute]
pub fn unrecognized(_args: TokenStream, item: TokenStream) -> TokenStream {
    outside_actor("unrecognized", item.into()).into()
}

/// The error for a marker attribute used where `#[actor]` did not remove it.
fn outside_actor(marker: &str, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let message = format!(
        "`#[{marker}]` only works on a method inside an `#[actor]` impl block; add `#[actor]` above the `impl` block"
    );
    let error = syn::Error::new(proc_macro2::Span::call_site(), message).into_compile_error();
    quote::quote!(#item #error)
}

/// Requires a capability of the system the actor runs in (spec §5.12.1), on an `#[actor]`
/// impl block: `#[require_capability("Name")]` (present and truthy) or
/// `#[require_capability("Name", value)]` (equal). Repeatable: all must hold.
#[proc_macro_attribute]
pub fn require_capability(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("require_capability", args.into(), item.into()).into()
}

/// Makes an `#[actor]` a troupe (spec §4.9, §8.1): `#[troupe(max_count = 10, idle_count = 2)]`.
#[proc_macro_attribute]
pub fn troupe(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("troupe", args.into(), item.into()).into()
}

/// Makes an `#[actor]` exit some time after its first message (spec §8.2):
/// `#[transient(secs = 3, millis = 250)]`, 10 seconds by default.
#[proc_macro_attribute]
pub fn transient(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("transient", args.into(), item.into()).into()
}

/// Makes an `#[actor]` exit some time after its last non-system message (spec §8.2):
/// `#[transient_idle(secs = 3)]`, 10 seconds by default.
#[proc_macro_attribute]
pub fn transient_idle(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("transient_idle", args.into(), item.into()).into()
}

/// Holds an `#[actor]`'s other messages until one of each initializing message has arrived:
/// `#[initializing_messages(config: Config, peer: Hello, done = on_ready)]` stores each in its
/// field (`config: Option<thespian::patterns::Init<Config>>`), runs the `done` hook, then
/// delivers the held messages in order.
#[proc_macro_attribute]
pub fn initializing_messages(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("initializing_messages", args.into(), item.into()).into()
}
