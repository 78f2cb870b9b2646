use fixture_alpha::Greeters;

/// Implements neither the category's trait nor `Implementation`.
struct Stranger;

registry_core::register_lazy!(Greeters, "hello", Stranger, id = "stranger");

fn main() {}
