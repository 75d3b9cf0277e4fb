//! `#[derive(Message)]`: parse the `#[message(..)]` options, then emit the `Message` impl and
//! the registration that lets the wire layer decode the type by name.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr};

use crate::errors::{show, Errors};
use crate::options;

/// The options a `#[message(..)]` attribute may carry.
#[derive(Default)]
struct Options {
    name: Option<LitStr>,
    families: Vec<syn::Path>,
    system: bool,
}

const VALID_OPTIONS: &[&str] = &["name = \"...\"", "family = Trait"];

/// Reads every `#[message(..)]` attribute, reporting every mistake.
fn parse_options(input: &DeriveInput) -> syn::Result<Options> {
    const NAME: &str = "`name` is the message's registered name, a string literal: \
                        `#[message(name = \"my_crate::MyMessage\")]`";
    const FAMILY: &str = "`family` names the family's trait: `#[message(family = Greeting)]`";
    let mut options = Options::default();
    let mut errors = Errors::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("message")) {
        let Some(args) = options::attr_args(attr) else {
            errors.at(
                attr,
                "`#[message]` takes its options in parentheses: `#[message(name = \"my_crate::MyMessage\")]`",
            );
            continue;
        };
        for item in options::split(args) {
            match item.name().map(ToString::to_string).as_deref() {
                Some("name") => match options::parse_value::<LitStr>(&item) {
                    Some(_) if options.name.is_some() => {
                        errors.at(&item.tokens, options::twice(&item, NAME));
                    }
                    Some(lit) if lit.value().is_empty() => errors.at(
                        &lit,
                        "a message name cannot be empty; write `#[message(name = \"my_crate::MyMessage\")]`",
                    ),
                    Some(lit) => options.name = Some(lit),
                    None => errors.at(item.value_tokens(), NAME),
                },
                Some("family") => match options::parse_value::<syn::Path>(&item) {
                    Some(family) => options.families.push(family),
                    None => {
                        let message = match options::parse_value::<syn::TypeTraitObject>(&item) {
                            Some(object) => {
                                let bounds = &object.bounds;
                                format!("`family` names the trait alone, without `dyn`: `#[message(family = {})]`", show(bounds))
                            }
                            None => FAMILY.to_string(),
                        };
                        errors.at(item.value_tokens(), message);
                    }
                },
                // Reserved for the system messages defined by the `thespian` crate itself.
                Some("system") if matches!(item.kind, options::Kind::Flag(_)) && in_runtime_crate() => {
                    options.system = true;
                }
                Some("system") => errors.at(
                    &item.tokens,
                    "`#[message(system)]` is reserved for the messages the `thespian` crate defines (spec §7): \
                     remove `system`; a system message is kept from `ask` and `listen` and never comes back as \
                     poison, which no user message wants (to handle every system message, write \
                     `#[handler(dyn ActorSystemMessage)]`)",
                ),
                _ if matches!(item.kind, options::Kind::Other) => errors.at(
                    &item.tokens,
                    "`#[message]` options are `name = value`: `#[message(name = \"my_crate::MyMessage\", family = Greeting)]`",
                ),
                _ => errors.at(item.name(), options::unknown("message", &item, VALID_OPTIONS)),
            }
        }
    }
    errors.check().map(|()| options)
}

/// True while the `thespian` crate itself is compiled: only it defines system messages.
fn in_runtime_crate() -> bool {
    std::env::var("CARGO_CRATE_NAME").is_ok_and(|name| name == "thespian")
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let options = parse_options(input)?;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "a message type cannot be generic: the system registers each message type under one \
             name so another process can decode it; define a concrete type such as \
             `struct IntJob(Job<i64>);`",
        ));
    }
    let ident = &input.ident;
    let name = match &options.name {
        Some(lit) => quote!(#lit),
        None => {
            let text = ident.to_string();
            quote!(::core::concat!(::core::module_path!(), "::", #text))
        }
    };
    let system = options.system.then(|| {
        quote! {
            fn is_system_message(&self) -> bool {
                true
            }
        }
    });
    let families = (!options.families.is_empty()).then(|| families(&options.families));
    Ok(quote! {
        #[automatically_derived]
        impl ::thespian::Message for #ident {
            fn message_type_name(&self) -> &'static str {
                #name
            }
            #system
            #families
        }
        const _: () = {
            ::thespian::__private::inventory::submit! {
                ::thespian::__private::MessageRegistration::of::<#ident>(#name)
            }
        };
    })
}

/// The family list and casts of a message that declared `#[message(family = Trait)]`.
fn families(families: &[syn::Path]) -> TokenStream {
    let names = families.iter().map(|f| quote!(#f).to_string().replace(' ', ""));
    let ids = families.iter().zip(names).map(|(f, name)| quote!(::thespian::FamilyId::of::<dyn #f>(#name)));
    let casts = families.iter().enumerate().map(|(i, f)| {
        let member = format_ident!("__ThespianFamily{}", i);
        let shown = show(f);
        let message =
            format!("`{{Self}}` is declared in the message family `{shown}` but does not implement `{shown}`");
        let note = format!(
            "a message listed in `#[message(family = {shown})]` implements that trait: add `impl {shown} for {{Self}}`"
        );
        let family_trait = format_ident!("__ThespianFamilyTrait{}", i);
        let is_family = format_ident!("__thespian_is_family{}", i);
        let not_family = format!("`{shown}` is not a message family: its trait lacks the supertrait `Message`");
        let supertrait = format!(
            "a family's members are messages, and a `#[handler(dyn {shown})]` is given them as messages: \
             write `trait {shown}: Message {{ .. }}`"
        );
        // The family's trait is checked first, so that a trait without `Message` is reported
        // as such, and nothing below adds errors of its own.
        quote_spanned! {f.span()=>
            #[diagnostic::on_unimplemented(message = #not_family, label = "not a family of messages", note = #supertrait)]
            trait #family_trait {}
            #[diagnostic::do_not_recommend]
            impl<F: ?::core::marker::Sized + ::thespian::Message> #family_trait for F {}
            fn #is_family<F: ?::core::marker::Sized + #family_trait>() {}
            #is_family::<dyn #f>();

            #[diagnostic::on_unimplemented(message = #message, label = "not a member of this family", note = #note)]
            trait #member {
                fn __thespian_cast(&mut self) -> &mut (dyn #f + 'static);
            }
            #[diagnostic::do_not_recommend]
            impl<T: #f + 'static> #member for T {
                fn __thespian_cast(&mut self) -> &mut (dyn #f + 'static) {
                    self
                }
            }
            if let ::core::option::Option::Some(__thespian_out) = __thespian_slot
                .downcast_mut::<::core::option::Option<*mut (dyn #f + 'static)>>()
            {
                let __thespian_ptr: *mut (dyn #f + 'static) = <Self as #member>::__thespian_cast(self);
                *__thespian_out = ::core::option::Option::Some(__thespian_ptr);
                return true;
            }
        }
    });
    quote! {
        fn message_families(&self) -> &'static [::thespian::FamilyId] {
            const __THESPIAN_FAMILIES: &[::thespian::FamilyId] = &[#(#ids),*];
            __THESPIAN_FAMILIES
        }

        fn as_family(&mut self, __thespian_slot: &mut dyn ::core::any::Any) -> bool {
            #(#casts)*
            false
        }
    }
}
