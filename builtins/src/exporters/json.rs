//! `json`: `profile_export_aiperf.json` in AIPerf 0.13's schema.

use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::{error_groups, iso_time, no_settings, profiling};
use aiperf_plugin_api::data_exporter::write_atomically_with;
use aiperf_plugin_api::metrics::{MetricResult, MetricValue};
use aiperf_plugin_api::{
    DataExporter, DataExporterArgs, DataExporterCategory, DataExporterMetadata, ExportRun,
};

/// Writes `profile_export_aiperf.json`: AIPerf's summary document. Top
/// level: `schema_version` (AIPerf's, 1.4), `aiperf_version` (this
/// client's), `benchmark_id`, then one object per metric of the profiling
/// phase (`unit` and AIPerf's statistics: `avg`, `p1`…`p99`, `min`, `max`,
/// `std`, `count`, `sum` for per-request metrics; `unit` and `avg` for
/// run-level values), `input_config` (the effective configuration
/// in AIPerf's shape: `models`, `endpoint.urls`, `datasets`, `phases`,
/// ...), `was_cancelled`, `error_summary` (`[{error_details: {code, type,
/// message}, count}]`), `start_time`, `end_time`; and beyond AIPerf:
/// `urls`, `phases` (each phase's counts, per-URL counts, schedule lag,
/// send rate and notes, warmup included) and `aiperf_rs` (this client's
/// own configuration, secrets hidden, and `resolved_parts`: what each
/// named part resolved to, plugin or builtin, and its crate).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

/// A JSON object whose keys keep the order they were pushed in.
struct Ordered(Vec<(String, Value)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Our configuration in the shape of AIPerf's `input_config` (its
/// `BenchmarkConfig`: `models`, `endpoint`, `datasets`, `phases`,
/// `tokenizer`, `slos`, `artifacts`), which AIPerf's readers take the
/// model, URL, concurrency and request count from.
pub(crate) fn aiperf_input_config(config: &Value, urls: &[String]) -> Value {
    let at = |pointer: &str| config.pointer(pointer).cloned().unwrap_or(Value::Null);
    let mut out = serde_json::Map::new();
    out.insert(
        "models".into(),
        json!({ "items": [{ "name": at("/endpoint/model") }] }),
    );
    out.insert(
        "endpoint".into(),
        json!({
            "urls": urls,
            "type": at("/endpoint/type"),
            "streaming": at("/endpoint/streaming").as_bool().unwrap_or(false),
        }),
    );
    let mut dataset = serde_json::Map::new();
    dataset.insert("name".into(), json!("main"));
    if let Some(composer) = config.pointer("/dataset/composer") {
        dataset.insert("type".into(), composer["name"].clone());
        let settings = &composer["config"];
        if let Some(entries) = settings.get("entries") {
            dataset.insert("entries".into(), entries.clone());
        }
        let mut prompts = serde_json::Map::new();
        for (ours, theirs) in [("isl", "isl"), ("osl", "osl")] {
            if let Some(mean) = settings.get(ours).and_then(Value::as_f64) {
                let mut length = json!({ "mean": mean });
                if let Some(sd) = settings
                    .get(format!("{ours}_stddev"))
                    .and_then(Value::as_f64)
                {
                    length["stddev"] = json!(sd);
                }
                prompts.insert(theirs.into(), length);
            }
        }
        dataset.insert("prompts".into(), Value::Object(prompts));
    } else if let Some(file) = config.pointer("/dataset/file") {
        dataset.insert("type".into(), json!("file"));
        dataset.insert("path".into(), file["path"].clone());
        dataset.insert("format".into(), file["type"].clone());
    } else {
        dataset.insert("type".into(), json!("inline"));
    }
    out.insert("datasets".into(), json!([dataset]));
    let phase = |name: &str, strategy: &Value| {
        let settings = &strategy["config"];
        let mut phase = json!({ "name": name, "kind": name, "type": strategy["name"] });
        for key in [
            "requests",
            "concurrency",
            "rate",
            "max_concurrency",
            "arrival_pattern",
        ] {
            if let Some(value) = settings.get(key) {
                let key = if key == "max_concurrency" {
                    "concurrency"
                } else {
                    key
                };
                phase[key] = value.clone();
            }
        }
        phase
    };
    let mut phases = Vec::new();
    if let Some(warmup) = config.get("warmup").filter(|w| !w.is_null()) {
        phases.push(phase("warmup", warmup));
    }
    if let Some(profiling) = config
        .pointer("/plugins/timing_strategy")
        .filter(|t| !t.is_null())
    {
        let mut profiling = phase("profiling", profiling);
        if let Some(duration) = config.get("benchmark_duration").filter(|d| !d.is_null()) {
            profiling["duration"] = duration.clone();
        }
        phases.push(profiling);
    }
    out.insert("phases".into(), json!(phases));
    out.insert(
        "artifacts".into(),
        json!({ "dir": at("/output_dir"), "auto_plot": false, "plot_required": false }),
    );
    if let Some(goodput) = config.get("goodput").and_then(Value::as_str) {
        let slos: serde_json::Map<String, Value> = goodput
            .split_whitespace()
            .filter_map(|pair| pair.split_once(':'))
            .filter_map(|(tag, v)| Some((tag.to_owned(), json!(v.parse::<f64>().ok()?))))
            .collect();
        out.insert("slos".into(), Value::Object(slos));
    }
    if let Some(name) = config.pointer("/tokenizer/name") {
        out.insert("tokenizer".into(), json!({ "name": name }));
    }
    out.insert("runtime".into(), json!({ "ui": at("/ui/name") }));
    Value::Object(out)
}

/// A metric as AIPerf's JSON writes it.
pub(crate) fn metric_object(metric: &MetricResult) -> Value {
    let mut fields = vec![("unit".to_owned(), json!(metric.def.unit))];
    match &metric.value {
        MetricValue::Stats(s) => {
            for name in [
                "avg", "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "min", "max",
                "std",
            ] {
                fields.push((name.to_owned(), json!(s.get(name))));
            }
            fields.push(("count".to_owned(), json!(s.count)));
            fields.push(("sum".to_owned(), json!(s.sum)));
        }
        MetricValue::Value(v) => fields.push(("avg".to_owned(), json!(v))),
    }
    serde_json::to_value(Ordered(fields)).unwrap_or(Value::Null)
}

/// The document, in AIPerf's key order.
fn document(run: &ExportRun<'_>) -> Ordered {
    let results = run.results;
    let mut doc = vec![
        ("schema_version".to_owned(), json!("1.4")),
        (
            "aiperf_version".to_owned(),
            json!(concat!("aiperf-rs ", env!("CARGO_PKG_VERSION"))),
        ),
        (
            "benchmark_id".to_owned(),
            json!(format!("{:012x}", results.start_unix_ns & 0xffff_ffff_ffff)),
        ),
    ];
    let stats = profiling(run);
    for metric in stats.map(|s| s.metrics.as_slice()).unwrap_or_default() {
        doc.push((metric.def.tag.to_owned(), metric_object(metric)));
    }
    doc.push((
        "input_config".to_owned(),
        aiperf_input_config(&results.input_config, &results.urls),
    ));
    doc.push(("was_cancelled".to_owned(), json!(results.interrupted)));
    doc.push(("is_complete".to_owned(), json!(!results.interrupted)));
    let errors: Vec<Value> = error_groups(run)
        .into_iter()
        .map(|g| {
            json!({
                "error_details": { "code": g.code, "type": g.kind, "message": g.message },
                "count": g.count,
            })
        })
        .collect();
    doc.push(("error_summary".to_owned(), json!(errors)));
    doc.push((
        "start_time".to_owned(),
        json!(iso_time(results.start_unix_ns)),
    ));
    doc.push(("end_time".to_owned(), json!(iso_time(results.end_unix_ns))));
    doc.push(("urls".to_owned(), json!(results.urls)));
    // Beyond AIPerf: each phase's counts and the client's own measurements
    // (warmup, cancelled requests, schedule lag, send rate), without the
    // metrics already above.
    let phases: Vec<Value> = results
        .phases
        .iter()
        .map(|p| {
            let mut value = json!(p);
            if let Value::Object(map) = &mut value {
                map.remove("metrics");
            }
            value
        })
        .collect();
    doc.push(("phases".to_owned(), json!(phases)));
    // This client's own configuration (its schema, not AIPerf's) and what
    // each named part resolved to.
    doc.push((
        "aiperf_rs".to_owned(),
        json!({ "config": results.input_config, "resolved_parts": results.parts }),
    ));
    Ordered(doc)
}

impl DataExporter for Json {
    fn export(&self, run: &ExportRun<'_>, dir: &Path) -> Result<PathBuf, BoxError> {
        let doc = document(run);
        let name = <Json as Implementation<DataExporterCategory>>::METADATA.file_name;
        write_atomically_with(dir, name, |out| {
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            out.write_all(b"\n")
        })
    }
}

impl Implementation<DataExporterCategory> for Json {
    const METADATA: DataExporterMetadata = DataExporterMetadata {
        file_name: "profile_export_aiperf.json",
    };
    const DESCRIPTION: &'static str = "profile_export_aiperf.json: AIPerf's summary (each metric with its statistics, input_config, error_summary).";

    fn create(args: DataExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{Fixture, records};

    #[test]
    fn writes_aiperfs_keys_and_metric_objects() {
        let scratch = aiperf_test_support::scratch_dir("json-export");
        let records = records();
        let fixture = Fixture::of(records);
        let run = fixture.run();
        let path = Json.export(&run, scratch.path()).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["schema_version"], "1.4");
        let latency = &doc["request_latency"];
        assert_eq!(latency["unit"], "ms");
        assert_eq!(latency["count"], 2);
        assert_eq!(latency["avg"], 20.0);
        assert_eq!(latency["p50"], 20.0);
        assert_eq!(
            doc["request_count"],
            json!({"unit": "requests", "avg": 2.0})
        );
        assert_eq!(doc["error_request_count"]["avg"], 1.0);
        assert_eq!(doc["time_to_first_token"]["max"], 15.0);
        assert_eq!(
            doc["error_summary"],
            json!([{"error_details": {"code": 500, "type": "HTTPError",
                   "message": "HTTP 500, \"overloaded\""}, "count": 1}])
        );
        assert_eq!(doc["start_time"], "2026-12-01T18:41:07.000000");
        assert_eq!(doc["was_cancelled"], false);
        assert_eq!(doc["input_config"]["endpoint"]["type"], "chat");
        assert_eq!(doc["aiperf_rs"]["config"]["endpoint"]["type"], "chat");
        // Keys in AIPerf's order: the version fields first, the times last.
        let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
        assert!(at("schema_version") < at("request_latency"));
        assert!(at("request_latency") < at("input_config"));
        assert!(at("error_summary") < at("end_time"));
    }
}
