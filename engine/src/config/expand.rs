//! `${VAR}` expansion, and the record of what came from the environment.

use std::collections::{BTreeMap, HashSet};

/// Values that came from environment variables, by the config path that
/// used them. Anything shown to a user goes through [`Secrets::redact`].
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// Config path (e.g. `plugins.phase_hooks[1].config.endpoint`) -> the
    /// variables its value was built from.
    by_path: BTreeMap<String, Vec<String>>,
    /// The values to hide, longest first (so a value containing another is
    /// hidden whole).
    values: Vec<String>,
    /// Every [`FRAGMENT`]-byte window of those values: a message that shows
    /// only part of a value (cut, or glued to other text) hides that part.
    fragments: HashSet<[u8; FRAGMENT]>,
}

/// The shortest part of a value hidden on its own.
const FRAGMENT: usize = 8;

/// Values shorter than this are not redacted inside free text: hiding every
/// `1` or `on` would garble messages, and such values are not secrets.
/// Summaries hide every environment-derived field whatever its length.
const MIN_REDACTED_LEN: usize = 4;

impl Secrets {
    /// `text` with every environment-derived value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), "***");
            }
        }
        self.hide_fragments(&out)
    }

    /// Replaces each run of text made of [`FRAGMENT`]-byte windows of a
    /// value by `***`: a value a message shows only in part (a name error
    /// keeps the first 150 characters of its input) is hidden too. One hash
    /// lookup per byte, so cheap on every message.
    fn hide_fragments(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        if self.fragments.is_empty() || bytes.len() < FRAGMENT {
            return text.to_owned();
        }
        let mut hidden = vec![false; bytes.len()];
        for (start, window) in bytes.windows(FRAGMENT).enumerate() {
            let window: [u8; FRAGMENT] = window.try_into().expect("windows of FRAGMENT bytes");
            if self.fragments.contains(&window) {
                hidden[start..start + FRAGMENT].fill(true);
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut in_run = false;
        for (at, ch) in text.char_indices() {
            // A character is hidden when any of its bytes is.
            if hidden[at..at + ch.len_utf8()].contains(&true) {
                if !in_run {
                    out.push_str("***");
                    in_run = true;
                }
            } else {
                out.push(ch);
                in_run = false;
            }
        }
        out
    }

    /// Hides `value` (and the forms messages show it in) in every message,
    /// whatever its source: an API key or a password written in the config
    /// or on the command line is as secret as one from the environment.
    pub fn hide(&mut self, value: &str) {
        self.add_values(value);
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// Adds `value`'s shown forms and their fragments (unsorted).
    fn add_values(&mut self, value: &str) {
        for form in shown_forms(value) {
            if form.len() >= MIN_REDACTED_LEN && !self.values.contains(&form) {
                for window in form.as_bytes().windows(FRAGMENT) {
                    self.fragments
                        .insert(window.try_into().expect("windows of FRAGMENT bytes"));
                }
                self.values.push(form);
            }
        }
    }

    /// The variables the value at `path` was built from (empty if none).
    pub fn variables_at(&self, path: &str) -> &[String] {
        self.by_path.get(path).map_or(&[], Vec::as_slice)
    }

    /// Config paths whose values came (partly) from the environment.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.by_path.keys().map(String::as_str)
    }

    fn record(&mut self, path: &str, variable: &str, value: &str) {
        self.by_path
            .entry(path.to_owned())
            .or_default()
            .push(variable.to_owned());
        self.add_values(value);
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// How much of a rejected name an error message keeps: a longer secret
/// shows as its start.
const NAME_ERROR_KEEPS: usize = registry_core::name::MAX_SHOWN_CHARS;

/// Every form in which a message may show `value`: as it is, quoted by
/// `{:?}` (serde and name errors escape `"` and `\`), normalised as a name
/// (an unknown-name error prints the normalised spelling), and cut to the
/// length a name error keeps; each also escaped.
fn shown_forms(value: &str) -> Vec<String> {
    let mut bases = vec![value.to_owned()];
    if let Ok(name) = registry_core::name::normalize(value) {
        bases.push(name.into_owned());
    }
    if value.chars().count() > NAME_ERROR_KEEPS {
        bases.push(value.chars().take(NAME_ERROR_KEEPS).collect());
    }
    let mut forms = Vec::with_capacity(bases.len() * 2);
    for base in bases {
        let escaped = base.escape_debug().to_string();
        if escaped != base {
            forms.push(escaped);
        }
        forms.push(base);
    }
    forms
}

/// Why a string could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExpandError {
    /// `${NAME}` with `NAME` unset.
    Missing(String),
    /// `${` without `}`, or a bad variable name.
    Malformed(String),
}

/// Expands `${VAR}` in `input` (at config `path`), recording what it used.
/// Returns `None` when the string has no reference (the common case, no
/// allocation).
pub(crate) fn expand(
    input: &str,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    secrets: &mut Secrets,
) -> Result<Option<String>, ExpandError> {
    if !input.contains('$') {
        return Ok(None);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let end = after.find('}').ok_or_else(|| {
                ExpandError::Malformed(format!(
                    "`${{` without a closing `}}` in {tail:?}; write `$${{` for a literal `${{`"
                ))
            })?;
            let name = &after[..end];
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(ExpandError::Malformed(format!(
                    "`${{{name}}}` is not a variable reference: names are letters, digits and `_`, \
                     not starting with a digit; write `$${{` for a literal `${{`"
                )));
            }
            let value = lookup(name).ok_or_else(|| ExpandError::Missing(name.to_owned()))?;
            secrets.record(path, name, &value);
            out.push_str(&value);
            rest = &after[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// Whether `input` is exactly one `${VAR}` reference.
pub(crate) fn is_single_reference(input: &str) -> bool {
    input
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(|name| !name.is_empty() && !name.contains(['{', '}', '$']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("gateway.local".into()),
            "TOKEN" => Some("sk-secret-123".into()),
            "ONE" => Some("1".into()),
            _ => None,
        }
    }

    fn run(input: &str) -> (Result<Option<String>, ExpandError>, Secrets) {
        let mut secrets = Secrets::default();
        (expand(input, "a.b", &env, &mut secrets), secrets)
    }

    #[test]
    fn expands_references_and_escapes() {
        assert_eq!(run("plain").0, Ok(None));
        assert_eq!(
            run("http://${HOST}:9091/${ONE}").0,
            Ok(Some("http://gateway.local:9091/1".into()))
        );
        assert_eq!(
            run("cost: $5, $${HOST}").0,
            Ok(Some("cost: $5, ${HOST}".into()))
        );
    }

    #[test]
    fn missing_and_malformed_references_are_errors() {
        assert_eq!(run("${NOPE}").0, Err(ExpandError::Missing("NOPE".into())));
        assert!(
            matches!(run("${HOST").0, Err(ExpandError::Malformed(m)) if m.contains("without a closing"))
        );
        assert!(
            matches!(run("${1X}").0, Err(ExpandError::Malformed(m)) if m.contains("`${1X}` is not"))
        );
    }

    #[test]
    fn records_paths_and_redacts_values() {
        let (result, secrets) = run("Bearer ${TOKEN} for ${ONE}");
        assert_eq!(result.unwrap().unwrap(), "Bearer sk-secret-123 for 1");
        assert_eq!(secrets.variables_at("a.b"), ["TOKEN", "ONE"]);
        assert_eq!(
            secrets.redact("bad token sk-secret-123 (1 try)"),
            "bad token *** (1 try)",
            "short values stay: they are not secrets and hiding them garbles text"
        );
    }

    #[test]
    fn single_reference_detection() {
        assert!(is_single_reference("${RATE}"));
        assert!(!is_single_reference("${RATE}/s"));
        assert!(!is_single_reference("x${RATE}"));
    }

    #[test]
    fn part_of_a_value_is_hidden_too() {
        let mut secrets = Secrets::default();
        secrets.record("endpoint.model", "KEY", "sk-abcdefghijklmnopqrstuvwxyz");
        // Cut (as a name error cuts a long input), and glued to other text.
        assert_eq!(
            secrets.redact("invalid name \"xsk-abcdefghijk…\": too long"),
            "invalid name \"x***…\": too long"
        );
        assert_eq!(
            secrets.redact("a sk-abcdefghijklmnopqrstuvwxyz b"),
            "a *** b"
        );
        // Seven characters in common are not enough to hide anything.
        assert_eq!(secrets.redact("sk-abcd is fine"), "sk-abcd is fine");
    }
}
