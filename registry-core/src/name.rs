//! The spelling rule for category names, names and identifiers.
//!
//! Canonical form: `[a-z0-9][a-z0-9_]{0,127}`. The registration macros accept
//! only the canonical form, so every registered name is canonical.
//!
//! User input (lookups, CLI arguments, environment variables, config files) is
//! normalised before it is compared: surrounding blanks are trimmed, ASCII
//! letters are lower-cased and `-` is read as `_`. Anything that is still not
//! canonical after that is rejected with a [`NameError`] saying why.
//!
//! ```
//! use registry_core::name::normalize;
//!
//! assert_eq!(normalize("  Chat-Embeddings ").unwrap(), "chat_embeddings");
//! assert_eq!(normalize("chat").unwrap(), "chat");
//! assert!(normalize("chat bot").is_err());
//! assert!(normalize("").is_err());
//! ```

use std::borrow::Cow;
use std::fmt;

/// The longest canonical name, in bytes.
pub const MAX_LEN: usize = 128;

/// Whether `s` is already canonical: `[a-z0-9][a-z0-9_]{0,127}`.
///
/// A `const fn`, so declarations can be checked at compile time.
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

/// Normalises user input to the canonical spelling.
///
/// Borrows when the input is already canonical (after trimming), allocates
/// only when a letter had to be lower-cased or a `-` replaced.
pub fn normalize(input: &str) -> Result<Cow<'_, str>, NameError> {
    let trimmed = trim(input);
    if is_canonical(trimmed) {
        return Ok(Cow::Borrowed(trimmed));
    }
    let mut buf = [0u8; MAX_LEN];
    normalize_into(input, &mut buf).map(|s| Cow::Owned(s.to_owned()))
}

/// A name in canonical spelling: borrowed from a literal
/// ([`Name::from_static`], usable in `const`) or owned (from [`Name::parse`]).
///
/// It is what `Other(..)` of a [`dynamic_str_enum!`](crate::dynamic_str_enum)
/// holds, so every value compares, hashes and prints by its canonical form.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Cow<'static, str>);

impl Name {
    /// Normalises user input (see [`normalize`]).
    pub fn parse(input: &str) -> Result<Name, NameError> {
        normalize(input).map(|n| Name(Cow::Owned(n.into_owned())))
    }

    /// A name from a literal that must already be canonical. Evaluated in a
    /// `const`, a bad literal is a compile error; at run time it panics, so
    /// use [`Name::parse`] for anything that is not a literal.
    pub const fn from_static(name: &'static str) -> Name {
        assert!(
            is_canonical(name),
            "Name::from_static: not a canonical name ([a-z0-9][a-z0-9_]{{0,127}})"
        );
        Name(Cow::Borrowed(name))
    }

    #[doc(hidden)]
    /// For `dynamic_str_enum!`: a name from [`normalize_into`]'s output (canonical
    /// by construction), allocated only here, for `Other`.
    pub fn __from_normalized(key: &str) -> Name {
        Name(Cow::Owned(key.to_owned()))
    }

    /// The canonical spelling.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::str::FromStr for Name {
    type Err = NameError;
    fn from_str(input: &str) -> Result<Name, NameError> {
        Name::parse(input)
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        let raw = <Cow<'de, str>>::deserialize(deserializer)?;
        Name::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[doc(hidden)]
/// `a == b` in a `const fn` (for `dynamic_str_enum!`'s `from_static`).
pub const fn __str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What each input byte becomes in a canonical name; 0 = not allowed.
const NORMALIZED_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = match byte {
            b'a'..=b'z' | b'0'..=b'9' | b'_' => byte,
            b'A'..=b'Z' => byte.to_ascii_lowercase(),
            b'-' => b'_',
            _ => 0,
        };
        b += 1;
    }
    table
};

fn trim(input: &str) -> &str {
    input.trim_ascii()
}

/// [`normalize`] without allocating: returns `input` itself (trimmed) when
/// it is canonical, otherwise the normalised bytes written to `buf`. For hot
/// paths that only compare the result (lookups, enum parsing).
///
/// ```
/// use registry_core::name::{MAX_LEN, normalize_into};
///
/// let mut buf = [0u8; MAX_LEN];
/// assert_eq!(normalize_into(" Chat-Embeddings ", &mut buf).unwrap(), "chat_embeddings");
/// assert!(normalize_into("chat embeddings", &mut buf).is_err());
/// ```
pub fn normalize_into<'a>(
    input: &'a str,
    buf: &'a mut [u8; MAX_LEN],
) -> Result<&'a str, NameError> {
    // Fast path: registered names are canonical and so is most input.
    if is_canonical(input) {
        return Ok(input);
    }
    let trimmed = trim(input);
    if is_canonical(trimmed) {
        return Ok(trimmed);
    }
    if trimmed.is_empty() {
        return Err(NameError::new(input, NameErrorKind::Empty));
    }
    if trimmed.len() > MAX_LEN {
        return Err(NameError::new(
            input,
            NameErrorKind::TooLong { len: trimmed.len() },
        ));
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
        return Err(NameError::new(
            input,
            NameErrorKind::InvalidChar {
                ch,
                position: leading + position,
            },
        ));
    }
    if buf[0] == b'_' {
        return Err(NameError::new(
            input,
            NameErrorKind::BadStart {
                ch: trimmed.chars().next().unwrap_or('_'),
            },
        ));
    }
    let out = &buf[..trimmed.len()];
    // Every byte written above is ASCII.
    Ok(std::str::from_utf8(out).expect("normalised names are ASCII"))
}

/// User input that cannot be a name, even after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    input: String,
    kind: NameErrorKind,
}

/// Why a [`NameError`] was raised.
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

impl NameError {
    fn new(input: &str, kind: NameErrorKind) -> Self {
        // Keep a bounded copy: the input may be arbitrary user data.
        let mut input: String = input.chars().take(160).collect();
        if input.len() > 150 {
            input.truncate(
                input
                    .char_indices()
                    .nth(150)
                    .map_or(input.len(), |(i, _)| i),
            );
            input.push('…');
        }
        NameError { input, kind }
    }

    /// The rejected input (possibly shortened).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why it was rejected.
    pub fn kind(&self) -> NameErrorKind {
        self.kind
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid name {:?}: ", self.input)?;
        match self.kind {
            NameErrorKind::Empty => f.write_str("it is empty")?,
            NameErrorKind::TooLong { len } => {
                write!(f, "it is {len} bytes long, the limit is {MAX_LEN}")?
            }
            NameErrorKind::InvalidChar { ch, position } => {
                write!(f, "character {ch:?} at byte {position} is not allowed")?
            }
            NameErrorKind::BadStart { ch } => write!(f, "it starts with {ch:?}")?,
        }
        f.write_str(
            "; names are ASCII letters, digits, `_` and `-`, starting with a letter or digit \
             (case and `-`/`_` do not matter)",
        )
    }
}

impl std::error::Error for NameError {}

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
        assert!(!is_canonical(&"a".repeat(129)));
        assert!(is_canonical(&"a".repeat(128)));
    }

    #[test]
    fn normalisation_rules() {
        assert_eq!(normalize("CHAT").unwrap(), "chat");
        assert_eq!(normalize("Chat-Embeddings").unwrap(), "chat_embeddings");
        assert_eq!(normalize(" chat\t").unwrap(), "chat");
        assert!(matches!(normalize(" chat ").unwrap(), Cow::Borrowed(_)));
        assert!(matches!(normalize("Chat").unwrap(), Cow::Owned(_)));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = normalize("   ").unwrap_err();
        assert_eq!(e.kind(), NameErrorKind::Empty);
        let e = normalize("chat bot").unwrap_err();
        assert_eq!(
            e.kind(),
            NameErrorKind::InvalidChar {
                ch: ' ',
                position: 4
            }
        );
        assert!(e.to_string().contains("' ' at byte 4"), "{e}");
        // Positions count from what was written, blanks included.
        let e = normalize("  ab!").unwrap_err();
        assert_eq!(
            e.kind(),
            NameErrorKind::InvalidChar {
                ch: '!',
                position: 4
            }
        );
        let e = normalize("-chat").unwrap_err();
        assert_eq!(e.kind(), NameErrorKind::BadStart { ch: '-' });
        let e = normalize("café").unwrap_err();
        assert!(matches!(
            e.kind(),
            NameErrorKind::InvalidChar { ch: 'é', .. }
        ));
        let e = normalize(&"x".repeat(500)).unwrap_err();
        assert_eq!(e.kind(), NameErrorKind::TooLong { len: 500 });
        assert!(e.input().chars().count() <= 151);
    }
}
