//! The `aiperf` command line: `aiperf plugins` shows what the registry
//! holds and what each name resolves to, in the shape of AIPerf's own
//! `aiperf plugins` command.
//!
//! The binary (`src/main.rs`) only calls [`main`]. The plugin crates it
//! links are chosen by Cargo features (`nvidia-optimized`, `prometheus`,
//! `adaptive-rate`, `all-plugins`; none by default) and anchored in
//! [`linked`].
//!
//! Environment (read at start-up, invalid values are errors that name the
//! variable): `AIPERF_PLUGIN_CRATES` (allow-list of active plugin crates),
//! `AIPERF_USE` (`category.name=identifier,...` overrides), `AIPERF_LOG`
//! (`error`, `warn` (default), `info`, `debug`, `trace`).

#![warn(missing_docs)]

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use registry_core::env::EnvSettings;

mod completions;
pub mod flags;
pub mod linked;
mod output;
pub mod plot;
pub mod plugins;
pub mod profile;
mod table;

pub use flags::ProfileArgs;
pub use output::{CliError, Output, Status, View};

/// The prefix of the environment variables the registry reads.
pub const ENV_PREFIX: &str = "AIPERF";

/// `aiperf`: LLM benchmarking built from a compile-time plugin registry.
#[derive(Debug, Parser)]
#[command(name = "aiperf", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the plugin registry: packages, categories, names, candidates.
    Plugins(PluginsArgs),
    /// Run a benchmark described by AIPerf's flags and/or a YAML config;
    /// every part comes from the registry.
    Profile(Box<ProfileArgs>),
    /// Charts of a finished run (SVG, from its profile_export.jsonl; no
    /// browser needed).
    Plot(plot::PlotArgs),
    /// The config file's JSON Schema (`aiperf config schema`).
    Config(ConfigArgs),
    /// A shell completion script that completes plugin names from this
    /// binary's registry (`aiperf completions bash > ...`).
    Completions(CompletionsArgs),
}

/// `aiperf config schema`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// What to show.
    #[command(subcommand)]
    pub action: ConfigAction,
}

/// `aiperf config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the JSON Schema of the config file, with every category's
    /// registered names (builtins and linked plugin crates) as enums; point
    /// an editor's YAML support at it.
    Schema,
}

/// `aiperf completions SHELL`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    aiperf completions bash > ~/.local/share/bash-completion/completions/aiperf\n  \
    aiperf completions zsh > ~/.zfunc/_aiperf\n  \
    aiperf completions fish > ~/.config/fish/completions/aiperf.fish")]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `aiperf plugins [CATEGORY [NAME]] [--all] [--internal] [--validate] [--json]`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    aiperf plugins                  installed packages\n  \
    aiperf plugins --all            every category and its names\n  \
    aiperf plugins endpoint         the names of one category\n  \
    aiperf plugins endpoint chat    candidates of one name, which is selected and why\n  \
    aiperf plugins --validate       check the whole registry (exit 1 on problems)\n  \
    aiperf plugins --validate --config bench.yaml   also check a benchmark config")]
pub struct PluginsArgs {
    /// A category (e.g. `endpoint`); case-insensitive, `-` equals `_`.
    pub category: Option<String>,
    /// A name within the category (e.g. `chat`).
    pub name: Option<String>,
    /// List every category with its names.
    #[arg(long, conflicts_with_all = ["category", "validate"])]
    pub all: bool,
    /// With `--all`: include internal categories.
    #[arg(long, requires = "all")]
    pub internal: bool,
    /// Check the whole registry and the environment; exit 1 on any problem.
    #[arg(long, conflicts_with = "category")]
    pub validate: bool,
    /// With `--validate`: also check this benchmark config file against the
    /// registry (names, each component's settings, `${VAR}`s) without
    /// running anything.
    #[arg(long, value_name = "FILE", requires = "validate")]
    pub config: Option<std::path::PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Parses the command line, runs the command, prints its output and
/// returns its exit code ([`Status`]; `error: ...` on stderr and 1 for a
/// [`CliError`]; usage errors exit 2). The `aiperf` binary is this
/// function; a binary that links more plugin crates uses [`main_with`].
pub fn main() -> ExitCode {
    main_with(&[])
}

/// [`main`] for a downstream binary that links plugin crates of its own:
/// `crates` are their package names, checked at start-up with
/// [`registry_core::require_linked`] beside the crates this crate's
/// features link, and listed by `aiperf plugins --validate`. A plugin
/// crate's `link()` function returns its name *and* anchors it, so one line
/// both links the crate and tells the CLI to expect it:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     // `aiperf_plugin_adaptive_rate::link()` in a binary that depends on
///     // that crate; any plugin crate with a `link()` works the same way.
///     aiperf_cli::main_with(&[aiperf_builtins::link()])
/// }
/// ```
///
/// Without it, a crate whose anchor was forgotten is missing silently: its
/// names are unknown to `profile`, and `plugins --validate` cannot know to
/// look for it.
pub fn main_with(crates: &[&str]) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    init_logging();
    let mut linked = linked::LINKED_CRATES.to_vec();
    for krate in crates {
        if !linked.contains(krate) {
            linked.push(krate);
        }
    }
    output::finish(run_linked(cli, &linked))
}

/// Prints a command-line error and returns its exit code: an AIPerf flag
/// this build lacks is named as such, everything else is clap's message.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() == ErrorKind::UnknownArgument {
        if let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) {
            if let Some(message) = flags::aiperf_only_flag(arg) {
                output::report(format_args!("error: {message}"));
                return ExitCode::from(2);
            }
        }
    }
    e.exit()
}

/// `AIPERF_LOG` sets the level (default `warn`); the phase hooks' own
/// target `aiperf::phase` logs at `info` unless `AIPERF_LOG` lowers it, so a
/// configured `logging` hook is heard by default. A bad value is reported,
/// not ignored.
fn init_logging() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;

    let (level, bad) = match std::env::var("AIPERF_LOG").ok().as_deref() {
        None | Some("") => (None, None),
        Some(value) => match value.parse::<LevelFilter>() {
            Ok(level) => (Some(level), None),
            Err(_) => (None, Some(value.to_owned())),
        },
    };
    let filter = Targets::new()
        .with_default(level.unwrap_or(LevelFilter::WARN))
        .with_target("aiperf::phase", level.unwrap_or(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .without_time()
                .with_filter(filter),
        )
        .init();
    if let Some(bad) = bad {
        tracing::warn!(
            "AIPERF_LOG={bad:?} is not a level; expected off, error, warn, info, debug or trace"
        );
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Output, CliError> {
    run_linked(cli, linked::LINKED_CRATES)
}

/// Runs a parsed command line in a binary that must have linked `linked`
/// (package names).
fn run_linked(cli: Cli, linked: &[&str]) -> Result<Output, CliError> {
    match cli.command {
        Command::Plugins(args) => run_plugins(&args, linked),
        Command::Profile(args) => {
            apply_environment(linked)?;
            profile::run(&args)
        }
        Command::Plot(args) => {
            apply_environment(linked)?;
            plot::run(&args)
        }
        Command::Config(ConfigArgs {
            action: ConfigAction::Schema,
        }) => {
            apply_environment(linked)?;
            let schema = aiperf_engine::config::config_schema();
            Ok(Output {
                text: serde_json::to_string_pretty(&schema)? + "\n",
                status: Status::Success,
            })
        }
        Command::Completions(args) => {
            apply_environment(linked)?;
            Ok(Output {
                text: completions::script(args.shell),
                status: Status::Success,
            })
        }
    }
}

/// Applies `AIPERF_PLUGIN_CRATES`/`AIPERF_USE` and checks that the plugin
/// crates of this build are linked.
fn apply_environment(linked: &[&str]) -> Result<(), CliError> {
    EnvSettings::from_env(ENV_PREFIX)?.apply()?;
    registry_core::require_linked(linked.iter().copied())?;
    Ok(())
}

fn run_plugins(args: &PluginsArgs, linked: &[&str]) -> Result<Output, CliError> {
    let json = args.json;
    if args.validate {
        let env = EnvSettings::from_env(ENV_PREFIX).and_then(|s| s.apply().map(|()| s));
        let registry = plugins::validate(env, linked);
        return match &args.config {
            Some(path) => {
                let config = plugins::validate_config(path);
                let ok = registry.ok && config.ok;
                let view = plugins::FullValidation {
                    ok,
                    registry,
                    config,
                };
                Output::of(&view, json, checked(ok))
            }
            None => {
                let ok = registry.ok;
                Output::of(&registry, json, checked(ok))
            }
        };
    }
    apply_environment(linked)?;
    match (&args.category, &args.name) {
        (None, _) if args.all => Output::of(
            &plugins::all_categories(args.internal)?,
            json,
            Status::Success,
        ),
        (None, _) => Output::of(&plugins::packages(), json, Status::Success),
        (Some(category), None) => {
            let category = registry_core::category(category)?;
            Output::of(&plugins::category_view(category)?, json, Status::Success)
        }
        (Some(category), Some(name)) => {
            let category = registry_core::category(category)?;
            Output::of(
                &plugins::detail_view(category, name)?,
                json,
                Status::Success,
            )
        }
    }
}

/// A check's status: failed checks exit 1.
fn checked(ok: bool) -> Status {
    if ok { Status::Success } else { Status::Failed }
}
