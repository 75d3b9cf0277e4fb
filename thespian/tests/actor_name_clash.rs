//! Actor type names are unique (spec §5.3: an actor may be created from its name): two actor
//! types registered under one name stop every system of the program from starting, rather
//! than `create_actor_by_name` picking one of them silently.
//!
//! A test binary of its own, because the clash below is in every system this program starts.

use thespian::prelude::*;

/// Defines, inside a function body, an actor type called `Worker`: `#[actor]` registers it as
/// `actor_name_clash::Worker`, the module it is written in, whichever function holds it.
macro_rules! local_worker {
    ($holder:ident) => {
        /// Holds a local `Worker` actor type.
        #[allow(dead_code)]
        fn $holder() -> &'static str {
            #[derive(Default)]
            struct Worker;

            #[actor]
            impl Worker {
                #[handler(String)]
                fn on_text(&mut self, _text: &String) {}
            }

            std::any::type_name::<Worker>()
        }
    };
}

local_worker!(first);
local_worker!(second);

#[test]
fn spec_5_3_two_actor_types_under_one_name_stop_the_system_from_starting() {
    let err = match ActorSystem::builder().logging(Logging::Off).build() {
        Ok(asys) => panic!("a system started although two actor types share a name: {asys:?}"),
        Err(err) => err,
    };
    assert_eq!(err.code(), thespian::codes::T0007, "{err}");
    let text = err.to_string();
    assert!(text.contains("`actor_name_clash::Worker`"), "the text names the clashing name: {text}");
    for rust_type in [first(), second()] {
        assert!(text.contains(rust_type), "the text names `{rust_type}`: {text}");
    }
    assert!(text.contains("different modules"), "the text says how to fix it: {text}");
}
