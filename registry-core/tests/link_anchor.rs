//! What links a crate's registrations, on every target, wasm included. This
//! binary names nothing of fixture-alpha but its `link()`, and only `use`s
//! fixture-gamma:
//!
//! - a crate's `link()` (`registry_core::link_anchor!()`) links every
//!   registration and category of the crate, whichever module writes them:
//!   all 9 of fixture-alpha's are in its `registry` module, which nothing
//!   calls into;
//! - `use the_crate as _;` links them where rustc hands the linker an
//!   object referring to every `#[used]` static (ELF, Mach-O, COFF), but
//!   not on wasm, and there `require_linked` names the crate and the call
//!   that links it.

// A `use` only: fixture-gamma's one registration arrives on ELF, Mach-O
// and COFF targets, and not on wasm.
use fixture_gamma as _;

/// Link anchor: fixture-alpha, through its `link()` and nothing else.
#[used]
static LINK_ANCHORS: [fn() -> &'static str; 1] = [fixture_alpha::link];

#[test]
fn a_crates_link_anchor_links_every_registration_wherever_it_is_written() {
    let alpha = registry_core::packages()
        .into_iter()
        .find(|p| p.package().name() == "fixture-alpha")
        .expect("fixture-alpha's registrations are linked");
    assert_eq!(alpha.registrations(), 9);

    // Its registry module's registrations, through the type-erased
    // catalogue (so that this binary calls nothing else of the crate).
    let greeter = registry_core::category("greeter").unwrap();
    for name in ["farewell", "good_morning", "hello", "weather"] {
        assert!(greeter.list_names().contains(&name), "{name}");
    }
    let farewell = greeter.selection("farewell").unwrap();
    let info = farewell.registration().info();
    assert_eq!(
        (info.identifier(), info.module_path()),
        ("formal", "fixture_alpha::registry")
    );
    let good_morning = greeter.selection("good_morning").unwrap();
    assert_eq!(good_morning.registration().info().identifier(), "english");
    // Both categories the crate declares are in the catalogue.
    let internal = registry_core::category("internal_thing").unwrap();
    assert_eq!(internal.list_names(), ["plumbing"]);

    assert!(registry_core::require_linked(LINK_ANCHORS.map(|link| link())).is_ok());
}

#[test]
fn a_use_alone_links_no_registration_on_wasm_and_require_linked_says_so() {
    let gamma_linked = registry_core::packages()
        .iter()
        .any(|p| p.package().name() == "fixture-gamma");
    let checked = registry_core::require_linked(["fixture-gamma"]);
    if cfg!(target_family = "wasm") {
        assert!(!gamma_linked, "wasm links nothing of a crate only `use`d");
        let err = checked.unwrap_err();
        assert!(
            matches!(&err, registry_core::RegistryError::NotLinked { missing, .. } if missing == &["fixture-gamma"]),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "no registration from `fixture-gamma` is linked; add the link anchor \
             `fixture_gamma::link()` to the binary that enables it (a call: on wasm \
             `use the_crate as _;` links nothing; the crate's `link()` returns \
             `registry_core::link_anchor!()`)"
        );
    } else {
        assert!(
            gamma_linked,
            "a `use` links the crate on ELF, Mach-O and COFF"
        );
        assert!(checked.is_ok(), "{checked:?}");
    }
}
