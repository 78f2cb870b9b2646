//! `jsonl`: `profile_export.jsonl`, one line per request, in AIPerf 0.13's
//! record format.

use std::io::Write;
use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};
use serde::ser::{Serialize, SerializeMap, Serializer};
#[cfg(test)]
use serde_json::{Map, Value, json};

use super::{all_records, no_settings};
use aiperf_plugin_api::data_exporter::write_atomically_with;
use aiperf_plugin_api::metrics::{MetricDef, RequestValue, request_values};
use aiperf_plugin_api::stats::{Phase, RequestRecord};
use aiperf_plugin_api::{
    DataExporter, DataExporterArgs, DataExporterCategory, DataExporterMetadata, ExportRun,
};

/// Writes `profile_export.jsonl` as AIPerf does: one compact JSON object
/// per request, `{"metadata": {...}, "metrics": {"tag": {"value", "unit"}},
/// "error": {...}}`. `metadata` has AIPerf's `session_num`,
/// `x_request_id`, `x_correlation_id`, `conversation_id` (the dataset
/// entry's `inputs.json` session), `turn_index`, `worker_id`,
/// `record_processor_id`,
/// `request_start_ns`, `request_end_ns` (Unix ns; end − start is the
/// request latency), `benchmark_phase`, `phase_name`, `phase_kind`,
/// `was_cancelled`, and `url` (which server); `metrics` the request's
/// values in AIPerf's units (`inter_chunk_latency` a list); a failed
/// request has `error` (`code`, `type`, `message`) and `error_isl`. The
/// file is streamed: a long run's records are never formatted in memory at
/// once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

/// One request's line as a JSON tree: the reference the streamed
/// serialization ([`Line`]) is checked against, byte for byte.
#[cfg(test)]
pub(crate) fn line(index: usize, phase: Phase, record: &RequestRecord, urls: &[String]) -> Value {
    let end = record
        .start_unix_ns
        .saturating_add(u64::try_from(record.latency.as_nanos()).unwrap_or(u64::MAX));
    let mut metadata = Map::new();
    metadata.insert("session_num".into(), json!(index));
    // AIPerf's record model requires worker and record-processor ids; this
    // client has one of each. The conversation is the dataset entry, as
    // `inputs.json` names it.
    let id = format!("{}-{index}", phase.as_str());
    metadata.insert("x_request_id".into(), json!(id));
    metadata.insert("x_correlation_id".into(), json!(id));
    metadata.insert(
        "conversation_id".into(),
        json!(format!("session_{}", record.entry)),
    );
    metadata.insert("turn_index".into(), json!(0));
    metadata.insert("worker_id".into(), json!("worker_0"));
    metadata.insert("record_processor_id".into(), json!("record_processor_0"));
    metadata.insert("request_start_ns".into(), json!(record.start_unix_ns));
    metadata.insert("request_end_ns".into(), json!(end));
    metadata.insert("benchmark_phase".into(), json!(phase.as_str()));
    metadata.insert("phase_name".into(), json!(phase.as_str()));
    metadata.insert("phase_kind".into(), json!(phase.as_str()));
    metadata.insert("was_cancelled".into(), json!(record.cancelled));
    if let Some(url) = urls.get(record.url) {
        metadata.insert("url".into(), json!(url));
    }
    let mut metrics = Map::new();
    for (def, value) in request_values(record) {
        let value = match value {
            RequestValue::One(v) => json!(v),
            RequestValue::List(list) => json!(list),
        };
        metrics.insert(def.tag.into(), json!({ "value": value, "unit": def.unit }));
    }
    let mut out = Map::new();
    out.insert("metadata".into(), Value::Object(metadata));
    if let Some(message) = &record.error {
        if let Some(isl) = record.input_tokens {
            metrics.insert(
                "error_isl".into(),
                json!({ "value": isl, "unit": "tokens" }),
            );
        }
        out.insert("metrics".into(), Value::Object(metrics));
        out.insert(
            "error".into(),
            json!({
                "code": record.error_code,
                "type": record.error_type.unwrap_or("Error"),
                "message": message,
            }),
        );
    } else {
        out.insert("metrics".into(), Value::Object(metrics));
    }
    Value::Object(out)
}

/// One request's line, serialized straight from the record: no JSON tree
/// per line (building and dropping one was most of the cost: 1.7 s per
/// 100,000 requests against 0.8 s). Keys in the order a JSON object map
/// sorts them, so the bytes equal [`line`]'s.
struct Line<'a> {
    index: usize,
    phase: Phase,
    record: &'a RequestRecord,
    url: Option<&'a str>,
    values: Vec<(&'static MetricDef, RequestValue)>,
}

struct Metadata<'a>(&'a Line<'a>);
struct Metrics<'a>(&'a Line<'a>);
struct Metric<'a, T: Serialize>(&'static str, &'a T);
struct ErrorObject<'a>(&'a RequestRecord, &'a str);

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(message) = &self.record.error {
            m.serialize_entry("error", &ErrorObject(self.record, message))?;
        }
        m.serialize_entry("metadata", &Metadata(self))?;
        m.serialize_entry("metrics", &Metrics(self))?;
        m.end()
    }
}

impl Serialize for Metadata<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let line = self.0;
        let r = line.record;
        let phase = line.phase.as_str();
        let id = format_args!("{phase}-{}", line.index);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("benchmark_phase", phase)?;
        m.serialize_entry("conversation_id", &format_args!("session_{}", r.entry))?;
        m.serialize_entry("phase_kind", phase)?;
        m.serialize_entry("phase_name", phase)?;
        m.serialize_entry("record_processor_id", "record_processor_0")?;
        m.serialize_entry("request_end_ns", &end_ns(r))?;
        m.serialize_entry("request_start_ns", &r.start_unix_ns)?;
        m.serialize_entry("session_num", &line.index)?;
        m.serialize_entry("turn_index", &0)?;
        if let Some(url) = line.url {
            m.serialize_entry("url", url)?;
        }
        m.serialize_entry("was_cancelled", &r.cancelled)?;
        m.serialize_entry("worker_id", "worker_0")?;
        m.serialize_entry("x_correlation_id", &id)?;
        m.serialize_entry("x_request_id", &id)?;
        m.end()
    }
}

impl Serialize for Metrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let line = self.0;
        let mut m = s.serialize_map(None)?;
        if line.record.error.is_some() {
            if let Some(isl) = line.record.input_tokens {
                m.serialize_entry("error_isl", &Metric("tokens", &isl))?;
            }
        }
        for (def, value) in &line.values {
            match value {
                RequestValue::One(v) => m.serialize_entry(def.tag, &Metric(def.unit, v))?,
                RequestValue::List(list) => m.serialize_entry(def.tag, &Metric(def.unit, list))?,
            }
        }
        m.end()
    }
}

impl<T: Serialize> Serialize for Metric<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("unit", self.0)?;
        m.serialize_entry("value", self.1)?;
        m.end()
    }
}

impl Serialize for ErrorObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("code", &self.0.error_code)?;
        m.serialize_entry("message", self.1)?;
        m.serialize_entry("type", self.0.error_type.unwrap_or("Error"))?;
        m.end()
    }
}

/// When the request's answer ended, Unix ns.
fn end_ns(record: &RequestRecord) -> u64 {
    record
        .start_unix_ns
        .saturating_add(u64::try_from(record.latency.as_nanos()).unwrap_or(u64::MAX))
}

/// Writes one line per record of `records` (with their phases) to `out`.
fn write_lines<'a>(
    out: &mut dyn Write,
    records: impl Iterator<Item = (Phase, &'a RequestRecord)>,
    urls: &[String],
) -> std::io::Result<()> {
    let mut index_in_phase = 0;
    let mut current = None;
    for (phase, record) in records {
        if current != Some(phase) {
            current = Some(phase);
            index_in_phase = 0;
        }
        let mut values = request_values(record);
        values.sort_by_key(|(def, _)| def.tag);
        let line = Line {
            index: index_in_phase,
            phase,
            record,
            url: urls.get(record.url).map(String::as_str),
            values,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
        index_in_phase += 1;
    }
    Ok(())
}

impl DataExporter for Jsonl {
    fn export(&self, run: &ExportRun<'_>, dir: &Path) -> Result<PathBuf, BoxError> {
        let name = <Jsonl as Implementation<DataExporterCategory>>::METADATA.file_name;
        let urls = &run.results.urls;
        write_atomically_with(dir, name, |out: &mut dyn Write| {
            write_lines(out, all_records(run), urls)
        })
    }
}

impl Implementation<DataExporterCategory> for Jsonl {
    const METADATA: DataExporterMetadata = DataExporterMetadata {
        file_name: "profile_export.jsonl",
    };
    const DESCRIPTION: &'static str = "profile_export.jsonl: one line per request in AIPerf's record format (metadata, metrics, error).";

    fn create(args: DataExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Jsonl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{Fixture, records};

    #[test]
    fn streamed_lines_equal_the_json_tree_byte_for_byte() {
        let mut records = records();
        records[2].input_tokens = Some(100);
        records[1].url = 1;
        let urls = vec!["http://a".to_owned(), "http://b".to_owned()];
        let mut streamed = Vec::new();
        write_lines(
            &mut streamed,
            records.iter().map(|r| (Phase::Profiling, r)),
            &urls,
        )
        .unwrap();
        let mut reference = String::new();
        for (i, record) in records.iter().enumerate() {
            reference += &serde_json::to_string(&line(i, Phase::Profiling, record, &urls)).unwrap();
            reference.push('\n');
        }
        assert_eq!(String::from_utf8(streamed).unwrap(), reference);
    }

    #[test]
    fn one_aiperf_record_per_line() {
        let scratch = aiperf_test_support::scratch_dir("jsonl-export");
        let records = records();
        let fixture = Fixture::of(records);
        let run = fixture.run();
        let path = Jsonl.export(&run, scratch.path()).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        let first = &lines[0];
        assert_eq!(
            first["metadata"]["request_start_ns"],
            1_796_150_467_000_000_000_u64
        );
        assert_eq!(
            first["metadata"]["request_end_ns"],
            1_796_150_467_010_000_000_u64
        );
        assert_eq!(first["metadata"]["benchmark_phase"], "profiling");
        assert_eq!(
            first["metrics"]["request_latency"],
            json!({"value": 10.0, "unit": "ms"})
        );
        assert_eq!(first["metrics"]["time_to_first_token"]["value"], 5.0);
        assert_eq!(first["metrics"]["output_sequence_length"]["value"], 8.0);
        assert_eq!(
            first["metrics"]["inter_chunk_latency"]["value"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        let failed = &lines[2];
        assert_eq!(
            failed["error"],
            json!({"code": 500, "type": "HTTPError", "message": "HTTP 500, \"overloaded\""})
        );
        assert!(failed["metrics"].get("request_latency").is_none());
    }
}
