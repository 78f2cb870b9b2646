//! `dynamic_str_enum!`: known variants, `Other`, normalisation, serde, and
//! the validating path against the live registry.

use std::collections::HashSet;

use fixture_alpha::Greeters;
use registry_core::RegistryError;
use registry_core::name::NameErrorKind;

registry_core::dynamic_str_enum! {
    /// The greeter names of the fixture application.
    #[category(Greeters)]
    #[non_exhaustive]
    pub enum GreeterName {
        /// Says hello.
        Hello = "hello",
        Farewell = "farewell",
        GoodMorning = "good_morning",
    }
}

/// What a plugin crate exports for its own name.
pub const PIRATE: GreeterName = GreeterName::from_static("ahoy");
/// A constant spelled like a known name is that known variant.
pub const ALSO_HELLO: GreeterName = GreeterName::from_static("hello");

#[test]
fn known_names_parse_to_their_variant_in_any_spelling() {
    for input in [
        "good_morning",
        "Good-Morning",
        " GOOD_MORNING\t",
        "good-morning",
    ] {
        let parsed: GreeterName = input.parse().unwrap();
        assert_eq!(parsed, GreeterName::GoodMorning, "{input:?}");
        assert!(
            matches!(parsed, GreeterName::GoodMorning),
            "never Other: {input:?}"
        );
    }
    assert!(matches!(ALSO_HELLO, GreeterName::Hello));
}

#[test]
fn unknown_well_formed_names_are_other_in_canonical_form() {
    let other = GreeterName::parse("Ahoy").unwrap();
    assert!(matches!(&other, GreeterName::Other(n) if n.as_str() == "ahoy"));
    assert_eq!(other, PIRATE);
    assert_eq!(other.to_string(), "ahoy");
    assert!(!other.is_known());
    let set: HashSet<GreeterName> = ["ahoy", "AHOY", "hello", "Hello"]
        .into_iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(set.len(), 2, "hashing agrees with equality: {set:?}");
}

#[test]
fn only_malformed_names_are_errors() {
    for (input, kind) in [
        ("", NameErrorKind::Empty),
        ("   ", NameErrorKind::Empty),
        (
            "héllo",
            NameErrorKind::InvalidChar {
                ch: 'é',
                position: 1,
            },
        ),
        (
            "hello world",
            NameErrorKind::InvalidChar {
                ch: ' ',
                position: 5,
            },
        ),
        ("_hello", NameErrorKind::BadStart { ch: '_' }),
    ] {
        let err = GreeterName::parse(input).unwrap_err();
        assert_eq!(err.kind(), kind, "{input:?}: {err}");
        assert!(GreeterName::try_from(input).is_err());
    }
}

#[test]
fn string_equality_normalises_and_rejects_malformed() {
    assert!(GreeterName::GoodMorning == "Good-Morning");
    assert!("good_morning" == GreeterName::GoodMorning);
    assert!(GreeterName::Hello != "farewell");
    assert!(GreeterName::Hello != "hello there");
}

#[test]
fn known_lists_declared_variants_only() {
    let names: Vec<&str> = GreeterName::KNOWN.iter().map(GreeterName::as_str).collect();
    assert_eq!(names, ["hello", "farewell", "good_morning"]);
}

#[test]
fn serde_is_a_plain_string() {
    let values = vec![GreeterName::Farewell, PIRATE];
    let json = serde_json::to_string(&values).unwrap();
    assert_eq!(json, r#"["farewell","ahoy"]"#);
    let back: Vec<GreeterName> = serde_json::from_str(r#"["Farewell", "ahoy"]"#).unwrap();
    assert_eq!(back, values);
    let err = serde_json::from_str::<GreeterName>(r#""far well""#).unwrap_err();
    assert!(
        err.to_string().contains("invalid name \"far well\""),
        "{err}"
    );
}

#[test]
fn the_validating_path_checks_the_live_registry() {
    let found = GreeterName::parse_registered("Farewell").unwrap();
    assert_eq!(found, GreeterName::Farewell);
    assert_eq!(found.registration().unwrap().info().identifier(), "formal");

    let err = GreeterName::parse_registered("farewel").unwrap_err();
    assert!(matches!(err, RegistryError::UnknownName { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("did you mean \"farewell\"?"), "{message}");
    assert!(message.contains("available: "), "{message}");

    let err = GreeterName::parse_registered("fare well").unwrap_err();
    assert!(
        err.to_string().starts_with("greeter name: invalid name"),
        "{err}"
    );
}

#[test]
fn ordering_is_by_canonical_name() {
    let mut names = vec![GreeterName::Hello, PIRATE, GreeterName::Farewell];
    names.sort();
    assert_eq!(names, [PIRATE, GreeterName::Farewell, GreeterName::Hello]);
}
