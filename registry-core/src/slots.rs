//! The name -> slot table of a category, looked up in any accepted spelling
//! without first copying the input into its canonical form.
//!
//! Hash and comparison work eight bytes at a time on words *folded* so that
//! every accepted spelling of a name gives the same word (see [`fold`]), so
//! `"chat_embeddings"`, `"Chat-Embeddings"` and `" CHAT_EMBEDDINGS "` cost
//! the same single probe. The rule it implements is the one of
//! [`name::normalize`](crate::name::normalize); a property test in this
//! module checks that they agree on every input.

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::index::Slot;
use crate::name::MAX_LEN;

/// FxHash's multiplier: a fast, well-mixing word hash for short keys.
const K: u64 = 0xf135_7aea_2e62_a9c5;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A word of blanks: pads a name's last word (the same on both sides of a
/// comparison, and a byte no name has).
const BLANKS: u64 = 0x20 * ONES;

/// The last 1 to 7 bytes of a name as a word padded with blanks, read with
/// whole-word loads: assembling it byte by byte on the stack would stall
/// on store forwarding, which costs more than the rest of the lookup.
#[inline]
fn tail_word(b: &[u8]) -> u64 {
    let n = b.len();
    let word = if n >= 4 {
        let lo = u64::from(u32::from_le_bytes(b[..4].try_into().expect("4 bytes")));
        let hi = u64::from(u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes")));
        lo | (hi << (8 * (n - 4)))
    } else {
        let (first, mid, last) = (u64::from(b[0]), u64::from(b[n / 2]), u64::from(b[n - 1]));
        first | (mid << (8 * (n / 2))) | (last << (8 * (n - 1)))
    };
    word | (BLANKS << (8 * n))
}

/// The words of a name: whole 8-byte words, then [`tail_word`].
#[inline]
fn for_each_word(bytes: &[u8], mut f: impl FnMut(u64) -> bool) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        if !f(u64::from_le_bytes(chunk.try_into().expect("chunks of 8"))) {
            return false;
        }
    }
    let rest = chunks.remainder();
    rest.is_empty() || f(tail_word(rest))
}

/// 0x80 in each byte of `w` that is zero, 0 elsewhere (exact).
#[inline]
fn zero_bytes(w: u64) -> u64 {
    !(((w & !HIGHS).wrapping_add(!HIGHS)) | w | !HIGHS)
}

/// Each byte folded so that every accepted spelling of a name byte gives
/// the same value: ASCII letters to lower case (`| 0x20`), and `-` (which
/// `| 0x20` leaves as 0x2d) to what `_` becomes (0x7f). Other bytes fold
/// too, into values no name byte folds to, except control bytes and DEL,
/// which [`plain`] rejects.
#[inline]
fn fold(w: u64) -> u64 {
    let x = w | (0x20 * ONES);
    let dashes = zero_bytes(x ^ (0x2d * ONES));
    x | ((dashes >> 7) * 0x52)
}

/// Whether `w` has no control byte (< 0x20) and no DEL (0x7f): the bytes
/// that [`fold`] would confuse with name bytes.
#[inline]
fn plain(w: u64) -> bool {
    let control = w.wrapping_sub(0x20 * ONES) & !w & HIGHS;
    control == 0 && zero_bytes(w ^ (0x7f * ONES)) == 0
}

/// The hash of `bytes` in any accepted spelling (see [`fold`]): the same
/// function as [`registry_name_rule::name_hash`], which the registration
/// macros compute at compile time for the index build, here a word at a
/// time for lookups (the tests check that the two agree).
#[inline]
pub(crate) fn spelled_hash(bytes: &[u8]) -> u64 {
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    for_each_word(bytes, |word| {
        hash = (hash.rotate_left(5) ^ fold(word)).wrapping_mul(K);
        true
    });
    // hashbrown picks the bucket from the low bits, where a multiply mixes
    // least: bring the well-mixed high bits down (as rustc-hash's `finish`).
    hash.rotate_left(26)
}

/// Whether `spelled` is an accepted spelling of the canonical `name`.
#[inline]
fn spells(name: &str, spelled: &[u8]) -> bool {
    let name = name.as_bytes();
    if name.len() != spelled.len() {
        return false;
    }
    let mut names = name.chunks_exact(8);
    let mut spells = spelled.chunks_exact(8);
    for (n, s) in (&mut names).zip(&mut spells) {
        let (n, s) = (
            u64::from_le_bytes(n.try_into().expect("chunks of 8")),
            u64::from_le_bytes(s.try_into().expect("chunks of 8")),
        );
        // Equal words are the common case (canonical input) and need no
        // folding: the name's bytes are canonical.
        if n != s && (fold(n) != fold(s) || !plain(s)) {
            return false;
        }
    }
    let (n, s) = (names.remainder(), spells.remainder());
    n.is_empty() || {
        let (n, s) = (tail_word(n), tail_word(s));
        n == s || (fold(n) == fold(s) && plain(s))
    }
}

fn hash_of(slot: &Slot) -> u64 {
    spelled_hash(slot.name.as_bytes())
}

/// A category's slots by name.
pub(crate) struct Slots(HashTable<Slot>);

impl Slots {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Slots(HashTable::with_capacity(capacity))
    }

    /// The slot of `input` in any accepted spelling: surrounding blanks,
    /// case and `-`/`_` do not matter. `None` for malformed input too (the
    /// caller's miss path says which).
    #[inline]
    pub(crate) fn find_spelled(&self, input: &str) -> Option<&Slot> {
        let bytes = input.as_bytes();
        // Trimming first would cost every lookup; blanks are rare.
        let bytes = if bytes.first().is_some_and(u8::is_ascii_whitespace)
            || bytes.last().is_some_and(u8::is_ascii_whitespace)
        {
            bytes.trim_ascii()
        } else {
            bytes
        };
        if bytes.len() > MAX_LEN {
            return None;
        }
        self.0
            .find(spelled_hash(bytes), |slot| spells(slot.name, bytes))
    }

    /// The slot of a canonical name.
    pub(crate) fn get(&self, canonical: &str) -> Option<&Slot> {
        let hash = spelled_hash(canonical.as_bytes());
        self.0.find(hash, |slot| slot.name == canonical)
    }

    pub(crate) fn get_mut(&mut self, canonical: &str) -> Option<&mut Slot> {
        let hash = spelled_hash(canonical.as_bytes());
        self.0.find_mut(hash, |slot| slot.name == canonical)
    }

    /// The slot of canonical `name`, made by `make` if it has none yet.
    /// `hash` is the name's [`spelled_hash`], as the registration macro
    /// computed it: nothing is hashed here. Returns whether it was made.
    pub(crate) fn get_or_insert_with(
        &mut self,
        name: &'static str,
        hash: u64,
        make: impl FnOnce() -> Slot,
    ) -> (&mut Slot, bool) {
        debug_assert_eq!(hash, spelled_hash(name.as_bytes()), "{name:?}");
        match self.0.entry(hash, |slot| slot.name == name, hash_of) {
            Entry::Occupied(entry) => (entry.into_mut(), false),
            Entry::Vacant(entry) => (entry.insert(make()).into_mut(), true),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Registered names, in no particular order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|slot| slot.name)
    }
}

impl std::ops::Index<&str> for Slots {
    type Output = Slot;
    fn index(&self, canonical: &str) -> &Slot {
        self.get(canonical).expect("a registered name has a slot")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name;

    /// `spells` accepts exactly what `name::normalize` turns into `name`.
    fn agrees(name: &str, input: &str) {
        let trimmed = input.trim_ascii().as_bytes();
        let by_rule = name::normalize(input).is_ok_and(|n| n == name);
        assert_eq!(spells(name, trimmed), by_rule, "{name:?} vs {input:?}");
        if by_rule {
            assert_eq!(spelled_hash(trimmed), spelled_hash(name.as_bytes()));
        }
    }

    #[test]
    fn folding_agrees_with_normalisation_on_every_byte() {
        // Every byte in every position of a short and a long name.
        for name in ["a_b", "chat_embeddings_v2"] {
            for at in 0..name.len() {
                for byte in 0..=255u8 {
                    let mut input = name.as_bytes().to_vec();
                    input[at] = byte;
                    agrees(name, &String::from_utf8_lossy(&input));
                }
            }
            agrees(name, &name.to_ascii_uppercase().replace('_', "-"));
            agrees(name, &format!(" \t{name}\n"));
        }
    }

    /// The hash the macros store at compile time is the hash a lookup
    /// computes, for every spelling of every length (tail words of 1 to 7
    /// bytes, whole words, both).
    #[test]
    fn compile_time_hash_is_the_lookup_hash() {
        let base = "abcdefghijklmnopqrstuvwxyz_0123456789_a_b_c";
        for len in 0..=base.len() {
            let name = &base[..len];
            let stored = registry_name_rule::name_hash(name);
            assert_eq!(stored, spelled_hash(name.as_bytes()), "{name:?}");
            for spelled in [
                name.to_ascii_uppercase(),
                name.replace('_', "-"),
                name.to_ascii_uppercase().replace('_', "-"),
            ] {
                assert_eq!(stored, spelled_hash(spelled.as_bytes()), "{spelled:?}");
                assert_eq!(
                    stored,
                    registry_name_rule::name_hash(&spelled),
                    "{spelled:?}"
                );
            }
        }
        // Every byte value in every position of a word and of a tail.
        for name in ["abc", "abcdefgh", "abcdefghijk"] {
            for at in 0..name.len() {
                for byte in 0..=127u8 {
                    let mut bytes = name.as_bytes().to_vec();
                    bytes[at] = byte;
                    let input = String::from_utf8(bytes).expect("ASCII");
                    assert_eq!(
                        registry_name_rule::name_hash(&input),
                        spelled_hash(input.as_bytes()),
                        "{input:?}"
                    );
                }
            }
        }
    }
}
