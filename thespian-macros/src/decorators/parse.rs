//! Reads the decorators of an `#[actor]` impl block. Each option is read on its own (see
//! [`crate::options`]), so every mistake in every decorator is reported in one compile.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Lit, LitInt, LitStr};

use super::{
    decorator_name, CapLiteral, CapLiteralValue, Decorators, InitOptions, Requirement, TransientOptions, TroupeOptions,
    TRANSIENT_DEFAULT_MILLIS, TROUPE_IDLE_COUNT, TROUPE_MAX_COUNT,
};
use crate::errors::{show, Errors};
use crate::options::{self, attr_args, error_at, split, uint_value, Kind};

const REQUIRE_USAGE: &str =
    "`#[require_capability(\"Has Lightbulb\")]` or `#[require_capability(\"Color\", \"Yellow\")]`";
const TROUPE_USAGE: &str = "`#[troupe(max_count = 10, idle_count = 2)]`";
const INIT_USAGE: &str = "`#[initializing_messages(config: Config, peer: Hello, done = on_ready)]`";

/// Removes the decorators from `attrs` and reads them.
pub(crate) fn take(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> Decorators {
    let mut found = Decorators::default();
    attrs.retain(|attr| {
        let Some(name) = decorator_name(attr) else {
            return true;
        };
        let Some(args) = attr_args(attr) else {
            let usage = match name {
                "require_capability" => REQUIRE_USAGE.to_string(),
                "troupe" => TROUPE_USAGE.to_string(),
                "initializing_messages" => INIT_USAGE.to_string(),
                transient => format!("`#[{transient}(secs = 3)]`"),
            };
            errors.at(attr, format!("`#[{name}]` takes its options in parentheses: {usage}"));
            return false;
        };
        match name {
            "require_capability" => {
                if let Some(req) = parse_requirement(attr, args, errors) {
                    found.requirements.push(req);
                }
            }
            "initializing_messages" => {
                let init = parse_init(attr, args, errors);
                if found.init.is_some() {
                    errors.at(attr, "`#[initializing_messages]` appears twice; list every message in one");
                } else {
                    found.init = init;
                }
            }
            "troupe" => {
                let troupe = parse_troupe(attr, args, errors);
                if found.troupe.is_some() {
                    errors.at(attr, "`#[troupe]` appears twice; keep one");
                } else {
                    found.troupe = Some(troupe);
                }
            }
            _ => {
                let transient = parse_transient(attr, args, name == "transient_idle", errors);
                if found.transient.is_some() {
                    errors.at(attr, "an actor takes one of `#[transient]` and `#[transient_idle]`, once");
                } else {
                    found.transient = Some(transient);
                }
            }
        }
        false
    });
    if let (Some(troupe), Some(transient)) = (&found.troupe, &found.transient) {
        let mut e = syn::Error::new(
            transient.span,
            "`#[transient]` cannot be combined with `#[troupe]`: the troupe manages its workers' lifetimes; \
             remove one of them",
        );
        e.combine(syn::Error::new(troupe.span, "the `#[troupe]` is here"));
        errors.push(e);
    }
    if let (Some(troupe), Some(init)) = (&found.troupe, &found.init) {
        let mut e = syn::Error::new(
            init.span,
            "`#[initializing_messages]` cannot be combined with `#[troupe]`: each worker would need its own \
             initializing messages; initialize the workers from the messages they are sent instead",
        );
        e.combine(syn::Error::new(troupe.span, "the `#[troupe]` is here"));
        errors.push(e);
    }
    found
}

// ---------------------------------------------------------------------------------------
// #[require_capability]

fn parse_requirement(attr: &Attribute, args: TokenStream, errors: &mut Errors) -> Option<Requirement> {
    let mut items = split(args).into_iter();
    let Some(first) = items.next() else {
        errors.at(attr, format!("`#[require_capability]` names a capability: {REQUIRE_USAGE}"));
        return None;
    };
    let name = syn::parse2::<LitStr>(first.tokens.clone());
    if name.is_err() {
        errors.at(&first.tokens, "the capability name is a string literal: `#[require_capability(\"Has Lightbulb\")]`");
    }
    let value = items.next().and_then(|item| match cap_literal(&item.tokens) {
        Ok(value) => Some(value),
        Err(error) => {
            errors.push(error);
            None
        }
    });
    if let Some(extra) = items.next() {
        let written = match &name {
            Ok(name) => show(name),
            Err(_) => "\"Name\"".to_string(),
        };
        let value = value.as_ref().map_or_else(|| "1".to_string(), |v| show(&v.tokens));
        errors.at(
            &extra.tokens,
            format!(
                "`#[require_capability]` takes a name and at most one value; for another capability, add \
                 another attribute: `#[require_capability({written}, {value})]`"
            ),
        );
    }
    Some(Requirement { name: name.ok()?, value })
}

/// A capability value: a string, integer, float or boolean literal, a number optionally
/// negative. The integer is checked to fit `CapValue::Int(i64)`, the float `CapValue::Float(f64)`.
fn cap_literal(tokens: &TokenStream) -> syn::Result<CapLiteral> {
    const VALUE: &str = "a required capability value is a literal: a string, an integer, a float or `true`/`false`, \
                         as in `#[require_capability(\"Color\", \"Yellow\")]` or `#[require_capability(\"Cores\", 4)]`";
    let parsed = (|input: ParseStream<'_>| {
        let negative = input.parse::<Option<syn::Token![-]>>()?.is_some();
        let lit: Lit = input.parse()?;
        Ok((negative, lit))
    })
    .parse2(tokens.clone());
    let Ok((negative, lit)) = parsed else {
        return Err(error_at(tokens, Span::call_site(), VALUE));
    };
    let sign = if negative { "-" } else { "" };
    let value = match &lit {
        Lit::Str(s) if !negative => CapLiteralValue::Str(s.clone()),
        Lit::Bool(b) if !negative => CapLiteralValue::Bool(b.clone()),
        Lit::Int(i) if matches!(i.suffix(), "f32" | "f64") => float(tokens, &format!("{sign}{}", i.base10_digits()))?,
        Lit::Float(f) if matches!(f.suffix(), "" | "f32" | "f64") => {
            float(tokens, &format!("{sign}{}", f.base10_digits()))?
        }
        Lit::Int(i) if i.suffix().is_empty() || options::is_int_suffix(i.suffix()) => {
            let text = format!("{sign}{}", i.base10_digits());
            match text.parse::<i64>() {
                Ok(n) => CapLiteralValue::Int(n),
                Err(_) => {
                    return Err(syn::Error::new_spanned(
                        tokens,
                        format!(
                            "`{text}` does not fit a capability integer, which is an `i64`: write a value from \
                             `{}` to `{}`",
                            i64::MIN,
                            i64::MAX
                        ),
                    ))
                }
            }
        }
        _ => return Err(syn::Error::new_spanned(tokens, VALUE)),
    };
    Ok(CapLiteral { tokens: tokens.clone(), value })
}

fn float(tokens: &TokenStream, text: &str) -> syn::Result<CapLiteralValue> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(CapLiteralValue::Float(x)),
        _ => Err(syn::Error::new_spanned(
            tokens,
            format!("`{text}` does not fit a capability float, which is an `f64`: write a finite value, such as `1.5`"),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// #[troupe]

fn parse_troupe(attr: &Attribute, args: TokenStream, errors: &mut Errors) -> TroupeOptions {
    const MAX: &str = "`max_count` is a positive integer literal: `max_count = 10`";
    const IDLE: &str = "`idle_count` is an integer literal, at most `max_count`: `idle_count = 2`";
    let mut max_count: Option<(u32, LitInt)> = None;
    let mut idle_count: Option<(u32, LitInt)> = None;
    let mut max_seen = false;
    let mut idle_seen = false;
    for item in split(args) {
        let (slot, seen, usage) = match item.name().map(ToString::to_string).as_deref() {
            Some("max_count") => (&mut max_count, &mut max_seen, MAX),
            Some("idle_count") => (&mut idle_count, &mut idle_seen, IDLE),
            _ if matches!(item.kind, Kind::Other) => {
                errors.at(&item.tokens, format!("`#[troupe]` options are `name = value`: {TROUPE_USAGE}"));
                continue;
            }
            _ => {
                errors.at(item.name(), options::unknown("troupe", &item, &["max_count", "idle_count"]));
                continue;
            }
        };
        if std::mem::replace(seen, true) {
            errors.at(&item.tokens, options::twice(&item, TROUPE_USAGE));
            continue;
        }
        match uint_value::<u32>(&item) {
            Ok((0, lit)) if usage == MAX => {
                errors.at(&lit, "`max_count = 0` leaves the troupe no worker; use at least 1: `max_count = 1`");
            }
            Ok(value) => *slot = Some(value),
            Err(true) => {
                errors.at(item.value_tokens(), format!("`{}` is too large for a troupe; {usage}", show(&item.tokens)))
            }
            Err(false) => errors.at(item.value_tokens(), usage),
        }
    }
    let max = max_count.as_ref().map_or(TROUPE_MAX_COUNT, |(n, _)| *n as usize);
    let idle = idle_count.as_ref().map_or(TROUPE_IDLE_COUNT.min(max), |(n, _)| *n as usize);
    if let Some((n, lit)) = &idle_count {
        if *n as usize > max {
            errors.at(
                lit,
                format!(
                    "`idle_count = {n}` is more than `max_count = {max}`; keep at most `max_count` idle workers: \
                     `idle_count = {max}`"
                ),
            );
        }
    }
    TroupeOptions { span: attr.span(), max_count: max, idle_count: idle }
}

// ---------------------------------------------------------------------------------------
// #[transient], #[transient_idle]

fn parse_transient(attr: &Attribute, args: TokenStream, idle: bool, errors: &mut Errors) -> TransientOptions {
    let name = if idle { "transient_idle" } else { "transient" };
    let mut millis: u64 = 0;
    let mut given = false;
    let mut seen: Vec<String> = Vec::new();
    for item in split(args) {
        let (unit, usage) = match item.name().map(ToString::to_string).as_deref() {
            Some("secs") => (1000, "`secs` is a whole number of seconds, as an integer literal: `secs = 3`"),
            Some("millis") => (1, "`millis` is a whole number of milliseconds, as an integer literal: `millis = 250`"),
            _ if matches!(item.kind, Kind::Other) => {
                errors.at(&item.tokens, not_a_duration_option(name, &item.tokens));
                continue;
            }
            _ => {
                errors.at(item.name(), options::unknown(name, &item, &["secs", "millis"]));
                continue;
            }
        };
        let option = item.name().map(ToString::to_string).unwrap_or_default();
        if seen.contains(&option) {
            errors.at(&item.tokens, options::twice(&item, &format!("`#[{name}(secs = 3, millis = 250)]`")));
            continue;
        }
        seen.push(option);
        match uint_value::<u64>(&item) {
            Ok((n, lit)) => match n.checked_mul(unit).and_then(|v| v.checked_add(millis)) {
                Some(total) => {
                    millis = total;
                    given = true;
                }
                None => errors.at(
                    &lit,
                    format!(
                        "the delay is too long: in all it must fit `u64` milliseconds; write a shorter one: \
                         `#[{name}(secs = 3600)]`"
                    ),
                ),
            },
            Err(_) => errors.at(item.value_tokens(), usage),
        }
    }
    if !given {
        millis = TRANSIENT_DEFAULT_MILLIS;
    }
    TransientOptions { span: attr.span(), idle, millis }
}

/// The message for an item of `#[transient(..)]` that is not `name = value`: a bare number,
/// a `Duration` expression, or something else.
fn not_a_duration_option(name: &str, tokens: &TokenStream) -> String {
    let both = |n: &str| {
        let millis = if n == "0" { n.to_string() } else { format!("{n}000") };
        format!("`#[{name}(secs = {n})]` or `#[{name}(millis = {millis})]`")
    };
    match syn::parse2::<syn::Expr>(tokens.clone()) {
        Ok(syn::Expr::Lit(syn::ExprLit { lit: Lit::Int(n), .. })) => {
            format!("`#[{name}]` takes a literal duration with its unit: {}", both(n.base10_digits()))
        }
        Ok(syn::Expr::Call(call)) => {
            let unit = match call.func.as_ref() {
                syn::Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let arg = match call.args.first() {
                Some(syn::Expr::Lit(syn::ExprLit { lit: Lit::Int(n), .. })) if call.args.len() == 1 => {
                    Some(n.base10_digits().to_string())
                }
                _ => None,
            };
            match (unit.as_deref(), arg) {
                (Some("from_secs"), Some(n)) => {
                    format!("`#[{name}]` takes a literal duration, not a `Duration`: `#[{name}(secs = {n})]`")
                }
                (Some("from_millis"), Some(n)) => {
                    format!("`#[{name}]` takes a literal duration, not a `Duration`: `#[{name}(millis = {n})]`")
                }
                _ => format!("`#[{name}]` takes a literal duration, not a `Duration`: {}", both("3")),
            }
        }
        _ => format!("`#[{name}]` takes a literal duration: `#[{name}(secs = 3)]` or `#[{name}(millis = 300)]`"),
    }
}

// ---------------------------------------------------------------------------------------
// #[initializing_messages]

fn parse_init(attr: &Attribute, args: TokenStream, errors: &mut Errors) -> Option<InitOptions> {
    let mut fields: Vec<(syn::Ident, syn::Type)> = Vec::new();
    let mut done: Option<syn::Ident> = None;
    let mut mistakes = false;
    for item in split(args) {
        let mut wrong = |tokens: &dyn ToTokens, message: String| {
            mistakes = true;
            errors.at(tokens, message);
        };
        match &item.kind {
            Kind::Assign { name, .. } if name == "done" => match options::parse_value::<syn::Ident>(&item) {
                Some(_) if done.is_some() => {
                    wrong(&item.tokens, options::twice(&item, INIT_USAGE));
                }
                Some(hook) => done = Some(hook),
                None => wrong(
                    item.value_tokens(),
                    "`done` names the actor's method to run once every initializing message has arrived: \
                     `done = on_ready`, with `fn on_ready(&mut self, ctx: &mut ActorContext<'_>)`"
                        .to_string(),
                ),
            },
            Kind::Flag(ty) => {
                let field = snake_case(&ty.to_string());
                wrong(
                    ty,
                    format!(
                        "name the field that receives `{ty}`: `#[initializing_messages({field}: {ty})]`, with the \
                         field `{field}: Option<thespian::patterns::Init<{ty}>>`"
                    ),
                );
            }
            Kind::Assign { name, value } => wrong(
                &item.tokens,
                format!(
                    "an initializing message is `field: Type`, and the only `name = value` option is `done`: \
                     `{name}: {}` or `done = {}`",
                    show(value),
                    show(value)
                ),
            ),
            Kind::Other => match field(&item.tokens) {
                Ok((name, _)) if fields.iter().any(|(n, _)| n == &name) => {
                    wrong(&name, format!("the field `{name}` is listed twice; list each field once"));
                }
                Ok(field) => fields.push(field),
                Err(_) => wrong(
                    &item.tokens,
                    format!(
                        "an initializing message is `field: Type`, the field to fill and the message type: \
                         {INIT_USAGE}"
                    ),
                ),
            },
        }
    }
    if fields.is_empty() {
        if !mistakes {
            errors.at(attr, format!("list the fields to fill and their message types: {INIT_USAGE}"));
        }
        return None;
    }
    Some(InitOptions { span: attr.span(), fields, done })
}

/// `name: Type`.
fn field(tokens: &TokenStream) -> syn::Result<(syn::Ident, syn::Type)> {
    (|input: ParseStream<'_>| {
        let name: syn::Ident = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        Ok((name, input.parse()?))
    })
    .parse2(tokens.clone())
}

/// `MyConfig` as `my_config`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decorators(attrs: Vec<Attribute>) -> (Decorators, Vec<String>) {
        let mut attrs = attrs;
        let mut errors = Errors::default();
        let found = take(&mut attrs, &mut errors);
        let messages = errors.check().err().map(|e| e.into_iter().map(|e| e.to_string()).collect()).unwrap_or_default();
        (found, messages)
    }

    #[test]
    fn bare_transient_waits_ten_seconds() {
        let (found, errors) = decorators(vec![syn::parse_quote!(#[transient])]);
        assert!(errors.is_empty(), "{errors:?}");
        let transient = found.transient.expect("a transient");
        assert_eq!((transient.millis, transient.idle), (10_000, false));
        let (found, _) = decorators(vec![syn::parse_quote!(#[transient_idle])]);
        let transient = found.transient.expect("a transient_idle");
        assert_eq!((transient.millis, transient.idle), (10_000, true));
    }

    #[test]
    fn transient_adds_its_units() {
        let (found, errors) = decorators(vec![syn::parse_quote!(#[transient(secs = 3, millis = 250)])]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(found.transient.map(|t| t.millis), Some(3_250));
    }

    #[test]
    fn bare_troupe_has_ten_workers_two_idle() {
        let (found, errors) = decorators(vec![syn::parse_quote!(#[troupe])]);
        assert!(errors.is_empty(), "{errors:?}");
        let troupe = found.troupe.expect("a troupe");
        assert_eq!((troupe.max_count, troupe.idle_count), (10, 2));
        let (found, _) = decorators(vec![syn::parse_quote!(#[troupe(max_count = 1)])]);
        let troupe = found.troupe.expect("a troupe");
        assert_eq!((troupe.max_count, troupe.idle_count), (1, 1), "idle_count defaults to at most max_count");
    }

    #[test]
    fn reports_every_option_mistake() {
        let (_, errors) = decorators(vec![
            syn::parse_quote!(#[troupe(max_count = 0, idle = 3, max_count = 2)]),
            syn::parse_quote!(#[transient_idle(3)]),
            syn::parse_quote!(#[require_capability("Big", 99999999999999999999)]),
            syn::parse_quote!(#[initializing_messages(Config, peer Hello)]),
        ]);
        let expected = [
            "`max_count = 0` leaves the troupe no worker",
            "unknown `#[troupe]` option `idle`; expected one of: `max_count`, `idle_count` (did you mean `idle_count = 3`?)",
            "`max_count` is given twice",
            "`#[transient_idle]` takes a literal duration with its unit: `#[transient_idle(secs = 3)]` or `#[transient_idle(millis = 3000)]`",
            "does not fit a capability integer",
            "name the field that receives `Config`: `#[initializing_messages(config: Config)]`",
            "an initializing message is `field: Type`",
            "`#[transient]` cannot be combined with `#[troupe]`",
            "the `#[troupe]` is here",
        ];
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        for (error, part) in errors.iter().zip(expected) {
            assert!(error.contains(part), "{error:?} should contain {part:?}");
        }
    }

    #[test]
    fn a_requirement_may_end_with_a_comma() {
        let (found, errors) = decorators(vec![syn::parse_quote!(#[require_capability("Present",)])]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(found.requirements.len(), 1);
        assert!(found.requirements[0].value.is_none());
    }

    #[test]
    fn capability_values_keep_their_type_and_range() {
        let value = |tokens: TokenStream| cap_literal(&tokens).map(|c| c.value);
        assert!(matches!(value(quote::quote!(5000000000i64)), Ok(CapLiteralValue::Int(5_000_000_000))));
        assert!(matches!(value(quote::quote!(5u64)), Ok(CapLiteralValue::Int(5))));
        assert!(matches!(value(quote::quote!(-9223372036854775808)), Ok(CapLiteralValue::Int(i64::MIN))));
        assert!(matches!(value(quote::quote!(1.5f32)), Ok(CapLiteralValue::Float(x)) if x == 1.5));
        assert!(matches!(value(quote::quote!(-2f64)), Ok(CapLiteralValue::Float(x)) if x == -2.0));
        assert!(matches!(value(quote::quote!("x")), Ok(CapLiteralValue::Str(_))));
        assert!(matches!(value(quote::quote!(true)), Ok(CapLiteralValue::Bool(_))));
        assert!(value(quote::quote!(9223372036854775808)).is_err());
        assert!(value(quote::quote!(-"x")).is_err());
        assert!(value(quote::quote!(b'a')).is_err());
        assert!(value(quote::quote!(-)).is_err());
    }
}
