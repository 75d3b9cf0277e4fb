//! Capabilities: a system describes itself with a map of named values, an actor says what
//! it needs with `#[require_capability]` and `actor_system_capability_check`, and its
//! creator may add requirements. The simple base makes no checks (usage guide §9.2), so this
//! program calls the generated checks itself to show their verdicts.
//!
//! Run it with `cargo run --example capabilities`.

use std::time::Duration;

use thespian::prelude::*;
use thespian::ActorStart;

const WAIT: Duration = Duration::from_secs(1);

// ANCHOR: lamp
/// Asks a lamp to shine.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Shine;

/// Runs only where there is a lightbulb, it is lit, and it is yellow.
#[derive(Default)]
struct Lamp;

#[require_capability("Has Lightbulb")]
#[require_capability("Lit")]
#[require_capability("Color", "Yellow")]
#[actor]
impl Lamp {
    #[handler(Shine)]
    fn shine(&mut self, _msg: &Shine, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, "shining".to_string());
    }
}
// ANCHOR_END: lamp

// ANCHOR: beacon
/// Needs a lightbulb, and a color: yellow, unless its creator requires another one.
#[derive(Default)]
struct Beacon;

#[require_capability("Has Lightbulb")]
#[actor]
impl Beacon {
    fn actor_system_capability_check(capabilities: &Capabilities, requirements: Option<&Capabilities>) -> bool {
        let yellow = CapValue::from("Yellow");
        let wanted = requirements.and_then(|r| r.get("Color")).unwrap_or(&yellow);
        capabilities.get("Color") == Some(wanted)
    }
}
// ANCHOR_END: beacon

// ANCHOR: painter
/// Asks a painter which color it paints with.
#[derive(Debug, Serialize, Deserialize, Message)]
struct WhichColor;

/// Paints with the color its creator required, else with the system's "Color".
struct Painter {
    color: String,
}

impl Painter {
    fn start(start: &ActorStart<'_>) -> Self {
        let required = start.requirements.and_then(|r| r.get("Color"));
        let color = match required.or_else(|| start.capabilities.get("Color")) {
            Some(CapValue::Str(color)) => color.clone(),
            _ => "black".to_string(),
        };
        Self { color }
    }
}

#[actor(new = Painter::start)]
impl Painter {
    #[handler(WhichColor)]
    fn which(&mut self, _msg: &WhichColor, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, self.color.clone());
    }
}
// ANCHOR_END: painter

// ANCHOR: switch
/// Turns the light on or off: sets the system's "Lit" capability, or removes it.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Switch {
    on: bool,
}

/// Changes the system's capabilities from inside an actor.
#[derive(Default)]
struct Electrician;

#[actor]
impl Electrician {
    #[handler(Switch)]
    fn switch(&mut self, msg: &Switch, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        // `None` removes the capability.
        ctx.update_capability("Lit", msg.on.then_some(CapValue::Bool(true)));
        ctx.send(sender, "switched".to_string());
    }
}
// ANCHOR_END: switch

/// The capability `name`, shown the way the system stores it.
fn show(caps: &Capabilities, name: &str) -> String {
    caps.get(name).map_or_else(|| "(absent)".to_string(), ToString::to_string)
}

fn main() -> Result<(), ActorSystemError> {
    // ANCHOR: truthiness
    let values = [
        CapValue::from(5),
        CapValue::from(0),
        CapValue::from("Yellow"),
        CapValue::from(""),
        CapValue::Null,
        CapValue::List(vec![]),
    ];
    for value in values {
        println!("{:>8} is {}", value.to_string(), if value.is_truthy() { "true" } else { "false" });
    }
    // ANCHOR_END: truthiness
    assert!(CapValue::from(5).is_truthy() && !CapValue::from(0).is_truthy());

    // ANCHOR: equality
    let one = CapValue::Int(1);
    for other in [CapValue::Float(1.0), CapValue::Bool(true), CapValue::Int(2), CapValue::from("1")] {
        println!("{one} == {other}: {} (structurally: {})", one.py_eq(&other), one == other);
    }
    // ANCHOR_END: equality
    assert!(one.py_eq(&CapValue::Float(1.0)) && one != CapValue::Float(1.0));

    // ANCHOR: system
    let asys = ActorSystem::builder()
        .capability("Has Lightbulb", 5)
        .capability("Lit", true)
        .capability("Color", "Yellow")
        // Setting a read-only capability is ignored with a warning; keep the output short.
        .logging(Logging::Off)
        .build()?;
    for (name, value) in asys.capabilities()?.iter() {
        println!("{name:<28} {value}");
    }
    // ANCHOR_END: system
    assert_eq!(show(&asys.capabilities()?, "Thespian ActorSystem Name"), "\"simpleSystemBase\"");

    // ANCHOR: verdicts
    let caps = asys.capabilities()?;
    let lamp_here = <Lamp as Actor>::capability_check(&caps, None);
    println!("Lamp in this system:   {lamp_here:?}");

    let mut unlit = caps.clone();
    unlit.insert("Lit", 0);
    let lamp_unlit = <Lamp as Actor>::capability_check(&unlit, None);
    println!("Lamp where Lit = 0:    {lamp_unlit:?}");

    let blue: Capabilities = [("Color", "Blue")].into_iter().collect();
    let beacon_blue = <Beacon as Actor>::capability_check(&caps, Some(&blue));
    println!("Beacon required Blue:  {beacon_blue:?}");
    // ANCHOR_END: verdicts
    assert_eq!(lamp_here, Ok(()));
    assert_eq!(lamp_unlit, Err("capability \"Lit\" is missing or false".to_string()));
    assert_eq!(<Beacon as Actor>::capability_check(&caps, None), Ok(()));
    assert!(beacon_blue.is_err());

    // ANCHOR: requirements
    let painter = asys.create_actor::<Painter>()?;
    let blue_painter = asys.create_actor_with(ActorSpec::of::<Painter>().requirements(blue.clone()))?;
    let color: Option<String> = asys.ask_as(&painter, WhichColor, WAIT)?;
    let required: Option<String> = asys.ask_as(&blue_painter, WhichColor, WAIT)?;
    println!("painters paint {color:?} and, as required, {required:?}");
    // ANCHOR_END: requirements
    assert_eq!(color.as_deref(), Some("Yellow"));
    assert_eq!(required.as_deref(), Some("Blue"));

    // ANCHOR: update
    let lamp = asys.create_actor::<Lamp>()?;
    asys.update_capability("Color", Some(CapValue::from("Green")))?;
    let electrician = asys.create_actor::<Electrician>()?;
    let done: Option<String> = asys.ask_as(&electrician, Switch { on: false }, WAIT)?;
    assert_eq!(done.as_deref(), Some("switched"));
    asys.update_capability("Thespian Version", Some(CapValue::Int(99)))?; // read-only: ignored

    let caps = asys.capabilities()?;
    println!("Color: {}, Lit: {}", show(&caps, "Color"), show(&caps, "Lit"));
    println!("Thespian Version: {}", show(&caps, "Thespian Version"));
    let green: Option<String> = asys.ask_as(&asys.create_actor::<Painter>()?, WhichColor, WAIT)?;
    let earlier: Option<String> = asys.ask_as(&painter, WhichColor, WAIT)?;
    println!("a new painter paints {green:?}; the earlier one still paints {earlier:?}");
    // ANCHOR_END: update
    assert_eq!(show(&caps, "Color"), "\"Green\"");
    assert!(caps.get("Lit").is_none(), "None removes the capability");
    assert_ne!(show(&caps, "Thespian Version"), "99");
    assert_eq!(green.as_deref(), Some("Green"));
    assert_eq!(earlier.as_deref(), Some("Yellow"));

    // ANCHOR: null
    asys.update_capability("Color", Some(CapValue::Null))?; // Python's `None`: removes it
    println!("Color after None: {}", show(&asys.capabilities()?, "Color"));
    // ANCHOR_END: null
    assert!(asys.capabilities()?.get("Color").is_none());

    // ANCHOR: revalidate
    let verdict = <Lamp as Actor>::capability_check(&caps, None);
    let reply: Option<String> = asys.ask_as(&lamp, Shine, WAIT)?;
    println!("the Lamp's check now says {verdict:?}");
    println!("on the simple base the Lamp is still running: {reply:?}");
    // ANCHOR_END: revalidate
    assert!(verdict.is_err());
    assert_eq!(reply.as_deref(), Some("shining"));
    asys.shutdown()?;

    // ANCHOR: checking
    // The same lamp on a simple system that checks, as a multi-process base does.
    let checking = ActorSystem::builder()
        .check_capabilities(true)
        .capability("Has Lightbulb", true)
        .capability("Color", "Yellow")
        .build()?;
    match checking.create_actor::<Lamp>() {
        Err(e @ ActorSystemError::NoCompatibleSystemForActor { .. }) => println!("refused: {e}"),
        other => panic!("expected NoCompatibleSystemForActor, got {other:?}"),
    }
    checking.update_capability("Lit", Some(CapValue::Bool(true)))?;
    let lamp = checking.create_actor::<Lamp>()?;
    println!("with the light on it starts: {:?}", checking.ask_as::<String>(&lamp, Shine, WAIT)?);
    checking.update_capability("Lit", None)?;
    let after: Option<String> = checking.ask_as(&lamp, Shine, Duration::from_millis(100))?;
    println!("after \"Lit\" is removed it was stopped: {after:?}");
    // ANCHOR_END: checking
    assert!(after.is_none());
    checking.shutdown()
}
