//! `exporter`: writes a run's results to files.

use std::path::{Path, PathBuf};

use registry_core::{BoxError, Factory, declare_category};
use serde::Serialize;

use crate::stats::BenchmarkResults;

/// Writes results somewhere under an output directory.
///
/// # When it is called
///
/// [`export`](Exporter::export) once per run, after the last phase (also
/// after an interrupted run, with what was measured), in the order the
/// configuration lists the exporters. An error is reported and the other
/// exporters still run.
pub trait Exporter: Send + Sync {
    /// Writes `results` into `dir` (which exists) and returns the file written.
    fn export(&self, results: &BenchmarkResults, dir: &Path) -> Result<PathBuf, BoxError>;
}

/// Constructor arguments of every exporter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExporterArgs {
    /// The exporter's own settings; `null` means defaults.
    pub config: serde_json::Value,
}

/// What an exporter declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExporterMetadata {
    /// The name of the file it writes.
    pub file_name: &'static str,
}

declare_category! {
    /// The `exporter` category: result files.
    pub struct ExporterCategory {
        name: "exporter",
        title: "Exporters",
        description: "Write a run's results to files (JSON, CSV).",
        object: dyn Exporter,
        args: ExporterArgs,
        metadata: ExporterMetadata,
        internal: false,
    }
}

/// `ExporterFactory::create_instance("json", args)`.
pub type ExporterFactory = Factory<ExporterCategory>;

/// Writes `contents` to `dir/file_name` atomically: into a new temporary
/// file in `dir`, flushed to disk, then renamed over the target. A reader
/// (or a crash, or a signal) sees the old file or the new one, never half
/// of one; a symlink at the target is replaced, never written through.
/// Returns the path written; an error names it. Exporters should write
/// with this.
pub fn write_atomically(dir: &Path, file_name: &str, contents: &[u8]) -> Result<PathBuf, BoxError> {
    use std::io::Write as _;
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
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(contents)?;
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
