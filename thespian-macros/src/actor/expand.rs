//! Generates the `Actor` and `TypeDispatch` impls and the name registration of a validated
//! `#[actor]` model.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Type;

use super::parse::{ActorImpl, Call, Handler};

pub(crate) fn expand(model: &ActorImpl) -> TokenStream {
    let item = &model.item;
    let ident = &model.ident;
    let name = ident.to_string();
    let links = model.handlers.iter().map(link_arm);
    let base_link = match &model.options.base {
        Some(field) => quote_spanned! {field.span()=>
            ::thespian::TypeDispatch::__thespian_link(
                &mut self.#field, __thespian_link, __thespian_msg, __thespian_sender, __thespian_ctx,
            )
        },
        None => quote!(::core::option::Option::None),
    };
    let fallback = match (model.fallbacks.first(), &model.options.base) {
        (Some(fallback), _) => {
            let call = call(&fallback.method, &fallback.call, quote!(__thespian_msg));
            let output = fallback.call.output;
            quote_spanned! {output=>
                ::core::option::Option::Some(
                    ::core::result::Result::map(::thespian::HandlerReturn::into_dispatch(#call), |_| ())
                )
            }
        }
        (None, Some(field)) => quote_spanned! {field.span()=>
            ::thespian::TypeDispatch::__thespian_unrecognized(&mut self.#field, __thespian_msg, __thespian_sender, __thespian_ctx)
        },
        (None, None) => quote!(::core::option::Option::None),
    };
    let new_actor = model.options.new.as_ref().map(|path| {
        quote_spanned! {path.span()=>
            #[automatically_derived]
            impl ::thespian::NewActor for #ident {
                fn new_actor() -> ::core::result::Result<Self, ::thespian::ActorError> {
                    ::thespian::__private::IntoNewActor::<#ident>::into_new_actor(#path())
                }
            }
        }
    });
    quote! {
        #item

        const _: () = {
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
            }

            #[automatically_derived]
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
            }

            #new_actor

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
    let call = call(&handler.method, &handler.call, quote!(__thespian_m));
    let output = handler.call.output;
    let result = quote_spanned!(output=> ::thespian::HandlerReturn::into_dispatch(#call));
    quote! {
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

/// `self.method(msg[, sender][, ctx])`, with the message passed as `&` or `&mut`.
fn call(method: &syn::Ident, call: &Call, msg: TokenStream) -> TokenStream {
    let msg = if call.msg_mut { msg } else { quote!(&*#msg) };
    let sender = call.sender.then(|| quote!(, __thespian_sender));
    let ctx = call.ctx.then(|| quote!(, __thespian_ctx));
    quote!(self.#method(#msg #sender #ctx))
}
