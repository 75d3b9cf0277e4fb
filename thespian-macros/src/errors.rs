//! An accumulator of compile errors, so that every mistake is reported in one compile.

use std::fmt::Display;

use quote::ToTokens;

/// Collects errors; must be checked with [`Errors::check`] before it is dropped.
#[derive(Default)]
pub(crate) struct Errors {
    collected: Option<syn::Error>,
    checked: bool,
}

impl Errors {
    /// Records an error spanning `tokens`.
    pub(crate) fn at(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.collected {
            Some(all) => all.combine(error),
            None => self.collected = Some(error),
        }
    }

    /// Every error recorded, or `Ok` if there was none.
    pub(crate) fn check(mut self) -> syn::Result<()> {
        self.checked = true;
        match self.collected.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if !self.checked && !std::thread::panicking() {
            panic!("thespian-macros bug: errors were collected but never checked");
        }
    }
}

/// Tokens as a user would write them: `Vec<u8>`, not `Vec < u8 >`.
pub(crate) fn show(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let rest = &text[i + c.len_utf8()..];
        let glued_before = out.ends_with(['<', '&', '(', '[']) || out.ends_with("::");
        // `f(x)` and `Fn(u8)`, but `&mut (dyn A)` and `-> (u8, u8)`.
        let call = rest.starts_with('(')
            && out.ends_with(|c: char| c.is_alphanumeric() || c == '_')
            && !["mut", "dyn", "impl", "in", "as", "return"]
                .iter()
                .any(|keyword| out.rsplit(|c: char| !(c.is_alphanumeric() || c == '_')).next() == Some(keyword));
        let glued_after = rest.starts_with(['<', '>', ',', ')', ']', ';'])
            || rest.starts_with("::")
            || rest.starts_with(": ")
            || call;
        if c != ' ' || !(glued_before || glued_after) {
            out.push(c);
        }
    }
    out
}
