//! [`PhaseHookRegistry`]: the hooks a configuration names, created through
//! the registry and called in configuration order.

use std::panic::{AssertUnwindSafe, catch_unwind};

use registry_core::{BoxError, panic_message};

use crate::config::{NamedConfig, Secrets};
use aiperf_plugin_api::names::PhaseHookType;
use aiperf_plugin_api::stats::{PhaseStart, PhaseStats};
use aiperf_plugin_api::{PhaseHook, PhaseHookArgs, PhaseHookFactory};

/// What to do when a configured hook cannot be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadMode {
    /// Report it and load the others.
    #[default]
    Lenient,
    /// Any failure is fatal.
    Strict,
}

/// A hook that failed to load or to run, with the reason (redacted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("phase hook #{position} `{name}`: {reason}")]
pub struct HookFailure {
    /// 1-based position in `plugins.phase_hooks`.
    pub position: usize,
    /// The hook's name as configured.
    pub name: String,
    /// Why, with environment-derived values hidden.
    pub reason: String,
}

/// The created hooks, in configuration order.
pub struct PhaseHookRegistry {
    hooks: Vec<(usize, PhaseHookType, Box<dyn PhaseHook>)>,
    secrets: Secrets,
}

impl std::fmt::Debug for PhaseHookRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.hooks.iter().map(|(_, name, _)| name.as_str()))
            .finish()
    }
}

impl PhaseHookRegistry {
    /// Creates exactly the configured hooks (nothing else is loaded). In
    /// [`LoadMode::Lenient`] a failing hook is returned in the failure list
    /// and the others load; in [`LoadMode::Strict`] any failure is an error
    /// listing all of them.
    pub fn load(
        configs: &[NamedConfig<PhaseHookType>],
        mode: LoadMode,
        secrets: &Secrets,
    ) -> Result<(Self, Vec<HookFailure>), Vec<HookFailure>> {
        let mut hooks = Vec::with_capacity(configs.len());
        let mut failures = Vec::new();
        for (i, config) in configs.iter().enumerate() {
            let args = PhaseHookArgs {
                config: config.config.clone(),
            };
            match PhaseHookFactory::create_instance(config.name.as_str(), args) {
                Ok(hook) => hooks.push((i + 1, config.name.clone(), hook)),
                Err(e) => failures.push(HookFailure {
                    position: i + 1,
                    name: config.name.to_string(),
                    reason: secrets.redact(&e.to_string()),
                }),
            }
        }
        if mode == LoadMode::Strict && !failures.is_empty() {
            return Err(failures);
        }
        for failure in &failures {
            tracing::warn!("{failure}; the other phase hooks are loaded");
        }
        let registry = PhaseHookRegistry {
            hooks,
            secrets: secrets.clone(),
        };
        Ok((registry, failures))
    }

    /// The loaded hooks' names, in call order.
    pub fn names(&self) -> Vec<&str> {
        self.hooks
            .iter()
            .map(|(_, name, _)| name.as_str())
            .collect()
    }

    /// Calls every hook's `on_phase_start`, in order. A hook that fails or
    /// panics is reported; the others still run.
    pub fn on_phase_start(&self, start: &PhaseStart) -> Vec<HookFailure> {
        self.call(|hook| hook.on_phase_start(start))
    }

    /// Calls every hook's `on_phase_complete`, in order (see
    /// [`on_phase_start`](Self::on_phase_start)).
    pub fn on_phase_complete(&self, stats: &PhaseStats) -> Vec<HookFailure> {
        self.call(|hook| hook.on_phase_complete(stats))
    }

    fn call(&self, f: impl Fn(&dyn PhaseHook) -> Result<(), BoxError>) -> Vec<HookFailure> {
        let mut failures = Vec::new();
        for (position, name, hook) in &self.hooks {
            let reason = match catch_unwind(AssertUnwindSafe(|| f(hook.as_ref()))) {
                Ok(Ok(())) => continue,
                Ok(Err(e)) => e.to_string(),
                Err(payload) => format!("panicked: {}", panic_message(payload.as_ref())),
            };
            let failure = HookFailure {
                position: *position,
                name: name.to_string(),
                reason: self.secrets.redact(&reason),
            };
            tracing::warn!("{failure}");
            failures.push(failure);
        }
        failures
    }
}
