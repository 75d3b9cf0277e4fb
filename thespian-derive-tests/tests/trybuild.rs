//! Runs the compile-pass and compile-fail cases under `tests/pass` and `tests/fail`.

#[test]
fn macros_compile_pass_and_fail() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*/*.rs");
}
