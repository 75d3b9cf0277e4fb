//! Message type names are unique (DESIGN §3: a message travels as its registered name): two
//! types registered under one name stop every system of the program from starting.
//!
//! A test binary of its own, because the clash below is in every system this program starts.

use thespian::prelude::*;

/// The name both [`first::Twin`] and [`second::Twin`] are registered under.
const CLASHING_NAME: &str = "name_clash::Twin";

mod first {
    use super::*;

    /// One message type registered as `name_clash::Twin`.
    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(name = "name_clash::Twin")]
    pub(crate) struct Twin(pub(crate) u8);
}

mod second {
    use super::*;

    /// Another message type registered under the same name.
    #[derive(Debug, Serialize, Deserialize, Message)]
    #[message(name = "name_clash::Twin")]
    pub(crate) struct Twin(pub(crate) String);
}

/// Checks that `result` is the start-up failure naming the clash.
fn assert_clash(result: Result<ActorSystem, ActorSystemError>) {
    let err = match result {
        Ok(asys) => panic!("a system started although two message types share a name: {asys:?}"),
        Err(err) => err,
    };
    assert!(matches!(err, ActorSystemError::ActorSystemStartupFailure { .. }), "{err:?}");
    assert_eq!(err.code(), thespian::codes::T0007, "{err}");
    let text = err.to_string();
    assert!(text.starts_with("error[T0007]: ActorSystemStartupFailure: "), "{text}");
    assert!(text.contains(&format!("`{CLASHING_NAME}`")), "the text names the clashing name: {text}");
    for rust_type in [std::any::type_name::<first::Twin>(), std::any::type_name::<second::Twin>()] {
        assert!(text.contains(&format!("`{rust_type}`")), "the text names `{rust_type}`: {text}");
    }
    assert!(text.contains("#[message(name"), "the text says how to fix it: {text}");
}

#[test]
fn design_3_two_message_types_under_one_name_fail_start_up() {
    // Both types are in use: the clash is not about dead code.
    assert_eq!(first::Twin(1).message_type_name(), CLASHING_NAME);
    assert_eq!(second::Twin(String::new()).message_type_name(), CLASHING_NAME);
    assert_clash(ActorSystem::builder().logging(Logging::Off).build());
    assert_clash(ActorSystem::new());
    // Every later attempt fails the same way.
    assert_clash(ActorSystem::builder().base("simpleSystemBase").logging(Logging::Off).build());
}
