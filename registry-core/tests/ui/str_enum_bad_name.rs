registry_core::dynamic_str_enum! {
    pub enum Kind {
        Chat = "Chat-Bot",
    }
}

fn main() {}
