//! Routing by message type (spec §5.17 `ActorTypeDispatcher`): the runtime side of
//! `#[actor]` and `#[handler(T)]`.

use std::any::{Any, TypeId};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use crate::api::actor::{ActorError, ActorResult};
use crate::api::address::ActorAddress;
use crate::api::context::ActorContext;
use crate::api::message::Message;
use crate::api::watch::ThespianWatch;

/// What a `#[handler]` tells the type dispatcher (spec §5.17.3).
///
/// `Dispatch::Super` is the spec's `SUPER`: this handler did not (fully) handle the message,
/// so dispatch continues — with the base actor's handler for the same type, then with the
/// next link of the message's chain (its families), and finally the `#[unrecognized]` handler.
#[doc(alias = "SUPER")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dispatch {
    /// The message was handled; dispatch stops.
    #[default]
    Handled,
    /// Continue to the next handler in the chain (the spec's `SUPER`).
    #[doc(alias = "SUPER")]
    Super,
}

/// What a `#[handler]` method may return: `()`, [`Dispatch`], a [`ThespianWatch`], or a
/// `Result` of one of these whose error converts into [`ActorError`] (an `Err` is an actor
/// failure, like a panic).
///
/// A returned [`ThespianWatch`] handles the message and watches its file descriptors until
/// the next message (spec §5.2.1), as [`ActorContext::watch`] does.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a `#[handler]` method",
    label = "not a handler return type",
    note = "a handler returns `()`, `Dispatch`, `ThespianWatch`, or a `Result` of one of them whose error converts into `thespian::ActorError`"
)]
pub trait HandlerReturn {
    /// Converts the handler's result for the dispatcher, handing a watch to `ctx`.
    ///
    /// # Errors
    ///
    /// The handler's own error.
    fn into_dispatch(self, ctx: &mut ActorContext<'_>) -> Result<Dispatch, ActorError>;
}

impl HandlerReturn for () {
    fn into_dispatch(self, _: &mut ActorContext<'_>) -> Result<Dispatch, ActorError> {
        Ok(Dispatch::Handled)
    }
}

impl HandlerReturn for Dispatch {
    fn into_dispatch(self, _: &mut ActorContext<'_>) -> Result<Dispatch, ActorError> {
        Ok(self)
    }
}

impl HandlerReturn for ThespianWatch {
    fn into_dispatch(self, ctx: &mut ActorContext<'_>) -> Result<Dispatch, ActorError> {
        ctx.watch(self);
        Ok(Dispatch::Handled)
    }
}

impl<E: Into<ActorError>> HandlerReturn for Result<(), E> {
    fn into_dispatch(self, _: &mut ActorContext<'_>) -> Result<Dispatch, ActorError> {
        self.map(|()| Dispatch::Handled).map_err(Into::into)
    }
}

impl<E: Into<ActorError>> HandlerReturn for Result<Dispatch, E> {
    fn into_dispatch(self, _: &mut ActorContext<'_>) -> Result<Dispatch, ActorError> {
        self.map_err(Into::into)
    }
}

impl<E: Into<ActorError>> HandlerReturn for Result<ThespianWatch, E> {
    fn into_dispatch(self, ctx: &mut ActorContext<'_>) -> Result<Dispatch, ActorError> {
        self.map_err(Into::into)?.into_dispatch(ctx)
    }
}

/// An actor whose messages are routed by type: implemented by `#[actor]`.
///
/// A derived actor (`#[actor(base = field)]`) delegates to the `TypeDispatch` of its field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not route messages by type",
    label = "not an `#[actor]` type",
    note = "add `#[actor]` to an `impl {Self}` block with `#[handler(T)]` methods; only such a type can be the `base` of a derived actor"
)]
#[doc(alias = "ActorTypeDispatcher")]
pub trait TypeDispatch {
    /// Runs this actor's handler for one link of the message's chain (the message's own
    /// type, or one of its families), then its base's. `None` if neither has one.
    #[doc(hidden)]
    fn __thespian_link(
        &mut self,
        link: TypeId,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Option<Result<Dispatch, ActorError>>;

    /// Runs the `#[unrecognized]` handler (this actor's, else its base's), if there is one.
    #[doc(hidden)]
    fn __thespian_unrecognized(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> Option<ActorResult>;

    /// True if this actor (or its base) has a handler for the type `link`: asked only when a
    /// message is dropped, to point out a handler for a close relative of its type. (It takes
    /// `&mut self` like the other methods, so that a mistaken `base` field is reported once.)
    #[doc(hidden)]
    fn __thespian_handles(&mut self, link: TypeId) -> bool {
        let _ = link;
        false
    }
}

/// Routes `msg` through `actor`'s handlers: its own type, then its families in declared
/// order; the first handler that does not return [`Dispatch::Super`] ends it. A message no
/// handler takes goes to the `#[unrecognized]` handler, or is dropped (logged at debug).
///
/// # Errors
///
/// The error of the handler that failed.
pub fn dispatch<A: TypeDispatch + ?Sized + 'static>(
    actor: &mut A,
    msg: &mut dyn Message,
    sender: &ActorAddress,
    ctx: &mut ActorContext<'_>,
) -> ActorResult {
    let own = {
        let any: &dyn Any = msg;
        any.type_id()
    };
    let families = msg.message_families();
    for link in std::iter::once(own).chain(families.iter().map(|f| (f.type_id)())) {
        match actor.__thespian_link(link, msg, sender, ctx) {
            Some(Ok(Dispatch::Handled)) => return Ok(()),
            Some(Err(error)) => return Err(error),
            Some(Ok(Dispatch::Super)) | None => {}
        }
    }
    match actor.__thespian_unrecognized(msg, sender, ctx) {
        Some(result) => result,
        None => {
            tracing::debug!(
                actor_address = %ctx.my_address(),
                message_type = msg.message_type_name(),
                "no handler for the message; dropped"
            );
            warn_of_relative(actor, msg, ctx);
            Ok(())
        }
    }
}

/// A number type: its `TypeId` and its name.
type Relative = (fn() -> TypeId, &'static str);

/// The number types a literal without a suffix can turn into: an unsuffixed `5` is an `i32`
/// and `0.5` an `f64`, whatever the receiving actor handles. Each group's members are close
/// relatives of one another.
const RELATIVES: &[&[Relative]] = &[
    &[
        (TypeId::of::<i8>, "i8"),
        (TypeId::of::<i16>, "i16"),
        (TypeId::of::<i32>, "i32"),
        (TypeId::of::<i64>, "i64"),
        (TypeId::of::<i128>, "i128"),
        (TypeId::of::<isize>, "isize"),
        (TypeId::of::<u8>, "u8"),
        (TypeId::of::<u16>, "u16"),
        (TypeId::of::<u32>, "u32"),
        (TypeId::of::<u64>, "u64"),
        (TypeId::of::<u128>, "u128"),
        (TypeId::of::<usize>, "usize"),
    ],
    &[(TypeId::of::<f32>, "f32"), (TypeId::of::<f64>, "f64")],
];

/// Warns, once per actor type and message type, that a dropped number has a handler for
/// another width: `asys.tell(&counter, 5)` sends an `i32`, which an `i64` handler never sees.
fn warn_of_relative<A: TypeDispatch + ?Sized + 'static>(actor: &mut A, msg: &dyn Message, ctx: &ActorContext<'_>) {
    static WARNED: OnceLock<Mutex<HashSet<(TypeId, TypeId)>>> = OnceLock::new();
    let own = {
        let any: &dyn Any = msg;
        any.type_id()
    };
    let Some(group) = RELATIVES.iter().find(|group| group.iter().any(|(id, _)| id() == own)) else { return };
    let Some((_, handled)) = group.iter().find(|(id, _)| id() != own && actor.__thespian_handles(id())) else {
        return;
    };
    let actor_type = std::any::type_name::<A>();
    let first_time =
        WARNED.get_or_init(Mutex::default).lock().map_or(true, |mut warned| warned.insert((TypeId::of::<A>(), own)));
    if first_time {
        let actor_name = actor_type.rsplit("::").next().unwrap_or(actor_type);
        let got = msg.message_type_name();
        let article = if got.starts_with('u') { "a" } else { "an" };
        tracing::warn!(
            actor_address = %ctx.my_address(),
            message_type = got,
            "`{actor_name}` got {article} `{got}` but handles `{handled}`, so the message was dropped; \
             write the number with its type: `{msg:?}{handled}` (warned once per actor type and message type)"
        );
    }
}

/// A message family: the trait a message declares with `#[message(family = Trait)]`.
#[derive(Debug, Clone, Copy)]
pub struct FamilyId {
    pub(crate) type_id: fn() -> TypeId,
    pub(crate) name: &'static str,
}

impl FamilyId {
    /// The family `F` (a `dyn Trait`), named `name`.
    pub const fn of<F: ?Sized + 'static>(name: &'static str) -> Self {
        Self { type_id: TypeId::of::<F>, name }
    }

    /// The family's trait name, as written in `#[message(family = ..)]`.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// The message as a `&mut dyn Trait` of family `F`, if it declared that family.
pub fn family_mut<F: ?Sized + 'static>(msg: &mut dyn Message) -> Option<&mut F> {
    let mut slot: Option<*mut F> = None;
    msg.as_family(&mut slot);
    let ptr = slot?;
    // SAFETY: `as_family` wrote a pointer made from the `&mut self` it was given, that is
    // from `msg`, which stays mutably borrowed for the returned lifetime; nothing else can
    // reach the message meanwhile, and the pointee lives as long as `msg`.
    Some(unsafe { &mut *ptr })
}
