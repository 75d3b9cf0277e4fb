use thespian::prelude::*;

#[derive(Default)]
struct Greeter<T> {
    last: Option<T>,
}

#[actor]
impl<T: Message + Clone> Greeter<T> {
    #[handler(String)]
    fn on_text(&mut self, _msg: &String) {}
}

fn main() {}
