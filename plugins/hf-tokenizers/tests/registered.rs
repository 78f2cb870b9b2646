//! Linking this crate adds `tokenizer/huggingface` as a plugin, created
//! from a path.

use std::path::PathBuf;

use aiperf_plugin_api::{TokenizerArgs, TokenizerFactory};
use registry_core::Origin;

use aiperf_plugin_hf_tokenizers as _;

#[test]
fn huggingface_is_a_linked_plugin_created_from_a_path() {
    let selected = TokenizerFactory::get_class("HuggingFace").unwrap();
    assert_eq!(selected.info().identifier(), "hf_tokenizer_json");
    assert_eq!(selected.info().origin(), Origin::Plugin);
    assert_eq!(
        selected.info().package().name(),
        "aiperf-plugin-hf-tokenizers"
    );
    assert!(!TokenizerFactory::is_loaded("huggingface", "hf_tokenizer_json").unwrap());

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wordlevel");
    let tokenizer = TokenizerFactory::create_instance(
        "huggingface",
        TokenizerArgs {
            path: Some(dir),
            config: serde_json::Value::Null,
        },
    )
    .unwrap();
    assert_eq!(tokenizer.encode("Shall I compare thee"), [3, 4, 5, 6]);
    assert_eq!(tokenizer.count("to a summer's day?"), 7);
}
