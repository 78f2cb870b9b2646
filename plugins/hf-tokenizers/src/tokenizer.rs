//! `tokenizer/huggingface`: a `tokenizer.json` read with the `tokenizers`
//! crate.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::{Tokenizer, TokenizerArgs, TokenizerCategory};
use registry_core::{BoxError, Implementation};
use serde::Deserialize;

/// The largest `tokenizer.json` read: 512 MiB. The largest published ones
/// are a few tens of MB; a bigger file is refused with its size instead of
/// being read whole.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The file name looked for in a directory.
const FILE_NAME: &str = "tokenizer.json";

/// The tokenizer takes no settings; any field given is an error naming it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoConfig {}

/// A Hugging Face tokenizer read from a `tokenizer.json`
/// (`tokenizer/huggingface`, identifier `hf_tokenizer_json`).
///
/// [`TokenizerArgs::path`] names the file, or a directory holding one
/// (a model's snapshot directory). The file is read once, when the
/// tokenizer is created; a missing, unreadable or malformed file is an
/// error naming the path.
///
/// Tokens are counted the way the model's tokenizer counts a prompt's
/// text: normalizer, pre-tokenizer and model as the file defines them, but
/// without the special tokens its post-processor would add (`[CLS]`,
/// `<s>`, ...), and with any truncation or padding the file sets turned
/// off, so a long prompt is counted whole.
pub struct HfTokenizer {
    path: PathBuf,
    inner: tokenizers::Tokenizer,
}

impl std::fmt::Debug for HfTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HfTokenizer")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl HfTokenizer {
    /// Reads the tokenizer at `path`: a `tokenizer.json` file, or a
    /// directory holding one.
    pub fn from_path(path: &Path) -> Result<HfTokenizer, BoxError> {
        let file = tokenizer_file(path)?;
        let bytes = read_capped(&file)?;
        let mut inner = tokenizers::Tokenizer::from_bytes(&bytes).map_err(|e| {
            format!(
                "`{}` is not a valid Hugging Face tokenizer.json: {e}",
                file.display()
            )
        })?;
        // Counting must see the whole text: undo the file's own limits.
        inner
            .with_truncation(None)
            .map_err(|e| format!("`{}`: cannot turn truncation off: {e}", file.display()))?;
        inner.with_padding(None);
        Ok(HfTokenizer { path: file, inner })
    }

    /// The `tokenizer.json` this tokenizer was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ids of the whitespace-separated words of `text` that encode,
    /// each on its own: the fallback when the whole text does not encode
    /// (a word-level vocabulary without an unknown token meeting a word it
    /// lacks), so that such words are left out instead of the whole text.
    fn encode_by_word(&self, text: &str) -> Vec<u32> {
        text.split_inclusive(char::is_whitespace)
            .filter_map(|word| self.inner.encode_fast(word, false).ok())
            .flat_map(|encoding| encoding.get_ids().to_vec())
            .collect()
    }
}

/// `path` itself, or the `tokenizer.json` in it when it is a directory.
fn tokenizer_file(path: &Path) -> Result<PathBuf, BoxError> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "tokenizer `{shown}` does not exist; give a {FILE_NAME} file or a directory \
             holding one"
        ),
        _ => format!("cannot read tokenizer `{shown}`: {e}"),
    })?;
    if !metadata.is_dir() {
        return Ok(path.to_owned());
    }
    let file = path.join(FILE_NAME);
    match std::fs::metadata(&file) {
        Ok(_) => Ok(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "tokenizer directory `{shown}` holds no {FILE_NAME}; give the file itself, or a \
             model directory that has one"
        )
        .into()),
        Err(e) => Err(format!("cannot read tokenizer `{}`: {e}", file.display()).into()),
    }
}

/// The bytes of `file`, refused when it is not a regular file or is larger
/// than [`MAX_FILE_BYTES`].
fn read_capped(file: &Path) -> Result<Vec<u8>, BoxError> {
    let shown = file.display();
    let cannot_read = |e: std::io::Error| format!("cannot read tokenizer `{shown}`: {e}");
    let handle = File::open(file).map_err(cannot_read)?;
    let metadata = handle.metadata().map_err(cannot_read)?;
    if !metadata.is_file() {
        return Err(format!(
            "tokenizer `{shown}` is not a regular file; give a {FILE_NAME} file or a directory \
             holding one"
        )
        .into());
    }
    let too_large = |size: u64| {
        format!(
            "tokenizer `{shown}` is {size} bytes, more than the {MAX_FILE_BYTES} bytes a \
             {FILE_NAME} may be"
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large(metadata.len()).into());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // The file may grow while it is read: never read past the cap.
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64).into());
    }
    Ok(bytes)
}

impl Tokenizer for HfTokenizer {
    /// The ids of `text` without the post-processor's special tokens. Text
    /// the tokenizer cannot encode whole (a word-level vocabulary without
    /// an unknown token) is encoded word by word, leaving out the words it
    /// cannot encode.
    fn encode(&self, text: &str) -> Vec<u32> {
        match self.inner.encode_fast(text, false) {
            Ok(encoding) => encoding.get_ids().to_vec(),
            Err(_) => self.encode_by_word(text),
        }
    }

    /// The text of `tokens` through the file's decoder (special tokens
    /// kept); ids outside the vocabulary are skipped. If the decoder fails
    /// on the whole sequence, the ids are decoded one by one and the ones
    /// it can decode are joined.
    fn decode(&self, tokens: &[u32]) -> String {
        self.inner.decode(tokens, false).unwrap_or_else(|_| {
            tokens
                .iter()
                .filter_map(|t| self.inner.decode(std::slice::from_ref(t), false).ok())
                .collect()
        })
    }
}

impl Implementation<TokenizerCategory> for HfTokenizer {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "A Hugging Face tokenizer.json (the file, or a model \
                                       directory holding one), read with the tokenizers crate.";

    fn create(args: TokenizerArgs) -> Result<Self, BoxError> {
        let NoConfig {} = parse_config(&args.config)?;
        let path = args.path.ok_or(
            "the huggingface tokenizer needs a path: a tokenizer.json file or a directory \
             holding one (`--tokenizer PATH`)",
        )?;
        HfTokenizer::from_path(&path)
    }
}
