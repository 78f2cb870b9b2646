use fixture_alpha::{GreeterMeta, Greeters};
use registry_core::{BoxError, Implementation};

/// Implements `Implementation<Greeters>` but not the category's trait `Greet`.
struct Mute;

impl Implementation<Greeters> for Mute {
    const METADATA: GreeterMeta = GreeterMeta { language: "xx", formal: false };
    fn create(_: String) -> Result<Self, BoxError> {
        Ok(Mute)
    }
}

registry_core::register_lazy!(Greeters, "hello", Mute, id = "mute");

fn main() {}
