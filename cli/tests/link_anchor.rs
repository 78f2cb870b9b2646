//! The linking guard of the binary: every Cargo feature that enables a
//! plugin crate must also link it (`src/linked.rs`), or the crate's
//! registrations vanish without a sound. These checks fail when a feature
//! is added to `Cargo.toml` without its anchor and its `LINKED_CRATES` entry.

use aiperf_cli::linked::LINKED_CRATES;

/// `feature = ["dep:crate"]` lines of cli/Cargo.toml's `[features]`.
fn plugin_features() -> Vec<(String, String)> {
    let manifest = include_str!("../Cargo.toml");
    let features = manifest
        .split("[features]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("cli/Cargo.toml has a [features] table");
    features
        .lines()
        .filter_map(|line| {
            let (feature, value) = line.split_once('=')?;
            let dep = value.split("\"dep:").nth(1)?.split('"').next()?;
            Some((feature.trim().to_owned(), dep.to_owned()))
        })
        .collect()
}

#[test]
fn every_plugin_feature_has_a_link_anchor_and_a_linked_crates_entry() {
    let features = plugin_features();
    assert!(features.len() >= 3, "{features:?}");
    let anchors = include_str!("../src/linked.rs");
    for (feature, krate) in &features {
        let module = krate.replace('-', "_");
        let anchor = format!("#[cfg(feature = \"{feature}\")]\nuse {module} as _;");
        assert!(
            anchors.contains(&anchor),
            "feature `{feature}` enables `{krate}` but src/linked.rs lacks its anchor:\n{anchor}"
        );
        let entry = format!("#[cfg(feature = \"{feature}\")]\n    \"{krate}\",");
        assert!(
            anchors.contains(&entry),
            "feature `{feature}`: LINKED_CRATES lacks `{krate}`:\n{entry}"
        );
    }
}

/// In this build, each crate the enabled features name really contributed
/// registrations (what the binary checks at start-up).
#[test]
fn the_crates_of_the_enabled_features_are_linked() {
    registry_core::require_linked(LINKED_CRATES.iter().copied()).unwrap();
    let enabled = plugin_features()
        .into_iter()
        .filter(|(_, krate)| LINKED_CRATES.contains(&krate.as_str()))
        .count();
    let expected = [
        cfg!(feature = "nvidia-optimized"),
        cfg!(feature = "prometheus"),
        cfg!(feature = "adaptive-rate"),
        cfg!(feature = "uniform-arrivals"),
        cfg!(feature = "hf-tokenizers"),
    ]
    .into_iter()
    .filter(|&on| on)
    .count();
    assert_eq!(enabled, expected);
}

/// `target/debug/examples/NAME` next to this test's `deps/` directory
/// (`cargo test` builds the examples).
fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples")
        .join(name)
}

/// A downstream binary names the plugin crates it links with `main_with`:
/// a forgotten anchor then fails `--validate` and every command, naming
/// the crate, instead of passing silently.
#[test]
fn a_crate_named_in_main_with_but_not_linked_is_an_error() {
    let binary = example("downstream");
    assert!(binary.exists(), "{} was not built", binary.display());
    let run = |args: &[&str]| {
        let output = std::process::Command::new(&binary)
            .args(args)
            .env_remove("AIPERF_PLUGIN_CRATES")
            .env_remove("AIPERF_USE")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, stdout, _) = run(&["plugins", "--validate"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("my-timing-plugin"), "{stdout}");
    assert!(
        stdout.contains("linked crates checked: aiperf-builtins, ")
            && stdout.contains("my-timing-plugin (a crate linked without"),
        "{stdout}"
    );
    let (code, _, stderr) = run(&["plugins"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("my-timing-plugin"), "{stderr}");
}
