//! The spelling rule for category names, names and identifiers.
//!
//! Canonical form: `[a-z0-9][a-z0-9_]{0,127}`. The registration macros accept
//! only the canonical form, so every registered name is canonical. The rule
//! itself lives in the `registry-name-rule` crate, which the macros check
//! literals with at compile time, so the two cannot disagree.
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

pub use registry_name_rule::{MAX_LEN, NameErrorKind, is_canonical};

/// How many characters of rejected input a [`NameError`] keeps (and so
/// shows in its message); longer input is cut there and marked with `…`.
/// The input may be arbitrary user data (a config value, an environment
/// variable), so code that hides secrets from messages can rely on at most
/// this many characters of a value appearing in a name error.
pub const MAX_SHOWN_CHARS: usize = 150;

/// Normalises user input to the canonical spelling.
///
/// Borrows when the input is already canonical (after trimming), allocates
/// only when a letter had to be lower-cased or a `-` replaced.
pub fn normalize(input: &str) -> Result<Cow<'_, str>, NameError> {
    let trimmed = input.trim_ascii();
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
#[inline]
pub fn normalize_into<'a>(
    input: &'a str,
    buf: &'a mut [u8; MAX_LEN],
) -> Result<&'a str, NameError> {
    registry_name_rule::normalize_into(input, buf).map_err(|kind| NameError::new(input, kind))
}

/// User input that cannot be a name, even after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    input: String,
    kind: NameErrorKind,
}

impl NameError {
    #[cold]
    fn new(input: &str, kind: NameErrorKind) -> Self {
        // Keep a bounded copy: the input may be arbitrary user data.
        let input = match input.char_indices().nth(MAX_SHOWN_CHARS) {
            Some((cut, _)) => format!("{}…", &input[..cut]),
            None => input.to_owned(),
        };
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
        write!(f, "invalid name {:?}: {}", self.input, self.kind)?;
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

    #[test]
    fn errors_keep_at_most_max_shown_chars_of_the_input() {
        let long = "x".repeat(MAX_SHOWN_CHARS + 1);
        let e = normalize(&long).unwrap_err();
        assert_eq!(e.input(), format!("{}…", &long[..MAX_SHOWN_CHARS]));
        let exact = "x ".repeat(MAX_SHOWN_CHARS / 2);
        assert_eq!(normalize(&exact).unwrap_err().input(), exact);
        // The limit counts characters, not bytes: nothing is cut (or marked
        // as cut) from input that has fewer characters than the limit.
        let wide = "é".repeat(100);
        assert_eq!(normalize(&wide).unwrap_err().input(), wide);
        let wider = "é".repeat(MAX_SHOWN_CHARS + 10);
        assert_eq!(
            normalize(&wider).unwrap_err().input(),
            format!("{}…", "é".repeat(MAX_SHOWN_CHARS))
        );
    }
}
