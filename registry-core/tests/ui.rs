//! Compile-fail cases: every misuse of the registration macros is rejected
//! at compile time with a message that points at the mistake.
//!
//! The `.stderr` files hold the wording of the toolchain CI uses (rustc
//! 1.95); other compiler versions word rustc's own diagnostics differently,
//! so regenerate them with `TRYBUILD=overwrite` after a toolchain upgrade and
//! review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
