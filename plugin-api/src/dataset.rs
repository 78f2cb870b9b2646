//! What the two dataset categories produce: a [`Dataset`] of entries, built
//! by a `dataset_composer` (synthetic prompts) or read by a
//! `custom_dataset_loader` (a file).

use std::time::Duration;

use registry_core::BoxError;

use crate::endpoint::Prompt;

/// One request's worth of input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetEntry {
    /// What the endpoint formats into a request.
    pub prompt: Prompt,
    /// A complete request body, sent as it is instead of the endpoint's
    /// format of [`prompt`](Self::prompt) (a replayed `inputs.json`).
    pub payload: Option<serde_json::Value>,
    /// The prompt's length in tokens, when the dataset already knows it
    /// (synthetic prompts); otherwise the run's tokenizer counts it.
    pub input_tokens: Option<u64>,
    /// When a trace says this request was sent, from the trace's start.
    pub timestamp: Option<Duration>,
    /// How long to wait before this request, when a trace says so.
    pub delay: Option<Duration>,
}

/// A dataset: entries by index.
///
/// # When it is called
///
/// [`entry`](Dataset::entry) once per issued request, from the
/// orchestrator's thread, with the index the `dataset_sampler` chose (in
/// `0..len`). A file-backed dataset may read the entry from disk then (so a
/// large file is never held in memory); an error fails that one request
/// and says why.
pub trait Dataset: Send + Sync {
    /// The number of entries; at least 1 (an empty dataset is refused when
    /// it is built).
    fn len(&self) -> usize;

    /// Whether there are no entries (never, for a dataset that was built).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry at `index` (`index < len()`).
    fn entry(&self, index: usize) -> Result<DatasetEntry, BoxError>;
}

/// A dataset held in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InMemoryDataset {
    entries: Vec<DatasetEntry>,
}

impl InMemoryDataset {
    /// A dataset of `entries`; refused when there are none.
    pub fn new(entries: Vec<DatasetEntry>) -> Result<InMemoryDataset, BoxError> {
        if entries.is_empty() {
            return Err("the dataset has no entries; it needs at least one".into());
        }
        Ok(InMemoryDataset { entries })
    }

    /// The entries.
    pub fn entries(&self) -> &[DatasetEntry] {
        &self.entries
    }
}

impl Dataset for InMemoryDataset {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn entry(&self, index: usize) -> Result<DatasetEntry, BoxError> {
        self.entries
            .get(index)
            .cloned()
            .ok_or_else(|| format!("no dataset entry {index} (there are {})", self.len()).into())
    }
}
