//! `aiperf plugins` as a user runs it: the real binary, its exit codes, and
//! its JSON compared with the registry this test links. The test links the
//! CLI library, so it sees exactly the crates the binary links, for
//! whichever features this test was built with (CI builds none and
//! `all-plugins`).

mod common;

use registry_core::Origin;
use serde_json::Value;

use aiperf_cli as _;
use common::aiperf;

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
        &["plugins", "data_exporter", "csv", "--json"],
        &[("AIPERF_USE", "data_exporter.csv=csv_file")],
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
    // It says which crates it checked, not "all".
    let checked = format!(
        "linked crates checked: {} (a crate linked without being named here is not checked: \
         name it in main_with)\nplugin crates enabled: every linked one \
         (AIPERF_PLUGIN_CRATES is not set)\n",
        aiperf_cli::linked::LINKED_CRATES.join(", ")
    );
    assert!(ok.stdout.ends_with(&checked), "{}", ok.stdout);

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

/// The columns of a human table line up: every cell of a column starts at
/// the byte its header starts at.
fn assert_aligned(table: &str, header_start: &str, columns: &[&str]) {
    let lines: Vec<&str> = table.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.trim_start().starts_with(header_start))
        .unwrap_or_else(|| panic!("no header {header_start:?} in\n{table}"));
    let starts: Vec<usize> = columns
        .iter()
        .map(|c| lines[header].find(c).unwrap_or_else(|| panic!("{c}")))
        .collect();
    let rows: Vec<&str> = lines[header + 1..]
        .iter()
        .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with('('))
        .copied()
        .collect();
    assert!(!rows.is_empty(), "no rows under the header in\n{table}");
    for row in rows {
        for &start in &starts[1..] {
            let before = row.as_bytes().get(start - 1).copied();
            let at = row.as_bytes().get(start).copied();
            assert!(
                before == Some(b' ') && at.is_some_and(|b| b != b' '),
                "a cell does not start at byte {start}:\n{row}\n{}",
                lines[header]
            );
        }
    }
}

#[test]
fn human_output_is_aligned_tables_with_the_facts() {
    let run = aiperf(&["plugins"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_aligned(
        &run.stdout,
        "PACKAGE",
        &["PACKAGE", "VERSION", "REGISTRATIONS", "DESCRIPTION"],
    );
    assert!(run.stdout.contains("aiperf-builtins"), "{}", run.stdout);

    let run = aiperf(&["plugins", "--all"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for category in registry_core::categories() {
        let info = category.info();
        assert!(
            run.stdout
                .contains(&format!("{} ({})", info.title(), info.name())),
            "{}",
            run.stdout
        );
    }

    let run = aiperf(&["plugins", "UI"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("User interfaces (ui)") || run.stdout.contains("(ui)"));
    assert_aligned(
        &run.stdout,
        "NAME",
        &["NAME", "SELECTED", "CANDIDATES", "DESCRIPTION"],
    );
    assert!(run.stdout.contains("simple_progress"), "{}", run.stdout);

    let run = aiperf(&["plugins", "endpoint", "chat"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let selected = registry_core::category("endpoint")
        .unwrap()
        .selection("chat")
        .unwrap();
    let info = selected.registration().info();
    assert!(
        run.stdout.starts_with(&format!(
            "endpoint/chat: {} is selected ({}:",
            info.identifier(),
            selected.reason().as_str()
        )),
        "{}",
        run.stdout
    );
    assert_aligned(
        &run.stdout,
        "IDENTIFIER",
        &["IDENTIFIER", "ORIGIN", "PRIORITY", "CRATE", "TYPE PATH"],
    );
    assert!(run.stdout.contains(info.type_path()), "{}", run.stdout);
    // The typed metadata of the selected implementation.
    assert!(
        run.stdout
            .contains("endpoint_path       /v1/chat/completions"),
        "{}",
        run.stdout
    );
}

#[test]
fn category_json_lists_every_name_with_its_selection() {
    let view = json(&["plugins", "timing-strategy", "--json"]);
    let category = registry_core::category("timing_strategy").unwrap();
    assert_eq!(view["category"], "timing_strategy");
    assert_eq!(view["title"], category.info().title());
    let names = view["names"].as_array().unwrap();
    assert_eq!(names.len(), category.list_names().len());
    for (entry, &name) in names.iter().zip(category.list_names()) {
        assert_eq!(entry["name"], name);
        let selection = category.selection(name).unwrap();
        let info = selection.registration().info();
        assert_eq!(entry["selected"], info.identifier());
        assert_eq!(entry["reason"], selection.reason().as_str());
        let implementations = entry["implementations"].as_array().unwrap();
        for (view, candidate) in implementations
            .iter()
            .zip(category.list_implementations(name).unwrap())
        {
            assert_registration_shape(view);
            let info = candidate.registration().info();
            assert_eq!(view["identifier"], info.identifier());
            assert_eq!(view["crate"], info.package().name());
            assert_eq!(view["version"], info.package().version());
            assert_eq!(view["priority"], info.priority());
            assert_eq!(view["type_path"], info.type_path());
            assert_eq!(view["description"], info.description());
            assert_eq!(view["selected"], candidate.is_selected());
        }
    }
}

/// With the NVIDIA plugin linked but every one of its names overridden back
/// to the builtin, the plugin has no effect: a warning, not a failure.
#[cfg(feature = "nvidia-optimized")]
#[test]
fn validate_warns_about_a_plugin_crate_that_never_takes_effect() {
    let run = aiperf(
        &["plugins", "--validate"],
        &[(
            "AIPERF_USE",
            "endpoint.chat=openai_chat,endpoint.completions=openai_completions,\
             endpoint.embeddings=openai_embeddings",
        )],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let warning = "warning: plugin crate `aiperf-plugin-nvidia-optimized`: none of its 3 \
                   registration(s) is selected (endpoint/chat: nvidia_optimized loses to \
                   openai_chat";
    assert_eq!(run.stdout.matches(warning).count(), 1, "{}", run.stdout);
}

/// A name only a plugin provides, with every plugin disabled by the
/// environment: reported (warning), and the check still passes.
#[cfg(feature = "adaptive-rate")]
#[test]
fn validate_names_what_an_empty_allow_list_disables() {
    let run = aiperf(
        &["plugins", "--validate", "--json"],
        &[("AIPERF_PLUGIN_CRATES", "")],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "timing_strategy \"adaptive_rate\": every implementation comes from a plugin crate \
             that AIPERF_PLUGIN_CRATES does not enable; add one of [\"aiperf-plugin-adaptive-rate\"]"
        )),
        "{warnings:?}"
    );
}

/// The names a user types after `aiperf plugins`: each malformed or unknown
/// one is the whole message `docs/errors.md` quotes, with exit 1.
#[test]
fn malformed_and_unknown_names_say_what_is_wrong_and_the_rule() {
    const RULE: &str = "names are ASCII letters, digits, `_` and `-`, starting with a letter or \
                        digit (case and `-`/`_` do not matter)";
    let long = "a".repeat(130);
    let cases: [(&[&str], String); 7] = [
        (
            &["plugins", "ui", "bad name!"],
            format!(
                "ui name: invalid name \"bad name!\": character ' ' at byte 3 is not allowed; {RULE}"
            ),
        ),
        (
            &["plugins", ""],
            format!("category name: invalid name \"\": it is empty; {RULE}"),
        ),
        (
            &["plugins", "endpoint", &long],
            format!(
                "endpoint name: invalid name \"{long}\": it is 130 bytes long, the limit is 128; {RULE}"
            ),
        ),
        (
            &["plugins", "endpoint", "_chat"],
            format!("endpoint name: invalid name \"_chat\": it starts with '_'; {RULE}"),
        ),
        (
            &["plugins", "endpoint", "chät"],
            format!(
                "endpoint name: invalid name \"chät\": character 'ä' at byte 2 is not allowed; {RULE}"
            ),
        ),
        (
            &["plugins", "zzzzzzzz"],
            "unknown category \"zzzzzzzz\"; available: arrival_pattern, console_exporter, \
             custom_dataset_loader, data_exporter, dataset_composer, dataset_sampler, endpoint, \
             phase_hook, plot, timing_strategy, tokenizer, transport, ui, url_selection_strategy"
                .to_owned(),
        ),
        (
            &["plugins", "endpoint", "zzzzzzzz"],
            "unknown endpoint name \"zzzzzzzz\"; available: chat, cohere_rankings, completions, \
             embeddings, hf_tei_rankings, huggingface_generate, messages, rankings, responses; if a plugin crate provides it, that crate is not linked: add `use \
             the_crate as _;` to the binary and check with `registry_core::require_linked`"
                .to_owned(),
        ),
    ];
    for (args, message) in cases {
        let run = aiperf(args, &[]);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stdout);
        assert_eq!(run.stderr, format!("error: {message}\n"), "{args:?}");
    }
}

/// A command line clap cannot parse exits 2 with clap's message.
#[test]
fn usage_errors_exit_2_naming_the_argument() {
    for (args, first_line) in [
        (
            &["plugins", "--all", "endpoint"][..],
            "error: the argument '--all' cannot be used with '[CATEGORY]'",
        ),
        (
            &["plugins", "--bogus"],
            "error: unexpected argument '--bogus' found",
        ),
        (
            &["plugins", "--config", "bench.yaml"],
            "error: the following required arguments were not provided:",
        ),
        (&["frob"], "error: unrecognized subcommand 'frob'"),
    ] {
        let run = aiperf(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().next(), Some(first_line), "{args:?}");
    }
    let run = aiperf(&["plugins", "--config", "bench.yaml"], &[]);
    assert_eq!(
        run.stderr.lines().nth(1),
        Some("  --validate"),
        "{}",
        run.stderr
    );
    // Without a config file, the model is the one thing flags must give.
    let run = aiperf(&["profile"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: --model: is required (e.g. `-m my-model`) unless --config gives `endpoint.model`\n"
    );
}

/// Every malformed or unknown `AIPERF_PLUGIN_CRATES` / `AIPERF_USE` value:
/// the variable, the entry, what is wrong and the expected shape; exit 1.
#[test]
fn bad_environment_values_name_the_variable_the_entry_and_the_shape() {
    let mut cases = vec![
        (
            ("AIPERF_PLUGIN_CRATES", "not a crate"),
            "environment variable AIPERF_PLUGIN_CRATES: entry \"not a crate\": invalid name \
             \"not a crate\": character ' ' at byte 3 is not allowed; names are ASCII letters, \
             digits, `_` and `-`, starting with a letter or digit (case and `-`/`_` do not matter)"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "ui.simple"),
            "environment variable AIPERF_USE: entry \"ui.simple\": no `=`; expected \
             `category.name=identifier`"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "ui.simple=a=b"),
            "environment variable AIPERF_USE: entry \"ui.simple=a=b\": more than one `=`; \
             expected `category.name=identifier`"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "uisimple=x"),
            "environment variable AIPERF_USE: entry \"uisimple=x\": no `.` before `=`; expected \
             `category.name=identifier`"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "ui.simple=bad name"),
            "environment variable AIPERF_USE: entry \"ui.simple=bad name\": identifier: invalid \
             name \"bad name\": character ' ' at byte 3 is not allowed; names are ASCII letters, \
             digits, `_` and `-`, starting with a letter or digit (case and `-`/`_` do not matter)"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "uii.simple=simple_progress"),
            "environment variable AIPERF_USE: entry \"uii.simple=simple_progress\": unknown \
             category \"uii\"; did you mean \"ui\"? available: arrival_pattern, \
             console_exporter, custom_dataset_loader, data_exporter, dataset_composer, \
             dataset_sampler, endpoint, phase_hook, plot, timing_strategy, tokenizer, transport, \
             ui, url_selection_strategy"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "ui.simpel=simple_progress"),
            "environment variable AIPERF_USE: entry \"ui.simpel=simple_progress\": unknown ui \
             name \"simpel\"; did you mean \"simple\"? available: none, simple"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "ui.simple=fancy_progress"),
            "environment variable AIPERF_USE: entry \"ui.simple=fancy_progress\": ui \"simple\" \
             has no implementation \"fancy_progress\"; available: simple_progress"
                .to_owned(),
        ),
        (
            ("AIPERF_USE", "ui.simple=simple_progress,ui.simple=no_ui"),
            "environment variable AIPERF_USE: entry \"ui.simple=no_ui\": ui.simple is already \
             set to \"simple_progress\" in the same variable"
                .to_owned(),
        ),
    ];
    let typo = "environment variable AIPERF_PLUGIN_CRATES: entry \
                \"aiperf_plugin_nvidia_optimzed\": no linked plugin crate is named \
                \"aiperf_plugin_nvidia_optimzed\"";
    let typo = if cfg!(feature = "all-plugins") {
        format!(
            "{typo} (did you mean \"aiperf-plugin-nvidia-optimized\"?); linked plugin crates: \
             aiperf-plugin-adaptive-rate, aiperf-plugin-hf-tokenizers, \
             aiperf-plugin-nvidia-optimized, aiperf-plugin-prometheus, \
             aiperf-plugin-uniform-arrivals"
        )
    } else if aiperf_cli::linked::LINKED_CRATES.len() == 1 {
        format!("{typo}; linked plugin crates: none")
    } else {
        typo.to_owned()
    };
    cases.push((
        ("AIPERF_PLUGIN_CRATES", "aiperf-plugin-nvidia-optimzed"),
        typo,
    ));
    for ((variable, value), message) in cases {
        let run = aiperf(&["plugins"], &[(variable, value)]);
        assert_eq!(run.code, 1, "{variable}={value}: {}", run.stdout);
        assert!(
            run.stderr.starts_with(&format!("error: {message}")),
            "{variable}={value}:\n{}\n{message}",
            run.stderr
        );
    }

    // `--validate` lists it as a problem on stdout instead.
    let run = aiperf(&["plugins", "--validate"], &[("AIPERF_USE", "ui.simple")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "  error: environment variable AIPERF_USE: entry \"ui.simple\": no `=`; expected \
             `category.name=identifier`\n"
        ),
        "{}",
        run.stdout
    );

    // A value that is not UTF-8.
    use std::os::unix::ffi::OsStrExt;
    let mut command = common::command(["plugins"], &[]);
    command.env(
        "AIPERF_PLUGIN_CRATES",
        std::ffi::OsStr::from_bytes(b"a\xffb"),
    );
    let run = common::run(command);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: environment variable AIPERF_PLUGIN_CRATES: entry \"a\u{FFFD}b\": the value is \
         not valid Unicode\n"
    );
}

/// A bad `AIPERF_LOG` is a warning listing the levels; the command runs.
#[test]
fn a_bad_log_level_is_a_warning_listing_the_levels() {
    let run = aiperf(&["plugins", "ui"], &[("AIPERF_LOG", "loud")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "AIPERF_LOG=\"loud\" is not a level; expected off, error, warn, info, debug or trace"
        ),
        "{}",
        run.stderr
    );
}

/// An override naming a plugin the allow-list disables names both.
#[cfg(feature = "nvidia-optimized")]
#[test]
fn an_override_to_a_disabled_crate_names_the_allow_list() {
    let run = aiperf(
        &["plugins"],
        &[
            ("AIPERF_PLUGIN_CRATES", ""),
            ("AIPERF_USE", "endpoint.chat=nvidia_optimized"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "error: environment variable AIPERF_USE: entry \"endpoint.chat=nvidia_optimized\": \
         \"nvidia_optimized\" comes from crate `aiperf-plugin-nvidia-optimized`, which \
         AIPERF_PLUGIN_CRATES does not enable\n"
    );
}

/// A name only a disabled plugin provides: the lookup names the crate, the
/// variable and what it enables.
#[cfg(feature = "adaptive-rate")]
#[test]
fn a_name_whose_every_implementation_is_disabled_names_the_enabled_crates() {
    let run = aiperf(
        &["plugins", "timing_strategy", "adaptive_rate"],
        &[("AIPERF_PLUGIN_CRATES", "")],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "error: timing_strategy \"adaptive_rate\": implementation \"aimd\" comes from crate \
         `aiperf-plugin-adaptive-rate`, which AIPERF_PLUGIN_CRATES does not enable; enabled \
         plugin crates: none\n"
    );
}

/// A reader that went away (`aiperf plugins --json | head -0`): the write
/// fails with a broken pipe, which must end the process quietly with exit
/// 1, never a panic. A socket pair whose other end is closed before the
/// process starts gives that failure every time (a pipe would race with
/// the reader closing it).
#[test]
fn a_closed_stdout_ends_quietly_with_exit_1() {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;

    let (ours, theirs) = UnixStream::pair().unwrap();
    drop(ours);
    let mut command = common::command(["plugins", "--all", "--json"], &[]);
    command.stdout(OwnedFd::from(theirs));
    let output = command.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr, "", "a closed pipe is not worth a message");
}

/// A full disk (`> /dev/full`): exit 1 with the reason, never a panic.
#[test]
fn a_failed_write_says_so_and_exits_1() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut command = common::command(["plugins"], &[]);
    command.stdout(full);
    let output = command.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot write the output: ") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
