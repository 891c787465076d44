//! Turns a [`Turn`] into the full Responses wire (protocol#responses-order), with the
//! deterministic ids of the mock (protocol#mock-provider).
//!
//! Request number `N` gets `resp_mock_NNN` and `created_at = 1764000000 + N`; output item `I`
//! gets `msg_mock_NNN_I`, `rs_mock_NNN_I`, or `fc_mock_NNN_I` with `call_mock_NNN_I`. A mock
//! started with [`unique_ids`](super::MockProviderBuilder::unique_ids) puts its run's tag
//! after `mock_` (`msg_mock_3fa2c901_001_0`), so that two processes never hand out the same
//! id. Every event
//! carries a `sequence_number` counting from 0, and every field the official client's strict
//! validation requires (`logprobs`, the response's `tools`, `usage` with both token details).
//!
//! This is a pure function from (request number, request, turn) to a list of frames, so it can
//! be tested without a server; [`super`] streams the frames.

use serde_json::{Map, Value, json};

use super::script::{Failure, ScriptOutput, Turn};
use crate::provider::events::{
    FunctionCall, InputTokensDetails, OutputContent, OutputItem, OutputMessage,
    OutputTokensDetails, Reasoning, Response, ResponseError, ResponseEvent, ResponsesRequest,
    SummaryPart, Usage,
};

/// The `created_at` of request 0; request `N` is this plus `N`.
pub const CREATED_AT_BASE: u64 = 1_764_000_000;

/// One SSE event to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The `event:` line (the JSON `type`).
    pub event: String,
    /// The `data:` payload.
    pub data: Value,
    /// Whether it is a delta, the only events the per-token delay applies to.
    pub is_delta: bool,
}

impl Frame {
    /// The frame as SSE text: `event: …`, `data: …` and a blank line.
    pub fn to_sse(&self) -> String {
        format!("event: {}\ndata: {}\n\n", self.event, self.data)
    }
}

/// Builds the frames of one response, numbering them as it goes.
struct Wire<'a> {
    n: usize,
    /// The run's tag in the ids, or empty.
    tag: &'a str,
    request: &'a ResponsesRequest,
    frames: Vec<Frame>,
    /// Finished items, for `response.completed`'s `output`.
    done: Vec<OutputItem>,
    output_tokens: u64,
    reasoning_tokens: u64,
}

/// Every frame of request `n` answering with `turn` (which must not be an HTTP failure).
/// `tag` is the run's tag for the ids, empty for the fixed ids of the recorded transcripts.
pub fn render(n: usize, tag: &str, request: &ResponsesRequest, turn: &Turn) -> Vec<Frame> {
    let mut wire = Wire {
        n,
        tag,
        request,
        frames: Vec::new(),
        done: Vec::new(),
        output_tokens: 0,
        reasoning_tokens: 0,
    };
    let created = wire.response("in_progress", Vec::new(), None);
    wire.push(ResponseEvent::Created {
        response: created.clone(),
    });
    wire.push(ResponseEvent::InProgress { response: created });
    for (index, output) in turn.output.iter().enumerate() {
        match output {
            ScriptOutput::Message {
                text,
                deltas,
                stop_after_deltas: Some(kept),
                ..
            } => {
                let chunks = message_chunks(text.as_deref(), deltas.as_deref());
                // A message broken off mid-stream: it starts, and nothing follows it.
                wire.message_start(index, &chunks[..(*kept).min(chunks.len())]);
                break;
            }
            ScriptOutput::Message {
                text,
                deltas,
                annotations,
                stop_after_deltas: None,
            } => wire.message(index, text.as_deref(), deltas.as_deref(), annotations),
            ScriptOutput::Reasoning { summary, deltas } => wire.reasoning(index, summary, *deltas),
            ScriptOutput::FunctionCall {
                name,
                arguments,
                deltas,
            } => wire.function_call(index, name, arguments, *deltas),
        }
    }
    wire.finish(turn.fail);
    wire.frames
}

/// The response of the `response.completed` frame that ends `frames`, if they end with one
/// (not after a failure or a cut).
pub fn completed_response(frames: &[Frame]) -> Option<Response> {
    let last = frames.last()?;
    if last.event != "response.completed" {
        return None;
    }
    serde_json::from_value(last.data.get("response")?.clone()).ok()
}

/// A message's chunks: the scripted `deltas`, or else its `text` split before each word.
fn message_chunks(text: Option<&str>, deltas: Option<&[String]>) -> Vec<String> {
    match (deltas, text) {
        (Some(deltas), _) => deltas.to_vec(),
        (None, Some(text)) => split_words(text),
        (None, None) => Vec::new(),
    }
}

/// An assistant output message in the given status.
fn output_message(id: &str, status: &str, content: Vec<OutputContent>) -> OutputItem {
    OutputItem::Message(OutputMessage {
        id: id.to_owned(),
        role: "assistant".to_owned(),
        status: Some(status.to_owned()),
        content,
    })
}

/// An `output_text` content part.
fn output_text(text: &str, annotations: Vec<Value>) -> OutputContent {
    OutputContent::OutputText {
        text: text.to_owned(),
        annotations,
        logprobs: Vec::new(),
    }
}

/// The JSON body of the scripted HTTP 500.
pub fn http_500_body() -> Value {
    json!({"error": {
        "message": "The mock model failed (scripted http_500).",
        "type": "server_error", "param": null, "code": "server_error"
    }})
}

impl Wire<'_> {
    fn push(&mut self, event: ResponseEvent) {
        self.push_frame(event, false);
    }

    fn push_delta(&mut self, event: ResponseEvent) {
        self.push_frame(event, true);
    }

    fn push_frame(&mut self, event: ResponseEvent, is_delta: bool) {
        let mut data = serde_json::to_value(&event).unwrap_or(Value::Null);
        let name = data
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if let Value::Object(map) = &mut data {
            map.insert("sequence_number".to_owned(), json!(self.frames.len()));
        }
        self.frames.push(Frame {
            event: name,
            data,
            is_delta,
        });
    }

    fn id(&self, prefix: &str, index: usize) -> String {
        format!("{prefix}_mock_{}{:03}_{index}", self.tag_part(), self.n)
    }

    /// `tag_` when the run is tagged, else nothing.
    fn tag_part(&self) -> String {
        if self.tag.is_empty() {
            String::new()
        } else {
            format!("{}_", self.tag)
        }
    }

    fn message(
        &mut self,
        index: usize,
        text: Option<&str>,
        deltas: Option<&[String]>,
        annotations: &[Value],
    ) {
        let chunks = message_chunks(text, deltas);
        let text = text.map_or_else(|| chunks.concat(), str::to_owned);
        let item_id = self.id("msg", index);
        let output_index = index as u32;
        self.message_start(index, &chunks);
        for (annotation_index, annotation) in annotations.iter().enumerate() {
            self.push(ResponseEvent::OutputTextAnnotationAdded {
                item_id: item_id.clone(),
                output_index,
                content_index: 0,
                annotation_index: annotation_index as u32,
                annotation: Some(annotation.clone()),
            });
        }
        self.push(ResponseEvent::OutputTextDone {
            item_id: item_id.clone(),
            output_index,
            content_index: 0,
            text: text.clone(),
            logprobs: Vec::new(),
        });
        let final_part = output_text(&text, annotations.to_vec());
        self.push(ResponseEvent::ContentPartDone {
            item_id: item_id.clone(),
            output_index,
            content_index: 0,
            part: final_part.clone(),
        });
        self.item_done(
            output_index,
            output_message(&item_id, "completed", vec![final_part]),
        );
    }

    /// The events every message starts with: item added, content part added, the text deltas.
    fn message_start(&mut self, index: usize, chunks: &[String]) {
        let item_id = self.id("msg", index);
        let output_index = index as u32;
        self.push(ResponseEvent::OutputItemAdded {
            output_index,
            item: output_message(&item_id, "in_progress", Vec::new()),
        });
        self.push(ResponseEvent::ContentPartAdded {
            item_id: item_id.clone(),
            output_index,
            content_index: 0,
            part: output_text("", Vec::new()),
        });
        for delta in chunks {
            self.output_tokens += 1;
            self.push_delta(ResponseEvent::OutputTextDelta {
                item_id: item_id.clone(),
                output_index,
                content_index: 0,
                delta: delta.clone(),
                logprobs: Vec::new(),
            });
        }
    }

    fn reasoning(&mut self, index: usize, summary: &[String], deltas: Option<usize>) {
        let item_id = self.id("rs", index);
        let output_index = index as u32;
        let reasoning = |summary| {
            OutputItem::Reasoning(Reasoning {
                id: item_id.clone(),
                summary,
                content: None,
                encrypted_content: None,
            })
        };
        self.push(ResponseEvent::OutputItemAdded {
            output_index,
            item: reasoning(Vec::new()),
        });
        for (summary_index, text) in summary.iter().enumerate() {
            let summary_index = summary_index as u32;
            self.push(ResponseEvent::ReasoningSummaryPartAdded {
                item_id: item_id.clone(),
                output_index,
                summary_index,
                part: SummaryPart::new(""),
            });
            let chunks = deltas.map_or_else(|| split_words(text), |n| split_even(text, n));
            for delta in chunks {
                self.reasoning_tokens += 1;
                self.push_delta(ResponseEvent::ReasoningSummaryTextDelta {
                    item_id: item_id.clone(),
                    output_index,
                    summary_index,
                    delta,
                });
            }
            self.push(ResponseEvent::ReasoningSummaryTextDone {
                item_id: item_id.clone(),
                output_index,
                summary_index,
                text: text.clone(),
            });
            self.push(ResponseEvent::ReasoningSummaryPartDone {
                item_id: item_id.clone(),
                output_index,
                summary_index,
                part: SummaryPart::new(text.clone()),
            });
        }
        let parts = summary.iter().map(SummaryPart::new).collect();
        self.item_done(output_index, reasoning(parts));
    }

    fn function_call(
        &mut self,
        index: usize,
        name: &str,
        arguments: &Map<String, Value>,
        deltas: Option<usize>,
    ) {
        let item_id = self.id("fc", index);
        let output_index = index as u32;
        let arguments = Value::Object(arguments.clone()).to_string();
        let call = |arguments: &str, status: &str| {
            OutputItem::FunctionCall(FunctionCall {
                id: Some(item_id.clone()),
                call_id: self.id("call", index),
                name: name.to_owned(),
                arguments: arguments.to_owned(),
                status: Some(status.to_owned()),
            })
        };
        let added = call("", "in_progress");
        let finished = call(&arguments, "completed");
        self.push(ResponseEvent::OutputItemAdded {
            output_index,
            item: added,
        });
        for delta in split_even(&arguments, deltas.unwrap_or(1)) {
            self.output_tokens += 1;
            self.push_delta(ResponseEvent::FunctionCallArgumentsDelta {
                item_id: item_id.clone(),
                output_index,
                delta,
            });
        }
        self.push(ResponseEvent::FunctionCallArgumentsDone {
            item_id: item_id.clone(),
            output_index,
            arguments,
        });
        self.item_done(output_index, finished);
    }

    fn item_done(&mut self, output_index: u32, item: OutputItem) {
        self.done.push(item.clone());
        self.push(ResponseEvent::OutputItemDone { output_index, item });
    }

    /// The terminal event: `response.completed`, the scripted failure, or nothing (`cut`).
    fn finish(&mut self, fail: Option<Failure>) {
        let output = std::mem::take(&mut self.done);
        let message = |what: &str| format!("The mock model failed (scripted {what}).");
        match fail {
            None | Some(Failure::Http500) => {
                let usage = Some(self.usage());
                let response = self.response("completed", output, usage);
                self.push(ResponseEvent::Completed { response });
            }
            Some(Failure::ResponseFailed) => {
                let mut response = self.response("failed", output, None);
                response.error = Some(ResponseError {
                    code: Some("server_error".to_owned()),
                    message: message("response.failed"),
                });
                self.push(ResponseEvent::Failed { response });
            }
            Some(Failure::ErrorEvent) => self.push(ResponseEvent::Error {
                code: Some("server_error".to_owned()),
                message: message("error"),
                param: None,
            }),
            Some(Failure::Cut) => {}
            Some(Failure::ErrorKey) => self.frames.push(Frame {
                event: "error".to_owned(),
                data: json!({"error": {"type": "server_error", "code": "server_error",
                    "message": message("error_key"), "param": null}}),
                is_delta: false,
            }),
        }
    }

    fn response(&self, status: &str, output: Vec<OutputItem>, usage: Option<Usage>) -> Response {
        let request = self.request;
        let mut extra = Map::new();
        extra.insert("instructions".to_owned(), json!(request.instructions));
        extra.insert("temperature".to_owned(), json!(request.temperature));
        extra.insert("top_p".to_owned(), json!(request.top_p));
        // Echoed only when set, so that the responses of the recorded cases keep their bytes.
        if let Some(previous) = &request.previous_response_id {
            extra.insert("previous_response_id".to_owned(), json!(previous));
        }
        Response {
            id: format!("resp_mock_{}{:03}", self.tag_part(), self.n),
            object: "response".to_owned(),
            created_at: (CREATED_AT_BASE + self.n as u64).into(),
            status: Some(status.to_owned()),
            error: None,
            incomplete_details: None,
            model: request.model.clone(),
            output,
            parallel_tool_calls: request.parallel_tool_calls.unwrap_or(true),
            tool_choice: request.tool_choice.clone().unwrap_or_else(|| json!("auto")),
            tools: request
                .tools
                .iter()
                .filter_map(|tool| serde_json::to_value(tool).ok())
                .collect(),
            usage,
            extra,
        }
    }

    /// Deterministic token counts: a word of input is a token, and so is each streamed chunk.
    fn usage(&self) -> Usage {
        let input_tokens = serde_json::to_string(&self.request.input)
            .unwrap_or_default()
            .split_whitespace()
            .count() as u64
            + self
                .request
                .instructions
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .count() as u64;
        let output_tokens = self.output_tokens + self.reasoning_tokens;
        Usage {
            input_tokens,
            input_tokens_details: InputTokensDetails::default(),
            output_tokens,
            output_tokens_details: OutputTokensDetails {
                reasoning_tokens: self.reasoning_tokens,
            },
            total_tokens: input_tokens + output_tokens,
        }
    }
}

/// Splits before each word, keeping the spaces: `"Hi there"` → `["Hi", " there"]`. Text that
/// is empty streams one empty chunk, so every message has at least one delta.
pub fn split_words(text: &str) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut after_space = false;
    for c in text.chars() {
        if c.is_whitespace() && !after_space && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
        }
        after_space = c.is_whitespace();
        current.push(c);
    }
    if !current.is_empty() || chunks.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Splits into `n` chunks of about the same number of characters (fewer if the text is short).
pub fn split_even(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    let size = chars.len().div_ceil(n.max(1));
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_leading_space() {
        assert_eq!(
            split_words("Hello! How can I"),
            ["Hello!", " How", " can", " I"]
        );
        assert_eq!(split_words(""), [""]);
    }

    #[test]
    fn a_cut_turn_streams_its_outputs_and_no_terminal_event() {
        let turn: Turn = serde_json::from_value(json!({
            "output": [{"type": "message", "text": "Partial answer.", "deltas": ["Partial", " answer."]}],
            "fail": "cut"
        }))
        .expect("a turn");
        assert_eq!(turn.fail, Some(Failure::Cut));
        let request: ResponsesRequest =
            serde_json::from_value(json!({"model": "gpt-4.1-mini", "input": [], "stream": true}))
                .expect("a request");
        let events: Vec<String> = render(1, "", &request, &turn)
            .into_iter()
            .map(|frame| frame.event)
            .collect();
        assert_eq!(events.first().map(String::as_str), Some("response.created"));
        assert_eq!(
            events.last().map(String::as_str),
            Some("response.output_item.done"),
            "{events:?}"
        );
        assert!(
            events
                .iter()
                .filter(|e| e.as_str() == "response.output_text.delta")
                .count()
                == 2
        );
        let terminal = ["response.completed", "response.failed", "error"];
        assert!(
            !events.iter().any(|e| terminal.contains(&e.as_str())),
            "{events:?}"
        );
    }

    #[test]
    fn a_message_stopped_after_two_deltas_breaks_the_response_off_there() {
        let turn: Turn = serde_json::from_value(json!({
            "output": [
                {"type": "message", "deltas": ["One", " two", " three"], "stop_after_deltas": 2},
                {"type": "message", "text": "Never sent."}
            ],
            "fail": "error"
        }))
        .expect("a turn");
        let request: ResponsesRequest =
            serde_json::from_value(json!({"model": "gpt-4.1-mini", "input": [], "stream": true}))
                .expect("a request");
        let frames = render(1, "", &request, &turn);
        let events: Vec<&str> = frames.iter().map(|frame| frame.event.as_str()).collect();
        assert_eq!(
            events,
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.content_part.added",
                "response.output_text.delta",
                "response.output_text.delta",
                "error"
            ]
        );
        assert_eq!(frames[5].data["delta"], " two");
    }

    #[test]
    fn even_split_covers_the_text() {
        let chunks = split_even(r#"{"city":"Paris"}"#, 3);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks.concat(), r#"{"city":"Paris"}"#);
    }
}
