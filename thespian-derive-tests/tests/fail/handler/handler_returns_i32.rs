use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, msg: &String) -> i32 {
        msg.len() as i32
    }
}

fn main() {}
