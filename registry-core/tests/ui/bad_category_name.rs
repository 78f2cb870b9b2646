pub trait Thing {}

registry_core::declare_category! {
    pub struct Things {
        name: "Bad-Name",
        title: "Things",
        description: "A category with a name that is not canonical.",
        object: dyn Thing,
        args: (),
        metadata: (),
        internal: false,
    }
}

fn main() {}
