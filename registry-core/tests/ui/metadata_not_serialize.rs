pub trait Thing: Send + Sync {}

/// Metadata without `serde::Serialize`.
#[derive(Debug)]
pub struct ThingMeta {
    pub size: u32,
}

registry_core::declare_category! {
    pub struct Things {
        name: "thing",
        title: "Things",
        description: "A category whose metadata cannot be serialised.",
        object: dyn Thing,
        args: (),
        metadata: ThingMeta,
        internal: false,
    }
}

fn main() {}
