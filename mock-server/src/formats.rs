//! The wire formats of the generating routes: each one's complete answer,
//! and its stream as the events before the first token, one event per
//! token, and the events after the last.
//!
//! | format | route | stream |
//! |---|---|---|
//! | OpenAI chat | `/v1/chat/completions` | `data:` chunks with `choices[].delta.content`, the `include_usage` chunk, `[DONE]` |
//! | OpenAI completions | `/v1/completions` | the same with `choices[].text` |
//! | OpenAI Responses | `/v1/responses` | named events: `response.created` .. `response.output_text.delta` .. `response.completed` |
//! | Anthropic Messages | `/v1/messages` | named events: `message_start` .. `content_block_delta` .. `message_stop` |
//! | Hugging Face TGI | `/generate`, `/generate_stream` | `data:` events `{token, generated_text, details}`, no end marker |

use bytes::Bytes;
use serde_json::{Value, json};

use crate::text::Words;

/// Which API a generated answer is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Chat,
    Completion,
    Responses,
    Messages,
    Tgi,
}

/// Events of a Responses stream before the first delta: their sequence
/// numbers come first.
const RESPONSES_PREAMBLE: u32 = 4;

/// One generated answer: what every event and body of it says.
pub(crate) struct Answer {
    pub(crate) format: Format,
    /// The answer's id (`chatcmpl-mock-3`, `resp_mock_3`, `msg_mock_3`, ...).
    pub(crate) id: String,
    /// Unix seconds.
    pub(crate) created: u64,
    pub(crate) model: String,
    pub(crate) words: Words,
    /// Tokens to generate (at least 1).
    pub(crate) total: u32,
    /// The request set a token limit, which generation stops at (finish
    /// reason `length`, `max_tokens`, or an incomplete response).
    pub(crate) limited: bool,
    /// OpenAI chat and completions: `stream_options.include_usage`.
    pub(crate) include_usage: bool,
    /// TGI: `parameters.details`.
    pub(crate) details: bool,
    pub(crate) prompt_tokens: u64,
}

impl Answer {
    /// The non-streamed body.
    pub(crate) fn complete(&self) -> Value {
        let text = self.words.text(self.total);
        let generated = u64::from(self.total);
        match self.format {
            Format::Chat | Format::Completion => {
                let choice = if self.format == Format::Chat {
                    json!({
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "logprobs": null,
                        "finish_reason": self.openai_finish_reason(),
                    })
                } else {
                    json!({
                        "index": 0,
                        "text": text,
                        "logprobs": null,
                        "finish_reason": self.openai_finish_reason(),
                    })
                };
                let mut body = self.openai_base(false);
                body["choices"] = json!([choice]);
                body["usage"] = usage(self.prompt_tokens, generated);
                body
            }
            Format::Responses => {
                self.response_object(self.response_status(), Some((&text, self.total)))
            }
            Format::Messages => json!({
                "id": self.id,
                "type": "message",
                "role": "assistant",
                "model": self.model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": self.anthropic_stop_reason(),
                "stop_sequence": null,
                "usage": {"input_tokens": self.prompt_tokens, "output_tokens": generated},
            }),
            Format::Tgi => {
                let mut body = json!({"generated_text": text});
                if self.details {
                    body["details"] = json!({
                        "finish_reason": self.tgi_finish_reason(),
                        "generated_tokens": generated,
                        "seed": null,
                    });
                }
                body
            }
        }
    }

    /// The events written as soon as the stream starts, before the first
    /// token is due.
    pub(crate) fn preamble(&self) -> Vec<Bytes> {
        match self.format {
            Format::Chat | Format::Completion | Format::Tgi => Vec::new(),
            Format::Responses => {
                let item = self.message_item("in_progress", None);
                vec![
                    named(
                        "response.created",
                        &json!({
                            "type": "response.created",
                            "sequence_number": 0,
                            "response": self.response_object("in_progress", None),
                        }),
                    ),
                    named(
                        "response.in_progress",
                        &json!({
                            "type": "response.in_progress",
                            "sequence_number": 1,
                            "response": self.response_object("in_progress", None),
                        }),
                    ),
                    named(
                        "response.output_item.added",
                        &json!({
                            "type": "response.output_item.added",
                            "sequence_number": 2,
                            "output_index": 0,
                            "item": item,
                        }),
                    ),
                    named(
                        "response.content_part.added",
                        &json!({
                            "type": "response.content_part.added",
                            "sequence_number": 3,
                            "item_id": self.item_id(),
                            "output_index": 0,
                            "content_index": 0,
                            "part": {"type": "output_text", "text": "", "annotations": []},
                        }),
                    ),
                ]
            }
            Format::Messages => vec![
                named(
                    "message_start",
                    &json!({
                        "type": "message_start",
                        "message": {
                            "id": self.id,
                            "type": "message",
                            "role": "assistant",
                            "model": self.model,
                            "content": [],
                            "stop_reason": null,
                            "stop_sequence": null,
                            "usage": {"input_tokens": self.prompt_tokens, "output_tokens": 1},
                        },
                    }),
                ),
                named(
                    "content_block_start",
                    &json!({
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    }),
                ),
                named("ping", &json!({"type": "ping"})),
            ],
        }
    }

    /// The event that carries token `i`.
    pub(crate) fn token_event(&self, i: u32) -> Bytes {
        let token = self.words.token(i);
        let last = i + 1 == self.total;
        match self.format {
            Format::Chat | Format::Completion => {
                let finish_reason = if last {
                    Value::from(self.openai_finish_reason())
                } else {
                    Value::Null
                };
                let choice = if self.format == Format::Chat {
                    let delta = if i == 0 {
                        json!({"role": "assistant", "content": token})
                    } else {
                        json!({"content": token})
                    };
                    json!({"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason})
                } else {
                    json!({"index": 0, "text": token, "logprobs": null, "finish_reason": finish_reason})
                };
                let mut chunk = self.openai_base(true);
                chunk["choices"] = json!([choice]);
                if self.include_usage {
                    // OpenAI: with include_usage every chunk carries "usage":
                    // null and only the extra last chunk has the numbers.
                    chunk["usage"] = Value::Null;
                }
                data(&chunk)
            }
            Format::Responses => named(
                "response.output_text.delta",
                &json!({
                    "type": "response.output_text.delta",
                    "sequence_number": RESPONSES_PREAMBLE + i,
                    "item_id": self.item_id(),
                    "output_index": 0,
                    "content_index": 0,
                    "delta": token,
                    "logprobs": [],
                }),
            ),
            Format::Messages => named(
                "content_block_delta",
                &json!({
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": token},
                }),
            ),
            Format::Tgi => {
                let mut event = json!({
                    "index": i + 1,
                    "token": {
                        "id": self.words.token_id(i),
                        "text": token,
                        "logprob": 0.0,
                        "special": false,
                    },
                    "generated_text": null,
                    "details": null,
                    "top_tokens": null,
                });
                if last {
                    event["generated_text"] = self.words.text(self.total).into();
                    if self.details {
                        event["details"] = json!({
                            "finish_reason": self.tgi_finish_reason(),
                            "generated_tokens": self.total,
                            "seed": null,
                            "input_length": self.prompt_tokens,
                        });
                    }
                }
                data(&event)
            }
        }
    }

    /// The events written right after the last token (`written` tokens
    /// were), ending the stream.
    pub(crate) fn epilogue(&self, written: u32) -> Vec<Bytes> {
        let generated = u64::from(written);
        match self.format {
            Format::Chat | Format::Completion => {
                let mut events = Vec::new();
                if self.include_usage {
                    let mut chunk = self.openai_base(true);
                    chunk["choices"] = json!([]);
                    chunk["usage"] = usage(self.prompt_tokens, generated);
                    events.push(data(&chunk));
                }
                events.push(Bytes::from_static(b"data: [DONE]\n\n"));
                events
            }
            Format::Responses => {
                let text = self.words.text(written);
                let seq = RESPONSES_PREAMBLE + written;
                let status = self.response_status();
                let item_status = if status == "completed" {
                    "completed"
                } else {
                    "incomplete"
                };
                let last = format!("response.{status}");
                vec![
                    named(
                        "response.output_text.done",
                        &json!({
                            "type": "response.output_text.done",
                            "sequence_number": seq,
                            "item_id": self.item_id(),
                            "output_index": 0,
                            "content_index": 0,
                            "text": text,
                            "logprobs": [],
                        }),
                    ),
                    named(
                        "response.content_part.done",
                        &json!({
                            "type": "response.content_part.done",
                            "sequence_number": seq + 1,
                            "item_id": self.item_id(),
                            "output_index": 0,
                            "content_index": 0,
                            "part": {"type": "output_text", "text": text, "annotations": []},
                        }),
                    ),
                    named(
                        "response.output_item.done",
                        &json!({
                            "type": "response.output_item.done",
                            "sequence_number": seq + 2,
                            "output_index": 0,
                            "item": self.message_item(item_status, Some(&text)),
                        }),
                    ),
                    named(
                        &last,
                        &json!({
                            "type": last,
                            "sequence_number": seq + 3,
                            "response": self.response_object(status, Some((&text, written))),
                        }),
                    ),
                ]
            }
            Format::Messages => vec![
                named(
                    "content_block_stop",
                    &json!({"type": "content_block_stop", "index": 0}),
                ),
                named(
                    "message_delta",
                    &json!({
                        "type": "message_delta",
                        "delta": {
                            "stop_reason": self.anthropic_stop_reason(),
                            "stop_sequence": null,
                        },
                        "usage": {"output_tokens": generated},
                    }),
                ),
                named("message_stop", &json!({"type": "message_stop"})),
            ],
            // TGI's last token event carries the whole text; the body ends.
            Format::Tgi => Vec::new(),
        }
    }

    fn openai_finish_reason(&self) -> &'static str {
        if self.limited { "length" } else { "stop" }
    }

    fn anthropic_stop_reason(&self) -> &'static str {
        if self.limited {
            "max_tokens"
        } else {
            "end_turn"
        }
    }

    fn tgi_finish_reason(&self) -> &'static str {
        if self.limited { "length" } else { "eos_token" }
    }

    /// `completed`, or `incomplete` when `max_output_tokens` cut the
    /// answer (what OpenAI answers then).
    fn response_status(&self) -> &'static str {
        if self.limited {
            "incomplete"
        } else {
            "completed"
        }
    }

    /// The fields every OpenAI chat or completion body (`chunk` false) and
    /// stream chunk starts with.
    fn openai_base(&self, chunk: bool) -> Value {
        let object = match (self.format, chunk) {
            (Format::Chat, true) => "chat.completion.chunk",
            (Format::Chat, false) => "chat.completion",
            _ => "text_completion",
        };
        json!({
            "id": self.id,
            "object": object,
            "created": self.created,
            "model": self.model,
        })
    }

    /// The id of the one message item of a Responses answer.
    fn item_id(&self) -> String {
        self.id.replacen("resp_", "msg_", 1)
    }

    /// The message item of a Responses answer; `text` once there is some.
    fn message_item(&self, status: &str, text: Option<&str>) -> Value {
        let content = match text {
            Some(text) => json!([{"type": "output_text", "text": text, "annotations": []}]),
            None => json!([]),
        };
        json!({
            "id": self.item_id(),
            "type": "message",
            "status": status,
            "role": "assistant",
            "content": content,
        })
    }

    /// A Responses `response` object in `status`: `in_progress` has no
    /// output and no usage yet; the others have the message (`text`, of
    /// `tokens` tokens) and `usage`.
    fn response_object(&self, status: &str, text: Option<(&str, u32)>) -> Value {
        let done = status != "in_progress";
        let (output, usage) = match text {
            Some((text, tokens)) if done => {
                let item_status = if status == "completed" {
                    "completed"
                } else {
                    "incomplete"
                };
                let output = u64::from(tokens);
                (
                    json!([self.message_item(item_status, Some(text))]),
                    json!({
                        "input_tokens": self.prompt_tokens,
                        "input_tokens_details": {"cached_tokens": 0},
                        "output_tokens": output,
                        "output_tokens_details": {"reasoning_tokens": 0},
                        "total_tokens": self.prompt_tokens + output,
                    }),
                )
            }
            _ => (json!([]), Value::Null),
        };
        let incomplete_details = if status == "incomplete" {
            json!({"reason": "max_output_tokens"})
        } else {
            Value::Null
        };
        json!({
            "id": self.id,
            "object": "response",
            "created_at": self.created,
            "status": status,
            "error": null,
            "incomplete_details": incomplete_details,
            "model": self.model,
            "output": output,
            "usage": usage,
        })
    }
}

/// `usage` as OpenAI writes it.
pub(crate) fn usage(prompt: u64, completion: u64) -> Value {
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    })
}

/// A server-sent event with only data: `data: {json}\n\n`.
fn data(value: &Value) -> Bytes {
    let mut out = b"data: ".to_vec();
    // Serialising a Value to memory cannot fail.
    let _ = serde_json::to_writer(&mut out, value);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// A named server-sent event: `event: NAME\ndata: {json}\n\n`, as the
/// Responses and Messages APIs write theirs.
fn named(event: &str, value: &Value) -> Bytes {
    let mut out = format!("event: {event}\ndata: ").into_bytes();
    let _ = serde_json::to_writer(&mut out, value);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fnv1a;

    fn answer(format: Format, total: u32, limited: bool) -> Answer {
        Answer {
            format,
            id: match format {
                Format::Responses => "resp_mock_7".to_owned(),
                Format::Messages => "msg_mock_7".to_owned(),
                _ => "chatcmpl-mock-7".to_owned(),
            },
            created: 1,
            model: "m".to_owned(),
            words: Words::new(3, fnv1a(b"p")),
            total,
            limited,
            include_usage: true,
            details: true,
            prompt_tokens: 2,
        }
    }

    /// The data of each event of `frames`, as JSON, with its name if any.
    fn events(frames: &[Bytes]) -> Vec<(Option<String>, Value)> {
        frames
            .iter()
            .map(|f| {
                let text = std::str::from_utf8(f).unwrap();
                assert!(text.ends_with("\n\n"), "{text:?}");
                let mut name = None;
                let mut data = None;
                for line in text.trim_end().lines() {
                    if let Some(n) = line.strip_prefix("event: ") {
                        name = Some(n.to_owned());
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(d).unwrap_or(Value::Null));
                    }
                }
                (name, data.expect("a data line"))
            })
            .collect()
    }

    #[test]
    fn named_events_carry_their_type_as_the_event_name() {
        for format in [Format::Responses, Format::Messages] {
            let a = answer(format, 3, false);
            let mut frames = a.preamble();
            frames.extend((0..3).map(|i| a.token_event(i)));
            frames.extend(a.epilogue(3));
            for (name, data) in events(&frames) {
                assert_eq!(name.as_deref(), data["type"].as_str(), "{data}");
            }
        }
    }

    #[test]
    fn responses_sequence_numbers_count_up_from_zero() {
        let a = answer(Format::Responses, 3, true);
        let mut frames = a.preamble();
        frames.extend((0..3).map(|i| a.token_event(i)));
        frames.extend(a.epilogue(3));
        let seqs: Vec<u64> = events(&frames)
            .iter()
            .map(|(_, d)| d["sequence_number"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, (0..11).collect::<Vec<_>>());
        let (name, last) = events(&frames).pop().unwrap();
        assert_eq!(name.as_deref(), Some("response.incomplete"));
        assert_eq!(last["response"]["usage"]["output_tokens"], 3);
        assert_eq!(
            last["response"]["incomplete_details"]["reason"],
            "max_output_tokens"
        );
    }

    #[test]
    fn complete_bodies_carry_the_whole_text_and_the_counts() {
        let text = Words::new(3, fnv1a(b"p")).text(4);
        let body = answer(Format::Responses, 4, false).complete();
        assert_eq!(body["status"], "completed");
        assert_eq!(body["output"][0]["content"][0]["text"], text.as_str());
        assert_eq!(body["usage"]["input_tokens"], 2);
        assert_eq!(body["usage"]["output_tokens"], 4);
        let body = answer(Format::Messages, 4, true).complete();
        assert_eq!(body["content"][0]["text"], text.as_str());
        assert_eq!(body["stop_reason"], "max_tokens");
        assert_eq!(body["usage"]["output_tokens"], 4);
        let body = answer(Format::Tgi, 4, false).complete();
        assert_eq!(body["generated_text"], text.as_str());
        assert_eq!(body["details"]["finish_reason"], "eos_token");
        assert_eq!(body["details"]["generated_tokens"], 4);
    }

    #[test]
    fn tgi_puts_the_whole_text_on_the_last_event_only() {
        let a = answer(Format::Tgi, 3, true);
        let frames: Vec<Bytes> = (0..3).map(|i| a.token_event(i)).collect();
        let events = events(&frames);
        assert!(events.iter().all(|(name, _)| name.is_none()));
        assert_eq!(events[0].1["generated_text"], Value::Null);
        assert_eq!(events[0].1["details"], Value::Null);
        assert_eq!(events[2].1["generated_text"], a.words.text(3).as_str());
        assert_eq!(events[2].1["details"]["generated_tokens"], 3);
        assert_eq!(events[2].1["details"]["input_length"], 2);
        assert!(a.epilogue(3).is_empty());
    }
}
