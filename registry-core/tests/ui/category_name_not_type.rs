use fixture_alpha::English;

// The category's name where its marker type belongs.
registry_core::register_lazy!(greeter, "hello", English, id = "english");

fn main() {}
