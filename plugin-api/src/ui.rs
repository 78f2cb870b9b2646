//! `ui`: what the user sees while a run is going.

use registry_core::{Factory, declare_category};

use crate::stats::{Phase, PhaseStart, PhaseStats};

/// Shows a run's progress. Called from the orchestrator's thread.
///
/// # When it is called
///
/// Per phase, in order: [`on_phase_start`](Ui::on_phase_start) once, before
/// the first request; [`on_progress`](Ui::on_progress) after each finished
/// request (throttle drawing yourself: it can be thousands of times a
/// second); [`on_phase_complete`](Ui::on_phase_complete) once, also when the
/// phase was interrupted. Never concurrently. A slow UI slows the
/// orchestrator, and so the schedule: draw, do not wait.
pub trait Ui: Send + Sync {
    /// A phase starts.
    fn on_phase_start(&self, start: &PhaseStart);
    /// `finished` requests of the phase are done (of `total`, when known).
    fn on_progress(&self, phase: Phase, finished: u64, total: Option<u64>);
    /// A phase completed.
    fn on_phase_complete(&self, stats: &PhaseStats);
}

/// Constructor arguments of every UI.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UiArgs {
    /// The UI's own settings; `null` means defaults.
    pub config: serde_json::Value,
}

declare_category! {
    /// The `ui` category: progress display.
    pub struct UiCategory {
        name: "ui",
        title: "User interfaces",
        description: "What the user sees while a benchmark runs.",
        object: dyn Ui,
        args: UiArgs,
        metadata: (),
        internal: false,
    }
}

/// `UiFactory::create_instance("simple", args)`.
pub type UiFactory = Factory<UiCategory>;
