//! Errors: what was asked, what exists, and the closest match.

use std::any::Any;
use std::fmt;

use crate::name::NameError;

/// A boxed error, as returned by constructors and load hooks.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when looking up, selecting or creating an
/// implementation.
///
/// Messages name the category and the name involved, list what is available
/// (sorted) and suggest the closest match:
///
/// ```text
/// unknown endpoint name "chta"; did you mean "chat"? available: chat, completions, embeddings
/// ```
///
/// A name nothing registered resembles may be provided by a plugin crate
/// that is not linked, and the message says so:
///
/// ```text
/// unknown timing_strategy name "poisson"; available: concurrency, request_rate; if a plugin
/// crate provides it, that crate is not linked: add `use the_crate as _;` to the binary and
/// check with `registry_core::require_linked`
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The input is not a well-formed name, even after normalisation.
    #[error("{what}: {source}")]
    InvalidName {
        /// What was being looked up, e.g. `endpoint name`.
        what: String,
        /// Why the input was rejected.
        source: NameError,
    },

    /// No category has this name.
    #[error("unknown category {input:?}{}", Choices(suggestion, available))]
    UnknownCategory {
        /// The user's input (normalised).
        input: String,
        /// The closest category name, if one is close.
        suggestion: Option<&'static str>,
        /// Every category name, sorted.
        available: Vec<&'static str>,
    },

    /// The category has no registration under this name. Without a close
    /// name to suggest, the message adds that a plugin crate providing it
    /// would not be linked, and the fix.
    #[error(
        "unknown {category} name {input:?}{}{}",
        Choices(suggestion, available),
        if suggestion.is_none() { NOT_LINKED_HINT } else { "" }
    )]
    UnknownName {
        /// The category searched.
        category: &'static str,
        /// The user's input (normalised).
        input: String,
        /// The closest registered name, if one is close.
        suggestion: Option<&'static str>,
        /// Every registered name of the category, sorted.
        available: Vec<&'static str>,
    },

    /// The name exists but has no implementation with this identifier.
    #[error(
        "{category} {name:?} has no implementation {input:?}{}",
        Choices(suggestion, available)
    )]
    UnknownIdentifier {
        /// The category searched.
        category: &'static str,
        /// The name searched.
        name: &'static str,
        /// The user's input (normalised).
        input: String,
        /// The closest identifier, if one is close.
        suggestion: Option<&'static str>,
        /// Every identifier registered for the name, sorted.
        available: Vec<&'static str>,
    },

    /// No registration of the category has this type path.
    #[error(
        "no {category} implementation has the type path {input:?}{}",
        Choices(suggestion, available)
    )]
    UnknownTypePath {
        /// The category searched.
        category: &'static str,
        /// The user's input.
        input: String,
        /// The closest type path, if one is close.
        suggestion: Option<&'static str>,
        /// Every registered type path of the category, sorted.
        available: Vec<&'static str>,
    },

    /// `use_implementation::<T>` with a type that is not registered under the name.
    #[error(
        "{type_name} is not registered as {category} {name:?}; registered implementations: {}",
        available.join(", ")
    )]
    TypeNotRegistered {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The type that was asked for.
        type_name: &'static str,
        /// The identifiers registered for the name, sorted.
        available: Vec<&'static str>,
    },

    /// Two registrations share a category, name and identifier: the registry
    /// refuses to pick one silently.
    #[error(
        "duplicate registration: {category} {name:?} identifier {identifier:?} is registered by \
         both `{first}` and `{second}`; give one of them another identifier"
    )]
    DuplicateIdentifier {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The shared identifier.
        identifier: &'static str,
        /// The first registration, as `crate (type path)`.
        first: String,
        /// The second registration, as `crate (type path)`.
        second: String,
    },

    /// Every implementation of the name comes from a plugin crate that the
    /// environment's allow-list disabled, or the requested one does.
    #[error(
        "{category} {name:?}: implementation {identifier:?} comes from crate `{krate}`, which \
         {variable} does not enable; enabled plugin crates: {}",
        if enabled.is_empty() { "none".to_string() } else { enabled.join(", ") }
    )]
    Disabled {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The identifier of the disabled implementation.
        identifier: &'static str,
        /// Its crate.
        krate: &'static str,
        /// The environment variable holding the allow-list.
        variable: String,
        /// The plugin crates the allow-list enables.
        enabled: Vec<String>,
    },

    /// The implementation's one-time load hook failed (or panicked). The
    /// failure is remembered: later calls return the same error.
    #[error("loading {category} {name:?} implementation {identifier:?} failed: {reason}")]
    LoadFailed {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The identifier.
        identifier: &'static str,
        /// The load hook's error or panic message.
        reason: String,
    },

    /// The constructor returned an error.
    #[error("creating {category} {name:?} implementation {identifier:?} failed: {source}")]
    ConstructorFailed {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The identifier.
        identifier: &'static str,
        /// The constructor's error.
        source: BoxError,
    },

    /// The constructor panicked. The panic was contained; the registry stays usable.
    #[error("creating {category} {name:?} implementation {identifier:?} panicked: {message}")]
    ConstructorPanicked {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The identifier.
        identifier: &'static str,
        /// The panic payload, when it was a string.
        message: String,
    },

    /// Crates that should have been linked contributed no registration.
    /// A missing name close to a linked crate's gets a "did you mean".
    ///
    /// The link anchor the message asks for is `use the_crate as _;`, or on
    /// wasm, where a `use` links nothing, a call of the crate's `link()`
    /// (see [`link_anchor!`](crate::link_anchor)).
    #[error(
        "no registration from {} is linked; {}add the link anchor {} to the binary that enables {}{}",
        missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
        DidYouMeanCrate(missing, suggestions),
        missing.iter().map(|c| link_anchor(c)).collect::<Vec<_>>().join(" "),
        if missing.len() == 1 { "it" } else { "them" },
        if WASM { WASM_ANCHOR_NOTE } else { "" }
    )]
    NotLinked {
        /// The package names with no linked registration.
        missing: Vec<String>,
        /// For each missing name close to a linked crate's (a likely typo):
        /// the missing name and that linked crate.
        suggestions: Vec<(String, &'static str)>,
    },
}

/// The text of a caught panic's payload: what `panic!` was given when it is
/// a string (`panic!("literal")` gives a `&'static str`, `panic!("{x}")` a
/// `String`), otherwise `(non-string panic payload)` (e.g. for
/// [`std::panic::panic_any`] with another type).
///
/// It borrows from the payload; `.to_owned()` it to keep it. Pass the
/// payload itself (`&*payload`), not the `Box` (`&payload`, which would be
/// an `Any` of the box and give the fallback).
///
/// This is how the registry reports a panic in a load hook or constructor
/// ([`RegistryError::LoadFailed`], [`RegistryError::ConstructorPanicked`]).
///
/// ```
/// use registry_core::panic_message;
///
/// let payload = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
/// assert_eq!(panic_message(&*payload), "boom 1");
/// let payload = std::panic::catch_unwind(|| std::panic::panic_any(7)).unwrap_err();
/// assert_eq!(panic_message(&*payload), "(non-string panic payload)");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(non-string panic payload)"
    }
}

/// Whether this is a wasm build, where a crate is linked only by a call
/// into it: the messages then name that anchor instead of a `use`.
const WASM: bool = cfg!(target_family = "wasm");

/// The link anchor of crate `krate` (a package name) as the messages write
/// it: `use the_crate as _;`, or on wasm the call `the_crate::link()`.
fn link_anchor(krate: &str) -> String {
    let path = krate.replace('-', "_");
    if WASM {
        format!("`{path}::link()`")
    } else {
        format!("`use {path} as _;`")
    }
}

/// What [`RegistryError::NotLinked`] adds on wasm: what the anchor is.
const WASM_ANCHOR_NOTE: &str = " (a call: on wasm `use the_crate as _;` links nothing; the \
                                crate's `link()` returns `registry_core::link_anchor!()`)";

/// What [`RegistryError::UnknownName`] adds when no registered name is close.
const NOT_LINKED_HINT: &str = if WASM {
    "; if a plugin crate provides it, that crate is not linked: call its link anchor \
     `the_crate::link()` from the binary and check with `registry_core::require_linked`"
} else {
    "; if a plugin crate provides it, that crate is not linked: add `use the_crate as _;` to \
     the binary and check with `registry_core::require_linked`"
};

/// Formats `did you mean `x` (linked)? Otherwise ` for [`RegistryError::NotLinked`]
/// (`... (linked) for `y`, ...` when several crates are missing).
struct DidYouMeanCrate<'a>(&'a [String], &'a [(String, &'static str)]);

impl fmt::Display for DidYouMeanCrate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (missing, suggestions) = (self.0, self.1);
        if suggestions.is_empty() {
            return Ok(());
        }
        f.write_str("did you mean ")?;
        for (i, (wanted, linked)) in suggestions.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{linked}` (linked)")?;
            if missing.len() > 1 {
                write!(f, " for `{wanted}`")?;
            }
        }
        f.write_str("? Otherwise ")
    }
}

/// Formats `; did you mean "x"? available: a, b, c`.
struct Choices<'a>(&'a Option<&'static str>, &'a [&'static str]);

impl fmt::Display for Choices<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.0 {
            write!(f, "; did you mean {s:?}?")?;
        }
        let sep = if self.0.is_some() { " " } else { "; " };
        if self.1.is_empty() {
            write!(f, "{sep}none are registered")
        } else {
            write!(f, "{sep}available: {}", self.1.join(", "))
        }
    }
}

/// The candidate closest to `input` by edit distance, if it is close enough
/// to be a plausible typo (at most a third of the input's length, minimum 2).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_within((input.chars().count() / 3).max(2), input, candidates)
}

/// The linked crate whose package name is closest to `input`, if at most
/// two edits away: package names share long prefixes (`aiperf-plugin-`),
/// so a third of the length would match unrelated crates. Compared as
/// package names are: ASCII case and `-`/`_` do not count.
pub(crate) fn closest_crate(
    input: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    let fold = |name: &str| -> String {
        name.bytes()
            .map(|b| char::from(registry_name_rule::fold(b)))
            .collect()
    };
    let folded: Vec<(String, &'static str)> =
        candidates.into_iter().map(|c| (fold(c), c)).collect();
    let close = closest_within(2, &fold(input), folded.iter().map(|(f, _)| f.as_str()))?;
    folded
        .iter()
        .find(|(f, _)| f == close)
        .map(|&(_, name)| name)
}

fn closest_within<'a>(
    limit: usize,
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(input, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars, two rows.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("chat", "chat"), 0);
        assert_eq!(edit_distance("chta", "chat"), 2);
        assert_eq!(edit_distance("cht", "chat"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggestions_are_close_or_absent() {
        let names = ["chat", "completions", "embeddings", "rankings"];
        assert_eq!(closest("chta", names), Some("chat"));
        assert_eq!(closest("embedings", names), Some("embeddings"));
        assert_eq!(closest("zzzzzzzz", names), None);
    }

    #[test]
    fn crate_suggestions_are_two_edits_at_most_in_any_spelling() {
        let linked = [
            "aiperf-plugin-prometheus",
            "aiperf-plugin-adaptive-rate",
            "fixture-alpha",
        ];
        assert_eq!(
            closest_crate("aiperf-plugin-promethus", linked),
            Some("aiperf-plugin-prometheus")
        );
        assert_eq!(
            closest_crate("Fixture_Alpah", linked),
            Some("fixture-alpha")
        );
        // Same prefix, another crate: no suggestion.
        assert_eq!(closest_crate("fixture-betta", linked), None);
        assert_eq!(
            closest_crate("aiperf-plugin-foo", ["aiperf-plugin-bar"]),
            None
        );
    }

    #[test]
    fn an_unknown_name_nothing_resembles_may_be_an_unlinked_plugin() {
        let e = RegistryError::UnknownName {
            category: "timing_strategy",
            input: "poisson".into(),
            suggestion: None,
            available: vec!["concurrency", "fixed_schedule", "request_rate"],
        };
        let hint = if WASM {
            // On wasm a `use` links nothing: the hint names the call.
            "call its link anchor `the_crate::link()` from the binary"
        } else {
            "add `use the_crate as _;` to the binary"
        };
        assert_eq!(
            e.to_string(),
            format!(
                "unknown timing_strategy name \"poisson\"; available: concurrency, \
                 fixed_schedule, request_rate; if a plugin crate provides it, that crate is not \
                 linked: {hint} and check with `registry_core::require_linked`"
            )
        );
    }

    #[test]
    fn a_missing_crate_close_to_a_linked_one_gets_a_suggestion() {
        let e = RegistryError::NotLinked {
            missing: vec!["aiperf-plugin-promethus".into()],
            suggestions: vec![("aiperf-plugin-promethus".into(), "aiperf-plugin-prometheus")],
        };
        // The anchor each target needs: a `use`, or on wasm a call.
        let (anchor, note) = if WASM {
            (
                [
                    "`aiperf_plugin_promethus::link()`",
                    "`a_plugn::link()` `b_plugin::link()`",
                ],
                " (a call: on wasm `use the_crate as _;` links nothing; the crate's `link()` \
                 returns `registry_core::link_anchor!()`)",
            )
        } else {
            (
                [
                    "`use aiperf_plugin_promethus as _;`",
                    "`use a_plugn as _;` `use b_plugin as _;`",
                ],
                "",
            )
        };
        assert_eq!(
            e.to_string(),
            format!(
                "no registration from `aiperf-plugin-promethus` is linked; did you mean \
                 `aiperf-plugin-prometheus` (linked)? Otherwise add the link anchor {} to the \
                 binary that enables it{note}",
                anchor[0]
            )
        );
        let e = RegistryError::NotLinked {
            missing: vec!["a-plugn".into(), "b-plugin".into()],
            suggestions: vec![("a-plugn".into(), "a-plugin")],
        };
        assert_eq!(
            e.to_string(),
            format!(
                "no registration from `a-plugn`, `b-plugin` is linked; did you mean `a-plugin` \
                 (linked) for `a-plugn`? Otherwise add the link anchor {} to the binary that \
                 enables them{note}",
                anchor[1]
            )
        );
    }

    #[test]
    fn message_lists_and_suggests() {
        let e = RegistryError::UnknownName {
            category: "endpoint",
            input: "chta".into(),
            suggestion: Some("chat"),
            available: vec!["chat", "completions"],
        };
        assert_eq!(
            e.to_string(),
            "unknown endpoint name \"chta\"; did you mean \"chat\"? available: chat, completions"
        );
    }
}
