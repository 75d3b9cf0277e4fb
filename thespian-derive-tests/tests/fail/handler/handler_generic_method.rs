use thespian::prelude::*;

#[derive(Default)]
struct Greeter;

#[actor]
impl Greeter {
    #[handler(String)]
    fn on_text<T: Default>(&mut self, _msg: &String) {}
}

fn main() {}
