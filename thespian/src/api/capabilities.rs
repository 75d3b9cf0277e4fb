//! Actor system capabilities (spec §4.10, §9.1): a map of JSON-like values.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One capability value: JSON-like, with Python's truthiness (spec §5.12.1).
///
/// `Null`, `false`, `0`, `0.0`, `""` and empty lists or maps are false; everything else is true.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
            Self::Float(x) => write!(f, "{x}"),
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
