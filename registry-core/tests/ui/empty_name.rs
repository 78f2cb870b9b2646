use fixture_alpha::{English, Greeters};

registry_core::register_lazy!(Greeters, "", English, id = "english");

fn main() {}
