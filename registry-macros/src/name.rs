//! The name rule of `registry_core::name`, checked at compile time.

use syn::LitStr;

/// The rule of `registry_core::name::is_canonical`, checked at compile time.
pub(crate) fn is_canonical(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && b[0] != b'_'
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

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
    let fixed: String = value
        .trim()
        .chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let hint = if is_canonical(&fixed) {
        format!("; write \"{fixed}\"")
    } else {
        String::new()
    };
    Err(syn::Error::new(
        lit.span(),
        format!(
            "invalid {what} \"{value}\": {what}s are lowercase ASCII letters, digits and `_`, \
             starting with a letter or digit, at most 128 bytes{hint}"
        ),
    ))
}
