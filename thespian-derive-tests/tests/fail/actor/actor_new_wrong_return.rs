use thespian::prelude::*;

struct Greeter;

impl Greeter {
    fn build() -> Option<Self> {
        Some(Greeter)
    }
}

#[actor(new = Greeter::build)]
impl Greeter {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

fn main() {}
