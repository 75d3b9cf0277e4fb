//! `#[derive(Message)]`: parse the `#[message(..)]` options, then emit the `Message` impl and
//! the registration that lets the wire layer decode the type by name.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr};

use crate::errors::show;

/// The options a `#[message(..)]` attribute may carry.
#[derive(Default)]
struct Options {
    name: Option<LitStr>,
    families: Vec<syn::Path>,
    system: bool,
}

const VALID_OPTIONS: &str = "`name = \"...\"`, `family = Trait`";

fn parse_options(input: &DeriveInput) -> syn::Result<Options> {
    let mut options = Options::default();
    let mut errors: Option<syn::Error> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("message")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "a message name cannot be empty; write `#[message(name = \"my_crate::MyMessage\")]`",
                    ));
                }
                options.name = Some(lit);
                Ok(())
            } else if meta.path.is_ident("family") {
                options.families.push(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("system") {
                // Reserved for the system messages defined by the `thespian` crate itself.
                options.system = true;
                Ok(())
            } else {
                let shown = meta.path.get_ident().map_or_else(|| "this option".to_string(), |i| format!("`{i}`"));
                Err(meta.error(format!("unknown `#[message]` option {shown}; expected one of: {VALID_OPTIONS}")))
            }
        });
        if let Err(e) = result {
            match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            }
        }
    }
    match errors {
        Some(e) => Err(e),
        None => Ok(options),
    }
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
        quote_spanned! {f.span()=>
            #[diagnostic::on_unimplemented(message = #message, label = "not a member of this family", note = #note)]
            trait #member {
                fn __thespian_cast(&mut self) -> &mut (dyn #f + 'static);
            }
            #[diagnostic::do_not_recommend]
            impl<T: #f> #member for T {
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
