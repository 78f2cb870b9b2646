//! Name normalisation, `dynamic_str_enum!` parsing and the lookups that
//! take user input (by name, identifier and type path), on any input.
//!
//! Asserts: `normalize` agrees with the documented rule (the model below),
//! its output is canonical and normalises to itself; an enum parses exactly
//! when `normalize` accepts, to the known variant for a known name, and
//! round-trips; a lookup finds a name exactly when its normalised form is
//! registered, and its errors print without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registry_core::name;
use registry_core::{BoxError, Factory, Implementation, declare_category, register_lazy};

registry_core::dynamic_str_enum! {
    pub enum Kind {
        Chat = "chat",
        ChatEmbeddings = "chat_embeddings",
        Http2 = "http2",
        ZeroShot = "0shot",
        A = "a",
    }
}

pub trait Tag: Send + Sync {
    fn tag(&self) -> u32;
}

declare_category! {
    pub struct Fuzzed {
        name: "fuzzed",
        title: "Fuzzed",
        description: "Lookups under fuzzing.",
        object: dyn Tag,
        args: (),
        metadata: (),
        internal: true,
    }
}

pub struct Imp<const N: u32>;
impl<const N: u32> Tag for Imp<N> {
    fn tag(&self) -> u32 {
        N
    }
}
impl<const N: u32> Implementation<Fuzzed> for Imp<N> {
    const METADATA: () = ();
    fn create((): ()) -> Result<Self, BoxError> {
        Ok(Imp)
    }
}

register_lazy!(Fuzzed, "chat", Imp<0>, id = "openai_chat", origin = builtin);
register_lazy!(Fuzzed, "chat", Imp<1>, id = "fast_chat");
register_lazy!(Fuzzed, "chat_embeddings", Imp<2>, id = "embed");
register_lazy!(Fuzzed, "0shot", Imp<3>, id = "zero", priority = -1);

const NAMES: [&str; 3] = ["chat", "chat_embeddings", "0shot"];
const CHAT_IDS: [&str; 2] = ["openai_chat", "fast_chat"];

// The documented rule, written independently of `registry_core::name`;
// shared with registry-core's property tests.
#[path = "../../registry-core/tests/support/name_model.rs"]
mod name_model;
use name_model::model_normalize as model;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let input: &str = &input;

    // normalize vs the model; idempotence.
    let normalized = name::normalize(input);
    match (&normalized, model(input)) {
        (Ok(n), Ok(m)) => {
            assert_eq!(**n, *m, "{input:?}");
            assert!(name::is_canonical(n));
            assert_eq!(*name::normalize(n).unwrap(), **n, "idempotent");
        }
        (Err(e), Err(kind)) => {
            assert_eq!(e.kind(), kind, "{input:?}");
            assert!(e.input().chars().count() <= 151);
            let _ = e.to_string();
        }
        (got, want) => panic!("{input:?}: normalize {got:?}, model {want:?}"),
    }

    // The enum: parses exactly when normalize does; known names are never
    // Other; every value round-trips.
    match (Kind::parse(input), &normalized) {
        (Ok(k), Ok(n)) => {
            assert_eq!(k.as_str(), &**n);
            assert_eq!(k.is_known(), Kind::KNOWN.iter().any(|v| v.as_str() == &**n));
            let again = Kind::parse(k.as_str()).unwrap();
            assert_eq!(again, k);
            assert_eq!(std::mem::discriminant(&again), std::mem::discriminant(&k));
            assert!(k == input, "equality with the input normalises");
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), k);
        }
        (Err(_), Err(_)) => {}
        (got, want) => panic!("{input:?}: parse {got:?}, normalize {want:?}"),
    }

    // Lookups by name, identifier and type path.
    let registered = normalized.as_ref().is_ok_and(|n| NAMES.contains(&&**n));
    match Factory::<Fuzzed>::get_class(input) {
        Ok(reg) => {
            assert!(registered, "{input:?} found");
            assert_eq!(Some(reg.info().name()), normalized.as_deref().ok());
            assert!(reg.create(()).unwrap().tag() < 4);
        }
        Err(e) => {
            assert!(!registered, "{input:?} not found: {e}");
            let _ = e.to_string();
        }
    }
    assert_eq!(Factory::<Fuzzed>::is_registered(input), registered);
    let known_id = name::normalize(input).is_ok_and(|n| CHAT_IDS.contains(&&*n));
    match Factory::<Fuzzed>::get_class_by_id("chat", input) {
        Ok(reg) => assert!(known_id && CHAT_IDS.contains(&reg.info().identifier())),
        Err(e) => {
            assert!(!known_id, "{input:?}: {e}");
            let _ = e.to_string();
        }
    }
    if let Err(e) = Factory::<Fuzzed>::get_class_by_path(input) {
        let _ = e.to_string();
    }
    // Overrides by identifier: accepted exactly for known identifiers and
    // then selected; reset restores the rule. (One thread: no races here.)
    match Factory::<Fuzzed>::use_implementation_by_id("Chat", input) {
        Ok(()) => {
            assert!(known_id);
            let id = Factory::<Fuzzed>::get_class("chat")
                .unwrap()
                .info()
                .identifier();
            assert_eq!(Some(id), name::normalize(input).ok().as_deref());
            Factory::<Fuzzed>::reset_implementation("chat").unwrap();
        }
        Err(e) => {
            assert!(!known_id, "{input:?}: {e}");
            let _ = e.to_string();
        }
    }
    assert_eq!(
        Factory::<Fuzzed>::get_class("chat")
            .unwrap()
            .info()
            .identifier(),
        "fast_chat"
    );
});
