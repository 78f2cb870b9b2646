//! Builtin UIs.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use crate::phase_hooks::summary_line;
use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::stats::{Phase, PhaseStart, PhaseStats};
use aiperf_plugin_api::{Ui, UiArgs, UiCategory};

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
    /// Width of the bar in characters (10..=200). Default 30.
    #[serde(default = "SimpleConfig::default_width")]
    pub bar_width: u16,
}

impl SimpleConfig {
    fn default_width() -> u16 {
        30
    }
}

impl Default for SimpleConfig {
    fn default() -> Self {
        SimpleConfig {
            bar_width: Self::default_width(),
        }
    }
}

/// Redraws happen at most this often (a fast run finishes thousands of
/// requests a second; the terminal does not need each one).
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// A progress bar on stderr, redrawn in place, when stdout is a terminal;
/// completely quiet otherwise (scripts, CI, pipes).
pub struct Simple {
    out: Mutex<Output>,
    terminal: bool,
    width: usize,
}

struct Output {
    writer: Box<dyn Write + Send>,
    last_draw: Option<Instant>,
}

impl std::fmt::Debug for Simple {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simple")
            .field("terminal", &self.terminal)
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

impl Simple {
    /// A UI writing to `writer`; it draws only when `terminal` is true.
    pub fn with_writer(
        config: SimpleConfig,
        writer: Box<dyn Write + Send>,
        terminal: bool,
    ) -> Result<Self, BoxError> {
        if !(10..=200).contains(&config.bar_width) {
            return Err(format!(
                "invalid config: `bar_width` is {}; it must be 10..=200",
                config.bar_width
            )
            .into());
        }
        Ok(Simple {
            out: Mutex::new(Output {
                writer,
                last_draw: None,
            }),
            terminal,
            width: config.bar_width.into(),
        })
    }

    fn draw(&self, f: impl FnOnce(&mut Output) -> io::Result<()>) {
        if !self.terminal {
            return;
        }
        // A poisoned lock only means an earlier write panicked; the writer
        // itself is still usable. Display errors (closed stderr) are not
        // worth failing a benchmark for.
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = f(&mut out).and_then(|()| out.writer.flush());
    }

    /// `[#######.......]  42/200  21%` (or a count when the total is unknown).
    fn bar(&self, finished: u64, total: Option<u64>) -> String {
        match total.filter(|&t| t > 0) {
            Some(total) => {
                let done = finished.min(total);
                let filled = (done as usize * self.width) / total as usize;
                format!(
                    "[{}{}] {done}/{total} {:>3}%",
                    "#".repeat(filled),
                    ".".repeat(self.width - filled),
                    done * 100 / total
                )
            }
            None => format!("{finished} done"),
        }
    }
}

impl Ui for Simple {
    fn on_phase_start(&self, start: &PhaseStart) {
        let line = format!(
            "\r\x1b[K{} {}",
            start.phase,
            self.bar(0, start.expected_requests)
        );
        self.draw(|out| {
            out.last_draw = Some(Instant::now());
            out.writer.write_all(line.as_bytes())
        });
    }

    fn on_progress(&self, phase: Phase, finished: u64, total: Option<u64>) {
        let last = total == Some(finished);
        self.draw(|out| {
            if !last && out.last_draw.is_some_and(|t| t.elapsed() < REDRAW_EVERY) {
                return Ok(());
            }
            out.last_draw = Some(Instant::now());
            write!(out.writer, "\r\x1b[K{phase} {}", self.bar(finished, total))
        });
    }

    fn on_phase_complete(&self, stats: &PhaseStats) {
        self.draw(|out| writeln!(out.writer, "\r\x1b[K{}", summary_line(stats)));
    }
}

impl Implementation<UiCategory> for Simple {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "A progress bar on stderr when stdout is a terminal; quiet otherwise.";

    fn create(args: UiArgs) -> Result<Self, BoxError> {
        let terminal = io::stdout().is_terminal() && io::stderr().is_terminal();
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
    fn quiet_when_not_a_terminal() {
        let sink = Shared::default();
        let ui =
            Simple::with_writer(SimpleConfig::default(), Box::new(sink.clone()), false).unwrap();
        run(&ui);
        assert_eq!(sink.text(), "");
    }

    #[test]
    fn terminal_redraws_a_bar_in_place_throttled() {
        let sink = Shared::default();
        let config = SimpleConfig { bar_width: 10 };
        let ui = Simple::with_writer(config, Box::new(sink.clone()), true).unwrap();
        run(&ui);
        let text = sink.text();
        assert!(
            text.starts_with("\r\x1b[Kprofiling [..........] 0/4   0%"),
            "{text:?}"
        );
        // 1/4..3/4 come within 100 ms of the start: skipped; 4/4 always drawn.
        assert!(!text.contains("1/4"), "{text:?}");
        assert!(
            text.contains("\r\x1b[Kprofiling [##########] 4/4 100%"),
            "{text:?}"
        );
        assert!(text.ends_with("\r\x1b[Kprofiling phase complete: 0 sent, 0 ok, 0 failed in 1.00 s (0.0 req/s, 0.0 tok/s)\n"), "{text:?}");
    }

    #[test]
    fn rejects_out_of_range_width() {
        let e = Simple::create(UiArgs {
            config: serde_json::json!({"bar_width": 3}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("`bar_width` is 3"), "{e}");
        let e = NoUi::create(UiArgs {
            config: serde_json::json!({"colour": true}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
    }
}
