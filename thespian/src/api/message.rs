//! Messages: the [`Message`] trait, its downcasting helpers and the type registry.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;

use crate::api::dispatch::FamilyId;
use crate::api::error::ActorSystemError;
use crate::encoding::{self, WireError};

/// A value that can be sent to an actor (spec §1.1, §5.4).
///
/// Messages are moved, never copied, between actors of the same process; the multi-process
/// bases serialize them with their `serde` implementation. Implement it with
/// `#[derive(Message)]` (which also registers the type by name for decoding); `String`,
/// the integer and float types, `bool`, `char`, `Vec<u8>`, `()` and
/// [`ActorAddress`](crate::ActorAddress) are messages already.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// #[derive(Debug, Serialize, Deserialize, Message)]
/// struct Greeting {
///     to: String,
/// }
///
/// let msg: Box<dyn Message> = Box::new(Greeting { to: "world".into() });
/// assert_eq!(msg.downcast_ref::<Greeting>().map(|g| g.to.as_str()), Some("world"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a message",
    label = "not a message",
    note = "add `#[derive(Debug, Serialize, Deserialize, Message)]` to the definition of `{Self}`",
    note = "for a string literal (a `&str`), send a `String` instead: `\"text\".to_string()`"
)]
pub trait Message: Any + Send + fmt::Debug + SerializeMessage {
    /// The name the type is registered under (its module-qualified name by default).
    fn message_type_name(&self) -> &'static str;

    /// True for the messages the actor system itself defines (spec §7).
    ///
    /// System messages are filtered from [`ActorSystem::ask`](crate::ActorSystem::ask) and
    /// [`listen`](crate::ActorSystem::listen) (except [`PoisonMessage`](crate::PoisonMessage)
    /// and status replies) and are never returned to their sender as poison. Leave the default.
    #[doc(alias = "ActorSystemMessage")]
    fn is_system_message(&self) -> bool {
        false
    }

    /// The families this message belongs to, in declared order (`#[message(family = ..)]`):
    /// the links after its own type in its dispatch chain (spec §5.17, the Rust form of
    /// the message class's base classes).
    fn message_families(&self) -> &'static [FamilyId] {
        &[]
    }

    /// Writes a pointer to the message seen as a family into `slot` (an
    /// `Option<*mut dyn Family>`), if it belongs to that family. Implemented by
    /// `#[derive(Message)]`; use [`family_mut`](crate::family_mut) instead.
    #[doc(hidden)]
    fn as_family(&mut self, slot: &mut dyn Any) -> bool {
        let _ = slot;
        false
    }
}

erased_serde::serialize_trait_object!(Message);

/// `Serialize`, as a message needs it: a supertrait of [`Message`] whose error, when a type
/// lacks `Serialize`, names the derive to add instead of `erased_serde`'s internals.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a message: it does not implement `Serialize`",
    label = "not serializable",
    note = "add `Serialize, Deserialize` to the derive: `#[derive(Debug, Serialize, Deserialize, Message)]`; they need `serde = {{ version = \"1\", features = [\"derive\"] }}` in the `[dependencies]` of Cargo.toml"
)]
pub trait SerializeMessage: erased_serde::Serialize {}

#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> SerializeMessage for T {}

/// `Deserialize`, as the registration of a message needs it, with an error that names the
/// derive to add.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a message: it does not implement `Deserialize`",
    label = "not deserializable",
    note = "add `Serialize, Deserialize` to the derive: `#[derive(Debug, Serialize, Deserialize, Message)]`; they need `serde = {{ version = \"1\", features = [\"derive\"] }}` in the `[dependencies]` of Cargo.toml"
)]
pub trait DeserializeMessage: DeserializeOwned {}

#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned> DeserializeMessage for T {}

impl dyn Message {
    /// True if the message is a `T`.
    pub fn is<T: Message>(&self) -> bool {
        let any: &dyn Any = self;
        any.is::<T>()
    }

    /// The message as a `&T`, if it is one.
    pub fn downcast_ref<T: Message>(&self) -> Option<&T> {
        let any: &dyn Any = self;
        any.downcast_ref::<T>()
    }

    /// The message as a `&mut T`, if it is one.
    pub fn downcast_mut<T: Message>(&mut self) -> Option<&mut T> {
        let any: &mut dyn Any = self;
        any.downcast_mut::<T>()
    }

    /// Takes the `T` out of the box, or gives the box back if the message is not a `T`.
    ///
    /// # Errors
    ///
    /// Returns the original box when the message is of another type.
    pub fn downcast<T: Message>(self: Box<Self>) -> Result<Box<T>, Box<dyn Message>> {
        if self.is::<T>() {
            let any: Box<dyn Any> = self;
            match any.downcast::<T>() {
                Ok(value) => Ok(value),
                Err(_) => unreachable!("type checked just above"),
            }
        } else {
            Err(self)
        }
    }
}

macro_rules! builtin_messages {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(
            impl Message for $ty {
                fn message_type_name(&self) -> &'static str {
                    $name
                }
            }
            inventory::submit! { MessageRegistration::of::<$ty>($name) }
        )*
    };
}

builtin_messages! {
    String => "String",
    bool => "bool",
    char => "char",
    i8 => "i8", i16 => "i16", i32 => "i32", i64 => "i64", i128 => "i128", isize => "isize",
    u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64", u128 => "u128", usize => "usize",
    f32 => "f32", f64 => "f64",
    () => "()",
    // Python sends bare addresses all the time (spec §1.2: an address can be sent).
    crate::ActorAddress => "thespian::ActorAddress",
}

impl Message for Vec<u8> {
    fn message_type_name(&self) -> &'static str {
        "Vec<u8>"
    }
}
inventory::submit! {
    MessageRegistration {
        name: "Vec<u8>",
        rust_type: std::any::type_name::<Vec<u8>>,
        type_id: TypeId::of::<Vec<u8>>,
        decode: decode_bytes,
    }
}

fn decode_bytes(bytes: &[u8]) -> Result<Box<dyn Message>, postcard::Error> {
    let buf: serde_bytes::ByteBuf = encoding::from_exact(bytes)?;
    Ok(Box::new(buf.into_vec()))
}

fn decode_as<T: Message + DeserializeOwned>(bytes: &[u8]) -> Result<Box<dyn Message>, postcard::Error> {
    Ok(Box::new(encoding::from_exact::<T>(bytes)?))
}

/// Decodes one registered type from its postcard bytes.
type DecodeFn = fn(&[u8]) -> Result<Box<dyn Message>, postcard::Error>;

/// One registered message type: how to decode it from its name and bytes.
///
/// Created by `#[derive(Message)]`; not meant to be built by hand.
#[doc(hidden)]
#[derive(Debug)]
pub struct MessageRegistration {
    pub(crate) name: &'static str,
    pub(crate) rust_type: fn() -> &'static str,
    pub(crate) type_id: fn() -> TypeId,
    pub(crate) decode: DecodeFn,
}

impl MessageRegistration {
    /// The registration of `T` under `name`.
    pub const fn of<T: Message + DeserializeMessage>(name: &'static str) -> Self {
        Self { name, rust_type: std::any::type_name::<T>, type_id: TypeId::of::<T>, decode: decode_as::<T> }
    }
}

inventory::collect!(MessageRegistration);

/// The message types of this program, by registered name.
pub(crate) struct MessageRegistry {
    /// Looked up for every message decoded from the wire: a fast hasher (seeded per process;
    /// names from the wire are only looked up, never inserted).
    by_name: HashMap<&'static str, &'static MessageRegistration, foldhash::fast::RandomState>,
    clashes: Vec<(&'static str, &'static str, &'static str)>,
}

impl MessageRegistry {
    /// The registry of every `#[derive(Message)]` type linked into this program.
    pub(crate) fn get() -> &'static Self {
        static REGISTRY: OnceLock<MessageRegistry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            let mut by_name: HashMap<&'static str, &'static MessageRegistration, foldhash::fast::RandomState> =
                HashMap::default();
            let mut clashes = Vec::new();
            for reg in inventory::iter::<MessageRegistration> {
                match by_name.get(reg.name) {
                    Some(first) if (first.type_id)() != (reg.type_id)() => {
                        clashes.push((reg.name, (first.rust_type)(), (reg.rust_type)()));
                    }
                    Some(_) => {}
                    None => {
                        by_name.insert(reg.name, reg);
                    }
                }
            }
            MessageRegistry { by_name, clashes }
        })
    }

    /// The registration for `name`.
    pub(crate) fn lookup(&self, name: &str) -> Result<&'static MessageRegistration, WireError> {
        self.by_name.get(name).copied().ok_or_else(|| WireError::UnknownType { type_name: name.to_string() })
    }

    /// Fails if two different types were registered under one name.
    pub(crate) fn check_unique(&self) -> Result<(), ActorSystemError> {
        match self.clashes.first() {
            None => Ok(()),
            Some((name, a, b)) => Err(ActorSystemError::ActorSystemStartupFailure {
                reason: format!(
                    "the message types `{a}` and `{b}` are both registered as `{name}`; give one \
                     of them another name with `#[message(name = \"...\")]`"
                ),
            }),
        }
    }
}
