//! `aiperf profile` as a user runs it: a real run on `in_engine`, its files,
//! reproducibility, bad input, and Ctrl-C.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{LoopbackServer, Reply, Run, scratch_dir};

fn command(dir: &Path, yaml: &str, extra: &[&str]) -> Command {
    let config = dir.join("bench.yaml");
    std::fs::write(&config, yaml).unwrap();
    let mut command = common::command(["profile", "--config"], &[]);
    command
        .arg(&config)
        .arg("--output")
        .arg(dir.join("out"))
        .args(extra);
    command
}

fn profile(dir: &Path, yaml: &str, extra: &[&str]) -> Run {
    common::run(command(dir, yaml, extra))
}

/// `aiperf profile` refuses `yaml`: exit 1, `expected` in the message, no panic.
fn assert_refused(dir: &Path, yaml: &str, expected: &str) {
    let run = profile(dir, yaml, &[]);
    assert_eq!(run.code, 1, "{yaml}\n{}", run.stderr);
    assert!(
        run.stderr.contains(expected),
        "{expected:?} not in {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// The error summary's row whose message is `message`.
fn error_row<'a>(stdout: &'a str, message: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with('│') && l.contains(message))
        .unwrap_or_else(|| panic!("no error row for {message:?} in {stdout}"))
        .trim_end()
}

const QUICK: &str = r#"
plugins:
  phase_hooks: [ { name: logging } ]
  timing_strategy: { name: concurrency, config: { concurrency: 4, requests: 24 } }
endpoint: { type: chat, model: demo, streaming: true }
transport: { type: in_engine, config: { ttft_ms: 2, itl_ms: 0.2, output_tokens: 8, seed: 3 } }
dataset: { sampler: random, seed: 11 }
"#;

#[test]
fn a_run_prints_metrics_and_writes_both_files() {
    let scratch = scratch_dir("quick");
    let dir = scratch.path();
    let run = profile(dir, QUICK, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("profiling phase: 24 sent, 24 ok, 0 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Time to First Token (ms)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("profiling phase complete"),
        "the logging hook ran: {}",
        run.stderr
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/profile_export_aiperf.json")).unwrap())
            .unwrap();
    assert_eq!(json["request_count"]["avg"], 24.0);
    assert_eq!(json["total_output_tokens"]["avg"], f64::from(24 * 8));
    assert_eq!(json["phases"][0]["completed"], 24);
    let csv = std::fs::read_to_string(dir.join("out/profile_export_aiperf.csv")).unwrap();
    assert!(csv.contains("\r\nRequest Count,24.00\r\n"), "{csv}");
}

/// What the seeds drive: which prompts the `random` sampler draws
/// (`dataset.seed`) and how long in_engine's answer to each prompt is
/// (`transport.config.seed`, with a length range). Totals per phase are
/// order-independent, so they are exact across runs despite threads.
#[test]
fn a_fixed_seed_reproduces_the_workload_and_another_seed_changes_it() {
    let scratch = scratch_dir("seeded");
    let dir = scratch.path();
    let fingerprint = |dataset_seed: u64, engine_seed: u64| -> Vec<(u64, u64, u64)> {
        let yaml = QUICK
            .replace(
                "dataset: { sampler: random, seed: 11 }",
                &format!(
                    "dataset: {{ sampler: random, seed: {dataset_seed}, \
                     prompts: [alpha, beta, gamma, delta, epsilon, zeta, eta, theta] }}\n\
                     warmup: {{ name: concurrency, config: {{ concurrency: 2, requests: 6 }} }}"
                ),
            )
            .replace(
                "output_tokens: 8, seed: 3",
                &format!("min_output_tokens: 1, output_tokens: 40, seed: {engine_seed}"),
            );
        let run = profile(dir, &yaml, &["--json"]);
        assert_eq!(run.code, 0, "{yaml}\n{}", run.stderr);
        let results: Value = serde_json::from_str(&run.stdout).unwrap();
        results["phases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let n = |field: &str| p[field].as_u64().unwrap();
                (n("sent"), n("completed"), n("output_tokens"))
            })
            .collect()
    };
    let a = fingerprint(11, 3);
    assert_eq!(a.len(), 2, "warmup and profiling: {a:?}");
    assert_eq!((a[0].0, a[0].1, a[1].0, a[1].1), (6, 6, 24, 24), "{a:?}");
    for (requests, tokens) in [(a[0].1, a[0].2), (a[1].1, a[1].2)] {
        assert!(
            tokens > requests && tokens < requests * 40,
            "lengths are drawn from 1..=40, not fixed: {a:?}"
        );
    }
    assert_eq!(fingerprint(11, 3), a, "same seeds, same workload");
    // Controls: either seed alone changes the tokens generated.
    assert_ne!(
        fingerprint(12, 3),
        a,
        "another dataset seed draws other prompts"
    );
    assert_ne!(
        fingerprint(11, 4),
        a,
        "another engine seed gives other lengths"
    );
}

#[test]
fn bad_input_exits_1_with_a_message_and_nothing_panics() {
    let scratch = scratch_dir("bad");
    let dir = scratch.path();
    for (yaml, expected) in [
        (
            QUICK.replace(
                "concurrency: 4, requests: 24",
                "concurrency: 0, requests: 24",
            ),
            "`concurrency` must be at least 1, got 0",
        ),
        (
            QUICK.replace(
                "dataset: { sampler: random, seed: 11 }",
                "dataset: { prompts: [] }",
            ),
            "dataset.prompts: is empty",
        ),
        (
            QUICK.replace("ttft_ms: 2,", "ttft_ms: -5,"),
            "`ttft_ms` is -5",
        ),
        (
            QUICK.replace("type: chat", "type: chatt"),
            "did you mean \"chat\"?",
        ),
    ] {
        assert_refused(dir, &yaml, expected);
    }
}

/// A negative count is an error naming the component, the field, the value
/// and what is valid (serde alone says "expected u64" and no field).
#[test]
fn negative_counts_name_the_component_field_and_valid_range() {
    let scratch = scratch_dir("negative");
    let dir = scratch.path();
    let timing = "{ name: concurrency, config: { concurrency: 4, requests: 24 } }";
    for (yaml, expected) in [
        (
            QUICK.replace(
                timing,
                "{ name: concurrency, config: { concurrency: -1, requests: 24 } }",
            ),
            "plugins.timing_strategy: creating timing_strategy \"concurrency\" implementation \
             \"fixed_concurrency\" failed: invalid config: `concurrency`: invalid value: \
             integer `-1`, expected a whole number >= 1",
        ),
        (
            QUICK.replace(
                timing,
                "{ name: concurrency, config: { concurrency: 4, requests: -3 } }",
            ),
            "plugins.timing_strategy: creating timing_strategy \"concurrency\" implementation \
             \"fixed_concurrency\" failed: invalid config: `requests`: invalid value: \
             integer `-3`, expected a whole number >= 1",
        ),
        (
            QUICK.replace(
                timing,
                "{ name: request_rate, config: { rate: 5, requests: 3, max_concurrency: -2 } }",
            ),
            "implementation \"constant_rate\" failed: invalid config: `max_concurrency`: \
             invalid value: integer `-2`, expected a whole number >= 1",
        ),
        (
            QUICK.replace("output_tokens: 8,", "output_tokens: -8,"),
            "transport: creating transport \"in_engine\" implementation \"simulated_server\" \
             failed: invalid config: `output_tokens`: invalid value: integer `-8`, expected a \
             whole number from 0 to 4294967295",
        ),
        (
            QUICK.replace("seed: 11 }", "seed: 11, max_tokens: -5 }"),
            "bench.yaml:7:51: `max_tokens` is -5; expected a whole number from 0 to 4294967295",
        ),
    ] {
        assert_refused(dir, &yaml, expected);
    }
}

/// Numbers a `Duration` cannot hold used to panic (`Duration::from_secs_f64`);
/// each is now a message naming the component, the field, the value and
/// the valid range.
#[test]
fn out_of_range_numbers_are_clear_errors_not_panics() {
    let scratch = scratch_dir("out-of-range");
    let dir = scratch.path();
    let timing = "{ name: concurrency, config: { concurrency: 4, requests: 24 } }";
    let mut cases = vec![
        (
            QUICK.replace(timing, "{ name: request_rate, config: { rate: 1e-20, requests: 3 } }"),
            "plugins.timing_strategy: creating timing_strategy \"request_rate\" implementation \
             \"constant_rate\" failed: invalid config: `rate` is 1e-20; it is requests per second \
             and must be a finite number >= 0.000001 (one request every 11.6 days)",
        ),
        (
            QUICK.replace("ttft_ms: 2,", "ttft_ms: 1e300,"),
            "invalid config: `ttft_ms` is 1e300; it must be milliseconds from 0 to 3600000 (one hour)",
        ),
        (
            QUICK.replace("itl_ms: 0.2,", "itl_ms: 1.0e19,"),
            "invalid config: `itl_ms` is 1e19; it must be milliseconds from 0 to 3600000 (one hour)",
        ),
        (
            QUICK.replace(timing, "{ name: fixed_schedule, config: { offsets_ms: [0, 1e25] } }"),
            "invalid config: `offsets_ms[1]` is 1e25; it must be milliseconds from 0 to \
             31536000000 (365 days)",
        ),
        (
            QUICK.replace(
                "transport: { type: in_engine, config: { ttft_ms: 2, itl_ms: 0.2, output_tokens: 8, seed: 3 } }",
                "transport: { type: http, url: 'http://127.0.0.1:9', config: { timeout_s: 1e300 } }",
            ),
            "transport: creating transport \"http\" implementation \"hyper_rustls\" failed: invalid config: \
             `timeout_s` is 1e300; it must be seconds > 0 and at most 604800 (7 days)",
        ),
    ];
    if cfg!(feature = "adaptive-rate") {
        cases.push((
            QUICK.replace(
                timing,
                "{ name: adaptive_rate, config: { initial_rate: 1e-20, target_latency_ms: 50, requests: 3 } }",
            ),
            "invalid config: `initial_rate` is 1e-20; it is requests per second and must be a \
             finite number >= 0.000001 (one request every 11.6 days)",
        ));
    }
    for (yaml, expected) in cases {
        assert_refused(dir, &yaml, expected);
    }
}

#[test]
fn ctrl_c_stops_the_run_and_still_exports() {
    let scratch = scratch_dir("interrupt");
    let dir = scratch.path();
    let slow = QUICK.replace(
        "concurrency: 4, requests: 24",
        "concurrency: 2, requests: 100000",
    );
    let mut child = command(dir, &slow, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run has started (the logging hook says so on stderr,
    // after the signal handlers are in place), then send SIGINT.
    let stderr = child.stderr.take().unwrap();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead as _;
        let mut seen = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("phase starting") {
                let _ = started_tx.send(());
            }
            seen += &line;
            seen.push('\n');
        }
        seen
    });
    started_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the run started");
    // Let some requests (about 4 ms each) finish first.
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = reader.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "stopped promptly: {stderr}"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted, partial results"), "{stdout}");
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/profile_export_aiperf.json")).unwrap())
            .unwrap();
    assert_eq!(json["was_cancelled"], true);
    assert!(json["phases"][0]["completed"].as_u64().unwrap() > 0);
}

#[test]
fn an_unknown_host_fails_every_request_and_exits_1_naming_it() {
    let scratch = scratch_dir("unknown-host");
    let dir = scratch.path();
    let yaml = "plugins: { timing_strategy: { name: concurrency, config: { concurrency: 2, requests: 4 } } }\n\
                endpoint: { type: chat, model: demo }\n\
                transport: { type: http, config: { timeout_s: 5 } }\n\
                ui: { name: none }\n";
    let run = profile(dir, yaml, &["--url", "http://no-such-host.invalid:8000"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("profiling phase: 4 sent, 0 ok, 4 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "error: every request failed; the most frequent error: cannot reach http://no-such-host.invalid:8000/v1/chat/completions"
        ),
        "{}",
        run.stderr
    );
    // Without a URL the transport cannot even be created.
    let run = profile(dir, yaml, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("set `transport.url` in the config or pass --url"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_secret_in_the_url_never_reaches_output_logs_or_files() {
    let scratch = scratch_dir("secret");
    let dir = scratch.path();
    let secret = "s3cr3t-pa55w0rd";
    let yaml = "plugins:\n\
                \x20 phase_hooks: [ { name: logging } ]\n\
                \x20 timing_strategy: { name: concurrency, config: { concurrency: 1, requests: 2 } }\n\
                endpoint: { type: chat, model: demo }\n\
                transport: { type: http, url: 'http://user:${TOKEN}@no-such-host.invalid:8000', config: { timeout_s: 5 } }\n\
                ui: { name: none }\n";
    let output = command(dir, yaml, &[])
        .env("TOKEN", secret)
        .env("AIPERF_LOG", "debug")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("cannot reach http://user:***@no-such-host.invalid:8000"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(secret) && !stderr.contains(secret),
        "{stdout}{stderr}"
    );
    for file in ["profile_export_aiperf.json", "profile_export_aiperf.csv"] {
        let text = std::fs::read_to_string(dir.join("out").join(file)).unwrap();
        assert!(!text.contains(secret), "{file}: {text}");
    }
}

const HTTP_RUN: &str = "plugins: { timing_strategy: { name: concurrency, config: { concurrency: 1, requests: 4 } } }\n\
                        endpoint: { type: chat, model: demo }\n\
                        transport: { type: http, config: { timeout_s: 10 } }\n\
                        ui: { name: none }\n";

const GOOD_CHAT: &str = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi there"}}],"usage":{"completion_tokens":2}}"#;

#[test]
fn a_server_answering_500_to_everything_exits_1_with_the_status() {
    let scratch = scratch_dir("http-500");
    let dir = scratch.path();
    let body = r#"{"error":{"message":"model overloaded"}}"#;
    let server = LoopbackServer::repeating(vec![Reply::json(500, body)]);
    let url = server.url().to_owned();
    let run = profile(dir, HTTP_RUN, &["--url", &url]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("profiling phase: 4 sent, 0 ok, 4 failed"),
        "{}",
        run.stdout
    );
    let error = format!("{url}/v1/chat/completions answered 500: {body}");
    assert!(
        error_row(&run.stdout, &error).ends_with("│     4 │"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!(
            "error: every request failed; the most frequent error: {error}"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn malformed_json_bodies_are_counted_errors_naming_the_parse_problem() {
    let scratch = scratch_dir("http-malformed");
    let dir = scratch.path();
    let parse_error = r#"response is not valid JSON (EOF while parsing a list at line 1 column 13); body starts with "{\"choices\": [""#;
    // Every other answer is cut short: the run goes on, counts them, exits 0.
    let server = LoopbackServer::repeating(vec![
        Reply::json(200, GOOD_CHAT),
        Reply::json(200, r#"{"choices": ["#),
    ]);
    let url = server.url().to_owned();
    let run = profile(dir, HTTP_RUN, &["--url", &url]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("profiling phase: 4 sent, 2 ok, 2 failed"),
        "{}",
        run.stdout
    );
    assert!(
        error_row(&run.stdout, parse_error).ends_with("│     2 │"),
        "{}",
        run.stdout
    );
    // Every answer is HTML: every request fails, exit 1 naming the problem.
    let server = LoopbackServer::repeating(vec![Reply::json(200, "<html>busy</html>")]);
    let url = server.url().to_owned();
    let run = profile(dir, HTTP_RUN, &["--url", &url]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "error: every request failed; the most frequent error: response is not valid JSON \
             (expected value at line 1 column 1); body starts with \"<html>busy</html>\""
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// An output directory that cannot be created is an error naming it, and
/// the exit code says the run did not deliver its files.
#[test]
fn an_output_directory_that_cannot_be_created_is_named() {
    let scratch = scratch_dir("bad-output");
    let dir = scratch.path();
    // `--output` (`dir/out`, see `command`) is a regular file.
    let blocked = dir.join("out");
    std::fs::write(&blocked, "").unwrap();
    let run = profile(dir, QUICK, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: cannot create the output directory {} (set by --output or output_dir): \
             File exists (os error 17)",
            blocked.display()
        )),
        "{}",
        run.stderr
    );
    // Refused before running: no request was sent.
    assert!(!run.stdout.contains("phase:"), "{}", run.stdout);
}

/// A URL for a transport that takes none (in_engine) used to be ignored
/// silently; it is refused with what to do instead, from `--url` or the file.
#[test]
fn a_url_for_a_transport_that_takes_none_is_refused() {
    let scratch = scratch_dir("url-in-engine");
    let dir = scratch.path();
    let expected = "transport: transport \"in_engine\" (simulated_server) takes no URL, but one \
                    was given (--url or transport.url); to send requests to a server, use \
                    `transport: { type: http }`";
    let run = profile(dir, QUICK, &["--url", "http://127.0.0.1:9"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    let in_file = QUICK.replace(
        "transport: { type: in_engine,",
        "transport: { type: in_engine, url: \"http://127.0.0.1:9\",",
    );
    assert_refused(dir, &in_file, expected);
}

/// Sends `signal` to `child` once `ready` says so (or after 10 s).
fn signal_when(child: &std::process::Child, signal: &str, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// SIGTERM stops a run like Ctrl-C: requests in flight are counted as
/// cancelled (so `sent` equals what the server received), what was measured
/// is exported, and the exit code is 128 + 15.
#[test]
fn sigterm_counts_in_flight_requests_as_cancelled_and_exports() {
    let server = aiperf_mock_server::MockServer::start(aiperf_mock_server::MockConfig {
        ttft: Duration::from_millis(30_000),
        ..aiperf_mock_server::MockConfig::default()
    })
    .unwrap();
    let scratch = scratch_dir("sigterm");
    let dir = scratch.path();
    let yaml = "plugins: { timing_strategy: { name: concurrency, config: { concurrency: 3, requests: 50 } } }\n\
                endpoint: { type: chat, model: demo, streaming: true }\n\
                transport: { type: http, config: { timeout_s: 60 } }\n\
                ui: { name: none }\n";
    let child = command(dir, yaml, &["--url", server.url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the server holds three requests, none of which will finish in
    // time.
    signal_when(&child, "TERM", || server.counters().requests >= 3);
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(143), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped promptly"
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/profile_export_aiperf.json")).unwrap())
            .unwrap();
    assert_eq!(json["was_cancelled"], true);
    let phase = &json["phases"][0];
    assert_eq!(phase["sent"], 3, "{phase}");
    assert_eq!(phase["cancelled"], 3, "{phase}");
    assert_eq!(phase["failed"], 0, "cancelled is not failed: {phase}");
}

/// A `prometheus` hook whose Pushgateway accepts connections and never
/// answers (its own timeout: an hour), on a run that would take minutes.
#[cfg(feature = "prometheus")]
fn run_held_by_a_hook(dir: &Path) -> (std::process::Child, std::net::TcpListener) {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let yaml = format!(
        "plugins:\n  phase_hooks:\n    - name: prometheus\n      config: {{ endpoint: \"http://{}\", timeout_s: 3600 }}\n  \
         timing_strategy: {{ name: concurrency, config: {{ concurrency: 1, requests: 100000 }} }}\n\
         endpoint: {{ type: chat, model: demo }}\n\
         transport: {{ type: in_engine, config: {{ ttft_ms: 50 }} }}\n\
         ui: {{ name: none }}\n",
        silent.local_addr().unwrap()
    );
    let child = command(dir, &yaml, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, silent)
}

/// The first connection to `listener` (waits up to 30 s).
#[cfg(feature = "prometheus")]
fn wait_for_connection(listener: &std::net::TcpListener) -> std::net::TcpStream {
    listener.set_nonblocking(true).unwrap();
    let started = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => return stream,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("the hook never connected: {e}"),
        }
    }
}

/// A hook blocked on a slow server does not hold Ctrl-C: the run gives it a
/// short grace, then exports and exits 130.
#[cfg(feature = "prometheus")]
#[test]
fn a_hook_blocked_on_a_silent_server_does_not_hold_ctrl_c() {
    let scratch = scratch_dir("held-hook");
    let (child, silent) = run_held_by_a_hook(scratch.path());
    // Once the hook is blocked on the gateway, the run is under way.
    let _held = wait_for_connection(&silent);
    signal_when(&child, "INT", || true);
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}: {stderr}",
        started.elapsed()
    );
    assert!(
        stderr.contains("did not return within"),
        "the hook is reported: {stderr}"
    );
    assert!(
        scratch
            .path()
            .join("out/profile_export_aiperf.json")
            .exists()
    );
}

/// A second signal exits at once, without waiting for the hook's grace or
/// the export.
#[cfg(feature = "prometheus")]
#[test]
fn a_second_signal_exits_at_once() {
    let scratch = scratch_dir("second-signal");
    let (child, silent) = run_held_by_a_hook(scratch.path());
    let _held = wait_for_connection(&silent);
    signal_when(&child, "HUP", || true);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    signal_when(&child, "HUP", || true);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(129));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "exited {:?} after the second signal",
        started.elapsed()
    );
    assert!(
        !scratch
            .path()
            .join("out/profile_export_aiperf.json")
            .exists(),
        "the grace period was skipped"
    );
}

/// Secrets stay hidden in everything `profile` prints and writes: a
/// `${VAR}` model name and output directory, a URL's password and its Basic
/// auth form echoed by a server, and an API key a server echoes cut short.
#[test]
fn secrets_never_reach_the_summary_the_json_or_the_exports() {
    let scratch = scratch_dir("secrets");
    let dir = scratch.path();
    let model = "private-model-name-4242";
    let out_dir = dir.join("secret-dir-9f8e7d");
    let password = "pw-0123456789abcdef";
    // base64("ann:pw-0123456789abcdef"), as the Authorization header carries it.
    let basic = "YW5uOnB3LTAxMjM0NTY3ODlhYmNkZWY=";
    let echo = format!(r#"{{"error": {{"message": "bad credentials: Basic {basic}"}}}}"#);
    let server = LoopbackServer::repeating(vec![Reply::json(401, &echo)]);
    let url = server
        .url()
        .replace("http://", &format!("http://ann:{password}@"));
    let yaml = "plugins: { timing_strategy: { name: concurrency, config: { concurrency: 1, requests: 2 } } }\n\
                endpoint: { type: chat, model: \"${MODEL}\" }\n\
                transport: { type: http }\n\
                ui: { name: none }\n\
                output_dir: \"${OUT}\"\n";
    let config = dir.join("bench.yaml");
    std::fs::write(&config, yaml).unwrap();
    let out = out_dir.display().to_string();
    for json in [false, true] {
        let mut command = common::command(
            ["profile", "--config"],
            &[("MODEL", model), ("OUT", &out), ("AIPERF_LOG", "debug")],
        );
        command.arg(&config).args(["--url", &url]);
        if json {
            command.arg("--json");
        }
        let run = common::run(command);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        for secret in [model, "secret-dir-9f8e7d", password, basic] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{secret} shown:\n{}{}",
                run.stdout,
                run.stderr
            );
        }
        assert!(run.stdout.contains("***"), "{}", run.stdout);
    }
    for file in ["profile_export_aiperf.json", "profile_export_aiperf.csv"] {
        let text = std::fs::read_to_string(out_dir.join(file)).unwrap();
        for secret in [model, password, basic] {
            assert!(!text.contains(secret), "{file} shows {secret}: {text}");
        }
    }
}

/// An API key that a server echoes only in part (cut at its own limit) is
/// hidden too.
#[test]
fn an_api_key_echoed_in_part_is_hidden() {
    let scratch = scratch_dir("key-echo");
    let key = "sk-live-abcdefghijklmnopqrstuvwxyz0123456789";
    let echo = format!(
        r#"{{"error": {{"message": "invalid key Bearer {}"}}}}"#,
        &key[..20]
    );
    let server = LoopbackServer::repeating(vec![Reply::json(401, &echo)]);
    let yaml = format!(
        "plugins: {{ timing_strategy: {{ name: concurrency, config: {{ concurrency: 1, requests: 1 }} }} }}\n\
         endpoint: {{ type: chat, model: demo }}\n\
         transport: {{ type: http, config: {{ api_key: \"{key}\" }} }}\n\
         ui: {{ name: none }}\n"
    );
    let run = profile(scratch.path(), &yaml, &["--url", server.url()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains(&key[..12]) && !run.stderr.contains(&key[..12]),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("invalid key Bearer ***"),
        "{}",
        run.stdout
    );
}

/// 2,000 concurrent requests under an open-files limit of 1,024: requests
/// wait for a free socket instead of failing (they used to fail by the
/// thousand, with exit 0), and the summary says the client set the pace.
#[test]
fn concurrency_above_the_open_files_limit_waits_instead_of_failing() {
    let server = aiperf_mock_server::MockServer::start(aiperf_mock_server::MockConfig {
        ttft: Duration::from_millis(20),
        output_tokens: 2,
        ..aiperf_mock_server::MockConfig::default()
    })
    .unwrap();
    let scratch = scratch_dir("open-files");
    let dir = scratch.path();
    let yaml = "plugins: { timing_strategy: { name: concurrency, config: { concurrency: 2000, requests: 4000 } } }\n\
                endpoint: { type: chat, model: demo, streaming: true }\n\
                transport: { type: http, config: { timeout_s: 60 } }\n\
                ui: { name: none }\n";
    std::fs::write(dir.join("bench.yaml"), yaml).unwrap();
    // The hard limit is lowered too, so the client cannot raise it back.
    let script = format!(
        "ulimit -Sn 1024 && ulimit -Hn 1024 && exec \"$0\" profile --config {} --output {} --url {}",
        dir.join("bench.yaml").display(),
        dir.join("out").display(),
        server.url()
    );
    let mut command = Command::new("sh");
    command
        .args(["-c", &script, env!("CARGO_BIN_EXE_aiperf")])
        .env_remove("AIPERF_USE")
        .env_remove("AIPERF_PLUGIN_CRATES");
    let run = common::run(command);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("profiling phase: 4000 sent, 4000 ok, 0 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("note: in-flight requests reached the client's limit of 704"),
        "{}",
        run.stdout
    );
    // And before the first request went out, on stderr.
    assert!(
        run.stderr.contains(
            "the timing strategy allows 2000 requests in flight, but this process can keep only \
             704 open"
        ),
        "{}",
        run.stderr
    );
}
