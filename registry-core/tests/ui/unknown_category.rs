use fixture_alpha::English;

registry_core::register_lazy!(Greetrs, "hello", English, id = "english");

fn main() {}
