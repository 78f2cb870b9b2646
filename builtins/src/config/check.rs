//! Checking a configuration against the live registry without running it.

use crate::categories::{
    EndpointArgs, EndpointFactory, TimingArgs, TimingStrategyFactory, TransportArgs,
    TransportFactory,
};
use crate::phase_hooks::{LoadMode, PhaseHookRegistry};

use super::{BenchmarkConfig, Secrets};

/// Resolves every name the configuration uses and creates every component
/// once (constructors validate their typed `config`), then drops them:
/// nothing is sent, no phase runs. Returns every problem found, each naming
/// where in the file it is, with environment-derived values hidden.
pub fn check_config(config: &BenchmarkConfig, secrets: &Secrets) -> Vec<String> {
    let mut problems = Vec::new();
    let mut report = |place: &str, error: &dyn std::fmt::Display| {
        problems.push(secrets.redact(&format!("{place}: {error}")));
    };

    let endpoint = &config.endpoint;
    let args = EndpointArgs {
        model: endpoint.model.clone(),
        streaming: endpoint.streaming,
        extra: endpoint.extra.clone(),
    };
    if let Err(e) = EndpointFactory::create_instance(endpoint.kind.as_str(), args) {
        report("endpoint.type", &e);
    }

    let transport = &config.transport;
    let args = TransportArgs {
        url: transport.url.clone(),
        config: transport.config.clone(),
    };
    if let Err(e) = TransportFactory::create_instance(transport.kind.as_str(), args) {
        report("transport", &e);
    }

    if let Some(timing) = &config.plugins.timing_strategy {
        let args = TimingArgs {
            config: timing.config.clone(),
        };
        if let Err(e) = TimingStrategyFactory::create_instance(timing.name.as_str(), args) {
            report("plugins.timing_strategy", &e);
        }
    }

    if let Err(failures) =
        PhaseHookRegistry::load(&config.plugins.phase_hooks, LoadMode::Strict, secrets)
    {
        for failure in failures {
            let place = format!("plugins.phase_hooks[{}]", failure.position - 1);
            report(&place, &format!("`{}`: {}", failure.name, failure.reason));
        }
    }
    problems
}
