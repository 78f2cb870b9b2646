//! The registration macros store each name's hash, computed at compile
//! time (`registry_name_rule::name_hash`); the index files the name under
//! it without hashing, and a lookup hashes the spelling it is given at run
//! time (`src/slots.rs`). If the two ever differ, a lookup probes the wrong
//! bucket and misses: these names cover every length of a name's last word
//! (1 to 8 bytes) and names of one, two and three words, each looked up in
//! spellings with `-`, upper case and blanks. (A debug build also checks
//! each stored hash against the run-time one while it builds the index.)

use registry_core::{BoxError, Factory, Implementation, declare_category, register_lazy};

declare_category! {
    /// Things named for their hashes.
    pub struct Hashed {
        name: "hashed_thing",
        title: "Hashed things",
        description: "Registrations whose names exercise the name hash.",
        object: dyn Named,
        args: (),
        metadata: (),
        internal: false,
    }
}

/// The category's trait.
pub trait Named: Send + Sync {
    /// Anything.
    fn named(&self) -> bool;
}

struct Thing;
impl Named for Thing {
    fn named(&self) -> bool {
        true
    }
}
impl Implementation<Hashed> for Thing {
    const METADATA: () = ();
    fn create((): ()) -> Result<Self, BoxError> {
        Ok(Thing)
    }
}

register_lazy!(Hashed, "a", Thing, id = "a");
register_lazy!(Hashed, "a_b", Thing, id = "a_b");
register_lazy!(Hashed, "x_1_z", Thing, id = "x_1_z");
register_lazy!(Hashed, "snake_7", Thing, id = "snake_7");
register_lazy!(Hashed, "eight_by", Thing, id = "eight_by");
register_lazy!(Hashed, "nine_byte", Thing, id = "nine_byte");
register_lazy!(Hashed, "chat_embeddings", Thing, id = "chat_embeddings");
register_lazy!(Hashed, "sixteen_bytes_xy", Thing, id = "sixteen_bytes_xy");
register_lazy!(
    Hashed,
    "a_name_of_three_words_",
    Thing,
    id = "a_name_of_three_words"
);

const NAMES: [&str; 9] = [
    "a",
    "a_b",
    "x_1_z",
    "snake_7",
    "eight_by",
    "nine_byte",
    "chat_embeddings",
    "sixteen_bytes_xy",
    "a_name_of_three_words_",
];

#[test]
fn every_spelling_finds_the_name_the_macro_hashed() {
    for name in NAMES {
        let canonical = Factory::<Hashed>::get_class(name).unwrap();
        assert_eq!(canonical.info().name(), name);
        for spelling in [
            name.to_ascii_uppercase(),
            name.replace('_', "-"),
            name.to_ascii_uppercase().replace('_', "-"),
            format!(" {}\t", name.replace('_', "-")),
        ] {
            let found = Factory::<Hashed>::get_class(&spelling)
                .unwrap_or_else(|e| panic!("{spelling:?}: {e}"));
            assert!(std::ptr::eq(found, canonical), "{spelling:?}");
        }
    }
    assert_eq!(Factory::<Hashed>::list_names(), {
        let mut sorted = NAMES;
        sorted.sort_unstable();
        sorted
    });
}
