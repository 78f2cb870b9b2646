use fixture_alpha::{GreeterMeta, Greeters};
use registry_core::{BoxError, Implementation};

/// The arguments of a category, not the category.
pub struct GreeterArgs;

#[registry_core::register(GreeterArgs, "hello", id = "shy")]
pub struct Shy;

impl fixture_alpha::Greet for Shy {
    fn greet(&self) -> String {
        String::new()
    }
}

impl Implementation<Greeters> for Shy {
    const METADATA: GreeterMeta = GreeterMeta { language: "xx", formal: false };
    fn create(_: String) -> Result<Self, BoxError> {
        Ok(Shy)
    }
}

fn main() {}
