//! One phase: the timing strategy decides, requests run as tasks on the
//! engine's runtime, the orchestrator collects.
//!
//! The orchestrator is a plain thread, not a task: it sleeps with the OS's
//! timed wait (tens of microseconds late) where a tokio timer rounds every
//! wait up to the next millisecond, which would make every request of a
//! `request_rate` phase up to a millisecond late.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aiperf_plugin_api::stats::{Phase, RequestRecord};
use aiperf_plugin_api::{
    Dataset, DatasetEntry, DatasetSampler, Decision, Endpoint, Feedback, Progress, TimingStrategy,
    Tokenizer, Transport, Ui, UrlSelectionStrategy,
};
use std::sync::mpsc::{self, RecvTimeoutError};

use tokio::runtime::Handle;
use tokio::task::AbortHandle;

use super::request::{Job, Labels, execute_catching_panics};

/// How often a waiting orchestrator checks the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// What a phase sends to and through.
pub(crate) struct Target {
    pub(crate) endpoint: Arc<dyn Endpoint>,
    /// One per server URL (one in all when the transport takes no URL).
    pub(crate) transports: Vec<Arc<dyn Transport>>,
    pub(crate) path: &'static str,
    pub(crate) stream: bool,
    pub(crate) dataset: Arc<dyn Dataset>,
    /// Counts input tokens (and output tokens without server usage).
    pub(crate) tokenizer: Option<Arc<dyn Tokenizer>>,
    /// `dataset.max_tokens`, for entries that do not set their own.
    pub(crate) default_max_tokens: Option<u32>,
    /// `dataset.passages`, for entries that carry none.
    pub(crate) default_passages: Arc<[String]>,
    /// The most requests in flight the client allows (see
    /// `BuildOptions::max_in_flight`).
    pub(crate) client_limit: Option<u64>,
    /// How the endpoint and transport are named in errors.
    pub(crate) labels: Arc<Labels>,
}

impl Target {
    /// Dataset entry `index` as it is sent: the dataset's `max_tokens` and
    /// passages where the entry has none of its own.
    pub(crate) fn entry(&self, index: usize) -> Result<DatasetEntry, registry_core::BoxError> {
        let mut entry = self.dataset.entry(index)?;
        let prompt = &mut entry.prompt;
        prompt.max_tokens = prompt.max_tokens.or(self.default_max_tokens);
        if prompt.passages.is_empty() {
            prompt.passages = self.default_passages.to_vec();
        }
        Ok(entry)
    }
}

/// The measurements of one phase.
pub(crate) struct PhaseRun {
    pub(crate) records: Vec<RequestRecord>,
    pub(crate) duration: Duration,
    pub(crate) interrupted: bool,
    /// Requests waited because the client's own in-flight limit was reached.
    pub(crate) client_capped: bool,
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

/// When a phase stops issuing requests by the clock (AIPerf's
/// `--benchmark-duration`), and how long it then waits for the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Deadline {
    /// No request is issued after this offset from the phase start.
    pub(crate) issue_until: Duration,
    /// How long requests in flight may still finish after `issue_until`;
    /// `None`: as long as they take.
    pub(crate) grace: Option<Duration>,
}

/// A decision of the timing strategy, held until its request is issued.
struct Pending {
    /// When the request may go out, by the clock.
    at: Instant,
    max_in_flight: Option<u64>,
    /// Since when its in-flight limit has been met (for schedule lag).
    slot_free_since: Option<Instant>,
}

/// Runs a phase to completion, or until `stop` is set: then requests in
/// flight are cancelled and counted as such, and the phase reports what
/// finished.
#[allow(clippy::too_many_arguments)] // each is one part of the run; a struct would only rename them
pub(crate) fn run_phase(
    runtime: &Handle,
    phase: Phase,
    target: &Target,
    strategy: &mut dyn TimingStrategy,
    sampler: &mut dyn DatasetSampler,
    mut urls: Option<&mut (dyn UrlSelectionStrategy + '_)>,
    deadline: Option<Deadline>,
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
    let mut tasks: Vec<AbortHandle> = Vec::new();
    let start = Instant::now();
    // The phase start by the wall clock, for the records' Unix timestamps;
    // offsets come from the monotonic clock.
    let start_unix = std::time::SystemTime::now();
    let mut issued = 0u64;
    let mut interrupted = false;
    let mut client_capped = false;
    let mut warned_limit = false;
    let mut pending: Option<Pending> = None;

    loop {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        if deadline.is_some_and(|d| start.elapsed() >= d.issue_until) {
            break;
        }
        while let Ok(record) = rx.try_recv() {
            c.finished(record);
        }
        // Keep only the handles of what is (roughly) in flight.
        if tasks.len() > 64 && tasks.len() as u64 > 2 * (issued - c.records.len() as u64) {
            tasks.retain(|task| !task.is_finished());
        }
        let in_flight = issued - c.records.len() as u64;
        let decision = match pending.as_mut() {
            Some(decision) => decision,
            None => {
                let progress = Progress {
                    issued,
                    finished: c.records.len() as u64,
                    elapsed: start.elapsed(),
                };
                // Asked once per request: the answer is held until it is
                // issued (the strategy's contract).
                match c.strategy.next(progress) {
                    Decision::Done => break,
                    Decision::Issue { at, max_in_flight } => {
                        // Said before the first request that cannot fit is
                        // sent, not only in the summary.
                        if let (Some(asked), Some(limit)) = (max_in_flight, target.client_limit) {
                            if asked > limit && !warned_limit {
                                warned_limit = true;
                                tracing::warn!(
                                    "{phase}: the timing strategy allows {asked} requests in \
                                     flight, but this process can keep only {limit} open \
                                     (open-files limit); the rest will wait for a free socket \
                                     (raise `ulimit -n` to lift this)"
                                );
                            }
                        }
                        pending.insert(Pending {
                            at: start + at,
                            max_in_flight,
                            slot_free_since: None,
                        })
                    }
                }
            }
        };
        if target.client_limit.is_some_and(|limit| in_flight >= limit) {
            client_capped = true;
            decision.slot_free_since = None;
            if let Ok(record) = rx.recv_timeout(POLL) {
                c.finished(record);
            }
            continue;
        }
        if let Some(limit) = decision.max_in_flight {
            if limit == 0 {
                tracing::error!(
                    "{phase}: the timing strategy allows no request in flight (max_in_flight \
                     0); ending the phase"
                );
                break;
            }
            if in_flight >= limit {
                decision.slot_free_since = None;
                // Wait for a completion, waking for the stop flag.
                if let Ok(record) = rx.recv_timeout(POLL) {
                    c.finished(record);
                }
                continue;
            }
        }
        let now = Instant::now();
        let slot_free_since = *decision.slot_free_since.get_or_insert(now);
        if decision.at > now {
            // Sleep until the offset, but wake for completions (adaptive
            // strategies learn from them), the stop flag and the deadline.
            let mut wake = decision.at.min(now + POLL);
            if let Some(d) = deadline {
                wake = wake.min((start + d.issue_until).max(now));
            }
            if let Ok(record) = rx.recv_timeout(wake - now) {
                c.finished(record);
            }
            continue;
        }
        // Late by how much: since the later of its time and its free slot.
        let schedule_lag = now.saturating_duration_since(decision.at.max(slot_free_since));
        pending = None;
        let index = sampler.next_index() % target.dataset.len();
        let url = urls
            .as_deref_mut()
            .map_or(0, |u| u.next_index() % target.transports.len());
        let job = Job {
            labels: Arc::clone(&target.labels),
            endpoint: Arc::clone(&target.endpoint),
            transport: Arc::clone(&target.transports[url]),
            url,
            path: target.path,
            entry: target.entry(index),
            index,
            tokenizer: target.tokenizer.clone(),
            stream: target.stream,
            schedule_lag,
            sent_at: now.duration_since(start),
            start_unix_ns: unix_ns(start_unix, now.duration_since(start)),
        };
        let tx = tx.clone();
        let task = runtime.spawn(async move {
            let record = execute_catching_panics(job).await;
            // The orchestrator may have stopped listening (Ctrl-C).
            let _ = tx.send(record);
        });
        tasks.push(task.abort_handle());
        issued += 1;
    }

    // Only the request tasks hold senders now: once every one of them is
    // done, the channel closes instead of leaving this loop waiting.
    drop(tx);
    let give_up = deadline.and_then(|d| Some(start + d.issue_until + d.grace?));
    let mut out_of_grace = false;
    while !interrupted && (c.records.len() as u64) < issued {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        if give_up.is_some_and(|at| Instant::now() >= at) {
            out_of_grace = true;
            break;
        }
        match rx.recv_timeout(POLL) {
            Ok(record) => c.finished(record),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                // Every task is gone, some without a result (a panic that
                // escaped the request's own containment): count them.
                while (c.records.len() as u64) < issued {
                    c.finished(RequestRecord {
                        error: Some("a request task ended without a result".to_owned()),
                        error_type: Some("Panic"),
                        ..RequestRecord::default()
                    });
                }
            }
        }
    }
    if interrupted || out_of_grace {
        // Stop what is in flight and count it: sent, then cancelled.
        for task in &tasks {
            task.abort();
        }
        // An aborted task is dropped at its next await; give each a moment
        // to be gone so that a record sent just before is not missed.
        let deadline = Instant::now() + Duration::from_millis(200);
        while tasks.iter().any(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        while let Ok(record) = rx.try_recv() {
            c.finished(record);
        }
        let elapsed = start.elapsed();
        while (c.records.len() as u64) < issued {
            c.records.push(RequestRecord {
                latency: elapsed,
                error: Some(if interrupted {
                    "cancelled: the run was stopped while it was in flight".to_owned()
                } else {
                    "cancelled: still in flight when the grace period after the benchmark \
                     duration ended"
                        .to_owned()
                }),
                cancelled: true,
                error_type: Some("Cancelled"),
                ..RequestRecord::default()
            });
        }
    }
    PhaseRun {
        records: c.records,
        duration: start.elapsed(),
        interrupted,
        client_capped,
    }
}

/// `offset` after `start` as Unix time in nanoseconds (0 before 1970).
pub(crate) fn unix_ns(start: std::time::SystemTime, offset: Duration) -> u64 {
    (start + offset)
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
