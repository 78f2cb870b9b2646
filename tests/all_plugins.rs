//! Link set: the builtins and every plugin crate.

use std::time::Duration;

use aiperf_plugin_api::{
    ArrivalPatternFactory, Decision, EndpointFactory, PhaseHookFactory, Progress, TimingArgs,
    TimingStrategyFactory, TokenizerFactory, TransportFactory,
};
use registry_core::Origin;

use aiperf_builtins as _;
use aiperf_plugin_adaptive_rate as _;
use aiperf_plugin_hf_tokenizers as _;
use aiperf_plugin_nvidia_optimized as _;
use aiperf_plugin_prometheus as _;
use aiperf_plugin_uniform_arrivals as _;

const PLUGINS: [&str; 5] = [
    "aiperf-plugin-adaptive-rate",
    "aiperf-plugin-hf-tokenizers",
    "aiperf-plugin-nvidia-optimized",
    "aiperf-plugin-prometheus",
    "aiperf-plugin-uniform-arrivals",
];

#[test]
fn every_package_is_linked_and_the_registry_is_valid() {
    registry_core::require_linked(PLUGINS).unwrap();
    let packages: Vec<&str> = registry_core::packages()
        .iter()
        .map(|p| p.package().name())
        .collect();
    assert_eq!(packages[0], "aiperf-builtins");
    assert_eq!(packages[1..], PLUGINS);
    assert_eq!(registry_core::validate(), []);
}

#[test]
fn plugin_names_resolve_to_their_plugins_and_builtins_stay() {
    let identifier = |r: &registry_core::RegistrationInfo| (r.identifier(), r.origin());
    assert_eq!(
        identifier(
            TimingStrategyFactory::get_class("adaptive_rate")
                .unwrap()
                .info()
        ),
        ("aimd", Origin::Plugin)
    );
    assert_eq!(
        identifier(PhaseHookFactory::get_class("prometheus").unwrap().info()),
        ("pushgateway", Origin::Plugin)
    );
    assert_eq!(
        identifier(EndpointFactory::get_class("chat").unwrap().info()),
        ("nvidia_optimized", Origin::Plugin)
    );
    assert_eq!(
        identifier(ArrivalPatternFactory::get_class("uniform").unwrap().info()),
        ("jittered_interval", Origin::Plugin)
    );
    assert_eq!(
        identifier(TokenizerFactory::get_class("huggingface").unwrap().info()),
        ("hf_tokenizer_json", Origin::Plugin)
    );
    assert_eq!(
        identifier(PhaseHookFactory::get_class("logging").unwrap().info()),
        ("tracing_log", Origin::Builtin)
    );
    assert_eq!(
        identifier(TransportFactory::get_class("in_engine").unwrap().info()),
        ("simulated_server", Origin::Builtin)
    );
}

#[test]
fn nothing_was_loaded_by_listing_and_resolving() {
    for category in registry_core::categories() {
        for name in category.list_names() {
            for candidate in category.list_implementations(name).unwrap() {
                assert!(!candidate.registration().is_loaded(), "{name}");
            }
        }
    }
}

#[test]
fn the_builtin_request_rate_strategy_spaces_requests_with_a_plugin_pattern() {
    // `request_rate` (builtin) creates its arrival pattern by name through
    // the registry: the `uniform` plugin is configured like a builtin one.
    let config = serde_json::json!({
        "rate": 10, "requests": 200, "arrival_pattern": "uniform",
        "arrival_config": {"jitter": 0.2}, "seed": 3
    });
    let mut strategy =
        TimingStrategyFactory::create_instance("request_rate", TimingArgs { config }).unwrap();
    let mut previous = Duration::ZERO;
    for issued in 0..200 {
        let progress = Progress {
            issued,
            ..Progress::default()
        };
        let Decision::Issue { at, .. } = strategy.next(progress) else {
            panic!("done after {issued} requests");
        };
        if issued > 0 {
            // Every gap within 20 % of 100 ms.
            let gap = at - previous;
            assert!(
                (Duration::from_millis(80)..=Duration::from_millis(120)).contains(&gap),
                "gap before request {issued}: {gap:?}"
            );
        }
        previous = at;
    }
    let done = Progress {
        issued: 200,
        ..Progress::default()
    };
    assert_eq!(strategy.next(done), Decision::Done);
    // The plugin's own error, through the strategy.
    let config = serde_json::json!({
        "rate": 10, "arrival_pattern": "uniform", "arrival_config": {"jitter": 3}
    });
    let e = TimingStrategyFactory::create_instance("request_rate", TimingArgs { config })
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("implementation \"jittered_interval\" failed: invalid config: `jitter` is 3"),
        "{e}"
    );
}
