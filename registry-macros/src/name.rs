//! Compile-time checks of name and identifier literals, with the rule of
//! the `registry-name-rule` crate (the one `registry_core::name` applies at
//! run time), and messages that point at the literal.

use registry_name_rule::{MAX_LEN, is_canonical, normalize_into};
use syn::LitStr;

pub(crate) fn check_name(lit: &LitStr, what: &str) -> syn::Result<()> {
    let value = lit.value();
    if value.is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "the {what} must not be empty: {what}s are lowercase ASCII letters, digits and \
                 `_`, starting with a letter or digit, e.g. \"chat\""
            ),
        ));
    }
    if is_canonical(&value) {
        return Ok(());
    }
    let hint = suggestion(&value)
        .map(|fixed| format!("; write \"{fixed}\""))
        .unwrap_or_default();
    Err(syn::Error::new(
        lit.span(),
        format!(
            "invalid {what} \"{value}\": {what}s are lowercase ASCII letters, digits and `_`, \
             starting with a letter or digit, at most {MAX_LEN} bytes{hint}"
        ),
    ))
}

/// The canonical spelling to suggest for a literal that is not canonical:
/// what the runtime reads it as (`"Poisson-Rate"` is `poisson_rate`), or
/// else its words joined with `_` (`"poisson rate"`, `"poisson.rate"`);
/// nothing when neither is a name (e.g. non-ASCII letters).
fn suggestion(value: &str) -> Option<String> {
    let mut buf = [0u8; MAX_LEN];
    if let Ok(fixed) = normalize_into(value, &mut buf) {
        return Some(fixed.to_owned());
    }
    let joined = value
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | '.' | '/' | ':'))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
        .to_ascii_lowercase();
    is_canonical(&joined).then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::suggestion;

    #[test]
    fn suggestions_are_canonical_spellings_of_the_same_words() {
        assert_eq!(suggestion("Poisson-Rate").as_deref(), Some("poisson_rate"));
        assert_eq!(suggestion("poisson rate").as_deref(), Some("poisson_rate"));
        assert_eq!(
            suggestion(" Poisson  Rate ").as_deref(),
            Some("poisson_rate")
        );
        assert_eq!(suggestion("poisson.rate").as_deref(), Some("poisson_rate"));
        assert_eq!(suggestion("-chat").as_deref(), Some("chat"));
        assert_eq!(suggestion("caf\u{e9}"), None);
        assert_eq!(suggestion("a+b"), None);
        assert_eq!(suggestion("   "), None);
    }
}
