use fixture_alpha::English;

struct NotACategory;

registry_core::register_lazy!(NotACategory, "hello", English, id = "english");

fn main() {}
