//! What the CLI's integration tests share: running the real `aiperf`
//! binary with a clean environment, and (re-exported from the workspace's
//! test-support crate) scratch directories and a loopback HTTP server.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::ffi::OsStr;
use std::process::Command;

#[allow(unused_imports)] // not every test binary serves HTTP
pub use aiperf_test_support::{LoopbackServer, Reply, scratch_dir};

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (a run killed by a signal fails the test).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// The environment variables the binary reads, removed from every run so
/// the developer's shell cannot change a test's outcome.
const AIPERF_VARIABLES: [&str; 3] = ["AIPERF_USE", "AIPERF_PLUGIN_CRATES", "AIPERF_LOG"];

/// `aiperf ARGS...` with a clean environment plus `env`.
pub fn command<I, S>(args: I, env: &[(&str, &str)]) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_aiperf"));
    command.args(args);
    for var in AIPERF_VARIABLES {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command
}

/// Runs `command` to completion.
pub fn run(mut command: Command) -> Run {
    let output = command.output().expect("the aiperf binary runs");
    Run {
        code: output
            .status
            .code()
            .expect("aiperf exited (not killed by a signal)"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `aiperf ARGS...` with a clean environment plus `env`, run to completion.
pub fn aiperf(args: &[&str], env: &[(&str, &str)]) -> Run {
    run(command(args, env))
}
