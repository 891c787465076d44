//! SSE framing: split the raw bytes of a stream into frames, and say what is not the
//! reference's `data: <json>\n\n`.
//!
//! The reference writes each event as one chunk: `data: `, one line of compact JSON, and a
//! blank line (protocol#sse-framing). No `event:`, `id:` or `retry:` field, no comment, no
//! heartbeat. A generic SSE parser (such as `eventsource-stream`, which `http/ask.rs` uses to
//! *show* a stream) accepts far more than that and hides the differences, so the checker reads
//! the lines itself: every line is either `data: …` or the blank line that ends a frame.
//!
//! What is an error and what a warning follows the client: a field other than `data` changes
//! how an EventSource-style client dispatches the event, a JSON split over several `data:`
//! lines is never sent by the reference, and a last frame without its blank line is dropped
//! by an SSE client at the end of the stream. A comment line, a missing space after `data:`,
//! CRLF line ends or an extra blank line are legal SSE that the reference does not write.
//!
//! Where it sits: the first step of `validate.rs`; pure, no I/O.

use super::finding::{Area, Finding};

/// One event's data, as framed on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The event's number in the capture, from 1.
    pub number: usize,
    /// The line the frame's `data:` starts on, from 1.
    pub line: usize,
    /// The data, lines joined with `\n` as an SSE client joins them.
    pub data: String,
}

/// The frames of a capture and what was wrong with how they were framed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Framed {
    /// Every frame, the unterminated last one included (so the rest of the checks see it).
    pub frames: Vec<Frame>,
    /// Framing findings, in the order they were seen.
    pub findings: Vec<Finding>,
}

/// The frame being read: its first line and its data lines so far.
#[derive(Debug, Default)]
struct Pending {
    line: usize,
    data: Vec<String>,
}

/// Splits `bytes` into frames, reporting every departure from `data: <json>\n\n`
/// (protocol#sse-framing).
pub fn split_frames(bytes: &[u8]) -> Framed {
    let mut framed = Framed::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(error) => {
            framed.findings.push(framing_error(
                format!("byte {}", error.valid_up_to()),
                "the stream is not valid UTF-8",
            ));
            String::from_utf8_lossy(bytes)
        }
    };
    if text.contains('\r') {
        framed.findings.push(framing_warning(
            "",
            "lines end with CR or CRLF; the reference ends them with LF alone",
        ));
    }
    let mut pending: Option<Pending> = None;
    // `split` rather than `lines`: a final piece with no `\n` is a line cut off, not a line.
    let mut pieces: Vec<&str> = text.split('\n').collect();
    let cut_off = pieces.pop().filter(|rest| !rest.is_empty());
    let complete_lines = pieces.len();
    for (index, raw) in pieces.into_iter().enumerate() {
        read_line(
            raw.trim_end_matches('\r'),
            index + 1,
            &mut pending,
            &mut framed,
        );
    }
    if let Some(rest) = cut_off {
        framed.findings.push(framing_error(
            "end of stream",
            format!(
                "the stream ends in the middle of a line ({} bytes)",
                rest.len()
            ),
        ));
        read_line(rest, complete_lines + 1, &mut pending, &mut framed);
    }
    if let Some(last) = pending.take() {
        framed.findings.push(framing_error(
            format!("line {}", last.line),
            "the last frame has no blank line after it; an SSE client drops it",
        ));
        finish_frame(last, &mut framed);
    }
    framed
}

/// Reads one line (without its line end) into the frame being built.
fn read_line(line: &str, number: usize, pending: &mut Option<Pending>, framed: &mut Framed) {
    let at = format!("line {number}");
    if line.is_empty() {
        match pending.take() {
            Some(frame) => finish_frame(frame, framed),
            None => framed.findings.push(framing_warning(
                at,
                "a blank line outside a frame; the reference writes exactly one per event",
            )),
        }
        return;
    }
    if line.starts_with(':') {
        framed.findings.push(framing_warning(
            at,
            "an SSE comment line; the reference sends none (a safe addition: protocol#quirk-no-heartbeat)",
        ));
        return;
    }
    let (field, value) = line.split_once(':').unwrap_or((line, ""));
    if field != "data" {
        framed.findings.push(framing_error(
            at,
            format!("an SSE `{field}` field; the reference sends `data:` lines only"),
        ));
        return;
    }
    let value = match value.strip_prefix(' ') {
        Some(value) => value,
        None => {
            framed.findings.push(framing_warning(
                &at,
                "`data:` without the space the reference writes after it",
            ));
            value
        }
    };
    let frame = pending.get_or_insert_with(|| Pending {
        line: number,
        data: Vec::new(),
    });
    if !frame.data.is_empty() {
        framed.findings.push(framing_error(
            at,
            "a second `data:` line in one frame; the reference writes each event on one line",
        ));
    }
    frame.data.push(value.to_owned());
}

fn finish_frame(frame: Pending, framed: &mut Framed) {
    framed.frames.push(Frame {
        number: framed.frames.len() + 1,
        line: frame.line,
        data: frame.data.join("\n"),
    });
}

fn framing_error(path: impl Into<String>, reason: impl Into<String>) -> Finding {
    Finding::error(Area::Framing, "protocol#sse-framing", path, reason)
}

fn framing_warning(path: impl Into<String>, reason: impl Into<String>) -> Finding {
    Finding::warning(Area::Framing, "protocol#sse-framing", path, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_frames_have_no_findings() {
        let framed = split_frames(b"data: {\"a\":1}\n\ndata: {\"b\":2}\n\n");
        assert_eq!(framed.findings, Vec::new());
        let data: Vec<&str> = framed.frames.iter().map(|f| f.data.as_str()).collect();
        assert_eq!(data, ["{\"a\":1}", "{\"b\":2}"]);
    }

    #[test]
    fn an_empty_capture_has_no_frames_and_no_findings() {
        assert_eq!(split_frames(b""), Framed::default());
    }
}
