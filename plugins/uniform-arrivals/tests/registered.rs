//! Linking this crate adds `arrival_pattern/uniform` as a plugin.

use std::time::Duration;

use aiperf_plugin_api::{ArrivalArgs, ArrivalPatternFactory};
use aiperf_plugin_uniform_arrivals::UNIFORM;
use registry_core::Origin;

#[test]
fn uniform_is_a_linked_plugin_created_from_config() {
    let selected = ArrivalPatternFactory::get_class("Uniform").unwrap();
    assert_eq!(selected.info().identifier(), "jittered_interval");
    assert_eq!(selected.info().origin(), Origin::Plugin);
    assert_eq!(
        selected.info().package().name(),
        "aiperf-plugin-uniform-arrivals"
    );
    assert!(!ArrivalPatternFactory::is_loaded("uniform", "jittered_interval").unwrap());

    // Created by its typed name, as the `request_rate` strategy does.
    let args = ArrivalArgs {
        rate: 4.0,
        seed: 1,
        config: serde_json::json!({"jitter": 0.25}),
    };
    let mut pattern = UNIFORM.registration().unwrap().create(args).unwrap();
    for _ in 0..100 {
        let gap = pattern.next_interval();
        assert!(
            (Duration::from_micros(187_500)..=Duration::from_micros(312_500)).contains(&gap),
            "{gap:?}"
        );
    }
    assert!(ArrivalPatternFactory::is_loaded("uniform", "jittered_interval").unwrap());

    let args = ArrivalArgs {
        rate: 4.0,
        seed: 1,
        config: serde_json::json!({"jitter": 2}),
    };
    let e = ArrivalPatternFactory::create_instance("uniform", args)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        e,
        "creating arrival_pattern \"uniform\" implementation \"jittered_interval\" failed: \
         invalid config: `jitter` is 2; it must be a number from 0 to 1 (how far a gap may be \
         from 1 / rate, as a fraction of it)"
    );
}
