//! A derived actor inherits its base's capability requirements (spec §5.12.1, §5.17.1):
//! with `#[actor(base = field)]`, the base's `#[require_capability]`s and
//! `actor_system_capability_check` must pass too, at every level, besides the derived
//! actor's own.

use std::time::Duration;

use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

// ANCHOR: inherit
#[derive(Default)]
struct Gpu;

#[require_capability("GPU")]
#[actor]
impl Gpu {
    #[handler(String)]
    fn on_text(&mut self, msg: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("rendered {msg}"));
    }

    fn actor_system_capability_check(capabilities: &Capabilities, _requirements: Option<&Capabilities>) -> bool {
        !capabilities.is_truthy("Headless")
    }
}

/// Derived, with no requirement of its own: it needs what `Gpu` needs.
#[derive(Default)]
struct Renderer {
    gpu: Gpu,
}

#[actor(base = gpu)]
impl Renderer {}
// ANCHOR_END: inherit

/// Derived twice, with a requirement of its own.
#[derive(Default)]
struct Painter {
    renderer: Renderer,
}

#[require_capability("Color", "Yellow")]
#[actor(base = renderer)]
impl Painter {}

fn system(capabilities: &[(&str, CapValue)]) -> Result<ActorSystem, ActorSystemError> {
    let mut builder = ActorSystem::builder().logging(Logging::Off).check_capabilities(true);
    for (name, value) in capabilities {
        builder = builder.capability(*name, value.clone());
    }
    builder.build()
}

fn refused<A: NewActor>(asys: &ActorSystem) -> bool {
    matches!(asys.create_actor::<A>(), Err(ActorSystemError::NoCompatibleSystemForActor { .. }))
}

fn main() -> Result<(), ActorSystemError> {
    let bare = system(&[])?;
    assert!(refused::<Gpu>(&bare));
    assert!(refused::<Renderer>(&bare), "the base's #[require_capability(\"GPU\")] is inherited");
    assert!(refused::<Painter>(&bare));
    bare.shutdown()?;

    let gpu = system(&[("GPU", CapValue::Bool(true))])?;
    let renderer = gpu.create_actor::<Renderer>()?;
    let reply: Option<String> = gpu.ask_as(&renderer, "a frame".to_string(), ANSWER)?;
    assert_eq!(reply.as_deref(), Some("rendered a frame"));
    assert!(refused::<Painter>(&gpu), "the derived actor's own requirement still applies");
    gpu.shutdown()?;

    let headless = system(&[("GPU", CapValue::Bool(true)), ("Headless", CapValue::Bool(true))])?;
    assert!(refused::<Renderer>(&headless), "the base's actor_system_capability_check is inherited");
    headless.shutdown()?;

    let full = system(&[("GPU", CapValue::Bool(true)), ("Color", CapValue::from("Yellow"))])?;
    let painter = full.create_actor::<Painter>()?;
    let reply: Option<String> = full.ask_as(&painter, "a wall".to_string(), ANSWER)?;
    assert_eq!(reply.as_deref(), Some("rendered a wall"));

    // The check itself names the base's requirement that failed.
    let mut caps = Capabilities::new();
    caps.insert("Color", "Yellow");
    let why = <Painter as Actor>::capability_check(&caps, None).expect_err("GPU is missing");
    assert!(why.contains("GPU"), "{why}");
    full.shutdown()
}
