//! `aiperf plugins` as a user runs it: the real binary, its exit codes, and
//! its JSON compared with the registry this test links. The test links the
//! CLI library, so it sees exactly the crates the binary links, for
//! whichever features this test was built with (CI builds none and
//! `all-plugins`).

use std::process::Command;

use registry_core::Origin;
use serde_json::Value;

use aiperf_cli as _;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn aiperf(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aiperf"));
    command.args(args);
    for var in ["AIPERF_USE", "AIPERF_PLUGIN_CRATES", "AIPERF_LOG"] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("the aiperf binary runs");
    Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(args: &[&str]) -> Value {
    let run = aiperf(args, &[]);
    assert_eq!(run.code, 0, "aiperf {args:?} failed: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The keys the issue promises on every registration object.
fn assert_registration_shape(r: &Value) {
    for key in [
        "category",
        "name",
        "identifier",
        "crate",
        "version",
        "type_path",
        "description",
    ] {
        assert!(r[key].is_string(), "{key} in {r}");
    }
    assert!(
        matches!(r["origin"].as_str(), Some("builtin" | "plugin")),
        "{r}"
    );
    assert!(r["priority"].is_i64(), "{r}");
    assert!(r["selected"].is_boolean(), "{r}");
}

#[test]
fn all_json_matches_the_linked_registry() {
    let listed = json(&["plugins", "--all", "--json"]);
    let listed = listed.as_array().unwrap();
    let expected: Vec<_> = registry_core::categories()
        .into_iter()
        .filter(|c| !c.info().internal())
        .collect();
    assert_eq!(listed.len(), expected.len());
    for (view, category) in listed.iter().zip(expected) {
        assert_eq!(view["category"], category.info().name());
        assert_eq!(view["title"], category.info().title());
        let names: Vec<&str> = view["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, category.list_names());
        for name_view in view["names"].as_array().unwrap() {
            let name = name_view["name"].as_str().unwrap();
            let selection = category.selection(name).unwrap();
            let selected = selection.registration().info();
            assert_eq!(name_view["selected"], selected.identifier());
            assert_eq!(name_view["reason"], selection.reason().as_str());
            let candidates = category.list_implementations(name).unwrap();
            let implementations = name_view["implementations"].as_array().unwrap();
            assert_eq!(implementations.len(), candidates.len());
            for (json, candidate) in implementations.iter().zip(&candidates) {
                assert_registration_shape(json);
                let info = candidate.registration().info();
                assert_eq!(json["identifier"], info.identifier());
                assert_eq!(json["crate"], info.package().name());
                assert_eq!(json["selected"], candidate.is_selected());
                let origin = match info.origin() {
                    Origin::Builtin => "builtin",
                    Origin::Plugin => "plugin",
                };
                assert_eq!(json["origin"], origin);
            }
        }
    }
}

#[test]
fn packages_are_the_builtins_and_the_enabled_plugins() {
    let packages = json(&["plugins", "--json"]);
    let mut names: Vec<&str> = packages
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    let mut expected = aiperf_cli::linked::LINKED_CRATES.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected);
}

#[test]
fn detail_json_explains_the_selection() {
    let detail = json(&["plugins", "Timing-Strategy", "REQUEST-RATE", "--json"]);
    assert_eq!(detail["category"], "timing_strategy");
    assert_eq!(detail["name"], "request_rate");
    assert_eq!(detail["selected"], "constant_rate");
    assert_eq!(detail["reason"], "only_candidate");
    let implementations = detail["implementations"].as_array().unwrap();
    assert_eq!(implementations.len(), 1);
    assert_registration_shape(&implementations[0]);
    assert_eq!(implementations[0]["origin"], "builtin");
}

#[test]
fn an_override_from_the_environment_is_shown_as_the_reason() {
    let run = aiperf(
        &["plugins", "exporter", "csv", "--json"],
        &[("AIPERF_USE", "exporter.csv=csv_file")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let detail: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(detail["reason"], "environment");
}

#[test]
fn unknown_category_or_name_exits_1_with_suggestions() {
    let run = aiperf(&["plugins", "timing_stratgy"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains(r#"unknown category "timing_stratgy"; did you mean "timing_strategy"?"#),
        "{}",
        run.stderr
    );
    let run = aiperf(&["plugins", "ui", "simpel", "--json"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            r#"unknown ui name "simpel"; did you mean "simple"? available: none, simple"#
        ),
        "{}",
        run.stderr
    );
    let run = aiperf(&["plugins", "ui", "bad name!"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad name!"), "{}", run.stderr);
}

#[test]
fn validate_passes_on_a_clean_registry_and_fails_on_bad_settings() {
    let ok = aiperf(&["plugins", "--validate"], &[]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.starts_with("registry OK: "), "{}", ok.stdout);

    let run = aiperf(
        &["plugins", "--validate", "--json"],
        &[("AIPERF_USE", "ui.simple=fancy_progress")],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = problems[0].as_str().unwrap();
    assert!(
        problem.contains("fancy_progress") && problem.contains("simple_progress"),
        "names the bad identifier and the available one: {problem}"
    );

    let run = aiperf(&["plugins", "--validate"], &[("AIPERF_USE", "ui.simple")]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("AIPERF_USE"), "{}", run.stdout);
}

#[test]
fn a_bad_environment_is_an_error_for_every_command() {
    let run = aiperf(
        &["plugins", "--all"],
        &[("AIPERF_PLUGIN_CRATES", "not a crate")],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("AIPERF_PLUGIN_CRATES"),
        "{}",
        run.stderr
    );
}

#[test]
fn chat_resolves_according_to_the_linked_plugins() {
    let detail = json(&["plugins", "endpoint", "chat", "--json"]);
    let linked = cfg!(feature = "nvidia-optimized");
    let (selected, reason) = if linked {
        ("nvidia_optimized", "plugin_over_builtin")
    } else {
        ("openai_chat", "only_candidate")
    };
    assert_eq!(
        (detail["selected"].as_str(), detail["reason"].as_str()),
        (Some(selected), Some(reason))
    );
    let implementations = detail["implementations"].as_array().unwrap();
    let builtin = implementations
        .iter()
        .find(|i| i["identifier"] == "openai_chat")
        .expect("the builtin is always listed");
    assert_eq!(builtin["selected"], !linked);
    assert_eq!(implementations.len(), if linked { 2 } else { 1 });

    // The environment brings the builtin back without rebuilding.
    let run = aiperf(
        &["plugins", "endpoint", "chat", "--json"],
        &[("AIPERF_USE", "endpoint.chat=openai_chat")],
    );
    let detail: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(detail["selected"], "openai_chat");
    assert_eq!(detail["reason"], "environment");
}
