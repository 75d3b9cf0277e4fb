//! Rules across the methods of an `#[actor]` impl block.

use quote::ToTokens;

use super::parse::ActorImpl;
use crate::errors::Errors;

pub(crate) fn validate(model: &ActorImpl) -> syn::Result<()> {
    let mut errors = Errors::default();
    let actor = &model.ident;
    let mut seen: Vec<String> = Vec::new();
    for handler in &model.handlers {
        let key = handler.ty.to_token_stream().to_string();
        if seen.contains(&key) {
            errors.at(
                &handler.ty,
                format!(
                    "`#[handler({key})]` appears twice on `{actor}`; a message type has one handler \
                     (return `Dispatch::Super` to defer to the next link)"
                ),
            );
        } else {
            seen.push(key);
        }
    }
    for extra in model.fallbacks.iter().skip(1) {
        errors.push(syn::Error::new(
            extra.span,
            format!("`#[unrecognized]` appears twice on `{actor}`; an actor has one fallback handler"),
        ));
    }
    errors.check()
}
