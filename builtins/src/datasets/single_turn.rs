//! `single_turn`: AIPerf's single-turn JSONL, one request per line, read
//! line by line when requests need them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{found, read_span};
use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::{CustomDatasetLoaderCategory, Dataset, DatasetEntry, LoaderArgs, Prompt};

/// The default longest line: 16 MiB.
const DEFAULT_MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// The largest `max_line_bytes` accepted: 1 GiB.
const MAX_MAX_LINE_BYTES: u64 = 1024 * 1024 * 1024;

/// The fields AIPerf accepts for images, audio and video, all refused:
/// this client sends text only.
const MEDIA_FIELDS: [&str; 7] = [
    "image",
    "images",
    "image_uuids",
    "audio",
    "audios",
    "video",
    "videos",
];

/// Config of [`SingleTurn`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleTurnConfig {
    /// The longest line accepted, in bytes (default 16 MiB, at most 1 GiB):
    /// a longer line is an error naming it, so a file that is not JSONL
    /// (one huge line) is never read into memory whole.
    #[serde(
        default = "default_max_line_bytes",
        deserialize_with = "aiperf_plugin_api::config::count"
    )]
    pub max_line_bytes: u64,
}

fn default_max_line_bytes() -> u64 {
    DEFAULT_MAX_LINE_BYTES
}

impl Default for SingleTurnConfig {
    fn default() -> Self {
        SingleTurnConfig {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// Where one entry's line is, and its number (from 1) for messages: 16
/// bytes.
#[derive(Debug, Clone, Copy)]
struct Line {
    offset: u64,
    len: u32,
    number: u32,
}

/// AIPerf's single-turn JSONL (`custom_dataset_loader/single_turn`,
/// identifier `jsonl_single_turn`): one JSON object per line, one request
/// each, in file order. Blank lines are skipped, and so is a UTF-8 byte
/// order mark at the start of the file.
///
/// | field | meaning |
/// |---|---|
/// | `text` | the prompt (a string) |
/// | `texts` | instead of `text`: a list of strings, or of `{"name", "contents": [..]}` objects; the first text is the prompt, the others are [`Prompt::passages`] (texts named `query`/`queries` and `passages` are the query and passages to rank) |
/// | `output_length` | [`Prompt::max_tokens`], a whole number >= 1 |
/// | `timestamp` | milliseconds from the trace's start ([`DatasetEntry::timestamp`], for `fixed_schedule`) |
/// | `delay` | milliseconds to wait before the request ([`DatasetEntry::delay`]); not together with a non-zero `timestamp` |
/// | `type` | `"single_turn"` when given |
/// | `session_id`, `role` | accepted and checked (strings), not used: each line is sent on its own as a user message |
///
/// Images, audio and video (`image`, `images`, `image_uuids`, `audio`,
/// `audios`, `video`, `videos`) are refused, naming the line: this client
/// sends text only. So is `extra` (per-request body fields). Other keys are
/// ignored, as AIPerf ignores them.
///
/// Creating the loader reads the file once, streaming, and checks every
/// line: the first bad one is an error naming the file, the line number and
/// the field, e.g. `data.jsonl:17: field "output_length": expected a whole
/// number >= 1, found "abc"`. It keeps each line's offset, length and
/// number (16 bytes a line), not its text; [`Dataset::entry`] reads the
/// line again with a positioned read and parses it. A line longer than
/// `max_line_bytes` is an error, so memory stays bounded whatever the file.
#[derive(Debug)]
pub struct SingleTurn {
    path: PathBuf,
    file: File,
    lines: Vec<Line>,
}

impl SingleTurn {
    /// Reads and checks the file at `path`.
    pub fn open(path: &Path, config: &SingleTurnConfig) -> Result<SingleTurn, BoxError> {
        let max_line = config.max_line_bytes;
        aiperf_plugin_api::config::require_positive("max_line_bytes", max_line)?;
        if max_line > MAX_MAX_LINE_BYTES {
            return Err(format!(
                "invalid config: `max_line_bytes` must be at most {MAX_MAX_LINE_BYTES}, got \
                 {max_line}"
            )
            .into());
        }
        let shown = path.display();
        let file = File::open(path).map_err(|e| format!("cannot open `{shown}`: {e}"))?;
        let reader_file = file
            .try_clone()
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        let mut reader = BufReader::with_capacity(64 * 1024, reader_file);
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        let (mut offset, mut number) = (0u64, 0u64);
        loop {
            buf.clear();
            // At most the line, its "\r\n", and one byte to tell it is too
            // long: never more in memory, however long the line.
            let read = (&mut reader)
                .take(max_line + 2)
                .read_until(b'\n', &mut buf)
                .map_err(|e| format!("cannot read `{shown}` after line {number}: {e}"))?;
            if read == 0 {
                break;
            }
            number += 1;
            let mut content = strip_newline(&buf);
            let mut start = offset;
            // A byte order mark some editors write is not part of the JSON.
            if number == 1 {
                if let Some(rest) = content.strip_prefix(b"\xEF\xBB\xBF") {
                    content = rest;
                    start += 3;
                }
            }
            if content.len() as u64 > max_line {
                return Err(format!(
                    "{shown}:{number}: the line is longer than {max_line} bytes \
                     (`max_line_bytes`); a single_turn file has one JSON object per line"
                )
                .into());
            }
            if !content.iter().all(u8::is_ascii_whitespace) {
                parse_line(content).map_err(|e| format!("{shown}:{number}: {e}"))?;
                lines.push(Line {
                    offset: start,
                    // At most MAX_MAX_LINE_BYTES, which fits.
                    len: content.len() as u32,
                    number: u32::try_from(number).map_err(|_| {
                        format!(
                            "{shown}:{number}: more than {} lines; split the file",
                            u32::MAX
                        )
                    })?,
                });
            }
            offset += read as u64;
        }
        if lines.is_empty() {
            return Err(format!(
                "`{shown}` has no entries (it is empty or blank); a single_turn file has one \
                 JSON object per line, e.g. {{\"text\": \"What is deep learning?\"}}"
            )
            .into());
        }
        lines.shrink_to_fit();
        Ok(SingleTurn {
            path: path.to_owned(),
            file,
            lines,
        })
    }

    /// The bytes this dataset keeps in memory for its entries: the index
    /// of line positions (16 bytes a line), whatever the lines hold.
    pub fn index_bytes(&self) -> usize {
        self.lines.capacity() * std::mem::size_of::<Line>()
    }
}

/// `line` without its `\n` or `\r\n`.
fn strip_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl Dataset for SingleTurn {
    fn len(&self) -> usize {
        self.lines.len()
    }

    fn entry(&self, index: usize) -> Result<DatasetEntry, BoxError> {
        let line = self.lines.get(index).ok_or_else(|| {
            format!(
                "no dataset entry {index} in `{}` (there are {})",
                self.path.display(),
                self.lines.len()
            )
        })?;
        let (shown, number) = (self.path.display(), line.number);
        let bytes = read_span(&self.file, line.offset, line.len).map_err(|e| {
            format!(
                "{shown}:{number}: cannot read the line again ({e}); was the file changed \
                 after it was checked?"
            )
        })?;
        parse_line(&bytes).map_err(|e| {
            format!("{shown}:{number}: the line changed after the file was checked: {e}").into()
        })
    }
}

impl Implementation<CustomDatasetLoaderCategory> for SingleTurn {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "AIPerf's single_turn JSONL (text/texts, output_length, \
                                       timestamp, delay), read a line at a time per request.";

    fn create(args: LoaderArgs) -> Result<Self, BoxError> {
        let config: SingleTurnConfig = parse_config(&args.config)?;
        SingleTurn::open(&args.path, &config)
    }
}

/// A line's entry, or what is wrong with it (without the file and line,
/// which the caller adds).
fn parse_line(bytes: &[u8]) -> Result<DatasetEntry, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a JSON object: {e}"))?;
    let Value::Object(fields) = value else {
        return Err(format!(
            "expected a JSON object such as {{\"text\": \"...\"}}, found {}",
            found(&value)
        ));
    };
    // AIPerf treats null, "", [] and 0 as absent (Python truthiness).
    let given = |key: &str| fields.get(key).filter(|v| is_truthy(v));
    if let Some(media) = MEDIA_FIELDS.iter().find(|key| given(key).is_some()) {
        return Err(format!(
            "field \"{media}\": images, audio and video are not supported; this client sends \
             text only (remove the field, or use a text-only dataset)"
        ));
    }
    if given("extra").is_some() {
        return Err(
            "field \"extra\": per-request body fields are not supported; set fields \
                    for every request in the endpoint's `extra` settings"
                .to_owned(),
        );
    }
    if let Some(kind) = fields.get("type").filter(|v| !v.is_null()) {
        if kind != "single_turn" {
            return Err(format!(
                "field \"type\": expected \"single_turn\", found {}; this loader reads \
                 single_turn files only",
                found(kind)
            ));
        }
    }
    for key in ["session_id", "role"] {
        optional_string(&fields, key)?;
    }
    let prompt = prompt(&fields)?;
    let timestamp = milliseconds(&fields, "timestamp")?;
    let delay = milliseconds(&fields, "delay")?;
    if given("timestamp").is_some() && given("delay").is_some() {
        return Err(
            "fields \"timestamp\" and \"delay\" cannot be set together: a timestamp \
                    schedules the request from the start, a delay from the previous one"
                .to_owned(),
        );
    }
    Ok(DatasetEntry {
        prompt,
        timestamp,
        delay,
        ..DatasetEntry::default()
    })
}

fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn optional_string<'v>(
    fields: &'v Map<String, Value>,
    key: &str,
) -> Result<Option<&'v str>, String> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "field \"{key}\": expected a string, found {}",
            found(other)
        )),
    }
}

/// The prompt: `text` or `texts`, and `output_length`.
fn prompt(fields: &Map<String, Value>) -> Result<Prompt, String> {
    let text = optional_string(fields, "text")?.filter(|t| !t.is_empty());
    let texts = match fields.get("texts") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => texts(items)?,
        Some(other) => {
            return Err(format!(
                "field \"texts\": expected a list of strings, found {}",
                found(other)
            ));
        }
    };
    let (text, passages) = match (text, texts.is_empty()) {
        (Some(_), false) => {
            return Err("fields \"text\" and \"texts\" cannot be set together".to_owned());
        }
        (Some(text), true) => (text.to_owned(), Vec::new()),
        (None, false) => first_and_rest(texts)?,
        (None, true) => {
            return Err(
                "no text: a line needs a non-empty \"text\" (a string) or \"texts\" \
                        (a list of strings)"
                    .to_owned(),
            );
        }
    };
    let max_tokens = match fields.get("output_length") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_u64()
                .filter(|&n| n >= 1)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    format!(
                        "field \"output_length\": expected a whole number >= 1 (at most \
                         {}), found {}",
                        u32::MAX,
                        found(value)
                    )
                })?,
        ),
    };
    Ok(Prompt {
        text,
        passages,
        max_tokens,
    })
}

/// A text of `texts`, with the name it was given (`None` for a plain
/// string).
type NamedText = (Option<String>, String);

/// The texts of a `texts` list: strings, or `{"name", "contents"}`
/// objects, flattened in order.
fn texts(items: &[Value]) -> Result<Vec<NamedText>, String> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push((None, s.clone())),
            Value::Object(object) => {
                let name = match object.get("name") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(name)) => Some(name.clone()),
                    Some(other) => {
                        return Err(format!(
                            "field \"texts[{i}].name\": expected a string, found {}",
                            found(other)
                        ));
                    }
                };
                match object.get("contents") {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(contents)) => {
                        for (j, content) in contents.iter().enumerate() {
                            let Value::String(content) = content else {
                                return Err(format!(
                                    "field \"texts[{i}].contents[{j}]\": expected a string, \
                                     found {}",
                                    found(content)
                                ));
                            };
                            out.push((name.clone(), content.clone()));
                        }
                    }
                    Some(other) => {
                        return Err(format!(
                            "field \"texts[{i}].contents\": expected a list of strings, found {}",
                            found(other)
                        ));
                    }
                }
            }
            other => {
                return Err(format!(
                    "field \"texts[{i}]\": expected a string or a {{\"name\", \"contents\"}} \
                     object, found {}",
                    found(other)
                ));
            }
        }
    }
    Ok(out)
}

/// The prompt and passages of a `texts` list: the texts named `query` or
/// `queries` and `passages` when there are any (AIPerf's rankings input),
/// otherwise the first text and the rest.
fn first_and_rest(texts: Vec<NamedText>) -> Result<(String, Vec<String>), String> {
    let named = |t: &NamedText, names: &[&str]| t.0.as_deref().is_some_and(|n| names.contains(&n));
    let ranking = texts
        .iter()
        .any(|t| named(t, &["query", "queries", "passages"]));
    if ranking {
        let query = texts
            .iter()
            .find(|t| named(t, &["query", "queries"]))
            .map(|t| t.1.clone())
            .ok_or(
                "field \"texts\": texts named \"passages\" need a text named \"query\" to \
                    rank them against",
            )?;
        let passages = texts
            .into_iter()
            .filter(|t| named(t, &["passages"]))
            .map(|t| t.1)
            .collect();
        return Ok((query, passages));
    }
    let mut texts = texts.into_iter().map(|t| t.1);
    let first = texts.next().unwrap_or_default();
    if first.is_empty() {
        return Err("field \"texts\": the first text is empty".to_owned());
    }
    Ok((first, texts.collect()))
}

/// A `timestamp` or `delay`: milliseconds, a number >= 0.
fn milliseconds(fields: &Map<String, Value>, key: &str) -> Result<Option<Duration>, String> {
    let value = match fields.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(value) => value,
    };
    // Through whole nanoseconds, so that 1500.5 ms is exactly 1,500,500 µs.
    value
        .as_f64()
        .map(|ms| (ms * 1e6).round())
        .filter(|ns| (0.0..=u64::MAX as f64).contains(ns))
        .map(|ns| Some(Duration::from_nanos(ns as u64)))
        .ok_or_else(|| {
            format!(
                "field \"{key}\": expected milliseconds, a number >= 0, found {}",
                found(value)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: &str) -> Result<DatasetEntry, String> {
        parse_line(json.as_bytes())
    }

    fn text(json: &str) -> (String, Vec<String>) {
        let prompt = line(json).unwrap().prompt;
        (prompt.text, prompt.passages)
    }

    #[test]
    fn every_field_becomes_its_part_of_the_entry() {
        let entry =
            line(r#"{"text": "What is AI?", "output_length": 64, "timestamp": 1500.5}"#).unwrap();
        assert_eq!(entry.prompt.text, "What is AI?");
        assert_eq!(entry.prompt.max_tokens, Some(64));
        assert_eq!(entry.timestamp, Some(Duration::from_micros(1_500_500)));
        assert_eq!(
            (entry.delay, entry.payload, entry.input_tokens),
            (None, None, None)
        );
        let entry = line(
            r#"{"type": "single_turn", "session_id": "s1", "role": "user", "delay": 250, "text": "Hi", "custom": [1]}"#,
        )
        .unwrap();
        assert_eq!(entry.delay, Some(Duration::from_millis(250)));
        // timestamp 0 with a delay is allowed (AIPerf: 0 is not "set").
        assert!(line(r#"{"text": "a", "timestamp": 0, "delay": 5}"#).is_ok());
    }

    #[test]
    fn texts_lists_give_the_prompt_and_passages() {
        assert_eq!(
            text(r#"{"texts": ["Who are you?", "Hello world"]}"#),
            ("Who are you?".into(), vec!["Hello world".into()])
        );
        assert_eq!(
            text(
                r#"{"texts": [{"name": "text_field_A", "contents": ["Hello", "World"]}, {"name": "text_field_B", "contents": ["Hi there"]}]}"#
            ),
            ("Hello".into(), vec!["World".into(), "Hi there".into()])
        );
        assert_eq!(
            text(
                r#"{"texts": [{"name": "passages", "contents": ["p1", "p2"]}, {"name": "query", "contents": ["q"]}]}"#
            ),
            ("q".into(), vec!["p1".into(), "p2".into()])
        );
    }

    #[test]
    fn each_mistake_names_its_field_and_what_is_valid() {
        let cases = [
            (
                r#"{"text": "a", "output_length": "abc"}"#,
                "field \"output_length\": expected a whole number >= 1 (at most 4294967295), \
                 found \"abc\"",
            ),
            (
                r#"{"text": "a", "output_length": 0}"#,
                "field \"output_length\": expected a whole number >= 1 (at most 4294967295), \
                 found 0",
            ),
            (
                r#"{"text": "a", "output_length": 2.5}"#,
                "field \"output_length\": expected a whole number >= 1 (at most 4294967295), \
                 found 2.5",
            ),
            (
                r#"{"text": "a", "timestamp": -1}"#,
                "field \"timestamp\": expected milliseconds, a number >= 0, found -1",
            ),
            (
                r#"{"text": "a", "delay": "soon"}"#,
                "field \"delay\": expected milliseconds, a number >= 0, found \"soon\"",
            ),
            (
                r#"{"text": "a", "timestamp": 5, "delay": 5}"#,
                "fields \"timestamp\" and \"delay\" cannot be set together: a timestamp \
                 schedules the request from the start, a delay from the previous one",
            ),
            (
                r#"{"text": 7}"#,
                "field \"text\": expected a string, found 7",
            ),
            (
                r#"{"text": "a", "texts": ["b"]}"#,
                "fields \"text\" and \"texts\" cannot be set together",
            ),
            (
                r#"{"texts": "b"}"#,
                "field \"texts\": expected a list of strings, found \"b\"",
            ),
            (
                r#"{"texts": ["a", 3]}"#,
                "field \"texts[1]\": expected a string or a {\"name\", \"contents\"} object, \
                 found 3",
            ),
            (
                r#"{"texts": [{"name": "x", "contents": ["a", null]}]}"#,
                "field \"texts[0].contents[1]\": expected a string, found null",
            ),
            (
                r#"{"texts": [{"name": "passages", "contents": ["p"]}]}"#,
                "field \"texts\": texts named \"passages\" need a text named \"query\" to rank \
                 them against",
            ),
            (
                r#"{"output_length": 5}"#,
                "no text: a line needs a non-empty \"text\" (a string) or \"texts\" (a list of \
                 strings)",
            ),
            (
                r#"{"text": ""}"#,
                "no text: a line needs a non-empty \"text\" (a string) or \"texts\" (a list of \
                 strings)",
            ),
            (
                r#"{"text": "a", "image": "/path/to/image.png"}"#,
                "field \"image\": images, audio and video are not supported; this client sends \
                 text only (remove the field, or use a text-only dataset)",
            ),
            (
                r#"{"text": "a", "audios": ["a.wav"]}"#,
                "field \"audios\": images, audio and video are not supported; this client sends \
                 text only (remove the field, or use a text-only dataset)",
            ),
            (
                r#"{"text": "a", "extra": {"temperature": 0}}"#,
                "field \"extra\": per-request body fields are not supported; set fields for \
                 every request in the endpoint's `extra` settings",
            ),
            (
                r#"{"type": "multi_turn", "text": "a"}"#,
                "field \"type\": expected \"single_turn\", found \"multi_turn\"; this loader \
                 reads single_turn files only",
            ),
            (
                r#"{"text": "a", "session_id": 12}"#,
                "field \"session_id\": expected a string, found 12",
            ),
            (
                r#"["text", "a"]"#,
                "expected a JSON object such as {\"text\": \"...\"}, found a list",
            ),
        ];
        for (json, message) in cases {
            assert_eq!(line(json).unwrap_err(), message, "{json}");
        }
        let e = line(r#"{"text": "a""#).unwrap_err();
        assert!(e.starts_with("not a JSON object: EOF while parsing"), "{e}");
        // Empty media fields are absent, as in AIPerf.
        assert!(line(r#"{"text": "a", "image": null, "images": [], "video": ""}"#).is_ok());
    }
}
