//! One phase: the timing strategy decides, worker threads send, the
//! orchestrator thread collects.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use aiperf_plugin_api::stats::{Phase, RequestRecord};
use aiperf_plugin_api::{
    DatasetSampler, Decision, Endpoint, Feedback, Progress, Prompt, TimingStrategy, Transport, Ui,
};

use super::request::{Labels, execute_catching_panics};

/// How often a waiting orchestrator checks the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// What a phase sends to and through.
pub(crate) struct Target {
    pub(crate) endpoint: Arc<dyn Endpoint>,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) path: &'static str,
    pub(crate) stream: bool,
    pub(crate) prompts: Arc<[Prompt]>,
    /// How the endpoint and transport are named in errors.
    pub(crate) labels: Arc<Labels>,
}

/// The measurements of one phase.
pub(crate) struct PhaseRun {
    pub(crate) records: Vec<RequestRecord>,
    pub(crate) duration: Duration,
    pub(crate) interrupted: bool,
}

struct Collector<'a> {
    records: Vec<RequestRecord>,
    strategy: &'a mut dyn TimingStrategy,
    ui: &'a dyn Ui,
    phase: Phase,
    total: Option<u64>,
}

impl Collector<'_> {
    fn finished(&mut self, record: RequestRecord) {
        self.strategy.on_finished(Feedback {
            latency: record.latency,
            ok: record.error.is_none(),
        });
        self.records.push(record);
        self.ui
            .on_progress(self.phase, self.records.len() as u64, self.total);
    }
}

/// Runs a phase to completion, or until `stop` is set (then requests in
/// flight are abandoned and the phase reports what finished).
pub(crate) fn run_phase(
    phase: Phase,
    target: &Target,
    strategy: &mut dyn TimingStrategy,
    sampler: &mut dyn DatasetSampler,
    ui: &dyn Ui,
    stop: &AtomicBool,
) -> PhaseRun {
    let (tx, rx) = mpsc::channel::<RequestRecord>();
    let total = strategy.total_requests();
    let mut c = Collector {
        records: Vec::new(),
        strategy,
        ui,
        phase,
        total,
    };
    let start = Instant::now();
    let mut issued = 0u64;
    let mut interrupted = false;

    // The decision for the next request: asked once per request (the
    // strategy's contract), held until the request is issued.
    let mut pending: Option<(Duration, Option<u64>)> = None;
    loop {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        while let Ok(record) = rx.try_recv() {
            c.finished(record);
        }
        let in_flight = issued - c.records.len() as u64;
        let (at, max_in_flight) = match pending {
            Some(decision) => decision,
            None => {
                let progress = Progress {
                    issued,
                    finished: c.records.len() as u64,
                    elapsed: start.elapsed(),
                };
                match c.strategy.next(progress) {
                    Decision::Done => break,
                    Decision::Issue { at, max_in_flight } => *pending.insert((at, max_in_flight)),
                }
            }
        };
        if let Some(limit) = max_in_flight {
            if limit == 0 {
                tracing::error!(
                    "{phase}: the timing strategy allows no request in flight (max_in_flight 0); \
                     ending the phase"
                );
                break;
            }
            if in_flight >= limit {
                // Wait for a completion, waking for the stop flag.
                if let Ok(record) = rx.recv_timeout(POLL) {
                    c.finished(record);
                }
                continue;
            }
        }
        let now = start.elapsed();
        if at > now {
            // Sleep until the offset, but wake for completions
            // (adaptive strategies learn from them) and the stop flag.
            if let Ok(record) = rx.recv_timeout((at - now).min(POLL)) {
                c.finished(record);
            }
            continue;
        }
        pending = None;
        let index = sampler.next_index();
        let prompt = target.prompts[index % target.prompts.len()].clone();
        let (endpoint, transport) = (target.endpoint.clone(), target.transport.clone());
        let (path, stream, tx) = (target.path, target.stream, tx.clone());
        let labels = target.labels.clone();
        let spawned = std::thread::Builder::new()
            .name("aiperf-request".into())
            .spawn(move || {
                let record = execute_catching_panics(
                    &labels,
                    &*endpoint,
                    &*transport,
                    path,
                    &prompt,
                    stream,
                );
                // The orchestrator may have stopped listening (Ctrl-C).
                let _ = tx.send(record);
            });
        if let Err(e) = spawned {
            c.finished(RequestRecord {
                latency: Duration::ZERO,
                time_to_first_token: None,
                output_tokens: 0,
                error: Some(format!("cannot start a request thread: {e}")),
            });
        }
        issued += 1;
    }

    // Only the request threads hold senders now: if every one of them is
    // gone, the channel disconnects instead of leaving this loop waiting.
    drop(tx);
    while !interrupted && (c.records.len() as u64) < issued {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        match rx.recv_timeout(POLL) {
            Ok(record) => c.finished(record),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // A thread died without sending (a panic that escaped the
                // request's own catch, e.g. in a panic hook): count it.
                while (c.records.len() as u64) < issued {
                    c.finished(RequestRecord {
                        latency: Duration::ZERO,
                        time_to_first_token: None,
                        output_tokens: 0,
                        error: Some("a request thread ended without a result".to_owned()),
                    });
                }
            }
        }
    }
    PhaseRun {
        records: c.records,
        duration: start.elapsed(),
        interrupted,
    }
}
