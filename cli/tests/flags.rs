//! `aiperf profile` run the way AIPerf users run it: flags, no config file,
//! against the project's mock server; flags over a config file; and flags
//! that are wrong, contradictory or AIPerf's but not ours.

mod common;

use std::time::{Duration, Instant};

use aiperf_mock_server::{MockConfig, MockServer};
use serde_json::Value;

use common::{aiperf, scratch_dir};

fn mock(config: MockConfig) -> MockServer {
    MockServer::start(config).expect("the mock server starts")
}

#[test]
fn the_aiperf_command_line_runs_against_the_mock_server_without_a_config_file() {
    let server = mock(MockConfig::fast());
    let scratch = scratch_dir("flags-issue-command");
    let out = scratch.path().join("out");
    let run = aiperf(
        &[
            "profile",
            "-m",
            "my-model",
            "--url",
            server.url(),
            "--endpoint-type",
            "chat",
            "--streaming",
            "--concurrency",
            "16",
            "--request-count",
            "200",
            "--isl",
            "550",
            "--osl",
            "64",
            "--tokenizer",
            "builtin",
            "--artifact-dir",
            out.to_str().unwrap(),
            "--ui-type",
            "none",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("profiling phase: 200 sent, 200 ok, 0 failed"),
        "{}",
        run.stdout
    );
    // AIPerf's files, and the prompts are 550 tokens long, as counted by
    // the same tokenizer.
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("profile_export_aiperf.json")).unwrap())
            .unwrap();
    let mean = summary["input_sequence_length"]["avg"].as_f64().unwrap();
    assert!((mean - 550.0).abs() <= 5.5, "mean input length {mean}");
    assert_eq!(summary["request_count"]["avg"], 200.0);
    for file in [
        "profile_export_aiperf.csv",
        "profile_export.jsonl",
        "inputs.json",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    assert!(
        run.stdout.contains("Input Sequence Length (tokens)"),
        "{}",
        run.stdout
    );
    // --osl became each request's max_tokens.
    let served = server.served();
    assert_eq!(served.len(), 200);
    assert!(
        served
            .iter()
            .all(|s| s.requested_tokens == Some(64) && s.stream),
        "{:?}",
        served.first()
    );
}

#[test]
fn several_urls_share_the_requests_round_robin_and_the_results_count_each() {
    let a = mock(MockConfig::fast());
    let b = mock(MockConfig::fast());
    let scratch = scratch_dir("flags-urls");
    let out = scratch.path().join("out");
    let run = aiperf(
        &[
            "profile",
            "-m",
            "demo",
            "--url",
            a.url(),
            "-u",
            b.url(),
            "--request-count",
            "10",
            "--isl",
            "32",
            "--artifact-dir",
            out.to_str().unwrap(),
            "--ui-type",
            "none",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!((a.served().len(), b.served().len()), (5, 5));
    for server in [&a, &b] {
        let line = format!("URL {}: 5 sent, 5 ok", server.url());
        assert!(run.stdout.contains(&line), "{line:?} in {}", run.stdout);
    }
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("profile_export_aiperf.json")).unwrap())
            .unwrap();
    assert_eq!(json["urls"][1], b.url());
}

#[test]
fn a_benchmark_duration_stops_issuing_and_cancels_what_outlives_the_grace_period() {
    // Each answer takes about 2 s: with a 1 s duration and no grace, the
    // first requests are still in flight when the run ends.
    let server = mock(MockConfig {
        ttft: Duration::from_millis(50),
        itl: Duration::from_millis(100),
        output_tokens: 20,
        ..MockConfig::default()
    });
    let scratch = scratch_dir("flags-duration");
    let started = Instant::now();
    let run = aiperf(
        &[
            "profile",
            "-m",
            "demo",
            "--url",
            server.url(),
            "--streaming",
            "--concurrency",
            "3",
            "--benchmark-duration",
            "1",
            "--benchmark-grace-period",
            "0",
            "--isl",
            "16",
            "--artifact-dir",
            scratch.path().join("out").to_str().unwrap(),
            "--ui-type",
            "none",
        ],
        &[],
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        run.stdout
            .contains("profiling phase: 3 sent, 0 ok, 0 failed, 3 cancelled"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn flags_override_the_config_file_and_print_config_shows_the_result_without_secrets() {
    let scratch = scratch_dir("flags-over-file");
    let dir = scratch.path();
    let config = dir.join("bench.yaml");
    std::fs::write(
        &config,
        "plugins: { timing_strategy: { name: concurrency, config: { concurrency: 2, requests: 50 } } }\n\
         endpoint: { type: chat, model: from-file }\n\
         transport: { type: http, url: 'http://127.0.0.1:9' }\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let run = aiperf(
        &[
            "profile",
            "--config",
            config,
            "--request-count",
            "7",
            "-m",
            "from-flag",
            "--api-key",
            "sk-very-secret",
            "-H",
            "X-Tenant:tenant-secret",
            "--url",
            "user:hunter2@localhost:8000",
            "--print-config",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for secret in ["sk-very-secret", "tenant-secret", "hunter2"] {
        assert!(!run.stdout.contains(secret), "{secret} in {}", run.stdout);
    }
    let shown: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown["endpoint"]["model"], "from-flag");
    assert_eq!(shown["plugins"]["timing_strategy"]["config"]["requests"], 7);
    assert_eq!(
        shown["plugins"]["timing_strategy"]["config"]["concurrency"],
        2
    );
    assert_eq!(shown["transport"]["url"], "http://<hidden>@localhost:8000");
    assert_eq!(
        shown["transport"]["config"]["headers"]["X-Tenant"],
        "<hidden>"
    );

    // What --print-config prints is a config file `--config` reads back.
    let printed = dir.join("printed.yaml");
    std::fs::write(&printed, &run.stdout).unwrap();
    let again = aiperf(
        &[
            "profile",
            "--config",
            printed.to_str().unwrap(),
            "--print-config",
        ],
        &[],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, run.stdout);
}

/// `aiperf profile ARGS` is refused as a usage error: exit 2, every piece of
/// `expected` in the message, nothing sent.
fn assert_usage_error(args: &[&str], expected: &[&str]) {
    let mut all = vec!["profile"];
    all.extend_from_slice(args);
    let run = aiperf(&all, &[]);
    assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    for piece in expected {
        assert!(
            run.stderr.contains(piece),
            "{piece:?} not in {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn wrong_and_contradictory_flags_are_refused_before_anything_is_sent() {
    assert_usage_error(
        &["-m", "x", "--endpoint-type", "chatt"],
        &[
            "--endpoint-type",
            "\"chatt\"",
            "did you mean \"chat\"",
            "available: ",
        ],
    );
    assert_usage_error(
        &["-m", "x", "--ui-type", "dashboard"],
        &["--ui-type", "\"dashboard\"", "available: "],
    );
    assert_usage_error(
        &[
            "-m",
            "x",
            "--benchmark-duration",
            "5",
            "--request-count",
            "3",
        ],
        &[
            "--benchmark-duration: cannot be combined with --request-count",
            "give one",
        ],
    );
    assert_usage_error(
        &["-m", "x", "--arrival-pattern", "poisson"],
        &["--arrival-pattern", "needs --request-rate"],
    );
    assert_usage_error(
        &["-m", "x", "--input-file", "a.jsonl", "--isl", "100"],
        &["--isl: shapes synthetic prompts, but --input-file gives the prompts"],
    );
    assert_usage_error(&["--isl", "100"], &["--model", "is required"]);
    assert_usage_error(
        &["-m", "x", "--tokenizer", "/no/such/tokenizer.json"],
        &[
            "--tokenizer: \"/no/such/tokenizer.json\" is neither a tokenizer name",
            "builtin",
        ],
    );
    assert_usage_error(&["-m", "a,b"], &["--model", "several models"]);
}

#[test]
fn an_aiperf_flag_this_build_lacks_is_named_not_ignored() {
    for flag in [
        "--fixed-schedule",
        "--num-users",
        "--request-cancellation-rate",
    ] {
        assert_usage_error(
            &["-m", "x", flag, "1"],
            &[
                &format!("`{flag}` is a flag of AIPerf 0.13"),
                "refused rather than ignored",
            ],
        );
    }
    // A flag neither has keeps clap's own message.
    let run = aiperf(&["profile", "--no-such-flag"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unexpected argument"), "{}", run.stderr);
}

#[test]
fn a_missing_dataset_file_and_a_bad_duration_are_named() {
    let scratch = scratch_dir("flags-missing-file");
    let missing = scratch.path().join("nowhere.jsonl");
    let run = aiperf(
        &[
            "profile",
            "-m",
            "x",
            "--input-file",
            missing.to_str().unwrap(),
            "--url",
            "127.0.0.1:9",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("dataset.file"), "{}", run.stderr);
    assert!(run.stderr.contains("nowhere.jsonl"), "{}", run.stderr);

    let run = aiperf(
        &[
            "profile",
            "-m",
            "x",
            "--isl",
            "8",
            "--benchmark-duration=-1",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "benchmark_duration: is -1; it is seconds and must be a finite number above 0"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_config_file_with_two_prompt_sources_is_refused_naming_both() {
    let scratch = scratch_dir("flags-two-sources");
    let config = scratch.path().join("bench.yaml");
    std::fs::write(
        &config,
        "endpoint: { type: chat, model: demo }\n\
         dataset: { prompts: [hello], composer: { name: synthetic } }\n\
         tokenizer: { name: builtin }\n",
    )
    .unwrap();
    let run = aiperf(&["profile", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "dataset: give one source of prompts: `prompts` (inline), `composer` (e.g. \
             synthetic) or `file`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_config_schema_and_completions_list_registered_names() {
    let run = aiperf(&["config", "schema"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    let endpoint = &schema["$defs"]["EndpointConfig"]["properties"]["type"]["enum"];
    let names: Vec<&str> = endpoint
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"chat") && names.contains(&"rankings"),
        "{names:?}"
    );
    let tokenizer = &schema["$defs"]["TokenizerConfig"]["properties"]["name"]["enum"];
    assert!(
        tokenizer
            .as_array()
            .unwrap()
            .contains(&Value::from("builtin"))
    );

    let run = aiperf(&["completions", "bash"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("round_robin"),
        "url strategies complete"
    );
    assert!(run.stdout.contains("single_turn"), "dataset types complete");
    assert!(
        run.stdout.contains("dataset_composer"),
        "categories complete"
    );
}

/// `--tokenizer PATH` with the `hf-tokenizers` plugin linked: its
/// tokenizer counts the input (a BPE whose "hello" is one token).
#[cfg(feature = "hf-tokenizers")]
#[test]
fn a_tokenizer_json_path_counts_input_tokens_with_the_plugin() {
    let server = mock(MockConfig::fast());
    let scratch = scratch_dir("flags-hf-tokenizer");
    let data = scratch.path().join("data.jsonl");
    std::fs::write(
        &data,
        "{\"text\": \"hello hello hello\"}\n{\"text\": \"hello\"}\n",
    )
    .unwrap();
    let tokenizer = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../plugins/hf-tokenizers/tests/fixtures/bpe.json"
    );
    let run = aiperf(
        &[
            "profile",
            "-m",
            "demo",
            "--url",
            server.url(),
            "--input-file",
            data.to_str().unwrap(),
            "--tokenizer",
            tokenizer,
            "--request-count",
            "4",
            "--artifact-dir",
            scratch.path().join("out").to_str().unwrap(),
            "--ui-type",
            "none",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let summary: Value = serde_json::from_slice(
        &std::fs::read(scratch.path().join("out/profile_export_aiperf.json")).unwrap(),
    )
    .unwrap();
    let isl = &summary["input_sequence_length"];
    assert_eq!(
        (
            isl["avg"].as_f64(),
            isl["min"].as_f64(),
            isl["max"].as_f64()
        ),
        (Some(2.0), Some(1.0), Some(3.0))
    );
}

#[test]
fn goodput_objectives_are_checked_before_anything_is_sent() {
    let run = aiperf(
        &["profile", "-m", "x", "--isl", "8", "--goodput", "ttft:200"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "goodput: \"ttft\" is not a per-request metric a goodput objective can use; use one \
             of: time_to_first_token, "
        ),
        "{}",
        run.stderr
    );
    // AIPerf 0.13 hangs on this one; here it is refused.
    let run = aiperf(
        &[
            "profile",
            "-m",
            "x",
            "--isl",
            "8",
            "--goodput",
            "time_to_first_token:200",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "goodput: time_to_first_token is measured only on streamed answers; add --streaming"
        ),
        "{}",
        run.stderr
    );
}
