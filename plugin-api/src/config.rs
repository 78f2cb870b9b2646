//! Typed component configuration.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Unexpected, Visitor};

use registry_core::BoxError;

/// Refuses any settings, for a component that has none: `null` and `{}`
/// pass; anything else is [`parse_config`]'s error for an empty struct
/// (an unknown field named, or the wrong type).
pub fn no_settings(config: &serde_json::Value) -> Result<(), BoxError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoSettings {}
    parse_config::<NoSettings>(config).map(drop)
}

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

/// Checks that a count from a config is at least 1: the constructor's
/// check after [`count`] let 0 through, worded as the builtins word it.
pub fn require_positive(field: &str, value: u64) -> Result<u64, BoxError> {
    if value == 0 {
        return Err(format!("invalid config: `{field}` must be at least 1, got 0").into());
    }
    Ok(value)
}

/// The unit a duration setting is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds (`timeout_s`).
    Seconds,
    /// Milliseconds (`ttft_ms`).
    Milliseconds,
}

impl TimeUnit {
    fn per_second(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1.0,
            TimeUnit::Milliseconds => 1e3,
        }
    }

    fn word(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Milliseconds => "milliseconds",
        }
    }
}

/// The valid range of a duration setting, and the one place a config
/// number becomes a [`Duration`](std::time::Duration): a value out of range,
/// not finite, or too large for a `Duration` is an error naming the field,
/// the value and the range, never a panic.
///
/// ```
/// use aiperf_plugin_api::config::{DurationRange, TimeUnit};
///
/// const TIMEOUT: DurationRange =
///     DurationRange::above_zero(TimeUnit::Seconds, 3600.0, "one hour");
/// assert_eq!(TIMEOUT.check("timeout_s", 1.5).unwrap().as_millis(), 1500);
/// assert_eq!(
///     TIMEOUT.check("timeout_s", 0.0).unwrap_err().to_string(),
///     "invalid config: `timeout_s` is 0; it must be seconds > 0 and at most 3600 (one hour)"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DurationRange {
    unit: TimeUnit,
    zero_allowed: bool,
    max: f64,
    max_label: &'static str,
}

impl DurationRange {
    /// Values above 0 and at most `max` (in `unit`; `max_label` says it in
    /// words, e.g. `"7 days"`).
    pub const fn above_zero(unit: TimeUnit, max: f64, max_label: &'static str) -> Self {
        DurationRange {
            unit,
            zero_allowed: false,
            max,
            max_label,
        }
    }

    /// Values from 0 to `max` (in `unit`; `max_label` says it in words).
    pub const fn from_zero(unit: TimeUnit, max: f64, max_label: &'static str) -> Self {
        DurationRange {
            unit,
            zero_allowed: true,
            max,
            max_label,
        }
    }

    /// `value` (in this range's unit) as a `Duration`, or an error naming
    /// `field`, the value and the valid range.
    pub fn check(&self, field: &str, value: f64) -> Result<std::time::Duration, BoxError> {
        let low_ok = if self.zero_allowed {
            value >= 0.0
        } else {
            value > 0.0
        };
        Some(value)
            .filter(|&v| low_ok && v <= self.max)
            .and_then(|v| std::time::Duration::try_from_secs_f64(v / self.unit.per_second()).ok())
            .ok_or_else(|| {
                let unit = self.unit.word();
                let range = if self.zero_allowed {
                    format!("{unit} from 0 to {}", self.max)
                } else {
                    format!("{unit} > 0 and at most {}", self.max)
                };
                format!(
                    "invalid config: `{field}` is {}; it must be {range} ({})",
                    show_number(value),
                    self.max_label
                )
                .into()
            })
    }
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

    #[test]
    fn durations_are_checked_in_one_place() {
        const DELAY: DurationRange =
            DurationRange::from_zero(TimeUnit::Milliseconds, 3_600_000.0, "one hour");
        assert_eq!(
            DELAY.check("ttft_ms", 0.0).unwrap(),
            std::time::Duration::ZERO
        );
        assert_eq!(
            DELAY.check("ttft_ms", 2.5).unwrap(),
            std::time::Duration::from_micros(2500)
        );
        for bad in [-1.0, 3_600_001.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                DELAY.check("ttft_ms", bad).unwrap_err().to_string(),
                format!(
                    "invalid config: `ttft_ms` is {}; it must be milliseconds from 0 to 3600000 \
                     (one hour)",
                    show_number(bad)
                )
            );
        }
        // Larger than any Duration: an error, not a panic.
        let huge = DurationRange::above_zero(TimeUnit::Seconds, f64::MAX, "forever");
        assert!(huge.check("timeout_s", 1e300).is_err());
    }
}
