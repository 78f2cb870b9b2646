//! Registrations sharing an identifier under one name (the rule is in
//! `src/selection.rs`): a plugin that reuses a builtin's identifier is
//! refused and the name keeps resolving; two builtins, or two plugins,
//! leave the name unresolvable. Links `fixture-alpha` (the application)
//! and `fixture-epsilon` (the clashing registrations), nothing else.

use fixture_alpha::{GreeterFactory, Greeters};
use registry_core::{Factory, Problem, Reason, RegistryError};

/// Link anchor: fixture-epsilon, the registrations that clash. A reference to the crate's `link()` links all of
/// its registrations on every target; `use fixture_epsilon as _;` would not on
/// wasm, where the linker takes nothing from a crate no code calls into.
#[used]
static LINK_ANCHORS: [fn() -> &'static str; 1] = [fixture_epsilon::link];

/// `validate()`'s problems about `name`, as the messages a user sees.
fn problems_of(name: &str) -> Vec<(bool, String)> {
    registry_core::validate()
        .into_iter()
        .filter(|p| match p {
            Problem::Refused { name: n, .. } | Problem::Duplicate { name: n, .. } => *n == name,
            _ => false,
        })
        .map(|p| (p.is_warning(), p.to_string()))
        .collect()
}

#[test]
fn a_plugin_that_reuses_a_builtins_identifier_is_refused_and_the_name_keeps_resolving() {
    // The builtin is selected, as if the plugin's registration were not there.
    let sel = GreeterFactory::selection("farewell").unwrap();
    let info = sel.registration().info();
    assert_eq!(
        (info.identifier(), info.package().name()),
        ("formal", "fixture-alpha")
    );
    assert_eq!(sel.reason(), Reason::OnlyCandidate);
    assert_eq!(
        GreeterFactory::create_instance("farewell", "Ann".into())
            .unwrap()
            .greet(),
        "Good day, Ann."
    );
    let by_id = GreeterFactory::get_class_by_id("farewell", "formal").unwrap();
    assert_eq!(by_id.info().package().name(), "fixture-alpha");

    // Refused: no candidate, not among the registrations, not found by path.
    let listed: Vec<&str> = GreeterFactory::list_implementations("farewell")
        .unwrap()
        .iter()
        .map(|c| c.registration().info().package().name())
        .collect();
    assert_eq!(listed, ["fixture-alpha"]);
    assert!(
        Factory::<Greeters>::registrations()
            .iter()
            .all(|r| r.info().type_path() != "fixture_epsilon::Impostor")
    );
    assert!(matches!(
        GreeterFactory::get_class_by_path("fixture_epsilon::Impostor"),
        Err(RegistryError::UnknownTypePath { .. })
    ));

    // An error of `validate()`: the plugin crate, the identifier, the
    // builtin's crate, and the fix.
    assert_eq!(
        problems_of("farewell"),
        [(
            false,
            "greeter \"farewell\": identifier \"formal\" belongs to the builtin \
             `fixture-alpha (fixture_alpha::Formal)`, and the plugin \
             `fixture-epsilon (fixture_epsilon::Impostor)` registers it too; the builtin keeps \
             it and the plugin's registration is refused. Give the plugin's registration \
             another `id = \"...\"`"
                .to_owned()
        )]
    );
}

#[test]
fn two_builtins_or_two_plugins_with_one_identifier_leave_the_name_unresolvable() {
    for (name, identifier, alpha, epsilon) in [
        (
            "good_morning",
            "english",
            "fixture_alpha::English",
            "fixture_epsilon::Twin",
        ),
        (
            "dup",
            "same",
            "fixture_alpha::English",
            "fixture_epsilon::Twin",
        ),
    ] {
        let err = GreeterFactory::get_class(name).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "duplicate registration: greeter {name:?} identifier {identifier:?} is \
                 registered by both `fixture-alpha ({alpha})` and `fixture-epsilon ({epsilon})`; \
                 give one of them another identifier"
            )
        );
        assert_eq!(
            problems_of(name),
            [(
                false,
                format!(
                    "greeter {name:?}: identifier {identifier:?} is registered twice, by \
                     `fixture-alpha ({alpha})` and `fixture-epsilon ({epsilon})`; give one of \
                     them another identifier"
                )
            )]
        );
    }
}

/// A registration that cannot be selected because of a duplicate or a
/// refusal is no reason to raise a priority: no warning says it "loses".
#[test]
fn clashing_registrations_are_errors_not_warnings_about_priorities() {
    let problems = registry_core::validate();
    assert!(
        !problems.iter().any(|p| matches!(
            p,
            Problem::Shadowed {
                krate: "fixture-epsilon",
                ..
            } | Problem::Contested {
                krate: "fixture-epsilon",
                ..
            }
        )),
        "{problems:#?}"
    );
    assert!(
        !problems
            .iter()
            .any(|p| p.to_string().contains("loses to nothing")),
        "{problems:#?}"
    );
}
