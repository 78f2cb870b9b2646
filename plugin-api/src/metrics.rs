//! AIPerf's metrics, computed the way AIPerf 0.13 computes them, so that the
//! same requests give the same numbers and the same export files.
//!
//! - [`METRICS`]: every metric this build computes, with AIPerf's tag,
//!   header and unit, in the order results show them.
//! - [`request_values`]: one request's values (what `profile_export.jsonl`
//!   holds per line).
//! - [`Stats::of`]: the statistics of a set of values: numpy's default
//!   percentiles (linear interpolation between closest ranks) and the
//!   population standard deviation, as AIPerf computes them.
//! - [`compute`]: every metric of a phase, per-request distributions and
//!   run-level aggregates (throughputs, counts, goodput).

use std::time::Duration;

use serde::Serialize;

use crate::stats::RequestRecord;

/// The statistics AIPerf reports for a per-request metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Arithmetic mean.
    pub avg: f64,
    /// 1st percentile.
    pub p1: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Population standard deviation (numpy's `std`, `ddof=0`).
    pub std: f64,
    /// Number of values.
    pub count: u64,
    /// Sum of the values.
    pub sum: f64,
}

/// The percentiles [`Stats`] reports, in its field order.
pub const PERCENTILES: [f64; 9] = [1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0];

impl Stats {
    /// The statistics of `values` (any order; NaNs are dropped, as AIPerf
    /// drops them); `None` when none is left. Sorts `values` in place.
    pub fn of(values: &mut Vec<f64>) -> Option<Stats> {
        values.retain(|v| !v.is_nan());
        if values.is_empty() {
            return None;
        }
        // Unstable: equal values are interchangeable, and it is the most
        // of `compute`'s time (millions of inter-chunk gaps).
        values.sort_unstable_by(f64::total_cmp);
        let n = values.len();
        let sum: f64 = values.iter().sum();
        let avg = sum / n as f64;
        // numpy's std: the square root of the mean squared deviation.
        let variance = values.iter().map(|v| (v - avg) * (v - avg)).sum::<f64>() / n as f64;
        let [p1, p5, p10, p25, p50, p75, p90, p95, p99] =
            PERCENTILES.map(|p| percentile_of_sorted(values, p));
        Some(Stats {
            avg,
            p1,
            p5,
            p10,
            p25,
            p50,
            p75,
            p90,
            p95,
            p99,
            min: values[0],
            max: values[n - 1],
            std: variance.max(0.0).sqrt(),
            count: n as u64,
            sum,
        })
    }

    /// The statistic called `name` (`avg`, `p99`, `std`, ...), as AIPerf's
    /// files name them.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "avg" => self.avg,
            "p1" => self.p1,
            "p5" => self.p5,
            "p10" => self.p10,
            "p25" => self.p25,
            "p50" => self.p50,
            "p75" => self.p75,
            "p90" => self.p90,
            "p95" => self.p95,
            "p99" => self.p99,
            "min" => self.min,
            "max" => self.max,
            "std" => self.std,
            "count" => self.count as f64,
            "sum" => self.sum,
            _ => return None,
        })
    }
}

/// numpy's default percentile of sorted, non-empty `values`: the value at
/// rank `p/100 · (n−1)`, interpolated linearly between its neighbours.
pub fn percentile_of_sorted(values: &[f64], p: f64) -> f64 {
    let rank = p / 100.0 * (values.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] + (rank - lo as f64) * (values[hi] - values[lo])
}

/// Whether a metric is one value per request (shown with its statistics)
/// or one value per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// A value (or a list of values) per request; the run reports their
    /// [`Stats`].
    PerRequest,
    /// One value for the run (a throughput, a count, a duration).
    Aggregate,
}

/// One metric: AIPerf's tag, header and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricDef {
    /// The key in AIPerf's files, e.g. `time_to_first_token`.
    pub tag: &'static str,
    /// The human name, e.g. `Time to First Token`.
    pub header: &'static str,
    /// The unit, as AIPerf writes it (`ms`, `tokens`, `requests/sec`, ...).
    pub unit: &'static str,
    /// Per request or per run.
    pub kind: MetricKind,
    /// Whether more is better (throughputs): a goodput threshold is then a
    /// floor instead of a ceiling.
    pub larger_is_better: bool,
    /// Whether only a streamed answer has it (it needs the first token's
    /// time): a goodput objective on it needs a streamed run.
    pub streamed_only: bool,
    /// Whether a request has a list of values (one per chunk gap) rather
    /// than one: no goodput objective can use it.
    pub list: bool,
}

impl MetricDef {
    /// Whether a goodput objective can name it: a per-request metric with
    /// one value per request.
    pub fn goodput_eligible(&self) -> bool {
        self.kind == MetricKind::PerRequest && !self.list
    }
}

const fn per_request(tag: &'static str, header: &'static str, unit: &'static str) -> MetricDef {
    MetricDef {
        tag,
        header,
        unit,
        kind: MetricKind::PerRequest,
        larger_is_better: false,
        streamed_only: false,
        list: false,
    }
}

const fn aggregate(tag: &'static str, header: &'static str, unit: &'static str) -> MetricDef {
    MetricDef {
        tag,
        header,
        unit,
        kind: MetricKind::Aggregate,
        larger_is_better: false,
        streamed_only: false,
        list: false,
    }
}

const fn better_larger(def: MetricDef) -> MetricDef {
    MetricDef {
        larger_is_better: true,
        ..def
    }
}

const fn streamed(def: MetricDef) -> MetricDef {
    MetricDef {
        streamed_only: true,
        ..def
    }
}

/// Every metric, in the order results show them (AIPerf's console order
/// for the ones the console shows).
pub const METRICS: &[MetricDef] = &[
    streamed(per_request(
        "time_to_first_token",
        "Time to First Token",
        "ms",
    )),
    streamed(per_request(
        "time_to_second_token",
        "Time to Second Token",
        "ms",
    )),
    per_request("request_latency", "Request Latency", "ms"),
    streamed(per_request("decode_duration", "Decode Duration", "ms")),
    streamed(per_request(
        "inter_token_latency",
        "Inter Token Latency",
        "ms",
    )),
    MetricDef {
        list: true,
        ..streamed(per_request(
            "inter_chunk_latency",
            "Inter Chunk Latency",
            "ms",
        ))
    },
    streamed(better_larger(per_request(
        "output_token_throughput_per_user",
        "Output Token Throughput Per User",
        "tokens/sec/user",
    ))),
    better_larger(per_request(
        "e2e_output_token_throughput",
        "E2E Output Token Throughput",
        "tokens/sec/user",
    )),
    streamed(better_larger(per_request(
        "prefill_throughput_per_user",
        "Prefill Throughput Per User",
        "tokens/sec/user",
    ))),
    per_request("output_sequence_length", "Output Sequence Length", "tokens"),
    per_request("input_sequence_length", "Input Sequence Length", "tokens"),
    per_request("usage_prompt_tokens", "Usage Prompt Tokens", "tokens"),
    per_request(
        "usage_completion_tokens",
        "Usage Completion Tokens",
        "tokens",
    ),
    per_request("usage_total_tokens", "Usage Total Tokens", "tokens"),
    per_request("http_req_connecting", "HTTP Connecting", "ms"),
    per_request("http_req_waiting", "HTTP Waiting (TTFB)", "ms"),
    per_request("http_req_receiving", "HTTP Receiving", "ms"),
    per_request("http_req_duration", "HTTP Duration (excl. conn)", "ms"),
    per_request("http_req_total", "HTTP Total Time", "ms"),
    per_request(
        "http_req_connection_reused",
        "HTTP Connection Reused",
        "ratio",
    ),
    per_request("http_req_data_sent", "HTTP Data Sent", "KB"),
    per_request("http_req_data_received", "HTTP Data Received", "KB"),
    better_larger(aggregate(
        "output_token_throughput",
        "Output Token Throughput",
        "tokens/sec",
    )),
    better_larger(aggregate(
        "input_token_throughput",
        "Input Token Throughput",
        "tokens/sec",
    )),
    better_larger(aggregate(
        "total_token_throughput",
        "Total Token Throughput",
        "tokens/sec",
    )),
    better_larger(aggregate(
        "request_throughput",
        "Request Throughput",
        "requests/sec",
    )),
    better_larger(aggregate("goodput", "Goodput", "requests/sec")),
    aggregate("good_request_count", "Good Request Count", "requests"),
    aggregate("good_request_fraction", "GoodRequestFraction", "ratio"),
    aggregate("request_count", "Request Count", "requests"),
    aggregate("error_request_count", "Error Request Count", "requests"),
    aggregate(
        "completed_request_count",
        "Completed Requests (Success + Error)",
        "requests",
    ),
    aggregate("request_error_rate", "Request Error Rate", "%"),
    aggregate("total_output_tokens", "Total Output Tokens", "tokens"),
    aggregate("total_isl", "Total Input Sequence Length", "tokens"),
    aggregate("total_osl", "Total Output Sequence Length", "tokens"),
    aggregate(
        "total_usage_prompt_tokens",
        "Total Usage Prompt Tokens",
        "tokens",
    ),
    aggregate(
        "total_usage_completion_tokens",
        "Total Usage Completion Tokens",
        "tokens",
    ),
    aggregate(
        "total_usage_total_tokens",
        "Total Usage Total Tokens",
        "tokens",
    ),
    aggregate("benchmark_duration", "Benchmark Duration", "sec"),
];

/// The metric with AIPerf's tag `tag`.
pub fn metric(tag: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.tag == tag)
}

/// One request's value of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RequestValue {
    /// One number.
    One(f64),
    /// One number per gap or chunk (`inter_chunk_latency`).
    List(Vec<f64>),
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The per-request metrics of one successful request, in [`METRICS`]
/// order; a metric the request cannot give (no stream, no usage, no HTTP
/// timing) is absent. A failed or cancelled request gives only what was
/// measured before it failed: none of these.
pub fn request_values(record: &RequestRecord) -> Vec<(&'static MetricDef, RequestValue)> {
    let mut out = Vec::new();
    if record.error.is_some() || record.cancelled {
        return out;
    }
    let mut put = |tag: &str, value: RequestValue| {
        if let Some(def) = metric(tag) {
            out.push((def, value));
        }
    };
    let one = RequestValue::One;
    let latency = ms(record.latency);
    let ttft = record.time_to_first_token.map(ms);
    let osl = (record.output_token_source != crate::stats::TokenSource::None)
        .then_some(record.output_tokens as f64);
    let chunks = &record.chunk_offsets;
    if let Some(ttft) = ttft {
        put("time_to_first_token", one(ttft));
    }
    if chunks.len() >= 2 {
        put("time_to_second_token", one(ms(chunks[1] - chunks[0])));
    }
    put("request_latency", one(latency));
    if let Some(ttft) = ttft {
        put("decode_duration", one(latency - ttft));
        // AIPerf: (latency − TTFT) / (OSL − 1), for two tokens or more.
        let itl = osl
            .filter(|&n| n >= 2.0)
            .map(|osl| (latency - ttft) / (osl - 1.0));
        if let Some(itl) = itl {
            put("inter_token_latency", one(itl));
        }
        if chunks.len() >= 2 {
            let icl = chunks.windows(2).map(|w| ms(w[1] - w[0])).collect();
            put("inter_chunk_latency", RequestValue::List(icl));
        }
        if let Some(itl) = itl.filter(|&itl| itl > 0.0) {
            put("output_token_throughput_per_user", one(1e3 / itl));
        }
    }
    if let Some(osl) = osl.filter(|_| latency > 0.0) {
        put("e2e_output_token_throughput", one(osl / (latency / 1e3)));
    }
    if let (Some(isl), Some(ttft)) = (record.input_tokens, ttft.filter(|&t| t > 0.0)) {
        put(
            "prefill_throughput_per_user",
            one(isl as f64 / (ttft / 1e3)),
        );
    }
    if let Some(osl) = osl {
        put("output_sequence_length", one(osl));
    }
    if let Some(isl) = record.input_tokens {
        put("input_sequence_length", one(isl as f64));
    }
    if let Some(usage) = record.usage {
        if let Some(n) = usage.prompt_tokens {
            put("usage_prompt_tokens", one(n as f64));
        }
        if let Some(n) = usage.completion_tokens {
            put("usage_completion_tokens", one(n as f64));
        }
        if let (Some(p), Some(c)) = (usage.prompt_tokens, usage.completion_tokens) {
            put("usage_total_tokens", one((p + c) as f64));
        }
    }
    let t = &record.timing;
    if let Some(d) = t.connecting {
        put("http_req_connecting", one(ms(d)));
    }
    if let Some(d) = t.waiting {
        put("http_req_waiting", one(ms(d)));
    }
    if let Some(d) = t.receiving {
        put("http_req_receiving", one(ms(d)));
    }
    if let (Some(w), Some(r)) = (t.waiting, t.receiving) {
        put("http_req_duration", one(ms(w + r)));
        put(
            "http_req_total",
            one(ms(w + r + t.connecting.unwrap_or_default())),
        );
    }
    if let Some(reused) = t.connection_reused {
        put(
            "http_req_connection_reused",
            one(f64::from(u8::from(reused))),
        );
    }
    if let Some(n) = t.bytes_sent {
        put("http_req_data_sent", one(n as f64 / 1024.0));
    }
    if let Some(n) = t.bytes_received {
        put("http_req_data_received", one(n as f64 / 1024.0));
    }
    out
}

/// A goodput objective: a request is good when every metric named here is
/// within its threshold (at most, or at least for throughputs), as
/// AIPerf's `--goodput "time_to_first_token:200 request_latency:1000"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slo {
    /// The metric.
    pub metric: &'static MetricDef,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
}

/// A computed metric of a phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    /// What it is.
    pub def: &'static MetricDef,
    /// Its statistics (per-request metrics) or value (aggregates).
    pub value: MetricValue,
}

/// The value of a [`MetricResult`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MetricValue {
    /// The statistics of a per-request metric.
    Stats(Stats),
    /// A run-level value.
    Value(f64),
}

impl MetricResult {
    /// The statistic `name` (`avg`, `p99`, ...); an aggregate has only
    /// `avg`, its value, as in AIPerf's files.
    pub fn get(&self, name: &str) -> Option<f64> {
        match &self.value {
            MetricValue::Stats(s) => s.get(name),
            MetricValue::Value(v) => (name == "avg").then_some(*v),
        }
    }
}

/// Every metric of a phase's `records`, in [`METRICS`] order: the
/// statistics of each per-request metric over the successful requests, and
/// the run-level values. As in AIPerf, throughputs (and goodput) divide by
/// `window`, the phase from its start to its last answer, while
/// `benchmark_duration` is from the first successful request sent to the
/// last successful answer. Goodput metrics appear when `slos` is not empty.
pub fn compute(records: &[RequestRecord], window: Duration, slos: &[Slo]) -> Vec<MetricResult> {
    let mut per_metric: Vec<Vec<f64>> = vec![Vec::new(); METRICS.len()];
    let index = |def: &MetricDef| METRICS.iter().position(|m| m.tag == def.tag);
    let mut good = 0u64;
    for record in records {
        let values = request_values(record);
        if values.is_empty() {
            continue;
        }
        if !slos.is_empty() && is_good(&values, slos) {
            good += 1;
        }
        for (def, value) in values {
            let Some(i) = index(def) else { continue };
            match value {
                RequestValue::One(v) => per_metric[i].push(v),
                RequestValue::List(list) => per_metric[i].extend(list),
            }
        }
    }
    let ok: Vec<&RequestRecord> = records
        .iter()
        .filter(|r| r.error.is_none() && !r.cancelled)
        .collect();
    let errors = records
        .iter()
        .filter(|r| r.error.is_some() && !r.cancelled)
        .count() as f64;
    let first = ok.iter().map(|r| r.sent_at).min();
    let last = ok.iter().map(|r| r.sent_at + r.latency).max();
    let duration = match (first, last) {
        (Some(first), Some(last)) => Some((last - first).as_secs_f64()),
        _ => None,
    };
    let window = window.as_secs_f64();
    let rate = |n: f64| if window > 0.0 { n / window } else { 0.0 };
    let counted = |r: &RequestRecord| r.output_token_source != crate::stats::TokenSource::None;
    let total_osl: f64 = ok
        .iter()
        .filter(|r| counted(r))
        .map(|r| r.output_tokens as f64)
        .sum();
    let total_isl: f64 = ok.iter().filter_map(|r| r.input_tokens).sum::<u64>() as f64;
    let usage_sum = |pick: fn(&crate::endpoint::Usage) -> Option<u64>| -> Option<f64> {
        let values: Vec<u64> = ok
            .iter()
            .filter_map(|r| r.usage.as_ref().and_then(pick))
            .collect();
        (!values.is_empty()).then(|| values.iter().sum::<u64>() as f64)
    };
    let any_isl = ok.iter().any(|r| r.input_tokens.is_some());
    let any_osl = ok.iter().any(|r| counted(r));
    let completed = ok.len() as f64 + errors;

    let mut out = Vec::new();
    for (i, def) in METRICS.iter().enumerate() {
        let value = match def.kind {
            MetricKind::PerRequest => Stats::of(&mut per_metric[i]).map(MetricValue::Stats),
            MetricKind::Aggregate => {
                let v = match def.tag {
                    "output_token_throughput" => any_osl.then(|| rate(total_osl)),
                    "input_token_throughput" => any_isl.then(|| rate(total_isl)),
                    "total_token_throughput" => {
                        (any_isl && any_osl).then(|| rate(total_isl + total_osl))
                    }
                    "request_throughput" => Some(rate(ok.len() as f64)),
                    "goodput" => (!slos.is_empty()).then(|| rate(good as f64)),
                    "good_request_count" => (!slos.is_empty()).then_some(good as f64),
                    "good_request_fraction" => {
                        (!slos.is_empty() && completed > 0.0).then(|| good as f64 / completed)
                    }
                    "request_count" => Some(ok.len() as f64),
                    "error_request_count" => (errors > 0.0).then_some(errors),
                    "completed_request_count" => Some(completed),
                    "request_error_rate" => (completed > 0.0).then(|| errors / completed * 100.0),
                    "total_output_tokens" | "total_osl" => any_osl.then_some(total_osl),
                    "total_isl" => any_isl.then_some(total_isl),
                    "total_usage_prompt_tokens" => usage_sum(|u| u.prompt_tokens),
                    "total_usage_completion_tokens" => usage_sum(|u| u.completion_tokens),
                    "total_usage_total_tokens" => {
                        usage_sum(|u| u.prompt_tokens.zip(u.completion_tokens).map(|(p, c)| p + c))
                    }
                    "benchmark_duration" => duration,
                    _ => None,
                };
                v.map(MetricValue::Value)
            }
        };
        if let Some(value) = value {
            out.push(MetricResult { def, value });
        }
    }
    out
}

/// Whether a request's `values` meet every objective; a metric the request
/// lacks fails its objective.
fn is_good(values: &[(&'static MetricDef, RequestValue)], slos: &[Slo]) -> bool {
    slos.iter().all(|slo| {
        values.iter().any(|(def, value)| {
            def.tag == slo.metric.tag
                && match value {
                    RequestValue::One(v) if slo.metric.larger_is_better => *v >= slo.threshold,
                    RequestValue::One(v) => *v <= slo.threshold,
                    RequestValue::List(_) => false,
                }
        })
    })
}

/// Parses AIPerf's goodput syntax: `tag:threshold` pairs separated by
/// spaces (or given as several arguments), thresholds in the metric's
/// unit. Only per-request metrics with one value per request qualify.
pub fn parse_goodput(text: &str) -> Result<Vec<Slo>, String> {
    let mut slos: Vec<Slo> = Vec::new();
    for pair in text.split_whitespace() {
        let Some((tag, threshold)) = pair.split_once(':') else {
            return Err(format!(
                "{pair:?} is not METRIC:THRESHOLD (e.g. time_to_first_token:200)"
            ));
        };
        let eligible = || {
            METRICS
                .iter()
                .filter(|m| m.goodput_eligible())
                .map(|m| m.tag)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let metric = metric(tag)
            .filter(|m| m.goodput_eligible())
            .ok_or_else(|| {
                format!(
                    "{tag:?} is not a per-request metric a goodput objective can use; use one \
                     of: {}",
                    eligible()
                )
            })?;
        let threshold: f64 = threshold
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| {
                format!(
                    "{pair:?}: the threshold must be a number >= 0 in {} (the metric's unit)",
                    metric.unit
                )
            })?;
        if slos.iter().any(|s| s.metric.tag == metric.tag) {
            return Err(format!("{tag:?} is given twice; give each metric once"));
        }
        slos.push(Slo { metric, threshold });
    }
    if slos.is_empty() {
        return Err("no objective given; expected METRIC:THRESHOLD pairs".to_owned());
    }
    Ok(slos)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed vector and what `numpy` 2.4.6 printed for it once:
    /// `np.percentile(v, [1,5,10,25,50,75,90,95,99])`, `np.mean`, `np.std`.
    #[test]
    fn statistics_equal_numpys_on_a_fixed_vector() {
        let mut v = vec![
            12.5, 3.0, 7.25, 100.0, 42.0, 0.5, 19.75, 8.0, 8.0, 61.125, 5.5, 33.0, 2.25,
        ];
        let s = Stats::of(&mut v).unwrap();
        let expected = [
            ("p1", 0.71),
            ("p5", 1.55),
            ("p10", 2.4),
            ("p25", 5.5),
            ("p50", 8.0),
            ("p75", 33.0),
            ("p90", 57.3),
            ("p95", 76.675),
            ("p99", 95.335),
            ("avg", 23.298076923076923),
            ("std", 28.153833018071758),
            ("min", 0.5),
            ("max", 100.0),
            ("sum", 302.875),
            ("count", 13.0),
        ];
        for (name, want) in expected {
            let got = s.get(name).unwrap();
            assert!((got - want).abs() < 1e-9, "{name}: {got} != {want}");
        }
    }

    #[test]
    fn one_value_and_nans() {
        let s = Stats::of(&mut vec![f64::NAN, 4.0]).unwrap();
        assert_eq!((s.p1, s.p99, s.std, s.count), (4.0, 4.0, 0.0, 1));
        assert!(Stats::of(&mut vec![f64::NAN]).is_none());
        assert!(Stats::of(&mut Vec::new()).is_none());
    }

    #[test]
    fn goodput_syntax_is_aiperfs() {
        let slos = parse_goodput("time_to_first_token:200 request_latency:1000").unwrap();
        assert_eq!(slos.len(), 2);
        assert_eq!(
            (slos[0].metric.tag, slos[0].threshold),
            ("time_to_first_token", 200.0)
        );
        for (bad, says) in [
            ("ttft:200", "is not a per-request metric"),
            ("request_throughput:5", "is not a per-request metric"),
            ("request_latency", "is not METRIC:THRESHOLD"),
            ("request_latency:-1", "must be a number >= 0 in ms"),
            ("request_latency:1 request_latency:2", "given twice"),
            ("", "no objective given"),
        ] {
            let err = parse_goodput(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
