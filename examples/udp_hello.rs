//! A system on `multiprocUDPBase` (usage guide §9.5): every actor in a process of its own,
//! each with a UDP socket, one message per datagram, delivery confirmed. A message too large
//! for one datagram is refused when it is sent, never dropped on the way.
//!
//! ```sh
//! cargo run --example udp_hello
//! ```

use std::time::Duration;

use thespian::prelude::*;
use thespian::wire::WireError;

const WAIT: Duration = Duration::from_secs(10);

/// Answers a name with a greeting and the process it runs in.
#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn greet(&mut self, name: &String, sender: &ActorAddress, ctx: &mut ActorContext<'_>) {
        ctx.send(sender, format!("Hello, {name}! (from process {})", std::process::id()));
    }
}

/// Bytes, sent as one block.
#[derive(Debug, Serialize, Deserialize, Message)]
struct Blob(Vec<u8>);

fn main() -> Result<(), ActorSystemError> {
    thespian::init();
    // ANCHOR: start
    // The Admin Port is UDP port 1029 by default; this demo takes a free one, and the
    // system ends with this program.
    let asys = ActorSystem::builder().base("multiprocUDPBase").admin_port(0).shutdown_on_drop(true).build()?;
    let port = asys.capabilities()?.get("Admin Port").map_or_else(|| "?".to_string(), ToString::to_string);
    println!("this program is process {}; the admin listens on UDP port {port}", std::process::id());
    // ANCHOR_END: start

    // ANCHOR: greet
    let greeter = asys.create_actor::<Greeter>()?;
    for name in ["Ada", "Grace"] {
        let reply: Option<String> = asys.ask_as(&greeter, name.to_string(), WAIT)?;
        println!("{}", reply.unwrap_or_else(|| format!("the greeter did not answer {name}")));
    }
    // ANCHOR_END: greet

    // ANCHOR: limit
    // One message, one datagram: 70 000 bytes do not fit, and the send says so.
    match asys.tell(&greeter, Blob(vec![0; 70_000])) {
        Err(ActorSystemError::Wire(WireError::TooLarge { size, limit })) => {
            println!("refused: a message of {size} bytes, over the {limit}-byte datagram limit");
        }
        other => println!("unexpected: {other:?}"),
    }
    // ANCHOR_END: limit
    asys.shutdown()
}
