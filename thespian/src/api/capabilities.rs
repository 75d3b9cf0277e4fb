//! Actor system capabilities (spec §4.10, §9.1): a map of JSON-like values.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, EnumAccess, VariantAccess};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::encoding::{depth, Level, Recursive};

// The bound the wire's depth counter applies is the documented one.
const _: () = assert!(CapValue::MAX_DEPTH == depth::MAX_CAP_VALUE_DEPTH);

/// One capability value: JSON-like, with Python's truthiness (spec §5.12.1).
///
/// `Null`, `false`, `0`, `0.0`, `""` and empty lists or maps are false; everything else is true.
///
/// `==` ([`PartialEq`]) is structural: `Int(1) != Float(1.0)`, and a `Float(NAN)` is equal
/// to nothing. [`py_eq`](Self::py_eq) is Python's `==`, under which `1 == 1.0 == True`; the
/// checks of `#[require_capability]` use it. Displayed, a value reads as Python's `repr`
/// (`None`, `True`, `1.0`, `"text"`, `[1, 2.5]`), so `1` and `1.0` are told apart.
///
/// Lists and maps nest at most [`MAX_DEPTH`](Self::MAX_DEPTH) deep when serialized or
/// deserialized, so a value from a peer cannot exhaust the stack.
///
/// Every Rust integer and float type whose values all fit converts with `into()`; a `u64` or
/// `usize` goes through `i64::try_from` first.
///
/// # Examples
///
/// ```
/// use thespian::CapValue;
///
/// assert_eq!(CapValue::from(3_u8), CapValue::Int(3));
/// assert_eq!(CapValue::from(-3_i16), CapValue::Int(-3));
/// assert_eq!(CapValue::from(0.5_f32), CapValue::Float(0.5));
/// let workers: usize = 4;
/// let value = CapValue::from(i64::try_from(workers).expect("fewer than 2^63 workers"));
/// assert_eq!(value, CapValue::Int(4));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CapValue {
    /// No value (Python's `None`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list (Python's list or tuple).
    List(Vec<CapValue>),
    /// A map with string keys.
    Map(BTreeMap<String, CapValue>),
}

impl CapValue {
    /// How deep lists and maps may nest, counting the outermost value as one level: 64.
    ///
    /// A deeper value fails to serialize and to deserialize (on the wire,
    /// [`WireError::Unserializable`](crate::encoding::WireError::Unserializable) and
    /// [`WireError::Malformed`](crate::encoding::WireError::Malformed), saying "capability
    /// values nested more than 64 deep"), whatever the serde format.
    ///
    /// # Examples
    ///
    /// ```
    /// use thespian::prelude::*;
    ///
    /// #[derive(Debug, Serialize, Deserialize, Message)]
    /// struct Setting(CapValue);
    ///
    /// let mut value = CapValue::Null; // one level
    /// for _ in 1..CapValue::MAX_DEPTH {
    ///     value = CapValue::List(vec![value]);
    /// }
    /// assert!(thespian::wire::round_trip(&Setting(value.clone())).is_ok(), "64 levels travel");
    /// let deeper = Setting(CapValue::List(vec![value]));
    /// let err = thespian::wire::encode_message(&deeper).expect_err("65 levels do not");
    /// assert!(err.to_string().contains("capability values nested more than 64 deep"), "{err}");
    /// ```
    pub const MAX_DEPTH: u32 = 64;

    /// Python's `==`: numbers and booleans compare by value, so `Int(1)`, `Float(1.0)` and
    /// `Bool(true)` are equal (and `0`, `0.0`, `false`); an integer equals a float only if
    /// the float is exactly that integer. Lists and maps are equal when they have the same
    /// length (and keys) and their items are `py_eq`. `Null` equals only `Null`, a string only
    /// the same string, and a `Float(NAN)` nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use thespian::CapValue;
    ///
    /// assert!(CapValue::Int(1).py_eq(&CapValue::Float(1.0)));
    /// assert!(CapValue::Bool(true).py_eq(&CapValue::Int(1)));
    /// assert!(!CapValue::Bool(true).py_eq(&CapValue::Int(5)));
    /// let ints = CapValue::List(vec![CapValue::Int(3), CapValue::Int(10)]);
    /// assert!(ints.py_eq(&CapValue::List(vec![CapValue::Float(3.0), CapValue::Int(10)])));
    /// assert_ne!(CapValue::Int(1), CapValue::Float(1.0), "`==` is structural");
    /// ```
    #[doc(alias = "==")]
    #[doc(alias = "__eq__")]
    pub fn py_eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Null, Self::Null) => true,
            (Self::Str(a), Self::Str(b)) => a == b,
            (Self::Float(a), Self::Float(b)) => a == b,
            (Self::Float(x), other) | (other, Self::Float(x)) => other.as_int().is_some_and(|i| int_is_float(i, *x)),
            (Self::List(a), Self::List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y)),
            (Self::Map(a), Self::Map(b)) => {
                a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| x.py_eq(y)))
            }
            (a, b) => matches!((a.as_int(), b.as_int()), (Some(x), Some(y)) if x == y),
        }
    }

    /// An `Int` or a `Bool` as Python's `int` (`True` is 1).
    fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            Self::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// Python truthiness of the value.
    ///
    /// ```
    /// use thespian::CapValue;
    /// assert!(CapValue::from(5).is_truthy());
    /// assert!(!CapValue::from(0).is_truthy());
    /// assert!(!CapValue::from("").is_truthy());
    /// ```
    pub fn is_truthy(&self) -> bool {
        match self {
            Self::Null => false,
            Self::Bool(b) => *b,
            Self::Int(i) => *i != 0,
            Self::Float(f) => *f != 0.0,
            Self::Str(s) => !s.is_empty(),
            Self::List(l) => !l.is_empty(),
            Self::Map(m) => !m.is_empty(),
        }
    }
}

impl fmt::Display for CapValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("None"),
            Self::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write_float(f, *x),
            Self::Str(s) => write!(f, "{s:?}"),
            Self::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Self::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// True if `x` is exactly `i`, as Python compares an `int` with a `float`.
fn int_is_float(i: i64, x: f64) -> bool {
    // -2^63 and 2^63 are exact in an f64; the range check keeps `as` from saturating.
    const BOUND: f64 = 9_223_372_036_854_775_808.0;
    x.fract() == 0.0 && (-BOUND..BOUND).contains(&x) && {
        #[allow(clippy::cast_possible_truncation)] // whole and in range: exact
        let whole = x as i64;
        whole == i
    }
}

/// Writes `x` as Python's `repr` does: `1.0`, `0.5`, `1e+20`, `1e-05`, `inf`, `nan`.
fn write_float(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_nan() {
        return f.write_str("nan");
    }
    if x.is_infinite() {
        return f.write_str(if x > 0.0 { "inf" } else { "-inf" });
    }
    // `{:?}` is the shortest text that reads back as `x`, with a `.0` on whole numbers and
    // an exponent from the same magnitudes as Python's; Python signs the exponent and
    // writes at least two digits of it.
    let text = format!("{x:?}");
    match text.split_once('e') {
        None => f.write_str(&text),
        Some((mantissa, exponent)) => {
            let (sign, digits) = exponent.strip_prefix('-').map_or(("+", exponent), |d| ("-", d));
            write!(f, "{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// The variants, in the order of their index on the wire.
const VARIANTS: &[&str] = &["Null", "Bool", "Int", "Float", "Str", "List", "Map"];

/// Written as serde's derive would write the enum (the same bytes on the wire), one
/// level deeper for each value (see [`CapValue::MAX_DEPTH`]).
impl Serialize for CapValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let _level = Level::enter(Recursive::CapValue).map_err(S::Error::custom)?;
        let name = "CapValue";
        match self {
            Self::Null => serializer.serialize_unit_variant(name, 0, VARIANTS[0]),
            Self::Bool(b) => serializer.serialize_newtype_variant(name, 1, VARIANTS[1], b),
            Self::Int(i) => serializer.serialize_newtype_variant(name, 2, VARIANTS[2], i),
            Self::Float(x) => serializer.serialize_newtype_variant(name, 3, VARIANTS[3], x),
            Self::Str(s) => serializer.serialize_newtype_variant(name, 4, VARIANTS[4], s),
            Self::List(l) => serializer.serialize_newtype_variant(name, 5, VARIANTS[5], l),
            Self::Map(m) => serializer.serialize_newtype_variant(name, 6, VARIANTS[6], m),
        }
    }
}

/// Read as serde's derive would read the enum, refusing values nested more than
/// [`CapValue::MAX_DEPTH`] deep.
impl<'de> Deserialize<'de> for CapValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let _level = Level::enter(Recursive::CapValue).map_err(de::Error::custom)?;
        deserializer.deserialize_enum("CapValue", VARIANTS, CapValueVisitor)
    }
}

struct CapValueVisitor;

impl<'de> de::Visitor<'de> for CapValueVisitor {
    type Value = CapValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a capability value")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<CapValue, A::Error> {
        let (Variant(index), value) = data.variant::<Variant>()?;
        Ok(match index {
            0 => {
                value.unit_variant()?;
                CapValue::Null
            }
            1 => CapValue::Bool(value.newtype_variant()?),
            2 => CapValue::Int(value.newtype_variant()?),
            3 => CapValue::Float(value.newtype_variant()?),
            4 => CapValue::Str(value.newtype_variant()?),
            5 => CapValue::List(value.newtype_variant()?),
            _ => CapValue::Map(value.newtype_variant()?),
        })
    }
}

/// A variant of [`CapValue`], by its index or its name.
struct Variant(usize);

impl<'de> Deserialize<'de> for Variant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(VariantVisitor)
    }
}

struct VariantVisitor;

impl de::Visitor<'_> for VariantVisitor {
    type Value = Variant;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a variant index below {} or one of {VARIANTS:?}", VARIANTS.len())
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Variant, E> {
        match usize::try_from(index) {
            Ok(i) if i < VARIANTS.len() => Ok(Variant(i)),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(index), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Variant, E> {
        VARIANTS.iter().position(|v| *v == name).map(Variant).ok_or_else(|| E::unknown_variant(name, VARIANTS))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Variant, E> {
        match std::str::from_utf8(name) {
            Ok(name) => self.visit_str(name),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(name), &self)),
        }
    }
}

macro_rules! cap_from {
    ($($ty:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl From<$ty> for CapValue {
            fn from($v: $ty) -> Self { $e }
        })*
    };
}

// Every integer and float type whose values all fit; `u64`, `usize` and `i128` do not, so
// they go through `i64::try_from` first, where the caller decides what a too-large value means.
cap_from! {
    bool => |v| Self::Bool(v),
    i8 => |v| Self::Int(i64::from(v)),
    i16 => |v| Self::Int(i64::from(v)),
    i32 => |v| Self::Int(i64::from(v)),
    i64 => |v| Self::Int(v),
    u8 => |v| Self::Int(i64::from(v)),
    u16 => |v| Self::Int(i64::from(v)),
    u32 => |v| Self::Int(i64::from(v)),
    f32 => |v| Self::Float(f64::from(v)),
    f64 => |v| Self::Float(v),
    &str => |v| Self::Str(v.to_string()),
    String => |v| Self::Str(v),
    Vec<CapValue> => |v| Self::List(v),
    BTreeMap<String, CapValue> => |v| Self::Map(v),
}

/// The capabilities of an actor system, or the requirements given when creating an actor.
///
/// # Examples
///
/// ```
/// use thespian::Capabilities;
///
/// let mut caps = Capabilities::new();
/// caps.insert("Has Lightbulb", 5);
/// caps.insert("Color", "Yellow");
/// assert!(caps.is_truthy("Has Lightbulb"));
/// assert!(!caps.is_truthy("Lit"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Capabilities(BTreeMap<String, CapValue>);

impl Capabilities {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of capability `name`.
    pub fn get(&self, name: &str) -> Option<&CapValue> {
        self.0.get(name)
    }

    /// True if `name` is present and its value is truthy.
    pub fn is_truthy(&self, name: &str) -> bool {
        self.get(name).is_some_and(CapValue::is_truthy)
    }

    /// True if `name` is present and its value is equal to `value` as Python's `==` says
    /// ([`CapValue::py_eq`]): the check of `#[require_capability(name, value)]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use thespian::{CapValue, Capabilities};
    ///
    /// let caps: Capabilities = [("Version", 2)].into_iter().collect();
    /// assert!(caps.py_eq("Version", &CapValue::Float(2.0)));
    /// assert!(!caps.py_eq("Version", &CapValue::Int(3)));
    /// assert!(!caps.py_eq("Missing", &CapValue::Null), "absent is not None");
    /// ```
    #[doc(alias = "==")]
    pub fn py_eq(&self, name: &str, value: &CapValue) -> bool {
        self.get(name).is_some_and(|have| have.py_eq(value))
    }

    /// Sets `name` to `value`, returning the previous value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<CapValue>) -> Option<CapValue> {
        self.0.insert(name.into(), value.into())
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<CapValue> {
        self.0.remove(name)
    }

    /// All capabilities, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CapValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of capabilities.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<CapValue>> FromIterator<(K, V)> for Capabilities {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// The capability keys every system sets itself (spec §9.1); they are read-only.
pub(crate) const READ_ONLY: &[&str] = &[
    "Thespian Generation",
    "Thespian Version",
    "Thespian ActorSystem Name",
    "Thespian ActorSystem Version",
    "Rust Version",
    "Thespian Watch Supported",
];

/// The common capabilities of spec §9.1 for a system of base `base_name`.
pub(crate) fn common(base_name: &str) -> Capabilities {
    let mut caps = Capabilities::new();
    caps.insert("Thespian Generation", CapValue::List(vec![CapValue::Int(3), CapValue::Int(10)]));
    caps.insert("Thespian Version", crate_version());
    caps.insert("Thespian ActorSystem Name", base_name);
    caps.insert("Thespian ActorSystem Version", 1);
    caps.insert("Rust Version", rust_version());
    caps.insert("AllowRemoteActorSources", "Yes");
    // Spec §4.8: the multi-process bases poll the descriptors of a `ThespianWatch` (each
    // actor process watches its own); the simple base does not.
    caps.insert("Thespian Watch Supported", base_name != "simpleSystemBase");
    caps
}

/// The version of the compiler that built this crate, as a list of numbers (`[1, 95, 0]`),
/// like Python's `sys.version_info`; empty if it could not be read at build time.
fn rust_version() -> CapValue {
    let parts = env!("THESPIAN_RUSTC_VERSION")
        .split(['.', '-'])
        .map_while(|part| part.parse::<i64>().ok())
        .map(CapValue::Int)
        .collect();
    CapValue::List(parts)
}

/// The crate's version as one number that grows with every release (spec §9.1):
/// `major * 10000 + minor * 100 + patch`, so 0.1.0 is 100.
fn crate_version() -> CapValue {
    let part = |text: &str| text.parse::<i64>().unwrap_or(0);
    CapValue::Int(
        part(env!("CARGO_PKG_VERSION_MAJOR")) * 10_000
            + part(env!("CARGO_PKG_VERSION_MINOR")) * 100
            + part(env!("CARGO_PKG_VERSION_PATCH")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[CapValue]) -> CapValue {
        CapValue::List(items.to_vec())
    }

    fn map(entries: &[(&str, CapValue)]) -> CapValue {
        CapValue::Map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn spec_5_12_1_py_eq_is_pythons_equality() {
        use CapValue::{Bool, Float, Int, Null, Str};
        // Python: 1 == 1.0 == True, 0 == 0.0 == False == -0.0.
        let equal = [
            (Int(1), Float(1.0)),
            (Int(1), Bool(true)),
            (Float(1.0), Bool(true)),
            (Int(0), Float(0.0)),
            (Int(0), Float(-0.0)),
            (Bool(false), Float(0.0)),
            (Int(0), Bool(false)),
            (Int(-7), Float(-7.0)),
            (Float(0.5), Float(0.5)),
            (Null, Null),
            (Str("a".into()), Str("a".into())),
            (Int(i64::MIN), Float(-9_223_372_036_854_775_808.0)),
        ];
        for (a, b) in &equal {
            assert!(a.py_eq(b) && b.py_eq(a), "{a:?} == {b:?}");
        }
        let unequal = [
            (Int(5), Bool(true)),
            (Int(1), Float(1.5)),
            (Int(1), Str("1".into())),
            (Bool(true), Str("True".into())),
            (Null, Int(0)),
            (Null, Bool(false)),
            (Null, Str(String::new())),
            (Float(f64::NAN), Float(f64::NAN)),
            (Int(0), Float(f64::NAN)),
            (Int(i64::MAX), Float(9_223_372_036_854_775_808.0)), // 2^63: exact, yet past i64::MAX
            (Int(i64::MAX), Float(f64::INFINITY)),
            (Int(9_007_199_254_740_993), Float(9_007_199_254_740_992.0)), // 2^53 + 1 and 2^53
            (list(&[]), map(&[])),
        ];
        for (a, b) in &unequal {
            assert!(!a.py_eq(b) && !b.py_eq(a), "{a:?} != {b:?}");
        }
    }

    #[test]
    fn spec_5_12_1_py_eq_compares_lists_and_maps_item_by_item() {
        use CapValue::{Bool, Float, Int};
        assert!(list(&[Int(3), Int(10)]).py_eq(&list(&[Float(3.0), Int(10)])));
        assert!(list(&[Int(1), list(&[Int(0)])]).py_eq(&list(&[Bool(true), list(&[Float(0.0)])])));
        assert!(!list(&[Int(1)]).py_eq(&list(&[Int(1), Int(1)])), "lengths differ");
        assert!(!list(&[Int(1), Int(2)]).py_eq(&list(&[Int(2), Int(1)])), "order counts");
        assert!(map(&[("a", Int(1)), ("b", Bool(false))]).py_eq(&map(&[("a", Float(1.0)), ("b", Int(0))])));
        assert!(!map(&[("a", Int(1))]).py_eq(&map(&[("b", Int(1))])), "keys differ");
        assert!(!map(&[("a", Int(1))]).py_eq(&map(&[("a", Int(1)), ("b", Int(1))])), "sizes differ");
        // `==` stays structural.
        assert_ne!(list(&[Int(1)]), list(&[Float(1.0)]));
    }

    #[test]
    fn spec_5_12_1_capabilities_py_eq_needs_the_capability() {
        let caps: Capabilities = [("Version", CapValue::Int(2)), ("None", CapValue::Null)].into_iter().collect();
        assert!(caps.py_eq("Version", &CapValue::Float(2.0)));
        assert!(!caps.py_eq("Version", &CapValue::Int(3)));
        assert!(caps.py_eq("None", &CapValue::Null));
        assert!(!caps.py_eq("Absent", &CapValue::Null));
    }

    #[test]
    fn spec_5_12_1_values_display_as_python_repr() {
        let shown = |x: f64| CapValue::Float(x).to_string();
        for (x, repr) in [
            (1.0, "1.0"),
            (-1.0, "-1.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.5, "0.5"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e20, "1e+20"),
            (1.5e300, "1.5e+300"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-10, "1.5e-10"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(shown(x), repr, "{x:?}");
        }
        assert_eq!(CapValue::Int(1).to_string(), "1", "an integer has no point, so 1 and 1.0 read apart");
        let mixed = list(&[CapValue::Int(1), CapValue::Float(1.0), CapValue::Bool(true), CapValue::Null]);
        assert_eq!(mixed.to_string(), "[1, 1.0, True, None]");
        assert_eq!(map(&[("k", CapValue::from("v"))]).to_string(), "{\"k\": \"v\"}");
    }

    #[test]
    fn design_3_wire_cap_value_keeps_the_derived_encoding() {
        // Variant index, then the content: what `#[derive(Serialize)]` wrote before.
        let value = list(&[CapValue::Null, CapValue::Bool(true), CapValue::Int(-1), CapValue::from("a")]);
        let bytes = postcard::to_allocvec(&value).unwrap_or_default();
        assert_eq!(bytes, [5, 4, 0, 1, 1, 2, 1, 4, 1, b'a']);
        assert_eq!(postcard::from_bytes::<CapValue>(&bytes).ok(), Some(value));
        let float = postcard::to_allocvec(&CapValue::Float(1.0)).unwrap_or_default();
        assert_eq!(float, [[3].as_slice(), &1.0_f64.to_le_bytes()].concat());
        let entry = map(&[("k", CapValue::Int(2))]);
        assert_eq!(postcard::to_allocvec(&entry).unwrap_or_default(), [6, 1, 1, b'k', 2, 4]);
        assert!(postcard::from_bytes::<CapValue>(&[7]).is_err(), "no eighth variant");
    }
}
