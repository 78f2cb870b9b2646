//! `phase_hook`: callbacks at phase boundaries.

use registry_core::{BoxError, Factory, declare_category};

use crate::stats::{PhaseStart, PhaseStats};

/// Called when a phase starts and completes. A hook that returns an error is
/// reported; the run and the other hooks go on.
///
/// # When it is called
///
/// Per phase (warmup, then profiling): [`on_phase_start`](PhaseHook::on_phase_start)
/// once before the first request, [`on_phase_complete`](PhaseHook::on_phase_complete)
/// once after the last one finished (also when the phase was interrupted),
/// in the order the configuration lists the hooks, each on a thread of its
/// own. A panic is contained and reported like an error. The run waits for
/// a hook up to 5 minutes, and only 3 seconds once it was stopped (Ctrl-C,
/// SIGTERM, SIGHUP): a hook still running then is reported and left
/// behind, so keep network calls bounded by a timeout of your own.
pub trait PhaseHook: Send + Sync {
    /// A phase is about to send its first request.
    fn on_phase_start(&self, start: &PhaseStart) -> Result<(), BoxError>;
    /// A phase finished; `stats` are its measurements.
    fn on_phase_complete(&self, stats: &PhaseStats) -> Result<(), BoxError>;
}

/// Constructor arguments of every phase hook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseHookArgs {
    /// The hook's own settings (the config file's `plugins.phase_hooks[].config`),
    /// deserialised by the hook into its typed config; `null` means defaults.
    pub config: serde_json::Value,
}

declare_category! {
    /// The `phase_hook` category: callbacks at phase boundaries.
    pub struct PhaseHookCategory {
        name: "phase_hook",
        title: "Phase hooks",
        description: "Callbacks at the start and end of each benchmark phase (logging, metrics push).",
        object: dyn PhaseHook,
        args: PhaseHookArgs,
        metadata: (),
        internal: false,
    }
}

/// `PhaseHookFactory::create_instance("logging", args)`.
pub type PhaseHookFactory = Factory<PhaseHookCategory>;
