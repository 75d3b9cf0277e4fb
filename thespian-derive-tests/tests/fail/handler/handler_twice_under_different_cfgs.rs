use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[cfg(all())]
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}

    #[cfg(not(any()))]
    #[handler(String)]
    fn on_other_text(&mut self, _msg: &String) {}
}

fn main() {}
