//! `#[actor]`: parse the impl block into a model, validate it, expand it.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => return error.into_compile_error(),
    };
    let syn::Item::Impl(item) = item else {
        let error = not_an_impl(&item).into_compile_error();
        return quote!(#item #error);
    };
    let (model, parse_errors) = parse::parse(args, item);
    let checked = match (parse_errors, validate::validate(&model)) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(mut first), Err(second)) => {
            first.combine(second);
            Err(first)
        }
        (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error),
    };
    match checked {
        Ok(()) => expand::expand(&model),
        Err(error) => {
            let item = &model.item;
            let fallback = expand::fallback(&model);
            let error = error.into_compile_error();
            quote!(#item #fallback #error)
        }
    }
}

/// The error for `#[actor]` on something other than an `impl` block, at the item's name.
fn not_an_impl(item: &syn::Item) -> syn::Error {
    let (tokens, name) = match item {
        syn::Item::Struct(s) => (keyword_and_name(&s.struct_token, &s.ident), Some(&s.ident)),
        syn::Item::Enum(e) => (keyword_and_name(&e.enum_token, &e.ident), Some(&e.ident)),
        syn::Item::Union(u) => (keyword_and_name(&u.union_token, &u.ident), Some(&u.ident)),
        syn::Item::Fn(f) => (keyword_and_name(&f.sig.fn_token, &f.sig.ident), None),
        syn::Item::Trait(t) => (keyword_and_name(&t.trait_token, &t.ident), None),
        other => (other.to_token_stream(), None),
    };
    let message = match name {
        Some(name) => format!(
            "`#[actor]` goes on the `impl {name}` block that holds the handlers, not on the type's definition: \
             `#[actor] impl {name} {{ #[handler(String)] fn on_text(&mut self, msg: &String) {{}} }}`"
        ),
        None => "`#[actor]` goes on an `impl` block: \
                 `#[actor] impl MyActor { #[handler(String)] fn on_text(&mut self, msg: &String) {} }`"
            .to_string(),
    };
    syn::Error::new_spanned(tokens, message)
}

fn keyword_and_name(keyword: &impl ToTokens, name: &syn::Ident) -> TokenStream {
    quote!(#keyword #name)
}
