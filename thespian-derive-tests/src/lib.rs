//! Compile-pass and compile-fail tests of the `thespian` macros; see `tests/`.
