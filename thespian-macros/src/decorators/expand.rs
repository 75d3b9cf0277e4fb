//! The code the decorators add to an actor's `impl Actor`: the capability check, the pattern
//! that wraps the actor, and the `InitFields` impl.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{CapLiteral, CapLiteralValue, Decorators};

impl Decorators {
    /// The `capability_check` method for `impl Actor`, if the actor has requirements, a
    /// hand-written `actor_system_capability_check` (`user_checks`: its signature and `#[cfg]`s,
    /// several if they are alternatives), or a base
    /// actor whose requirements it inherits (`base`, the field).
    pub(crate) fn capability_check(
        &self,
        user_checks: &[(syn::Signature, Vec<syn::Attribute>)],
        base: Option<&syn::Ident>,
    ) -> Option<TokenStream> {
        if self.requirements.is_empty() && user_checks.is_empty() && base.is_none() {
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
                Some(value) => {
                    let want = cap_value(value);
                    quote_spanned! {value.tokens.span()=>
                        let __thespian_want = #want;
                        if !__thespian_caps.py_eq(#name, &__thespian_want) {
                            return ::core::result::Result::Err(
                                ::std::format!("capability {:?} is not {}", #name, __thespian_want),
                            );
                        }
                    }
                }
            }
        });
        // The base's requirements (`Actor::capability_check` of the field's type). If the field
        // is not an actor, the base link reports it; this check then accepts, adding no error.
        let base = base.map(|field| {
            quote_spanned! {field.span()=>
                {
                    #[allow(unused_imports)]
                    use ::thespian::__private::{BaseCapabilityCheck as _, NotAnActorBase as _};
                    (&::thespian::__private::base_of(|__thespian_s: &mut Self| &mut __thespian_s.#field))
                        .__thespian_base_capability_check(__thespian_caps, __thespian_reqs)?;
                }
            }
        });
        // The coercion reports a wrong signature at the user's function, with the expected
        // signature in the note, and the call goes through it so nothing else is reported.
        let user = user_checks.iter().map(|(sig, cfgs)| {
            let f = &sig.ident;
            let expected = quote! {
                fn(&::thespian::Capabilities, ::core::option::Option<&::thespian::Capabilities>) -> bool
            };
            quote_spanned! {f.span()=>
                #(#cfgs)*
                {
                    let __thespian_user: #expected = <Self>::#f;
                    if !__thespian_user(__thespian_caps, __thespian_reqs) {
                        return ::core::result::Result::Err(::std::string::String::from("actor_system_capability_check refused"));
                    }
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
                #base
                #(#user)*
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
                    ::thespian::HandlerReturn::into_dispatch(self.#hook(__thespian_ctx), __thespian_ctx),
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

/// `CapValue::Int(5i64)` and so on: the variant the literal stands for, the number written
/// with its Rust type so that it neither overflows nor changes type. The literal itself is
/// spanned at the macro call, so that lints about how a number is written do not apply.
fn cap_value(value: &CapLiteral) -> TokenStream {
    let at = Span::call_site();
    match &value.value {
        CapLiteralValue::Str(s) => quote!(::thespian::CapValue::Str(::std::string::String::from(#s))),
        CapLiteralValue::Bool(b) => quote!(::thespian::CapValue::Bool(#b)),
        CapLiteralValue::Int(n) => {
            let lit = syn::LitInt::new(&format!("{}i64", n.unsigned_abs()), at);
            let sign = (*n < 0).then(|| quote!(-));
            quote!(::thespian::CapValue::Int(#sign #lit))
        }
        CapLiteralValue::Float(x) => {
            let lit = syn::LitFloat::new(&format!("{:?}f64", x.abs()), at);
            let sign = x.is_sign_negative().then(|| quote!(-));
            quote!(::thespian::CapValue::Float(#sign #lit))
        }
    }
}
