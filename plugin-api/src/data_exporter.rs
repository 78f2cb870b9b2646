//! `data_exporter`: writes a run's results to files (AIPerf's
//! `profile_export_aiperf.json`, `.csv`, `profile_export.jsonl`,
//! `inputs.json`).

use std::io::Write;
use std::path::{Path, PathBuf};

use registry_core::{BoxError, Factory, declare_category};
use serde::Serialize;

use crate::stats::{BenchmarkResults, Phase, RequestRecord};

/// Everything a finished run hands its exporters.
pub struct ExportRun<'a> {
    /// The statistics and metrics of each phase, and what the run was.
    pub results: &'a BenchmarkResults,
    /// Every request of each phase, in the order they finished.
    pub records: &'a [(Phase, Vec<RequestRecord>)],
    /// The payloads the dataset's entries are sent as (for `inputs.json`).
    pub inputs: &'a dyn InputPayloads,
}

impl std::fmt::Debug for ExportRun<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRun")
            .field("results", &self.results)
            .field(
                "records",
                &self
                    .records
                    .iter()
                    .map(|(p, r)| (p, r.len()))
                    .collect::<Vec<_>>(),
            )
            .field("inputs", &self.inputs.len())
            .finish()
    }
}

/// The request bodies of a run's dataset, entry by entry, produced on
/// demand so that a large dataset is never held whole.
pub trait InputPayloads {
    /// The number of dataset entries.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body entry `index` is sent as.
    fn payload(&self, index: usize) -> Result<serde_json::Value, BoxError>;
}

/// No inputs (a run without a dataset, tests).
impl InputPayloads for () {
    fn len(&self) -> usize {
        0
    }

    fn payload(&self, index: usize) -> Result<serde_json::Value, BoxError> {
        Err(format!("no dataset entry {index}: the run has no inputs").into())
    }
}

/// Writes results somewhere under an output directory.
///
/// # When it is called
///
/// [`export`](DataExporter::export) once per run, after the last phase (also
/// after an interrupted run, with what was measured), in the order the
/// configuration lists the exporters. An error is reported and the other
/// exporters still run.
pub trait DataExporter: Send + Sync {
    /// Writes the run into `dir` (which exists) and returns the file
    /// written.
    fn export(&self, run: &ExportRun<'_>, dir: &Path) -> Result<PathBuf, BoxError>;
}

/// Constructor arguments of every exporter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataExporterArgs {
    /// The exporter's own settings; `null` means defaults.
    pub config: serde_json::Value,
}

/// What an exporter declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DataExporterMetadata {
    /// The name of the file it writes.
    pub file_name: &'static str,
}

declare_category! {
    /// The `data_exporter` category: result files.
    pub struct DataExporterCategory {
        name: "data_exporter",
        title: "Data exporters",
        description: "Write a run's results to files (AIPerf's JSON, CSV, per-request JSONL, inputs.json).",
        object: dyn DataExporter,
        args: DataExporterArgs,
        metadata: DataExporterMetadata,
        internal: false,
    }
}

/// `DataExporterFactory::create_instance("json", args)`.
pub type DataExporterFactory = Factory<DataExporterCategory>;

/// Writes `contents` to `dir/file_name` atomically; see
/// [`write_atomically_with`].
pub fn write_atomically(dir: &Path, file_name: &str, contents: &[u8]) -> Result<PathBuf, BoxError> {
    write_atomically_with(dir, file_name, |out| out.write_all(contents))
}

/// Writes `dir/file_name` atomically with what `write` produces (through a
/// buffer, so a large file is streamed): into a new temporary file in
/// `dir`, flushed to disk, then renamed over the target. A reader (or a
/// crash, or a signal) sees the old file or the new one, never half of
/// one; a symlink at the target is replaced, never written through.
/// Returns the path written; an error names it. Exporters write with this.
pub fn write_atomically_with(
    dir: &Path,
    file_name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<PathBuf, BoxError> {
    use std::sync::atomic::{AtomicU64, Ordering};

    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = dir.join(file_name);
    let temp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        // `create_new` refuses an existing path, a symlink included.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    })();
    written.map_err(|e| -> BoxError {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display()).into()
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_never_through_a_symlink() {
        let scratch = aiperf_test_support::scratch_dir("atomic");
        let dir = scratch.path();
        let path = write_atomically(dir, "out.json", b"{}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        // Replacing an existing file leaves no temporary file behind.
        write_atomically(dir, "out.json", b"[1]").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"]);
        // A symlink planted at the target is replaced, its target untouched.
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("linked.json")).unwrap();
        write_atomically(dir, "linked.json", b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(std::fs::read(dir.join("linked.json")).unwrap(), b"{}");
        // An error names the file.
        let err = write_atomically(&dir.join("missing"), "x.json", b"").unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
        assert!(err.to_string().contains("x.json"), "{err}");
    }
}
