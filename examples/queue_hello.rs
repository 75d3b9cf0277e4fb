//! A system on `multiprocQueueBase` (usage guide §9.3): every actor in a process of its own,
//! the system private to this program and gone when it ends.
//!
//! ```sh
//! cargo run --example queue_hello
//! ```

use std::time::Duration;

use thespian::prelude::*;

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

fn main() -> Result<(), ActorSystemError> {
    thespian::init();
    // ANCHOR: start
    let asys = ActorSystem::builder().base("multiprocQueueBase").build()?;
    let caps = asys.capabilities()?;
    // No Admin Port: the admin is reached by this program only.
    assert!(caps.get("Admin Port").is_none());
    let admin = caps.get("Admin Address").map_or_else(|| "?".to_string(), ToString::to_string);
    println!("this program is process {}; the admin's address is {admin}", std::process::id());
    // ANCHOR_END: start

    // ANCHOR: greet
    for name in ["Ada", "Grace"] {
        let greeter = asys.create_actor::<Greeter>()?;
        let reply: Option<String> = asys.ask_as(&greeter, name.to_string(), Duration::from_secs(10))?;
        println!("{}", reply.unwrap_or_else(|| format!("{name}'s greeter did not answer")));
    }
    // Dropping `asys` would end the system too: it lives as long as this program.
    asys.shutdown()
    // ANCHOR_END: greet
}
