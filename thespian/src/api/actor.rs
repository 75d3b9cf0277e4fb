//! The [`Actor`] trait (spec §5.2), how actors are built, and how they are named.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::api::address::ActorAddress;
use crate::api::capabilities::Capabilities;
use crate::api::context::ActorContext;
use crate::api::error::ActorSystemError;
use crate::api::message::Message;

/// The error a handler or constructor returns to say it failed (any error type converts).
pub type ActorError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What [`Actor::receive_message`] returns: `Err` is a failure, handled like a panic.
pub type ActorResult = Result<(), ActorError>;

/// An actor: state plus a handler for the messages it receives (spec §1.1, §5.2).
///
/// The system calls [`receive_message`](Self::receive_message) with one message at a time.
/// If the handler panics or returns `Err`, the same message is given to the same instance
/// once more; if that fails too, the message goes back to its sender inside a
/// [`PoisonMessage`](crate::PoisonMessage) (spec §4.4) and the actor carries on.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Counter {
///     seen: u64,
/// }
///
/// impl Actor for Counter {
///     fn receive_message(
///         &mut self,
///         msg: &mut dyn Message,
///         sender: &ActorAddress,
///         ctx: &mut ActorContext<'_>,
///     ) -> ActorResult {
///         if msg.is::<String>() {
///             self.seen += 1;
///             ctx.send(sender, self.seen);
///         }
///         Ok(())
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let counter = asys.create_actor::<Counter>()?;
/// let n: Option<u64> = asys.ask_as(&counter, "hi".to_string(), std::time::Duration::from_secs(1))?;
/// assert_eq!(n, Some(1));
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an actor",
    label = "not an actor",
    note = "implement `thespian::Actor` for `{Self}` (write `fn receive_message`), or add `#[actor]` to an `impl {Self}` block"
)]
pub trait Actor: Send + 'static {
    /// Handles one message from `sender` (an actor, or an external caller of the system).
    ///
    /// # Errors
    ///
    /// An `Err` is an actor failure: the message is retried once, then returned as poison.
    #[doc(alias = "receiveMessage")]
    fn receive_message(
        &mut self,
        msg: &mut dyn Message,
        sender: &ActorAddress,
        ctx: &mut ActorContext<'_>,
    ) -> ActorResult;

    /// Whether a system with these `capabilities` can run this actor, given the
    /// `requirements` its creator passed (spec §4.10, §5.12): `Err` names the requirement
    /// that failed. The default accepts every system.
    ///
    /// Bases that check capabilities call it before creating the actor, and again for every
    /// running actor after a capability changes (spec §5.13); an actor that no longer passes
    /// is sent an [`ActorExitRequest`](crate::ActorExitRequest). `#[actor]` builds it from
    /// `#[require_capability]` and a method named `actor_system_capability_check`.
    ///
    /// # Errors
    ///
    /// The text of the requirement that is not met.
    #[doc(alias = "actorSystemCapabilityCheck")]
    fn capability_check(capabilities: &Capabilities, requirements: Option<&Capabilities>) -> Result<(), String>
    where
        Self: Sized,
    {
        let _ = (capabilities, requirements);
        Ok(())
    }

    /// Boxes a newly built instance for the system. The default boxes it as it is;
    /// `#[troupe]` and `#[transient]` wrap it in the pattern they name.
    fn into_boxed_actor(self) -> Box<dyn Actor>
    where
        Self: Sized,
    {
        Box::new(self)
    }
}

/// What a constructor may learn about the system it starts in (spec §5.12): the
/// system's capabilities and the requirements the creator passed.
#[doc(alias("actorSystemCapabilityCheck", "requirements"))]
#[derive(Debug, Clone, Copy)]
pub struct ActorStart<'a> {
    /// The capabilities of the system the actor starts in.
    pub capabilities: &'a Capabilities,
    /// The requirements given to `create_actor_with`, if any.
    pub requirements: Option<&'a Capabilities>,
}

/// How the system builds a new instance of an actor type.
///
/// Every `Actor + Default` has it. Implement it yourself for an actor whose start-up can
/// fail: an `Err` (or a panic) makes the actor *non-startable* (spec §4.3).
#[diagnostic::on_unimplemented(
    message = "the actor system cannot create a `{Self}`",
    label = "no actor constructor for `{Self}`",
    note = "an actor type needs `#[actor]` on an `impl {Self}` block (or a hand-written `impl Actor`), and a constructor: derive `Default`, or name one with `#[actor(new = {Self}::new)]`"
)]
pub trait NewActor: Actor + Sized {
    /// Builds the actor.
    ///
    /// # Errors
    ///
    /// Any error makes the actor non-startable.
    fn new_actor() -> Result<Self, ActorError>;

    /// Builds the actor knowing the system's capabilities and the creator's requirements.
    /// The default ignores them and calls [`new_actor`](Self::new_actor).
    ///
    /// # Errors
    ///
    /// Any error makes the actor non-startable.
    fn new_actor_with(start: &ActorStart<'_>) -> Result<Self, ActorError> {
        let _ = start;
        Self::new_actor()
    }
}

impl<A: Actor + Default> NewActor for A {
    fn new_actor() -> Result<Self, ActorError> {
        Ok(A::default())
    }
}

/// What a constructor named in `#[actor(new = path)]` may return: the actor, or a
/// `Result` of it whose error converts into [`ActorError`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by an actor constructor for `{A}`",
    note = "the function named in `#[actor(new = ..)]` returns `{A}` or `Result<{A}, E>` where `E` converts into `thespian::ActorError`"
)]
#[doc(hidden)]
pub trait IntoNewActor<A> {
    /// The actor, or the constructor's error.
    ///
    /// # Errors
    ///
    /// The constructor's error.
    fn into_new_actor(self) -> Result<A, ActorError>;
}

impl<A: Actor> IntoNewActor<A> for A {
    fn into_new_actor(self) -> Result<A, ActorError> {
        Ok(self)
    }
}

impl<A: Actor, E: Into<ActorError>> IntoNewActor<A> for Result<A, E> {
    fn into_new_actor(self) -> Result<A, ActorError> {
        self.map_err(Into::into)
    }
}

/// A constructor named in `#[actor(new = path)]`: a function taking nothing, or the
/// [`ActorStart`] (capabilities and requirements), and returning what [`IntoNewActor`] accepts.
/// `Marker` tells the two shapes apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot construct `{A}`",
    note = "the function named in `#[actor(new = ..)]` takes no argument or `&ActorStart<'_>`, and returns `{A}` or `Result<{A}, E>`"
)]
#[doc(hidden)]
pub trait Constructor<A, Marker> {
    /// Runs the constructor.
    ///
    /// # Errors
    ///
    /// The constructor's error.
    fn construct(self, start: &ActorStart<'_>) -> Result<A, ActorError>;
}

impl<A, F, R> Constructor<A, fn() -> R> for F
where
    F: FnOnce() -> R,
    R: IntoNewActor<A>,
{
    fn construct(self, _start: &ActorStart<'_>) -> Result<A, ActorError> {
        self().into_new_actor()
    }
}

impl<A, F, R> Constructor<A, fn(&ActorStart<'_>) -> R> for F
where
    F: FnOnce(&ActorStart<'_>) -> R,
    R: IntoNewActor<A>,
{
    fn construct(self, start: &ActorStart<'_>) -> Result<A, ActorError> {
        self(start).into_new_actor()
    }
}

/// Runs the constructor `f` of `#[actor(new = f)]`.
///
/// # Errors
///
/// The constructor's error.
#[doc(hidden)]
pub fn construct<A, M>(f: impl Constructor<A, M>, start: &ActorStart<'_>) -> Result<A, ActorError> {
    f.construct(start)
}

/// Builds `A` outside any system (no capabilities, no requirements), through its
/// [`NewActor::new_actor_with`].
///
/// # Errors
///
/// The constructor's error.
#[doc(hidden)]
pub fn new_alone<A: NewActor>() -> Result<A, ActorError> {
    let none = Capabilities::new();
    A::new_actor_with(&ActorStart { capabilities: &none, requirements: None })
}

/// The base actor type of `#[actor(base = field)]`, found from the field: `#[actor]` sees
/// only the field's name, so it passes `|s: &mut Self| &mut s.field` (borrowed as the
/// dispatcher borrows it, so that a missing field is reported once) and the compiler infers `B`.
#[doc(hidden)]
pub struct BaseOf<B>(std::marker::PhantomData<fn() -> B>);

/// The [`BaseOf`] of the field `field` selects.
#[doc(hidden)]
pub fn base_of<S, B>(field: fn(&mut S) -> &mut B) -> BaseOf<B> {
    let _ = field;
    BaseOf(std::marker::PhantomData)
}

/// A derived actor inherits its base's capability requirements: the base's
/// [`Actor::capability_check`] must pass too.
#[doc(hidden)]
pub trait BaseCapabilityCheck {
    /// The base's capability check.
    ///
    /// # Errors
    ///
    /// The base's requirement that is not met.
    fn __thespian_base_capability_check(
        &self,
        capabilities: &Capabilities,
        requirements: Option<&Capabilities>,
    ) -> Result<(), String>;
}

impl<B: Actor> BaseCapabilityCheck for BaseOf<B> {
    fn __thespian_base_capability_check(
        &self,
        capabilities: &Capabilities,
        requirements: Option<&Capabilities>,
    ) -> Result<(), String> {
        B::capability_check(capabilities, requirements)
    }
}

/// Chosen (by auto-ref) only when the base field is not an actor, which `#[actor]` reports
/// elsewhere: accepting here keeps that the only error.
#[doc(hidden)]
pub trait NotAnActorBase {
    /// Accepts.
    ///
    /// # Errors
    ///
    /// Never.
    fn __thespian_base_capability_check(
        &self,
        capabilities: &Capabilities,
        requirements: Option<&Capabilities>,
    ) -> Result<(), String>;
}

impl<B> NotAnActorBase for &BaseOf<B> {
    fn __thespian_base_capability_check(&self, _: &Capabilities, _: Option<&Capabilities>) -> Result<(), String> {
        Ok(())
    }
}

/// The constructor of one actor type, as the system stores it.
#[derive(Clone, Copy)]
pub struct ActorFactory {
    pub(crate) type_name: &'static str,
    pub(crate) construct: fn(&ActorStart<'_>) -> Result<Box<dyn Actor>, ActorError>,
    pub(crate) check: fn(&Capabilities, Option<&Capabilities>) -> Result<(), String>,
}

impl ActorFactory {
    /// The factory of `A`.
    pub fn of<A: NewActor>() -> Self {
        Self {
            type_name: std::any::type_name::<A>(),
            construct: |start| A::new_actor_with(start).map(Actor::into_boxed_actor),
            check: A::capability_check,
        }
    }

    /// The Rust type name of the actor it builds.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl std::fmt::Debug for ActorFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ActorFactory").field(&self.type_name).finish()
    }
}

/// An actor type registered under a name, so it can be created from a string (spec §5.3).
///
/// Made by [`register_actor!`](crate::register_actor) (and by `#[actor]`).
#[doc(hidden)]
pub struct ActorRegistration {
    pub(crate) name: &'static str,
    pub(crate) factory: fn() -> ActorFactory,
}

impl ActorRegistration {
    /// The registration of `A` under `name`.
    pub const fn new<A: NewActor>(name: &'static str) -> Self {
        Self { name, factory: ActorFactory::of::<A> }
    }
}

inventory::collect!(ActorRegistration);

/// Registers an actor type under its module-qualified name (`my_crate::workers::Worker`),
/// so that `create_actor_by_name` can create it (spec §5.3, the Rust form of
/// `"foo.bar.BarActor"`). The type must implement [`NewActor`] (every `Actor + Default` does).
///
/// ```
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// pub struct Worker;
/// impl Actor for Worker {
///     fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress,
///         _: &mut ActorContext<'_>) -> ActorResult { Ok(()) }
/// }
/// thespian::register_actor!(Worker);
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let name = concat!(module_path!(), "::Worker");
/// asys.create_actor_by_name(name)?;
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! register_actor {
    ($ty:ident) => {
        $crate::__private::inventory::submit! {
            $crate::__private::ActorRegistration::new::<$ty>(
                ::core::concat!(::core::module_path!(), "::", ::core::stringify!($ty))
            )
        }
    };
}

/// The actor types of this program, by registered name.
struct ActorRegistry {
    by_name: HashMap<&'static str, ActorFactory>,
    /// Names under which two different types were registered: (name, first type, second type).
    clashes: Vec<(&'static str, &'static str, &'static str)>,
}

impl ActorRegistry {
    /// Every registered actor type, under its registered name and, where that differs (an
    /// `#[actor]` impl block written in another module than the type), its type's own path.
    fn get() -> &'static Self {
        static REGISTRY: OnceLock<ActorRegistry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            let mut registry = ActorRegistry { by_name: HashMap::new(), clashes: Vec::new() };
            for reg in inventory::iter::<ActorRegistration> {
                let factory = (reg.factory)();
                registry.add(reg.name, factory);
                if factory.type_name != reg.name {
                    registry.add(factory.type_name, factory);
                }
            }
            registry
        })
    }

    fn add(&mut self, name: &'static str, factory: ActorFactory) {
        match self.by_name.get(name) {
            Some(first) if first.type_name != factory.type_name => {
                self.clashes.push((name, first.type_name, factory.type_name));
            }
            Some(_) => {}
            None => {
                self.by_name.insert(name, factory);
            }
        }
    }
}

/// Fails if two different actor types were registered under one name, which would make
/// `create_actor_by_name` pick one of them silently.
pub(crate) fn check_unique_actor_names() -> Result<(), ActorSystemError> {
    match ActorRegistry::get().clashes.first() {
        None => Ok(()),
        Some((name, a, b)) => Err(ActorSystemError::ActorSystemStartupFailure {
            reason: format!(
                "the actor types `{a}` and `{b}` are both registered as `{name}`; `create_actor_by_name` \
                 could not tell them apart. Define them in different modules, or rename one"
            ),
        }),
    }
}

/// Looks up a registered actor type by name.
pub(crate) fn factory_by_name(name: &str) -> Result<ActorFactory, ActorSystemError> {
    ActorRegistry::get().by_name.get(name).copied().ok_or_else(|| {
        let reason = if name.contains("::") {
            "no actor type is registered under this name; register it with \
             `thespian::register_actor!(Type)` (or `#[actor]`) next to its definition, and check \
             that the crate defining it is used from code, not only named in Cargo.toml"
        } else {
            "an actor name must be module-qualified, like `my_crate::workers::Worker`"
        };
        ActorSystemError::InvalidActorSpecification { spec: name.to_string(), reason: reason.to_string() }
    })
}

/// What to create: an actor type (or registered name), with optional requirements and
/// global name (spec §5.3, §6.4).
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
/// # #[derive(Default)] struct Registry;
/// # impl Actor for Registry {
/// #     fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress,
/// #         _: &mut ActorContext<'_>) -> ActorResult { Ok(()) }
/// # }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let a = asys.create_actor_with(ActorSpec::of::<Registry>().global_name("registry"))?;
/// let b = asys.create_actor_with(ActorSpec::of::<Registry>().global_name("registry"))?;
/// assert_eq!(a, b);
/// # Ok(()) }
/// ```
#[doc(alias("createActor", "actorClass"))]
#[derive(Debug, Clone)]
pub struct ActorSpec {
    pub(crate) target: ActorTarget,
    pub(crate) requirements: Option<Capabilities>,
    pub(crate) global_name: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum ActorTarget {
    Factory(ActorFactory),
    Name(String),
}

impl ActorSpec {
    /// An actor of type `A`.
    pub fn of<A: NewActor>() -> Self {
        Self::from_target(ActorTarget::Factory(ActorFactory::of::<A>()))
    }

    /// An actor built by `factory`.
    pub fn from_factory(factory: ActorFactory) -> Self {
        Self::from_target(ActorTarget::Factory(factory))
    }

    /// An actor of the type registered as `name` (see [`register_actor!`](crate::register_actor)).
    #[doc(alias = "actorClass")]
    pub fn by_name(name: impl Into<String>) -> Self {
        Self::from_target(ActorTarget::Name(name.into()))
    }

    fn from_target(target: ActorTarget) -> Self {
        Self { target, requirements: None, global_name: None }
    }

    /// Requirements passed to the actor's capability check (spec `targetActorRequirements`).
    #[doc(alias = "targetActorRequirements")]
    #[must_use]
    pub fn requirements(mut self, requirements: Capabilities) -> Self {
        self.requirements = Some(requirements);
        self
    }

    /// Makes it a named actor (spec §4.6): every creation with this name returns the same
    /// running actor, whatever type it names.
    #[doc(alias = "globalName")]
    #[must_use]
    pub fn global_name(mut self, name: impl Into<String>) -> Self {
        self.global_name = Some(name.into());
        self
    }

    pub(crate) fn factory(&self) -> Result<ActorFactory, ActorSystemError> {
        match &self.target {
            ActorTarget::Factory(f) => Ok(*f),
            ActorTarget::Name(name) => factory_by_name(name),
        }
    }
}

/// Sends a message: a convenience so actors can write `ctx.send(addr, msg)` with any message.
pub(crate) fn boxed(msg: impl Message) -> Box<dyn Message> {
    Box::new(msg)
}
