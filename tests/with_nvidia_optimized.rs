//! Link set: the builtins and `aiperf-plugin-nvidia-optimized`.

use aiperf_plugin_api::{EndpointArgs, EndpointFactory, Prompt};
use registry_core::{Origin, Reason};

use aiperf_builtins as _;
use aiperf_plugin_nvidia_optimized as _;

fn selected(name: &str) -> (&'static str, Reason) {
    let selection = EndpointFactory::selection(name).unwrap();
    (
        selection.registration().info().identifier(),
        selection.reason(),
    )
}

/// One test function: a runtime override is process-wide, and a second test
/// reading the selection in a parallel thread would race with it.
#[test]
fn the_plugin_overrides_until_use_implementation_by_id_brings_the_builtin_back() {
    the_plugin_overrides_chat_completions_and_embeddings();
    use_implementation_by_id_brings_the_builtin_back();
}

fn the_plugin_overrides_chat_completions_and_embeddings() {
    for name in ["chat", "completions", "embeddings"] {
        assert_eq!(
            selected(name),
            ("nvidia_optimized", Reason::PluginOverBuiltin),
            "{name}"
        );
        let candidates = EndpointFactory::list_implementations(name).unwrap();
        let listed: Vec<(&str, Origin, bool)> = candidates
            .iter()
            .map(|c| {
                let info = c.registration().info();
                (info.identifier(), info.origin(), c.is_selected())
            })
            .collect();
        assert_eq!(listed.len(), 2, "{name}: {listed:?}");
        assert_eq!(listed[0], ("nvidia_optimized", Origin::Plugin, true));
        assert_eq!(listed[1].1, Origin::Builtin);
        assert!(!listed[1].2, "the builtin is listed, not selected");
        assert!(candidates.iter().all(|c| !c.is_conflict()));
    }
    // Names the plugin does not register keep their builtin.
    assert_eq!(
        selected("rankings"),
        ("nim_rankings", Reason::OnlyCandidate)
    );
    assert_eq!(registry_core::validate(), []);
}

fn use_implementation_by_id_brings_the_builtin_back() {
    let args = || EndpointArgs {
        model: "m".into(),
        ..EndpointArgs::default()
    };
    let prompt = Prompt {
        text: "hi".into(),
        passages: vec![],
        max_tokens: Some(4),
    };
    let plugin_payload = EndpointFactory::create_instance("chat", args())
        .unwrap()
        .format_payload(&prompt);

    EndpointFactory::use_implementation_by_id("chat", "openai_chat").unwrap();
    assert_eq!(selected("chat"), ("openai_chat", Reason::Override));
    // The override settles the choice: nothing is reported as a conflict.
    let candidates = EndpointFactory::list_implementations("chat").unwrap();
    assert!(candidates.iter().all(|c| !c.is_conflict()));
    assert!(
        EndpointFactory::selection("chat")
            .unwrap()
            .conflicts()
            .is_empty()
    );
    let builtin_payload = EndpointFactory::create_instance("chat", args())
        .unwrap()
        .format_payload(&prompt);
    assert_ne!(
        plugin_payload, builtin_payload,
        "the instance really changed"
    );
    assert!(builtin_payload.get("nvext").is_none());

    EndpointFactory::reset_implementation("chat").unwrap();
    assert_eq!(
        selected("chat"),
        ("nvidia_optimized", Reason::PluginOverBuiltin)
    );
}
