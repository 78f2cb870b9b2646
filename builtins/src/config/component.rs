//! Typed component configuration.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Unexpected, Visitor};

use registry_core::BoxError;

/// Deserialises a component's `config` value into its typed config struct.
///
/// `null` (no `config` given) reads as an empty map, so defaults apply. The
/// struct should be `#[serde(deny_unknown_fields)]`: serde's message then
/// names the unknown field and the expected ones, and the registry's error
/// around it names the component. A value of the wrong type or out of its
/// type's range is reported with the field it is in (serde's own message
/// does not say), and Rust type names become words: ``invalid config:
/// `requests`: invalid value: integer `-3`, expected a whole number >= 1``.
pub fn parse_config<T: DeserializeOwned>(config: &serde_json::Value) -> Result<T, BoxError> {
    let value = if config.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        config.clone()
    };
    serde_json::from_value::<T>(value.clone()).map_err(|e| {
        let message = plain_types(&e.to_string());
        match culprit::<T>(&value, &e.to_string()) {
            Some(field) => format!("invalid config: `{field}`: {message}").into(),
            None => format!("invalid config: {message}").into(),
        }
    })
}

/// The top-level field whose value `error` is about, for the errors serde
/// raises on one value (wrong type, out of range). serde_json's errors do
/// not carry the field, so it is found by removing one field at a time: the
/// error changes only when the field it is about is gone. Configs are small
/// and this runs only on failure.
fn culprit<T: DeserializeOwned>(value: &serde_json::Value, error: &str) -> Option<String> {
    let on_a_value = ["invalid type:", "invalid value:", "invalid length:"];
    if !on_a_value.iter().any(|p| error.starts_with(p)) {
        return None;
    }
    let map = value.as_object()?;
    map.keys()
        .find(|key| {
            let mut without = map.clone();
            without.remove(key.as_str());
            match serde_json::from_value::<T>(serde_json::Value::Object(without)) {
                Ok(_) => true,
                Err(other) => other.to_string() != error,
            }
        })
        .cloned()
}

/// serde names Rust types (`expected u64`); say what a config file holds.
fn plain_types(message: &str) -> String {
    const TYPES: [(&str, &str); 9] = [
        ("u8", "a whole number from 0 to 255"),
        ("u16", "a whole number from 0 to 65535"),
        ("u32", "a whole number from 0 to 4294967295"),
        ("u64", "a whole number >= 0"),
        ("usize", "a whole number >= 0"),
        ("i32", "a whole number"),
        ("i64", "a whole number"),
        ("f32", "a number"),
        ("f64", "a number"),
    ];
    for (rust, words) in TYPES {
        if let Some(head) = message.strip_suffix(&format!(", expected {rust}")) {
            return format!("{head}, expected {words}");
        }
    }
    message.to_owned()
}

/// A count of at least 1 (`concurrency`, `requests`, ...): use with
/// `#[serde(deserialize_with = "aiperf_builtins::config::count")]`. A
/// negative number or a fraction is an error saying so (`expected a whole
/// number >= 1`); 0 is let through for the constructor to reject with its
/// own message.
pub fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_u64(Count)
}

/// [`count`] for an optional field: use with
/// `#[serde(default, deserialize_with = "aiperf_builtins::config::optional_count")]`.
pub fn optional_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_option(OptionalCount)
}

struct Count;

impl<'de> Visitor<'de> for Count {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number >= 1")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }
}

struct OptionalCount;

impl<'de> Visitor<'de> for OptionalCount {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number >= 1, or nothing")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u64>, D::Error> {
        count(d).map(Some)
    }
}

/// A config number as a message shows it: `0.5`, `-5`, and `1e-20` or
/// `1e300` rather than dozens of digits.
pub fn show_number(value: f64) -> String {
    if value != 0.0 && value.is_finite() && !(1e-4..1e15).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// A timeout in seconds from a config (`timeout_s`): above 0 and at most
/// `max_s` (`max_label` says it in words, e.g. "7 days"), or an error naming
/// the field, the value and the valid range.
pub fn timeout_secs(
    field: &str,
    value: f64,
    max_s: f64,
    max_label: &str,
) -> Result<std::time::Duration, String> {
    Some(value)
        .filter(|&s| s > 0.0 && s <= max_s)
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            format!(
                "invalid config: `{field}` is {}; it must be seconds > 0 and at most {max_s} \
                 ({max_label})",
                show_number(value)
            )
        })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Example {
        #[serde(deserialize_with = "count")]
        requests: u64,
        #[serde(default, deserialize_with = "optional_count")]
        limit: Option<u64>,
        seed: u64,
        #[serde(default)]
        rate: f64,
    }

    fn error(config: serde_json::Value) -> String {
        parse_config::<Example>(&config).unwrap_err().to_string()
    }

    #[test]
    fn a_bad_value_is_reported_with_its_field_and_what_is_valid() {
        assert_eq!(
            error(json!({"requests": -3, "seed": 1})),
            "invalid config: `requests`: invalid value: integer `-3`, expected a whole number >= 1"
        );
        assert_eq!(
            error(json!({"requests": 2, "limit": -1, "seed": 1})),
            "invalid config: `limit`: invalid value: integer `-1`, expected a whole number >= 1"
        );
        assert_eq!(
            error(json!({"requests": 1.5, "seed": 1})),
            "invalid config: `requests`: invalid type: floating point `1.5`, expected a whole number >= 1"
        );
        assert_eq!(
            error(json!({"requests": 2, "seed": -7})),
            "invalid config: `seed`: invalid value: integer `-7`, expected a whole number >= 0"
        );
        assert_eq!(
            error(json!({"requests": 2, "seed": 1, "rate": "fast"})),
            "invalid config: `rate`: invalid type: string \"fast\", expected a number"
        );
        // Errors that already name their field are left alone.
        assert_eq!(
            error(json!({"seed": 1})),
            "invalid config: missing field `requests`"
        );
        assert!(
            error(json!({"requests": 1, "seed": 1, "sed": 2}))
                .starts_with("invalid config: unknown field `sed`"),
        );
        let ok: Example = parse_config(&json!({"requests": 0, "limit": null, "seed": 0})).unwrap();
        assert_eq!(
            (ok.requests, ok.limit),
            (0, None),
            "0 is the constructor's to reject"
        );
    }

    #[test]
    fn numbers_are_shown_short() {
        assert_eq!(show_number(0.0), "0");
        assert_eq!(show_number(-5.0), "-5");
        assert_eq!(show_number(0.25), "0.25");
        assert_eq!(show_number(1e-20), "1e-20");
        assert_eq!(show_number(1e300), "1e300");
        assert_eq!(show_number(f64::NAN), "NaN");
    }
}
