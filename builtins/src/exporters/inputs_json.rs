//! `inputs_json`: `inputs.json`, the dataset as the payloads sent, in
//! AIPerf's format (which the `inputs_json` dataset loader replays).

use std::io::Write;
use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};

use super::no_settings;
use aiperf_plugin_api::data_exporter::write_atomically_with;
use aiperf_plugin_api::{
    DataExporter, DataExporterArgs, DataExporterCategory, DataExporterMetadata, ExportRun,
};

/// Writes `inputs.json`: `{"data": [{"session_id", "payloads": [body]}]}`,
/// one session per dataset entry with the body it is sent as (formatted by
/// the endpoint, or the entry's own payload). Streamed entry by entry, so a
/// large dataset file is never held whole. An entry that cannot be read
/// fails the export, naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct InputsJson;

impl DataExporter for InputsJson {
    fn export(&self, run: &ExportRun<'_>, dir: &Path) -> Result<PathBuf, BoxError> {
        let name = <InputsJson as Implementation<DataExporterCategory>>::METADATA.file_name;
        let mut failure: Option<BoxError> = None;
        let written = write_atomically_with(dir, name, |out: &mut dyn Write| {
            out.write_all(b"{\n  \"data\": [")?;
            for index in 0..run.inputs.len() {
                let payload = match run.inputs.payload(index) {
                    Ok(payload) => payload,
                    Err(e) => {
                        failure = Some(format!("dataset entry {index}: {e}").into());
                        return Err(std::io::Error::other("a dataset entry cannot be read"));
                    }
                };
                let body = serde_json::to_string_pretty(&payload)?.replace('\n', "\n        ");
                let separator = if index == 0 { "" } else { "," };
                write!(
                    out,
                    "{separator}\n    {{\n      \"session_id\": \"session_{index}\",\n      \
                     \"payloads\": [\n        {body}\n      ]\n    }}"
                )?;
            }
            out.write_all(b"\n  ]\n}\n")
        });
        match (written, failure) {
            (_, Some(e)) => Err(e),
            (written, None) => written,
        }
    }
}

impl Implementation<DataExporterCategory> for InputsJson {
    const METADATA: DataExporterMetadata = DataExporterMetadata {
        file_name: "inputs.json",
    };
    const DESCRIPTION: &'static str =
        "inputs.json: every dataset entry as the request body it is sent as (AIPerf's format).";

    fn create(args: DataExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(InputsJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{records, results};
    use aiperf_plugin_api::InputPayloads;
    use serde_json::{Value, json};

    struct Two;

    impl InputPayloads for Two {
        fn len(&self) -> usize {
            2
        }
        fn payload(&self, index: usize) -> Result<Value, BoxError> {
            Ok(
                json!({"messages": [{"role": "user", "content": format!("q{index}")}], "model": "m"}),
            )
        }
    }

    #[test]
    fn sessions_hold_the_payloads() {
        let scratch = aiperf_test_support::scratch_dir("inputs-json");
        let records = records();
        let results = results(&records);
        let run = ExportRun {
            results: &results,
            records: &[],
            inputs: &Two,
        };
        let path = InputsJson.export(&run, scratch.path()).unwrap();
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(doc["data"].as_array().unwrap().len(), 2);
        assert_eq!(doc["data"][1]["session_id"], "session_1");
        assert_eq!(
            doc["data"][1]["payloads"][0]["messages"][0]["content"],
            "q1"
        );
        // An empty dataset is still a valid document.
        let empty = ExportRun {
            results: &results,
            records: &[],
            inputs: &(),
        };
        let path = InputsJson.export(&empty, scratch.path()).unwrap();
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(doc, json!({"data": []}));
    }
}
