//! `aiperf profile` with the `prometheus` hook against a real Prometheus
//! Pushgateway (Debian's `prometheus-pushgateway`, which `.ci/run`
//! installs). Outside CI, a machine without the binary skips this test with
//! a printed reason; in CI (`CI` set) a missing binary fails it.
#![cfg(feature = "prometheus")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = "/usr/bin/prometheus-pushgateway";

struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    Some(text)
}

#[test]
fn a_profile_run_pushes_its_phase_metrics_to_a_real_pushgateway() {
    if !std::path::Path::new(BINARY).exists() {
        if std::env::var_os("CI").is_some() {
            panic!("{BINARY} is missing in CI: .ci/run must install prometheus-pushgateway");
        }
        eprintln!("SKIPPED: {BINARY} is not installed (apt-get install prometheus-pushgateway)");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let scratch = aiperf_test_support::scratch_dir("pushgateway");
    let dir = scratch.path();
    let _gateway = Gateway(
        Command::new(BINARY)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!(
                "--persistence.file={}",
                dir.join("pg.data").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(port, "/-/ready").is_none_or(|r| !r.starts_with("HTTP/1.0 200")) {
        assert!(
            Instant::now() < deadline,
            "the Pushgateway did not become ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let yaml = r#"
plugins:
  phase_hooks:
    - name: prometheus
      config: { endpoint: "${PUSHGATEWAY_URL}", job: aiperf-ci }
  timing_strategy: { name: concurrency, config: { concurrency: 2, requests: 12 } }
endpoint: { type: chat, model: demo }
transport: { type: in_engine, config: { ttft_ms: 1, itl_ms: 0, output_tokens: 4 } }
ui: { name: none }
exporters: []
"#;
    std::fs::write(dir.join("bench.yaml"), yaml).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aiperf"))
        .args(["profile", "--config"])
        .arg(dir.join("bench.yaml"))
        .arg("--output")
        .arg(dir.join("out"))
        .env("PUSHGATEWAY_URL", format!("http://127.0.0.1:{port}"))
        .env_remove("AIPERF_PLUGIN_CRATES")
        .env_remove("AIPERF_USE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("phase hook"), "a hook failed: {stderr}");

    let metrics = get(port, "/metrics").unwrap();
    let series = metrics
        .lines()
        .find(|l| l.starts_with("aiperf_requests_completed{"))
        .unwrap_or_else(|| panic!("no aiperf_requests_completed in:\n{metrics}"));
    for label in [r#"job="aiperf-ci""#, r#"phase="profiling""#] {
        assert!(series.contains(label), "{series}");
    }
    assert!(series.ends_with(" 12"), "{series}");
    assert!(metrics.contains("aiperf_request_latency_ms{"), "{metrics}");
}
