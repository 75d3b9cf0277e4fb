use thespian::prelude::*;

#[derive(Debug)]
struct Plain;

fn main() {
    let asys = ActorSystem::new().expect("system");
    let addr = asys.my_address().clone();
    let _ = asys.tell(&addr, Plain);
}
