//! What the user sends: message input, its content parts and the inference options.
//!
//! `threads.create` and `threads.add_user_message` carry a [`UserMessageInput`]; the server turns
//! it into a stored `user_message` item (see `item.rs`) whose content is the same
//! [`UserMessageContent`] list and whose attachments are the full attachment records.
//!
//! Where it sits: protocol layer; read by request decoding, written into items.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::AttachmentId;

/// The message a user submits.
///
/// # Wire format
///
/// `{"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}}`.
/// `attachments` and `inference_options` must be present (the Python SDK requires both keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserMessageInput {
    /// Text and tag parts, in order. May be empty.
    pub content: Vec<UserMessageContent>,
    /// Ids of attachments created earlier with `attachments.create` (or a direct upload).
    pub attachments: Vec<AttachmentId>,
    /// Text the user quoted from an earlier message, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted_text: Option<String>,
    /// The tool and model the user picked in the composer.
    pub inference_options: InferenceOptions,
}

/// One part of a user message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum UserMessageContent {
    /// Plain text: `{"type":"input_text","text":"hi"}`.
    #[serde(rename = "input_text")]
    Text {
        /// The text typed by the user.
        text: String,
    },
    /// An @-mention tag: `{"type":"input_tag","id":"u1","text":"Ada","data":{},"interactive":false}`.
    #[serde(rename = "input_tag")]
    Tag {
        /// The tagged entity's id.
        id: String,
        /// The text shown for the tag.
        text: String,
        /// Data the client attached to the tag. Required by the Python SDK.
        data: Map<String, Value>,
        /// The group the tag was picked from.
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        /// Whether the tag reacts to clicks.
        #[serde(default)]
        interactive: bool,
    },
}

impl UserMessageContent {
    /// A plain text part.
    pub fn text(text: impl Into<String>) -> Self {
        UserMessageContent::Text { text: text.into() }
    }
}

/// The tool and model choice sent with a message.
///
/// # Wire format
///
/// `{}` when nothing is chosen, else `{"tool_choice":{"id":"search"},"model":"gpt-x"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InferenceOptions {
    /// The tool the user asked for explicitly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// The model the user picked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// A tool picked in the composer: `{"id":"search"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolChoice {
    /// The tool's id as configured in the client.
    pub id: String,
}
