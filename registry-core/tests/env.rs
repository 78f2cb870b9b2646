//! Environment control: the plugin allow-list and per-name overrides. The
//! allow-list is process-wide, so these steps share one test (and this file
//! is its own test binary).

use fixture_alpha::GreeterFactory;
use registry_core::env::EnvSettings;
use registry_core::{Problem, Reason, RegistryError};
use std::collections::HashMap;

/// Link anchor: fixture-beta, the plugin crate the allow-list filters. A reference to the crate's `link()` links all of
/// its registrations on every target; `use fixture_beta as _;` would not on
/// wasm, where the linker takes nothing from a crate no code calls into.
#[used]
static LINK_ANCHORS: [fn() -> &'static str; 1] = [fixture_beta::link];

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Result<Option<String>, String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| Ok(map.get(k).cloned())
}

/// Runs before the allow-list is applied (see the test below).
fn malformed_and_unknown_values_are_errors_naming_the_variable() {
    let err = EnvSettings::from_lookup("T", vars(&[("T_USE", "greeter.hello")])).unwrap_err();
    assert_eq!(err.variable(), "T_USE");
    assert!(err.to_string().contains("no `=`"), "{err}");

    let err = EnvSettings::from_lookup("T", vars(&[("T_USE", "greeter.hello=pirat")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment variable T_USE: entry \"greeter.hello=pirat\": greeter \"hello\" has no \
         implementation \"pirat\"; did you mean \"pirate\"? available: english, pirate"
    );

    let err = EnvSettings::from_lookup("T", vars(&[("T_USE", "greter.hello=pirate")])).unwrap_err();
    assert!(
        err.to_string().contains("did you mean \"greeter\"?"),
        "{err}"
    );

    let err =
        EnvSettings::from_lookup("T", vars(&[("T_PLUGIN_CRATES", "fixture-betta")])).unwrap_err();
    assert_eq!(err.variable(), "T_PLUGIN_CRATES");
    assert!(
        err.reason().contains("did you mean \"fixture-beta\"?"),
        "{err}"
    );
    assert!(err.reason().contains("linked plugin crates: "), "{err}");

    let err = EnvSettings::from_lookup("T", |_| Err("bad\u{FFFD}".into())).unwrap_err();
    assert!(err.reason().contains("not valid Unicode"), "{err}");

    // An override naming a crate the same settings disable.
    let err = EnvSettings::from_lookup(
        "T",
        vars(&[
            ("T_PLUGIN_CRATES", "fixture-alpha"),
            ("T_USE", "greeter.hello=pirate"),
        ]),
    )
    .unwrap_err();
    assert!(
        err.reason()
            .contains("which T_PLUGIN_CRATES does not enable"),
        "{err}"
    );

    // Nothing was applied by any of the failures.
    assert_eq!(
        GreeterFactory::get_class("hello")
            .unwrap()
            .info()
            .identifier(),
        "pirate"
    );
}

#[test]
fn bad_values_change_nothing_then_the_allow_list_makes_the_builtin_win() {
    malformed_and_unknown_values_are_errors_naming_the_variable();

    assert_eq!(
        GreeterFactory::get_class("hello")
            .unwrap()
            .info()
            .identifier(),
        "pirate"
    );
    let settings = EnvSettings::from_lookup(
        "T",
        vars(&[
            ("T_PLUGIN_CRATES", "Fixture_Alpha"),
            ("T_USE", "greeter.weather=cloudy"),
        ]),
    )
    .unwrap();
    assert_eq!(
        settings.plugin_crates(),
        Some(&["fixture_alpha".to_string()][..])
    );
    // A runtime override to a plugin, set before its crate is disabled.
    GreeterFactory::use_implementation_by_id("switch", "pirate").unwrap();
    settings.apply().unwrap();

    // Disabled code is never selected, even by an earlier override.
    assert_eq!(
        GreeterFactory::get_class("switch")
            .unwrap()
            .info()
            .identifier(),
        "english"
    );

    let sel = GreeterFactory::selection("hello").unwrap();
    assert_eq!(sel.registration().info().identifier(), "english");
    // Not the only implementation: the only one the allow-list leaves.
    assert_eq!(sel.reason(), Reason::OnlyActive);
    assert_eq!(sel.reason().explain(), "the only active implementation");
    assert_eq!(sel.reason().as_str(), "only_active");
    // A name that truly has one implementation keeps its reason.
    let sel = GreeterFactory::selection("farewell").unwrap();
    assert_eq!(sel.reason(), Reason::OnlyCandidate);
    assert_eq!(sel.reason().explain(), "the only implementation");
    let pirate = &GreeterFactory::list_implementations("hello").unwrap()[0];
    assert_eq!(pirate.registration().info().identifier(), "pirate");
    assert!(!pirate.is_active() && !pirate.is_selected());

    // A name only the disabled crate provides.
    let err = GreeterFactory::get_class("plugin_only").unwrap_err();
    assert!(matches!(err, RegistryError::Disabled { .. }));
    assert!(
        err.to_string()
            .contains("which T_PLUGIN_CRATES does not enable"),
        "{err}"
    );
    let problem = registry_core::validate()
        .into_iter()
        .find(|p| {
            matches!(
                p,
                Problem::NothingActive {
                    name: "plugin_only",
                    ..
                }
            )
        })
        .expect("plugin_only has nothing active");
    assert_eq!(
        problem.to_string(),
        "greeter \"plugin_only\": every implementation comes from a plugin crate that \
         T_PLUGIN_CRATES does not enable; add one of [\"fixture-beta\"] to it"
    );
    let err = GreeterFactory::use_implementation_by_id("switch", "pirate").unwrap_err();
    assert!(matches!(err, RegistryError::Disabled { .. }), "{err:?}");

    // The per-name override from the environment.
    let sel = GreeterFactory::selection("weather").unwrap();
    assert_eq!(sel.registration().info().identifier(), "cloudy");
    assert_eq!(sel.reason(), Reason::Environment);
    GreeterFactory::reset_implementation("weather").unwrap();
    assert_eq!(
        GreeterFactory::get_class("weather")
            .unwrap()
            .info()
            .identifier(),
        "sunny"
    );
}

/// One rule for crate names: `require_linked` and the plugin allow-list
/// both ignore ASCII case and read `-` as `_`, so a spelling one accepts
/// the other accepts too. Reads only; applies nothing.
#[test]
fn require_linked_and_the_allow_list_compare_crate_names_alike() {
    for spelling in [
        "fixture-beta",
        "fixture_beta",
        "Fixture_Beta",
        "FIXTURE-BETA",
    ] {
        assert!(
            registry_core::require_linked([spelling]).is_ok(),
            "{spelling}"
        );
        // The allow-list accepts the spelling as a linked plugin crate and
        // enables that crate's registrations (pirate is fixture-beta's).
        let settings = EnvSettings::from_lookup(
            "T",
            vars(&[
                ("T_PLUGIN_CRATES", spelling),
                ("T_USE", "greeter.hello=pirate"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{spelling}: {e}"));
        assert_eq!(
            settings.plugin_crates(),
            Some(&["fixture_beta".to_string()][..])
        );
    }
    assert!(registry_core::require_linked(["Fixture_Alpha"]).is_ok());
    for spelling in ["fixture-betas", "fixture.beta"] {
        assert!(
            registry_core::require_linked([spelling]).is_err(),
            "{spelling}"
        );
        assert!(
            EnvSettings::from_lookup("T", vars(&[("T_PLUGIN_CRATES", spelling)])).is_err(),
            "{spelling}"
        );
    }
}
