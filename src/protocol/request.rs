//! Requests: the one JSON body every call to the ChatKit endpoint sends, and its 16 kinds.
//!
//! Every request is `{"type":"threads.create","params":{…},"metadata":{…}}`. The `type` picks
//! the operation and the shape of `params`; `metadata` is optional and never read by the server.
//! Six operations answer with an SSE stream and ten with a JSON body ([`RequestOp::is_streaming`]).
//!
//! Decoding goes through [`Request::from_slice`], not a bare `serde_json::from_slice`, so that a
//! bad request gets a [`ProtocolError`] naming the offending field (`params.input.content[0].text`),
//! which the HTTP layer turns into a 400 with that text. The checks follow the reference
//! (`params` required even when empty, `metadata` must be an object, a null `inference_options`
//! is rejected) and are stricter where it is lax: no string-to-number or string-to-bool
//! coercion, no negative `limit` or `size`, and an `action` must have a `type`.
//!
//! Where it sits: protocol layer, the first thing the server does with a request body.

use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::{Map, Value};

use super::action::Action;
use super::error::ProtocolError;
use super::ids::{AttachmentId, ItemId, ThreadId};
use super::page::Order;
use super::structured_input::StructuredInputSubmission;
use super::user_message::UserMessageInput;

/// A decoded request.
///
/// # Wire format
///
/// The reference writes `metadata` first: `{"metadata":{},"type":"threads.list","params":{"order":"desc"}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    /// Arbitrary integration data sent by the client; the server never reads it.
    pub metadata: Map<String, Value>,
    /// The operation and its parameters.
    #[serde(flatten)]
    pub op: RequestOp,
}

impl Request {
    /// A request with empty metadata.
    pub fn new(op: RequestOp) -> Self {
        Request {
            metadata: Map::new(),
            op,
        }
    }

    /// Decodes a request body.
    ///
    /// # Errors
    ///
    /// [`ProtocolError`] for a body that is not JSON, not an object, has no or an unknown
    /// `type`, no `params`, a non-object `metadata`, or params that do not fit the type.
    pub fn from_slice(body: &[u8]) -> Result<Self, ProtocolError> {
        let value: Value = serde_json::from_slice(body).map_err(ProtocolError::MalformedJson)?;
        Request::from_value(value)
    }

    /// Decodes a request already parsed as JSON. See [`Request::from_slice`].
    ///
    /// # Errors
    ///
    /// As [`Request::from_slice`], except for malformed JSON.
    pub fn from_value(value: Value) -> Result<Self, ProtocolError> {
        let Value::Object(mut envelope) = value else {
            return Err(ProtocolError::NotAnObject);
        };
        let metadata = take_metadata(&mut envelope)?;
        let kind = take_type(&mut envelope)?;
        let params = envelope
            .shift_remove("params")
            .ok_or_else(|| ProtocolError::missing("params"))?;
        let op = decode_op(kind, params)?;
        Ok(Request { metadata, op })
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Request::from_value(Value::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

/// `metadata` is optional and defaults to `{}`, but when present it must be an object.
fn take_metadata(envelope: &mut Map<String, Value>) -> Result<Map<String, Value>, ProtocolError> {
    match envelope.shift_remove("metadata") {
        None => Ok(Map::new()),
        Some(Value::Object(metadata)) => Ok(metadata),
        Some(_) => Err(ProtocolError::invalid("metadata", "expected an object")),
    }
}

/// `type` is required and must be a string; whether it is a known one is decided later.
fn take_type(envelope: &mut Map<String, Value>) -> Result<String, ProtocolError> {
    match envelope.shift_remove("type") {
        None => Err(ProtocolError::missing("type")),
        Some(Value::String(kind)) => Ok(kind),
        Some(_) => Err(ProtocolError::invalid("type", "expected a string")),
    }
}

/// Decodes `params` for the operation named by `kind`, recording the path of any bad field.
fn decode_op(kind: String, params: Value) -> Result<RequestOp, ProtocolError> {
    let mut tagged = Map::new();
    tagged.insert("type".to_owned(), Value::String(kind.clone()));
    tagged.insert("params".to_owned(), params);
    serde_path_to_error::deserialize(Value::Object(tagged)).map_err(|error| {
        let path = error.path().to_string();
        if path == "type" {
            ProtocolError::UnknownRequestType(kind)
        } else {
            ProtocolError::from_serde(&path, &error.into_inner())
        }
    })
}

/// The 16 operations, each with its parameters.
///
/// # Wire format
///
/// Adjacently tagged: `"type":"threads.delete","params":{"thread_id":"thr_1"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "params")]
pub enum RequestOp {
    /// Create a thread from a first message. Streams.
    #[serde(rename = "threads.create")]
    ThreadsCreate(ThreadsCreateParams),
    /// Add a user message to a thread. Streams.
    #[serde(rename = "threads.add_user_message")]
    ThreadsAddUserMessage(ThreadsAddUserMessageParams),
    /// Send the output of a client tool call. Streams.
    #[serde(rename = "threads.add_client_tool_output")]
    ThreadsAddClientToolOutput(ThreadsAddClientToolOutputParams),
    /// Answer a structured-input item. Streams.
    #[serde(rename = "threads.add_structured_input")]
    ThreadsAddStructuredInput(ThreadsAddStructuredInputParams),
    /// Regenerate everything after a user message. Streams.
    #[serde(rename = "threads.retry_after_item")]
    ThreadsRetryAfterItem(ThreadsRetryAfterItemParams),
    /// Run a widget action. Streams.
    #[serde(rename = "threads.custom_action")]
    ThreadsCustomAction(ThreadsCustomActionParams),
    /// Fetch a thread with its first items. JSON.
    #[serde(rename = "threads.get_by_id")]
    ThreadsGetById(ThreadsGetByIdParams),
    /// List the user's threads. JSON.
    #[serde(rename = "threads.list")]
    ThreadsList(ThreadsListParams),
    /// List a thread's items. JSON.
    #[serde(rename = "items.list")]
    ItemsList(ItemsListParams),
    /// Thumbs up or down on items. JSON.
    #[serde(rename = "items.feedback")]
    ItemsFeedback(ItemsFeedbackParams),
    /// Register an attachment before uploading it. JSON.
    #[serde(rename = "attachments.create")]
    AttachmentsCreate(AttachmentsCreateParams),
    /// Delete an attachment. JSON.
    #[serde(rename = "attachments.delete")]
    AttachmentsDelete(AttachmentsDeleteParams),
    /// Rename a thread. JSON.
    #[serde(rename = "threads.update")]
    ThreadsUpdate(ThreadsUpdateParams),
    /// Delete a thread and its items. JSON.
    #[serde(rename = "threads.delete")]
    ThreadsDelete(ThreadsDeleteParams),
    /// Turn dictated audio into text. JSON.
    #[serde(rename = "input.transcribe")]
    InputTranscribe(InputTranscribeParams),
    /// Run a widget action that answers with one updated item. JSON.
    #[serde(rename = "threads.sync_custom_action")]
    ThreadsSyncCustomAction(ThreadsCustomActionParams),
}

impl RequestOp {
    /// Whether the operation answers with an SSE stream (else with one JSON body).
    pub fn is_streaming(&self) -> bool {
        matches!(
            self,
            RequestOp::ThreadsCreate(_)
                | RequestOp::ThreadsAddUserMessage(_)
                | RequestOp::ThreadsAddClientToolOutput(_)
                | RequestOp::ThreadsAddStructuredInput(_)
                | RequestOp::ThreadsRetryAfterItem(_)
                | RequestOp::ThreadsCustomAction(_)
        )
    }

    /// Whether the operation only reads what the user already has: a thread, the list of
    /// threads, a page of items. Everything else writes, or costs something to answer
    /// (`input.transcribe` runs a speech model), so a read-only role is refused it.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            RequestOp::ThreadsGetById(_) | RequestOp::ThreadsList(_) | RequestOp::ItemsList(_)
        )
    }

    /// The operation's wire name, such as `"threads.create"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            RequestOp::ThreadsCreate(_) => "threads.create",
            RequestOp::ThreadsAddUserMessage(_) => "threads.add_user_message",
            RequestOp::ThreadsAddClientToolOutput(_) => "threads.add_client_tool_output",
            RequestOp::ThreadsAddStructuredInput(_) => "threads.add_structured_input",
            RequestOp::ThreadsRetryAfterItem(_) => "threads.retry_after_item",
            RequestOp::ThreadsCustomAction(_) => "threads.custom_action",
            RequestOp::ThreadsGetById(_) => "threads.get_by_id",
            RequestOp::ThreadsList(_) => "threads.list",
            RequestOp::ItemsList(_) => "items.list",
            RequestOp::ItemsFeedback(_) => "items.feedback",
            RequestOp::AttachmentsCreate(_) => "attachments.create",
            RequestOp::AttachmentsDelete(_) => "attachments.delete",
            RequestOp::ThreadsUpdate(_) => "threads.update",
            RequestOp::ThreadsDelete(_) => "threads.delete",
            RequestOp::InputTranscribe(_) => "input.transcribe",
            RequestOp::ThreadsSyncCustomAction(_) => "threads.sync_custom_action",
        }
    }
}

/// `threads.create`: `{"input":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadsCreateParams {
    /// The first message.
    pub input: UserMessageInput,
}

/// `threads.add_user_message`: `{"input":{…},"thread_id":"thr_1"}` (the reference's order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadsAddUserMessageParams {
    /// The message.
    pub input: UserMessageInput,
    /// The thread to add it to.
    pub thread_id: ThreadId,
}

/// `threads.add_client_tool_output`: `{"thread_id":"thr_1","result":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadsAddClientToolOutputParams {
    /// The thread whose newest item is the pending call.
    pub thread_id: ThreadId,
    /// What the client tool returned, any JSON. A `null` result is left out when written, as the
    /// reference does, so a missing key reads back as `null`.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub result: Value,
}

/// `threads.add_structured_input`: `{"thread_id":…,"item_id":…,"input":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadsAddStructuredInputParams {
    /// The thread.
    pub thread_id: ThreadId,
    /// The pending structured-input item.
    pub item_id: ItemId,
    /// The answers.
    pub input: StructuredInputSubmission,
}

/// `threads.retry_after_item`: `{"thread_id":…,"item_id":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadsRetryAfterItemParams {
    /// The thread.
    pub thread_id: ThreadId,
    /// The user message to answer again; everything after it is deleted.
    pub item_id: ItemId,
}

/// `threads.custom_action` and `threads.sync_custom_action`: `{"thread_id":…,"item_id":…,"action":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadsCustomActionParams {
    /// The thread.
    pub thread_id: ThreadId,
    /// The widget item the action came from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
    /// The action.
    pub action: Action,
}

/// `threads.get_by_id`: `{"thread_id":"thr_1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadsGetByIdParams {
    /// The thread.
    pub thread_id: ThreadId,
}

/// `threads.list`: `{"limit":20,"order":"desc","after":"thr_1"}`; `order` is always written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadsListParams {
    /// Page size; absent or 0 means 20.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Newest first by default.
    #[serde(default)]
    pub order: Order,
    /// The cursor: the last thread id of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<ThreadId>,
}

/// `items.list`: `{"thread_id":…,"limit":20,"order":"desc","after":"msg_1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemsListParams {
    /// The thread.
    pub thread_id: ThreadId,
    /// Page size; absent or 0 means 20.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Newest first by default.
    #[serde(default)]
    pub order: Order,
    /// The cursor: the last item id of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<ItemId>,
}

/// `items.feedback`: `{"thread_id":…,"item_ids":[…],"kind":"positive"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemsFeedbackParams {
    /// The thread.
    pub thread_id: ThreadId,
    /// The items rated.
    pub item_ids: Vec<ItemId>,
    /// Thumbs up or down.
    pub kind: FeedbackKind,
}

/// Thumbs up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeedbackKind {
    /// 👍
    #[serde(rename = "positive")]
    Positive,
    /// 👎
    #[serde(rename = "negative")]
    Negative,
}

/// `attachments.create`: `{"name":"a.png","size":1024,"mime_type":"image/png"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentsCreateParams {
    /// The file name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// The MIME type.
    pub mime_type: String,
}

/// `attachments.delete`: `{"attachment_id":"atc_1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentsDeleteParams {
    /// The attachment.
    pub attachment_id: AttachmentId,
}

/// `threads.update`: `{"thread_id":…,"title":"New title"}`; the title may be empty, not null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadsUpdateParams {
    /// The thread.
    pub thread_id: ThreadId,
    /// The new title.
    pub title: String,
}

/// `threads.delete`: `{"thread_id":"thr_1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadsDeleteParams {
    /// The thread.
    pub thread_id: ThreadId,
}

/// `input.transcribe`: `{"audio_base64":"…","mime_type":"audio/webm;codecs=opus"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputTranscribeParams {
    /// The recorded audio, base64.
    pub audio_base64: String,
    /// The raw MIME type, parameters included.
    pub mime_type: String,
}
