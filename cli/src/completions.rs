//! `aiperf completions SHELL`: clap_complete's script for this binary,
//! with the flags that take a registered name completing the names this
//! build's registry holds (builtins and linked plugin crates), the way
//! `aiperf plugins CATEGORY` lists them.

use clap::CommandFactory;
use clap::builder::PossibleValuesParser;

use crate::Cli;

/// `profile` flags that name a part, with the names of their category.
fn name_flags() -> [(&'static str, &'static [&'static str]); 7] {
    use aiperf_plugin_api::*;
    [
        ("endpoint_type", EndpointFactory::list_names()),
        ("transport", TransportFactory::list_names()),
        ("url_strategy", UrlSelectionStrategyFactory::list_names()),
        (
            "custom_dataset_type",
            CustomDatasetLoaderFactory::list_names(),
        ),
        ("arrival_pattern", ArrivalPatternFactory::list_names()),
        ("ui_type", UiFactory::list_names()),
        ("tokenizer", TokenizerFactory::list_names()),
    ]
}

/// The completion script for `shell`.
pub(crate) fn script(shell: clap_complete::Shell) -> String {
    let mut command = Cli::command().mut_subcommand("profile", |mut profile| {
        for (flag, names) in name_flags() {
            if names.is_empty() || profile.get_arguments().all(|a| a.get_id() != flag) {
                continue;
            }
            // Only for completion: `profile` itself checks names against
            // the registry, whose errors say more than clap's would.
            profile = profile.mut_arg(flag, |arg| {
                arg.value_parser(PossibleValuesParser::new(names.iter().copied()))
            });
        }
        profile
    });
    let categories: Vec<&'static str> = registry_core::categories()
        .iter()
        .map(|c| c.info())
        .filter(|info| !info.internal())
        .map(|info| info.name())
        .collect();
    command = command.mut_subcommand("plugins", |plugins| {
        plugins.mut_arg("category", |arg| {
            arg.value_parser(PossibleValuesParser::new(categories))
        })
    });
    command = command.mut_subcommand("plot", |plot| {
        plot.mut_arg("plots", |arg| {
            arg.value_parser(PossibleValuesParser::new(
                aiperf_plugin_api::PlotFactory::list_names().iter().copied(),
            ))
        })
    });
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "aiperf", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}
