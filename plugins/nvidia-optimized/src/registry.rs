//! Every registration of this plugin, one line each. `origin` defaults to
//! plugin and `priority` to 0, so each one overrides the builtin of the same
//! name when the plugin is linked.

use aiperf_plugin_api::EndpointCategory;
use registry_core::register_lazy;

register_lazy!(EndpointCategory, "chat", crate::NvidiaChat, id = "nvidia_optimized");
register_lazy!(EndpointCategory, "completions", crate::NvidiaCompletions, id = "nvidia_optimized");
register_lazy!(EndpointCategory, "embeddings", crate::NvidiaEmbeddings, id = "nvidia_optimized");
