//! `#[actor]`: parse the impl block into a model, validate it, expand it.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(error) => return error.into_compile_error(),
    };
    let syn::Item::Impl(item) = item else {
        let error = syn::Error::new_spanned(
            &item,
            "`#[actor]` goes on an `impl` block: write `#[actor] impl MyActor { #[handler(String)] fn on_text(&mut self, msg: &String) {} }`",
        );
        let error = error.into_compile_error();
        return quote!(#item #error);
    };
    let (model, parse_errors) = parse::parse(args, item);
    let checked = parse_errors.and_then(|()| validate::validate(&model));
    match checked {
        Ok(()) => expand::expand(&model),
        Err(error) => {
            let item = &model.item;
            let error = error.into_compile_error();
            quote!(#item #error)
        }
    }
}
