//! The selection rules (override, priority, plugin over builtin, tie-break;
//! `src/selection.rs`), each with a test that fails if the rule breaks.
//! Links `fixture-alpha` (the "application": category + builtins) and
//! `fixture-beta` (a plugin crate), plus registrations of this test crate.
//!
//! Tests run in parallel threads of one process, so each test that changes a
//! selection owns its name.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use fixture_alpha::{English, Greet, GreeterFactory, GreeterMeta, Greeters};
use fixture_beta::Pirate;
use registry_core::{
    BoxError, Implementation, Origin, Problem, Reason, RegistryError, register_lazy,
};

/// Link anchors of the plugin crates this binary names nothing of:
/// fixture-delta (its registration is in a tie) and fixture-gamma (its
/// registration always loses). A reference to each crate's `link()` links
/// all of its registrations on every target; `use fixture_gamma as _;`
/// would not on wasm, where the linker takes nothing from a crate no code
/// calls into.
#[used]
static LINK_ANCHORS: [fn() -> &'static str; 2] = [fixture_delta::link, fixture_gamma::link];

fn selected(name: &str) -> &'static str {
    GreeterFactory::get_class(name).unwrap().info().identifier()
}

#[test]
fn builtin_only() {
    let sel = GreeterFactory::selection("farewell").unwrap();
    assert_eq!(sel.registration().info().identifier(), "formal");
    assert_eq!(sel.reason(), Reason::OnlyCandidate);
    assert_eq!(sel.registration().info().origin(), Origin::Builtin);
    let greeter = GreeterFactory::create_instance("farewell", "Ann".into()).unwrap();
    assert_eq!(greeter.greet(), "Good day, Ann.");
}

#[test]
fn lookups_are_case_insensitive_and_dash_equals_underscore() {
    let canonical = GreeterFactory::get_class("good_morning").unwrap();
    for spelling in [
        "Good_Morning",
        "GOOD_MORNING",
        "good-morning",
        "Good-Morning",
        "  good_morning\t",
    ] {
        let found = GreeterFactory::get_class(spelling).unwrap();
        assert!(std::ptr::eq(found, canonical), "{spelling:?}");
    }
    assert!(GreeterFactory::is_registered("GOOD-morning"));
    assert!(!GreeterFactory::is_registered("good morning"));
}

#[test]
fn malformed_names_are_errors_not_misses() {
    let err = GreeterFactory::get_class("good morning").unwrap_err();
    assert!(matches!(err, RegistryError::InvalidName { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("greeter name: invalid name \"good morning\": character ' ' at byte 4"),
        "{err}"
    );
}

#[test]
fn plugin_overrides_builtin_and_builtin_stays_listed() {
    let sel = GreeterFactory::selection("hello").unwrap();
    assert_eq!(sel.registration().info().identifier(), "pirate");
    assert_eq!(sel.reason(), Reason::PluginOverBuiltin);
    assert!(sel.conflicts().is_empty());

    let list = GreeterFactory::list_implementations("hello").unwrap();
    let ids: Vec<(&str, bool, bool)> = list
        .iter()
        .map(|c| {
            let i = c.registration().info();
            (i.identifier(), i.is_plugin(), c.is_selected())
        })
        .collect();
    assert_eq!(ids, [("pirate", true, true), ("english", false, false)]);
    assert_eq!(
        list[1].registration().info().package().name(),
        "fixture-alpha"
    );
    assert_eq!(
        list[0].registration().info().package().name(),
        "fixture-beta"
    );
    assert_eq!(list[0].registration().info().package().version(), "0.2.0");
    assert_eq!(
        GreeterFactory::create_instance("hello", "Bo".into())
            .unwrap()
            .greet(),
        "Ahoy, Bo!"
    );
}

#[test]
fn plugins_ordered_by_priority() {
    let sel = GreeterFactory::selection("weather").unwrap();
    assert_eq!(sel.registration().info().identifier(), "rainy");
    assert_eq!(sel.reason(), Reason::Priority);
    let order: Vec<(&str, i32)> = GreeterFactory::list_implementations("weather")
        .unwrap()
        .iter()
        .map(|c| {
            let i = c.registration().info();
            (i.identifier(), i.priority())
        })
        .collect();
    assert_eq!(order, [("rainy", 5), ("sunny", 1), ("cloudy", -3)]);
}

#[test]
fn equal_priority_tie_break_is_by_crate_then_identifier_and_flagged() {
    // Across crates: fixture-alpha < fixture-beta.
    let sel = GreeterFactory::selection("tie").unwrap();
    assert_eq!(sel.registration().info().identifier(), "alpha_tie");
    assert_eq!(sel.reason(), Reason::TieBreak);
    assert_eq!(sel.conflicts(), ["alpha_tie", "beta_tie"]);
    let list = GreeterFactory::list_implementations("tie").unwrap();
    assert!(list.iter().all(|c| c.is_conflict()));

    // Within one crate, declared in both orders (below): identifier decides.
    assert_eq!(selected("order_xy"), "x_impl");
    assert_eq!(selected("order_yx"), "x_impl");
    for name in ["order_xy", "order_yx"] {
        let sel = GreeterFactory::selection(name).unwrap();
        assert_eq!(sel.reason(), Reason::TieBreak, "{name}");
        assert_eq!(sel.conflicts(), ["x_impl", "y_impl"], "{name}");
        let flags: Vec<(&str, bool, bool)> = GreeterFactory::list_implementations(name)
            .unwrap()
            .iter()
            .map(|c| {
                let id = c.registration().info().identifier();
                (id, c.is_selected(), c.is_conflict())
            })
            .collect();
        assert_eq!(
            flags,
            [("x_impl", true, true), ("y_impl", false, true)],
            "{name}"
        );
    }

    let problems = registry_core::validate();
    assert!(
        problems.iter().any(|p| matches!(
            p,
            Problem::Conflict { name: "tie", selected: "alpha_tie", tied, .. } if tied == &["alpha_tie", "beta_tie"]
        )),
        "{problems:?}"
    );
}

#[test]
fn an_override_settles_a_conflict_and_reports_none() {
    assert_eq!(
        GreeterFactory::selection("tie_settled").unwrap().reason(),
        Reason::TieBreak
    );
    // Select the tie-break's loser: the override decided, nothing is tied.
    GreeterFactory::use_implementation_by_id("tie_settled", "y_impl").unwrap();
    let sel = GreeterFactory::selection("tie_settled").unwrap();
    assert_eq!(sel.registration().info().identifier(), "y_impl");
    assert_eq!(sel.reason(), Reason::Override);
    assert!(sel.conflicts().is_empty(), "{:?}", sel.conflicts());
    let list = GreeterFactory::list_implementations("tie_settled").unwrap();
    assert!(list.iter().all(|c| !c.is_conflict()));
    assert!(!registry_core::validate().iter().any(|p| matches!(
        p,
        Problem::Conflict {
            name: "tie_settled",
            ..
        }
    )),);
    GreeterFactory::reset_implementation("tie_settled").unwrap();
    let sel = GreeterFactory::selection("tie_settled").unwrap();
    assert_eq!(sel.conflicts(), ["x_impl", "y_impl"]);
}

register_lazy!(Greeters, "tie_settled", English, id = "x_impl");
register_lazy!(Greeters, "tie_settled", Pirate, id = "y_impl");

#[test]
fn a_builtin_with_higher_priority_beats_a_plugin() {
    let sel = GreeterFactory::selection("loud").unwrap();
    assert_eq!(sel.registration().info().identifier(), "shouting_builtin");
    assert_eq!(sel.registration().info().origin(), Origin::Builtin);
    assert_eq!(sel.reason(), Reason::Priority);
}

register_lazy!(
    Greeters,
    "loud",
    English,
    id = "shouting_builtin",
    priority = 1,
    origin = builtin
);
register_lazy!(Greeters, "loud", Pirate, id = "quiet_plugin");

register_lazy!(Greeters, "order_xy", English, id = "x_impl");
register_lazy!(Greeters, "order_xy", Pirate, id = "y_impl");
register_lazy!(Greeters, "order_yx", Pirate, id = "y_impl");
register_lazy!(Greeters, "order_yx", English, id = "x_impl");

#[test]
fn override_by_id_beats_plugin_and_reset_restores() {
    assert_eq!(selected("switch"), "pirate");
    GreeterFactory::use_implementation_by_id("switch", "English").unwrap();
    let sel = GreeterFactory::selection("switch").unwrap();
    assert_eq!(sel.registration().info().identifier(), "english");
    assert_eq!(sel.reason(), Reason::Override);
    // Overriding to the builtin is no conflict (plugin and builtin differ).
    assert!(sel.conflicts().is_empty(), "{:?}", sel.conflicts());
    let list = GreeterFactory::list_implementations("switch").unwrap();
    assert!(list.iter().all(|c| !c.is_conflict()));
    let greeting = GreeterFactory::create_instance("switch", "Cy".into())
        .unwrap()
        .greet();
    assert_eq!(greeting, "Hello, Cy!");

    GreeterFactory::reset_implementation("switch").unwrap();
    assert_eq!(selected("switch"), "pirate");

    GreeterFactory::use_implementation::<English>("switch").unwrap();
    assert_eq!(selected("switch"), "english");
    GreeterFactory::use_implementation::<Pirate>("switch").unwrap();
    assert_eq!(selected("switch"), "pirate");
    GreeterFactory::reset_implementation("switch").unwrap();
}

#[test]
fn override_to_unknown_identifier_lists_the_candidates() {
    let err = GreeterFactory::use_implementation_by_id("hello", "pirat").unwrap_err();
    assert_eq!(
        err.to_string(),
        "greeter \"hello\" has no implementation \"pirat\"; did you mean \"pirate\"? \
         available: english, pirate"
    );
    // Nothing changed.
    assert_eq!(selected("hello"), "pirate");

    struct Unregistered;
    impl Implementation<Greeters> for Unregistered {
        const METADATA: GreeterMeta = GreeterMeta {
            language: "xx",
            formal: false,
        };
        fn create(_: String) -> Result<Self, BoxError> {
            Ok(Unregistered)
        }
    }
    let err = GreeterFactory::use_implementation::<Unregistered>("hello").unwrap_err();
    assert!(matches!(err, RegistryError::TypeNotRegistered { .. }));
    assert!(
        err.to_string()
            .contains("registered implementations: english, pirate"),
        "{err}"
    );
}

#[test]
fn unknown_name_suggests_the_closest() {
    let err = GreeterFactory::create_instance("helo", String::new())
        .err()
        .unwrap();
    let RegistryError::UnknownName {
        category,
        input,
        suggestion,
        available,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*category, input.as_str(), *suggestion),
        ("greeter", "helo", Some("hello"))
    );
    assert!(
        available.windows(2).all(|w| w[0] < w[1]),
        "sorted: {available:?}"
    );
    assert!(err.to_string().contains("did you mean \"hello\"?"), "{err}");
    // Close to a registered name: a typo, no word of plugins.
    assert!(!err.to_string().contains("not linked"), "{err}");

    // Nothing close: maybe a plugin crate's, and that crate is not linked.
    let err = GreeterFactory::get_class("poisson").unwrap_err();
    assert!(
        matches!(
            &err,
            RegistryError::UnknownName {
                suggestion: None,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("unknown greeter name \"poisson\"; available: bad_load, "),
        "{message}"
    );
    // On wasm, where a `use` links nothing, the hint names the call that does.
    let hint = if cfg!(target_family = "wasm") {
        "; if a plugin crate provides it, that crate is not linked: call its link anchor \
         `the_crate::link()` from the binary and check with `registry_core::require_linked`"
    } else {
        "; if a plugin crate provides it, that crate is not linked: add \
         `use the_crate as _;` to the binary and check with `registry_core::require_linked`"
    };
    assert!(message.ends_with(hint), "{message}");

    let err = registry_core::category("greter").unwrap_err();
    assert!(
        err.to_string().contains("did you mean \"greeter\"?"),
        "{err}"
    );
}

#[test]
fn duplicate_identifier_is_an_error_naming_both_crates() {
    let err = GreeterFactory::get_class("dup").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(
        err,
        RegistryError::DuplicateIdentifier {
            identifier: "same",
            ..
        }
    ));
    assert!(
        msg.contains("fixture-alpha (fixture_alpha::English)"),
        "{msg}"
    );
    assert!(msg.contains("fixture-beta (fixture_beta::Pirate)"), "{msg}");
    assert!(GreeterFactory::create_instance("dup", String::new()).is_err());
    assert!(GreeterFactory::get_class_by_id("dup", "same").is_err());
    // Still listed, never selected.
    let list = GreeterFactory::list_implementations("dup").unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|c| !c.is_selected()));
    assert!(
        registry_core::validate()
            .iter()
            .any(|p| matches!(p, Problem::Duplicate { name: "dup", .. }))
    );
}

/// A factory's listing and selection are typed: the metadata is the
/// category's type, no downcast.
#[test]
fn listings_of_a_factory_are_typed() {
    let list = GreeterFactory::list_implementations("hello").unwrap();
    let languages: Vec<&str> = list
        .iter()
        .map(|c| c.registration().metadata().language)
        .collect();
    assert_eq!(languages, ["en-pirate", "en"]);
    let sel = GreeterFactory::selection("hello").unwrap();
    assert_eq!(sel.registration().metadata().language, "en-pirate");
    assert!(std::ptr::eq(sel.registration(), list[0].registration()));
}

/// The type-erased listing, as a CLI that knows no category's types uses
/// it through `&dyn DynCategory` (`aiperf plugins`): the same candidates,
/// metadata as JSON.
#[test]
fn listings_through_the_catalogue_are_type_erased_with_the_same_shape() {
    fn row(candidate: &registry_core::Candidate) -> (&'static str, bool, bool, bool, String) {
        let registration = candidate.registration();
        (
            registration.info().identifier(),
            candidate.is_selected(),
            candidate.is_active(),
            candidate.is_conflict(),
            serde_json::to_string(registration.metadata_serialize()).unwrap(),
        )
    }
    let greeters: &dyn registry_core::DynCategory = registry_core::category("greeter").unwrap();
    let rows: Vec<_> = greeters
        .list_implementations("hello")
        .unwrap()
        .iter()
        .map(row)
        .collect();
    assert_eq!(
        rows,
        [
            (
                "pirate",
                true,
                true,
                false,
                r#"{"language":"en-pirate","formal":false}"#.to_owned()
            ),
            (
                "english",
                false,
                true,
                false,
                r#"{"language":"en","formal":false}"#.to_owned()
            ),
        ]
    );
    let selection: registry_core::Selection = greeters.selection("hello").unwrap();
    assert_eq!(selection.registration().info().identifier(), "pirate");
    assert_eq!(selection.reason(), Reason::PluginOverBuiltin);
    assert!(selection.conflicts().is_empty());
    assert!(format!("{:?}", selection.registration()).contains("en-pirate"));
}

#[test]
fn losers_stay_reachable_by_identifier_and_type_path() {
    let english = GreeterFactory::get_class_by_id("hello", "english").unwrap();
    assert_eq!(english.info().origin(), Origin::Builtin);
    assert_eq!(english.create("Di".into()).unwrap().greet(), "Hello, Di!");

    let by_path = GreeterFactory::get_class_by_path("fixture_beta::Pirate").unwrap();
    assert_eq!(by_path.info().type_path(), "fixture_beta::Pirate");
    let err = GreeterFactory::get_class_by_path("fixture_beta::Pirat").unwrap_err();
    assert!(
        err.to_string()
            .contains("did you mean \"fixture_beta::Pirate\"?"),
        "{err}"
    );
}

#[test]
fn registrations_carry_typed_metadata_and_package_info() {
    let reg = GreeterFactory::get_class_by_id("hello", "english").unwrap();
    assert_eq!(reg.metadata().language, "en");
    assert!(!reg.metadata().formal);
    let info = reg.info();
    assert_eq!(info.category(), "greeter");
    assert_eq!(info.module_path(), "fixture_alpha::registry");
    assert_eq!(info.description(), "Greets in English.");
    assert_eq!(info.package().name(), "fixture-alpha");
    assert_eq!(info.package().license(), "Apache-2.0");
    assert!(info.package().description().starts_with("Test fixture"));
}

#[test]
fn catalogue_lists_categories_and_packages() {
    let names: Vec<&str> = registry_core::categories()
        .iter()
        .map(|c| c.info().name())
        .collect();
    assert!(names.contains(&"greeter") && names.contains(&"internal_thing"));
    // Declared by the plugin crate, listed like the application's own.
    let parrot = registry_core::category("parrot").unwrap();
    assert_eq!(parrot.info().title(), "Parrots");
    assert_eq!(parrot.list_names(), ["polly"]);
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    let internal = registry_core::category("Internal-Thing").unwrap();
    assert!(internal.info().internal());
    assert_eq!(internal.list_names(), ["plumbing"]);

    let packages = registry_core::packages();
    let beta = packages
        .iter()
        .find(|p| p.package().name() == "fixture-beta")
        .unwrap();
    assert_eq!((beta.registrations(), beta.plugin_registrations()), (7, 7));
    // fixture-alpha's registrations are all in its `registry` module, which
    // nothing of this binary calls into: all 9 arrive with the crate.
    let alpha = packages
        .iter()
        .find(|p| p.package().name() == "fixture-alpha")
        .unwrap();
    assert_eq!(
        (alpha.registrations(), alpha.builtin_registrations()),
        (9, 5)
    );
    assert!(registry_core::require_linked(["fixture-alpha", "fixture_beta"]).is_ok());
    // The crates' own anchors name them, and every one of them arrived.
    assert!(
        registry_core::require_linked(
            [fixture_alpha::link(), fixture_beta::link()]
                .into_iter()
                .chain(LINK_ANCHORS.map(|link| link()))
        )
        .is_ok()
    );

    // Package information comes from the crate's Cargo.toml.
    let gamma = packages
        .iter()
        .find(|p| p.package().name() == "fixture-gamma")
        .unwrap()
        .package();
    assert_eq!(gamma.version(), "0.3.1");
    assert_eq!(gamma.license(), "MIT");
    assert_eq!(
        gamma.authors().collect::<Vec<_>>(),
        ["Gamma Author <gamma@example.com>"]
    );
    assert_eq!(gamma.homepage(), "https://example.com/fixture-gamma");
}

/// The one problem `validate()` reports of the kind `is_kind` accepts,
/// checked to be a warning, as the message a user sees.
fn the_only_warning(is_kind: fn(&Problem) -> bool) -> String {
    let found: Vec<Problem> = registry_core::validate()
        .into_iter()
        .filter(is_kind)
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].is_warning());
    found[0].to_string()
}

#[test]
fn a_plugin_crate_that_never_takes_effect_is_a_validation_warning() {
    assert_eq!(
        the_only_warning(|p| matches!(p, Problem::Shadowed { .. })),
        "plugin crate `fixture-gamma`: none of its 1 registration(s) is selected \
         (greeter/good_morning: mumble loses to english); it has no effect unless an override \
         selects it, or it is given a higher priority"
    );
    // Errors are not warnings.
    assert!(
        registry_core::validate()
            .iter()
            .filter(|p| matches!(p, Problem::Conflict { .. } | Problem::Duplicate { .. }))
            .all(|p| !p.is_warning())
    );
}

#[test]
fn a_plugin_crate_left_to_the_tie_break_is_a_validation_warning() {
    // fixture-delta's one registration ties with this crate's "plain"; this
    // crate (registry-core's tests) has registrations outside ties too.
    assert_eq!(
        the_only_warning(|p| matches!(p, Problem::Contested { .. })),
        "plugin crate `fixture-delta`: each of its 1 registration(s) is in an unresolved tie \
         (greeter/contested: shrug ties with plain, the tie-break picks shrug); whether it takes \
         effect is left to the tie-break. Give its registrations a priority, or select one with \
         an override"
    );
    // The tie itself is an error of its own.
    assert!(registry_core::validate().iter().any(|p| matches!(
        p,
        Problem::Conflict { name: "contested", tied, .. } if tied.len() == 2
    )));
}

register_lazy!(Greeters, "contested", English, id = "plain");

// --- laziness -------------------------------------------------------------

static SLOW_LOADS: AtomicUsize = AtomicUsize::new(0);
static SLOW_CREATES: AtomicUsize = AtomicUsize::new(0);

/// Loads slowly, once; counts loads and constructions.
struct Slow;
impl Greet for Slow {
    fn greet(&self) -> String {
        "…hello".into()
    }
}
impl Implementation<Greeters> for Slow {
    const METADATA: GreeterMeta = GreeterMeta {
        language: "en",
        formal: false,
    };
    fn load() -> Result<(), BoxError> {
        SLOW_LOADS.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(50));
        Ok(())
    }
    fn create(_: String) -> Result<Self, BoxError> {
        SLOW_CREATES.fetch_add(1, Ordering::SeqCst);
        Ok(Slow)
    }
}
register_lazy!(Greeters, "slow", Slow, id = "slow");
register_lazy!(Greeters, "lazy", Slow, id = "lazy");

#[test]
fn listing_and_resolving_never_load() {
    // "lazy" is only ever listed and resolved, never created.
    let _ = GreeterFactory::list_names();
    let _ = GreeterFactory::list_implementations("lazy").unwrap();
    let reg = GreeterFactory::get_class("lazy").unwrap();
    let _ = GreeterFactory::selection("lazy").unwrap();
    let _ = reg.metadata();
    let _ = registry_core::validate();
    assert!(!reg.is_loaded());
    assert!(!GreeterFactory::is_loaded("lazy", "lazy").unwrap());
    assert!(
        !GreeterFactory::list_implementations("lazy").unwrap()[0]
            .registration()
            .is_loaded()
    );
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads; wasm32-wasip1 has none"
)]
fn eight_threads_racing_create_instance_load_exactly_once() {
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                GreeterFactory::create_instance("slow", String::new())
                    .unwrap()
                    .greet()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), "…hello");
    }
    assert_eq!(SLOW_LOADS.load(Ordering::SeqCst), 1);
    assert_eq!(SLOW_CREATES.load(Ordering::SeqCst), 8);
    assert!(GreeterFactory::is_loaded("slow", "slow").unwrap());
}

// --- failures -------------------------------------------------------------

struct Failing;
impl Greet for Failing {
    fn greet(&self) -> String {
        unreachable!("never constructed")
    }
}
impl Implementation<Greeters> for Failing {
    const METADATA: GreeterMeta = GreeterMeta {
        language: "en",
        formal: false,
    };
    fn create(who: String) -> Result<Self, BoxError> {
        if who == "panic" {
            panic!("constructor exploded for {who}");
        }
        Err(format!("cannot greet {who:?}").into())
    }
}
register_lazy!(Greeters, "failing", Failing, id = "failing");

struct BadLoad;
impl Greet for BadLoad {
    fn greet(&self) -> String {
        unreachable!("never constructed")
    }
}
impl Implementation<Greeters> for BadLoad {
    const METADATA: GreeterMeta = GreeterMeta {
        language: "en",
        formal: false,
    };
    fn load() -> Result<(), BoxError> {
        panic!("missing shared library")
    }
    fn create(_: String) -> Result<Self, BoxError> {
        Ok(BadLoad)
    }
}
register_lazy!(Greeters, "bad_load", BadLoad, id = "bad_load");

#[test]
fn constructor_error_comes_back_with_context() {
    let err = GreeterFactory::create_instance("failing", "Ed".into())
        .err()
        .unwrap();
    assert!(matches!(
        err,
        RegistryError::ConstructorFailed {
            identifier: "failing",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "creating greeter \"failing\" implementation \"failing\" failed: cannot greet \"Ed\""
    );
    let source = std::error::Error::source(&err).unwrap();
    assert_eq!(source.to_string(), "cannot greet \"Ed\"");
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "catches a panic; panics abort on wasm32-wasip1"
)]
fn constructor_panic_is_contained_and_registry_stays_usable() {
    for _ in 0..2 {
        let err = GreeterFactory::create_instance("failing", "panic".into())
            .err()
            .unwrap();
        assert!(
            matches!(err, RegistryError::ConstructorPanicked { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .ends_with("panicked: constructor exploded for panic"),
            "{err}"
        );
    }
    assert_eq!(
        GreeterFactory::create_instance("farewell", "Flo".into())
            .unwrap()
            .greet(),
        "Good day, Flo."
    );
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "catches a panic; panics abort on wasm32-wasip1"
)]
fn load_panic_is_remembered_as_the_same_clean_error() {
    let first = GreeterFactory::create_instance("bad_load", String::new())
        .err()
        .unwrap()
        .to_string();
    let second = GreeterFactory::create_instance("bad_load", String::new())
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        first,
        "loading greeter \"bad_load\" implementation \"bad_load\" failed: panicked: missing shared library"
    );
    assert_eq!(first, second);
    assert!(!GreeterFactory::is_loaded("bad_load", "bad_load").unwrap());
    // The bare constructor is not handed out for an implementation whose
    // load failed: the same error.
    let handle = GreeterFactory::get_class("bad_load").unwrap();
    assert_eq!(handle.constructor().err().unwrap().to_string(), first);
}

#[test]
fn the_bare_constructor_loads_first_and_then_calls_straight_through() {
    assert!(!GreeterFactory::is_loaded("bare", "bare").unwrap());
    let make = GreeterFactory::get_class("bare")
        .unwrap()
        .constructor()
        .unwrap();
    assert!(GreeterFactory::is_loaded("bare", "bare").unwrap());
    assert_eq!(make("Di".into()).unwrap().greet(), "Hello, Di!");
    // No registry context on its errors: the implementation's own error.
    let failing = GreeterFactory::get_class("failing")
        .unwrap()
        .constructor()
        .unwrap();
    assert_eq!(
        failing("Ed".into()).err().unwrap().to_string(),
        "cannot greet \"Ed\""
    );
}

register_lazy!(Greeters, "bare", English, id = "bare");

// --- concurrency ----------------------------------------------------------

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads; wasm32-wasip1 has none"
)]
fn overrides_flip_while_readers_resolve() {
    register_lazy!(Greeters, "flip", English, id = "english", origin = builtin);
    register_lazy!(Greeters, "flip", Pirate, id = "pirate");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut seen = [0usize; 2];
                while !stop.load(Ordering::Relaxed) {
                    match selected("flip") {
                        "english" => seen[0] += 1,
                        "pirate" => seen[1] += 1,
                        other => panic!("impossible selection {other}"),
                    }
                }
                seen
            })
        })
        .collect();
    for i in 0..2_000 {
        let id = if i % 2 == 0 { "english" } else { "pirate" };
        GreeterFactory::use_implementation_by_id("flip", id).unwrap();
        assert_eq!(selected("flip"), id);
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    GreeterFactory::reset_implementation("flip").unwrap();
    assert_eq!(selected("flip"), "pirate");
}

/// The exact words of lookup errors and `validate()` problems, as
/// `docs/errors.md` quotes them: what is wrong, where, and what is right.
#[test]
fn lookup_and_validation_messages_in_words() {
    // The full lists grow with this file's registrations: pinned up to them.
    let err = GreeterFactory::get_class("helo").unwrap_err();
    assert!(
        err.to_string().starts_with(
            "unknown greeter name \"helo\"; did you mean \"hello\"? available: bad_load, bare, contested, dup, "
        ),
        "{err}"
    );
    let err = GreeterFactory::get_class_by_path("fixture_beta::Pirat").unwrap_err();
    assert!(
        err.to_string().starts_with(
            "no greeter implementation has the type path \"fixture_beta::Pirat\"; did you mean \
             \"fixture_beta::Pirate\"? available: fixture_alpha::English, "
        ),
        "{err}"
    );

    struct Unregistered;
    impl Implementation<Greeters> for Unregistered {
        const METADATA: GreeterMeta = GreeterMeta {
            language: "xx",
            formal: false,
        };
        fn create(_: String) -> Result<Self, BoxError> {
            Ok(Unregistered)
        }
    }
    let err = GreeterFactory::use_implementation::<Unregistered>("hello").unwrap_err();
    assert_eq!(
        err.to_string(),
        "resolution::lookup_and_validation_messages_in_words::Unregistered is not registered as \
         greeter \"hello\"; registered implementations: english, pirate"
    );

    let err = GreeterFactory::get_class("dup").unwrap_err();
    assert_eq!(
        err.to_string(),
        "duplicate registration: greeter \"dup\" identifier \"same\" is registered by both \
         `fixture-alpha (fixture_alpha::English)` and `fixture-beta (fixture_beta::Pirate)`; \
         give one of them another identifier"
    );

    let problems: Vec<String> = registry_core::validate()
        .iter()
        .filter(|p| {
            matches!(
                p,
                Problem::Duplicate { name: "dup", .. } | Problem::Conflict { name: "tie", .. }
            )
        })
        .map(Problem::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "greeter \"dup\": identifier \"same\" is registered twice, by \
             `fixture-alpha (fixture_alpha::English)` and `fixture-beta (fixture_beta::Pirate)`; \
             give one of them another identifier",
            "greeter \"tie\": alpha_tie, beta_tie tie on priority and origin; the tie-break \
             picks \"alpha_tie\". Give one a higher priority, or select one with an override",
        ]
    );
}
