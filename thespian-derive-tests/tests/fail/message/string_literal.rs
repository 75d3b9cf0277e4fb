use thespian::prelude::*;

fn main() {
    let asys = ActorSystem::new().expect("system");
    let addr = asys.my_address().clone();
    // A string literal is a `&str`, not a `String`.
    let _ = asys.tell(&addr, "hello");
}
