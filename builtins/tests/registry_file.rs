//! `src/aiperf_registry.rs` is the single source of truth: every
//! builtin implementation has exactly one line there, every line names a
//! builtin, and no other file registers anything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use registry_core::Origin;

use aiperf_builtins as _;

const REGISTRY_FILE: &str = "src/aiperf_registry.rs";

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(category type, implementing type)` of every `impl Implementation<C> for T`.
fn implementations() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    source_files(&crate_root().join("src"), &mut files);
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Join lines so an impl header split by rustfmt is still one string.
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for (at, _) in text.match_indices("Implementation<") {
            // Only impl headers: `impl Implementation<`, `impl path::Implementation<`,
            // `impl<T: ..> Implementation<` (not bounds like `T: Implementation<C>`).
            let Some((_, between)) = text[..at].rsplit_once("impl") else {
                continue;
            };
            let between = between.trim();
            let generics_closed = between.starts_with('<') && between.contains('>');
            let path = between.rsplit('>').next().unwrap_or(between).trim();
            let is_header = (between.is_empty() || generics_closed || path.ends_with("::"))
                && !between.contains(['{', '}', ';', '(']);
            if !is_header {
                continue;
            }
            let rest = &text[at + "Implementation<".len()..];
            let (category, rest) = rest.split_once('>').unwrap();
            let ty = rest.trim_start().strip_prefix("for ").unwrap_or_else(|| {
                panic!("unexpected impl header in {}: {rest:.60}", file.display())
            });
            let ty = ty.split([' ', '{', '<']).next().unwrap();
            found.insert((category.trim().to_owned(), ty.to_owned()));
        }
    }
    found
}

/// `(category type, last segment of the type path)` of every registry line.
fn registry_lines() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(crate_root().join(REGISTRY_FILE)).unwrap();
    text.lines()
        .filter(|line| line.starts_with("register_lazy!("))
        .map(|line| {
            assert!(line.ends_with(");"), "one registration per line: {line}");
            let args: Vec<&str> = line["register_lazy!(".len()..line.len() - ");".len()]
                .split(',')
                .map(str::trim)
                .collect();
            let ty = args[2].rsplit("::").next().unwrap();
            assert!(
                args.contains(&"origin = builtin"),
                "a builtin line must say `origin = builtin`: {line}"
            );
            (args[0].to_owned(), ty.to_owned())
        })
        .collect()
}

#[test]
fn every_builtin_is_registered_once_and_every_line_is_a_builtin() {
    let implementations = implementations();
    assert!(implementations.len() >= 10, "{implementations:?}");
    let lines = registry_lines();
    let registered: BTreeSet<(String, String)> = lines.iter().cloned().collect();
    let missing: Vec<_> = implementations.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "builtins without a line in {REGISTRY_FILE}: {missing:?}"
    );
    let unknown: Vec<_> = registered.difference(&implementations).collect();
    assert!(
        unknown.is_empty(),
        "lines in {REGISTRY_FILE} naming no `impl Implementation<..> for ..` in src/: {unknown:?}"
    );
    assert_eq!(
        lines.len(),
        registered.len(),
        "an implementation is registered twice in {REGISTRY_FILE}"
    );
}

#[test]
fn implementation_files_contain_no_registration_code() {
    let mut files = Vec::new();
    source_files(&crate_root().join("src"), &mut files);
    for file in files {
        if file.ends_with(REGISTRY_FILE) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in ["register_lazy!", "#[register", "#[registry_core::register"] {
            assert!(
                !text.contains(needle),
                "{} contains `{needle}`: builtins are registered in {REGISTRY_FILE} only",
                file.display()
            );
        }
    }
}

#[test]
fn the_linked_registry_holds_exactly_the_file_s_lines_all_builtin() {
    let ours: Vec<_> = registry_core::categories()
        .into_iter()
        .flat_map(|c| {
            c.list_names()
                .iter()
                .flat_map(move |n| c.list_implementations(n).unwrap())
        })
        .filter(|c| c.registration().info().package().name() == "aiperf-builtins")
        .collect();
    assert_eq!(ours.len(), registry_lines().len());
    for candidate in ours {
        let info = candidate.registration().info();
        assert_eq!(info.origin(), Origin::Builtin, "{info:?}");
        assert_eq!(
            info.module_path(),
            "aiperf_builtins::aiperf_registry",
            "{info:?}"
        );
        assert!(
            !info.description().is_empty(),
            "{info:?} has no description"
        );
    }
}
