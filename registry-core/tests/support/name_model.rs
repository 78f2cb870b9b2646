//! The spelling rule of names, written out independently of
//! `registry_core::name` as the oracle of the property tests
//! (`tests/properties.rs`) and of the fuzz target `name_normalize`
//! (`fuzz/fuzz_targets/name_normalize.rs`), which include this file.

use registry_core::name::{MAX_LEN, NameErrorKind};

/// The spelling rule as the `name` module documents it: trim ASCII blanks,
/// lower-case ASCII letters, `-` is `_`; then empty, too long (bytes, after
/// trimming), a character outside the alphabet (at its byte offset in the
/// input as written), or a leading `_` is an error, checked in that order.
pub fn model_normalize(input: &str) -> Result<String, NameErrorKind> {
    let t = input.trim_matches(|c: char| c.is_ascii_whitespace());
    let leading = input.len()
        - input
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    if t.is_empty() {
        return Err(NameErrorKind::Empty);
    }
    if t.len() > MAX_LEN {
        return Err(NameErrorKind::TooLong { len: t.len() });
    }
    let mut out = String::with_capacity(t.len());
    for (position, ch) in t.char_indices() {
        match ch {
            'a'..='z' | '0'..='9' | '_' => out.push(ch),
            'A'..='Z' => out.push(ch.to_ascii_lowercase()),
            '-' => out.push('_'),
            _ => {
                return Err(NameErrorKind::InvalidChar {
                    ch,
                    position: leading + position,
                });
            }
        }
    }
    if out.starts_with('_') {
        let ch = t.chars().next().expect("not empty");
        return Err(NameErrorKind::BadStart { ch });
    }
    Ok(out)
}
