//! The `huggingface` tokenizer on small hand-written `tokenizer.json`
//! files (`tests/fixtures/`): counting, decoding, and every way a path can
//! be wrong.

use std::path::{Path, PathBuf};

use aiperf_plugin_api::{Tokenizer, TokenizerArgs};
use aiperf_plugin_hf_tokenizers::HfTokenizer;
use registry_core::{BoxError, Implementation};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn create(path: Option<&Path>, config: serde_json::Value) -> Result<HfTokenizer, BoxError> {
    HfTokenizer::create(TokenizerArgs {
        path: path.map(Path::to_owned),
        config,
    })
}

fn open(path: &Path) -> HfTokenizer {
    create(Some(path), serde_json::Value::Null).unwrap()
}

fn error(path: Option<&Path>) -> String {
    create(path, serde_json::Value::Null)
        .unwrap_err()
        .to_string()
}

/// The word-level fixture: lowercase, split on whitespace and punctuation,
/// a post-processor adding `[CLS]` and `[SEP]`, truncation at 4 tokens.
#[test]
fn a_directory_holding_tokenizer_json_is_read_and_counts_whole_prompts() {
    let dir = fixture("wordlevel");
    let t = open(&dir);
    assert_eq!(t.path(), dir.join("tokenizer.json"));
    // 11 tokens: the file's truncation at 4 is off, and no [CLS] (1) or
    // [SEP] (2) is added.
    let ids = t.encode("Shall I compare thee to a summer's day?");
    assert_eq!(ids, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    assert_eq!(t.count("Shall I compare thee to a summer's day?"), 11);
    // A word the vocabulary lacks is its unknown token.
    assert_eq!(t.encode("shall we"), [3, 0]);
    // No decoder in the file: tokens joined by spaces; unknown ids skipped.
    assert_eq!(t.decode(&[3, 4, 999, 5]), "shall i compare");
    assert_eq!(t.decode(&[]), "");
}

#[test]
fn a_bpe_file_given_directly_merges_and_decodes() {
    let t = open(&fixture("bpe.json"));
    assert_eq!(t.encode("hello world"), [18, 19, 20, 13]);
    assert_eq!(t.decode(&[18, 19, 20, 13]), "hello world");
    assert_eq!(t.count("hello hello"), 2);
}

/// A word-level vocabulary whose unknown token is not in it cannot encode
/// a text with an unknown word at all: the words it can encode still count.
#[test]
fn text_that_does_not_encode_whole_is_counted_word_by_word() {
    let scratch = aiperf_test_support::scratch_dir("hf-no-unk");
    let json = std::fs::read_to_string(fixture("wordlevel/tokenizer.json"))
        .unwrap()
        .replace(
            r#""unk_token": "[UNK]""#,
            r#""unk_token": "[NOT-IN-VOCAB]""#,
        );
    let path = scratch.path().join("tokenizer.json");
    std::fs::write(&path, json).unwrap();
    let t = open(&path);
    assert_eq!(t.encode("shall xyzzy compare thee"), [3, 5, 6]);
    assert_eq!(t.encode("shall compare"), [3, 5]);
}

#[test]
fn a_missing_path_file_or_directory_entry_is_an_error_naming_it() {
    let e = error(None);
    assert!(e.contains("needs a path"), "{e}");
    assert!(e.contains("tokenizer.json"), "{e}");

    let missing = fixture("no-such-model");
    let e = error(Some(&missing));
    assert_eq!(
        e,
        format!(
            "tokenizer `{}` does not exist; give a tokenizer.json file or a directory holding one",
            missing.display()
        )
    );

    // The fixtures directory holds bpe.json, not tokenizer.json.
    let e = error(Some(&fixture("")));
    assert!(e.contains("holds no tokenizer.json"), "{e}");
    assert!(e.contains(&fixture("").display().to_string()), "{e}");
}

#[test]
fn a_malformed_file_is_an_error_naming_it_and_saying_where() {
    let scratch = aiperf_test_support::scratch_dir("hf-malformed");
    for (name, text, says) in [
        (
            "truncated.json",
            r#"{"version": "1.0", "model": {"#,
            "EOF while parsing",
        ),
        (
            "not-json.json",
            "vocab = 3",
            "expected value at line 1 column 1",
        ),
        (
            "no-model.json",
            r#"{"version": "1.0", "added_tokens": []}"#,
            "Model missing",
        ),
        ("empty.json", "", "EOF while parsing"),
    ] {
        let path = scratch.path().join(name);
        std::fs::write(&path, text).unwrap();
        let e = error(Some(&path));
        assert!(
            e.starts_with(&format!(
                "`{}` is not a valid Hugging Face tokenizer.json: ",
                path.display()
            )),
            "{name}: {e}"
        );
        assert!(e.contains(says), "{name}: {e}");
    }
}

#[cfg(unix)]
#[test]
fn a_device_is_not_read() {
    let e = error(Some(Path::new("/dev/zero")));
    assert_eq!(
        e,
        "tokenizer `/dev/zero` is not a regular file; give a tokenizer.json file or a directory \
         holding one"
    );
}

#[test]
fn settings_are_refused_by_name() {
    let e = create(
        Some(&fixture("bpe.json")),
        serde_json::json!({"add_special_tokens": true}),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("invalid config: unknown field `add_special_tokens`"),
        "{e}"
    );
}

#[test]
fn tokenizers_are_shared_across_threads() {
    let t = std::sync::Arc::new(open(&fixture("wordlevel")));
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let t = t.clone();
                s.spawn(move || t.count(&"thee ".repeat(i + 1)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(counts, [1, 2, 3, 4]);
}
