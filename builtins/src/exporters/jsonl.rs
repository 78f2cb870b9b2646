//! `jsonl`: `profile_export.jsonl`, one line per request, in AIPerf 0.13's
//! record format.

use std::io::Write;
use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};
use serde_json::{Map, Value, json};

use super::{all_records, no_settings};
use aiperf_plugin_api::data_exporter::write_atomically_with;
use aiperf_plugin_api::metrics::{RequestValue, request_values};
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

/// One request's line.
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

impl DataExporter for Jsonl {
    fn export(&self, run: &ExportRun<'_>, dir: &Path) -> Result<PathBuf, BoxError> {
        let name = <Jsonl as Implementation<DataExporterCategory>>::METADATA.file_name;
        let urls = &run.results.urls;
        write_atomically_with(dir, name, |out: &mut dyn Write| {
            let mut index_in_phase = 0;
            let mut current = None;
            for (phase, record) in all_records(run) {
                if current != Some(phase) {
                    current = Some(phase);
                    index_in_phase = 0;
                }
                serde_json::to_writer(&mut *out, &line(index_in_phase, phase, record, urls))?;
                out.write_all(b"\n")?;
                index_in_phase += 1;
            }
            Ok(())
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
    use crate::exporters::test_support::{records, results};

    #[test]
    fn one_aiperf_record_per_line() {
        let scratch = aiperf_test_support::scratch_dir("jsonl-export");
        let records = records();
        let results = results(&records);
        let phases = vec![(Phase::Profiling, records)];
        let run = ExportRun {
            results: &results,
            records: &phases,
            inputs: &(),
        };
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
