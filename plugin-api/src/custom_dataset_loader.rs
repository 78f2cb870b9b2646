//! `custom_dataset_loader`: datasets read from a file (`--input-file` with
//! `--custom-dataset-type`).

use std::path::PathBuf;

use registry_core::{Factory, declare_category};

use crate::dataset::Dataset;

/// Constructor arguments of every loader: creating the loader checks the
/// whole file (every malformed line is an error naming the file, the line
/// and the field) before the first request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoaderArgs {
    /// The file.
    pub path: PathBuf,
    /// The loader's own settings.
    pub config: serde_json::Value,
}

declare_category! {
    /// The `custom_dataset_loader` category: dataset file formats.
    pub struct CustomDatasetLoaderCategory {
        name: "custom_dataset_loader",
        title: "Custom dataset loaders",
        description: "Read a dataset file (AIPerf's single_turn JSONL, a replayed inputs.json).",
        object: dyn Dataset,
        args: LoaderArgs,
        metadata: (),
        internal: false,
    }
}

/// `CustomDatasetLoaderFactory::create_instance("single_turn", args)`.
pub type CustomDatasetLoaderFactory = Factory<CustomDatasetLoaderCategory>;
