//! Linking this crate adds `timing_strategy/adaptive_rate` as a plugin.

use aiperf_plugin_api::{Decision, Progress, TimingArgs, TimingStrategyFactory};
use registry_core::Origin;

use aiperf_plugin_adaptive_rate as _;

#[test]
fn adaptive_rate_is_a_linked_plugin_created_from_config() {
    let selected = TimingStrategyFactory::get_class("Adaptive-Rate").unwrap();
    assert_eq!(selected.info().identifier(), "aimd");
    assert_eq!(selected.info().origin(), Origin::Plugin);
    assert_eq!(
        selected.info().package().name(),
        "aiperf-plugin-adaptive-rate"
    );
    assert!(!TimingStrategyFactory::is_loaded("adaptive_rate", "aimd").unwrap());

    let config = serde_json::json!({"initial_rate": 4, "target_latency_ms": 50, "requests": 2});
    let mut strategy =
        TimingStrategyFactory::create_instance("adaptive_rate", TimingArgs { config }).unwrap();
    assert_eq!(strategy.total_requests(), Some(2));
    let progress = Progress {
        issued: 1,
        ..Progress::default()
    };
    assert_eq!(
        strategy.next(progress),
        Decision::at(std::time::Duration::from_millis(250))
    );
}
