//! Typed component configuration.

use serde::de::DeserializeOwned;

use registry_core::BoxError;

/// Deserialises a component's `config` value into its typed config struct.
///
/// `null` (no `config` given) reads as an empty map, so defaults apply. The
/// struct should be `#[serde(deny_unknown_fields)]`: serde's message then
/// names the unknown field and the expected ones, and the registry's error
/// around it names the component.
pub fn parse_config<T: DeserializeOwned>(config: &serde_json::Value) -> Result<T, BoxError> {
    let value = if config.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        config.clone()
    };
    serde_json::from_value(value).map_err(|e| format!("invalid config: {e}").into())
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
