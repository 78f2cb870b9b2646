//! The `aiperf-mock-server` binary: `--port 0` prints the port it picked,
//! `--record` writes JSON lines, bad flags are refused.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{Conn, chat, eventually};

const BIN: &str = env!("CARGO_BIN_EXE_aiperf-mock-server");

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn port_zero_prints_the_chosen_port_and_records_to_the_file() {
    let record = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary-record.jsonl");
    let _ = std::fs::remove_file(&record);
    let mut child = Running(
        Command::new(BIN)
            .args(["--port", "0", "--fast", "--seed", "3", "--record"])
            .arg(&record)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("aiperf-mock-server listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let addr: SocketAddr = url.parse().unwrap();
    assert_ne!(addr.port(), 0);
    assert_ne!(addr.port(), 8000);

    let mut conn = Conn::connect(addr);
    let health = conn.request("GET", "/health", b"");
    assert_eq!(health.status(), 200);
    assert_eq!(health.json()["config"]["seed"], 3);
    let r = conn.post_json("/v1/chat/completions", &chat("hello", Some(4), true));
    assert_eq!(r.status(), 200);

    // The writer thread writes each record as soon as it is made.
    let lines = eventually(|| {
        let text = std::fs::read_to_string(&record).ok()?;
        (text.lines().count() == 1).then_some(text)
    });
    let v: serde_json::Value = serde_json::from_str(lines.trim()).unwrap();
    assert_eq!(v["route"], "chat_completions");
    assert_eq!(v["output_tokens"], 4);
    assert_eq!(v["stream"], true);
    assert!(v["completed_ns"].is_u64());
}

#[test]
fn an_error_rate_above_100_percent_is_refused() {
    let out = Command::new(BIN)
        .args(["--error-rate", "150"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("150 is not a percentage from 0 to 100"),
        "{stderr}"
    );
}

#[test]
fn help_lists_the_flags() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--host",
        "--port",
        "--ttft",
        "--itl",
        "--fast",
        "--output-tokens",
        "--error-rate",
        "--random-seed",
        "--seed",
        "--embedding-dim",
        "--record",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
