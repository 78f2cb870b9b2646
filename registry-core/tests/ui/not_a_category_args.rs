use fixture_alpha::English;

/// The arguments of a category, not the category.
pub struct TimingArgs {
    pub rate: f64,
}

registry_core::register_lazy!(TimingArgs, "hello", English, id = "english");

fn main() {}
