//! [`PhaseHookRegistry`]: the hooks a configuration names, created through
//! the registry and called in configuration order.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

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
    hooks: Vec<(usize, PhaseHookType, Arc<dyn PhaseHook>)>,
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
                Ok(hook) => hooks.push((i + 1, config.name.clone(), Arc::from(hook))),
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

    /// Calls every hook's `on_phase_start`, in order. A hook that fails,
    /// panics, or does not return within [`HOOK_DEADLINE`] is reported; the
    /// others still run.
    pub fn on_phase_start(&self, start: &PhaseStart) -> Vec<HookFailure> {
        self.on_phase_start_until(start, &AtomicBool::new(false))
    }

    /// Calls every hook's `on_phase_complete`, in order (see
    /// [`on_phase_start`](Self::on_phase_start)).
    pub fn on_phase_complete(&self, stats: &PhaseStats) -> Vec<HookFailure> {
        self.on_phase_complete_until(stats, &AtomicBool::new(false))
    }

    /// [`on_phase_start`](Self::on_phase_start), cut short by `stop`: once
    /// it is set, a hook still running gets [`HOOK_GRACE`] more, then the
    /// run moves on without it.
    pub fn on_phase_start_until(&self, start: &PhaseStart, stop: &AtomicBool) -> Vec<HookFailure> {
        let start = *start;
        self.call(stop, move |hook| hook.on_phase_start(&start))
    }

    /// [`on_phase_complete`](Self::on_phase_complete), cut short by `stop`
    /// (see [`on_phase_start_until`](Self::on_phase_start_until)).
    pub fn on_phase_complete_until(
        &self,
        stats: &PhaseStats,
        stop: &AtomicBool,
    ) -> Vec<HookFailure> {
        let stats = stats.clone();
        self.call(stop, move |hook| hook.on_phase_complete(&stats))
    }

    /// Runs `f` on each hook in turn, each on a thread of its own so that a
    /// hook blocked on a slow server cannot hold the run: the wait is
    /// bounded by [`HOOK_DEADLINE`], and by [`HOOK_GRACE`] once `stop` is set.
    fn call<F>(&self, stop: &AtomicBool, f: F) -> Vec<HookFailure>
    where
        F: Fn(&dyn PhaseHook) -> Result<(), BoxError> + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        let mut failures = Vec::new();
        for (position, name, hook) in &self.hooks {
            let (tx, rx) = mpsc::channel();
            let (hook, call) = (Arc::clone(hook), Arc::clone(&f));
            let spawned = std::thread::Builder::new()
                .name(format!("aiperf-hook-{name}"))
                .spawn(move || {
                    let outcome = catch_unwind(AssertUnwindSafe(|| call(hook.as_ref())));
                    let _ = tx.send(match outcome {
                        Ok(Ok(())) => None,
                        Ok(Err(e)) => Some(e.to_string()),
                        Err(payload) => {
                            Some(format!("panicked: {}", panic_message(payload.as_ref())))
                        }
                    });
                });
            let reason = match spawned {
                Err(e) => Some(format!("cannot start a thread for it: {e}")),
                Ok(_detached) => wait_for(&rx, stop),
            };
            if let Some(reason) = reason {
                let failure = HookFailure {
                    position: *position,
                    name: name.to_string(),
                    reason: self.secrets.redact(&reason),
                };
                tracing::warn!("{failure}");
                failures.push(failure);
            }
        }
        failures
    }
}

/// The longest a phase hook may take before the run goes on without it.
pub const HOOK_DEADLINE: Duration = Duration::from_secs(300);
/// How long a hook still running when the run is stopped is waited for.
pub const HOOK_GRACE: Duration = Duration::from_secs(3);

/// Waits for a hook's outcome (`None`: it succeeded), within the deadline.
fn wait_for(rx: &mpsc::Receiver<Option<String>>, stop: &AtomicBool) -> Option<String> {
    let started = Instant::now();
    let mut deadline = started + HOOK_DEADLINE;
    let mut stopped = false;
    loop {
        if !stopped && stop.load(Ordering::Relaxed) {
            stopped = true;
            deadline = deadline.min(Instant::now() + HOOK_GRACE);
        }
        let now = Instant::now();
        if now >= deadline {
            let why = if stopped {
                "the run was stopped"
            } else {
                "its deadline passed"
            };
            return Some(format!(
                "did not return within {:.1} s ({why}); the run went on without it",
                now.duration_since(started).as_secs_f64()
            ));
        }
        match rx.recv_timeout((deadline - now).min(Duration::from_millis(50))) {
            Ok(outcome) => return outcome,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Some("ended without an outcome".to_owned());
            }
        }
    }
}
