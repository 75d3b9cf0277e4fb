//! Parses an `#[actor]` impl block into an [`ActorImpl`]: its options, handlers and
//! fallback, with the marker attributes removed from the methods.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, Type};

use crate::errors::Errors;

/// The options of `#[actor(..)]`.
#[derive(Default)]
pub(crate) struct Options {
    /// `new = path`: the constructor.
    pub(crate) new: Option<syn::Path>,
    /// `base = field`: the field holding the base actor.
    pub(crate) base: Option<syn::Ident>,
}

const VALID_OPTIONS: &str = "`new = path::to::constructor`, `base = field`";

/// One `#[handler(T)]` method.
pub(crate) struct Handler {
    /// The message type `T` (a type, or `dyn Family`).
    pub(crate) ty: Type,
    /// The method.
    pub(crate) method: syn::Ident,
    /// The method's signature, as the dispatcher calls it.
    pub(crate) call: Call,
}

/// The `#[unrecognized]` method.
pub(crate) struct Fallback {
    pub(crate) span: Span,
    pub(crate) method: syn::Ident,
    pub(crate) call: Call,
}

/// How to call a handler: what it takes after `self`, and where its return type is.
pub(crate) struct Call {
    pub(crate) msg_mut: bool,
    pub(crate) sender: bool,
    pub(crate) ctx: bool,
    pub(crate) output: Span,
}

/// An `#[actor]` impl block.
pub(crate) struct ActorImpl {
    /// The impl block with the marker attributes removed.
    pub(crate) item: ItemImpl,
    /// The actor type's name.
    pub(crate) ident: syn::Ident,
    pub(crate) options: Options,
    pub(crate) handlers: Vec<Handler>,
    pub(crate) fallbacks: Vec<Fallback>,
}

/// Parses the block; every mistake found is in the returned error.
pub(crate) fn parse(args: TokenStream, mut item: ItemImpl) -> (ActorImpl, syn::Result<()>) {
    let mut errors = Errors::default();
    let options = parse_options(args, &mut errors);
    let ident = self_ident(&item, &mut errors);
    let mut handlers = Vec::new();
    let mut fallbacks = Vec::new();
    for impl_item in &mut item.items {
        if let ImplItem::Fn(method) = impl_item {
            parse_method(method, &mut handlers, &mut fallbacks, &mut errors);
        }
    }
    let model = ActorImpl { item, ident, options, handlers, fallbacks };
    (model, errors.check())
}

fn parse_options(args: TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("new") {
            options.new = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("base") {
            options.base = Some(meta.value()?.parse()?);
        } else {
            let name = meta.path.to_token_stream().to_string().replace(' ', "");
            return Err(meta.error(format!("unknown `#[actor]` option `{name}`; expected one of: {VALID_OPTIONS}")));
        }
        Ok(())
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        errors.push(error);
    }
    options
}

fn self_ident(item: &ItemImpl, errors: &mut Errors) -> syn::Ident {
    if let Some((_, path, _)) = &item.trait_ {
        errors.at(path, "`#[actor]` goes on an inherent `impl MyActor { .. }` block, not on a trait impl");
    }
    if !item.generics.params.is_empty() {
        errors.at(
            &item.generics,
            "an `#[actor]` type cannot be generic: it is registered by name so another process can create it; \
             define a concrete type",
        );
    }
    if let Type::Path(path) = item.self_ty.as_ref() {
        if let Some(last) = path.path.segments.last() {
            if !last.arguments.is_empty() {
                errors.at(&last.arguments, "an `#[actor]` type cannot be generic; define a concrete type");
            }
            return last.ident.clone();
        }
    }
    errors.at(&item.self_ty, "`#[actor]` needs a named type: `impl MyActor { .. }`");
    syn::Ident::new("__ThespianInvalidActor", item.self_ty.span())
}

enum Marker {
    Handler(Type),
    Fallback(Span),
}

fn parse_method(method: &mut ImplItemFn, handlers: &mut Vec<Handler>, fallbacks: &mut Vec<Fallback>, errors: &mut Errors) {
    let mut markers = Vec::new();
    method.attrs.retain(|attr| {
        if attr.path().is_ident("handler") {
            match attr.parse_args::<Type>() {
                Ok(ty) => markers.push(Marker::Handler(ty)),
                Err(_) => errors.at(
                    attr,
                    "`#[handler]` names the message type it handles: `#[handler(String)]` or `#[handler(dyn MyFamily)]`",
                ),
            }
            false
        } else if attr.path().is_ident("unrecognized") {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                errors.at(attr, "`#[unrecognized]` takes no arguments");
            }
            markers.push(Marker::Fallback(attr.span()));
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
    let expected_msg = match &marker {
        Marker::Handler(ty) => format!("msg: &{}", ty.to_token_stream()),
        Marker::Fallback(_) => "msg: &mut dyn Message".to_string(),
    };
    let Some(call) = parse_signature(method, &expected_msg, errors) else {
        return;
    };
    let ident = method.sig.ident.clone();
    match marker {
        Marker::Handler(ty) => handlers.push(Handler { ty, method: ident, call }),
        Marker::Fallback(span) => fallbacks.push(Fallback { span, method: ident, call }),
    }
}

/// Checks `(&mut self, msg: &T [, sender: &ActorAddress] [, ctx: &mut ActorContext])`.
fn parse_signature(method: &ImplItemFn, expected_msg: &str, errors: &mut Errors) -> Option<Call> {
    let sig = &method.sig;
    let before = errors.len();
    if let Some(asyncness) = &sig.asyncness {
        errors.at(
            asyncness,
            "`async fn` handlers are not supported: an actor handles one message at a time, to completion \
             (usage guide §5.2); write a plain `fn`, and use `ctx.wakeup_after` or another actor to wait",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.at(&sig.generics, "a handler cannot be generic; write one handler per message type");
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(receiver)) => {
            if receiver.reference.is_none() {
                errors.at(receiver, "a handler takes `&mut self`, not `self` by value: the actor lives on after the message");
            }
        }
        _ => {
            errors.at(&sig.ident, "a handler is a method: its first parameter is `&mut self`");
            return None;
        }
    }
    let msg_mut = match inputs.next() {
        Some(FnArg::Typed(arg)) => match arg.ty.as_ref() {
            Type::Reference(reference) => reference.mutability.is_some(),
            other => {
                errors.at(other, format!("a handler's first parameter is the message by reference: `{expected_msg}`"));
                false
            }
        },
        _ => {
            errors.at(&sig.ident, format!("a handler takes the message after `&mut self`: `{expected_msg}`"));
            return None;
        }
    };
    let mut sender = false;
    let mut ctx = false;
    for input in inputs {
        let FnArg::Typed(arg) = input else { continue };
        match classify(&arg.ty) {
            Param::Sender if ctx => errors.at(
                &arg.ty,
                "wrong parameter order: the sender comes before the context: \
                 `(&mut self, msg: &T, sender: &ActorAddress, ctx: &mut ActorContext)`",
            ),
            Param::Sender if sender => errors.at(&arg.ty, "a handler takes the sender once"),
            Param::Sender => sender = true,
            Param::Ctx if ctx => errors.at(&arg.ty, "a handler takes the context once"),
            Param::Ctx => ctx = true,
            Param::SenderByValue => errors.at(&arg.ty, "the sender is taken by reference: `sender: &ActorAddress`"),
            Param::CtxNotMut => errors.at(&arg.ty, "the context is taken mutably: `ctx: &mut ActorContext`"),
            Param::Other => errors.at(
                &arg.ty,
                "unexpected handler parameter; after the message a handler may take \
                 `sender: &ActorAddress`, then `ctx: &mut ActorContext`",
            ),
        }
    }
    if errors.len() != before {
        return None;
    }
    let output = match &sig.output {
        syn::ReturnType::Default => sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    Some(Call { msg_mut, sender, ctx, output })
}

enum Param {
    Sender,
    SenderByValue,
    Ctx,
    CtxNotMut,
    Other,
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn classify(ty: &Type) -> Param {
    match ty {
        Type::Reference(reference) => match last_ident(&reference.elem).as_deref() {
            Some("ActorAddress") if reference.mutability.is_none() => Param::Sender,
            Some("ActorContext") if reference.mutability.is_some() => Param::Ctx,
            Some("ActorContext") => Param::CtxNotMut,
            _ => Param::Other,
        },
        _ if last_ident(ty).as_deref() == Some("ActorAddress") => Param::SenderByValue,
        _ => Param::Other,
    }
}
