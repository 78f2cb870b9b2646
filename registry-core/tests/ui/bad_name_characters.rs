use fixture_alpha::{English, Greeters};

registry_core::register_lazy!(Greeters, "hello world", English, id = "english");

fn main() {}
