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
    // What the runtime would read the literal as, if anything: the fix.
    let mut buf = [0u8; MAX_LEN];
    let hint = match normalize_into(&value, &mut buf) {
        Ok(fixed) => format!("; write \"{fixed}\""),
        Err(_) => String::new(),
    };
    Err(syn::Error::new(
        lit.span(),
        format!(
            "invalid {what} \"{value}\": {what}s are lowercase ASCII letters, digits and `_`, \
             starting with a letter or digit, at most {MAX_LEN} bytes{hint}"
        ),
    ))
}
