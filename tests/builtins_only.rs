//! Link set: `aiperf-builtins` alone.

use aiperf_plugin_api::{EndpointFactory, TimingStrategyFactory};
use registry_core::{Reason, RegistryError};

use aiperf_builtins as _;

#[test]
fn only_the_builtins_package_is_linked() {
    let packages: Vec<&str> = registry_core::packages()
        .iter()
        .map(|p| p.package().name())
        .collect();
    assert_eq!(packages, ["aiperf-builtins"]);
    assert!(registry_core::require_linked(["aiperf-plugin-nvidia-optimized"]).is_err());
    assert_eq!(registry_core::validate(), []);
}

#[test]
fn chat_resolves_to_the_openai_builtin() {
    let selection = EndpointFactory::selection("chat").unwrap();
    assert_eq!(selection.registration().info().identifier(), "openai_chat");
    assert_eq!(selection.reason(), Reason::OnlyCandidate);
    assert_eq!(
        EndpointFactory::list_implementations("chat").unwrap().len(),
        1
    );
}

#[test]
fn plugin_names_are_unknown_with_a_suggestion() {
    let err = TimingStrategyFactory::get_class("adaptive_rate").unwrap_err();
    assert!(matches!(err, RegistryError::UnknownName { .. }), "{err}");
    let err = EndpointFactory::use_implementation_by_id("chat", "nvidia_optimized").unwrap_err();
    assert!(err.to_string().contains("available: openai_chat"), "{err}");
}
