//! Procedural macros for [`thespian`](https://docs.rs/thespian).
//!
//! This crate is an implementation detail: depend on `thespian` and write
//! `use thespian::prelude::*;`, which re-exports every macro defined here. The examples are
//! tested through `thespian`, as users write them. The guide tells the whole story in its
//! chapters *Handlers and routing*, *Capabilities and requirements*, *Troupes* and *Transient
//! actors and initializing messages*; its page *Compile errors and their fixes* lists every
//! mistake the macros report, with the fix.

mod actor;
mod decorators;
mod errors;
mod message;
mod options;

use proc_macro::TokenStream;

/// Makes a type a message: implements `thespian::Message` and registers the type under a
/// name, so that the multi-process bases can decode it.
///
/// The type must also implement `Debug`, `serde::Serialize` and `serde::Deserialize`. It
/// cannot be generic: each message type is registered under one name, so define a concrete
/// type such as `struct IntJob(Job<i64>);`.
///
/// # Options
///
/// - `#[message(name = "stable::Name")]` registers the type under this name instead of its
///   module-qualified name (`my_crate::module::Type`), for example to keep the name when the
///   type moves. Names are unique across the program; the system checks this when it starts.
/// - `#[message(family = Trait)]` makes the message a member of the family `Trait`: a
///   `#[handler(dyn Trait)]` receives it when no handler takes its own type. The type
///   implements `Trait`, a trait with `Message` as supertrait. Repeat `family` for several
///   families, from the most specific to the most general: that is the order in which their
///   handlers are tried.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// /// Messages that greet someone.
/// pub trait Greeting: Message {
///     /// Who is greeted.
///     fn who(&self) -> &str;
/// }
///
/// #[derive(Debug, Serialize, Deserialize, Message)]
/// #[message(name = "greetings::Hello", family = Greeting)]
/// pub struct Hello {
///     pub name: String,
/// }
///
/// impl Greeting for Hello {
///     fn who(&self) -> &str {
///         &self.name
///     }
/// }
///
/// /// Registered as `<this module>::Ping`.
/// #[derive(Debug, Serialize, Deserialize, Message)]
/// pub struct Ping;
///
/// let hello = Hello { name: "Ada".into() };
/// assert_eq!(hello.message_type_name(), "greetings::Hello");
/// assert_eq!(hello.message_families()[0].name(), "Greeting");
/// assert!(Ping.message_type_name().ends_with("::Ping"));
/// ```
#[proc_macro_derive(Message, attributes(message))]
pub fn derive_message(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    message::expand(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Makes a type an actor whose messages are routed by type: Thespian's
/// `ActorTypeDispatcher` (spec §5.17).
///
/// Put `#[actor]` on the type's inherent `impl` block. It implements `thespian::Actor` for the
/// type (there is no `receive_message` to write) and registers the type under its
/// module-qualified name, so that `create_actor_by_name("my_crate::module::Greeter")` creates
/// it. The type cannot be generic; write `impl Actor` by hand for a generic actor.
///
/// # Handlers
///
/// A method marked [`#[handler(T)]`](macro@handler) handles the messages of type `T`, or, with
/// `#[handler(dyn Family)]`, every member of a message family (see
/// [`#[derive(Message)]`](derive@Message)). Its parameters come in this order; the names are
/// free:
///
/// 1. `&mut self`, or `&self`;
/// 2. the message: `msg: &T` or `msg: &mut T` (`&dyn Family`, `&mut dyn Family`);
/// 3. optionally the sender, `sender: &ActorAddress`;
/// 4. optionally the context, `ctx: &mut ActorContext<'_>`.
///
/// It returns `()`, `Dispatch`, `ThespianWatch` (spec §5.2.1: handled, and watch these file
/// descriptors until the next message), or a `Result<_, E>` of one of these, where `E` converts
/// into `ActorError`. An `Err` is a failure, like a panic: the message is given to the
/// handler once more, then goes back to its sender as a `PoisonMessage`.
///
/// A message is offered along its chain: its own type, then its families in the order its
/// `#[message(family = ..)]` lists them. For each link, the actor's handler runs, else its
/// base's (see `base` below). A handler that returns `Dispatch::Super` hands the message on,
/// as if it had no handler for that link. A message no handler takes goes to the
/// [`#[unrecognized]`](macro@unrecognized) method, or, without one, is dropped (logged at the
/// debug level; a number dropped while the actor handles another width, such as an `i32` sent
/// to an `i64` handler, is also warned about once per actor type and message type). One type has one handler; handlers under different `#[cfg]`s are
/// alternatives, and a handler compiled out is not routed to.
///
/// # Options
///
/// - `#[actor(new = path)]` names the constructor, for a type that does not derive `Default`
///   (a type has one or the other). The function takes nothing, or an `&ActorStart<'_>` with
///   the system's capabilities and the creator's requirements, and returns the actor or a
///   `Result` of it; an `Err` makes the actor non-startable.
/// - `#[actor(base = field)]` makes a derived actor, the Rust form of an actor class that
///   extends another (spec §5.17.1). `field` holds the base, itself an `#[actor]` type. For
///   each link of a message's chain the derived actor's handler runs first, then the base's;
///   the base's `#[unrecognized]` serves unless the derived actor has its own; and the base's
///   capability requirements apply to the derived actor too.
///
/// Both may be given: `#[actor(new = Self::build, base = inner)]`.
///
/// # Capabilities
///
/// The actor's `Actor::capability_check` (spec §5.12) requires every
/// [`#[require_capability]`](macro@require_capability), then the base's check, then a
/// function of the block with this exact signature, if there is one:
///
/// ```text
/// fn actor_system_capability_check(capabilities: &Capabilities, requirements: Option<&Capabilities>) -> bool
/// ```
///
/// The decorators [`#[troupe]`](macro@troupe), [`#[transient]`](macro@transient),
/// [`#[transient_idle]`](macro@transient_idle) and
/// [`#[initializing_messages]`](macro@initializing_messages) go above or below `#[actor]`.
///
/// # Examples
///
/// Handlers, a fallback, and creation by type and by name:
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// pub struct Greeter {
///     greeted: u32,
/// }
///
/// #[actor]
/// impl Greeter {
///     #[handler(String)]
///     fn on_name(&mut self, name: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         self.greeted += 1;
///         ctx.send(sender, format!("Hello, {name}!"));
///     }
///
///     #[handler(u32)]
///     fn on_count(&self, _msg: &u32, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         ctx.send(sender, self.greeted);
///     }
///
///     #[unrecognized]
///     fn other(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         if !msg.is_system_message() {
///             ctx.send(sender, format!("what is a {}?", msg.message_type_name()));
///         }
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let wait = Duration::from_secs(1);
/// let asys = ActorSystem::new()?;
/// let greeter = asys.create_actor::<Greeter>()?;
/// let hello: Option<String> = asys.ask_as(&greeter, "Ada".to_string(), wait)?;
/// assert_eq!(hello.as_deref(), Some("Hello, Ada!"));
/// assert_eq!(asys.ask_as::<u32>(&greeter, 0_u32, wait)?, Some(1));
/// assert_eq!(asys.ask_as::<String>(&greeter, 'x', wait)?.as_deref(), Some("what is a char?"));
///
/// let by_name = asys.create_actor_by_name(concat!(module_path!(), "::Greeter"))?;
/// assert!(asys.ask_as::<String>(&by_name, "Grace".to_string(), wait)?.is_some());
/// # asys.shutdown() }
/// ```
///
/// A derived actor with its own constructor, deferring to its base with `Dispatch::Super`:
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Echo;
///
/// #[actor]
/// impl Echo {
///     #[handler(String)]
///     fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         ctx.send(sender, msg.clone());
///     }
/// }
///
/// struct Polite {
///     echo: Echo,
///     secret: String,
/// }
///
/// impl Polite {
///     fn new() -> Self {
///         Polite { echo: Echo, secret: "password".into() }
///     }
/// }
///
/// #[actor(new = Polite::new, base = echo)]
/// impl Polite {
///     #[handler(String)]
///     fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Dispatch {
///         if *msg == self.secret {
///             ctx.send(sender, "***".to_string());
///             return Dispatch::Handled;
///         }
///         Dispatch::Super // Echo's handler answers
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let polite = asys.create_actor::<Polite>()?;
/// let ask = |text: &str| asys.ask_as::<String>(&polite, text.to_string(), Duration::from_secs(1));
/// assert_eq!(ask("hello")?.as_deref(), Some("hello"));
/// assert_eq!(ask("password")?.as_deref(), Some("***"));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn actor(args: TokenStream, item: TokenStream) -> TokenStream {
    actor::expand(args.into(), item.into()).into()
}

/// Marks a method of an [`#[actor]`](macro@actor) impl block as the handler of messages of
/// type `T`: `#[handler(T)]`, or `#[handler(dyn Family)]` for every member of a message
/// family.
///
/// The method takes `&mut self` (or `&self`), the message as `&T` or `&mut T`, then
/// optionally `sender: &ActorAddress`, then optionally `ctx: &mut ActorContext<'_>`. It
/// returns `()`, `Dispatch` (`Dispatch::Super` hands the message on to the next handler in
/// line), `ThespianWatch` (watch file descriptors until the next message, spec §5.2.1), or a
/// `Result<_, E>` of one of these with `E` converting into `ActorError`. See
/// [`#[actor]`](macro@actor) for the order in which handlers are tried.
///
/// A family handler names the trait alone: `#[handler(dyn Family)]`, not
/// `#[handler(dyn Family + Send)]`. `#[actor]` removes the attribute; anywhere else it is an
/// error.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// /// Messages that carry a price.
/// pub trait Priced: Message {
///     fn cents(&self) -> u64;
/// }
///
/// #[derive(Debug, Serialize, Deserialize, Message)]
/// #[message(family = Priced)]
/// pub struct Apple;
///
/// impl Priced for Apple {
///     fn cents(&self) -> u64 {
///         40
///     }
/// }
///
/// #[derive(Default)]
/// struct Till {
///     total: u64,
/// }
///
/// #[actor]
/// impl Till {
///     #[handler(dyn Priced)]
///     fn on_item(&mut self, item: &dyn Priced) {
///         self.total += item.cents();
///     }
///
///     #[handler(String)]
///     fn on_total(&self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) -> Result<(), ActorError> {
///         ctx.send(sender, self.total);
///         Ok(())
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let till = asys.create_actor::<Till>()?;
/// asys.tell(&till, Apple)?;
/// asys.tell(&till, Apple)?;
/// assert_eq!(asys.ask_as::<u64>(&till, "total".to_string(), Duration::from_secs(1))?, Some(80));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn handler(_args: TokenStream, item: TokenStream) -> TokenStream {
    outside_actor("handler", item.into()).into()
}

/// Marks the fallback method of an [`#[actor]`](macro@actor) impl block: it receives every
/// message that no `#[handler]` takes (spec §5.17.2), including system messages such as
/// `ActorExitRequest` that the actor has no handler for.
///
/// The method takes `&mut self` (or `&self`), the message as `&dyn Message` or
/// `&mut dyn Message`, then optionally the sender and the context, and returns what a
/// handler returns. An actor has at most one; a derived actor without one uses its base's.
/// `#[actor]` removes the attribute; anywhere else it is an error.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Picky;
///
/// #[actor]
/// impl Picky {
///     #[handler(String)]
///     fn on_text(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         ctx.send(sender, "thanks".to_string());
///     }
///
///     #[unrecognized]
///     fn other(&mut self, msg: &dyn Message, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         if !msg.is_system_message() {
///             ctx.send(sender, format!("no {}, thanks", msg.message_type_name()));
///         }
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let picky = asys.create_actor::<Picky>()?;
/// let reply: Option<String> = asys.ask_as(&picky, 1.5_f64, Duration::from_secs(1))?;
/// assert_eq!(reply.as_deref(), Some("no f64, thanks"));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn unrecognized(_args: TokenStream, item: TokenStream) -> TokenStream {
    outside_actor("unrecognized", item.into()).into()
}

/// The error for a marker attribute used where `#[actor]` did not remove it.
fn outside_actor(marker: &str, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let message = format!(
        "`#[{marker}]` only works on a method inside an `#[actor]` impl block; add `#[actor]` above the `impl` block"
    );
    let error = syn::Error::new(proc_macro2::Span::call_site(), message).into_compile_error();
    quote::quote!(#item #error)
}

/// Requires a capability of the system an [`#[actor]`](macro@actor) runs in (spec §5.12.1).
/// Put it above or below `#[actor]`:
///
/// - `#[require_capability("Name")]`: the capability is present and truthy (not `false`,
///   `0`, `0.0`, `""`, empty, or `None`);
/// - `#[require_capability("Name", value)]`: the capability equals `value`, a literal: a
///   string, `true`/`false`, an integer (`CapValue::Int`, any `i64`, whatever its suffix) or a
///   float (`CapValue::Float`; `1.5f32` is `1.5`). An integer is not equal to a float.
///
/// Repeat it for several requirements: all must hold. They make the actor's
/// `Actor::capability_check`, with the base's requirements and the block's
/// `actor_system_capability_check`, if any (see [`#[actor]`](macro@actor)). A base that
/// checks capabilities (on the simple base: `ActorSystem::builder().check_capabilities(true)`)
/// refuses to create the actor where the check fails, with `NoCompatibleSystemForActor`.
///
/// # Examples
///
/// ```
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Lamp;
///
/// #[require_capability("Has Lightbulb")]
/// #[require_capability("Color", "Yellow")]
/// #[actor]
/// impl Lamp {}
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let mut caps = Capabilities::new();
/// caps.insert("Has Lightbulb", 1);
/// assert!(<Lamp as Actor>::capability_check(&caps, None).is_err());
/// caps.insert("Color", "Yellow");
/// assert_eq!(<Lamp as Actor>::capability_check(&caps, None), Ok(()));
///
/// let dark = ActorSystem::builder().check_capabilities(true).logging(Logging::Off).build()?;
/// assert!(matches!(
///     dark.create_actor::<Lamp>(),
///     Err(ActorSystemError::NoCompatibleSystemForActor { .. })
/// ));
/// # dark.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn require_capability(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("require_capability", args.into(), item.into()).into()
}

/// Makes an [`#[actor]`](macro@actor) a troupe (spec §4.9, §8.1): several instances of the
/// actor behind one address, each message handled by one of them.
///
/// `#[troupe(max_count = 10, idle_count = 2)]`, above or below `#[actor]`. `max_count` is the
/// most workers the troupe may have (at least 1; 10 by default); `idle_count` is how many
/// workers are kept when there is no work (at most `max_count`; 2 by default, or
/// `max_count` if smaller). A bare `#[troupe]` takes both defaults.
///
/// The first instance created is the troupe's manager: it hands each message to an idle
/// worker, creates one (up to `max_count`), or queues the message. Workers receive the
/// original message and sender, so their answers go straight back. A worker that finishes its
/// work in a later handler (after an answer or a wakeup) calls
/// `ctx.set_troupe_work_in_progress(true)`, then `false` when done, and is given no new work
/// in between. The manager answers `thespian::patterns::TroupeStatusReq` with a
/// `TroupeStatus`. A troupe cannot also be transient or have initializing messages.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::patterns::{TroupeStatus, TroupeStatusReq};
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Squarer;
///
/// #[troupe]
/// #[actor]
/// impl Squarer {
///     #[handler(u64)]
///     fn on_number(&mut self, n: &u64, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         ctx.send(sender, n * n);
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let wait = Duration::from_secs(1);
/// let asys = ActorSystem::new()?;
/// let squarer = asys.create_actor::<Squarer>()?;
/// assert_eq!(asys.ask_as::<u64>(&squarer, 7_u64, wait)?, Some(49));
/// let status: TroupeStatus = asys.ask_as(&squarer, TroupeStatusReq, wait)?.expect("an answer");
/// assert_eq!((status.max_count, status.idle_count), (10, 2));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn troupe(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("troupe", args.into(), item.into()).into()
}

/// Makes an [`#[actor]`](macro@actor) exit by itself a set time after its **first** message
/// (spec §8.2).
///
/// `#[transient(secs = 3, millis = 250)]`, above or below `#[actor]`: `secs` and `millis` are
/// integer literals, either or both, and add up; a bare `#[transient]` waits 10 seconds. When
/// the time is up the actor sends itself an `ActorExitRequest` and exits as any actor does. An
/// actor that never receives a message never exits. See also
/// [`#[transient_idle]`](macro@transient_idle).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Session;
///
/// #[transient(secs = 30)]
/// #[actor]
/// impl Session {
///     #[handler(String)]
///     fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         ctx.send(sender, msg.len());
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let session = asys.create_actor::<Session>()?; // gone 30 s after this first message:
/// assert_eq!(asys.ask_as::<usize>(&session, "hi".to_string(), Duration::from_secs(1))?, Some(2));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn transient(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("transient", args.into(), item.into()).into()
}

/// Makes an [`#[actor]`](macro@actor) exit by itself a set time after its **last** message
/// (spec §8.2): every message except system messages restarts the clock.
///
/// `#[transient_idle(secs = 3, millis = 250)]`, above or below `#[actor]`: `secs` and `millis`
/// are integer literals, either or both, and add up; a bare `#[transient_idle]` waits 10
/// seconds. See also [`#[transient]`](macro@transient).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::prelude::*;
///
/// #[derive(Default)]
/// struct Cache {
///     last: Option<String>,
/// }
///
/// #[transient_idle(millis = 500)]
/// #[actor]
/// impl Cache {
///     #[handler(String)]
///     fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         if let Some(last) = self.last.replace(msg.clone()) {
///             ctx.send(sender, last);
///         }
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let wait = Duration::from_secs(1);
/// let asys = ActorSystem::new()?;
/// let cache = asys.create_actor::<Cache>()?;
/// asys.tell(&cache, "first".to_string())?;
/// assert_eq!(asys.ask_as::<String>(&cache, "second".to_string(), wait)?.as_deref(), Some("first"));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn transient_idle(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("transient_idle", args.into(), item.into()).into()
}

/// Holds an [`#[actor]`](macro@actor)'s other messages until one of each initializing
/// message has arrived.
///
/// `#[initializing_messages(config: Config, peer: Hello, done = on_ready)]`, above or below
/// `#[actor]`, lists the fields to fill and the message type each receives; each field is
/// declared as `config: Option<thespian::patterns::Init<Config>>` (the message, cloned, and
/// its sender). Once every field is filled, the optional `done` method runs
/// (`fn on_ready(&mut self, ctx: &mut ActorContext<'_>)`, returning what a handler may
/// return), then the held messages are delivered in the order they arrived, each with its
/// own sender. Until then, an initializing message is stored, not handled (a second one of a
/// type replaces the first); afterwards, every message goes to the handlers as usual. System
/// messages are never held. It combines with [`#[transient]`](macro@transient), not with
/// [`#[troupe]`](macro@troupe).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use thespian::patterns::Init;
/// use thespian::prelude::*;
///
/// #[derive(Debug, Clone, Serialize, Deserialize, Message)]
/// struct Config {
///     greeting: String,
/// }
///
/// #[derive(Default)]
/// struct Greeter {
///     config: Option<Init<Config>>,
/// }
///
/// #[initializing_messages(config: Config)]
/// #[actor]
/// impl Greeter {
///     #[handler(String)]
///     fn greet(&mut self, name: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
///         let greeting = self.config.as_ref().map_or("", |c| c.message.greeting.as_str());
///         ctx.send(sender, format!("{greeting}, {name}"));
///     }
/// }
///
/// # fn main() -> Result<(), ActorSystemError> {
/// let asys = ActorSystem::new()?;
/// let greeter = asys.create_actor::<Greeter>()?;
/// asys.tell(&greeter, "Ada".to_string())?; // held: no `Config` yet
/// asys.tell(&greeter, Config { greeting: "Hello".into() })?;
/// assert_eq!(asys.listen_as::<String>(Duration::from_secs(1))?.as_deref(), Some("Hello, Ada"));
/// # asys.shutdown() }
/// ```
#[proc_macro_attribute]
pub fn initializing_messages(args: TokenStream, item: TokenStream) -> TokenStream {
    decorators::reattach("initializing_messages", args.into(), item.into()).into()
}
