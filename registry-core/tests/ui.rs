//! Compile-fail cases: every misuse of the registration macros is rejected
//! at compile time with a message that points at the mistake.
//!
//! The `.stderr` files hold the wording of the toolchain CI uses (rustc
//! 1.95); other compiler versions word rustc's own diagnostics differently,
//! so regenerate them with `TRYBUILD=overwrite` after a toolchain upgrade and
//! review the diff.

use std::path::{Path, PathBuf};

use aiperf_test_support::markdown::code_spans;

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "runs cargo; a WASI program cannot start processes"
)]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

/// The workspace root (this crate is `registry-core/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("registry-core/ is inside the workspace")
        .to_owned()
}

/// `docs/errors.md`'s "Compile-time messages" section lists every case here
/// with the first line of its `.stderr`: the catalogue of macro misuse
/// cannot drift from the cases, nor miss one.
#[test]
fn the_catalogue_lists_every_case_with_its_first_line() {
    let catalogue = std::fs::read_to_string(root().join("docs/errors.md")).unwrap();
    let section = catalogue
        .split("\n## Compile-time messages\n")
        .nth(1)
        .expect("docs/errors.md has a \"Compile-time messages\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut listed = Vec::new();
    let mut failures = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let [_misuse, message, case] = cells.as_slice() else {
            failures.push(format!("not 3 cells: {line}"));
            continue;
        };
        let (Some(&message), Some(&case)) = (code_spans(message).first(), code_spans(case).first())
        else {
            failures.push(format!("no message or case: {line}"));
            continue;
        };
        let stderr = root().join(case).with_extension("stderr");
        match std::fs::read_to_string(&stderr) {
            Ok(text) if text.lines().next() == Some(message) => {}
            Ok(text) => failures.push(format!(
                "{case}: the row says {message:?}, the first line is {:?}",
                text.lines().next()
            )),
            Err(e) => failures.push(format!("{}: {e}", stderr.display())),
        }
        listed.push(case.rsplit('/').next().unwrap_or(case).to_owned());
    }
    let mut cases: Vec<String> = std::fs::read_dir(root().join("registry-core/tests/ui"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".rs"))
        .collect();
    cases.sort();
    listed.sort();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        listed, cases,
        "every case has one row, and every row a case"
    );
}
