//! Who may depend on whom (`docs/architecture.md`, "Crates"), checked on the
//! real dependency graph: `cargo tree -e normal` of each crate, so
//! dev-dependencies (a plugin's tests may link the builtins) do not count.

use std::collections::BTreeSet;
use std::process::Command;

/// The packages in `package`'s normal (non-dev, non-build) dependency tree.
fn normal_dependencies(package: &str) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-f",
            "{p}",
        ])
        .args(["-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        output.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != package)
        .map(str::to_owned)
        .collect()
}

/// What no plugin crate may pull in: the engine, the builtins, the YAML
/// parser, and an HTTP client it does not use itself.
const NEVER_IN_A_PLUGIN: [&str; 3] = ["aiperf-engine", "aiperf-builtins", "serde-saphyr"];
const HTTP_CLIENTS: [&str; 4] = ["ureq", "reqwest", "hyper", "hyper-util"];

fn assert_absent(package: &str, forbidden: &[&str]) {
    let tree = normal_dependencies(package);
    let found: Vec<&&str> = forbidden.iter().filter(|f| tree.contains(**f)).collect();
    assert!(
        found.is_empty(),
        "{package} depends (normal dependencies) on {found:?}; see docs/architecture.md for \
         who may depend on whom"
    );
}

#[test]
fn plugin_crates_depend_on_the_plugin_api_only() {
    for plugin in [
        "aiperf-plugin-nvidia-optimized",
        "aiperf-plugin-adaptive-rate",
        "aiperf-plugin-prometheus",
        "aiperf-plugin-uniform-arrivals",
        "aiperf-plugin-hf-tokenizers",
    ] {
        let tree = normal_dependencies(plugin);
        assert!(tree.contains("aiperf-plugin-api"), "{plugin}: {tree:?}");
        assert_absent(plugin, &NEVER_IN_A_PLUGIN);
    }
    // Only the Pushgateway hook talks HTTP, with the client it chose.
    assert_absent("aiperf-plugin-nvidia-optimized", &HTTP_CLIENTS);
    assert_absent("aiperf-plugin-adaptive-rate", &HTTP_CLIENTS);
    assert_absent("aiperf-plugin-uniform-arrivals", &HTTP_CLIENTS);
    assert_absent("aiperf-plugin-hf-tokenizers", &HTTP_CLIENTS);
    assert!(normal_dependencies("aiperf-plugin-prometheus").contains("ureq"));
}

#[test]
fn the_plugin_api_builtins_and_engine_point_one_way() {
    // The plugin API is the bottom of the AIPerf crates.
    assert_absent(
        "aiperf-plugin-api",
        &[
            "aiperf-engine",
            "aiperf-builtins",
            "serde-saphyr",
            "ureq",
            "hyper",
            "tokio",
        ],
    );
    // Builtins are implementations: they cannot reach the engine or the
    // config file format.
    assert_absent("aiperf-builtins", &["aiperf-engine", "serde-saphyr"]);
    // The engine creates parts by name: it cannot name an implementation.
    assert_absent(
        "aiperf-engine",
        &["aiperf-builtins", "ureq", "hyper", "rustls"],
    );
    // The binary links all three.
    let cli = normal_dependencies("aiperf-cli");
    for part in ["aiperf-engine", "aiperf-builtins", "aiperf-plugin-api"] {
        assert!(cli.contains(part), "aiperf-cli lacks {part}");
    }
}

#[test]
fn the_check_sees_a_dependency_that_is_there() {
    // Guards the parsing above: a forbidden name that is present is found.
    let tree = normal_dependencies("aiperf-builtins");
    assert!(
        tree.contains("aiperf-plugin-api") && tree.contains("hyper"),
        "{tree:?}"
    );
}
