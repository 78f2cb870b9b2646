//! Link set: the builtins and every plugin crate.

use aiperf_plugin_api::{
    EndpointFactory, PhaseHookFactory, TimingStrategyFactory, TransportFactory,
};
use registry_core::Origin;

use aiperf_builtins as _;
use aiperf_plugin_adaptive_rate as _;
use aiperf_plugin_nvidia_optimized as _;
use aiperf_plugin_prometheus as _;

const PLUGINS: [&str; 3] = [
    "aiperf-plugin-adaptive-rate",
    "aiperf-plugin-nvidia-optimized",
    "aiperf-plugin-prometheus",
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
