//! The file loaders, `custom_dataset_loader/single_turn` and
//! `custom_dataset_loader/inputs_json`, on files written here: what each
//! entry holds, every kind of mistake (named by file, line or JSON path,
//! and field), and that memory holds positions, not entries.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aiperf_builtins::datasets::{InputsJson, SingleTurn, SingleTurnConfig};
use aiperf_plugin_api::{CustomDatasetLoaderFactory, Dataset, DatasetEntry, LoaderArgs};
use serde_json::json;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load(kind: &str, path: &Path, config: serde_json::Value) -> Result<Box<dyn Dataset>, String> {
    CustomDatasetLoaderFactory::create_instance(
        kind,
        LoaderArgs {
            path: path.to_owned(),
            config,
        },
    )
    .map_err(|e| e.to_string())
}

/// The error of a load that must fail.
fn load_error(kind: &str, path: &Path, config: serde_json::Value) -> String {
    match load(kind, path, config) {
        Ok(dataset) => panic!("{} loaded {} entries", path.display(), dataset.len()),
        Err(e) => e,
    }
}

fn entries(dataset: &dyn Dataset) -> Vec<DatasetEntry> {
    (0..dataset.len())
        .map(|i| dataset.entry(i).unwrap())
        .collect()
}

fn single_turn_error(text: &str) -> String {
    let dir = aiperf_test_support::scratch_dir("single-turn-error");
    let path = write(dir.path(), "data.jsonl", text);
    let error = SingleTurn::open(&path, &SingleTurnConfig::default())
        .unwrap_err()
        .to_string();
    let prefix = format!("{}:", path.display());
    error
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{error:?} does not start with the file"))
        .to_owned()
}

#[test]
fn single_turn_reads_aiperf_s_examples_in_order_skipping_blank_lines() {
    let dir = aiperf_test_support::scratch_dir("single-turn");
    let path = write(
        dir.path(),
        "data.jsonl",
        "{\"text\": \"What is deep learning?\"}\n\
         \n   \t\n\
         {\"texts\": [\"Who are you?\", \"Hello world\"], \"output_length\": 32}\r\n\
         {\"timestamp\": 1000, \"text\": \"Who are you?\", \"session_id\": \"a\"}\n\
         {\"delay\": 1234, \"text\": \"What is AI?\", \"type\": \"single_turn\"}",
    );
    let dataset = load("single_turn", &path, serde_json::Value::Null).unwrap();
    assert_eq!(dataset.len(), 4);
    let all = entries(&*dataset);
    assert_eq!(all[0].prompt.text, "What is deep learning?");
    assert_eq!(all[1].prompt.text, "Who are you?");
    assert_eq!(all[1].prompt.passages, ["Hello world"]);
    assert_eq!(all[1].prompt.max_tokens, Some(32));
    assert_eq!(all[2].timestamp, Some(Duration::from_secs(1)));
    assert_eq!(all[3].delay, Some(Duration::from_millis(1234)));
    assert!(
        all.iter()
            .all(|e| e.payload.is_none() && e.input_tokens.is_none())
    );
    // A byte order mark before the first line is not part of it.
    let bom = write(
        dir.path(),
        "bom.jsonl",
        "\u{FEFF}{\"text\": \"a\"}\n{\"text\": \"b\"}\n",
    );
    let with_bom = load("single_turn", &bom, serde_json::Value::Null).unwrap();
    assert_eq!(with_bom.entry(0).unwrap().prompt.text, "a");
    assert_eq!(with_bom.entry(1).unwrap().prompt.text, "b");
    // Out of range: an error, not a panic.
    let e = dataset.entry(4).unwrap_err().to_string();
    assert!(
        e.contains("no dataset entry 4") && e.contains("there are 4"),
        "{e}"
    );
}

#[test]
fn a_bad_line_is_named_by_file_line_and_field() {
    assert_eq!(
        single_turn_error("{\"text\": \"a\"}\n\n{\"text\": \"b\", \"output_length\": \"abc\"}\n"),
        "3: field \"output_length\": expected a whole number >= 1 (at most 4294967295), found \
         \"abc\""
    );
    assert_eq!(
        single_turn_error("{\"text\": \"a\", \"images\": [\"/cat.png\"]}\n"),
        "1: field \"images\": images, audio and video are not supported; this client sends text \
         only (remove the field, or use a text-only dataset)"
    );
    let e = single_turn_error("{\"text\": \"a\"}\n{\"text\": \"b\",}\n");
    assert!(
        e.starts_with("2: not a JSON object: trailing comma at line 1 column 14"),
        "{e}"
    );
    // Through the registry, the message is the same.
    let dir = aiperf_test_support::scratch_dir("single-turn-registry");
    let path = write(dir.path(), "data.jsonl", "{\"txt\": \"a\"}\n");
    let e = load_error("single_turn", &path, serde_json::Value::Null);
    assert!(
        e.contains(&format!(
            "{}:1: no text: a line needs a non-empty \"text\"",
            path.display()
        )),
        "{e}"
    );
}

#[test]
fn an_empty_missing_or_unreadable_file_is_an_error_naming_it() {
    let dir = aiperf_test_support::scratch_dir("single-turn-empty");
    let empty = write(dir.path(), "empty.jsonl", "\n\n  \n");
    let e = SingleTurn::open(&empty, &SingleTurnConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("`{}` has no entries", empty.display())),
        "{e}"
    );
    let missing = dir.path().join("missing.jsonl");
    let e = SingleTurn::open(&missing, &SingleTurnConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("cannot open `{}`: ", missing.display())),
        "{e}"
    );
    // A directory opens on Unix but cannot be read.
    let e = SingleTurn::open(dir.path(), &SingleTurnConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains(&dir.path().display().to_string()), "{e}");
}

#[test]
fn a_line_over_max_line_bytes_is_refused_without_reading_it_whole() {
    let dir = aiperf_test_support::scratch_dir("single-turn-long");
    let long = format!("{{\"text\": \"{}\"}}", "a".repeat(200));
    let path = write(
        dir.path(),
        "data.jsonl",
        &format!("{{\"text\": \"short\"}}\n{long}\n"),
    );
    let config = SingleTurnConfig {
        max_line_bytes: 100,
    };
    let e = SingleTurn::open(&path, &config).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:2: the line is longer than 100 bytes (`max_line_bytes`); a single_turn file \
             has one JSON object per line",
            path.display()
        )
    );
    // Exactly at the limit, with "\r\n", is fine.
    let exact = format!("{{\"text\": \"{}\"}}", "b".repeat(100 - 12));
    assert_eq!(exact.len(), 100);
    let path = write(dir.path(), "exact.jsonl", &format!("{exact}\r\n{exact}"));
    assert_eq!(SingleTurn::open(&path, &config).unwrap().len(), 2);
    // The setting is checked.
    let e = load_error("single_turn", &path, json!({"max_line_bytes": 0}));
    assert!(
        e.contains("`max_line_bytes` must be at least 1, got 0"),
        "{e}"
    );
    let e = load_error("single_turn", &path, json!({"max_line_size": 10}));
    assert!(e.contains("unknown field `max_line_size`"), "{e}");
}

/// 4,000 lines of about 2 KB each (8 MB): the dataset keeps 16 bytes a
/// line, and reads each entry back from the file.
#[test]
fn single_turn_memory_is_an_index_of_lines_not_their_text() {
    let dir = aiperf_test_support::scratch_dir("single-turn-large");
    let path = dir.path().join("large.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let lines = 4_000;
    for i in 0..lines {
        let text = format!("prompt {i} {}", "lorem ipsum ".repeat(170));
        writeln!(file, "{}", json!({"text": text, "output_length": i + 1})).unwrap();
    }
    file.into_inner().unwrap().sync_all().unwrap();
    let file_bytes = std::fs::metadata(&path).unwrap().len() as usize;
    assert!(file_bytes > 8_000_000, "{file_bytes}");

    let dataset = SingleTurn::open(&path, &SingleTurnConfig::default()).unwrap();
    assert_eq!(dataset.len(), lines);
    assert_eq!(dataset.index_bytes(), 16 * lines);
    assert!(dataset.index_bytes() * 100 < file_bytes);
    for i in [0, 1, 1_234, lines - 1] {
        let entry = dataset.entry(i).unwrap();
        assert!(entry.prompt.text.starts_with(&format!("prompt {i} lorem")));
        assert_eq!(entry.prompt.max_tokens, Some(i as u32 + 1));
    }
}

#[test]
fn a_line_changed_after_loading_is_an_error_naming_it() {
    let dir = aiperf_test_support::scratch_dir("single-turn-changed");
    let path = write(
        dir.path(),
        "data.jsonl",
        "{\"text\": \"a\"}\n{\"text\": \"b\"}\n",
    );
    let dataset = SingleTurn::open(&path, &SingleTurnConfig::default()).unwrap();
    // Same length, no longer valid.
    std::fs::write(&path, "{\"text\": \"a\"}\n{\"text\": 12 }\n").unwrap();
    let e = dataset.entry(1).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:2: the line changed after the file was checked: field \"text\": expected a \
             string, found 12",
            path.display()
        )
    );
    // Truncated: the line is gone.
    std::fs::write(&path, "{}").unwrap();
    let e = dataset.entry(1).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}:2: cannot read the line again", path.display())),
        "{e}"
    );
}

const INPUTS_JSON: &str = r#"{
  "data": [
    {"session_id": "s0", "payloads": [
      {"model": "m", "messages": [{"role": "user", "content": "Hello there"}], "max_completion_tokens": 16, "stream": true},
      {"model": "m", "messages": [{"role": "user", "content": "And again"}]}
    ]},
    {"payloads": [{"model": "m", "prompt": "Once upon a time", "max_tokens": 8}], "session_id": "s1", "extra": {"kept": "out"}}
  ],
  "ignored": true
}"#;

#[test]
fn inputs_json_replays_each_payload_as_it_is() {
    let dir = aiperf_test_support::scratch_dir("inputs-json");
    let path = write(dir.path(), "inputs.json", INPUTS_JSON);
    let dataset = load("inputs_json", &path, serde_json::Value::Null).unwrap();
    assert_eq!(dataset.len(), 3);
    let all = entries(&*dataset);
    assert_eq!(
        all[0].payload,
        Some(
            json!({"model": "m", "messages": [{"role": "user", "content": "Hello there"}], "max_completion_tokens": 16, "stream": true})
        )
    );
    assert_eq!(all[0].prompt.text, "Hello there");
    assert_eq!(all[0].prompt.max_tokens, Some(16));
    assert_eq!(all[1].prompt.text, "And again");
    assert_eq!(
        all[2].payload,
        Some(json!({"model": "m", "prompt": "Once upon a time", "max_tokens": 8}))
    );
    assert_eq!(all[2].prompt.text, "Once upon a time");
    assert_eq!(all[2].prompt.max_tokens, Some(8));
    let e = load_error("inputs_json", &path, json!({"spool": false}));
    assert!(e.contains("unknown field `spool`"), "{e}");
}

fn inputs_json_error(text: &str) -> String {
    let dir = aiperf_test_support::scratch_dir("inputs-json-error");
    let path = write(dir.path(), "inputs.json", text);
    let error = InputsJson::open(&path).unwrap_err().to_string();
    let prefix = format!("{}: ", path.display());
    match error.strip_prefix(&prefix) {
        Some(rest) => rest.to_owned(),
        None => error.replace(&path.display().to_string(), "FILE"),
    }
}

#[test]
fn a_malformed_inputs_json_names_the_json_path() {
    let cases = [
        (
            r#"{"data": [{"session_id": "a", "payloads": [{"x": 1}]}, {"session_id": "b", "payloads": [{"x": 2}, ["not", "a", "body"]]}]}"#,
            "data[1].payloads[1]: expected a request body (an object), found a list at line 1 \
             column 119",
        ),
        (
            r#"{"data": [{"payloads": [{"x": 1}]}]}"#,
            "data[0]: missing \"session_id\" (a string naming the session) at line 1 column 34",
        ),
        (
            r#"{"data": [{"session_id": 5, "payloads": [{"x": 1}]}]}"#,
            "data[0].session_id: expected a string, found 5 at line 1 column 27",
        ),
        (
            r#"{"data": [{"session_id": "a"}]}"#,
            "data[0]: missing \"payloads\" (the list of request bodies) at line 1 column 29",
        ),
        (
            r#"{"data": [{"session_id": "a", "payloads": []}]}"#,
            "data[0].payloads: empty; a session needs at least one request body at line 1 \
             column 45",
        ),
        (
            r#"{"data": [{"session_id": "a", "payloads": {"x": 1}}]}"#,
            "invalid type: map, expected data[0].payloads to be a list of request bodies at line \
             1 column 43",
        ),
        (
            r#"{"data": [{"session_id": "a", "payloads": [{}]}, {"session_id": "a", "payloads": [{}]}]}"#,
            "data[1]: session_id \"a\" is already used by an earlier session; each session_id \
             must be unique at line 1 column 86",
        ),
        (
            r#"{"data": ["s0"]}"#,
            "invalid type: string \"s0\", expected data[0] to be a session {\"session_id\": \
             \"...\", \"payloads\": [...]} at line 1 column 14",
        ),
        (
            r#"{"data": {"session_id": "a"}}"#,
            "invalid type: map, expected \"data\" to be a list of sessions at line 1 column 10",
        ),
        (
            r#"{"sessions": []}"#,
            "no \"data\" list of sessions at the top level; an inputs.json is {\"data\": \
             [{\"session_id\": \"...\", \"payloads\": [...]}]} at line 1 column 16",
        ),
        (
            r#"[{"session_id": "a"}]"#,
            "invalid type: sequence, expected an inputs.json object {\"data\": [{\"session_id\": \
             \"...\", \"payloads\": [...]}]} at line 1 column 1",
        ),
        (
            r#"{"data": [{"session_id": "a", "payloads": [{"x": 1}]}]} trailing"#,
            "trailing characters at line 1 column 57",
        ),
        (
            r#"{"data": [{"session_id": "a", "payloads": [{"x": 1"#,
            "EOF while parsing an object at line 1 column 50",
        ),
        (
            r#"{"data": []}"#,
            "`FILE` has no sessions (its \"data\" list is empty); an inputs.json is {\"data\": \
             [{\"session_id\": \"...\", \"payloads\": [{...}]}]}",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(inputs_json_error(text), message, "{text}");
    }
    let dir = aiperf_test_support::scratch_dir("inputs-json-missing");
    let missing = dir.path().join("inputs.json");
    let e = InputsJson::open(&missing).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("cannot open `{}`: ", missing.display())),
        "{e}"
    );
}

/// 2,000 payloads of about 2 KB each, pretty-printed (5 MB): the dataset
/// keeps 16 bytes a payload and 4 a session, and reads each back from its
/// spool file.
#[test]
fn inputs_json_memory_is_an_index_of_payloads_not_their_bodies() {
    let dir = aiperf_test_support::scratch_dir("inputs-json-large");
    let path = dir.path().join("inputs.json");
    let sessions: Vec<serde_json::Value> = (0..500)
        .map(|s| {
            let payloads: Vec<_> = (0..4)
                .map(|p| {
                    json!({"model": "m", "messages": [{"role": "user",
                        "content": format!("s{s} p{p} {}", "lorem ipsum ".repeat(170))}]})
                })
                .collect();
            json!({"session_id": format!("session-{s}"), "payloads": payloads})
        })
        .collect();
    let text = serde_json::to_string_pretty(&json!({ "data": sessions })).unwrap();
    std::fs::write(&path, &text).unwrap();
    assert!(text.len() > 4_000_000, "{}", text.len());

    let dataset = InputsJson::open(&path).unwrap();
    assert_eq!(dataset.len(), 2_000);
    assert_eq!(dataset.index_bytes(), 16 * 2_000 + 4 * 500);
    assert!(dataset.index_bytes() * 100 < text.len());
    for (i, s, p) in [(0, 0, 0), (7, 1, 3), (1_999, 499, 3)] {
        let entry = dataset.entry(i).unwrap();
        assert!(
            entry.prompt.text.starts_with(&format!("s{s} p{p} lorem")),
            "{i}"
        );
        assert_eq!(entry.payload.unwrap()["model"], "m");
    }
}
