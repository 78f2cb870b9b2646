//! Compile-fail cases: every misuse of the registration macros is rejected
//! at compile time with a message that points at the mistake.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
