//! `inputs_json`: AIPerf's `inputs.json`, every request body replayed as
//! it is.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{found, read_span};
use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::{CustomDatasetLoaderCategory, Dataset, DatasetEntry, LoaderArgs, Prompt};

/// The loader takes no settings; any field given is an error naming it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoConfig {}

/// Where one payload is in the spool file, and the session it came from
/// (`data[session]`) for messages: 16 bytes.
#[derive(Debug, Clone, Copy)]
struct Payload {
    offset: u64,
    len: u32,
    session: u32,
}

/// AIPerf's `inputs.json` (`custom_dataset_loader/inputs_json`, identifier
/// `inputs_json_replay`): `{"data": [{"session_id": "...", "payloads":
/// [{...}, ...]}, ...]}`, the request bodies an earlier run sent. Each
/// payload is one entry, in file order, sent as it is
/// ([`DatasetEntry::payload`]) instead of the endpoint's format of a
/// prompt.
///
/// Each entry's [`Prompt::text`] is the payload's prompt when one is found,
/// so its input tokens can be counted: the last user message of
/// `messages` (its string content, or its text parts joined by newlines),
/// else `prompt`, else `input`, else a rankings `query`. Its
/// [`Prompt::max_tokens`] is `max_completion_tokens`, `max_tokens` or
/// `max_output_tokens` when the payload has one.
///
/// As in AIPerf, every session needs a `session_id` (a string, unique in
/// the file) and a non-empty `payloads` list of objects; other keys are
/// ignored. A mistake is an error naming the file and the JSON path, e.g.
/// `inputs.json: data[3].payloads[0]: expected a request body (an object),
/// found a list at line 40 column 9`.
///
/// Memory: the file is parsed once, streaming, and each payload is written
/// compactly to an anonymous temporary file (in the system's temporary
/// directory, `TMPDIR`; removed by the OS when the dataset is dropped or
/// the process ends) as soon as it is read; only offsets stay in memory
/// (16 bytes a payload, plus the session ids while checking them), and
/// [`Dataset::entry`] reads one payload back. So a large file costs disk,
/// not memory: at most one payload is held at a time.
#[derive(Debug)]
pub struct InputsJson {
    path: PathBuf,
    spool: File,
    payloads: Vec<Payload>,
    /// The index of each session's first payload.
    session_starts: Vec<u32>,
}

impl InputsJson {
    /// Reads and checks the file at `path`, spooling its payloads.
    pub fn open(path: &Path) -> Result<InputsJson, BoxError> {
        let shown = path.display();
        let file = File::open(path).map_err(|e| format!("cannot open `{shown}`: {e}"))?;
        let spool = tempfile::tempfile().map_err(|e| {
            format!(
                "cannot create a temporary file to hold the payloads of `{shown}` (in {}): {e}",
                std::env::temp_dir().display()
            )
        })?;
        let mut reading = Reading {
            spool: BufWriter::new(spool),
            written: 0,
            payloads: Vec::new(),
            session_starts: Vec::new(),
            session_ids: HashSet::new(),
            spool_error: None,
        };
        let mut deserializer =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, file));
        let parsed = TopLevel(&mut reading)
            .deserialize(&mut deserializer)
            .and_then(|()| deserializer.end());
        if let Some(e) = reading.spool_error.take() {
            return Err(format!(
                "cannot write the payloads of `{shown}` to a temporary file (in {}): {e}",
                std::env::temp_dir().display()
            )
            .into());
        }
        parsed.map_err(|e| format!("{shown}: {e}"))?;
        if reading.payloads.is_empty() {
            return Err(format!(
                "`{shown}` has no sessions (its \"data\" list is empty); an inputs.json is \
                 {{\"data\": [{{\"session_id\": \"...\", \"payloads\": [{{...}}]}}]}}"
            )
            .into());
        }
        let spool = reading
            .spool
            .into_inner()
            .map_err(|e| format!("cannot write the payloads of `{shown}`: {}", e.error()))?;
        let (mut payloads, mut session_starts) = (reading.payloads, reading.session_starts);
        payloads.shrink_to_fit();
        session_starts.shrink_to_fit();
        Ok(InputsJson {
            path: path.to_owned(),
            spool,
            payloads,
            session_starts,
        })
    }

    /// The bytes this dataset keeps in memory for its entries: the index
    /// of payload positions (16 bytes a payload, 4 a session), whatever
    /// the payloads hold.
    pub fn index_bytes(&self) -> usize {
        self.payloads.capacity() * std::mem::size_of::<Payload>()
            + self.session_starts.capacity() * std::mem::size_of::<u32>()
    }
}

impl Dataset for InputsJson {
    fn len(&self) -> usize {
        self.payloads.len()
    }

    fn entry(&self, index: usize) -> Result<DatasetEntry, BoxError> {
        let shown = self.path.display();
        let payload = self.payloads.get(index).ok_or_else(|| {
            format!(
                "no dataset entry {index} in `{shown}` (there are {})",
                self.payloads.len()
            )
        })?;
        let first = self.session_starts[payload.session as usize] as usize;
        let at = format!("data[{}].payloads[{}]", payload.session, index - first);
        let bytes = read_span(&self.spool, payload.offset, payload.len).map_err(|e| {
            format!("{shown}: {at}: cannot read the payload back from its temporary file: {e}")
        })?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{shown}: {at}: the payload's temporary copy is damaged: {e}"))?;
        Ok(DatasetEntry {
            prompt: prompt_of(&body),
            payload: Some(body),
            ..DatasetEntry::default()
        })
    }
}

impl Implementation<CustomDatasetLoaderCategory> for InputsJson {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "AIPerf's inputs.json: every payload replayed as it is \
                                       (spooled to a temporary file, read per request).";

    fn create(args: LoaderArgs) -> Result<Self, BoxError> {
        let NoConfig {} = parse_config(&args.config)?;
        InputsJson::open(&args.path)
    }
}

/// What the streaming parse collects.
struct Reading {
    spool: BufWriter<File>,
    written: u64,
    payloads: Vec<Payload>,
    session_starts: Vec<u32>,
    session_ids: HashSet<String>,
    /// A failed write to the spool, reported as itself rather than as the
    /// parse error it has to be raised as.
    spool_error: Option<std::io::Error>,
}

impl Reading {
    fn spool_payload<E: de::Error>(
        &mut self,
        body: &Value,
        session: u32,
        payload: u32,
    ) -> Result<(), E> {
        let bytes = serde_json::to_vec(body).map_err(E::custom)?;
        let too_large = || {
            E::custom(format!(
                "data[{session}].payloads[{payload}]: the payload is {} bytes, more than the \
                 {} one payload may be",
                bytes.len(),
                u32::MAX
            ))
        };
        let len = u32::try_from(bytes.len()).map_err(|_| too_large())?;
        if let Err(e) = self.spool.write_all(&bytes) {
            let message = format!("cannot write to the temporary file: {e}");
            self.spool_error = Some(e);
            return Err(E::custom(message));
        }
        if payload == 0 {
            let first = u32::try_from(self.payloads.len())
                .map_err(|_| E::custom(format!("more than {} payloads", u32::MAX)))?;
            self.session_starts.push(first);
        }
        self.payloads.push(Payload {
            offset: self.written,
            len,
            session,
        });
        self.written += u64::from(len);
        Ok(())
    }
}

/// `{"data": [...]}`; other top-level keys are skipped.
struct TopLevel<'r>(&'r mut Reading);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an inputs.json object {\"data\": [{\"session_id\": \"...\", \"payloads\": [...]}]}",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut data = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "data" {
                if data {
                    return Err(de::Error::custom("\"data\" is given twice"));
                }
                data = true;
                map.next_value_seed(Sessions(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !data {
            return Err(de::Error::custom(
                "no \"data\" list of sessions at the top level; an inputs.json is {\"data\": \
                 [{\"session_id\": \"...\", \"payloads\": [...]}]}",
            ));
        }
        Ok(())
    }
}

/// The `data` list.
struct Sessions<'r>(&'r mut Reading);

impl<'de> DeserializeSeed<'de> for Sessions<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Sessions<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"data\" to be a list of sessions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index: u32 = 0;
        while seq
            .next_element_seed(Session {
                reading: &mut *self.0,
                index,
            })?
            .is_some()
        {
            index = index
                .checked_add(1)
                .ok_or_else(|| de::Error::custom("more than 4294967295 sessions"))?;
        }
        Ok(())
    }
}

/// `data[index]`: `{"session_id": "...", "payloads": [...]}`.
struct Session<'r> {
    reading: &'r mut Reading,
    index: u32,
}

impl<'de> DeserializeSeed<'de> for Session<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Session<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "data[{}] to be a session {{\"session_id\": \"...\", \"payloads\": [...]}}",
            self.index
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = format!("data[{}]", self.index);
        let mut session_id: Option<String> = None;
        let mut payloads: Option<u32> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "session_id" => match map.next_value::<Value>()? {
                    Value::String(id) => session_id = Some(id),
                    other => {
                        return Err(de::Error::custom(format!(
                            "{at}.session_id: expected a string, found {}",
                            found(&other)
                        )));
                    }
                },
                "payloads" => {
                    if payloads.is_some() {
                        return Err(de::Error::custom(format!(
                            "{at}: \"payloads\" is given twice"
                        )));
                    }
                    payloads = Some(map.next_value_seed(Payloads {
                        reading: &mut *self.reading,
                        session: self.index,
                    })?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(session_id) = session_id else {
            return Err(de::Error::custom(format!(
                "{at}: missing \"session_id\" (a string naming the session)"
            )));
        };
        match payloads {
            None => {
                return Err(de::Error::custom(format!(
                    "{at}: missing \"payloads\" (the list of request bodies)"
                )));
            }
            Some(0) => {
                return Err(de::Error::custom(format!(
                    "{at}.payloads: empty; a session needs at least one request body"
                )));
            }
            Some(_) => {}
        }
        if !self.reading.session_ids.insert(session_id.clone()) {
            return Err(de::Error::custom(format!(
                "{at}: session_id {} is already used by an earlier session; each session_id \
                 must be unique",
                found(&Value::String(session_id))
            )));
        }
        Ok(())
    }
}

/// `data[session].payloads`: the request bodies, each spooled as it is
/// read. Its value is how many there were.
struct Payloads<'r> {
    reading: &'r mut Reading,
    session: u32,
}

impl<'de> DeserializeSeed<'de> for Payloads<'_> {
    type Value = u32;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Payloads<'_> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "data[{}].payloads to be a list of request bodies",
            self.session
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u32, A::Error> {
        let mut count: u32 = 0;
        while let Some(body) = seq.next_element::<Value>()? {
            if !body.is_object() {
                return Err(de::Error::custom(format!(
                    "data[{}].payloads[{count}]: expected a request body (an object), found {}",
                    self.session,
                    found(&body)
                )));
            }
            self.reading
                .spool_payload::<A::Error>(&body, self.session, count)?;
            count = count
                .checked_add(1)
                .ok_or_else(|| de::Error::custom("more than 4294967295 payloads in a session"))?;
        }
        Ok(count)
    }
}

/// The prompt a request body carries, as far as it can be found (see
/// [`InputsJson`]).
fn prompt_of(body: &Value) -> Prompt {
    let text = body
        .get("messages")
        .and_then(last_user_content)
        .or_else(|| body.get("prompt").and_then(plain_text))
        .or_else(|| {
            body.get("input")
                .and_then(|input| plain_text(input).or_else(|| last_user_content(input)))
        })
        .or_else(|| {
            body.get("query")
                .and_then(|q| plain_text(q).or_else(|| q.get("text").and_then(plain_text)))
        })
        .unwrap_or_default();
    let max_tokens = ["max_completion_tokens", "max_tokens", "max_output_tokens"]
        .iter()
        .find_map(|key| body.get(*key).and_then(Value::as_u64))
        .and_then(|n| u32::try_from(n).ok());
    Prompt {
        text,
        passages: Vec::new(),
        max_tokens,
    }
}

/// A string, or a list of strings joined by newlines.
fn plain_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

/// The content of the last `"role": "user"` message of a list of
/// messages: a string, or the `text` of its text parts joined by newlines.
fn last_user_content(messages: &Value) -> Option<String> {
    let message = messages
        .as_array()?
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))?;
    match message.get("content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter(|part| {
                    matches!(
                        part.get("type").and_then(Value::as_str),
                        Some("text" | "input_text")
                    )
                })
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn prompts_are_found_in_each_api_s_body() {
        let text = |body: Value| prompt_of(&body).text;
        assert_eq!(
            text(json!({"messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "ok"},
                {"role": "user", "content": [
                    {"type": "text", "text": "look"},
                    {"type": "image_url", "image_url": {"url": "data:..."}},
                    {"type": "text", "text": "here"}
                ]}
            ]})),
            "look\nhere"
        );
        assert_eq!(
            text(json!({"prompt": "Once upon a time"})),
            "Once upon a time"
        );
        assert_eq!(text(json!({"prompt": ["a", "b"]})), "a\nb");
        assert_eq!(text(json!({"input": "embed me"})), "embed me");
        assert_eq!(
            text(
                json!({"input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}]})
            ),
            "hi"
        );
        assert_eq!(text(json!({"query": {"text": "q"}, "passages": []})), "q");
        assert_eq!(text(json!({"model": "m"})), "");
        let prompt = prompt_of(&json!({"prompt": "x", "max_tokens": 64}));
        assert_eq!(prompt.max_tokens, Some(64));
        let prompt = prompt_of(&json!({"messages": [], "max_completion_tokens": 9}));
        assert_eq!(prompt.max_tokens, Some(9));
    }
}
