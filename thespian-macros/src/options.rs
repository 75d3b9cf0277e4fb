//! The argument lists of `#[actor(..)]`, `#[message(..)]` and the decorators, split into
//! one item per option before any option is read, so that a mistake in one option does not
//! hide the mistakes in the others: every option is checked, and every mistake reported.

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};

/// One comma-separated item of an attribute's argument list.
pub(crate) struct Item {
    /// The item's tokens, for spans and for parsing it another way.
    pub(crate) tokens: TokenStream,
    /// What the item looks like.
    pub(crate) kind: Kind,
}

/// The shapes an option can take.
pub(crate) enum Kind {
    /// `name = value`.
    Assign { name: syn::Ident, value: TokenStream },
    /// `name` alone.
    Flag(syn::Ident),
    /// Anything else: a literal, a call, `name(..)`, `a::b = c`.
    Other,
}

impl Item {
    /// The option's name, if it is `name = value` or `name`.
    pub(crate) fn name(&self) -> Option<&syn::Ident> {
        match &self.kind {
            Kind::Assign { name, .. } | Kind::Flag(name) => Some(name),
            Kind::Other => None,
        }
    }

    /// The value of `name = value`, or the item itself when it has no value (for spans).
    pub(crate) fn value_tokens(&self) -> &TokenStream {
        match &self.kind {
            Kind::Assign { value, .. } if !value.is_empty() => value,
            _ => &self.tokens,
        }
    }
}

/// Splits `args` at the commas that are not inside brackets or `<..>`; empty items (from a
/// trailing comma) are dropped.
pub(crate) fn split(args: TokenStream) -> Vec<Item> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut angle_depth = 0_usize;
    let mut previous_joint: Option<char> = None;
    for tree in args {
        if let TokenTree::Punct(punct) = &tree {
            let c = punct.as_char();
            // `->` and `=>` are arrows, not angle brackets.
            let arrow = matches!(previous_joint, Some('-' | '='));
            match c {
                ',' if angle_depth == 0 => {
                    items.extend(item(std::mem::take(&mut current)));
                    previous_joint = None;
                    continue;
                }
                '<' => angle_depth += 1,
                '>' if !arrow => angle_depth = angle_depth.saturating_sub(1),
                _ => {}
            }
            previous_joint = (punct.spacing() == Spacing::Joint).then_some(c);
        } else {
            previous_joint = None;
        }
        current.push(tree);
    }
    items.extend(item(current));
    items
}

fn item(trees: Vec<TokenTree>) -> Option<Item> {
    if trees.is_empty() {
        return None;
    }
    let kind = match trees.as_slice() {
        [TokenTree::Ident(name)] => Kind::Flag(name.clone()),
        [TokenTree::Ident(name), TokenTree::Punct(eq), rest @ ..]
            if eq.as_char() == '=' && eq.spacing() == Spacing::Alone =>
        {
            Kind::Assign { name: name.clone(), value: rest.iter().cloned().collect() }
        }
        _ => Kind::Other,
    };
    Some(Item { tokens: trees.into_iter().collect(), kind })
}

/// The arguments of an attribute, `..` of `#[name(..)]`: empty for `#[name]`, and `None`
/// for `#[name = ..]` or `#[name[..]]`.
pub(crate) fn attr_args(attr: &syn::Attribute) -> Option<TokenStream> {
    match &attr.meta {
        syn::Meta::Path(_) => Some(TokenStream::new()),
        syn::Meta::List(list) if matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) => Some(list.tokens.clone()),
        _ => None,
    }
}

/// The value of an option parsed as `T`, or `None` if it is missing or is not a `T`.
pub(crate) fn parse_value<T: syn::parse::Parse>(item: &Item) -> Option<T> {
    match &item.kind {
        Kind::Assign { value, .. } if !value.is_empty() => syn::parse2(value.clone()).ok(),
        _ => None,
    }
}

/// An unsigned integer literal that fits `T`: `Ok(n)`; `Err(true)` if it is an integer
/// literal that is too large, `Err(false)` if it is not an unsigned integer literal.
pub(crate) fn uint_value<T: std::str::FromStr>(item: &Item) -> Result<(T, syn::LitInt), bool> {
    let lit: syn::LitInt = parse_value(item).ok_or(false)?;
    if !lit.suffix().is_empty() && !is_int_suffix(lit.suffix()) {
        return Err(false);
    }
    if lit.base10_digits().starts_with('-') {
        return Err(false);
    }
    let n = lit.base10_digits().parse::<T>().map_err(|_| true)?;
    Ok((n, lit))
}

/// True for the suffixes of Rust's integer types.
pub(crate) fn is_int_suffix(suffix: &str) -> bool {
    matches!(suffix, "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize")
}

/// The message for an option given a second time: keep one, written as `usage` shows.
pub(crate) fn twice(item: &Item, usage: &str) -> String {
    let name = item.name().map_or_else(|| crate::errors::show(&item.tokens), ToString::to_string);
    format!("`{name}` is given twice; keep one: {usage}")
}

/// The message for an unknown option `name` of `#[attr]`: the valid options (each a name, or
/// `name = what`), and the one the user probably meant, written with the user's value.
pub(crate) fn unknown(attr: &str, item: &Item, valid: &[&str]) -> String {
    let given = item.name().map_or_else(|| crate::errors::show(&item.tokens), ToString::to_string);
    let list = valid.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
    let mut message = format!("unknown `#[{attr}]` option `{given}`; expected one of: {list}");
    let names: Vec<&str> = valid.iter().map(|v| v.split(" =").next().unwrap_or(v)).collect();
    if let Some(close) = closest(&given, &names) {
        let value = match &item.kind {
            Kind::Assign { value, .. } if !value.is_empty() => format!(" = {}", crate::errors::show(value)),
            _ => String::new(),
        };
        message.push_str(&format!(" (did you mean `{close}{value}`?)"));
    }
    message
}

/// The valid name closest to `given`, if one is close enough to be a likely typo.
fn closest<'a>(given: &str, valid: &[&'a str]) -> Option<&'a str> {
    let given = given.to_lowercase();
    valid
        .iter()
        .map(|v| {
            let common = given.chars().zip(v.chars()).take_while(|(a, b)| a == b).count();
            let related = given.len() >= 3 && (v.starts_with(&given) || given.starts_with(v) || common >= 3);
            (if related { 0 } else { distance(&given, v) }, *v)
        })
        .filter(|(d, v)| *d <= (v.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

/// Edit distance, counting a swap of two neighbouring letters as one edit (`nmae`, `name`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0_usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// A `syn::Error` over `tokens`, or at `fallback` if `tokens` is empty.
pub(crate) fn error_at(tokens: &TokenStream, fallback: Span, message: impl std::fmt::Display) -> syn::Error {
    if tokens.is_empty() {
        syn::Error::new(fallback, message)
    } else {
        syn::Error::new_spanned(tokens, message)
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn splits_at_top_level_commas_only() {
        let items = split(quote!(a = 1, b, map: HashMap<K, V>, f(x, y), done = g,));
        let shapes: Vec<String> = items
            .iter()
            .map(|i| match &i.kind {
                Kind::Assign { name, value } => format!("{name} = {}", crate::errors::show(value)),
                Kind::Flag(name) => format!("flag {name}"),
                Kind::Other => format!("other {}", crate::errors::show(&i.tokens)),
            })
            .collect();
        assert_eq!(shapes, ["a = 1", "flag b", "other map: HashMap<K, V>", "other f(x, y)", "done = g"]);
    }

    #[test]
    fn suggests_the_option_meant() {
        let valid = ["max_count", "idle_count"];
        assert_eq!(closest("idle", &valid), Some("idle_count"));
        assert_eq!(closest("max", &valid), Some("max_count"));
        assert_eq!(closest("max_cuont", &valid), Some("max_count"));
        assert_eq!(closest("workers", &valid), None);
        assert_eq!(closest("seconds", &["secs", "millis"]), Some("secs"));
        assert_eq!(closest("nmae", &["name", "family"]), Some("name"));
        assert_eq!(closest("familly", &["name", "family"]), Some("family"));
    }

    #[test]
    fn reads_unsigned_integers() {
        let item = |tokens| split(tokens).remove(0);
        assert_eq!(uint_value::<u32>(&item(quote!(n = 10))).map(|(n, _)| n), Ok(10));
        assert_eq!(uint_value::<u32>(&item(quote!(n = 10usize))).map(|(n, _)| n), Ok(10));
        assert_eq!(uint_value::<u32>(&item(quote!(n = 99999999999999))).map(|(n, _)| n), Err(true));
        assert!(uint_value::<u32>(&item(quote!(n = -1))).is_err_and(|big| !big));
        assert!(uint_value::<u32>(&item(quote!(n = 2.5))).is_err_and(|big| !big));
        assert!(uint_value::<u32>(&item(quote!(n))).is_err_and(|big| !big));
    }
}
