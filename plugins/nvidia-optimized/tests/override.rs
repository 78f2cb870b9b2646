//! Linking the plugin overrides the builtin `chat`, `completions` and
//! `embeddings` endpoints; the builtins stay reachable.
//!
//! One test function: the runtime override it sets is process-wide, and a
//! second test reading the selection in parallel would race with it.

use aiperf_plugin_api::{EndpointArgs, EndpointFactory, Prompt};
use registry_core::{Origin, Reason};
use serde_json::json;

use aiperf_builtins as _;
use aiperf_plugin_nvidia_optimized as _;

#[test]
fn the_plugin_overrides_the_builtins_until_switched_back() {
    for (name, builtin) in [
        ("chat", "openai_chat"),
        ("completions", "openai_completions"),
        ("embeddings", "openai_embeddings"),
    ] {
        let selection = EndpointFactory::selection(name).unwrap();
        let info = selection.registration().info();
        assert_eq!(info.identifier(), "nvidia_optimized", "{name}");
        assert_eq!(info.origin(), Origin::Plugin);
        assert_eq!(info.package().name(), "aiperf-plugin-nvidia-optimized");
        assert_eq!(selection.reason(), Reason::PluginOverBuiltin, "{name}");
        assert!(selection.conflicts().is_empty());

        let candidates = EndpointFactory::list_implementations(name).unwrap();
        let listed: Vec<(&str, bool)> = candidates
            .iter()
            .map(|c| (c.registration().info().identifier(), c.is_selected()))
            .collect();
        assert_eq!(listed, [("nvidia_optimized", true), (builtin, false)]);
    }
    assert_eq!(
        EndpointFactory::get_class("rankings")
            .unwrap()
            .info()
            .identifier(),
        "nim_rankings",
        "the plugin does not touch rankings"
    );

    let chat = EndpointFactory::get_class("chat").unwrap();
    assert_eq!(chat.metadata().metrics_title, "LLM Metrics (NVIDIA NIM)");
    assert_eq!(chat.metadata().endpoint_path, "/v1/chat/completions");

    let args = EndpointArgs {
        model: "m".into(),
        ..EndpointArgs::default()
    };
    let prompt = Prompt {
        text: "hi".into(),
        max_tokens: Some(4),
        ..Prompt::default()
    };
    let payload = EndpointFactory::create_instance("chat", args.clone())
        .unwrap()
        .format_payload(&prompt);
    assert_eq!(payload["nvext"], json!({"ignore_eos": true}));

    EndpointFactory::use_implementation_by_id("chat", "openai_chat").unwrap();
    let selection = EndpointFactory::selection("chat").unwrap();
    assert_eq!(selection.registration().info().identifier(), "openai_chat");
    assert_eq!(selection.reason(), Reason::Override);
    let payload = EndpointFactory::create_instance("chat", args)
        .unwrap()
        .format_payload(&prompt);
    assert_eq!(payload.get("nvext"), None);

    EndpointFactory::reset_implementation("chat").unwrap();
    let selection = EndpointFactory::selection("chat").unwrap();
    assert_eq!(
        selection.registration().info().identifier(),
        "nvidia_optimized"
    );
    assert_eq!(selection.reason(), Reason::PluginOverBuiltin);
}
