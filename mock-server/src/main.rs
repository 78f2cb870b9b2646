//! `aiperf-mock-server`: serves until killed; see the library's docs.

use std::io::Write;
use std::process::ExitCode;

use aiperf_mock_server::{Args, MockServer};
use clap::Parser;

fn main() -> ExitCode {
    let args = Args::parse();
    // One socket per connection: allow as many as the system lets us.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let config = args.into_config();
    let server = match MockServer::start(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("aiperf-mock-server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = server.config();
    // The first line of stdout names the URL (and so the port picked for
    // `--port 0`); the rest of what is said goes to stderr.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "aiperf-mock-server listening on {}", server.url());
    let _ = out.flush();
    drop(out);
    eprintln!(
        "ttft {:?}, itl {:?}, output tokens {}, error rate {}, seed {}{}",
        config.ttft,
        config.itl,
        config.output_tokens,
        config.error_rate,
        server.seed(),
        config
            .record
            .as_ref()
            .map(|p| format!(", recording to {}", p.display()))
            .unwrap_or_default(),
    );
    server.wait();
    ExitCode::SUCCESS
}
