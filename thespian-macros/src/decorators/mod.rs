//! The decorators `#[require_capability]`, `#[troupe]`, `#[transient]`,
//! `#[transient_idle]` and `#[initializing_messages]` (spec §5.12.1, §8.1, §8.2). They are
//! owned by `#[actor]`: placed above it, a decorator moves itself below `#[actor]`, which then
//! finds ([`parse::take`]), validates and expands ([`expand`]) it; without `#[actor]` a
//! decorator is an error saying so.

mod expand;
mod parse;

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Attribute, LitBool, LitStr};

pub(crate) use parse::take;

/// The decorator names, as written after `#`.
pub(crate) const NAMES: &[&str] =
    &["require_capability", "troupe", "transient", "transient_idle", "initializing_messages"];

/// `#[require_capability("Name")]` or `#[require_capability("Name", value)]`.
pub(crate) struct Requirement {
    name: LitStr,
    value: Option<CapLiteral>,
}

/// The value of a `#[require_capability]`, as the `CapValue` it stands for.
pub(crate) struct CapLiteral {
    /// The value as written, for spans.
    tokens: TokenStream,
    value: CapLiteralValue,
}

pub(crate) enum CapLiteralValue {
    Str(LitStr),
    Bool(LitBool),
    Int(i64),
    Float(f64),
}

/// `#[troupe(max_count = N, idle_count = M)]`.
pub(crate) struct TroupeOptions {
    pub(crate) span: Span,
    max_count: usize,
    idle_count: usize,
}

/// The defaults of a bare `#[troupe]` (spec §8.1).
pub(crate) const TROUPE_MAX_COUNT: usize = 10;
pub(crate) const TROUPE_IDLE_COUNT: usize = 2;

/// `#[transient(..)]` or `#[transient_idle(..)]`.
pub(crate) struct TransientOptions {
    pub(crate) span: Span,
    idle: bool,
    millis: u64,
}

/// The delay of a bare `#[transient]` or `#[transient_idle]`: 10 seconds (spec §8.2).
pub(crate) const TRANSIENT_DEFAULT_MILLIS: u64 = 10_000;

/// `#[initializing_messages(field: Type, .., done = method)]`.
pub(crate) struct InitOptions {
    pub(crate) span: Span,
    fields: Vec<(syn::Ident, syn::Type)>,
    done: Option<syn::Ident>,
}

/// The decorators found on one `#[actor]` impl block.
#[derive(Default)]
pub(crate) struct Decorators {
    pub(crate) requirements: Vec<Requirement>,
    pub(crate) troupe: Option<TroupeOptions>,
    pub(crate) transient: Option<TransientOptions>,
    pub(crate) init: Option<InitOptions>,
}

fn decorator_name(attr: &Attribute) -> Option<&'static str> {
    let last = attr.path().segments.last()?;
    NAMES.iter().copied().find(|n| last.ident == n)
}

/// The expansion of a decorator written above `#[actor]`: moves itself below `#[actor]`
/// so that `#[actor]` finds it; without `#[actor]` it is an error.
pub(crate) fn reattach(name: &str, args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<syn::Item>(item.clone());
    let actor = match &parsed {
        Ok(syn::Item::Impl(imp)) => imp.attrs.iter().position(is_actor),
        _ => None,
    };
    match (parsed, actor) {
        (Ok(syn::Item::Impl(mut imp)), Some(actor)) => {
            let ident = syn::Ident::new(name, Span::call_site());
            let args = if args.is_empty() { quote!() } else { quote!((#args)) };
            // Right after `#[actor]` and the decorators moved there before this one, so
            // that `#[actor]` sees every decorator in the order it was written.
            let at = actor + 1 + imp.attrs.iter().skip(actor + 1).take_while(|a| is_moved(a)).count();
            imp.attrs.insert(at, syn::parse_quote!(#[::thespian::#ident #args]));
            imp.into_token_stream()
        }
        _ => {
            let message = format!(
                "`#[{name}]` works together with `#[actor]`: write `#[actor]` on the same `impl` block, \
                 with `#[{name}]` above or below it"
            );
            let error = syn::Error::new(Span::call_site(), message).into_compile_error();
            quote!(#item #error)
        }
    }
}

/// A decorator moved below `#[actor]` by [`reattach`] (written with the absolute path).
fn is_moved(attr: &Attribute) -> bool {
    attr.path().leading_colon.is_some() && decorator_name(attr).is_some()
}

fn is_actor(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "actor")
}
