registry_core::dynamic_str_enum! {
    pub enum Kind {
        Chat = "chat",
        Nothing = "",
    }
}

fn main() {}
