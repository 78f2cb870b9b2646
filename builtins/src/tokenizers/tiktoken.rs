//! `builtin`: tiktoken's `o200k_base` vocabulary (the GPT-4o family's), the
//! tokenizer AIPerf uses for `--tokenizer builtin`.

use std::sync::OnceLock;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;
use tiktoken_rs::CoreBPE;

use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::{Tokenizer, TokenizerArgs, TokenizerCategory};

/// The builtin tokenizer takes no settings; an empty struct so that any
/// field given is an error naming it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoConfig {}

/// The vocabulary, built once per process on first use (about 200,000
/// ranks decoded from the text tiktoken-rs embeds, and its regexes
/// compiled) and shared by every instance: it never changes, and building
/// it again per instance would cost time and tens of MB each.
static O200K_BASE: OnceLock<Result<CoreBPE, String>> = OnceLock::new();

fn vocabulary() -> Result<&'static CoreBPE, BoxError> {
    O200K_BASE
        .get_or_init(|| {
            tiktoken_rs::o200k_base()
                .map_err(|e| format!("could not build tiktoken's o200k_base vocabulary: {e}"))
        })
        .as_ref()
        .map_err(|e| e.clone().into())
}

/// tiktoken's `o200k_base` (`tokenizer/builtin`, identifier
/// `tiktoken_o200k_base`), through the `tiktoken-rs` crate, which embeds
/// the vocabulary: nothing is read from disk or the network.
///
/// The vocabulary is built when the first instance is created (its
/// one-time `load`), not at program start, and shared by all instances
/// afterwards. Special tokens such as `<|endoftext|>` are encoded as the
/// ordinary text they are.
#[derive(Clone, Copy)]
pub struct TiktokenO200k {
    bpe: &'static CoreBPE,
}

impl std::fmt::Debug for TiktokenO200k {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TiktokenO200k")
    }
}

impl TiktokenO200k {
    /// The tokenizer, building the shared vocabulary if this is the first
    /// one.
    pub fn new() -> Result<TiktokenO200k, BoxError> {
        Ok(TiktokenO200k { bpe: vocabulary()? })
    }
}

impl Tokenizer for TiktokenO200k {
    fn encode(&self, text: &str) -> Vec<u32> {
        self.bpe.encode_ordinary(text)
    }

    fn decode(&self, tokens: &[u32]) -> String {
        let bytes = self.bpe.decode_bytes(tokens).unwrap_or_else(|_| {
            // An id outside the vocabulary: decode token by token, skipping
            // the unknown ones (the trait's promise), instead of failing.
            tokens
                .iter()
                .filter_map(|t| self.bpe.decode_bytes(std::slice::from_ref(t)).ok())
                .flatten()
                .collect()
        });
        match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    fn count(&self, text: &str) -> usize {
        self.bpe.count_ordinary(text)
    }
}

impl Implementation<TokenizerCategory> for TiktokenO200k {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "tiktoken's o200k_base (GPT-4o's vocabulary), built in: AIPerf's `--tokenizer builtin`.";

    fn load() -> Result<(), BoxError> {
        vocabulary().map(|_| ())
    }

    fn create(args: TokenizerArgs) -> Result<Self, BoxError> {
        let NoConfig {} = parse_config(&args.config)?;
        if let Some(path) = &args.path {
            return Err(format!(
                "the builtin tokenizer (tiktoken o200k_base) has its vocabulary built in and \
                 reads no file, but it was given `{}`; for a Hugging Face tokenizer.json use \
                 the `huggingface` tokenizer, or give no path",
                path.display()
            )
            .into());
        }
        TiktokenO200k::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer() -> TiktokenO200k {
        TiktokenO200k::new().unwrap()
    }

    #[test]
    fn encodes_like_tiktoken_o200k_base() {
        // tiktoken (Python) 0.9: enc = get_encoding("o200k_base");
        // enc.encode("hello world") == [24912, 2375]
        let t = tokenizer();
        assert_eq!(t.encode("hello world"), [24912, 2375]);
        assert_eq!(t.count("hello world"), 2);
        assert_eq!(t.decode(&[24912, 2375]), "hello world");
        assert_eq!(t.encode(""), Vec::<u32>::new());
    }

    #[test]
    fn round_trips_text_and_counts_like_encode() {
        let t = tokenizer();
        for text in [
            "Shall I compare thee to a summer's day?",
            "Grüße, 世界! 🦀 tabs\tand\nnewlines",
            "    indented code();",
        ] {
            let tokens = t.encode(text);
            assert_eq!(t.decode(&tokens), text);
            assert_eq!(t.count(text), tokens.len());
        }
    }

    #[test]
    fn special_tokens_are_plain_text() {
        let t = tokenizer();
        let tokens = t.encode("<|endoftext|>");
        assert!(tokens.len() > 1, "{tokens:?}");
        assert!(!tokens.contains(&199_999), "{tokens:?}");
    }

    #[test]
    fn decode_skips_unknown_ids_and_replaces_broken_utf8() {
        let t = tokenizer();
        let mut tokens = t.encode("hello world");
        tokens.insert(1, 4_000_000_000);
        assert_eq!(t.decode(&tokens), "hello world");
        // A rare 4-byte character is split into byte-level tokens, the
        // first of which is not valid UTF-8 on its own.
        let hieroglyph = t.encode("\u{13000}");
        assert!(hieroglyph.len() > 1, "{hieroglyph:?}");
        assert!(t.decode(&hieroglyph[..1]).contains('\u{FFFD}'));
        assert_eq!(t.decode(&hieroglyph), "\u{13000}");
    }

    #[test]
    fn instances_share_one_vocabulary() {
        let (a, b) = (tokenizer(), tokenizer());
        assert!(std::ptr::eq(a.bpe, b.bpe));
    }

    #[test]
    fn a_path_or_a_setting_is_refused() {
        let e = TiktokenO200k::create(TokenizerArgs {
            path: Some("models/llama/tokenizer.json".into()),
            config: serde_json::Value::Null,
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("reads no file"), "{e}");
        assert!(e.contains("models/llama/tokenizer.json"), "{e}");
        assert!(e.contains("`huggingface`"), "{e}");
        let e = TiktokenO200k::create(TokenizerArgs {
            path: None,
            config: serde_json::json!({"vocab": "cl100k"}),
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("invalid config: unknown field `vocab`"),
            "{e}"
        );
    }
}
