//! Generates the `Actor` and `TypeDispatch` impls and the name registration of a validated
//! `#[actor]` model.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::Type;

use super::parse::{ActorImpl, Call, Fallback, Handler};

pub(crate) fn expand(model: &ActorImpl) -> TokenStream {
    let item = &model.item;
    let ident = &model.item.self_ty;
    let name = model.ident.to_string();
    let links = model.handlers.iter().map(link_arm);
    let handles = (!model.handlers.is_empty()).then(handles_trait);
    let base_link = match &model.options.base {
        Some(field) => quote_spanned! {field.span()=>
            ::thespian::TypeDispatch::__thespian_link(
                &mut self.#field, __thespian_link, __thespian_msg, __thespian_sender, __thespian_ctx,
            )
        },
        None => quote!(::core::option::Option::None),
    };
    let base_fallback = match &model.options.base {
        Some(field) => quote_spanned! {field.span()=>
            ::thespian::TypeDispatch::__thespian_unrecognized(&mut self.#field, __thespian_msg, __thespian_sender, __thespian_ctx)
        },
        None => quote!(::core::option::Option::None),
    };
    let handled = model.handlers.iter().map(|handler| {
        let ty = &handler.ty;
        let cfgs = &handler.cfgs;
        quote! {
            #(#cfgs)*
            if __thespian_link == ::core::any::TypeId::of::<#ty>() {
                return true;
            }
        }
    });
    let base_handles = match &model.options.base {
        Some(field) => quote_spanned! {field.span()=>
            ::thespian::TypeDispatch::__thespian_handles(&mut self.#field, __thespian_link)
        },
        None => quote!(false),
    };
    let fallback = match model.fallbacks.as_slice() {
        [] => base_fallback,
        [fallback] if fallback.cfgs.is_empty() => fallback_call(fallback),
        // Alternatives under `#[cfg]`: at most one is compiled in (two are an error, by the
        // markers below); with none, the base's fallback serves.
        fallbacks => {
            let calls = fallbacks.iter().map(|fallback| {
                let cfgs = &fallback.cfgs;
                let call = fallback_call(fallback);
                quote!(#(#cfgs)* let __thespian_own = #call;)
            });
            quote! {
                let __thespian_own: ::core::option::Option<::thespian::ActorResult> = ::core::option::Option::None;
                #(#calls)*
                if __thespian_own.is_some() {
                    return __thespian_own;
                }
                #base_fallback
            }
        }
    };
    let markers = markers(model);
    let new_actor = model.options.new.as_ref().map(|path| {
        quote_spanned! {path.span()=>
            #[automatically_derived]
            impl ::thespian::NewActor for #ident {
                fn new_actor() -> ::core::result::Result<Self, ::thespian::ActorError> {
                    ::thespian::__private::new_alone::<Self>()
                }

                fn new_actor_with(
                    __thespian_start: &::thespian::ActorStart<'_>,
                ) -> ::core::result::Result<Self, ::thespian::ActorError> {
                    ::thespian::__private::construct::<Self, _>(#path, __thespian_start)
                }
            }
        }
    });
    let capability_check = model.decorators.capability_check(&model.user_checks, model.options.base.as_ref());
    let into_boxed_actor = model.decorators.boxing();
    let init_fields = model.decorators.init_fields(ident);
    quote! {
        #item

        const _: () = {
            #handles

            #markers

            #[automatically_derived]
            impl ::thespian::Actor for #ident {
                fn receive_message(
                    &mut self,
                    __thespian_msg: &mut dyn ::thespian::Message,
                    __thespian_sender: &::thespian::ActorAddress,
                    __thespian_ctx: &mut ::thespian::ActorContext<'_>,
                ) -> ::thespian::ActorResult {
                    ::thespian::__private::dispatch(self, __thespian_msg, __thespian_sender, __thespian_ctx)
                }

                #capability_check

                #into_boxed_actor
            }

            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl ::thespian::TypeDispatch for #ident {
                fn __thespian_link(
                    &mut self,
                    __thespian_link: ::core::any::TypeId,
                    __thespian_msg: &mut dyn ::thespian::Message,
                    __thespian_sender: &::thespian::ActorAddress,
                    __thespian_ctx: &mut ::thespian::ActorContext<'_>,
                ) -> ::core::option::Option<::core::result::Result<::thespian::Dispatch, ::thespian::ActorError>> {
                    #(#links)*
                    #base_link
                }

                fn __thespian_unrecognized(
                    &mut self,
                    __thespian_msg: &mut dyn ::thespian::Message,
                    __thespian_sender: &::thespian::ActorAddress,
                    __thespian_ctx: &mut ::thespian::ActorContext<'_>,
                ) -> ::core::option::Option<::thespian::ActorResult> {
                    #fallback
                }

                fn __thespian_handles(&mut self, __thespian_link: ::core::any::TypeId) -> bool {
                    #(#handled)*
                    #base_handles
                }
            }

            #new_actor

            #init_fields

            ::thespian::__private::inventory::submit! {
                ::thespian::__private::ActorRegistration::new::<#ident>(
                    ::core::concat!(::core::module_path!(), "::", #name)
                )
            }
        };
    }
}

/// The code that runs one `#[handler(T)]` when the link is `T`.
fn link_arm(handler: &Handler) -> TokenStream {
    let ty = &handler.ty;
    let span = ty.span();
    let cast = if matches!(ty, Type::TraitObject(_)) {
        quote_spanned!(span=> ::thespian::family_mut::<#ty>(__thespian_msg))
    } else {
        quote_spanned!(span=> __thespian_msg.downcast_mut::<#ty>())
    };
    let msg_ty = &handler.call.msg_ty;
    let msg = quote_spanned! {msg_ty.span()=>
        <#msg_ty as __ThespianHandles<#ty>>::__thespian_message(__thespian_m)
    };
    let call = call(&handler.method, &handler.call, msg);
    let output = handler.call.output;
    let result = quote_spanned!(output=> ::thespian::HandlerReturn::into_dispatch(#call, __thespian_ctx));
    let cfgs = &handler.cfgs;
    quote! {
        #(#cfgs)*
        if __thespian_link == ::core::any::TypeId::of::<#ty>() {
            if let ::core::option::Option::Some(__thespian_m) = #cast {
                match #result {
                    ::core::result::Result::Ok(::thespian::Dispatch::Super) => {}
                    __thespian_other => return ::core::option::Option::Some(__thespian_other),
                }
            }
        }
    }
}

/// `Some(result)` of the `#[unrecognized]` method.
fn fallback_call(fallback: &Fallback) -> TokenStream {
    let msg = quote_spanned!(fallback.call.msg_ty.span()=> __thespian_msg);
    let call = call(&fallback.method, &fallback.call, msg);
    let output = fallback.call.output;
    quote_spanned! {output=>
        ::core::option::Option::Some(
            ::core::result::Result::map(::thespian::HandlerReturn::into_dispatch(#call, __thespian_ctx), |_| ())
        )
    }
}

/// One impl of a local trait per handled type (and per fallback), under the method's
/// `#[cfg]`s: the compiler rejects two for the same type (E0119) at the second type, however
/// it is written (`String`, `std::string::String`, an alias), and only when both handlers are
/// compiled in. `validate` catches the same tokens written twice, with a better message.
fn markers(model: &ActorImpl) -> TokenStream {
    let self_ty = &model.item.self_ty;
    let handlers = model.handlers.iter().map(|handler| {
        let ty = &handler.ty;
        let cfgs = &handler.cfgs;
        // The impl's header runs from the first token of the type to the last, so that the
        // error underlines the whole type.
        let mut spans = ty.to_token_stream().into_iter().map(|tree| tree.span());
        let first = spans.next().unwrap_or_else(Span::call_site);
        let last = spans.last().unwrap_or(first);
        let impl_token = quote_spanned!(first=> impl);
        let self_ty = respan(self_ty.to_token_stream(), last);
        quote_spanned! {last=>
            #(#cfgs)*
            #impl_token HandlerAlreadyDefinedFor<#ty> for #self_ty {}
        }
    });
    let fallbacks = (model.fallbacks.len() > 1).then(|| {
        let impls = model.fallbacks.iter().map(|fallback| {
            let cfgs = &fallback.cfgs;
            quote_spanned! {fallback.marker.span()=>
                #(#cfgs)*
                impl UnrecognizedAlreadyDefinedFor for #self_ty {}
            }
        });
        quote! {
            #[allow(dead_code)]
            trait UnrecognizedAlreadyDefinedFor {}
            #(#impls)*
        }
    });
    quote! {
        #[allow(dead_code)]
        trait HandlerAlreadyDefinedFor<__ThespianT: ?::core::marker::Sized> {}
        #(#handlers)*
        #fallbacks
    }
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// `self.method(msg[, sender][, ctx])`, with the message passed as `&` or `&mut`, spanned
/// on the handler's return type so that a return type that does not fit is reported there.
fn call(method: &syn::Ident, call: &Call, msg: TokenStream) -> TokenStream {
    let msg = if call.msg_mut { msg } else { quote!(&*#msg) };
    let sender = call.sender.then(|| quote!(, __thespian_sender));
    let ctx = call.ctx.then(|| quote!(, __thespian_ctx));
    quote_spanned!(call.output=> self.#method(#msg #sender #ctx))
}

/// A trait that passes the message to a handler only if the handler's parameter has the type
/// named in `#[handler(T)]`, and otherwise says so at the parameter.
fn handles_trait() -> TokenStream {
    quote! {
        #[diagnostic::on_unimplemented(
            message = "this handler's message parameter is `&{Self}`, but `#[handler({T})]` passes it a `&{T}`",
            label = "expected `&{T}` or `&mut {T}`",
            note = "a handler receives the type named in its `#[handler(..)]`: write the parameter as `msg: &{T}`, or mark the method `#[handler({Self})]`"
        )]
        #[allow(dead_code)]
        trait __ThespianHandles<T: ?::core::marker::Sized> {
            fn __thespian_message(msg: &mut T) -> &mut Self;
        }

        impl<T: ?::core::marker::Sized> __ThespianHandles<T> for T {
            #[inline]
            fn __thespian_message(msg: &mut T) -> &mut T {
                msg
            }
        }
    }
}

/// What is emitted beside the user's item when `#[actor]` reports a mistake: impls whose
/// bodies never run, so that code using the actor does not add errors of its own.
///
/// A generic impl block gets generic impls, so that the one error is that it is generic; a
/// malformed `new` still gets a `NewActor`, since the type has no `Default` to use instead.
pub(crate) fn fallback(model: &ActorImpl) -> TokenStream {
    if !model.inherent {
        return TokenStream::new();
    }
    let self_ty = &model.item.self_ty;
    let mut generics = model.item.generics.clone();
    if !generics.params.is_empty() {
        generics.make_where_clause().predicates.push(syn::parse_quote!(Self: ::core::marker::Send + 'static));
    }
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let new_actor = model.options.new_given.map(|span| {
        quote_spanned! {span=>
            #[automatically_derived]
            impl #impl_generics ::thespian::NewActor for #self_ty #where_clause {
                fn new_actor() -> ::core::result::Result<Self, ::thespian::ActorError> {
                    ::core::unreachable!()
                }
            }
        }
    });
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::thespian::Actor for #self_ty #where_clause {
                fn receive_message(
                    &mut self,
                    _: &mut dyn ::thespian::Message,
                    _: &::thespian::ActorAddress,
                    _: &mut ::thespian::ActorContext<'_>,
                ) -> ::thespian::ActorResult {
                    ::core::unreachable!()
                }
            }

            #[automatically_derived]
            impl #impl_generics ::thespian::TypeDispatch for #self_ty #where_clause {
                fn __thespian_link(
                    &mut self,
                    _: ::core::any::TypeId,
                    _: &mut dyn ::thespian::Message,
                    _: &::thespian::ActorAddress,
                    _: &mut ::thespian::ActorContext<'_>,
                ) -> ::core::option::Option<::core::result::Result<::thespian::Dispatch, ::thespian::ActorError>> {
                    ::core::unreachable!()
                }

                fn __thespian_unrecognized(
                    &mut self,
                    _: &mut dyn ::thespian::Message,
                    _: &::thespian::ActorAddress,
                    _: &mut ::thespian::ActorContext<'_>,
                ) -> ::core::option::Option<::thespian::ActorResult> {
                    ::core::unreachable!()
                }
            }

            #new_actor
        };
    }
}
