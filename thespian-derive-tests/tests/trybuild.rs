//! Runs the compile-pass and compile-fail cases under `tests/pass` and `tests/fail`.

#[test]
fn macros_compile_pass_and_fail() {
    // trybuild colours its own report unless told not to: a log or a pipe gets no escapes.
    std::env::set_var("NO_COLOR", "1");
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*/*.rs");
}
