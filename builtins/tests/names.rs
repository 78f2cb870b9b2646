//! The name enums and `aiperf_registry.rs` cannot drift: each enum's known
//! variants are exactly the builtin names registered in its category.

use aiperf_builtins as _;
use aiperf_plugin_api::names::*;
use aiperf_plugin_api::*;
use registry_core::{Category, Factory, Origin};

fn builtin_names<C: Category>() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Factory::<C>::list_names()
        .iter()
        .copied()
        .filter(|name| {
            Factory::<C>::list_implementations(name)
                .unwrap()
                .iter()
                .any(|c| c.registration().info().origin() == Origin::Builtin)
        })
        .collect();
    names.sort_unstable();
    names
}

fn known(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort_unstable();
    names
}

macro_rules! same_names {
    ($($category:ty => $enum:ty),* $(,)?) => {$(
        assert_eq!(
            known(<$enum>::KNOWN.iter().map(|v| v.as_str().to_owned())),
            builtin_names::<$category>(),
            "{} vs the builtin registrations of {}",
            stringify!($enum),
            <$category as Category>::INFO.name(),
        );
    )*};
}

#[test]
fn every_enum_lists_exactly_the_builtin_names_of_its_category() {
    same_names! {
        EndpointCategory => EndpointType,
        TransportCategory => TransportType,
        TimingStrategyCategory => TimingStrategyType,
        PhaseHookCategory => PhaseHookType,
        UiCategory => UiType,
        DataExporterCategory => DataExporterType,
        ConsoleExporterCategory => ConsoleExporterType,
        PlotCategory => PlotType,
        DatasetSamplerCategory => DatasetSamplerType,
        TokenizerCategory => TokenizerType,
        DatasetComposerCategory => DatasetComposerType,
        CustomDatasetLoaderCategory => CustomDatasetLoaderType,
        ArrivalPatternCategory => ArrivalPatternType,
        UrlSelectionStrategyCategory => UrlSelectionStrategyType,
    }
}

#[test]
fn every_category_has_an_enum() {
    let categories: Vec<&str> = registry_core::categories()
        .iter()
        .map(|c| c.info().name())
        .collect();
    assert_eq!(
        categories,
        [
            "arrival_pattern",
            "console_exporter",
            "custom_dataset_loader",
            "data_exporter",
            "dataset_composer",
            "dataset_sampler",
            "endpoint",
            "phase_hook",
            "plot",
            "timing_strategy",
            "tokenizer",
            "transport",
            "ui",
            "url_selection_strategy",
        ]
    );
}

#[test]
fn the_validating_path_returns_the_registration_or_a_suggestion() {
    let chat = EndpointType::parse_registered("CHAT").unwrap();
    assert_eq!(chat, EndpointType::Chat);
    let err = PhaseHookType::parse_registered("loging")
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean \"logging\"?"), "{err}");
    // A plugin name that is not linked here parses, but does not validate.
    let plugin = TimingStrategyType::parse("adaptive-rate").unwrap();
    assert!(!plugin.is_known());
    assert!(plugin.registration().is_err());
}
