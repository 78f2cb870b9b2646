//! The environment parsers: `{PREFIX}_USE` and `{PREFIX}_PLUGIN_CRATES`
//! values, alone and read together against the linked registry.
//!
//! The input is split at its first NUL byte: the `_USE` value, then the
//! `_PLUGIN_CRATES` value (absent when there is no NUL). Asserts: nothing
//! panics; accepted entries are canonical, one identifier per
//! (category, name), crates without repeats; an error names the variable
//! and an entry taken from the value; settings read from the lookup only
//! hold overrides that exist in the registry.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use registry_core::env::{EnvError, EnvSettings, parse_plugin_crates, parse_use};
use registry_core::name;
use registry_core::{BoxError, Implementation, declare_category, register_lazy};

pub trait Tag: Send + Sync {}

declare_category! {
    pub struct Fuzzed {
        name: "fuzzed",
        title: "Fuzzed",
        description: "Environment values under fuzzing.",
        object: dyn Tag,
        args: (),
        metadata: (),
        internal: true,
    }
}

pub struct Imp<const N: u32>;
impl<const N: u32> Tag for Imp<N> {}
impl<const N: u32> Implementation<Fuzzed> for Imp<N> {
    const METADATA: () = ();
    fn create((): ()) -> Result<Self, BoxError> {
        Ok(Imp)
    }
}

register_lazy!(Fuzzed, "chat", Imp<0>, id = "openai_chat", origin = builtin);
register_lazy!(Fuzzed, "chat", Imp<1>, id = "fast_chat");
register_lazy!(Fuzzed, "embed", Imp<2>, id = "embed");

fn check_error(e: &EnvError, variable: &str, value: &str) {
    assert_eq!(e.variable(), variable);
    assert!(
        value.contains(e.entry()),
        "{:?} not in {value:?}",
        e.entry()
    );
    assert!(e.entry().chars().count() <= 200);
    assert!(!e.reason().is_empty());
    assert!(
        e.to_string()
            .starts_with(&format!("environment variable {variable}: entry "))
    );
}

fuzz_target!(|data: &[u8]| {
    let (use_raw, crates_raw) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let use_value = String::from_utf8_lossy(use_raw).into_owned();
    let crates_value = crates_raw.map(|c| String::from_utf8_lossy(c).into_owned());

    match parse_use("FUZZ_USE", &use_value) {
        Ok(uses) => {
            let mut seen = HashSet::new();
            for u in &uses {
                assert!(name::is_canonical(&u.category), "{u:?}");
                assert!(name::is_canonical(&u.name), "{u:?}");
                assert!(name::is_canonical(&u.identifier), "{u:?}");
                assert!(seen.insert((&u.category, &u.name)), "twice: {u:?}");
            }
        }
        Err(e) => check_error(&e, "FUZZ_USE", &use_value),
    }
    if let Some(crates_value) = &crates_value {
        match parse_plugin_crates("FUZZ_PLUGIN_CRATES", crates_value) {
            Ok(crates) => {
                let unique: HashSet<&String> = crates.iter().collect();
                assert_eq!(unique.len(), crates.len());
                assert!(crates.iter().all(|c| name::is_canonical(c)));
            }
            Err(e) => check_error(&e, "FUZZ_PLUGIN_CRATES", crates_value),
        }
    }

    // Both variables against the registry (read and checked, not applied:
    // applying changes process-wide state between runs).
    let lookup = |var: &str| -> Result<Option<String>, String> {
        Ok(match var {
            "FUZZ_USE" => Some(use_value.clone()),
            "FUZZ_PLUGIN_CRATES" => crates_value.clone(),
            _ => None,
        })
    };
    match EnvSettings::from_lookup("FUZZ", lookup) {
        Ok(settings) => {
            for u in settings.uses() {
                let category = registry_core::category(&u.category).unwrap();
                let found = category
                    .list_implementations(&u.name)
                    .unwrap()
                    .iter()
                    .any(|c| c.registration().info().identifier() == u.identifier);
                assert!(found, "{u:?}");
            }
        }
        Err(e) => {
            assert!(
                e.variable() == "FUZZ_USE" || e.variable() == "FUZZ_PLUGIN_CRATES",
                "{e}"
            );
            let _ = e.to_string();
        }
    }
});
