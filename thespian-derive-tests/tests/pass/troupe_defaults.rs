//! A bare `#[troupe]` has the spec's defaults (spec §8.1): at most 10 workers, 2 kept idle.
//! `#[troupe(max_count = .., idle_count = ..)]` sets them, and `idle_count` alone is capped
//! by the default `max_count`.

use std::time::Duration;

use thespian::patterns::{TroupeStatus, TroupeStatusReq};
use thespian::prelude::*;

const ANSWER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Bare;

#[troupe]
#[actor]
impl Bare {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

#[derive(Default)]
struct Small;

#[troupe(max_count = 4, idle_count = 1)]
#[actor]
impl Small {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

fn limits<A: NewActor>(asys: &ActorSystem) -> Result<(usize, usize), ActorSystemError> {
    let troupe = asys.create_actor::<A>()?;
    let status: TroupeStatus = asys.ask_as(&troupe, TroupeStatusReq, ANSWER)?.expect("the manager answers");
    Ok((status.max_count, status.idle_count))
}

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::builder().logging(Logging::Off).build()?;
    assert_eq!(limits::<Bare>(&asys)?, (10, 2));
    assert_eq!(limits::<Small>(&asys)?, (4, 1));
    asys.shutdown()
}
