//! Measurements of a run: what hooks, UIs and exporters receive.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// A phase of a benchmark run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Requests whose measurements are discarded (caches, connections).
    Warmup,
    /// The measured phase.
    Profiling,
}

impl Phase {
    /// `"warmup"` or `"profiling"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Phase::Warmup => "warmup",
            Phase::Profiling => "profiling",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A phase about to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhaseStart {
    /// Which phase.
    pub phase: Phase,
    /// How many requests it will send, when the timing strategy knows.
    pub expected_requests: Option<u64>,
}

/// The outcome of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestRecord {
    /// Time from sending to the complete response.
    pub latency: Duration,
    /// Time from sending to the first generated token (streamed responses).
    pub time_to_first_token: Option<Duration>,
    /// Tokens generated (server's count, or counted from the stream).
    pub output_tokens: u64,
    /// Why the request failed; `None` when it succeeded.
    pub error: Option<String>,
    /// How late it was sent: the time from when the timing strategy's
    /// decision allowed it (its offset reached, its in-flight slot free) to
    /// when it went out. Large values mean the client, not the server, set
    /// the pace.
    pub schedule_lag: Duration,
    /// When it was sent, from the start of its phase.
    pub sent_at: Duration,
    /// The run was stopped while it was in flight: it is neither a success
    /// nor a failure (its `error` says so).
    pub cancelled: bool,
    /// The prompt's length in tokens (input sequence length), when the
    /// dataset knows it or the run has a tokenizer.
    pub input_tokens: Option<u64>,
    /// Where [`output_tokens`](Self::output_tokens) comes from.
    pub output_token_source: TokenSource,
    /// Which of the run's server URLs it went to (index into
    /// [`BenchmarkResults::urls`]).
    pub url: usize,
    /// When each content chunk of a streamed answer arrived, from the
    /// moment the request was sent (the first is the time to first token);
    /// empty for an answer that was not streamed.
    pub chunk_offsets: Vec<Duration>,
    /// The token counts the server reported, when it did.
    pub usage: Option<crate::endpoint::Usage>,
    /// What the transport saw of the exchange.
    pub timing: crate::transport::ExchangeTiming,
    /// When it was sent, Unix time in nanoseconds (0 when unknown).
    pub start_unix_ns: u64,
    /// For a failed request: its kind (`HTTPError`, `ConnectionError`,
    /// `InvalidResponse`, `Cancelled`, ...), as results group errors.
    pub error_type: Option<&'static str>,
    /// For a failed request the server answered: the HTTP status.
    pub error_code: Option<u16>,
    /// The index of the dataset entry it was built from (`inputs.json`'s
    /// `session_{entry}`).
    pub entry: usize,
}

/// How a request's output tokens were counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    /// Not counted (a failed request, or an answer that is not text).
    #[default]
    None,
    /// The server's `usage` (completion tokens).
    ServerUsage,
    /// The run's tokenizer, on the answer's text.
    Tokenizer,
    /// One token per streamed content chunk (no usage, no tokenizer).
    StreamChunks,
    /// One token per whitespace-separated word (no usage, no tokenizer).
    Words,
}

impl TokenSource {
    /// As shown in results: `server usage`, `tokenizer`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenSource::None => "none",
            TokenSource::ServerUsage => "server usage",
            TokenSource::Tokenizer => "tokenizer",
            TokenSource::StreamChunks => "stream chunks",
            TokenSource::Words => "words",
        }
    }
}

/// Distribution summary of a set of values (durations in milliseconds,
/// or counts such as tokens).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Smallest value.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl Percentiles {
    /// Summarises `values` (any order); `None` when empty. Percentiles use
    /// numpy's linear interpolation, as
    /// [`crate::metrics::Stats`] does.
    pub fn of_durations(values: impl IntoIterator<Item = Duration>) -> Option<Percentiles> {
        Percentiles::of_values(values.into_iter().map(|d| d.as_secs_f64() * 1e3))
    }

    /// Summarises plain numbers (any order, in their own unit); `None`
    /// when empty.
    pub fn of_values(values: impl IntoIterator<Item = f64>) -> Option<Percentiles> {
        let mut ms: Vec<f64> = values.into_iter().collect();
        if ms.is_empty() {
            return None;
        }
        ms.sort_by(f64::total_cmp);
        // The same percentiles as the metrics (numpy's linear
        // interpolation): one definition across the results.
        let rank = |p: f64| crate::metrics::percentile_of_sorted(&ms, p);
        Some(Percentiles {
            min: ms[0],
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: ms[ms.len() - 1],
            mean: ms.iter().sum::<f64>() / ms.len() as f64,
        })
    }
}

/// The statistics of one completed phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseStats {
    /// Which phase.
    pub phase: Phase,
    /// Requests sent.
    pub sent: u64,
    /// Requests that completed successfully.
    pub completed: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Requests in flight when the run was stopped (not counted as failed).
    pub cancelled: u64,
    /// Wall time of the phase, in seconds.
    pub duration_s: f64,
    /// Successful requests per second.
    pub request_throughput: f64,
    /// Generated tokens per second (successful requests).
    pub output_token_throughput: f64,
    /// Tokens generated in total.
    pub output_tokens: u64,
    /// Request latency of successful requests.
    pub latency_ms: Option<Percentiles>,
    /// Time to first token of successful streamed requests.
    pub time_to_first_token_ms: Option<Percentiles>,
    /// Requests sent per second over the sending window (first to last
    /// send): the rate the timing strategy achieved, unlike
    /// `request_throughput`, which also spans the wait for the last
    /// responses. `None` with fewer than two requests.
    pub send_rate: Option<f64>,
    /// How late requests were sent (see [`RequestRecord::schedule_lag`]),
    /// over every request sent.
    pub schedule_lag_ms: Option<Percentiles>,
    /// Distinct error messages with their counts, most frequent first.
    pub errors: Vec<(String, u64)>,
    /// What the client noticed about its own measurement, in words (e.g.
    /// it fell behind its schedule, so the server was not the bottleneck).
    pub notes: Vec<String>,
    /// Input sequence length in tokens over completed requests, when
    /// counted (a tokenizer or a dataset that knows it).
    pub input_sequence_length: Option<Percentiles>,
    /// How output tokens of completed requests were counted, with counts.
    pub output_token_sources: Vec<(TokenSource, u64)>,
    /// Requests per server URL, in the order of
    /// [`BenchmarkResults::urls`].
    pub per_url: Vec<UrlCounts>,
    /// AIPerf's metrics of the phase ([`crate::metrics::compute`]): per
    /// request metrics with their statistics, then run-level values.
    pub metrics: Vec<crate::metrics::MetricResult>,
}

impl PhaseStats {
    /// The metric with AIPerf's tag `tag`, if the phase has it.
    pub fn metric(&self, tag: &str) -> Option<&crate::metrics::MetricResult> {
        self.metrics.iter().find(|m| m.def.tag == tag)
    }
}

/// Schedule lag p99 above which a phase says the client set the pace.
const LAG_NOTE_MS: f64 = 10.0;

impl PhaseStats {
    /// Computes the statistics of `records` measured over `duration`.
    pub fn from_records(phase: Phase, records: &[RequestRecord], duration: Duration) -> Self {
        let ok: Vec<&RequestRecord> = records
            .iter()
            .filter(|r| r.error.is_none() && !r.cancelled)
            .collect();
        let cancelled = records.iter().filter(|r| r.cancelled).count() as u64;
        let secs = duration.as_secs_f64();
        let per_second = |n: f64| if secs > 0.0 { n / secs } else { 0.0 };
        let output_tokens: u64 = ok.iter().map(|r| r.output_tokens).sum();
        let mut errors: Vec<(String, u64)> = Vec::new();
        for e in records
            .iter()
            .filter(|r| !r.cancelled)
            .filter_map(|r| r.error.as_deref())
        {
            match errors.iter_mut().find(|(m, _)| m == e) {
                Some((_, n)) => *n += 1,
                None => errors.push((e.to_owned(), 1)),
            }
        }
        errors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let schedule_lag_ms = Percentiles::of_durations(records.iter().map(|r| r.schedule_lag));
        let first_sent = records.iter().map(|r| r.sent_at).min();
        let last_sent = records.iter().map(|r| r.sent_at).max();
        let send_rate = match (first_sent, last_sent) {
            (Some(first), Some(last)) if records.len() > 1 && last > first => {
                Some((records.len() - 1) as f64 / (last - first).as_secs_f64())
            }
            _ => None,
        };
        let mut output_token_sources: Vec<(TokenSource, u64)> = Vec::new();
        for source in ok.iter().map(|r| r.output_token_source) {
            match output_token_sources.iter_mut().find(|(s, _)| *s == source) {
                Some((_, n)) => *n += 1,
                None => output_token_sources.push((source, 1)),
            }
        }
        let urls = records.iter().map(|r| r.url + 1).max().unwrap_or(0);
        let mut per_url = vec![UrlCounts::default(); urls];
        for r in records {
            per_url[r.url].sent += 1;
            if r.error.is_none() && !r.cancelled {
                per_url[r.url].completed += 1;
            }
        }
        let mut notes = Vec::new();
        if let Some(lag) = schedule_lag_ms.filter(|lag| lag.p99 > LAG_NOTE_MS) {
            notes.push(format!(
                "the client fell behind its schedule (schedule lag p99 {:.1} ms, max {:.1} ms): \
                 requests went out later than the timing strategy asked, so the client, not \
                 the server, limited the rate; use fewer requests in flight or a faster machine",
                lag.p99, lag.max
            ));
        }
        PhaseStats {
            phase,
            sent: records.len() as u64,
            completed: ok.len() as u64,
            failed: records.len() as u64 - ok.len() as u64 - cancelled,
            cancelled,
            duration_s: secs,
            request_throughput: per_second(ok.len() as f64),
            output_token_throughput: per_second(output_tokens as f64),
            output_tokens,
            latency_ms: Percentiles::of_durations(ok.iter().map(|r| r.latency)),
            time_to_first_token_ms: Percentiles::of_durations(
                ok.iter().filter_map(|r| r.time_to_first_token),
            ),
            send_rate,
            schedule_lag_ms,
            errors,
            notes,
            input_sequence_length: Percentiles::of_values(
                ok.iter().filter_map(|r| r.input_tokens).map(|n| n as f64),
            ),
            output_token_sources,
            per_url,
            metrics: Vec::new(),
        }
    }
}

/// A part of a run and the registration it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPart {
    /// The category (`endpoint`, `transport`, ...).
    pub category: &'static str,
    /// The name the configuration used (`chat`).
    pub name: String,
    /// The implementation selected (`openai_chat`, or a plugin's).
    pub identifier: &'static str,
    /// `builtin` or `plugin`.
    pub origin: &'static str,
    /// The crate that registered it, with its version.
    pub package: String,
}

/// What one server URL received in a phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UrlCounts {
    /// Requests sent to it.
    pub sent: u64,
    /// Of which completed successfully.
    pub completed: u64,
}

/// Everything a run measured: what exporters write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkResults {
    /// Endpoint name used (e.g. `chat`).
    pub endpoint: String,
    /// Model name sent.
    pub model: String,
    /// Transport name used (e.g. `in_engine`).
    pub transport: String,
    /// Whether the run was interrupted before it finished.
    pub interrupted: bool,
    /// The server URLs requests went to (secrets hidden); empty for a
    /// transport that takes none.
    pub urls: Vec<String>,
    /// What each part of the run resolved to in the registry, so a plugin
    /// that replaced a builtin is visible.
    pub parts: Vec<ResolvedPart>,
    /// The effective configuration, secrets hidden (AIPerf's
    /// `input_config`).
    pub input_config: serde_json::Value,
    /// When the run started and ended, Unix time in nanoseconds (0 when
    /// unknown).
    pub start_unix_ns: u64,
    /// See [`start_unix_ns`](Self::start_unix_ns).
    pub end_unix_ns: u64,
    /// One entry per completed phase, in order.
    pub phases: Vec<PhaseStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let p = Percentiles::of_durations((1..=100).map(ms)).unwrap();
        // np.percentile(range(1, 101), [50, 90, 99]) == [50.5, 90.1, 99.01]
        assert_eq!((p.min, p.max), (1.0, 100.0));
        for (got, want) in [(p.p50, 50.5), (p.p90, 90.1), (p.p99, 99.01)] {
            assert!((got - want).abs() < 1e-9, "{got} != {want}");
        }
        assert!((p.mean - 50.5).abs() < 1e-9);
        let one = Percentiles::of_durations([ms(7)]).unwrap();
        assert_eq!((one.p50, one.p99), (7.0, 7.0));
        assert!(Percentiles::of_durations([]).is_none());
    }

    #[test]
    fn stats_count_successes_failures_tokens_and_errors() {
        let ok = |l, t| RequestRecord {
            latency: ms(l),
            time_to_first_token: Some(ms(l / 2)),
            output_tokens: t,
            ..RequestRecord::default()
        };
        let failed = |e: &str| RequestRecord {
            latency: ms(1),
            error: Some(e.into()),
            ..RequestRecord::default()
        };
        let records = [
            ok(10, 5),
            ok(30, 7),
            failed("500"),
            failed("timeout"),
            failed("500"),
        ];
        let s = PhaseStats::from_records(Phase::Profiling, &records, Duration::from_secs(2));
        assert_eq!((s.sent, s.completed, s.failed), (5, 2, 3));
        assert_eq!(s.output_tokens, 12);
        assert_eq!(s.request_throughput, 1.0);
        assert_eq!(s.output_token_throughput, 6.0);
        assert_eq!(s.latency_ms.unwrap().max, 30.0);
        assert_eq!(s.time_to_first_token_ms.unwrap().min, 5.0);
        assert_eq!(
            s.errors,
            [("500".to_string(), 2), ("timeout".to_string(), 1)]
        );
    }

    #[test]
    fn cancelled_requests_are_neither_ok_nor_failed_and_lag_is_reported() {
        let lagging = |lag| RequestRecord {
            latency: ms(5),
            schedule_lag: ms(lag),
            ..RequestRecord::default()
        };
        let cancelled = RequestRecord {
            error: Some("cancelled: the run was stopped".into()),
            cancelled: true,
            ..RequestRecord::default()
        };
        let records = [lagging(0), lagging(1), cancelled];
        let s = PhaseStats::from_records(Phase::Profiling, &records, Duration::from_secs(1));
        assert_eq!((s.sent, s.completed, s.failed, s.cancelled), (3, 2, 0, 1));
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        // A client that fell behind says so.
        let records: Vec<RequestRecord> = (0..100).map(|i| lagging(i % 50)).collect();
        let s = PhaseStats::from_records(Phase::Profiling, &records, Duration::from_secs(1));
        assert_eq!(s.schedule_lag_ms.unwrap().max, 49.0);
        assert!(
            s.notes[0].starts_with("the client fell behind its schedule (schedule lag p99 49.0 ms"),
            "{:?}",
            s.notes
        );
    }
}
