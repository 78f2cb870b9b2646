//! `aiperf plugins --validate --config FILE`: a config checked against the
//! registry without running anything; every bad input has a message that
//! says what and where, and no environment value is ever printed.

mod common;

use common::{Run, scratch_dir};

const SECRET: &str = "sk-live-0123456789abcdef";

/// Writes `yaml` to a fresh file and validates it with `env` set.
fn validate(test: &str, yaml: &str, env: &[(&str, &str)]) -> Run {
    let scratch = scratch_dir(test);
    let file = scratch.path().join("bench.yaml");
    std::fs::write(&file, yaml).unwrap();
    let mut command = common::command(["plugins", "--validate", "--config"], env);
    command.arg(&file);
    // Variables the configs below reference: only what `env` sets.
    for var in ["API_KEY", "MODEL"] {
        if !env.iter().any(|(name, _)| *name == var) {
            command.env_remove(var);
        }
    }
    common::run(command)
}

const GOOD: &str = r#"
plugins:
  phase_hooks:
    - name: logging
  timing_strategy:
    name: request_rate
    config: { rate: 50, requests: 200 }
endpoint: { type: chat, model: "${MODEL}", extra: { user: "${API_KEY}" } }
transport: { type: in_engine }
"#;

#[test]
fn a_good_config_passes_and_its_summary_hides_environment_values() {
    let run = validate("good", GOOD, &[("API_KEY", SECRET), ("MODEL", "llama")]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("config OK: "), "{}", run.stdout);
    assert!(
        run.stdout.contains(r#""user": "<from ${API_KEY}>""#),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
}

#[test]
fn a_missing_variable_is_named_with_where_it_is_used() {
    let run = validate("missing-var", GOOD, &[("MODEL", "llama")]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "environment variable API_KEY is not set (used by `${API_KEY}` in endpoint.extra.user on line 8)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn unknown_names_get_suggestions_and_bad_settings_name_the_field_and_hook() {
    let yaml = r#"
plugins:
  phase_hooks:
    - name: loging
    - name: logging
      config: { detailed: true, token: "${API_KEY}" }
  timing_strategy: { name: request-rate, config: { rate: -5, requests: 10 } }
endpoint: { type: chatt, model: demo }
"#;
    let run = validate("bad-names", yaml, &[("API_KEY", SECRET)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let out = &run.stdout;
    assert!(out.contains("has 4 problem(s)"), "{out}");
    assert!(
        out.contains(r#"endpoint.type: unknown endpoint name "chatt"; did you mean "chat"?"#),
        "{out}"
    );
    assert!(out.contains(r#"plugins.phase_hooks[0]: `loging`: unknown phase_hook name "loging"; did you mean "logging"?"#), "{out}");
    assert!(out.contains("plugins.phase_hooks[1]: `logging`: "), "{out}");
    assert!(out.contains("unknown field `token`"), "{out}");
    assert!(out.contains("`rate` is -5"), "{out}");
    assert!(
        !out.contains(SECRET) && !run.stderr.contains(SECRET),
        "{out}"
    );
}

#[test]
fn wrong_types_and_malformed_yaml_give_file_line_and_column() {
    let run = validate(
        "wrong-type",
        "endpoint: { type: chat, model: demo, streaming: 3 }\n",
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("bench.yaml:1:"), "{}", run.stdout);

    let run = validate("malformed", "endpoint: { type: chat\nplugins: [\n", &[]);
    assert_eq!(run.code, 1);
    let line = run.stdout.lines().find(|l| l.contains("error:")).unwrap();
    assert!(line.contains("bench.yaml:"), "{line}");

    let run = validate(
        "unknown-field",
        "endpoint: { type: chat, model: demo }\nwarmpu: 3\n",
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("bench.yaml:2:1: unknown field `warmpu`"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let run = common::aiperf(
        &[
            "plugins",
            "--validate",
            "--config",
            "/nonexistent/bench.yaml",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    let stdout = run.stdout;
    assert!(
        stdout.contains("cannot read config file /nonexistent/bench.yaml: "),
        "{stdout}"
    );
}

/// A secret where the config expects another type: the type error must not
/// echo it (a deserialiser quotes the bad value), neither when validating
/// nor when `aiperf profile` refuses to run, at the most verbose log level.
#[test]
fn a_secret_in_a_wrongly_typed_field_is_redacted_from_every_error() {
    let yaml = r#"
endpoint: { type: chat, model: demo }
plugins:
  timing_strategy:
    name: concurrency
    config: { concurrency: "${API_KEY}", requests: 5 }
"#;
    let run = validate("typed-secret", yaml, &[("API_KEY", SECRET)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("`concurrency`: invalid type: string"),
        "the error still says what is wrong: {}",
        run.stdout
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));

    let scratch = scratch_dir("typed-secret-run");
    let file = scratch.path().join("bench.yaml");
    std::fs::write(&file, yaml).unwrap();
    let mut command = common::command(
        ["profile", "--config"],
        &[("API_KEY", SECRET), ("AIPERF_LOG", "trace")],
    );
    command
        .arg(&file)
        .arg("--output")
        .arg(scratch.path().join("out"));
    let Run {
        code,
        stdout,
        stderr,
    } = common::run(command);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("`concurrency`: invalid type: string"),
        "{stderr}"
    );
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "{stdout}{stderr}"
    );
}

/// Every field that names a registry part: a typo is reported with its place
/// in the file, the closest name and the names available.
#[test]
fn every_name_field_reports_its_place_and_the_closest_name() {
    let yaml = "endpoint: { type: chat, model: demo }\n\
                plugins: { timing_strategy: { name: request-rat } }\n\
                transport: { type: htp }\n\
                dataset: { sampler: rndom }\n\
                ui: { name: simpel }\n\
                exporters: [ { name: json }, { name: jsno } ]\n";
    let run = validate("name-fields", yaml, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let out = &run.stdout;
    assert!(out.contains("has 5 problem(s)"), "{out}");
    for line in [
        "  error: transport: unknown transport name \"htp\"; did you mean \"http\"? available: \
         http, in_engine\n",
        "  error: dataset.sampler: unknown dataset_sampler name \"rndom\"; did you mean \
         \"random\"? available: random, sequential\n",
        // The list grows with the adaptive-rate plugin.
        "  error: plugins.timing_strategy: unknown timing_strategy name \"request_rat\"; did you \
         mean \"request_rate\"? available: ",
        "  error: ui: unknown ui name \"simpel\"; did you mean \"simple\"? available: none, \
         simple\n",
        "  error: exporters[1]: unknown data_exporter name \"jsno\"; did you mean \"json\"? \
         available: csv, inputs_json, json, jsonl\n",
    ] {
        assert!(out.contains(line), "{line:?} not in\n{out}");
    }
}
