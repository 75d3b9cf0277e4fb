//! The wire encoding of DESIGN §3, through the public `thespian::wire` module: every message
//! type registered in the program (system messages, those of `thespian::patterns`, the
//! built-in ones, checked against the registry) and user messages survive encoding; nested
//! messages travel as (type name, bytes); hostile input gives errors, never panics or stack
//! overflows.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::TestResult;
use thespian::__private::{inventory, MessageRegistration};
use thespian::patterns::{TroupeSettings, TroupeStatus, TroupeStatusReq, UpdateTroupeSettings};
use thespian::prelude::*;
use thespian::wire::{self, nested::MAX_NESTING, WireEnvelope, WireError, MAX_FRAME_SIZE};
use thespian::{
    ActorSystemConventionUpdate, Capabilities, LoadedSource, UndecodedMessage, UnloadedSource, ValidateSource,
    ValidatedSource, WatchMessage,
};

type Error = Box<dyn std::error::Error>;

// ----- a user message ---------------------------------------------------------------------

/// A user message with a bit of everything serde can carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Order {
    id: u64,
    item: String,
    quantity: i32,
    price: f64,
    tags: Vec<String>,
    from: ActorAddress,
    note: Option<String>,
    kind: Kind,
}

/// A plain serde enum inside a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kind {
    Plain,
    Gift(String),
    Bulk { pallets: u16 },
}

/// Does nothing; there to be asked for its status.
#[derive(Default)]
struct Idle;

impl Actor for Idle {
    fn receive_message(&mut self, _: &mut dyn Message, _: &ActorAddress, _: &mut ActorContext<'_>) -> ActorResult {
        Ok(())
    }
}

/// A running system, for real addresses and real status messages.
struct Fixture {
    asys: ActorSystem,
    actor: ActorAddress,
}

impl Fixture {
    fn new() -> Result<Self, Error> {
        let asys = common::system("simpleSystemBase");
        let actor = asys.create_actor::<Idle>()?;
        Ok(Self { asys, actor })
    }

    fn order(&self) -> Order {
        Order {
            id: u64::MAX - 7,
            item: "widgets — ünïcödé ✓".to_string(),
            quantity: -12,
            price: 1234.5e-3,
            tags: vec!["a".to_string(), String::new(), "c".repeat(300)],
            from: self.actor.clone(),
            note: Some("fragile".to_string()),
            kind: Kind::Bulk { pallets: 40_000 },
        }
    }
}

// ----- helpers ----------------------------------------------------------------------------

/// Sends `msg` through a whole frame: envelope, frame bytes, envelope again, message.
fn through_frame(msg: &dyn Message, target: &ActorAddress, sender: &ActorAddress) -> Result<Box<dyn Message>, Error> {
    let envelope = WireEnvelope::new(target.clone(), sender.clone(), msg)?;
    // An undecoded message travels as the message it stands for.
    let expected = msg.downcast_ref::<UndecodedMessage>().map_or(msg.message_type_name(), |u| u.type_name.as_str());
    assert_eq!(envelope.type_name, expected);
    let frame = envelope.to_frame()?;
    let read = WireEnvelope::from_frame(&frame)?;
    assert_eq!(read, envelope, "the envelope survives its frame");
    assert_eq!(&read.target, target);
    assert_eq!(&read.sender, sender);
    Ok(read.open()?)
}

/// Checks that `msg` comes back equal (same type, same `Debug` text) both through
/// `wire::round_trip` and through a frame.
fn assert_round_trips(fx: &Fixture, msg: &dyn Message) -> TestResult {
    let direct = wire::round_trip(msg)?;
    let framed = through_frame(msg, &fx.actor, fx.asys.my_address())?;
    for back in [direct, framed] {
        assert_eq!(back.message_type_name(), msg.message_type_name());
        assert_eq!(back.is_system_message(), msg.is_system_message());
        assert_eq!(format!("{back:?}"), format!("{msg:?}"));
    }
    Ok(())
}

/// Checks that a value of a concrete type comes back equal through both paths.
fn assert_value_round_trips<T: Message + PartialEq>(fx: &Fixture, value: T) -> TestResult {
    let direct = wire::round_trip(&value)?;
    let framed = through_frame(&value, &fx.actor, &fx.actor)?;
    for back in [direct, framed] {
        let back = back.downcast_ref::<T>().ok_or_else(|| format!("{value:?} came back as {back:?}"))?;
        assert!(back == &value, "{value:?} came back as {back:?}");
    }
    Ok(())
}

/// The LEB128 varint postcard writes for lengths.
fn varint(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// A length-prefixed block: how postcard writes strings and byte strings.
fn block(bytes: &[u8]) -> Vec<u8> {
    [varint(bytes.len()), bytes.to_vec()].concat()
}

const POISON: &str = "thespian::PoisonMessage";

/// The body of a `PoisonMessage` nested `depth` deep around the `String` "core", written
/// by hand (and in linear time, so that very deep ones are cheap to build).
fn nested_poison_body(depth: usize) -> Vec<u8> {
    let core = block(b"core");
    let details = block(b"d");
    // Inside out: the length of the body at each level.
    let mut lengths = vec![core.len()];
    for level in 0..depth {
        let name = if level == 0 { "String" } else { POISON };
        let inner = lengths[level];
        lengths.push(block(name.as_bytes()).len() + varint(inner).len() + inner + details.len());
    }
    let mut out = Vec::with_capacity(lengths[depth]);
    for level in (0..depth).rev() {
        let name = if level == 0 { "String" } else { POISON };
        out.extend(block(name.as_bytes()));
        out.extend(varint(lengths[level]));
    }
    out.extend(&core);
    for _ in 0..depth {
        out.extend(&details);
    }
    out
}

/// A fixed-seed linear congruential generator: repeatable "random" bytes.
struct Lcg(u64);

impl Lcg {
    fn next_u8(&mut self) -> u8 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u8
    }

    fn below(&mut self, n: usize) -> usize {
        (usize::from(self.next_u8()) << 8 | usize::from(self.next_u8())) % n
    }
}

fn is_malformed<T>(result: &Result<T, WireError>) -> bool {
    matches!(result, Err(WireError::Malformed { .. }))
}

// ----- round trips ------------------------------------------------------------------------

/// One value of every system message type (spec §7), from a running system where the
/// message carries an address or a status.
fn system_messages(fx: &Fixture) -> Result<Vec<Box<dyn Message>>, Error> {
    let mut caps = Capabilities::new();
    caps.insert("Null", CapValue::Null);
    caps.insert("Bool", false);
    caps.insert("Int", -3);
    caps.insert("Float", 2.5);
    caps.insert("Str", "text");
    caps.insert("List", vec![CapValue::Int(1), CapValue::Str("two".into()), CapValue::List(vec![])]);
    caps.insert(
        "Map",
        [("k".to_string(), CapValue::Bool(true))].into_iter().collect::<std::collections::BTreeMap<_, _>>(),
    );
    // The bundle is written as one block of bytes: "h1", Some, 3 bytes.
    let validated = wire::decode_message("thespian::ValidatedSource", &[2, b'h', b'1', 1, 3, 9, 8, 7])?;
    let system_status = fx.asys.status()?;
    let actor_status: ThespianActorStatus =
        fx.asys.ask_as(&fx.actor, ThespianStatusReq, common::ANSWER)?.ok_or("no actor status")?;
    Ok(vec![
        Box::new(PoisonMessage { poison_message: Box::new(fx.order()), details: "panic: boom".to_string() }),
        Box::new(WakeupMessage { delay_period: Duration::new(3, 141_592_653), payload: Box::new("tick".to_string()) }),
        Box::new(WakeupMessage { delay_period: Duration::ZERO, payload: Box::new(()) }),
        Box::new(WatchMessage { ready: vec![0, 7, i32::MAX] }),
        Box::new(ActorExitRequest::new()),
        Box::new(ActorExitRequest { is_recursive: false }),
        Box::new(ChildActorExited { child_address: fx.actor.clone() }),
        Box::new(DeadEnvelope { dead_address: fx.actor.clone(), dead_message: Box::new(42_u64) }),
        Box::new(ActorSystemConventionUpdate {
            remote_admin_address: fx.asys.admin_address(),
            remote_capabilities: caps,
            remote_added: true,
        }),
        Box::new(ValidateSource { source_hash: "abc123".to_string(), source_data: (0..=255).collect() }),
        validated,
        Box::new(ValidatedSource { source_hash: "rejected".to_string(), source_zip: None }),
        Box::new(LoadedSource { source_hash: "abc123".to_string(), source_info: "v1".to_string() }),
        Box::new(UnloadedSource { source_hash: "abc123".to_string(), source_info: "v1".to_string() }),
        Box::new(ThespianStatusReq),
        Box::new(system_status),
        Box::new(actor_status),
        Box::new(UndecodedMessage { type_name: "elsewhere::Thing".to_string(), bytes: vec![1, 2, 3] }),
    ])
}

/// Decodes a message of a type private to the library from bytes written by hand, checking
/// that the library writes the same bytes for it.
fn from_bytes(type_name: &str, bytes: &[u8]) -> Result<Box<dyn Message>, Error> {
    let msg = wire::decode_message(type_name, bytes)?;
    assert_eq!(msg.message_type_name(), type_name);
    assert_eq!(wire::encode_message(msg.as_ref())?, bytes, "{type_name} is written as it was read");
    Ok(msg)
}

/// A message, and whether it is a system message.
type Flagged = (Box<dyn Message>, bool);

/// One value of every message type of `thespian::patterns` (troupes, transient actors), and
/// whether it is a system message. The library's private ones are built from their bytes.
fn pattern_messages(fx: &Fixture) -> Result<Vec<Flagged>, Error> {
    // A message holding only an address is written as that address.
    let address = wire::encode_message(&ChildActorExited { child_address: fx.actor.clone() })?;
    let work = [address.clone(), block(b"String"), block(&block(b"the work"))].concat();
    Ok(vec![
        (Box::new(UpdateTroupeSettings { max_count: Some(4), idle_count: None }), false),
        (Box::new(UpdateTroupeSettings::default()), false),
        (Box::new(TroupeSettings { max_count: 4, idle_count: 1 }), false),
        (Box::new(TroupeStatusReq), false),
        (Box::new(TroupeStatus { max_count: 4, idle_count: 1, workers: 3, busy: 1, idle: 2, pending: 9 }), false),
        (from_bytes("thespian::patterns::TroupeWork", &work)?, false),
        (from_bytes("thespian::patterns::TroupeJoin", &address)?, true),
        (from_bytes("thespian::patterns::TroupeJoined", &[])?, true),
        (from_bytes("thespian::patterns::TroupeReady", &[])?, true),
        (from_bytes("thespian::patterns::TroupeTrim", &[])?, true),
        (from_bytes("thespian::patterns::TransientExpiry", &[])?, true),
    ])
}

/// One value of every message type that is built in (spec §1.1: plain values are messages).
fn builtin_messages(fx: &Fixture) -> Vec<Box<dyn Message>> {
    vec![
        Box::new(fx.actor.clone()),
        Box::new("text".to_string()),
        Box::new(true),
        Box::new('c'),
        Box::new(-8_i8),
        Box::new(-16_i16),
        Box::new(-32_i32),
        Box::new(-64_i64),
        Box::new(-128_i128),
        Box::new(-1_isize),
        Box::new(8_u8),
        Box::new(16_u16),
        Box::new(32_u32),
        Box::new(64_u64),
        Box::new(128_u128),
        Box::new(1_usize),
        Box::new(0.5_f32),
        Box::new(0.25_f64),
        Box::new(()),
        Box::new(vec![1_u8, 2, 3]),
    ]
}

/// The names every message type of this program is registered under, read from the
/// registry that `#[derive(Message)]` fills (the names are private fields, so from the
/// registration's `Debug` text).
fn registered_names() -> Result<BTreeSet<String>, Error> {
    let mut names = BTreeSet::new();
    for registration in inventory::iter::<MessageRegistration> {
        let text = format!("{registration:?}");
        let name = text
            .split_once("name: \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(name, _)| name.to_string())
            .ok_or_else(|| format!("no name in the registration {text}"))?;
        names.insert(name);
    }
    Ok(names)
}

fn names_of<'a>(messages: impl IntoIterator<Item = &'a Box<dyn Message>>) -> BTreeSet<String> {
    messages.into_iter().map(|msg| msg.message_type_name().to_string()).collect()
}

#[test]
fn design_3_wire_round_trip_system_messages() -> TestResult {
    let fx = Fixture::new()?;
    assert_eq!(
        wire::encode_message(&ValidatedSource { source_hash: "h1".to_string(), source_zip: Some(vec![9, 8, 7]) })?,
        [2, b'h', b'1', 1, 3, 9, 8, 7]
    );
    let messages = system_messages(&fx)?;
    for msg in &messages {
        assert!(msg.is_system_message(), "{} is a system message", msg.message_type_name());
        assert_round_trips(&fx, msg.as_ref())?;
    }
    let validated = messages[10].downcast_ref::<ValidatedSource>().ok_or("not a ValidatedSource")?;
    assert_eq!(validated.source_zip.as_deref().map(|z| z.to_vec()), Some(vec![9, 8, 7]));
    Ok(())
}

#[test]
fn design_3_wire_round_trip_pattern_messages() -> TestResult {
    let fx = Fixture::new()?;
    for (msg, system) in pattern_messages(&fx)? {
        let name = msg.message_type_name();
        assert!(name.starts_with("thespian::patterns::"), "{name}");
        assert_eq!(msg.is_system_message(), system, "{name} is a system message: {system}");
        assert_round_trips(&fx, msg.as_ref())?;
    }
    Ok(())
}

/// Fails, naming them, if the registered names and those round-tripped differ.
fn assert_same_names(what: &str, registered: &BTreeSet<String>, round_tripped: &BTreeSet<String>) -> TestResult {
    let missing: Vec<&String> = registered.difference(round_tripped).collect();
    let unknown: Vec<&String> = round_tripped.difference(registered).collect();
    if missing.is_empty() && unknown.is_empty() {
        return Ok(());
    }
    Err(format!("{what}: registered but not round-tripped {missing:?}; round-tripped but not registered {unknown:?}")
        .into())
}

#[test]
fn design_3_wire_every_registered_message_type_is_round_tripped() -> TestResult {
    let fx = Fixture::new()?;
    let registered = registered_names()?;
    // `thespian::ActorAddress` is a built-in message under the library's prefix.
    let (library, others): (BTreeSet<String>, BTreeSet<String>) =
        registered.into_iter().partition(|name| name.starts_with("thespian::") && name != "thespian::ActorAddress");
    let (own, builtin): (BTreeSet<String>, BTreeSet<String>) =
        others.into_iter().partition(|name| name.starts_with("wire::"));
    // Every message type of the library is in the lists the round-trip tests use ...
    let patterns = pattern_messages(&fx)?;
    let round_tripped = names_of(system_messages(&fx)?.iter().chain(patterns.iter().map(|(msg, _)| msg)));
    assert_same_names("the library's message types", &library, &round_tripped)?;
    // ... so is every built-in one, and the rest are this test's own.
    assert_same_names("the built-in message types", &builtin, &names_of(&builtin_messages(&fx)))?;
    assert!(own.contains("wire::Order"), "this test's own types are registered too: {own:?}");
    for msg in builtin_messages(&fx) {
        assert_round_trips(&fx, msg.as_ref())?;
    }
    Ok(())
}

#[test]
fn spec_1_2_address_is_a_message_that_round_trips() -> TestResult {
    let fx = Fixture::new()?;
    let addr = fx.actor.clone();
    assert_eq!(addr.message_type_name(), "thespian::ActorAddress");
    assert!(!addr.is_system_message());
    assert_value_round_trips(&fx, addr)?;
    assert_value_round_trips(&fx, fx.asys.my_address().clone())?;
    Ok(())
}

#[test]
fn design_3_wire_round_trip_builtin_messages() -> TestResult {
    let fx = Fixture::new()?;
    for s in ["", "plain", "ünïcödé — ✓ 🦀", &"long".repeat(1000)] {
        assert_value_round_trips(&fx, s.to_string())?;
    }
    for v in [i8::MIN, -1, 0, i8::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [i16::MIN, -1, 0, i16::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [i32::MIN, -1, 0, i32::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [i64::MIN, -1, 0, i64::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [i128::MIN, -1, 0, i128::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [isize::MIN, -1, 0, isize::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0, 1, u8::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0, 1, u16::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0, 1, u32::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0, 1, u64::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0, 1, u128::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0, 1, usize::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [0.0_f32, -0.0, 1.5, f32::MIN_POSITIVE, f32::MAX, f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
        let back = wire::round_trip(&v)?;
        let back = back.downcast_ref::<f32>().ok_or("f32 came back as another type")?;
        assert_eq!(back.to_bits(), v.to_bits(), "{v:?}");
        let framed = through_frame(&v, &fx.actor, &fx.actor)?;
        assert_eq!(framed.downcast_ref::<f32>().map(|f| f.to_bits()), Some(v.to_bits()), "{v:?} in a frame");
    }
    for v in [0.0_f64, -0.0, 1.0 / 3.0, f64::MIN_POSITIVE, f64::MAX, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        let back = wire::round_trip(&v)?;
        let back = back.downcast_ref::<f64>().ok_or("f64 came back as another type")?;
        assert_eq!(back.to_bits(), v.to_bits(), "{v:?}");
        let framed = through_frame(&v, &fx.actor, &fx.actor)?;
        assert_eq!(framed.downcast_ref::<f64>().map(|f| f.to_bits()), Some(v.to_bits()), "{v:?} in a frame");
    }
    for v in [true, false] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in ['a', 'é', '✓', '🦀', '\0', char::MAX] {
        assert_value_round_trips(&fx, v)?;
    }
    for v in [Vec::new(), vec![0_u8], (0..=255).collect::<Vec<u8>>(), vec![0xAB; 70_000]] {
        assert_value_round_trips(&fx, v)?;
    }
    assert_value_round_trips(&fx, ())?;
    Ok(())
}

#[test]
fn design_3_wire_round_trip_user_message() -> TestResult {
    let fx = Fixture::new()?;
    let order = fx.order();
    assert_eq!(order.message_type_name(), "wire::Order", "registered under its module-qualified name");
    assert!(!order.is_system_message());
    assert_value_round_trips(&fx, order.clone())?;
    for kind in [Kind::Plain, Kind::Gift("bow".to_string())] {
        assert_value_round_trips(&fx, Order { kind, note: None, tags: Vec::new(), ..order.clone() })?;
    }
    // The address inside the message is the same address after the trip.
    let back = wire::round_trip(&order)?;
    let back = back.downcast_ref::<Order>().ok_or("not an Order")?;
    assert_eq!(back.from, fx.actor);
    Ok(())
}

#[test]
fn design_3_wire_nested_messages_survive() -> TestResult {
    let fx = Fixture::new()?;
    let order = fx.order();
    let nested = PoisonMessage {
        poison_message: Box::new(DeadEnvelope {
            dead_address: fx.actor.clone(),
            dead_message: Box::new(order.clone()),
        }),
        details: "error: twice".to_string(),
    };
    for back in [wire::round_trip(&nested)?, through_frame(&nested, &fx.actor, fx.asys.my_address())?] {
        let poison = back.downcast_ref::<PoisonMessage>().ok_or("not a PoisonMessage")?;
        assert_eq!(poison.details, "error: twice");
        let dead = poison.poison_message.downcast_ref::<DeadEnvelope>().ok_or("not a DeadEnvelope inside")?;
        assert_eq!(dead.dead_address, fx.actor);
        assert_eq!(dead.dead_message.downcast_ref::<Order>(), Some(&order));
    }
    let wakeup = WakeupMessage {
        delay_period: Duration::from_millis(5),
        payload: Box::new(PoisonMessage { poison_message: Box::new(vec![1_u8, 2, 3]), details: String::new() }),
    };
    let back = wire::round_trip(&wakeup)?;
    let back = back.downcast_ref::<WakeupMessage>().ok_or("not a WakeupMessage")?;
    let inner = back.payload_as::<PoisonMessage>().ok_or("not a PoisonMessage payload")?;
    assert_eq!(inner.poison_message.downcast_ref::<Vec<u8>>(), Some(&vec![1, 2, 3]));
    // The hand-written nesting used by the tests below is the encoding the library writes.
    let three = PoisonMessage {
        poison_message: Box::new(PoisonMessage {
            poison_message: Box::new(PoisonMessage {
                poison_message: Box::new("core".to_string()),
                details: "d".into(),
            }),
            details: "d".into(),
        }),
        details: "d".into(),
    };
    assert_eq!(wire::encode_message(&three)?, nested_poison_body(3));
    Ok(())
}

#[test]
fn design_3_wire_unknown_type_decodes_to_undecoded_message() -> TestResult {
    let fx = Fixture::new()?;
    let bytes = vec![5, 4, 3, 2, 1, 0];
    let unknown = WireEnvelope {
        target: fx.actor.clone(),
        sender: fx.asys.my_address().clone(),
        type_name: "elsewhere::Unknown".to_string(),
        body: bytes.clone(),
    };
    let read = WireEnvelope::from_frame(&unknown.to_frame()?)?;
    let msg = read.open()?;
    let undecoded = msg.downcast_ref::<UndecodedMessage>().ok_or_else(|| format!("got {msg:?}"))?;
    assert_eq!(undecoded.type_name, "elsewhere::Unknown");
    assert_eq!(undecoded.bytes, bytes);

    match wire::decode_message("elsewhere::Unknown", &bytes) {
        Err(WireError::UnknownType { type_name }) => assert_eq!(type_name, "elsewhere::Unknown"),
        other => return Err(format!("expected UnknownType, got {other:?}").into()),
    }

    // Nested: a PoisonMessage from a peer that knows a type this program does not.
    let body = [block(b"elsewhere::Unknown"), block(&bytes), block(b"failed")].concat();
    let msg = wire::decode_message(POISON, &body)?;
    let poison = msg.downcast_ref::<PoisonMessage>().ok_or("not a PoisonMessage")?;
    assert_eq!(poison.details, "failed");
    let inner = poison.poison_message.downcast_ref::<UndecodedMessage>().ok_or("inner not kept as undecoded")?;
    assert_eq!((inner.type_name.as_str(), inner.bytes.as_slice()), ("elsewhere::Unknown", bytes.as_slice()));
    Ok(())
}

// ----- hostile input ----------------------------------------------------------------------

#[test]
fn design_3_wire_malformed_bytes_are_errors() -> TestResult {
    let fx = Fixture::new()?;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("u32", vec![0xFF; 6]),                          // varint longer than a u32
        ("u64", vec![]),                                 // nothing at all
        ("String", vec![5, b'a']),                       // shorter than its length
        ("String", vec![2, 0xFF, 0xFE]),                 // not UTF-8
        ("bool", vec![2]),                               // neither 0 nor 1
        ("char", vec![4, 0xF4, 0x90, 0x80, 0x80]),       // past U+10FFFF
        ("Vec<u8>", vec![0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), // claims 4 GiB, has none
        ("thespian::ActorExitRequest", vec![7]),         // bool out of range
        ("thespian::ChildActorExited", vec![0x80]),      // address cut inside a varint
        (POISON, vec![]),
        (POISON, [block(b"u32"), block(&[0xFF; 6]), block(b"d")].concat()), // bad nested body
        (POISON, [block(b"String"), vec![0xFF, 0xFF, 0xFF, 0x7F]].concat()), // nested length past the end
        ("wire::Order", vec![1, 2, 3]),
    ];
    for (type_name, bytes) in &cases {
        match wire::decode_message(type_name, bytes) {
            Err(WireError::Malformed { type_name: named, .. }) => assert_eq!(&named, type_name),
            other => return Err(format!("{type_name} from {bytes:?}: expected Malformed, got {other:?}").into()),
        }
    }
    // Frames.
    for frame in [vec![], vec![0xFF; 3], vec![0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]] {
        assert!(is_malformed(&WireEnvelope::from_frame(&frame)), "frame {frame:?}");
    }
    // A well-formed frame whose body does not decode as its (known) type.
    let bad_body = WireEnvelope {
        target: fx.actor.clone(),
        sender: fx.actor.clone(),
        type_name: "String".to_string(),
        body: vec![9, b'x'],
    };
    let read = WireEnvelope::from_frame(&bad_body.to_frame()?)?;
    assert!(is_malformed(&read.open()), "a known type with a bad body is Malformed, not Undecoded");
    // A frame claiming a body far larger than it holds.
    let mut frame = WireEnvelope { body: Vec::new(), ..bad_body }.to_frame()?;
    frame.pop(); // the empty body's length, 0
    frame.extend(varint(1 << 30));
    assert!(is_malformed(&WireEnvelope::from_frame(&frame)));
    Ok(())
}

#[test]
fn design_3_wire_every_truncation_of_a_frame_is_malformed() -> TestResult {
    let fx = Fixture::new()?;
    let msg = PoisonMessage {
        poison_message: Box::new(DeadEnvelope { dead_address: fx.actor.clone(), dead_message: Box::new(fx.order()) }),
        details: "details".to_string(),
    };
    let envelope = WireEnvelope::new(fx.actor.clone(), fx.asys.my_address().clone(), &msg)?;
    let frame = envelope.to_frame()?;
    for len in 0..frame.len() {
        let result = WireEnvelope::from_frame(&frame[..len]);
        assert!(is_malformed(&result), "frame cut to {len} of {} bytes: {result:?}", frame.len());
    }
    for len in 0..envelope.body.len() {
        let result = wire::decode_message(POISON, &envelope.body[..len]);
        assert!(matches!(result, Err(WireError::Malformed { .. })), "body cut to {len}: {result:?}");
    }
    let order_bytes = wire::encode_message(&fx.order())?;
    for len in 0..order_bytes.len() {
        let result = wire::decode_message("wire::Order", &order_bytes[..len]);
        assert!(matches!(result, Err(WireError::Malformed { .. })), "Order cut to {len}: {result:?}");
    }
    Ok(())
}

#[test]
fn design_3_wire_garbage_never_panics() -> TestResult {
    let fx = Fixture::new()?;
    let mut rng = Lcg(0x5EED_1234_ABCD_0001);
    let known = [
        POISON,
        "thespian::DeadEnvelope",
        "thespian::WakeupMessage",
        "thespian::ThespianSystemStatus",
        "thespian::ActorSystemConventionUpdate",
        "thespian::ValidatedSource",
        "String",
        "char",
        "f64",
        "Vec<u8>",
        "wire::Order",
    ];
    // Random bytes, as frames and as bodies of every kind of message.
    for _ in 0..3000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u8()).collect();
        match WireEnvelope::from_frame(&bytes) {
            Ok(envelope) => {
                let opened = envelope.open();
                assert!(matches!(opened, Ok(_) | Err(WireError::Malformed { .. })), "{opened:?}");
            }
            Err(e) => assert!(matches!(e, WireError::Malformed { .. }), "{e:?}"),
        }
        let name = known[rng.below(known.len())];
        let decoded = wire::decode_message(name, &bytes);
        assert!(matches!(decoded, Ok(_) | Err(WireError::Malformed { .. })), "{name}: {decoded:?}");
    }
    // Valid frames with a few bytes changed: these get deep into the decoders.
    let messages: Vec<Box<dyn Message>> = vec![
        Box::new(PoisonMessage {
            poison_message: Box::new(DeadEnvelope {
                dead_address: fx.actor.clone(),
                dead_message: Box::new(fx.order()),
            }),
            details: "details".to_string(),
        }),
        Box::new(fx.asys.status()?),
        Box::new(WakeupMessage { delay_period: Duration::from_millis(9), payload: Box::new('x') }),
    ];
    for msg in &messages {
        let frame = WireEnvelope::new(fx.actor.clone(), fx.actor.clone(), msg.as_ref())?.to_frame()?;
        for _ in 0..1500 {
            let mut mutated = frame.clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(mutated.len());
                mutated[at] = rng.next_u8();
            }
            if let Ok(envelope) = WireEnvelope::from_frame(&mutated) {
                let opened = envelope.open();
                assert!(matches!(opened, Ok(_) | Err(WireError::Malformed { .. })), "{opened:?}");
            }
        }
    }
    Ok(())
}

#[test]
fn design_3_wire_deep_nesting_is_rejected() -> TestResult {
    let limit = MAX_NESTING as usize;
    let at_limit = wire::decode_message(POISON, &nested_poison_body(limit))?;
    assert!(at_limit.is::<PoisonMessage>(), "nesting up to the limit decodes");
    let over = wire::decode_message(POISON, &nested_poison_body(limit + 1));
    assert!(is_malformed(&over), "one level past the limit: {over:?}");
    // The error says why, not just that the outer message did not decode.
    let text = over.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains(&format!("nested more than {MAX_NESTING} deep")), "{text}");
    assert_eq!(text.matches("error[").count(), 1, "one code, at the start: {text}");
    // Far past the limit: an error, not a stack overflow. Also through a frame.
    let deep = nested_poison_body(20_000);
    assert!(is_malformed(&wire::decode_message(POISON, &deep)));
    let fx = Fixture::new()?;
    let envelope =
        WireEnvelope { target: fx.actor.clone(), sender: fx.actor, type_name: POISON.to_string(), body: deep };
    let read = WireEnvelope::from_frame(&envelope.to_frame()?)?;
    assert!(is_malformed(&read.open()));
    // The limit counts levels, wherever the outermost one is: inside a DeadEnvelope (whose
    // address is written as three zero varints: system, host, id here), the poison may nest one level less.
    let dead_envelope = |poison_depth: usize| {
        let wrapped = [block(POISON.as_bytes()), block(&nested_poison_body(poison_depth))].concat();
        wire::decode_message("thespian::DeadEnvelope", &[vec![0, 0, 0], wrapped].concat())
    };
    assert!(dead_envelope(limit - 1)?.is::<DeadEnvelope>());
    assert!(is_malformed(&dead_envelope(limit)));
    Ok(())
}

#[test]
fn design_3_wire_oversized_is_too_large() -> TestResult {
    let mut big = vec![0_u8; MAX_FRAME_SIZE + 1];
    let too_large = |r: &Result<(), WireError>| match r {
        Err(WireError::TooLarge { size, limit }) => *size > *limit && *limit == MAX_FRAME_SIZE,
        _ => false,
    };
    assert!(too_large(&wire::decode_message("Vec<u8>", &big).map(|_| ())));
    assert!(too_large(&WireEnvelope::from_frame(&big).map(|_| ())));
    // A payload of exactly the limit is over it once its length prefix is added.
    big.truncate(MAX_FRAME_SIZE);
    assert!(too_large(&wire::encode_message(&big).map(|_| ())));
    let fx = Fixture::new()?;
    assert!(too_large(&WireEnvelope::new(fx.actor.clone(), fx.actor.clone(), &big).map(|_| ())));
    let text = match wire::encode_message(&big) {
        Err(e) => e.to_string(),
        Ok(_) => return Err("an oversized message was encoded".into()),
    };
    assert!(text.contains("limit"), "the error explains: {text}");
    Ok(())
}

#[test]
fn design_3_wire_vec_u8_is_one_length_prefixed_block() -> TestResult {
    let fx = Fixture::new()?;
    for len in [0, 1, 127, 128, 1000, 100_000, 1 << 20] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
        let encoded = wire::encode_message(&payload)?;
        assert_eq!(encoded.len(), payload.len() + varint(len).len(), "{len} bytes: only a length prefix is added");
        assert_eq!(encoded, block(&payload), "{len} bytes: the prefix is the length, then the bytes as they are");
        let frame = WireEnvelope::new(fx.actor.clone(), fx.actor.clone(), &payload)?.to_frame()?;
        assert!(frame.len() - payload.len() < 64, "{len} bytes: the frame adds {} bytes", frame.len() - len);
    }
    Ok(())
}

#[test]
fn design_3_wire_undecoded_message_is_forwarded_as_the_original() -> TestResult {
    let undecoded = UndecodedMessage { type_name: "elsewhere::Thing".to_string(), bytes: vec![1, 2, 3] };
    let fx = Fixture::new()?;
    let envelope = WireEnvelope::new(fx.actor.clone(), fx.actor.clone(), &undecoded)?;
    assert_eq!((envelope.type_name.as_str(), envelope.body.as_slice()), ("elsewhere::Thing", &[1_u8, 2, 3][..]));
    let nested = PoisonMessage { poison_message: Box::new(undecoded), details: String::new() };
    let back = wire::round_trip(&nested)?;
    let inner = back.downcast_ref::<PoisonMessage>().ok_or("not poison")?;
    let again = inner.poison_message.downcast_ref::<UndecodedMessage>().ok_or("not undecoded")?;
    assert_eq!((again.type_name.as_str(), again.bytes.as_slice()), ("elsewhere::Thing", &[1_u8, 2, 3][..]));
    Ok(())
}

#[test]
fn design_3_wire_trailing_bytes_are_malformed() {
    assert!(is_malformed(&wire::decode_message("u8", &[1, 2, 3])));
    assert!(is_malformed(&wire::decode_message("String", &[1, b'a', b'b'])));
}

/// A message whose `Deserialize` panics on a zero, as a buggy or hostile type might.
#[derive(Debug, Serialize, Message)]
struct Brittle(u8);

impl<'de> Deserialize<'de> for Brittle {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match u8::deserialize(deserializer)? {
            0 => panic!("Brittle cannot be zero"),
            n => Ok(Self(n)),
        }
    }
}

#[test]
fn design_3_wire_panicking_deserialize_is_malformed_and_leaves_no_trace() -> TestResult {
    let name = Brittle(1).message_type_name();
    let bad = wire::encode_message(&Brittle(0))?;
    let err = wire::decode_message(name, &bad).err().ok_or("a zero decoded")?;
    assert!(matches!(err, WireError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("Brittle cannot be zero"), "the panic's text is kept: {err}");
    // Nested: the outer message is malformed, and the nesting depth is restored each time,
    // so many caught panics do not use up the nesting limit of this thread.
    let poisoned = |n| PoisonMessage { poison_message: Box::new(Brittle(n)), details: String::new() };
    let bad_nested = wire::encode_message(&poisoned(0))?;
    for _ in 0..=MAX_NESTING {
        let nested = wire::decode_message(POISON, &bad_nested);
        assert!(is_malformed(&nested), "{nested:?}");
    }
    let good = wire::decode_message(POISON, &wire::encode_message(&poisoned(7))?)?;
    let inner = good.downcast_ref::<PoisonMessage>().and_then(|p| p.poison_message.downcast_ref::<Brittle>());
    assert_eq!(inner.map(|b| b.0), Some(7));
    Ok(())
}

// ----- depth of every recursive value -----------------------------------------------------

/// A `CapValue` written by hand: `depth` lists of one item each around a `Null`. Each list
/// is two bytes (variant 5, length 1), so very deep ones are cheap to build.
fn deep_list(depth: usize) -> Vec<u8> {
    let mut out = [5_u8, 1].repeat(depth);
    out.push(0);
    out
}

/// A `CapValue` written by hand: `depth` maps of one entry (`"k"`) each around a `Null`.
fn deep_map(depth: usize) -> Vec<u8> {
    let mut out = [6_u8, 1, 1, b'k'].repeat(depth);
    out.push(0);
    out
}

/// An `ActorSystemConventionUpdate` body whose one capability, `"k"`, is `value`.
fn convention_update(value: &[u8]) -> Vec<u8> {
    // Address (0, 0, 0) (system, host, id), a map of one entry, then `remote_added`.
    [&[0, 0, 0, 1][..], &block(b"k"), value, &[1]].concat()
}

/// A `ThespianSystemStatus` body whose one capability, `"k"`, is `value`.
fn system_status(value: &[u8]) -> Vec<u8> {
    // Base, address (0, 0, 0) (system, host, id), the map, then six empty or zero fields.
    [&block(b"simpleSystemBase")[..], &[0, 0, 0, 1], &block(b"k"), value, &[0; 6]].concat()
}

const STATUS: &str = "thespian::ThespianSystemStatus";
const CONVENTION: &str = "thespian::ActorSystemConventionUpdate";

/// Runs `check` on this thread and again on a thread with a 2 MiB stack (the default of
/// spawned threads; a socket reader may have no more).
fn on_this_and_a_small_stack(check: fn() -> TestResult) -> TestResult {
    check()?;
    let small = std::thread::Builder::new().stack_size(2 << 20).spawn(move || check().map_err(|e| e.to_string()))?;
    small.join().map_err(|_| "the check panicked on a 2 MiB stack")??;
    Ok(())
}

/// Fails unless `result` is `Malformed` because capability values nest too deep.
fn assert_too_deep<T: std::fmt::Debug>(what: &str, result: Result<T, WireError>) -> TestResult {
    let limit = CapValue::MAX_DEPTH;
    match result {
        Err(WireError::Malformed { reason, .. })
            if reason == format!("capability values nested more than {limit} deep") =>
        {
            Ok(())
        }
        other => Err(format!("{what}: expected Malformed (nested more than {limit} deep), got {other:?}").into()),
    }
}

#[test]
fn design_3_wire_capability_values_nest_at_most_max_depth() -> TestResult {
    on_this_and_a_small_stack(|| {
        let limit = CapValue::MAX_DEPTH as usize;
        // The hand-written bytes are what the library writes.
        let mut value = CapValue::Null;
        for _ in 1..limit {
            value = CapValue::List(vec![value]);
        }
        let update = ActorSystemConventionUpdate {
            remote_admin_address: wire::decode_message("thespian::ChildActorExited", &[0, 0, 0])?
                .downcast_ref::<ChildActorExited>()
                .ok_or("not a ChildActorExited")?
                .child_address
                .clone(),
            remote_capabilities: [("k", value)].into_iter().collect(),
            remote_added: true,
        };
        assert_eq!(wire::encode_message(&update)?, convention_update(&deep_list(limit - 1)));
        // Up to the limit, lists and maps decode; one level more is refused, saying why.
        for (name, body) in [(CONVENTION, convention_update as fn(&[u8]) -> Vec<u8>), (STATUS, system_status)] {
            for deep in [deep_list, deep_map] {
                let at_limit = wire::decode_message(name, &body(&deep(limit - 1)))?;
                assert_eq!(at_limit.message_type_name(), name);
                assert_too_deep(name, wire::decode_message(name, &body(&deep(limit))))?;
                // About 80 KB of crafted input: an error, not a stack overflow.
                assert_too_deep(name, wire::decode_message(name, &body(&deep(40_000))))?;
            }
        }
        // Through a frame too, and nested in another message.
        let deep = convention_update(&deep_list(40_000));
        let address = update.remote_admin_address.clone();
        let envelope =
            WireEnvelope { target: address.clone(), sender: address, type_name: CONVENTION.into(), body: deep };
        let read = WireEnvelope::from_frame(&envelope.to_frame()?)?;
        assert_too_deep("a frame", read.open())?;
        let poison = [block(CONVENTION.as_bytes()), block(&envelope.body), block(b"d")].concat();
        assert_too_deep("a nested message", wire::decode_message(POISON, &poison))?;
        Ok(())
    })
}

#[test]
fn design_3_wire_capability_values_too_deep_are_not_encoded() -> TestResult {
    on_this_and_a_small_stack(|| {
        let limit = CapValue::MAX_DEPTH;
        // 65 levels, then far more: an error (not a stack overflow), saying why.
        for depth in [limit + 1, 100_000] {
            let mut value = CapValue::Null;
            for _ in 1..depth {
                value = CapValue::List(vec![value]);
            }
            let caps: Capabilities = [("k", value)].into_iter().collect();
            let fx_address = wire::decode_message("thespian::ChildActorExited", &[0, 0, 0])?
                .downcast::<ChildActorExited>()
                .map_err(|_| "not a ChildActorExited")?
                .child_address;
            let mut update = ActorSystemConventionUpdate {
                remote_admin_address: fx_address,
                remote_capabilities: caps,
                remote_added: true,
            };
            match wire::encode_message(&update) {
                Err(WireError::Unserializable { type_name, reason }) => {
                    assert_eq!(type_name, CONVENTION);
                    assert_eq!(reason, format!("capability values nested more than {limit} deep"));
                }
                other => return Err(format!("{depth} levels: expected Unserializable, got {other:?}").into()),
            }
            // Dropping a value this deep would recurse as deep: take it apart level by level.
            let mut value = update.remote_capabilities.remove("k");
            while let Some(CapValue::List(mut items)) = value {
                value = items.pop();
            }
        }
        Ok(())
    })
}

#[test]
fn design_3_wire_nested_messages_too_deep_are_not_encoded() -> TestResult {
    let nest = |depth: u32| {
        let mut msg: Box<dyn Message> = Box::new("core".to_string());
        for _ in 0..depth {
            msg = Box::new(PoisonMessage { poison_message: msg, details: "d".into() });
        }
        msg
    };
    // What may be decoded may be encoded, and no more.
    let at_limit = wire::encode_message(nest(MAX_NESTING).as_ref())?;
    assert_eq!(at_limit, nested_poison_body(MAX_NESTING as usize));
    match wire::encode_message(nest(MAX_NESTING + 1).as_ref()) {
        Err(WireError::Unserializable { type_name, reason }) => {
            assert_eq!(type_name, POISON);
            assert!(reason.contains(&format!("messages nested more than {MAX_NESTING} deep")), "{reason}");
            assert!(reason.starts_with("a nested `thespian::PoisonMessage` message cannot be serialized"), "{reason}");
            assert!(!reason.contains("error["), "one code, at the start: {reason}");
        }
        other => return Err(format!("expected Unserializable, got {other:?}").into()),
    }
    Ok(())
}

/// Every input to try on a registered type: hand-written deep values alone, and spliced at
/// every position into `samples`' encodings (so they land wherever a recursive value or a
/// nested message may be): capability lists and maps, and a nested `PoisonMessage`.
fn deep_inputs(samples: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let nested = [block(POISON.as_bytes()), block(&nested_poison_body(2_000))].concat();
    let deep = [deep_list(40_000), deep_map(20_000), nested];
    let mut inputs: Vec<Vec<u8>> = deep[..2].to_vec();
    inputs.push(nested_poison_body(2_000));
    for sample in samples {
        for at in 0..=sample.len() {
            for pattern in &deep {
                inputs.push([&sample[..at], pattern, &sample[at..]].concat());
            }
        }
    }
    inputs
}

/// What a decode gave, in short.
fn outcome(decoded: &Result<Box<dyn Message>, WireError>) -> String {
    match decoded {
        Ok(msg) => format!("a {}", msg.message_type_name()),
        Err(e) => e.to_string(),
    }
}

fn fuzz_every_registered_type() -> TestResult {
    let fx = Fixture::new()?;
    let mut samples: std::collections::BTreeMap<String, Vec<Vec<u8>>> = Default::default();
    let patterns = pattern_messages(&fx)?.into_iter().map(|(msg, _)| msg);
    let own: Vec<Box<dyn Message>> = vec![Box::new(fx.order())];
    for msg in system_messages(&fx)?.into_iter().chain(patterns).chain(builtin_messages(&fx)).chain(own) {
        let (name, bytes) = wire::encode_parts(msg.as_ref())?;
        samples.entry(name.to_string()).or_default().push(bytes.into_owned());
    }
    let mut rng = Lcg(0xDEE9_0000_0000_0001);
    for name in registered_names()? {
        let samples = samples.remove(&name).unwrap_or_default();
        for input in deep_inputs(&samples) {
            let decoded = wire::decode_message(&name, &input);
            assert!(is_malformed(&decoded), "{name} from {} crafted bytes: {}", input.len(), outcome(&decoded));
        }
        // Random bytes, and the samples with a few bytes changed.
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.next_u8()).collect();
            let decoded = wire::decode_message(&name, &bytes);
            assert!(matches!(decoded, Ok(_) | Err(WireError::Malformed { .. })), "{name}: {}", outcome(&decoded));
        }
        for sample in samples.iter().filter(|s| !s.is_empty()) {
            for _ in 0..200 {
                let mut mutated = sample.clone();
                for _ in 0..=rng.below(4) {
                    let at = rng.below(mutated.len());
                    mutated[at] = rng.next_u8();
                }
                let decoded = wire::decode_message(&name, &mutated);
                assert!(matches!(decoded, Ok(_) | Err(WireError::Malformed { .. })), "{name}: {}", outcome(&decoded));
            }
        }
    }
    fx.asys.shutdown()?;
    Ok(())
}

#[test]
fn design_3_wire_every_registered_type_refuses_deep_nesting() -> TestResult {
    on_this_and_a_small_stack(fuzz_every_registered_type)
}

// ----- size -------------------------------------------------------------------------------

/// 1 KiB of bytes, written as one block.
struct Kib;

impl Serialize for Kib {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&[7; 1024])
    }
}

/// A message of `blocks` blocks of 1 KiB, counting how many of them it has written.
#[derive(Debug, Message)]
struct Blocks {
    blocks: usize,
    written: std::sync::atomic::AtomicUsize,
}

impl Serialize for Blocks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.blocks))?;
        for _ in 0..self.blocks {
            seq.serialize_element(&Kib)?;
            self.written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Blocks {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let blocks = Vec::<Vec<u8>>::deserialize(deserializer)?.len();
        Ok(Self { blocks, written: blocks.into() })
    }
}

#[test]
fn design_3_wire_oversized_message_is_refused_without_encoding_it_whole() -> TestResult {
    // Each block is its length (2 bytes) and 1024 bytes.
    let per_block = 1026;
    let fit = MAX_FRAME_SIZE / per_block;
    let small = Blocks { blocks: 3, written: 0.into() };
    let back = wire::round_trip(&small)?;
    assert_eq!(back.downcast_ref::<Blocks>().map(|b| b.blocks), Some(3));
    // Twice as much as fits: encoding stops at the block that passes the limit.
    let big = Blocks { blocks: 2 * fit, written: 0.into() };
    match wire::encode_message(&big) {
        Err(WireError::TooLarge { size, limit }) => {
            assert_eq!(limit, MAX_FRAME_SIZE);
            assert!(size > limit && size <= limit + per_block, "stopped at the first block over: {size}");
        }
        other => return Err(format!("expected TooLarge, got {other:?}").into()),
    }
    let written = big.written.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(written, fit, "the blocks that fit were written, and no more");
    // An envelope is refused the same way.
    let fx = Fixture::new()?;
    let big = Blocks { blocks: 2 * fit, written: 0.into() };
    assert!(matches!(WireEnvelope::new(fx.actor.clone(), fx.actor.clone(), &big), Err(WireError::TooLarge { .. })));
    assert!(big.written.load(std::sync::atomic::Ordering::Relaxed) <= fit);
    fx.asys.shutdown()?;
    Ok(())
}

// Actor processes build their actor from its registered name (multi-process bases).
thespian::register_actor!(Idle);
