//! `#[derive(Message)]` on structs and enums, with and without a name override.

use thespian::prelude::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Plain {
    text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
struct Unit;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
enum Command {
    Start,
    Stop { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Message)]
#[message(name = "stable::Renamed")]
struct Renamed(u32);

fn main() {
    let plain: Box<dyn Message> = Box::new(Plain { text: "hi".into() });
    assert!(plain.message_type_name().ends_with("::Plain"));
    assert!(!plain.is_system_message());
    assert_eq!(Renamed(1).message_type_name(), "stable::Renamed");
    assert!(Unit.message_type_name().ends_with("::Unit"));
    let cmd: Box<dyn Message> = Box::new(Command::Stop { reason: "done".into() });
    let back = thespian::wire::round_trip(cmd.as_ref()).expect("registered types round-trip");
    assert_eq!(back.downcast_ref::<Command>(), Some(&Command::Stop { reason: "done".into() }));
    let _ = Command::Start;
}
