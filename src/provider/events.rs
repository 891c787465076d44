//! The Responses API wire, as data: the request body, the input and output items, and the
//! streamed events.
//!
//! These are the shapes of the Responses API (protocol#responses-api): the body
//! `POST /responses` takes (protocol#responses-request), the input items the Agents SDK and
//! ChatKit's converter send (protocol#responses-input), and the event catalogue
//! (protocol#responses-events). The same types serve both sides: [`super::openai`] writes
//! requests and reads events, [`super::mock`] reads requests and writes events.
//!
//! # Why not `async-openai`
//!
//! The `async-openai` crate (0.43) has complete typed Responses events, and we looked at it
//! first. It does not fit a client that must talk to *any* OpenAI-compatible server:
//!
//! * it has no catch-all for event types it does not know, so a server that adds an event
//!   breaks the stream, where the official Python client skips it;
//! * it requires `sequence_number` and the other fields strict validation wants, which the
//!   minimal servers ChatKit works with (protocol#responses-minimal) leave out.
//!
//! So the types here are written to be **tolerant** on the read side: every field a server may
//! leave out has a `#[serde(default)]`, unknown event types and item types become an
//! `Unknown` variant the client skips, and free-form parts (annotations, content parts we do not
//! read) stay `serde_json::Value`. On the write side they leave unset fields out
//! (`skip_serializing_if = "Option::is_none"`), as the official client does.
//!
//! Python counterpart: `openai/types/responses/*.py` (pydantic models generated from the API
//! spec).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body of `POST /responses`.
///
/// Fields that are not set are left out of the JSON, never sent as `null`
/// (protocol#responses-request).
/// `tools` and `include` are always sent, `[]` when empty, because the Agents SDK sends them.
///
/// # Wire format
///
/// `{"model":"gpt-4.1-mini","stream":true,"include":[],"input":[…],"instructions":"…","tools":[…]}`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponsesRequest {
    /// The model name.
    #[serde(default)]
    pub model: String,
    /// Whether to stream; the client always sets it.
    #[serde(default)]
    pub stream: bool,
    /// Extra output to include (`[]` unless a tool or setting needs it).
    #[serde(default)]
    pub include: Vec<String>,
    /// The conversation so far. A server also accepts a plain string (one user message).
    #[serde(default, deserialize_with = "string_or_items")]
    pub input: Vec<InputItem>,
    /// The system prompt; it is not an input item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// The tools the model may call.
    #[serde(default)]
    pub tools: Vec<ToolDefinition>,
    /// `"auto"`, `"required"`, `"none"` or `{"type":"function","name":…}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
    /// Whether the model may call several tools at once; sent only with tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// A cap on the output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// `"auto"` or `"disabled"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncation: Option<String>,
    /// Whether the provider stores the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<bool>,
    /// Free-form tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Reasoning effort and summary settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<ReasoningSettings>,
    /// Continue from a stored response instead of resending the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_response_id: Option<String>,
}

/// Reads `input` as the API accepts it: a list of items, or a string meaning one user message.
fn string_or_items<'de, D>(deserializer: D) -> Result<Vec<InputItem>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Input {
        Text(String),
        Items(Vec<InputItem>),
    }
    Ok(match Input::deserialize(deserializer)? {
        Input::Text(text) => vec![InputItem::user_text(text)],
        Input::Items(items) => items,
    })
}

/// `{"effort":"low","summary":"auto"}`: how hard a reasoning model thinks, and whether it
/// streams a summary of its thoughts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReasoningSettings {
    /// `"minimal"`, `"low"`, `"medium"` or `"high"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<String>,
    /// `"auto"`, `"concise"` or `"detailed"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// A function tool as the request declares it.
///
/// # Wire format
///
/// `{"name":"get_weather","parameters":{…},"strict":true,"type":"function","description":"…"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinition {
    /// The tool's name, as the model calls it.
    pub name: String,
    /// The JSON schema of its arguments (an object schema).
    #[serde(default)]
    pub parameters: Value,
    /// Whether the provider enforces the schema exactly (OpenAI strict mode).
    #[serde(default)]
    pub strict: bool,
    /// Always `"function"`.
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    /// What the tool does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn function_type() -> String {
    "function".to_owned()
}

/// One item of the request's `input` (protocol#responses-input).
///
/// The one shape without a `type` is the "easy" message the Agents SDK sends for a plain string
/// input (`{"content":"Hi there","role":"user"}`), so this is an untagged pair: a typed item,
/// else an easy message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InputItem {
    /// An item with a `type`.
    Typed(TypedInputItem),
    /// `{"content":…,"role":…}` with no `type`.
    Easy(EasyMessage),
}

/// The input items that carry a `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TypedInputItem {
    /// A user, system, developer or assistant message.
    #[serde(rename = "message")]
    Message(InputMessage),
    /// A function call the model made earlier (replayed as it came).
    #[serde(rename = "function_call")]
    FunctionCall(FunctionCall),
    /// The output of a function call.
    #[serde(rename = "function_call_output")]
    FunctionCallOutput(FunctionCallOutput),
    /// A reasoning item the model produced earlier in the same run.
    #[serde(rename = "reasoning")]
    Reasoning(Reasoning),
}

/// `{"content":"Hi there","role":"user"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EasyMessage {
    /// Text, or a list of content parts.
    pub content: MessageContent,
    /// `"user"`, `"assistant"`, `"system"` or `"developer"`.
    pub role: String,
}

/// `{"role":"user","type":"message","content":[{"type":"input_text","text":"…"}]}`, or an
/// assistant message replayed from an earlier output (then with `id` and `status`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputMessage {
    /// Who said it.
    pub role: String,
    /// Text, or a list of content parts.
    pub content: MessageContent,
    /// The output item's id, when replaying one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The output item's status, when replaying one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A message's content: a plain string or a list of parts.
///
/// Parts stay JSON values: there are many kinds (`input_text`, `input_image`, `input_file`,
/// `output_text`, `refusal`, …) and the client only passes them through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// `"Hi there"`.
    Text(String),
    /// `[{"type":"input_text","text":"Hi"}, …]`.
    Parts(Vec<Value>),
}

impl MessageContent {
    /// The text of the message: the string, or every part's `text` (or `refusal`) joined.
    pub fn text(&self) -> String {
        match self {
            MessageContent::Text(text) => text.clone(),
            MessageContent::Parts(parts) => parts
                .iter()
                .filter_map(|part| part.get("text").or_else(|| part.get("refusal")))
                .filter_map(Value::as_str)
                .collect(),
        }
    }
}

impl InputItem {
    /// A user message given as plain text, as the Agents SDK sends a string input.
    pub fn user_text(text: impl Into<String>) -> Self {
        InputItem::Easy(EasyMessage {
            content: MessageContent::Text(text.into()),
            role: "user".to_owned(),
        })
    }

    /// The role and content if this item is a message of either shape.
    pub fn as_message(&self) -> Option<(&str, &MessageContent)> {
        match self {
            InputItem::Easy(m) => Some((&m.role, &m.content)),
            InputItem::Typed(TypedInputItem::Message(m)) => Some((&m.role, &m.content)),
            InputItem::Typed(_) => None,
        }
    }

    /// The input item that replays an output item in the next request of the same run, as the
    /// Agents SDK does; `None` for output items the client does not know.
    pub fn replay(item: &OutputItem) -> Option<Self> {
        let typed = match item {
            OutputItem::Message(message) => TypedInputItem::Message(InputMessage {
                role: message.role.clone(),
                content: MessageContent::Parts(
                    message
                        .content
                        .iter()
                        .filter_map(|part| serde_json::to_value(part).ok())
                        .collect(),
                ),
                id: Some(message.id.clone()),
                status: message.status.clone(),
            }),
            OutputItem::FunctionCall(call) => TypedInputItem::FunctionCall(call.clone()),
            OutputItem::Reasoning(reasoning) => TypedInputItem::Reasoning(reasoning.clone()),
            OutputItem::Unknown => return None,
        };
        Some(InputItem::Typed(typed))
    }
}

/// `{"call_id":"call_…","output":"Sunny","type":"function_call_output"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCallOutput {
    /// The call this answers.
    pub call_id: String,
    /// The tool's result, as a string (JSON or text).
    pub output: String,
}

/// One item of a response's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum OutputItem {
    /// An assistant message.
    #[serde(rename = "message")]
    Message(OutputMessage),
    /// A call of one of the request's function tools.
    #[serde(rename = "function_call")]
    FunctionCall(FunctionCall),
    /// A reasoning item with its summary.
    #[serde(rename = "reasoning")]
    Reasoning(Reasoning),
    /// Any other kind (web search, image generation, …): passed over.
    #[serde(other)]
    Unknown,
}

/// `{"id":"msg_…","type":"message","role":"assistant","status":"completed","content":[…]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputMessage {
    /// The item id (`msg_…`); ChatKit reuses it as the assistant message's id.
    #[serde(default)]
    pub id: String,
    /// Always `"assistant"`.
    #[serde(default = "assistant_role")]
    pub role: String,
    /// `"in_progress"` or `"completed"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Text and refusal parts.
    #[serde(default)]
    pub content: Vec<OutputContent>,
}

fn assistant_role() -> String {
    "assistant".to_owned()
}

/// A part of an assistant message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum OutputContent {
    /// `{"type":"output_text","text":"…","annotations":[],"logprobs":[]}`.
    #[serde(rename = "output_text")]
    OutputText {
        /// The text.
        #[serde(default)]
        text: String,
        /// Citations, kept as JSON (`url_citation`, `file_citation`, …).
        #[serde(default)]
        annotations: Vec<Value>,
        /// Token log-probabilities; the mock sends `[]`, as the real API does.
        #[serde(default)]
        logprobs: Vec<Value>,
    },
    /// `{"type":"refusal","refusal":"…"}`.
    #[serde(rename = "refusal")]
    Refusal {
        /// Why the model refused.
        #[serde(default)]
        refusal: String,
    },
    /// Any other part: passed over.
    #[serde(other)]
    Unknown,
}

/// A function call: `{"arguments":"{\"city\":\"Paris\"}","call_id":"call_…","name":"get_weather",
/// "id":"fc_…","status":"completed"}` (the `type` comes from the enclosing enum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// The item id (`fc_…`); optional on the wire, ChatKit needs it for client tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Pairs the call with its output.
    pub call_id: String,
    /// Which tool.
    pub name: String,
    /// The arguments as a JSON string; `""` while in progress.
    #[serde(default)]
    pub arguments: String,
    /// `"in_progress"` or `"completed"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A reasoning item: `{"id":"rs_…","summary":[{"text":"…","type":"summary_text"}]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reasoning {
    /// The item id (`rs_…`).
    #[serde(default)]
    pub id: String,
    /// The summary parts.
    #[serde(default)]
    pub summary: Vec<SummaryPart>,
    /// Full reasoning text, when the provider shares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
    /// Opaque reasoning state for stateless replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_content: Option<String>,
}

/// `{"type":"summary_text","text":"…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryPart {
    /// Always `"summary_text"`.
    #[serde(rename = "type", default = "summary_text_type")]
    pub kind: String,
    /// The summary text.
    #[serde(default)]
    pub text: String,
}

fn summary_text_type() -> String {
    "summary_text".to_owned()
}

impl SummaryPart {
    /// A summary part with this text.
    pub fn new(text: impl Into<String>) -> Self {
        SummaryPart {
            kind: summary_text_type(),
            text: text.into(),
        }
    }
}

/// The response object carried by `response.created`, `.in_progress`, `.completed`,
/// `.failed` and `.incomplete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// `resp_…`.
    #[serde(default)]
    pub id: String,
    /// Always `"response"`.
    #[serde(default = "response_object")]
    pub object: String,
    /// Epoch seconds (an integer on OpenAI's wire, a float in the Python types).
    #[serde(default = "zero")]
    pub created_at: serde_json::Number,
    /// `in_progress`, `completed`, `failed` or `incomplete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Why it failed (`response.failed`); `null` otherwise.
    #[serde(default)]
    pub error: Option<ResponseError>,
    /// Why it stopped early (`response.incomplete`), e.g. `{"reason":"max_output_tokens"}`.
    #[serde(default)]
    pub incomplete_details: Option<Value>,
    /// The model that answered.
    #[serde(default)]
    pub model: String,
    /// Every finished item: the turn's result (protocol#responses-minimal).
    #[serde(default)]
    pub output: Vec<OutputItem>,
    /// Echo of the request setting.
    #[serde(default)]
    pub parallel_tool_calls: bool,
    /// Echo of the request setting.
    #[serde(default)]
    pub tool_choice: Value,
    /// Echo of the request's tools.
    #[serde(default)]
    pub tools: Vec<Value>,
    /// Token counts; `null` until the response completes.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// Anything else the provider echoes (instructions, temperature, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn zero() -> serde_json::Number {
    0.into()
}

fn response_object() -> String {
    "response".to_owned()
}

/// `{"code":"server_error","message":"…"}` inside a failed response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseError {
    /// A machine-readable code.
    #[serde(default)]
    pub code: Option<String>,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
}

/// Token counts of one response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens read.
    #[serde(default)]
    pub input_tokens: u64,
    /// Cache details of the input.
    #[serde(default)]
    pub input_tokens_details: InputTokensDetails,
    /// Tokens written.
    #[serde(default)]
    pub output_tokens: u64,
    /// Reasoning share of the output.
    #[serde(default)]
    pub output_tokens_details: OutputTokensDetails,
    /// Input plus output.
    #[serde(default)]
    pub total_tokens: u64,
}

/// `{"cached_tokens":0,"cache_write_tokens":0}` (openai 3.54.0 requires both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputTokensDetails {
    /// Tokens served from the prompt cache.
    #[serde(default)]
    pub cached_tokens: u64,
    /// Tokens written to the prompt cache.
    #[serde(default)]
    pub cache_write_tokens: u64,
}

/// `{"reasoning_tokens":0}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputTokensDetails {
    /// Tokens spent thinking.
    #[serde(default)]
    pub reasoning_tokens: u64,
}

/// One streamed event (protocol#responses-events), picked by its JSON `type`.
///
/// Index fields default to 0 and text fields to `""` when a server leaves them out. The
/// `sequence_number` every event carries on the real API is not kept: nobody reads it (the
/// mock adds it when writing). Event types not listed here become [`ResponseEvent::Unknown`],
/// which the client skips, as the official client does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ResponseEvent {
    /// The response exists; nothing produced yet.
    #[serde(rename = "response.created")]
    Created {
        /// The response, `in_progress`.
        response: Response,
    },
    /// The model is working.
    #[serde(rename = "response.in_progress")]
    InProgress {
        /// The response, `in_progress`.
        response: Response,
    },
    /// An output item started.
    #[serde(rename = "response.output_item.added")]
    OutputItemAdded {
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The item in its first state.
        item: OutputItem,
    },
    /// An output item is finished.
    #[serde(rename = "response.output_item.done")]
    OutputItemDone {
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The finished item.
        item: OutputItem,
    },
    /// A message part started (empty text).
    #[serde(rename = "response.content_part.added")]
    ContentPartAdded {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The part.
        part: OutputContent,
    },
    /// A message part is finished.
    #[serde(rename = "response.content_part.done")]
    ContentPartDone {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The final part, annotations included.
        part: OutputContent,
    },
    /// More text of a message part.
    #[serde(rename = "response.output_text.delta")]
    OutputTextDelta {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The new text.
        #[serde(default)]
        delta: String,
        /// Log-probabilities (`[]`).
        #[serde(default)]
        logprobs: Vec<Value>,
    },
    /// A citation was added to a message part.
    #[serde(rename = "response.output_text.annotation.added")]
    OutputTextAnnotationAdded {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The annotation's position in the part.
        #[serde(default)]
        annotation_index: u32,
        /// The annotation, as JSON.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotation: Option<Value>,
    },
    /// A message part's text is complete.
    #[serde(rename = "response.output_text.done")]
    OutputTextDone {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The whole text.
        #[serde(default)]
        text: String,
        /// Log-probabilities (`[]`).
        #[serde(default)]
        logprobs: Vec<Value>,
    },
    /// More of a refusal.
    #[serde(rename = "response.refusal.delta")]
    RefusalDelta {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The new text.
        #[serde(default)]
        delta: String,
    },
    /// A refusal is complete.
    #[serde(rename = "response.refusal.done")]
    RefusalDone {
        /// The message item.
        #[serde(default)]
        item_id: String,
        /// The message's position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the message.
        #[serde(default)]
        content_index: u32,
        /// The whole refusal.
        #[serde(default)]
        refusal: String,
    },
    /// More of a function call's arguments.
    #[serde(rename = "response.function_call_arguments.delta")]
    FunctionCallArgumentsDelta {
        /// The function call item.
        #[serde(default)]
        item_id: String,
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The new characters of the JSON string.
        #[serde(default)]
        delta: String,
    },
    /// A function call's arguments are complete.
    #[serde(rename = "response.function_call_arguments.done")]
    FunctionCallArgumentsDone {
        /// The function call item.
        #[serde(default)]
        item_id: String,
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The whole JSON string.
        #[serde(default)]
        arguments: String,
    },
    /// A reasoning summary part started.
    #[serde(rename = "response.reasoning_summary_part.added")]
    ReasoningSummaryPartAdded {
        /// The reasoning item.
        #[serde(default)]
        item_id: String,
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the summary.
        #[serde(default)]
        summary_index: u32,
        /// The part (empty text).
        part: SummaryPart,
    },
    /// A reasoning summary part is finished.
    #[serde(rename = "response.reasoning_summary_part.done")]
    ReasoningSummaryPartDone {
        /// The reasoning item.
        #[serde(default)]
        item_id: String,
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the summary.
        #[serde(default)]
        summary_index: u32,
        /// The final part.
        part: SummaryPart,
    },
    /// More text of a reasoning summary part.
    #[serde(rename = "response.reasoning_summary_text.delta")]
    ReasoningSummaryTextDelta {
        /// The reasoning item.
        #[serde(default)]
        item_id: String,
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the summary.
        #[serde(default)]
        summary_index: u32,
        /// The new text.
        #[serde(default)]
        delta: String,
    },
    /// A reasoning summary part's text is complete.
    #[serde(rename = "response.reasoning_summary_text.done")]
    ReasoningSummaryTextDone {
        /// The reasoning item.
        #[serde(default)]
        item_id: String,
        /// Its position in `output`.
        #[serde(default)]
        output_index: u32,
        /// The part's position in the summary.
        #[serde(default)]
        summary_index: u32,
        /// The whole text.
        #[serde(default)]
        text: String,
    },
    /// The response is finished; `response.output` is the turn's result.
    #[serde(rename = "response.completed")]
    Completed {
        /// The final response.
        response: Response,
    },
    /// The response failed; `response.error` says why.
    #[serde(rename = "response.failed")]
    Failed {
        /// The failed response.
        response: Response,
    },
    /// The response stopped early; `response.incomplete_details` says why.
    #[serde(rename = "response.incomplete")]
    Incomplete {
        /// The incomplete response.
        response: Response,
    },
    /// The provider failed mid-stream.
    #[serde(rename = "error")]
    Error {
        /// A machine-readable code.
        #[serde(default)]
        code: Option<String>,
        /// What went wrong.
        #[serde(default)]
        message: String,
        /// The request parameter at fault.
        #[serde(default)]
        param: Option<String>,
    },
    /// An event type this client does not know; skipped.
    #[serde(other)]
    Unknown,
}

impl ResponseEvent {
    /// The wire `type` of this event (`"unknown"` for [`ResponseEvent::Unknown`]).
    pub fn type_name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
            _ => "unknown".to_owned(),
        }
    }
}
