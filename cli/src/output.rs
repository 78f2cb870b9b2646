//! What a command hands back, and the one place that decides how it is
//! shown ([`View`]: a table or JSON) and what the process exits with
//! ([`Status`], [`CliError`]).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

/// A command's result: rendered as text for people, or as JSON.
pub trait View: Serialize {
    /// The human form (aligned tables, one message per line).
    fn render(&self) -> String;
}

/// How a command ended; [`Status::exit_code`] is the only mapping to exit
/// codes (errors exit 1 through [`CliError`], usage errors 2 through clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It did what was asked: exit 0.
    Success,
    /// A check found problems, or a run's every request failed, or its
    /// results could not all be written: exit 1.
    Failed,
    /// A run was stopped by a signal; what was measured was still
    /// exported: exit 128 + the signal's number, as shells report it (130
    /// for SIGINT/Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    Interrupted(i32),
}

impl Status {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failed => 1,
            Status::Interrupted(signal) => u8::try_from(128 + signal).unwrap_or(130),
        }
    }
}

/// What a command printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// Text for stdout.
    pub text: String,
    /// How the command ended.
    pub status: Status,
}

impl Output {
    /// `view` as JSON (pretty, one trailing newline) or as its human form.
    pub fn of(view: &impl View, json: bool, status: Status) -> Result<Output, CliError> {
        let text = if json {
            serde_json::to_string_pretty(view)? + "\n"
        } else {
            view.render()
        };
        Ok(Output { text, status })
    }
}

/// Why a command could not do what was asked. Exits 1, or 2 for a flag
/// (usage) error.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An unknown or malformed category, name or identifier, an unlinked
    /// plugin crate, ...
    #[error(transparent)]
    Registry(#[from] registry_core::RegistryError),
    /// A malformed `AIPERF_PLUGIN_CRATES` / `AIPERF_USE`.
    #[error(transparent)]
    Environment(#[from] registry_core::env::EnvError),
    /// The config file could not be read or parsed.
    #[error(transparent)]
    Config(#[from] aiperf_engine::config::ConfigError),
    /// A flag of `aiperf profile` that cannot be used as given (an unknown
    /// name, a contradiction with another flag, an AIPerf flag this build
    /// lacks). Exits 2, as usage errors do.
    #[error("{flag}: {message}")]
    Flag {
        /// The flag, e.g. `--endpoint-type`.
        flag: String,
        /// What is wrong and what would be right.
        message: String,
    },
    /// The config parsed, but parts of it cannot be created.
    #[error("{config} cannot run:\n  {}", .problems.join("\n  "))]
    CannotRun {
        /// The config file, or `the benchmark` for one given by flags.
        config: String,
        /// Every problem, with its place in the file.
        problems: Vec<String>,
    },
    /// The output directory cannot be created.
    #[error(
        "cannot create the output directory {} (set by --output or output_dir): {source}",
        .dir.display()
    )]
    OutputDirectory {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A view could not be encoded as JSON.
    #[error("cannot encode the output as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Flag { .. } => 2,
            _ => 1,
        }
    }
}

/// Writes a line to stderr, ignoring a closed stderr (nowhere left to say
/// it): `eprintln!` would panic.
pub fn report(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// Prints a command's result and turns it into the process exit code. A
/// closed stdout (`aiperf plugins --json | head -0`) ends quietly, a full
/// disk with a message; both exit 1 rather than pretend success, and
/// neither panics as `print!` would.
pub fn finish(result: Result<Output, CliError>) -> ExitCode {
    let output = match result {
        Ok(output) => output,
        Err(e) => {
            report(format_args!("error: {e}"));
            return ExitCode::from(e.exit_code());
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::from(output.status.exit_code()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
        Err(e) => {
            report(format_args!("error: cannot write the output: {e}"));
            ExitCode::FAILURE
        }
    }
}
