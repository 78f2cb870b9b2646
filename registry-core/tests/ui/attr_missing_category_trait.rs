use fixture_alpha::{GreeterMeta, Greeters};
use registry_core::{BoxError, Implementation};

/// Implements `Implementation<Greeters>` but not the category's trait `Greet`.
#[registry_core::register(Greeters, "hello", id = "mute")]
pub struct Mute;

impl Implementation<Greeters> for Mute {
    const METADATA: GreeterMeta = GreeterMeta { language: "xx", formal: false };
    fn create(_: String) -> Result<Self, BoxError> {
        Ok(Mute)
    }
}

fn main() {}
