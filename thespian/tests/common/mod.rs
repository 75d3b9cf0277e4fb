//! The test harness shared by every integration test: each spec behaviour is written once
//! and run on every system base that supports it.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use thespian::{ActorAddress, ActorSystem, Logging, Message};

/// What a test body returns: `?` works on every thespian error.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A generous wait for answers that should come (never a synchronisation sleep).
pub const ANSWER: Duration = Duration::from_secs(10);

/// A short wait for answers that must not come.
pub const NO_ANSWER: Duration = Duration::from_millis(50);

/// An error of a test helper.
pub type Failure = Box<dyn std::error::Error>;

/// Asks `to` and expects an answer of type `R` within [`ANSWER`].
pub fn answer<R: Message>(asys: &ActorSystem, to: &ActorAddress, msg: impl Message) -> Result<R, Failure> {
    asys.ask_as::<R>(to, msg, ANSWER)?
        .ok_or_else(|| format!("no {} answer within {ANSWER:?}", std::any::type_name::<R>()).into())
}

/// Fails if anything arrives at this endpoint within [`NO_ANSWER`].
pub fn quiet(endpoint: &ActorSystem) -> TestResult {
    match endpoint.listen(NO_ANSWER)? {
        None => Ok(()),
        Some(unexpected) => Err(format!("unexpected message: {unexpected:?}").into()),
    }
}

/// Starts a system of the named base, leaving the test runner's logging alone.
pub fn system(base: &str) -> ActorSystem {
    match ActorSystem::builder().base(base).logging(Logging::Off).build() {
        Ok(asys) => asys,
        Err(e) => panic!("cannot start a {base} system: {e}"),
    }
}

/// Runs `body` on a fresh system of `base`, and shuts it down afterwards.
pub fn run(base: &str, body: fn(&ActorSystem) -> TestResult) {
    let asys = system(base);
    let outcome = body(&asys);
    let down = asys.shutdown();
    if let Err(e) = outcome {
        panic!("on {base}: {e}");
    }
    if let Err(e) = down {
        panic!("on {base}: shutdown failed: {e}");
    }
}

/// Defines a test that runs on every base that supports the behaviour:
///
/// ```ignore
/// on_every_base! {
///     fn spec_4_4_poison_after_second_failure(asys) {
///         ...
///         Ok(())
///     }
/// }
/// ```
///
/// expands to a module `spec_4_4_poison_after_second_failure` with one `#[test]` per base
/// (`simple_system_base`, and the multi-process bases as they land).
#[macro_export]
macro_rules! on_every_base {
    ($(fn $name:ident($asys:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($asys: &thespian::ActorSystem) -> $crate::common::TestResult $body

            #[test]
            fn simple_system_base() {
                $crate::common::run("simpleSystemBase", body);
            }
        }
    )*};
}
