//! An incremental parser of `text/event-stream` bodies (server-sent events,
//! as OpenAI-compatible servers stream): fed arbitrary byte chunks, it
//! yields each event's `data` when the event is complete.

/// Parser state between chunks.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the line being received (lines are decoded only whole, so a
    /// UTF-8 character split between chunks is decoded intact).
    line: Vec<u8>,
    /// `data` lines of the event being received.
    data: Option<String>,
    /// The last chunk ended with `\r`: a `\n` starting the next one ends
    /// the same line (`\r\n` split between chunks).
    after_cr: bool,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Consumes `chunk`; calls `on_event` with the `data` of every event it
    /// completes (multi-line data joined with `\n`, as the spec says).
    /// Lines end with `\n`, `\r\n` or a lone `\r` (the spec's three line
    /// ends); comments (`:`) and fields other than `data` are skipped.
    pub fn feed(&mut self, chunk: &[u8], mut on_event: impl FnMut(String)) {
        let mut rest = chunk;
        if std::mem::take(&mut self.after_cr) {
            rest = rest.strip_prefix(b"\n").unwrap_or(rest);
        }
        while let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            let (line, ending) = (&rest[..end], rest[end]);
            rest = &rest[end + 1..];
            if ending == b'\r' {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            if self.line.is_empty() {
                self.line_complete(line, &mut on_event);
            } else {
                // The line began in an earlier chunk; its buffer is reused.
                let mut whole = std::mem::take(&mut self.line);
                whole.extend_from_slice(line);
                self.line_complete(&whole, &mut on_event);
                whole.clear();
                self.line = whole;
            }
        }
        self.line.extend_from_slice(rest);
    }

    /// Bytes held for an event not yet complete (the line being received
    /// and the event's `data` so far): what a cap on one event checks.
    pub fn pending_bytes(&self) -> usize {
        self.line.len() + self.data.as_ref().map_or(0, String::len)
    }

    /// The stream ended: an event still pending (no blank line after it) is
    /// delivered too — lenient where the spec would drop it, since a server
    /// that closes right after its last `data:` line meant to send it.
    pub fn finish(mut self, mut on_event: impl FnMut(String)) {
        let line = std::mem::take(&mut self.line);
        if !line.is_empty() {
            self.line_complete(&line, &mut on_event);
        }
        if let Some(data) = self.data.take() {
            on_event(data);
        }
    }

    fn line_complete(&mut self, line: &[u8], on_event: &mut impl FnMut(String)) {
        if line.is_empty() {
            if let Some(data) = self.data.take() {
                on_event(data);
            }
            return;
        }
        if line[0] == b':' {
            return;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        if field == "data" {
            match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_chunks(input: &[u8], chunk: usize) -> Vec<String> {
        let mut events = Vec::new();
        let mut parser = SseParser::new();
        for piece in input.chunks(chunk) {
            parser.feed(piece, |e| events.push(e));
        }
        parser.finish(|e| events.push(e));
        events
    }

    const STREAM: &str = ": keep-alive\r\n\
        event: message\r\n\
        data: {\"a\": \"héllo\"}\r\n\
        \r\n\
        id: 7\n\
        data: line one\n\
        data:line two\n\
        \n\
        retry: 100\n\
        \n\
        data: [DONE]";

    #[test]
    fn events_are_the_same_whatever_the_chunking() {
        let expected = ["{\"a\": \"héllo\"}", "line one\nline two", "[DONE]"];
        for chunk in [1, 2, 3, 5, 7, 64, 4096] {
            assert_eq!(
                parse_in_chunks(STREAM.as_bytes(), chunk),
                expected,
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn a_multibyte_character_split_across_chunks_survives() {
        let input = "data: 日本\n\n".as_bytes();
        // Split inside the first character's three bytes.
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        parser.feed(&input[..7], |e| events.push(e));
        parser.feed(&input[7..], |e| events.push(e));
        assert_eq!(events, ["日本"]);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_and_a_split_crlf_is_one_end() {
        let input = b"data: a\r\rdata: b\r\ndata: c\r\n\r\n";
        for chunk in [1, 2, 3, 8, 64] {
            assert_eq!(
                parse_in_chunks(input, chunk),
                ["a", "b\nc"],
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn empty_data_and_field_without_colon() {
        assert_eq!(parse_in_chunks(b"data\n\ndata:\n\n", 3), ["", ""]);
        assert!(
            parse_in_chunks(b"event: x\n\n", 4).is_empty(),
            "no data, no event"
        );
    }
}
