//! The linker pitfall (a crate nobody references is not linked): this test
//! binary never names `fixture-beta`, so its registrations are not linked,
//! even though it is a dev-dependency. `require_linked` detects it.

use fixture_alpha::GreeterFactory;
use registry_core::RegistryError;

#[test]
fn a_crate_nobody_references_is_not_linked_and_that_is_detected() {
    // Only the builtin is there: the plugin crate's registrations vanished.
    let ids: Vec<&str> = GreeterFactory::list_implementations("hello")
        .unwrap()
        .iter()
        .map(|c| c.registration().info().identifier())
        .collect();
    assert_eq!(ids, ["english"]);

    assert!(
        registry_core::category("parrot").is_err(),
        "declared by the unlinked crate"
    );
    assert!(registry_core::require_linked(["fixture-alpha"]).is_ok());
    let err = registry_core::require_linked(["fixture-alpha", "fixture-beta"]).unwrap_err();
    assert!(
        matches!(&err, RegistryError::NotLinked { missing, suggestions } if missing == &["fixture-beta"] && suggestions.is_empty())
    );
    let expected = if cfg!(target_family = "wasm") {
        // A `use` links nothing on wasm: the anchor is a call.
        "no registration from `fixture-beta` is linked; add the link anchor \
         `fixture_beta::link()` to the binary that enables it (a call: on wasm \
         `use the_crate as _;` links nothing; the crate's `link()` returns \
         `registry_core::link_anchor!()`)"
    } else {
        "no registration from `fixture-beta` is linked; add the link anchor \
         `use fixture_beta as _;` to the binary that enables it"
    };
    assert_eq!(err.to_string(), expected);
}

#[test]
fn a_misspelt_crate_is_answered_with_the_linked_one_it_is_close_to() {
    let err = registry_core::require_linked(["Fixture_Alpah"]).unwrap_err();
    let expected = if cfg!(target_family = "wasm") {
        "no registration from `Fixture_Alpah` is linked; did you mean `fixture-alpha` (linked)? \
         Otherwise add the link anchor `Fixture_Alpah::link()` to the binary that enables it (a \
         call: on wasm `use the_crate as _;` links nothing; the crate's `link()` returns \
         `registry_core::link_anchor!()`)"
    } else {
        "no registration from `Fixture_Alpah` is linked; did you mean `fixture-alpha` (linked)? \
         Otherwise add the link anchor `use Fixture_Alpah as _;` to the binary that enables it"
    };
    assert_eq!(err.to_string(), expected);
    // Nothing close: no suggestion (fixture-beta is not linked here).
    let err = registry_core::require_linked(["fixture-alpha", "fixture-betta"]).unwrap_err();
    assert!(
        matches!(&err, RegistryError::NotLinked { suggestions, .. } if suggestions.is_empty()),
        "{err}"
    );
}

#[test]
fn index_is_built_on_first_access_only() {
    // No test in this binary touches the internal category.
    assert!(!registry_core::Factory::<fixture_alpha::Internals>::index_is_built());
    let _ = registry_core::categories();
    assert!(!registry_core::Factory::<fixture_alpha::Internals>::index_is_built());
    let _ = registry_core::Factory::<fixture_alpha::Internals>::get_class("plumbing").unwrap();
    assert!(registry_core::Factory::<fixture_alpha::Internals>::index_is_built());
}
