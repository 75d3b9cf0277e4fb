//! Rules across the methods of an `#[actor]` impl block.

use quote::ToTokens;

use super::parse::ActorImpl;
use crate::errors::{show, Errors};

pub(crate) fn validate(model: &ActorImpl) -> syn::Result<()> {
    let mut errors = Errors::default();
    let actor = &model.ident;
    let mut seen: Vec<String> = Vec::new();
    for handler in &model.handlers {
        let key = handler.ty.to_token_stream().to_string();
        if seen.contains(&key) {
            let shown = show(&handler.ty);
            errors.at(
                &handler.ty,
                format!(
                    "`#[handler({shown})]` appears twice on `{actor}`; a message type has one handler \
                     (return `Dispatch::Super` to defer to the next link)"
                ),
            );
        } else {
            seen.push(key);
        }
    }
    for extra in model.fallbacks.iter().skip(1) {
        errors.at(
            &extra.marker,
            format!(
                "`#[unrecognized]` appears twice on `{actor}`; an actor has one fallback handler \
                 (keep one, and route by type inside it with `msg.downcast_ref::<T>()`)"
            ),
        );
    }
    errors.check()
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn a_type_handled_twice_and_a_second_fallback_are_errors() {
        let (model, parsed) = super::super::parse::parse(
            quote!(),
            syn::parse_quote! {
                impl Greeter {
                    #[handler(String)]
                    fn one(&mut self, msg: &String) {}
                    #[handler(String)]
                    fn two(&mut self, msg: &String) {}
                    #[handler(dyn Family)]
                    fn family(&mut self, msg: &dyn Family) {}
                    #[unrecognized]
                    fn other(&mut self, msg: &dyn Message) {}
                    #[unrecognized]
                    fn again(&mut self, msg: &mut dyn Message) {}
                }
            },
        );
        assert!(parsed.is_ok());
        let errors: Vec<String> =
            validate(&model).expect_err("two mistakes").into_iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].starts_with("`#[handler(String)]` appears twice on `Greeter`"));
        assert!(errors[1].starts_with("`#[unrecognized]` appears twice on `Greeter`"));
    }
}
