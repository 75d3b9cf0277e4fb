//! The decorators `#[require_capability]`, `#[troupe]`, `#[transient]` and
//! `#[transient_idle]` (spec §5.12.1, §8.1, §8.2). They are owned by `#[actor]`: placed
//! above it, a decorator moves itself below `#[actor]`, which then finds, validates and
//! expands it; without `#[actor]` a decorator is an error saying so.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Lit, LitInt, LitStr};

use crate::errors::Errors;

/// The decorator names, as written after `#`.
pub(crate) const NAMES: &[&str] =
    &["require_capability", "troupe", "transient", "transient_idle", "initializing_messages"];

/// `#[require_capability("Name")]` or `#[require_capability("Name", value)]`.
pub(crate) struct Requirement {
    name: LitStr,
    value: Option<Lit>,
}

/// `#[troupe(max_count = N, idle_count = M)]`.
pub(crate) struct TroupeOptions {
    pub(crate) span: Span,
    max_count: usize,
    idle_count: usize,
}

/// `#[transient(..)]` or `#[transient_idle(..)]`.
pub(crate) struct TransientOptions {
    pub(crate) span: Span,
    idle: bool,
    millis: u64,
}

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

/// Removes the decorators from `attrs` and parses them.
pub(crate) fn take(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> Decorators {
    let mut found = Decorators::default();
    attrs.retain(|attr| {
        let Some(name) = decorator_name(attr) else {
            return true;
        };
        match name {
            "require_capability" if matches!(attr.meta, syn::Meta::Path(_)) => errors.at(
                attr,
                "`#[require_capability]` names a capability: `#[require_capability(\"Has Lightbulb\")]` \
                 or `#[require_capability(\"Color\", \"Yellow\")]`",
            ),
            "require_capability" => match attr.parse_args::<Requirement>() {
                Ok(req) => found.requirements.push(req),
                Err(e) => errors.push(e),
            },
            "initializing_messages" => match parse_init(attr) {
                Ok(_) if found.init.is_some() => {
                    errors.at(attr, "`#[initializing_messages]` appears twice; list every message in one")
                }
                Ok(init) => found.init = Some(init),
                Err(e) => errors.push(e),
            },
            "troupe" => match parse_troupe(attr) {
                Ok(_) if found.troupe.is_some() => errors.at(attr, "`#[troupe]` appears twice; keep one"),
                Ok(t) => found.troupe = Some(t),
                Err(e) => errors.push(e),
            },
            _ => match parse_transient(attr, name == "transient_idle") {
                Ok(_) if found.transient.is_some() => {
                    errors.at(attr, "an actor takes one of `#[transient]` and `#[transient_idle]`, once")
                }
                Ok(t) => found.transient = Some(t),
                Err(e) => errors.push(e),
            },
        }
        false
    });
    if let (Some(troupe), Some(transient)) = (&found.troupe, &found.transient) {
        let mut e = syn::Error::new(
            transient.span,
            "`#[transient]` cannot be combined with `#[troupe]`: the troupe manages its workers' lifetimes; \
             remove one of them",
        );
        e.combine(syn::Error::new(troupe.span, "the `#[troupe]` is here"));
        errors.push(e);
    }
    if let (Some(troupe), Some(init)) = (&found.troupe, &found.init) {
        let mut e = syn::Error::new(
            init.span,
            "`#[initializing_messages]` cannot be combined with `#[troupe]`: each worker would need its own \
             initializing messages; initialize the workers from the messages they are sent instead",
        );
        e.combine(syn::Error::new(troupe.span, "the `#[troupe]` is here"));
        errors.push(e);
    }
    found
}

fn parse_init(attr: &Attribute) -> syn::Result<InitOptions> {
    const USAGE: &str = "list the fields to fill and their message types, and optionally the hook to run: \
                         `#[initializing_messages(config: Config, peer: Hello, done = on_ready)]`";
    let items = attr
        .parse_args_with(syn::punctuated::Punctuated::<InitItem, syn::Token![,]>::parse_terminated)
        .map_err(|e| syn::Error::new(e.span(), format!("{e}; {USAGE}")))?;
    let mut fields = Vec::new();
    let mut done = None;
    for item in items {
        match item {
            InitItem::Field(name, ty) => {
                if fields.iter().any(|(n, _): &(syn::Ident, syn::Type)| n == &name) {
                    return Err(syn::Error::new_spanned(name, "this field is listed twice"));
                }
                fields.push((name, *ty));
            }
            InitItem::Done(hook) if done.is_none() => done = Some(hook),
            InitItem::Done(hook) => return Err(syn::Error::new_spanned(hook, "`done` is given twice")),
        }
    }
    if fields.is_empty() {
        return Err(syn::Error::new_spanned(attr, USAGE));
    }
    Ok(InitOptions { span: attr.span(), fields, done })
}

enum InitItem {
    Field(syn::Ident, Box<syn::Type>),
    Done(syn::Ident),
}

impl Parse for InitItem {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: syn::Ident = input.parse()?;
        if name == "done" && input.peek(syn::Token![=]) {
            input.parse::<syn::Token![=]>()?;
            return Ok(Self::Done(input.parse()?));
        }
        input.parse::<syn::Token![:]>()?;
        Ok(Self::Field(name, Box::new(input.parse()?)))
    }
}

impl Parse for Requirement {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(
                "`#[require_capability]` names a capability: `#[require_capability(\"Has Lightbulb\")]` \
                 or `#[require_capability(\"Color\", \"Yellow\")]`",
            ));
        }
        let name: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "the capability name is a string literal: `#[require_capability(\"Has Lightbulb\")]`",
            )
        })?;
        let value = if input.is_empty() {
            None
        } else {
            input.parse::<syn::Token![,]>()?;
            let value = parse_value(input)?;
            let _ = input.parse::<Option<syn::Token![,]>>()?;
            Some(value)
        };
        if !input.is_empty() {
            return Err(input.error("`#[require_capability]` takes a name and at most one value"));
        }
        Ok(Self { name, value })
    }
}

/// A capability value: a string, integer, float or boolean literal, optionally negative.
fn parse_value(input: ParseStream<'_>) -> syn::Result<Lit> {
    let negative = input.parse::<Option<syn::Token![-]>>()?.is_some();
    let lit: Lit = input.parse().map_err(|e| {
        syn::Error::new(e.span(), "a required capability value is a literal: a string, number or `true`/`false`")
    })?;
    match (&lit, negative) {
        (Lit::Str(_) | Lit::Bool(_), false) => Ok(lit),
        (Lit::Int(i), _) => {
            Ok(Lit::Int(LitInt::new(&format!("{}{}", if negative { "-" } else { "" }, i.base10_digits()), i.span())))
        }
        (Lit::Float(f), _) => Ok(Lit::Float(syn::LitFloat::new(
            &format!("{}{}", if negative { "-" } else { "" }, f.base10_digits()),
            f.span(),
        ))),
        _ => Err(syn::Error::new_spanned(&lit, "a required capability value is a string, number or `true`/`false`")),
    }
}

fn parse_troupe(attr: &Attribute) -> syn::Result<TroupeOptions> {
    let mut max_count: Option<(usize, LitInt)> = None;
    let mut idle_count: Option<(usize, LitInt)> = None;
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        attr.parse_nested_meta(|meta| {
            let slot = if meta.path.is_ident("max_count") {
                &mut max_count
            } else if meta.path.is_ident("idle_count") {
                &mut idle_count
            } else {
                let name = meta.path.to_token_stream().to_string().replace(' ', "");
                return Err(meta.error(format!(
                    "unknown `#[troupe]` option `{name}`; expected one of: `max_count`, `idle_count`"
                )));
            };
            let lit: LitInt = meta.value()?.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "troupe sizes are integer literals: `#[troupe(max_count = 10, idle_count = 2)]`",
                )
            })?;
            *slot = Some((lit.base10_parse()?, lit));
            Ok(())
        })?;
    }
    if let Some((0, lit)) = &max_count {
        return Err(syn::Error::new_spanned(lit, "`max_count = 0` leaves the troupe no worker; use at least 1"));
    }
    let max = max_count.as_ref().map_or(10, |(n, _)| *n);
    let idle = idle_count.as_ref().map_or(2.min(max), |(n, _)| *n);
    if let Some((n, lit)) = &idle_count {
        if *n > max {
            return Err(syn::Error::new_spanned(
                lit,
                format!("`idle_count = {n}` is more than `max_count = {max}`; keep at most `max_count` idle workers"),
            ));
        }
    }
    Ok(TroupeOptions { span: attr.span(), max_count: max, idle_count: idle })
}

fn parse_transient(attr: &Attribute, idle: bool) -> syn::Result<TransientOptions> {
    let name = if idle { "transient_idle" } else { "transient" };
    let mut millis: u64 = 0;
    let mut given = false;
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        attr.parse_nested_meta(|meta| {
            let unit = if meta.path.is_ident("secs") {
                1000
            } else if meta.path.is_ident("millis") {
                1
            } else {
                let option = meta.path.to_token_stream().to_string().replace(' ', "");
                return Err(
                    meta.error(format!("unknown `#[{name}]` option `{option}`; expected one of: `secs`, `millis`"))
                );
            };
            let lit: LitInt = meta.value()?.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("the delay is an integer literal: `#[{name}(secs = 3, millis = 250)]`"),
                )
            })?;
            let n: u64 = lit.base10_parse()?;
            millis = n
                .checked_mul(unit)
                .and_then(|v| v.checked_add(millis))
                .ok_or_else(|| syn::Error::new_spanned(&lit, "the delay is too long"))?;
            given = true;
            Ok(())
        })?;
    }
    if !given {
        millis = 10_000; // the spec's default: 10 seconds
    }
    Ok(TransientOptions { span: attr.span(), idle, millis })
}

impl Decorators {
    /// The `capability_check` method for `impl Actor`, if the actor has requirements or a
    /// hand-written `actor_system_capability_check`.
    pub(crate) fn capability_check(&self, user_check: Option<&syn::Ident>) -> Option<TokenStream> {
        if self.requirements.is_empty() && user_check.is_none() {
            return None;
        }
        let checks = self.requirements.iter().map(|req| {
            let name = &req.name;
            match &req.value {
                None => quote_spanned! {name.span()=>
                    if !__thespian_caps.is_truthy(#name) {
                        return ::core::result::Result::Err(::std::format!("capability {:?} is missing or false", #name));
                    }
                },
                Some(value) => quote_spanned! {value.span()=>
                    let __thespian_want = ::thespian::CapValue::from(#value);
                    if __thespian_caps.get(#name) != ::core::option::Option::Some(&__thespian_want) {
                        return ::core::result::Result::Err(
                            ::std::format!("capability {:?} is not {}", #name, __thespian_want),
                        );
                    }
                },
            }
        });
        let user = user_check.map(|f| {
            quote_spanned! {f.span()=>
                if !Self::#f(__thespian_caps, __thespian_reqs) {
                    return ::core::result::Result::Err(::std::string::String::from("actor_system_capability_check refused"));
                }
            }
        });
        Some(quote! {
            fn capability_check(
                __thespian_caps: &::thespian::Capabilities,
                __thespian_reqs: ::core::option::Option<&::thespian::Capabilities>,
            ) -> ::core::result::Result<(), ::std::string::String> {
                let _ = __thespian_reqs;
                #(#checks)*
                #user
                ::core::result::Result::Ok(())
            }
        })
    }

    /// The `into_boxed_actor` method for `impl Actor`, if a pattern wraps the actor.
    pub(crate) fn boxing(&self) -> Option<TokenStream> {
        let wrapped = if let Some(t) = &self.troupe {
            let (max, idle) = (t.max_count, t.idle_count);
            quote! {
                ::thespian::patterns::Troupe::new(
                    ::std::boxed::Box::new(self),
                    ::thespian::ActorFactory::of::<Self>(),
                    #max,
                    #idle,
                )
            }
        } else if let Some(t) = &self.transient {
            let inner = if self.init.is_some() {
                quote!(::std::boxed::Box::new(::thespian::patterns::Initializing::new(self)))
            } else {
                quote!(::std::boxed::Box::new(self))
            };
            let millis = t.millis;
            let mode = if t.idle {
                quote!(::thespian::patterns::TransientMode::AfterLastMessage)
            } else {
                quote!(::thespian::patterns::TransientMode::AfterFirstMessage)
            };
            quote! {
                ::thespian::patterns::Transient::new(
                    #inner,
                    #mode,
                    ::core::time::Duration::from_millis(#millis),
                )
            }
        } else if self.init.is_some() {
            quote!(::thespian::patterns::Initializing::new(self))
        } else {
            return None;
        };
        Some(quote! {
            fn into_boxed_actor(self) -> ::std::boxed::Box<dyn ::thespian::Actor> {
                ::std::boxed::Box::new(#wrapped)
            }
        })
    }
}

impl Decorators {
    /// The `InitFields` impl of an actor with `#[initializing_messages]`.
    pub(crate) fn init_fields(&self, self_ty: &syn::Type) -> Option<TokenStream> {
        let init = self.init.as_ref()?;
        let offers = init.fields.iter().map(|(field, ty)| {
            quote_spanned! {ty.span()=>
                if let ::core::option::Option::Some(__thespian_m) = __thespian_msg.downcast_ref::<#ty>() {
                    self.#field = ::core::option::Option::Some(::thespian::patterns::Init {
                        message: ::core::clone::Clone::clone(__thespian_m),
                        sender: ::core::clone::Clone::clone(__thespian_sender),
                    });
                    return true;
                }
            }
        });
        let complete = init.fields.iter().map(|(field, _)| quote!(self.#field.is_some()));
        let done = match &init.done {
            Some(hook) => quote_spanned! {hook.span()=>
                ::core::result::Result::map(
                    ::thespian::HandlerReturn::into_dispatch(self.#hook(__thespian_ctx)),
                    |_| (),
                )
            },
            None => quote!({
                let _ = __thespian_ctx;
                ::core::result::Result::Ok(())
            }),
        };
        Some(quote! {
            #[automatically_derived]
            impl ::thespian::patterns::InitFields for #self_ty {
                fn offer(
                    &mut self,
                    __thespian_msg: &dyn ::thespian::Message,
                    __thespian_sender: &::thespian::ActorAddress,
                ) -> bool {
                    #(#offers)*
                    false
                }

                fn complete(&self) -> bool {
                    true #(&& #complete)*
                }

                fn init_done(&mut self, __thespian_ctx: &mut ::thespian::ActorContext<'_>) -> ::thespian::ActorResult {
                    #done
                }
            }
        })
    }
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
