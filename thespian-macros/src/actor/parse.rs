//! Parses an `#[actor]` impl block into an [`ActorImpl`]: its options, handlers and
//! fallback, with the marker attributes removed from the methods.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, ImplItem, ImplItemFn, ItemImpl, Type};

use crate::decorators::{self, Decorators};
use crate::errors::{show, Errors};
use crate::options;

/// The options of `#[actor(..)]`.
#[derive(Default)]
pub(crate) struct Options {
    /// `new = path`: the constructor.
    pub(crate) new: Option<syn::Path>,
    /// Where `new` was written, even if malformed: the actor has no `Default` to fall back on.
    pub(crate) new_given: Option<Span>,
    /// `base = field`: the field holding the base actor.
    pub(crate) base: Option<syn::Ident>,
}

const VALID_OPTIONS: &[&str] = &["new = path::to::constructor", "base = field"];

/// One `#[handler(T)]` method.
pub(crate) struct Handler {
    /// The message type `T` (a type, or `dyn Family`).
    pub(crate) ty: Type,
    /// The method.
    pub(crate) method: syn::Ident,
    /// The method's signature, as the dispatcher calls it.
    pub(crate) call: Call,
    /// The method's `#[cfg]`s, to put on what is generated for it.
    pub(crate) cfgs: Vec<Attribute>,
}

/// The `#[unrecognized]` method.
pub(crate) struct Fallback {
    /// The `#[unrecognized]` attribute, for messages about it.
    pub(crate) marker: Attribute,
    pub(crate) method: syn::Ident,
    pub(crate) call: Call,
    pub(crate) cfgs: Vec<Attribute>,
}

/// How to call a handler: what it takes after `self`, and where its return type is.
pub(crate) struct Call {
    /// The message parameter's type behind its reference: `T` of `msg: &T`.
    pub(crate) msg_ty: Type,
    pub(crate) msg_mut: bool,
    pub(crate) sender: bool,
    pub(crate) ctx: bool,
    /// The return type, or the method's name when it returns `()`.
    pub(crate) output: Span,
}

/// An `#[actor]` impl block.
pub(crate) struct ActorImpl {
    /// The impl block with the marker attributes removed.
    pub(crate) item: ItemImpl,
    /// The actor type's name.
    pub(crate) ident: syn::Ident,
    /// True if `item` is an inherent impl of a named type, generic or not, so that trait impls
    /// with the block's generics can be written to keep a mistaken actor from adding errors.
    pub(crate) inherent: bool,
    pub(crate) options: Options,
    pub(crate) handlers: Vec<Handler>,
    pub(crate) fallbacks: Vec<Fallback>,
    /// `#[require_capability]`, `#[troupe]`, `#[transient]`, `#[transient_idle]`.
    pub(crate) decorators: Decorators,
    /// The hand-written `fn actor_system_capability_check(caps, requirements) -> bool`: its
    /// signature and its `#[cfg]`s (several if they are alternatives under `#[cfg]`s).
    pub(crate) user_checks: Vec<(syn::Signature, Vec<Attribute>)>,
}

/// The name of the hand-written capability check (spec §5.12).
const USER_CHECK: &str = "actor_system_capability_check";

/// Parses the block; every mistake found is in the returned error.
pub(crate) fn parse(args: TokenStream, mut item: ItemImpl) -> (ActorImpl, syn::Result<()>) {
    let mut errors = Errors::default();
    let options = parse_options(args, &mut errors);
    let (ident, inherent) = self_ident(&item, &mut errors);
    let decorators = decorators::take(&mut item.attrs, &mut errors);
    let mut handlers = Vec::new();
    let mut fallbacks = Vec::new();
    let mut user_checks = Vec::new();
    for impl_item in &mut item.items {
        match impl_item {
            ImplItem::Fn(method) => {
                if method.sig.ident == USER_CHECK {
                    if let Some(receiver) = method.sig.receiver() {
                        errors.at(
                            receiver,
                            "`actor_system_capability_check` is an associated function, without `self`: \
                             `fn actor_system_capability_check(capabilities: &Capabilities, requirements: Option<&Capabilities>) -> bool`",
                        );
                    } else {
                        user_checks.push((method.sig.clone(), cfgs(&method.attrs)));
                    }
                }
                parse_method(method, &mut handlers, &mut fallbacks, &mut errors);
            }
            ImplItem::Const(c) => not_a_method(&mut c.attrs, &mut errors),
            ImplItem::Type(t) => not_a_method(&mut t.attrs, &mut errors),
            ImplItem::Macro(m) => not_a_method(&mut m.attrs, &mut errors),
            _ => {}
        }
    }
    let model = ActorImpl { item, ident, inherent, options, handlers, fallbacks, decorators, user_checks };
    (model, errors.check())
}

/// Removes and reports `#[handler]` and `#[unrecognized]` on an item that is not a method.
fn not_a_method(attrs: &mut Vec<Attribute>, errors: &mut Errors) {
    attrs.retain(|attr| {
        let (name, example) = if is_marker(attr, "handler") {
            let ty = attr.parse_args::<Type>().map_or_else(|_| "String".to_string(), |ty| show(&ty));
            ("handler", format!("`#[handler({ty})] fn on_message(&mut self, msg: &{ty}) {{}}`"))
        } else if is_marker(attr, "unrecognized") {
            ("unrecognized", "`#[unrecognized] fn other(&mut self, msg: &mut dyn Message) {}`".to_string())
        } else {
            return true;
        };
        errors.at(attr, format!("`#[{name}]` goes on a method of the `#[actor]` impl block: {example}"));
        false
    });
}

fn parse_options(args: TokenStream, errors: &mut Errors) -> Options {
    const NEW: &str = "`new` names the constructor: `#[actor(new = MyActor::new)]`";
    const BASE: &str = "`base` names the field that holds the base actor: `#[actor(base = field)]`";
    let mut found = Options::default();
    let mut base_given = false;
    for item in options::split(args) {
        match item.name().map(ToString::to_string).as_deref() {
            Some("new") if found.new_given.is_some() => errors.at(&item.tokens, options::twice(&item, NEW)),
            Some("new") => {
                found.new_given = item.name().map(syn::Ident::span);
                found.new = options::parse_value(&item);
                if found.new.is_none() {
                    errors.at(item.value_tokens(), NEW);
                }
            }
            Some("base") if base_given => errors.at(&item.tokens, options::twice(&item, BASE)),
            Some("base") => {
                base_given = true;
                found.base = options::parse_value(&item);
                if found.base.is_none() {
                    errors.at(item.value_tokens(), BASE);
                }
            }
            _ if matches!(item.kind, options::Kind::Other) => errors.at(
                &item.tokens,
                "`#[actor]` options are `name = value`: `#[actor(new = MyActor::new)]`, `#[actor(base = field)]`",
            ),
            _ => errors.at(item.name(), options::unknown("actor", &item, VALID_OPTIONS)),
        }
    }
    found
}

/// The actor type's name, and whether the block is an inherent impl of a named type.
fn self_ident(item: &ItemImpl, errors: &mut Errors) -> (syn::Ident, bool) {
    let name = show(&item.self_ty);
    let mut inherent = true;
    if let Some((_, path, _)) = &item.trait_ {
        errors.at(
            path,
            format!(
                "`#[actor]` goes on the inherent `impl {name} {{ .. }}` block that holds the handlers, not on a \
                 trait impl; move `#[actor]` and the `#[handler]` methods there"
            ),
        );
        inherent = false;
    }
    let Type::Path(path) = item.self_ty.as_ref() else {
        errors.at(&item.self_ty, "`#[actor]` needs a named type: `impl MyActor { .. }`");
        return (syn::Ident::new("__ThespianInvalidActor", item.self_ty.span()), false);
    };
    let Some(last) = path.path.segments.last() else {
        errors.at(&item.self_ty, "`#[actor]` needs a named type: `impl MyActor { .. }`");
        return (syn::Ident::new("__ThespianInvalidActor", item.self_ty.span()), false);
    };
    let inherent = inherent && path.qself.is_none();
    let ident = &last.ident;
    let generic = format!(
        "a generic type cannot be an actor; an `#[actor]` impl must be for a concrete, non-generic type: the \
         system registers each actor type under one name, to create it by name or in another process; wrap \
         `{ident}` in a struct that fixes the parameters: `struct TextActor({ident}<String>);` with \
         `#[actor] impl TextActor {{ .. }}`"
    );
    if !item.generics.params.is_empty() {
        errors.at(&item.generics, generic);
    } else if !last.arguments.is_empty() {
        errors.at(&last.arguments, generic);
    }
    (last.ident.clone(), inherent)
}

/// What a method was marked as.
enum Marker {
    Handler(Box<Type>),
    Fallback(Box<Attribute>),
}

fn is_marker(attr: &Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

fn parse_method(
    method: &mut ImplItemFn,
    handlers: &mut Vec<Handler>,
    fallbacks: &mut Vec<Fallback>,
    errors: &mut Errors,
) {
    let mut markers = Vec::new();
    method.attrs.retain(|attr| {
        if is_marker(attr, "handler") {
            match attr.parse_args::<Type>() {
                Ok(ty) => markers.push(Marker::Handler(Box::new(ty))),
                Err(_) => errors.at(
                    attr,
                    "`#[handler]` names the message type it handles: `#[handler(String)]` or `#[handler(dyn MyFamily)]`",
                ),
            }
            false
        } else if is_marker(attr, "unrecognized") {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                errors.at(attr, "`#[unrecognized]` takes no arguments: it receives every message no handler takes");
            }
            markers.push(Marker::Fallback(Box::new(attr.clone())));
            false
        } else {
            true
        }
    });
    if markers.len() > 1 {
        errors.at(
            &method.sig.ident,
            "a method carries one `#[handler(T)]` or `#[unrecognized]`; write one method per message type",
        );
    }
    let Some(marker) = markers.into_iter().next() else {
        return;
    };
    // The dispatcher fixes the shape of a handler (`&mut self`, the message by reference, a
    // return type it understands), so lints that ask to change that shape do not apply.
    method.attrs.push(syn::parse_quote! {
        #[allow(
            clippy::ptr_arg,
            clippy::trivially_copy_pass_by_ref,
            clippy::unused_self,
            clippy::unnecessary_wraps,
            clippy::needless_pass_by_ref_mut,
            clippy::missing_const_for_fn
        )]
    });
    let ident = method.sig.ident.clone();
    let cfgs = cfgs(&method.attrs);
    match marker {
        Marker::Handler(ty) => {
            if has_placeholder(ty.to_token_stream()) {
                let named = match method.sig.inputs.iter().nth(1) {
                    Some(FnArg::Typed(arg)) => match arg.ty.as_ref() {
                        Type::Reference(r) if !has_placeholder(r.elem.to_token_stream()) => show(&r.elem),
                        _ => "String".to_string(),
                    },
                    _ => "String".to_string(),
                };
                errors.at(
                    &ty,
                    format!("`#[handler]` names the message type; it cannot be inferred: `#[handler({named})]`"),
                );
            }
            let ty = family_alone(*ty, errors);
            let call = parse_signature(method, Some(&ty), errors);
            handlers.push(Handler { ty, method: ident, call, cfgs });
        }
        Marker::Fallback(marker) => {
            let call = parse_signature(method, None, errors);
            fallbacks.push(Fallback { marker: *marker, method: ident, call, cfgs });
        }
    }
}

/// True if `tokens` hold the placeholder `_`.
fn has_placeholder(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == "_",
        proc_macro2::TokenTree::Group(group) => has_placeholder(group.stream()),
        _ => false,
    })
}

/// The conditions under which an item exists: its `#[cfg(..)]`s, and the `cfg(..)`s inside its
/// `#[cfg_attr(..)]`s (`#[cfg_attr(a, inline, cfg(b))]` becomes `#[cfg_attr(a, cfg(b))]`).
pub(crate) fn cfgs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter_map(|attr| {
            if attr.path().is_ident("cfg") {
                return Some(attr.clone());
            }
            let syn::Meta::List(list) = &attr.meta else { return None };
            if !list.path.is_ident("cfg_attr") {
                return None;
            }
            let mut metas = list
                .parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                .ok()?
                .into_iter();
            let predicate = metas.next()?;
            let kept: Vec<syn::Meta> = metas.filter(|m| m.path().is_ident("cfg")).collect();
            (!kept.is_empty()).then(|| syn::parse_quote!(#[cfg_attr(#predicate, #(#kept),*)]))
        })
        .collect()
}

/// `dyn Family` as written, or with its extra bounds reported: `dyn Family + Send` is another
/// type than the family `dyn Family`, so a handler for it would never run.
fn family_alone(ty: Type, errors: &mut Errors) -> Type {
    let ty = match ty {
        Type::Paren(inner) if matches!(*inner.elem, Type::TraitObject(_)) => *inner.elem,
        ty => ty,
    };
    let Type::TraitObject(object) = &ty else { return ty };
    let family = object.bounds.iter().find_map(|bound| match bound {
        syn::TypeParamBound::Trait(t)
            if t.paren_token.is_none() && matches!(t.modifier, syn::TraitBoundModifier::None) =>
        {
            Some(t.path.clone())
        }
        _ => None,
    });
    let extra: Vec<&syn::TypeParamBound> = object
        .bounds
        .iter()
        .filter(|bound| match (bound, &family) {
            (syn::TypeParamBound::Trait(t), Some(family)) => t.path != *family,
            _ => true,
        })
        .collect();
    if let (Some(first), Some(family)) = (extra.first(), &family) {
        let family = show(family);
        let bounds = extra.iter().map(show).collect::<Vec<_>>().join(" + ");
        errors.at(
            first,
            format!(
                "a family handler names the trait alone: `#[handler(dyn {family})]`; messages are routed to the \
                 family `dyn {family}`, never to `dyn {family} + {bounds}`"
            ),
        );
    }
    ty
}

/// Checks `(&mut self, msg: &T [, sender: &ActorAddress] [, ctx: &mut ActorContext])`, where
/// `T` is `handled`, or `dyn Message` for the `#[unrecognized]` method (`handled` is `None`).
/// The returned call is only meaningful if no error was recorded.
fn parse_signature(method: &ImplItemFn, handled: Option<&Type>, errors: &mut Errors) -> Call {
    let sig = &method.sig;
    let name = &sig.ident;
    let msg_shown = handled.map_or_else(|| "mut dyn Message".to_string(), show);
    let example = format!("fn {name}(&mut self, msg: &{msg_shown})");
    let full = format!("fn {name}(&mut self, msg: &{msg_shown}, sender: &ActorAddress, ctx: &mut ActorContext<'_>)");
    if let Some(asyncness) = &sig.asyncness {
        errors.at(
            asyncness,
            "`async fn` handlers are not supported: an actor handles one message at a time, to completion \
             (usage guide §5.2); write a plain `fn`, and use `ctx.wakeup_after` or another actor to wait",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.at(
            &sig.generics,
            format!(
                "a handler cannot be generic: it is called for one message type; remove `{}`, and write one \
                 handler per message type",
                show(&sig.generics)
            ),
        );
    }
    let mut inputs = sig.inputs.iter().peekable();
    match inputs.peek() {
        Some(FnArg::Receiver(receiver)) => {
            if !matches!(receiver.ty.as_ref(), Type::Reference(_)) {
                errors.at(
                    receiver,
                    format!(
                        "a handler takes `&mut self` (or `&self`), not `{}`: the actor lives on after each \
                         message; write `{example}`",
                        show(receiver)
                    ),
                );
            }
            inputs.next();
        }
        Some(FnArg::Typed(first)) => errors.at(
            first,
            format!("a handler is a method: its first parameter is `&mut self` (or `&self`); write `{example}`"),
        ),
        None => errors.at(name, format!("a handler is a method that takes the message: `{example}`")),
    }
    let placeholder = || handled.cloned().unwrap_or_else(|| syn::parse_quote!(dyn ::thespian::Message));
    let (msg_ty, msg_mut) = match inputs.next() {
        None => {
            if !sig.inputs.is_empty() {
                errors.at(name, format!("a handler takes the message after `&mut self`: `{example}`"));
            }
            (placeholder(), false)
        }
        Some(FnArg::Receiver(_)) => (placeholder(), false),
        // Read by position: the parameter after `self` is the message, even an `&ActorAddress`
        // when the handler takes addresses (`#[handler(ActorAddress)]`).
        Some(FnArg::Typed(arg)) => match classify_message(&arg.ty, handled) {
            Param::Message(reference) => {
                if handled.is_none() && !is_dyn_message(&reference.elem) {
                    errors.at(
                        &reference.elem,
                        format!(
                            "an `#[unrecognized]` method receives every message no handler takes, as \
                             `msg: &mut dyn Message` (or `&dyn Message`); to handle only `{}`, mark the method \
                             `#[handler({})]`",
                            show(&reference.elem),
                            show(&reference.elem)
                        ),
                    );
                }
                (reference.elem.as_ref().clone(), reference.mutability.is_some())
            }
            Param::Other => {
                errors.at(
                    &arg.ty,
                    format!(
                        "a handler takes the message by reference: `msg: &{msg_shown}` (or `&mut {msg_shown}` \
                         to change or take its contents)"
                    ),
                );
                (placeholder(), false)
            }
            Param::Sender | Param::SenderByValue | Param::Ctx | Param::CtxNotMut => {
                errors.at(
                    &arg.ty,
                    format!(
                        "a handler takes the message first, before the sender and the context: `{full}` (a \
                         handler of addresses is marked `#[handler(ActorAddress)]`)"
                    ),
                );
                (placeholder(), false)
            }
        },
    };
    let mut sender = false;
    let mut ctx = false;
    for input in inputs {
        let FnArg::Typed(arg) = input else { continue };
        match classify(&arg.ty) {
            Param::Sender if ctx => errors.at(&arg.ty, format!("the sender comes before the context: `{full}`")),
            Param::Sender if sender => errors.at(&arg.ty, "a handler takes the sender once"),
            Param::Sender => sender = true,
            Param::Ctx if ctx => errors.at(&arg.ty, "a handler takes the context once"),
            Param::Ctx => ctx = true,
            Param::SenderByValue => {
                errors.at(&arg.ty, "a handler borrows the sender: `sender: &ActorAddress` (clone it to keep it)")
            }
            Param::CtxNotMut => {
                errors.at(&arg.ty, "a handler borrows the context mutably: `ctx: &mut ActorContext<'_>`")
            }
            Param::Message(_) | Param::Other => errors.at(
                &arg.ty,
                "unexpected handler parameter: after the message a handler may take `sender: &ActorAddress`, \
                 then `ctx: &mut ActorContext<'_>`, and nothing else; keep other data in the actor's fields",
            ),
        }
    }
    let output = match &sig.output {
        syn::ReturnType::Default => sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    Call { msg_ty, msg_mut, sender, ctx, output }
}

/// A handler parameter, by its type.
enum Param<'a> {
    Sender,
    SenderByValue,
    Ctx,
    CtxNotMut,
    /// Any other reference: the message.
    Message(&'a syn::TypeReference),
    Other,
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        Type::Paren(inner) => last_ident(&inner.elem),
        _ => None,
    }
}

/// The parameter in the message's position: an `ActorAddress` is the message there when the
/// handler handles `ActorAddress`, and a misplaced sender otherwise.
fn classify_message<'a>(ty: &'a Type, handled: Option<&Type>) -> Param<'a> {
    let handles_addresses = handled.is_some_and(|handled| last_ident(handled).as_deref() == Some("ActorAddress"));
    match (classify(ty), ty) {
        (Param::Sender, Type::Reference(reference)) if handles_addresses => Param::Message(reference),
        (Param::SenderByValue, _) if handles_addresses => Param::Other,
        (param, _) => param,
    }
}

fn classify(ty: &Type) -> Param<'_> {
    match ty {
        Type::Reference(reference) => match last_ident(&reference.elem).as_deref() {
            Some("ActorAddress") if reference.mutability.is_none() => Param::Sender,
            Some("ActorContext") if reference.mutability.is_some() => Param::Ctx,
            Some("ActorContext") => Param::CtxNotMut,
            _ => Param::Message(reference),
        },
        _ if last_ident(ty).as_deref() == Some("ActorAddress") => Param::SenderByValue,
        _ => Param::Other,
    }
}

/// True for `dyn Message` (however the path to `Message` is written).
fn is_dyn_message(ty: &Type) -> bool {
    match ty {
        Type::Paren(inner) => is_dyn_message(&inner.elem),
        Type::TraitObject(object) => object.bounds.iter().any(|bound| match bound {
            syn::TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "Message"),
            _ => false,
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn parsed(args: TokenStream, item: ItemImpl) -> (ActorImpl, Vec<String>) {
        let (model, result) = parse(args, item);
        let messages = result.err().map(|e| e.into_iter().map(|e| e.to_string()).collect()).unwrap_or_default();
        (model, messages)
    }

    #[test]
    fn reads_options_handlers_and_fallback() {
        let (model, errors) = parsed(
            quote!(new = Self::build, base = inner),
            syn::parse_quote! {
                impl Derived {
                    #[handler(String)]
                    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {}
                    #[handler(dyn Family)]
                    fn on_family(&self, msg: &mut dyn Family) -> Dispatch { Dispatch::Super }
                    #[unrecognized]
                    fn other(&mut self, msg: &dyn Message, ctx: &mut ActorContext<'_>) {}
                    fn helper(&self) {}
                }
            },
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(model.ident, "Derived");
        assert!(model.inherent);
        assert_eq!(model.options.new.as_ref().map(show).as_deref(), Some("Self::build"));
        assert_eq!(model.options.base.as_ref().map(ToString::to_string).as_deref(), Some("inner"));
        let shapes: Vec<_> = model
            .handlers
            .iter()
            .map(|h| (h.method.to_string(), show(&h.call.msg_ty), h.call.msg_mut, h.call.sender, h.call.ctx))
            .collect();
        assert_eq!(
            shapes,
            [
                ("on_text".to_string(), "String".to_string(), false, true, true),
                ("on_family".to_string(), "dyn Family".to_string(), true, false, false),
            ]
        );
        let fallback = &model.fallbacks[0];
        assert_eq!((fallback.call.msg_mut, fallback.call.sender, fallback.call.ctx), (false, false, true));
        let markers_left = model.item.items.iter().any(|item| match item {
            ImplItem::Fn(f) => f.attrs.iter().any(|a| is_marker(a, "handler") || is_marker(a, "unrecognized")),
            _ => false,
        });
        assert!(!markers_left, "the markers are removed from the item");
    }

    #[test]
    fn reads_parameters_by_position() {
        let (model, errors) = parsed(
            quote!(),
            syn::parse_quote! {
                impl Forwarder {
                    #[handler(ActorAddress)]
                    fn on_addr(&mut self, addr: &ActorAddress, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {}
                    #[handler(thespian::ActorAddress)]
                    fn on_addr_alone(&mut self, addr: &mut thespian::ActorAddress) {}
                    #[handler(String)]
                    fn on_text(&mut self, sender: &ActorAddress) {}
                    #[handler(ActorAddress)]
                    fn by_value(&mut self, addr: ActorAddress) {}
                }
            },
        );
        let shapes: Vec<_> = model
            .handlers
            .iter()
            .take(2)
            .map(|h| (show(&h.call.msg_ty), h.call.msg_mut, h.call.sender, h.call.ctx))
            .collect();
        assert_eq!(
            shapes,
            [
                ("ActorAddress".to_string(), false, true, true),
                ("thespian::ActorAddress".to_string(), true, false, false),
            ]
        );
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].contains("a handler takes the message first"), "{}", errors[0]);
        assert!(errors[1].contains("the message by reference: `msg: &ActorAddress`"), "{}", errors[1]);
    }

    #[test]
    fn reports_every_signature_mistake() {
        let (_, errors) = parsed(
            quote!(parent = x),
            syn::parse_quote! {
                impl<T> Greeter<T> {
                    #[handler(String)]
                    fn by_value(self, msg: String) {}
                    #[handler(i64)]
                    fn swapped(&mut self, msg: &i64, ctx: &mut ActorContext<'_>, sender: &ActorAddress) {}
                    #[unrecognized]
                    fn other(&mut self, msg: &String) {}
                }
            },
        );
        let expected = [
            "unknown `#[actor]` option `parent`",
            "a generic type cannot be an actor",
            "not `self`",
            "the message by reference: `msg: &String`",
            "the sender comes before the context",
            "to handle only `String`, mark the method `#[handler(String)]`",
        ];
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        for (error, part) in errors.iter().zip(expected) {
            assert!(error.contains(part), "{error:?} should contain {part:?}");
        }
    }

    #[test]
    fn shows_tokens_as_written() {
        let ty: Type = syn::parse_quote!(&mut std::collections::HashMap<String, Vec<u8>>);
        assert_eq!(show(&ty), "&mut std::collections::HashMap<String, Vec<u8>>");
        let generics: syn::Generics = syn::parse_quote!(<'a, T: Default + 'a>);
        assert_eq!(show(&generics), "<'a, T: Default + 'a>");
        let ctx: Type = syn::parse_quote!(&mut ActorContext<'_>);
        assert_eq!(show(&ctx), "&mut ActorContext<'_>");
    }
}
