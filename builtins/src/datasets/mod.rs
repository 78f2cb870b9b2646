//! Builtin datasets: the `synthetic` composer (prompts of a target token
//! length) and the file loaders (`single_turn` JSONL, a replayed
//! `inputs.json`).
//!
//! The loaders check the whole file when they are created and keep only
//! where each entry is (a byte offset and a length), never the entries:
//! [`Dataset::entry`](aiperf_plugin_api::Dataset::entry) reads the one it
//! is asked for with a positioned read, so a file of any size costs a few
//! bytes of memory per entry.

mod inputs_json;
mod single_turn;
mod synthetic;

pub use inputs_json::InputsJson;
pub use single_turn::{SingleTurn, SingleTurnConfig};
pub use synthetic::{MAX_LENGTH, MAX_TOTAL_TOKENS, Synthetic, SyntheticConfig};

use std::fs::File;
use std::io;

use serde_json::Value;

/// Reads `buf.len()` bytes of `file` at `offset`, without moving (or
/// needing) a shared cursor, so that entries can be read through `&self`.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let (mut buf, mut offset) = (buf, offset);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file.try_clone()?;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// The `len` bytes of `file` at `offset`.
fn read_span(file: &File, offset: u64, len: u32) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len as usize];
    read_at(file, &mut bytes, offset)?;
    Ok(bytes)
}

/// How a value is shown in an error: short values as JSON, long strings
/// cut, lists and objects by kind.
fn found(value: &Value) -> String {
    const MAX_CHARS: usize = 40;
    match value {
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::String(s) if s.chars().count() > MAX_CHARS => {
            let cut: String = s.chars().take(MAX_CHARS).collect();
            format!(
                "{}...",
                &Value::String(cut).to_string().trim_end_matches('"')
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shown_short() {
        assert_eq!(found(&serde_json::json!("abc")), "\"abc\"");
        assert_eq!(found(&serde_json::json!(-3)), "-3");
        assert_eq!(found(&serde_json::json!(null)), "null");
        assert_eq!(found(&serde_json::json!([1])), "a list");
        assert_eq!(found(&serde_json::json!({"a": 1})), "an object");
        let long = "x".repeat(100);
        assert_eq!(
            found(&Value::String(long)),
            format!("\"{}...", "x".repeat(40))
        );
    }

    #[test]
    fn positioned_reads_read_where_asked_and_fail_past_the_end() {
        use std::io::Write;
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789").unwrap();
        assert_eq!(read_span(&file, 3, 4).unwrap(), b"3456");
        assert_eq!(
            read_span(&file, 8, 4).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
    }
}
