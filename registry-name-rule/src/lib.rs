//! The spelling rule of registry names, in one place: `registry-core` applies
//! it at run time (`registry_core::name`) and `registry-macros` at compile
//! time, so a literal the macros accept is exactly a name the runtime finds.
//!
//! Two parts:
//!
//! - **Canonical form**, the only spelling a registration may be written in:
//!   `[a-z0-9][a-z0-9_]{0,127}`, that is ASCII lowercase letters, digits and
//!   `_`, starting with a letter or digit, 1 to [`MAX_LEN`] bytes
//!   ([`is_canonical`]).
//! - **Normalisation** of user input before it is compared: surrounding
//!   ASCII blanks are trimmed, ASCII letters are lower-cased and `-` is read
//!   as `_` ([`fold`]). What is canonical after that is the name; anything
//!   else is rejected with a [`NameErrorKind`] saying why
//!   ([`normalize_into`]).
//!
//! ```
//! use registry_name_rule::{MAX_LEN, NameErrorKind, is_canonical, normalize_into};
//!
//! assert!(is_canonical("chat_embeddings"));
//! assert!(!is_canonical("Chat-Embeddings"));
//! let mut buf = [0u8; MAX_LEN];
//! assert_eq!(normalize_into(" Chat-Embeddings ", &mut buf), Ok("chat_embeddings"));
//! assert_eq!(normalize_into("-chat", &mut buf), Err(NameErrorKind::BadStart { ch: '-' }));
//! ```
//!
//! No dependencies, `no_std`, no allocation, no `unsafe`.

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use core::fmt;

/// The longest canonical name, in bytes.
pub const MAX_LEN: usize = 128;

/// Whether `s` is already canonical: `[a-z0-9][a-z0-9_]{0,127}`.
///
/// A `const fn`, so declarations can be checked at compile time.
#[inline]
pub const fn is_canonical(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_LEN || bytes[0] == b'_' {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

/// The byte that every accepted spelling of `byte` stands for: ASCII
/// letters lower-cased, `-` read as `_`, every other byte unchanged. Two
/// spellings are the same name when they fold to the same bytes (and the
/// result is canonical); crate names compare under the same folding.
#[inline]
pub const fn fold(byte: u8) -> u8 {
    if byte == b'-' {
        b'_'
    } else {
        byte.to_ascii_lowercase()
    }
}

/// FxHash's multiplier, the one [`name_hash`] mixes with.
const HASH_K: u64 = 0xf135_7aea_2e62_a9c5;

/// The hash under which `registry-core`'s name table files `name`: of its
/// 8-byte little-endian words, the last one padded with blanks, each byte
/// folded so that every accepted spelling hashes alike (ASCII letters to
/// lower case by `| 0x20`, and `-` to what `_` becomes, 0x7f).
///
/// A `const fn` of the name's bytes only (no per-process seed), so the
/// registration macros compute it at compile time and store it; the
/// table's lookup computes the same function eight bytes at a time, and
/// `registry-core`'s tests check that they agree on every spelling.
///
/// ```
/// use registry_name_rule::name_hash;
///
/// assert_eq!(name_hash("chat_embeddings"), name_hash("Chat-Embeddings"));
/// assert_ne!(name_hash("chat"), name_hash("chats"));
/// ```
pub const fn name_hash(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash = (bytes.len() as u64).wrapping_mul(HASH_K);
    let mut start = 0;
    while start < bytes.len() {
        let mut word = 0u64;
        let mut i = 0;
        while i < 8 {
            let byte = if start + i < bytes.len() {
                bytes[start + i]
            } else {
                b' '
            };
            let folded = byte | 0x20;
            let folded = if folded == b'-' { 0x7f } else { folded };
            word |= (folded as u64) << (8 * i);
            i += 1;
        }
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(HASH_K);
        start += 8;
    }
    hash.rotate_left(26)
}

/// What each input byte becomes in a canonical name; 0 = not allowed.
const NORMALIZED_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = fold(b as u8);
        table[b] = if byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' {
            byte
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Normalises `input` to the canonical spelling without allocating: returns
/// `input` itself (trimmed) when it is canonical, otherwise the normalised
/// bytes written to `buf`, or why `input` cannot be a name.
///
/// ```
/// use registry_name_rule::{MAX_LEN, NameErrorKind, normalize_into};
///
/// let mut buf = [0u8; MAX_LEN];
/// assert_eq!(normalize_into("CHAT", &mut buf), Ok("chat"));
/// assert_eq!(normalize_into("   ", &mut buf), Err(NameErrorKind::Empty));
/// assert_eq!(
///     normalize_into(" a b", &mut buf),
///     Err(NameErrorKind::InvalidChar { ch: ' ', position: 2 })
/// );
/// ```
pub fn normalize_into<'a>(
    input: &'a str,
    buf: &'a mut [u8; MAX_LEN],
) -> Result<&'a str, NameErrorKind> {
    // Fast path: registered names are canonical and so is most input.
    if is_canonical(input) {
        return Ok(input);
    }
    let trimmed = input.trim_ascii();
    if is_canonical(trimmed) {
        return Ok(trimmed);
    }
    if trimmed.is_empty() {
        return Err(NameErrorKind::Empty);
    }
    if trimmed.len() > MAX_LEN {
        return Err(NameErrorKind::TooLong { len: trimmed.len() });
    }
    // Table-driven and branch-free per byte; the (rare) error path looks
    // for the first rejected character afterwards.
    let bytes = trimmed.as_bytes();
    let mut all_ok = true;
    for (out, &byte) in buf[..bytes.len()].iter_mut().zip(bytes) {
        let mapped = NORMALIZED_BYTE[usize::from(byte)];
        all_ok &= mapped != 0;
        *out = mapped;
    }
    if !all_ok {
        let position = bytes
            .iter()
            .position(|&b| NORMALIZED_BYTE[usize::from(b)] == 0)
            .unwrap_or(0);
        // Every byte before `position` is ASCII, so it is a char boundary.
        let ch = trimmed
            .get(position..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or('\u{fffd}');
        // Report the position in what the user wrote, blanks included.
        let leading = input.len() - input.trim_ascii_start().len();
        return Err(NameErrorKind::InvalidChar {
            ch,
            position: leading + position,
        });
    }
    if buf[0] == b'_' {
        return Err(NameErrorKind::BadStart {
            ch: trimmed.chars().next().unwrap_or('_'),
        });
    }
    let out = &buf[..trimmed.len()];
    // Every byte written above is ASCII.
    Ok(core::str::from_utf8(out).expect("normalised names are ASCII"))
}

/// Why input cannot be a name, even after normalisation.
///
/// `Display` says it in words, e.g. `character ' ' at byte 4 is not
/// allowed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameErrorKind {
    /// Empty, or only blanks.
    Empty,
    /// Longer than [`MAX_LEN`] bytes after trimming.
    TooLong {
        /// The trimmed length in bytes.
        len: usize,
    },
    /// A character outside ASCII letters, digits, `_` and `-`.
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the input (leading blanks included).
        position: usize,
    },
    /// Starts with `_` or `-`.
    BadStart {
        /// The first character.
        ch: char,
    },
}

impl fmt::Display for NameErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NameErrorKind::Empty => f.write_str("it is empty"),
            NameErrorKind::TooLong { len } => {
                write!(f, "it is {len} bytes long, the limit is {MAX_LEN}")
            }
            NameErrorKind::InvalidChar { ch, position } => {
                write!(f, "character {ch:?} at byte {position} is not allowed")
            }
            NameErrorKind::BadStart { ch } => write!(f, "it starts with {ch:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_rule() {
        assert!(is_canonical("chat"));
        assert!(is_canonical("0day"));
        assert!(is_canonical("openai_chat"));
        assert!(!is_canonical(""));
        assert!(!is_canonical("_chat"));
        assert!(!is_canonical("Chat"));
        assert!(!is_canonical("chat-x"));
        assert!(is_canonical(core::str::from_utf8(&[b'a'; 128]).unwrap()));
        assert!(!is_canonical(core::str::from_utf8(&[b'a'; 129]).unwrap()));
    }

    #[test]
    fn every_byte_folds_and_normalises_consistently() {
        for b in 0..=255u8 {
            let folded = fold(b);
            assert_eq!(fold(folded), folded, "fold is idempotent");
            let mapped = NORMALIZED_BYTE[usize::from(b)];
            if mapped != 0 {
                assert_eq!(mapped, folded);
            }
            let allowed = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
            assert_eq!(mapped != 0, allowed, "byte {b:#x}");
        }
    }

    #[test]
    fn rejections() {
        let mut buf = [0u8; MAX_LEN];
        assert_eq!(normalize_into("", &mut buf), Err(NameErrorKind::Empty));
        assert_eq!(
            normalize_into("_x", &mut buf),
            Err(NameErrorKind::BadStart { ch: '_' })
        );
        assert_eq!(
            normalize_into("caf\u{e9}", &mut buf),
            Err(NameErrorKind::InvalidChar {
                ch: '\u{e9}',
                position: 3
            })
        );
        let long = [b'x'; 200];
        assert_eq!(
            normalize_into(core::str::from_utf8(&long).unwrap(), &mut buf),
            Err(NameErrorKind::TooLong { len: 200 })
        );
    }
}
