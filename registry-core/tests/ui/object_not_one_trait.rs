pub trait Greet {
    fn greet(&self) -> String;
}

registry_core::declare_category! {
    pub struct Greeters {
        name: "greeter",
        title: "Greeters",
        description: "Say hello.",
        object: dyn Greet + Send + Sync,
        args: String,
        metadata: (),
        internal: false,
    }
}

fn main() {}
