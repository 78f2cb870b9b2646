use fixture_alpha::{English, Greeters};

registry_core::register_lazy!(Greeters, "hello", English, id = "poisson rate");

fn main() {}
