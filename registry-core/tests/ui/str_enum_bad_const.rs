registry_core::dynamic_str_enum! {
    pub enum Kind {
        Chat = "chat",
    }
}

// A plugin's typed constant must be spelled canonically.
pub const MINE: Kind = Kind::from_static("My Plugin");

fn main() {
    let _ = MINE;
}
