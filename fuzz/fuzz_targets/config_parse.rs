//! The benchmark configuration: YAML parsing, `${VAR}` expansion, typed
//! deserialisation, and the registry check of `aiperf plugins --validate`.
//!
//! The input is the YAML text. `${VAR}` resolves from a fixed environment
//! in which three variables hold secrets: `API_KEY` a plain one (marked
//! `FZPLAIN`), `QUOTED` one with a quote and a backslash and `LONG` one
//! longer than the 150 characters error messages keep (both marked
//! `FZSECRET`); a few others hold ordinary values.
//!
//! Asserts: nothing panics; unless the text itself contains a marker, no
//! error message, redacted summary or validation message contains it, in
//! any case and with `-` read as `_` (a secret used as a name is shown
//! normalised). `FUZZ_CONFIG_LEAKS` chooses the markers checked: `all`
//! (default), `plain` (only the plain secret: to look past the escaping and
//! truncation leaks) or `ignore` (only panics).
#![no_main]

use std::sync::OnceLock;

use aiperf_builtins::config::{check_config, parse_config_str};
use libfuzzer_sys::fuzz_target;

/// Markers as they appear after normalisation (lower case, `_`).
const PLAIN: &str = "fzplain";
const ESCAPED: &str = "fzsecret";

fn env(name: &str) -> Option<String> {
    Some(match name {
        "API_KEY" => "sk-FZPLAIN-0123456789".to_owned(),
        "QUOTED" => "sk-FZSECRET-\"q\"\\x".to_owned(),
        "LONG" => format!("sk-FZSECRET-{}", "k".repeat(200)),
        "RATE" => "50".to_owned(),
        "FLAG" => "true".to_owned(),
        "HOST" => "127.0.0.1".to_owned(),
        "NAME" => "chat".to_owned(),
        "EMPTY" => String::new(),
        _ => return None,
    })
}

fn markers() -> &'static [&'static str] {
    static MARKERS: OnceLock<Vec<&'static str>> = OnceLock::new();
    MARKERS.get_or_init(|| match std::env::var("FUZZ_CONFIG_LEAKS").as_deref() {
        Ok("ignore") => vec![],
        Ok("plain") => vec![PLAIN],
        _ => vec![PLAIN, ESCAPED],
    })
}

fn normalised(s: &str) -> String {
    s.to_ascii_lowercase().replace('-', "_")
}

fn assert_no_secret(what: &str, shown: &str, text: &str) {
    let (shown_n, text_n) = (normalised(shown), normalised(text));
    for marker in markers() {
        if !text_n.contains(marker) {
            assert!(
                !shown_n.contains(marker),
                "a secret leaks into the {what}:\n{shown}\n--- config text:\n{text}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_config_str(&text, "fuzz.yaml", &env) {
        Err(e) => assert_no_secret("error message", &e.to_string(), &text),
        Ok((config, secrets)) => {
            let summary = config.redacted_summary(&secrets).to_string();
            assert_no_secret("redacted summary", &summary, &text);
            for problem in check_config(&config, &secrets) {
                assert_no_secret("validation message", &problem, &text);
            }
        }
    }
});
