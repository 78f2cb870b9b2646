//! Builtin UIs.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use crate::categories::{Ui, UiArgs, UiCategory};
use crate::config::parse_config;
use crate::phase_hooks::summary_line;
use crate::stats::{Phase, PhaseStart, PhaseStats};

/// Shows nothing (for scripts and CI).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUi;

impl Ui for NoUi {
    fn on_phase_start(&self, _: &PhaseStart) {}
    fn on_progress(&self, _: Phase, _: u64, _: Option<u64>) {}
    fn on_phase_complete(&self, _: &PhaseStats) {}
}

impl Implementation<UiCategory> for NoUi {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Shows nothing.";

    fn create(args: UiArgs) -> Result<Self, BoxError> {
        // No settings, but a typo'd one is still reported.
        parse_config::<NoConfig>(&args.config)?;
        Ok(NoUi)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoConfig {}

/// Config of [`Simple`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimpleConfig {
    /// On a non-terminal output, print a progress line every this many
    /// percent (1..=100). On a terminal the line is redrawn in place.
    #[serde(default = "SimpleConfig::default_step")]
    pub step_percent: u8,
}

impl SimpleConfig {
    fn default_step() -> u8 {
        10
    }
}

impl Default for SimpleConfig {
    fn default() -> Self {
        SimpleConfig {
            step_percent: Self::default_step(),
        }
    }
}

/// Progress lines on stderr: redrawn in place on a terminal, one line per
/// `step_percent` otherwise (so logs stay readable).
pub struct Simple {
    out: Mutex<Output>,
    step_percent: u64,
}

struct Output {
    writer: Box<dyn Write + Send>,
    terminal: bool,
    last_step: Option<u64>,
}

impl std::fmt::Debug for Simple {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simple")
            .field("step_percent", &self.step_percent)
            .finish_non_exhaustive()
    }
}

impl Simple {
    /// A UI writing to `writer`; `terminal` selects in-place redrawing.
    pub fn with_writer(
        config: SimpleConfig,
        writer: Box<dyn Write + Send>,
        terminal: bool,
    ) -> Result<Self, BoxError> {
        if !(1..=100).contains(&config.step_percent) {
            return Err(format!(
                "invalid config: `step_percent` is {}; it must be 1..=100",
                config.step_percent
            )
            .into());
        }
        Ok(Simple {
            out: Mutex::new(Output {
                writer,
                terminal,
                last_step: None,
            }),
            step_percent: config.step_percent.into(),
        })
    }

    fn write(&self, f: impl FnOnce(&mut Output) -> io::Result<()>) {
        // A poisoned lock only means an earlier write panicked; the writer
        // itself is still usable. Display errors (closed stderr) are not
        // worth failing a benchmark for.
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = f(&mut out).and_then(|()| out.writer.flush());
    }
}

impl Ui for Simple {
    fn on_phase_start(&self, start: &PhaseStart) {
        self.write(|out| {
            out.last_step = None;
            match start.expected_requests {
                Some(n) => writeln!(out.writer, "{}: {n} requests", start.phase),
                None => writeln!(out.writer, "{}: started", start.phase),
            }
        });
    }

    fn on_progress(&self, phase: Phase, finished: u64, total: Option<u64>) {
        self.write(|out| {
            let percent = total.filter(|&t| t > 0).map(|t| finished * 100 / t);
            if out.terminal {
                return match (percent, total) {
                    (Some(p), Some(t)) => write!(out.writer, "\r{phase}: {finished}/{t} ({p}%)"),
                    _ => write!(out.writer, "\r{phase}: {finished} done"),
                };
            }
            let Some(p) = percent else { return Ok(()) };
            let step = p / self.step_percent;
            if out.last_step.is_some_and(|last| last >= step) {
                return Ok(());
            }
            out.last_step = Some(step);
            writeln!(
                out.writer,
                "{phase}: {finished}/{} ({p}%)",
                total.unwrap_or(0)
            )
        });
    }

    fn on_phase_complete(&self, stats: &PhaseStats) {
        self.write(|out| {
            if out.terminal {
                write!(out.writer, "\r\x1b[K")?;
            }
            writeln!(out.writer, "{}", summary_line(stats))
        });
    }
}

impl Implementation<UiCategory> for Simple {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Progress on stderr: redrawn in place on a terminal, every `step_percent` % otherwise.";

    fn create(args: UiArgs) -> Result<Self, BoxError> {
        let terminal = io::stderr().is_terminal();
        Simple::with_writer(
            parse_config(&args.config)?,
            Box::new(io::stderr()),
            terminal,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn run(ui: &Simple) {
        ui.on_phase_start(&PhaseStart {
            phase: Phase::Profiling,
            expected_requests: Some(4),
        });
        for finished in 1..=4 {
            ui.on_progress(Phase::Profiling, finished, Some(4));
        }
        ui.on_phase_complete(&PhaseStats::from_records(
            Phase::Profiling,
            &[],
            Duration::from_secs(1),
        ));
    }

    #[test]
    fn non_terminal_prints_one_line_per_step() {
        let sink = Shared::default();
        let config = SimpleConfig { step_percent: 50 };
        let ui = Simple::with_writer(config, Box::new(sink.clone()), false).unwrap();
        run(&ui);
        let text = sink.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "profiling: 4 requests",
                "profiling: 1/4 (25%)",
                "profiling: 2/4 (50%)",
                "profiling: 4/4 (100%)",
                "profiling phase complete: 0 sent, 0 ok, 0 failed in 1.00 s (0.0 req/s, 0.0 tok/s)",
            ]
        );
    }

    #[test]
    fn terminal_redraws_in_place() {
        let sink = Shared::default();
        let ui =
            Simple::with_writer(SimpleConfig::default(), Box::new(sink.clone()), true).unwrap();
        run(&ui);
        let text = sink.text();
        assert!(
            text.contains("\rprofiling: 3/4 (75%)\rprofiling: 4/4 (100%)\r\x1b[K"),
            "{text:?}"
        );
    }

    #[test]
    fn rejects_out_of_range_step() {
        let e = Simple::create(UiArgs {
            config: serde_json::json!({"step_percent": 0}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("`step_percent` is 0"), "{e}");
        let e = NoUi::create(UiArgs {
            config: serde_json::json!({"colour": true}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
    }
}
