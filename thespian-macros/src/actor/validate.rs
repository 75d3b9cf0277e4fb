//! Rules across the methods of an `#[actor]` impl block.

use quote::ToTokens;

use super::parse::ActorImpl;
use crate::errors::{show, Errors};

pub(crate) fn validate(model: &ActorImpl) -> syn::Result<()> {
    let mut errors = Errors::default();
    let actor = &model.ident;
    // The same tokens under the same `#[cfg]`s. Handlers under different `#[cfg]`s may be
    // alternatives; if both are compiled in, the compiler reports them (see `expand::markers`),
    // as it does for one type written two ways.
    let mut seen: Vec<(String, String)> = Vec::new();
    for handler in &model.handlers {
        let key = (handler.ty.to_token_stream().to_string(), cfg_key(&handler.cfgs));
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
    let mut fallback_cfgs: Vec<String> = Vec::new();
    for fallback in &model.fallbacks {
        let key = cfg_key(&fallback.cfgs);
        if fallback_cfgs.contains(&key) {
            errors.at(
                &fallback.marker,
                format!(
                    "`#[unrecognized]` appears twice on `{actor}`; an actor has one fallback handler \
                     (keep one, and route by type inside it with `msg.downcast_ref::<T>()`)"
                ),
            );
        } else {
            fallback_cfgs.push(key);
        }
    }
    errors.check()
}

/// The `#[cfg]`s of a method, comparable.
fn cfg_key(cfgs: &[syn::Attribute]) -> String {
    cfgs.iter().map(|attr| attr.to_token_stream().to_string()).collect::<Vec<_>>().join(" ")
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

    #[test]
    fn handlers_under_different_cfgs_are_alternatives() {
        let (model, parsed) = super::super::parse::parse(
            quote!(),
            syn::parse_quote! {
                impl Greeter {
                    #[cfg(feature = "loud")]
                    #[handler(String)]
                    fn loud(&mut self, msg: &String) {}
                    #[cfg(not(feature = "loud"))]
                    #[handler(String)]
                    fn quiet(&mut self, msg: &String) {}
                    #[cfg_attr(test, inline, cfg(unix))]
                    #[unrecognized]
                    fn other(&mut self, msg: &dyn Message) {}
                    #[cfg_attr(test, cfg(not(unix)))]
                    #[unrecognized]
                    fn other_again(&mut self, msg: &dyn Message) {}
                }
            },
        );
        assert!(parsed.is_ok());
        assert!(validate(&model).is_ok());
        let kept: Vec<String> = model.fallbacks.iter().map(|f| cfg_key(&f.cfgs)).collect();
        assert_eq!(kept[0], quote!(#[cfg_attr(test, cfg(unix))]).to_string(), "only the `cfg` of a `cfg_attr` is kept");
    }
}
