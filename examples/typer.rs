//! Routing by message type (usage guide §5.17): the `Typer` actor answers strings, integers,
//! one message type of its own and a whole family of messages, each with its own handler.
//!
//! Run it with `cargo run --example typer`.

use thespian::prelude::*;
use thespian_examples::typer::{ask_text, LongMsg, ShortMsg, Typer};

fn main() -> Result<(), ActorSystemError> {
    let asys = ActorSystem::new()?;

    // ANCHOR: ask
    let typer = asys.create_actor::<Typer>()?;
    let answers = [
        ("1_i64", ask_text(&asys, &typer, 1_i64)?),
        ("\"1\"", ask_text(&asys, &typer, "1".to_string())?),
        ("LongMsg", ask_text(&asys, &typer, LongMsg)?),
        ("ShortMsg", ask_text(&asys, &typer, ShortMsg::default())?),
    ];
    for (sent, answer) in &answers {
        println!("{sent:>10} -> {answer}");
    }
    assert_eq!(
        answers.map(|(_, answer)| answer),
        ["Got an int", "Got a string", "Got a long message", "Got a message"]
    );
    // ANCHOR_END: ask

    // ANCHOR: not_handled
    // No handler takes an `i32` or an `f64`, and `Typer` has no fallback: both are dropped.
    let plain_one = ask_text(&asys, &typer, 1)?;
    let float = ask_text(&asys, &typer, 1.0)?;
    println!("{:>10} -> {plain_one}", "1");
    println!("{:>10} -> {float}", "1.0");
    assert_eq!((plain_one.as_str(), float.as_str()), ("(no answer)", "(no answer)"));
    // ANCHOR_END: not_handled

    // ANCHOR: by_name
    // `#[actor]` registers the type under its module-qualified name.
    let by_name = asys.create_actor_by_name("thespian_examples::typer::Typer")?;
    let answer = ask_text(&asys, &by_name, LongMsg)?;
    println!("created by name, it says: {answer}");
    assert_eq!(answer, "Got a long message");
    // ANCHOR_END: by_name

    asys.shutdown()
}
