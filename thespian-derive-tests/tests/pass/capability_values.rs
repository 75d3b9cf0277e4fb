//! `#[require_capability("Name", value)]` compares with the `CapValue` the literal stands for
//! (spec §5.12.1): integers are `CapValue::Int(i64)` and floats `CapValue::Float(f64)`, whatever
//! suffix they are written with, and the whole `i64` range can be written. Values compare as
//! Python's `==` does (`CapValue::py_eq`).

use thespian::prelude::*;

#[derive(Default)]
struct Picky;

#[require_capability("Big", 5000000000i64)]
#[require_capability("Unsigned", 5u64)]
#[require_capability("Lowest", -9223372036854775808)]
#[require_capability("Ratio", 1.5f32)]
#[require_capability("Whole float", 2f64)]
#[require_capability("Negative", -0.25)]
#[require_capability("Color", "Yellow")]
#[require_capability("Lit", true)]
#[require_capability("Present")]
#[actor]
impl Picky {}

fn main() {
    let mut caps = Capabilities::new();
    caps.insert("Big", 5_000_000_000_i64);
    caps.insert("Unsigned", 5);
    caps.insert("Lowest", i64::MIN);
    caps.insert("Ratio", 1.5);
    caps.insert("Whole float", 2.0);
    caps.insert("Negative", -0.25);
    caps.insert("Color", "Yellow");
    caps.insert("Lit", true);
    caps.insert("Present", 1);
    assert_eq!(<Picky as Actor>::capability_check(&caps, None), Ok(()));

    // Compared as Python's `==`: an integer equal to the float required passes, and so does
    // `true` where `1` is required; another number fails, printed as Python would.
    caps.insert("Whole float", 2);
    caps.insert("Unsigned", 5.0);
    assert_eq!(<Picky as Actor>::capability_check(&caps, None), Ok(()));
    caps.insert("Whole float", 3);
    let why = <Picky as Actor>::capability_check(&caps, None).expect_err("3 is not 2.0");
    assert_eq!(why, "capability \"Whole float\" is not 2.0");
}
