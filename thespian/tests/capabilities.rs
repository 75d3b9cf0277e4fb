//! Spec §4.10, §5.12, §5.12.1, §5.13, §9.1, §9.2 (capabilities): the generated capability
//! checks of `#[require_capability]` and a hand-written `actor_system_capability_check`,
//! requirements, constructors that read them, and updates. The simple base makes no checks
//! (§9.2), so enforcement itself is tested where it lives, in the core's unit tests, and
//! here through the checks the macros generate.

mod common;

use std::time::Duration;

use thespian::prelude::*;
use thespian::ActorStart;

use common::ANSWER;

/// Which capability value the actor saw when it was built.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct WhatColor;

#[derive(Default)]
struct Lamp;

#[require_capability("Has Lightbulb")]
#[require_capability("Lit")]
#[actor]
#[require_capability("Color", "Yellow")]
impl Lamp {}

#[derive(Default)]
struct Checked;

#[require_capability("Has Lightbulb")]
#[actor]
impl Checked {
    fn actor_system_capability_check(capabilities: &Capabilities, requirements: Option<&Capabilities>) -> bool {
        let wants_blue = requirements.is_some_and(|r| r.is_truthy("blue"));
        let color = if wants_blue { "Blue" } else { "Yellow" };
        capabilities.get("Color") == Some(&CapValue::from(color))
    }
}

/// Reads the system's capabilities and the requirements when it is built.
struct Painter {
    color: String,
    required: bool,
}

#[actor(new = Painter::start)]
impl Painter {
    fn start(start: &ActorStart<'_>) -> Self {
        let color = match start.capabilities.get("Color") {
            Some(CapValue::Str(c)) => c.clone(),
            _ => "none".to_string(),
        };
        Painter { color, required: start.requirements.is_some() }
    }

    #[handler(WhatColor)]
    fn on_what(&mut self, _msg: &WhatColor, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("{} {}", self.color, self.required));
    }
}

/// Removes the capability named in the message, or sets it to true.
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct Toggle {
    name: String,
    on: bool,
}

#[derive(Default)]
struct Prober;

#[actor]
impl Prober {
    #[handler(Toggle)]
    fn on_toggle(&mut self, msg: &Toggle, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.update_capability(&msg.name, msg.on.then_some(CapValue::Bool(true)));
        ctx.send(sender, "done".to_string());
    }
}

/// Sets the named capability to `CapValue::Null` (Python's `None`).
#[derive(Debug, Clone, Serialize, Deserialize, Message)]
struct SetNull(String);

#[derive(Default)]
struct Nuller;

#[actor]
impl Nuller {
    #[handler(SetNull)]
    fn on_null(&mut self, msg: &SetNull, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.update_capability(&msg.0, Some(CapValue::Null));
        ctx.send(sender, "done".to_string());
    }
}

/// Needs a "Version" equal to 1.0, as Python compares: `1`, `1.0` and `True` all pass.
#[derive(Default)]
struct Versioned;

#[require_capability("Version", 1.0)]
#[require_capability("Level", 0)]
#[actor]
impl Versioned {}

fn caps(entries: &[(&str, CapValue)]) -> Capabilities {
    entries.iter().map(|(k, v)| (*k, v.clone())).collect()
}

#[test]
fn spec_5_12_1_require_capability_stacks_as_and() {
    let good = caps(&[
        ("Has Lightbulb", CapValue::Int(5)),
        ("Lit", CapValue::Bool(true)),
        ("Color", CapValue::from("Yellow")),
    ]);
    assert_eq!(<Lamp as Actor>::capability_check(&good, None), Ok(()));
    let mut unlit = good.clone();
    unlit.insert("Lit", 0);
    let err = <Lamp as Actor>::capability_check(&unlit, None).expect_err("0 is false");
    assert!(err.contains("Lit"), "{err}");
    let mut blue = good.clone();
    blue.insert("Color", "Blue");
    let err = <Lamp as Actor>::capability_check(&blue, None).expect_err("the value must be equal");
    assert!(err.contains("Color") && err.contains("Yellow"), "{err}");
    let mut lower = good.clone();
    lower.remove("Color");
    lower.insert("color", "Yellow");
    assert!(<Lamp as Actor>::capability_check(&lower, None).is_err(), "keys are case-sensitive");
    // Checked in the order written, around #[actor] too: the first failing one is named.
    let none = <Lamp as Actor>::capability_check(&Capabilities::new(), None).expect_err("nothing is there");
    assert!(none.contains("Has Lightbulb"), "{none}");
    let bulb_only = caps(&[("Has Lightbulb", CapValue::Bool(true))]);
    let unlit = <Lamp as Actor>::capability_check(&bulb_only, None).expect_err("not lit");
    assert!(unlit.contains("Lit"), "{unlit}");
}

#[test]
fn spec_5_12_1_require_capability_combines_with_a_hand_written_check() {
    let yellow = caps(&[("Has Lightbulb", CapValue::Bool(true)), ("Color", CapValue::from("Yellow"))]);
    assert_eq!(<Checked as Actor>::capability_check(&yellow, None), Ok(()));
    let no_bulb = caps(&[("Color", CapValue::from("Yellow"))]);
    assert!(<Checked as Actor>::capability_check(&no_bulb, None).is_err(), "the decorator still applies");
    // The hand-written check reads the creator's requirements (spec §5.12).
    let wants_blue = caps(&[("blue", CapValue::Bool(true))]);
    assert!(<Checked as Actor>::capability_check(&yellow, Some(&wants_blue)).is_err());
    let blue = caps(&[("Has Lightbulb", CapValue::Bool(true)), ("Color", CapValue::from("Blue"))]);
    assert_eq!(<Checked as Actor>::capability_check(&blue, Some(&wants_blue)), Ok(()));
}

#[test]
fn spec_4_10_capability_values_follow_python_truthiness() {
    for falsy in [CapValue::Null, CapValue::Bool(false), CapValue::Int(0), CapValue::Float(0.0), CapValue::from("")] {
        assert!(!falsy.is_truthy(), "{falsy:?}");
    }
    assert!(!CapValue::List(vec![]).is_truthy());
    assert!(!CapValue::Map(Default::default()).is_truthy());
    for truthy in [CapValue::Bool(true), CapValue::Int(5), CapValue::Float(0.5), CapValue::from("no")] {
        assert!(truthy.is_truthy(), "{truthy:?}");
    }
    assert!(CapValue::List(vec![CapValue::Null]).is_truthy());
}

on_every_base! {
    fn spec_5_12_constructor_reads_capabilities_and_requirements(asys) {
        asys.update_capability("Color", Some(CapValue::from("Green")))?;
        let plain = asys.create_actor::<Painter>()?;
        assert_eq!(asys.ask_as::<String>(&plain, WhatColor, ANSWER)?.as_deref(), Some("Green false"));
        let spec = ActorSpec::of::<Painter>().requirements(caps(&[("brush", CapValue::from("fine"))]));
        let required = asys.create_actor_with(spec)?;
        assert_eq!(asys.ask_as::<String>(&required, WhatColor, ANSWER)?.as_deref(), Some("Green true"));
        Ok(())
    }

    fn spec_5_13_actor_updates_and_removes_a_capability(asys) {
        let prober = asys.create_actor::<Prober>()?;
        let on = Toggle { name: "Probed".to_string(), on: true };
        assert_eq!(asys.ask_as::<String>(&prober, on, ANSWER)?.as_deref(), Some("done"));
        assert!(asys.capabilities()?.is_truthy("Probed"));
        let off = Toggle { name: "Probed".to_string(), on: false };
        assert_eq!(asys.ask_as::<String>(&prober, off, ANSWER)?.as_deref(), Some("done"));
        assert!(asys.capabilities()?.get("Probed").is_none(), "None removes the capability");
        Ok(())
    }

    fn spec_6_9_update_capability_to_null_removes_it(asys) {
        // From outside: Python's `None` as a value removes the capability.
        asys.update_capability("Lamp", Some(CapValue::from("on")))?;
        asys.update_capability("Lamp", Some(CapValue::Null))?;
        assert!(asys.capabilities()?.get("Lamp").is_none(), "Null removes the capability");
        assert!(!asys.status()?.capabilities.iter().any(|(name, _)| name == "Lamp"), "the status agrees");
        // From an actor (spec §5.13) too.
        asys.update_capability("Lamp", Some(CapValue::from("on")))?;
        let nuller = asys.create_actor::<Nuller>()?;
        assert_eq!(asys.ask_as::<String>(&nuller, SetNull("Lamp".into()), ANSWER)?.as_deref(), Some("done"));
        assert!(asys.capabilities()?.get("Lamp").is_none(), "Null from an actor removes it too");
        // Removing what is absent is no change, and leaves it absent.
        asys.update_capability("Lamp", Some(CapValue::Null))?;
        assert!(asys.capabilities()?.get("Lamp").is_none());
        Ok(())
    }
}

#[test]
fn spec_5_12_1_require_capability_compares_as_python() {
    let with = |version: CapValue, level: CapValue| caps(&[("Version", version), ("Level", level)]);
    // Python: 1 == 1.0 == True and 0 == 0.0 == False.
    for version in [CapValue::Int(1), CapValue::Float(1.0), CapValue::Bool(true)] {
        for level in [CapValue::Int(0), CapValue::Float(0.0), CapValue::Bool(false)] {
            let verdict = <Versioned as Actor>::capability_check(&with(version.clone(), level.clone()), None);
            assert_eq!(verdict, Ok(()), "Version {version:?}, Level {level:?}");
        }
    }
    for version in [CapValue::Int(2), CapValue::Float(1.5), CapValue::from("1.0"), CapValue::Null] {
        let verdict = <Versioned as Actor>::capability_check(&with(version.clone(), CapValue::Int(0)), None);
        // The value wanted is printed as Python would, so a 1 and a 1.0 read apart.
        assert_eq!(verdict, Err("capability \"Version\" is not 1.0".to_string()), "{version:?}");
    }
    let verdict = <Versioned as Actor>::capability_check(&with(CapValue::Int(1), CapValue::Null), None);
    assert_eq!(verdict, Err("capability \"Level\" is not 0".to_string()), "None is not 0");
}

#[test]
fn spec_5_12_1_a_checking_system_accepts_an_equal_value_of_another_type() -> Result<(), ActorSystemError> {
    let asys = checking(&[("Version", CapValue::Int(1)), ("Level", CapValue::Bool(false))])?;
    let actor = asys.create_actor::<Versioned>()?;
    assert!(asys.ask_as::<ThespianActorStatus>(&actor, ThespianStatusReq, ANSWER)?.is_some());
    asys.shutdown()
}

#[test]
fn spec_4_10_builder_does_not_store_a_null_capability() -> Result<(), ActorSystemError> {
    let given = caps(&[("Kept", CapValue::Int(1)), ("Dropped", CapValue::Null)]);
    let asys = ActorSystem::builder()
        .logging(Logging::Off)
        .capability("Cleared", "soon")
        .capability("Cleared", CapValue::Null)
        .capability("Never", CapValue::Null)
        .capabilities(given)
        .build()?;
    let caps = asys.capabilities()?;
    for name in ["Cleared", "Never", "Dropped"] {
        assert!(caps.get(name).is_none(), "{name}: a None is no value: {:?}", caps.get(name));
    }
    assert_eq!(caps.get("Kept"), Some(&CapValue::Int(1)));
    asys.shutdown()
}

#[test]
fn spec_9_2_simple_base_does_not_check_capabilities() -> Result<(), ActorSystemError> {
    let asys = common::system("simpleSystemBase");
    // No lightbulb at all, yet the actor is created and answers (spec §9.2).
    let lamp = asys.create_actor::<Lamp>()?;
    let status = asys.ask_as::<ThespianActorStatus>(&lamp, ThespianStatusReq, Duration::from_secs(5))?;
    assert!(status.is_some());
    // And removing capabilities does not stop it.
    asys.update_capability("Has Lightbulb", None)?;
    assert!(asys.ask_as::<ThespianActorStatus>(&lamp, ThespianStatusReq, Duration::from_secs(5))?.is_some());
    asys.shutdown()
}

// ----- enforcement, on a system that checks ------------------------------------------------
//
// The simple base skips checks unless asked (spec §9.2); the multi-process bases check. These
// tests ask for checks so that enforcement runs end to end through the public API.

/// Creates a `Lamp` child on a `String`, answers the creation's outcome, and reports its
/// children's exits to whoever asked last.
#[derive(Default)]
struct Keeper {
    client: Option<ActorAddress>,
}

#[actor]
impl Keeper {
    #[handler(String)]
    fn on_make(&mut self, _msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        self.client = Some(sender.clone());
        let outcome = match ctx.create_actor::<Lamp>() {
            Ok(_) => "created".to_string(),
            Err(e) => e.to_string(),
        };
        ctx.send(sender, outcome);
    }

    #[handler(ChildActorExited)]
    fn on_exit(&mut self, _msg: &ChildActorExited, ctx: &mut ActorContext<'_>) {
        if let Some(client) = &self.client {
            ctx.send(client, "lamp exited".to_string());
        }
    }
}

/// Turns its own requirement off: the update re-validates it, and it exits.
#[derive(Default)]
struct SelfDefeating;

#[require_capability("Needed")]
#[actor]
impl SelfDefeating {
    #[handler(Toggle)]
    fn on_toggle(&mut self, msg: &Toggle, ctx: &mut ActorContext<'_>) {
        ctx.update_capability(&msg.name, msg.on.then_some(CapValue::Bool(true)));
    }
}

fn checking(caps: &[(&str, CapValue)]) -> Result<ActorSystem, ActorSystemError> {
    ActorSystem::builder().logging(Logging::Off).check_capabilities(true).capabilities(self::caps(caps)).build()
}

fn lit_yellow_lamp() -> Vec<(&'static str, CapValue)> {
    vec![("Has Lightbulb", CapValue::Int(5)), ("Lit", CapValue::Bool(true)), ("Color", CapValue::from("Yellow"))]
}

#[test]
fn spec_5_12_no_compatible_system_names_the_actor_and_the_requirement() -> Result<(), ActorSystemError> {
    let asys = checking(&[("Has Lightbulb", CapValue::Int(5))])?;
    let err = asys.create_actor::<Lamp>().expect_err("the lamp is not lit");
    assert!(matches!(err, ActorSystemError::NoCompatibleSystemForActor { .. }), "{err}");
    let text = err.to_string();
    // "Lit" and "Color" are both missing: the text names the first, as written.
    assert!(text.contains("Lamp") && text.contains("\"Lit\""), "{text}");
    // From inside an actor the creation fails the same way, and the actor is told.
    let keeper = asys.create_actor::<Keeper>()?;
    let outcome = asys.ask_as::<String>(&keeper, "make".to_string(), ANSWER)?.unwrap_or_default();
    assert!(outcome.starts_with("error[T0006]: NoCompatibleSystemForActor:") && outcome.contains("Lamp"), "{outcome}");
    asys.shutdown()
}

#[test]
fn spec_5_12_requirements_decide_on_a_checking_system() -> Result<(), ActorSystemError> {
    let asys = checking(&[("Has Lightbulb", CapValue::Bool(true)), ("Color", CapValue::from("Yellow"))])?;
    assert!(asys.create_actor_with(ActorSpec::of::<Checked>())?.to_string().starts_with("ActorAddr"));
    let blue = ActorSpec::of::<Checked>().requirements(caps(&[("blue", CapValue::Bool(true))]));
    let err = asys.create_actor_with(blue).expect_err("this system is yellow");
    assert!(err.to_string().contains("actor_system_capability_check"), "{err}");
    asys.shutdown()
}

#[test]
fn spec_5_13_update_that_fails_a_check_stops_the_actor_and_tells_its_parent() -> Result<(), ActorSystemError> {
    let asys = checking(&lit_yellow_lamp())?;
    let keeper = asys.create_actor::<Keeper>()?;
    assert_eq!(asys.ask_as::<String>(&keeper, "make".to_string(), ANSWER)?.as_deref(), Some("created"));
    // An update that changes nothing re-validates nothing.
    asys.update_capability("Lit", Some(CapValue::Bool(true)))?;
    assert!(asys.listen(Duration::from_millis(50))?.is_none());
    // Turning the light off stops the lamp; its parent, which needs nothing, stays.
    asys.update_capability("Lit", None)?;
    assert_eq!(asys.listen_as::<String>(ANSWER)?.as_deref(), Some("lamp exited"));
    let status = asys.ask_as::<ThespianActorStatus>(&keeper, ThespianStatusReq, ANSWER)?;
    assert!(status.is_some_and(|s| s.children.is_empty()));
    asys.shutdown()
}

#[test]
fn spec_5_13_an_actor_can_update_itself_out_of_the_system() -> Result<(), ActorSystemError> {
    let asys = checking(&[("Needed", CapValue::Bool(true))])?;
    let actor = asys.create_actor::<SelfDefeating>()?;
    asys.tell(&actor, Toggle { name: "Unrelated".to_string(), on: true })?;
    assert!(asys.ask_as::<ThespianActorStatus>(&actor, ThespianStatusReq, ANSWER)?.is_some());
    asys.tell(&actor, Toggle { name: "Needed".to_string(), on: false })?;
    let gone = asys.ask_as::<ThespianActorStatus>(&actor, ThespianStatusReq, Duration::from_millis(50))?;
    assert!(gone.is_none(), "the actor that removed its own requirement exited");
    asys.shutdown()
}
