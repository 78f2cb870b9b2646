//! Drift guard for `docs/errors.md`, the catalogue of bad input: every row
//! names a test that exists and whose file holds the row's message (or the
//! part of it the row marks), so neither the catalogue nor the tests can
//! change without the other. The conventions are in the catalogue's
//! "How this file is checked" section.

use std::path::{Path, PathBuf};

use aiperf_test_support::markdown::{cells, code_spans};

const CATALOGUE: &str = include_str!("../../docs/errors.md");
const HEADER: [&str; 4] = ["Input", "Message", "Exit", "Test"];
/// The catalogue's groups; each must have rows.
const GROUPS: [&str; 5] = [
    "## (a) Names",
    "## (b) Environment variables",
    "## (c) Config files",
    "## (d) HTTP responses",
    "## (e) Registry problems",
];

/// One table row, with where it is in the catalogue.
#[derive(Debug)]
struct Row {
    line: usize,
    group: String,
    cells: Vec<String>,
}

/// The workspace root (this crate is `cli/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ is inside the workspace")
        .to_owned()
}

/// Every row of every catalogue table, with the group heading above it.
fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut group = String::new();
    let mut in_table = false;
    for (i, line) in CATALOGUE.lines().enumerate() {
        if line.starts_with("## ") {
            group = line.to_owned();
        }
        if !line.trim_start().starts_with('|') {
            in_table = false;
            continue;
        }
        let cells = cells(line);
        if cells == HEADER {
            in_table = true;
            continue;
        }
        if in_table
            && !cells
                .iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            rows.push(Row {
                line: i + 1,
                group: group.clone(),
                cells,
            });
        }
    }
    rows
}

/// Source text with Rust's `\`-newline string continuations removed (they
/// and the next line's leading blanks are not part of the string).
fn without_continuations(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("\\\n") {
        out.push_str(&rest[..at]);
        rest = rest[at + 2..].trim_start_matches([' ', '\t', '\n', '\r']);
    }
    out.push_str(rest);
    out
}

/// The ways a source file may spell `text`: as is (raw strings, plain
/// text), as a Rust string literal, and either with `format!` braces.
fn spellings(text: &str) -> Vec<String> {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    let braces = |s: &str| s.replace('{', "{{").replace('}', "}}");
    vec![text.to_owned(), braces(text), braces(&escaped), escaped]
}

/// Whether `source` has a `#[test]` function `name` (attributes and doc
/// comments may stand between the attribute and the `fn`).
fn has_test_fn(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        let declares = line
            .trim_start()
            .strip_prefix("fn ")
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with('('));
        declares
            && lines[..i]
                .iter()
                .rev()
                .map(|l| l.trim())
                .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
                .any(|l| l == "#[test]")
    })
}

/// What is wrong with one row, if anything.
fn check(row: &Row) -> Result<(), String> {
    let [_input, message, exit, test] = row.cells.as_slice() else {
        return Err(format!("{} cells, not 4", row.cells.len()));
    };
    let message = code_spans(message)
        .into_iter()
        .next()
        .ok_or("the Message cell has no code span")?;
    if exit.is_empty() {
        return Err("the Exit cell is empty".into());
    }
    let test = code_spans(test);
    let target = test.first().ok_or("the Test cell has no code span")?;
    let (path, name) = target
        .rsplit_once("::")
        .ok_or_else(|| format!("{target:?} is not path/to/file.rs::test_fn_name"))?;
    let checked = test.get(1).unwrap_or(&message);
    if checked.trim().is_empty() {
        return Err("the checked text is empty".into());
    }
    if !message.contains(*checked) {
        return Err(format!(
            "the checked text {checked:?} is not part of the message {message:?}"
        ));
    }
    let source = std::fs::read_to_string(root().join(path))
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if !has_test_fn(&source, name) {
        return Err(format!("{path} has no #[test] fn {name}"));
    }
    let source = without_continuations(&source);
    if !spellings(checked)
        .iter()
        .any(|s| source.contains(s.as_str()))
    {
        return Err(format!("{path} does not contain {checked:?}"));
    }
    Ok(())
}

#[test]
fn every_row_names_a_test_that_checks_its_message() {
    let rows = rows();
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            check(row)
                .err()
                .map(|e| format!("docs/errors.md:{}: {e}", row.line))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows drifted:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn every_group_has_rows() {
    let rows = rows();
    for group in GROUPS {
        let count = rows.iter().filter(|r| r.group.starts_with(group)).count();
        assert!(count >= 3, "{group:?} has {count} rows");
    }
    assert_eq!(
        rows.iter()
            .filter(|r| !GROUPS.iter().any(|g| r.group.starts_with(g)))
            .count(),
        0,
        "rows outside the groups"
    );
}

/// The checker itself: the spellings it accepts (its Markdown reading is
/// tested in `aiperf-test-support`).
#[test]
fn the_checker_reads_rust_as_written() {
    assert_eq!(
        without_continuations("\"one \\\n         two\""),
        "\"one two\""
    );
    let source = r#"assert!(e.contains("say \"hi\" {{now}}"));"#;
    assert!(
        spellings(r#"say "hi" {now}"#)
            .iter()
            .any(|s| source.contains(s.as_str()))
    );
    let test = "/// doc\n#[test]\n#[cfg(unix)]\nfn named() {}\nfn helper() {}\n";
    assert!(has_test_fn(test, "named"));
    assert!(!has_test_fn(test, "helper"));
    assert!(!has_test_fn(test, "name"));
}
