use fixture_alpha::Greeters;

#[registry_core::register(Greeters, "hello", id = "generic")]
struct Generic<T>(T);

fn main() {}
