//! Thread items: everything a thread holds, the 11 `ThreadItem` variants.
//!
//! A thread is a list of items in creation order: the user's messages, the assistant's replies,
//! client tool calls, widgets, images, structured-input forms, workflows, tasks, end-of-turn
//! markers, and two kinds of **hidden** item that only the model sees (context the integration or
//! the server stores for later turns; they are never sent to a client).
//!
//! Every item starts with `id`, `thread_id` and `created_at`, then its `type`, then the fields of
//! its kind: [`ThreadItem`] holds the common fields and flattens a `#[serde(tag = "type")]`
//! [`ItemKind`], which writes exactly that order.
//!
//! Where it sits: protocol layer. Stores keep items; handlers emit them inside stream events;
//! `items.list` and `threads.get_by_id` return them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::assistant::AssistantMessageContent;
use super::attachment::Attachment;
use super::ids::{ItemId, ThreadId};
use super::structured_input::{StructuredInput, StructuredInputStatus};
use super::timestamp::Timestamp;
use super::user_message::{InferenceOptions, UserMessageContent};
use super::widget::WidgetRoot;
use super::workflow::{Task, Workflow};

/// One item of a thread.
///
/// # Wire format
///
/// `{"id":"msg_1","thread_id":"thr_1","created_at":"2025-01-02T03:04:05Z","type":"assistant_message","content":[…]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadItem {
    /// The item's id.
    pub id: ItemId,
    /// The thread it belongs to.
    pub thread_id: ThreadId,
    /// When it was created; items are ordered by it.
    pub created_at: Timestamp,
    /// The variant and its fields.
    #[serde(flatten)]
    pub kind: ItemKind,
}

impl ThreadItem {
    /// Whether the item is model-only context that must never reach a client.
    pub fn is_hidden(&self) -> bool {
        matches!(
            self.kind,
            ItemKind::HiddenContext { .. } | ItemKind::SdkHiddenContext { .. }
        )
    }
}

/// The 11 kinds of thread item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ItemKind {
    /// A message from the user.
    #[serde(rename = "user_message")]
    UserMessage(UserMessage),
    /// A reply from the assistant.
    #[serde(rename = "assistant_message")]
    AssistantMessage(AssistantMessage),
    /// A tool the client must run; the stream ends after it until the output comes back.
    #[serde(rename = "client_tool_call")]
    ClientToolCall(ClientToolCall),
    /// A rendered widget.
    #[serde(rename = "widget")]
    Widget {
        /// The widget tree.
        widget: WidgetRoot,
        /// Text copied when the user copies the item.
        #[serde(skip_serializing_if = "Option::is_none")]
        copy_text: Option<String>,
    },
    /// An image produced by the model; `image` is unset while it is being made.
    #[serde(rename = "generated_image")]
    GeneratedImage {
        /// The image, once there is one.
        #[serde(skip_serializing_if = "Option::is_none")]
        image: Option<GeneratedImage>,
    },
    /// A form of questions for the user.
    #[serde(rename = "structured_input")]
    StructuredInput {
        /// Pending until answered or skipped.
        #[serde(default)]
        status: StructuredInputStatus,
        /// The questions.
        inputs: Vec<StructuredInput>,
    },
    /// A workflow of tasks.
    #[serde(rename = "workflow")]
    Workflow {
        /// The workflow.
        workflow: Workflow,
    },
    /// A single task.
    #[serde(rename = "task")]
    Task {
        /// The task.
        task: Task,
    },
    /// Marks the end of the assistant's turn.
    #[serde(rename = "end_of_turn")]
    EndOfTurn,
    /// Context for the model stored by the integration. **Hidden**: never sent to a client.
    #[serde(rename = "hidden_context_item")]
    HiddenContext {
        /// Any JSON. A JSON `null` is left out when written, as the reference does, and a
        /// missing key reads back as `null` (the reference would reject its own output there).
        #[serde(default, skip_serializing_if = "Value::is_null")]
        content: Value,
    },
    /// Context the server itself stores, such as the note that a stream was cancelled.
    /// **Hidden**: never sent to a client.
    #[serde(rename = "sdk_hidden_context")]
    SdkHiddenContext {
        /// Text for the model.
        content: String,
    },
}

/// The fields of a `user_message` item.
///
/// # Wire format
///
/// `"content":[…],"attachments":[],"inference_options":{}` with `quoted_text` before
/// `inference_options` when set; `attachments` and `inference_options` are always written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserMessage {
    /// Text and tag parts.
    pub content: Vec<UserMessageContent>,
    /// The full attachment records, linked to this thread.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Text the user quoted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted_text: Option<String>,
    /// The tool and model picked in the composer.
    pub inference_options: InferenceOptions,
}

impl UserMessage {
    /// What the user typed: the text parts in order, joined by one space. Tags are left out
    /// (the entity a tag names is in its part, not in the words); attachments and quoted text
    /// are fields of their own.
    ///
    /// Every lesson, test and tool reads a message's words through this one rule.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self
            .content
            .iter()
            .filter_map(|part| match part {
                UserMessageContent::Text { text } => Some(text.as_str()),
                UserMessageContent::Tag { .. } => None,
            })
            .collect();
        parts.join(" ")
    }
}

/// A `user_message` item, typed: the input a `respond()` answers (the reference's
/// `UserMessageItem`). The common item fields sit beside the message's own.
///
/// Not a wire type of its own: it is written and read as the [`ThreadItem`] it converts to
/// and from.
#[derive(Debug, Clone, PartialEq)]
pub struct UserMessageItem {
    /// The item's id.
    pub id: ItemId,
    /// The thread it belongs to.
    pub thread_id: ThreadId,
    /// When the user sent it.
    pub created_at: Timestamp,
    /// Its content, attachments, quoted text and inference options.
    pub message: UserMessage,
}

impl UserMessageItem {
    /// What the user typed; see [`UserMessage::text`].
    pub fn text(&self) -> String {
        self.message.text()
    }

    /// The message as the thread item it is stored as.
    pub fn into_item(self) -> ThreadItem {
        ThreadItem {
            id: self.id,
            thread_id: self.thread_id,
            created_at: self.created_at,
            kind: ItemKind::UserMessage(self.message),
        }
    }
}

impl TryFrom<ThreadItem> for UserMessageItem {
    /// Any other kind of item is handed back unchanged.
    type Error = ThreadItem;

    fn try_from(item: ThreadItem) -> Result<Self, Self::Error> {
        match item.kind {
            ItemKind::UserMessage(message) => Ok(UserMessageItem {
                id: item.id,
                thread_id: item.thread_id,
                created_at: item.created_at,
                message,
            }),
            kind => Err(ThreadItem { kind, ..item }),
        }
    }
}

impl From<UserMessageItem> for ThreadItem {
    fn from(item: UserMessageItem) -> Self {
        item.into_item()
    }
}

/// The fields of an `assistant_message` item: `"content":[…]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistantMessage {
    /// The text parts, in order.
    pub content: Vec<AssistantMessageContent>,
}

/// The fields of a `client_tool_call` item.
///
/// # Wire format
///
/// `"status":"pending","call_id":"call_1","name":"get_location","arguments":{}` and, once the
/// client has answered, `"output":…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientToolCall {
    /// Pending until the client sends the output.
    #[serde(default)]
    pub status: ClientToolCallStatus,
    /// The model's id for the call.
    pub call_id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments, as the model gave them (nulls kept).
    pub arguments: Map<String, Value>,
    /// What the client returned; a JSON `null` is left out, as the reference does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

/// Whether a client tool call has been answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientToolCallStatus {
    /// Waiting for the client; the default.
    #[default]
    #[serde(rename = "pending")]
    Pending,
    /// The client sent its output.
    #[serde(rename = "completed")]
    Completed,
}

/// A generated image: `{"id":"img_1","url":"https://…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedImage {
    /// The image's id.
    pub id: String,
    /// Where the client loads it from.
    pub url: String,
}
