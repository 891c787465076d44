//! JSON response bodies that are not threads, items or pages.
//!
//! Most non-streaming requests answer with a protocol type defined elsewhere (a [`Thread`], a
//! [`Page`], an [`Attachment`]) or with `{}`. Two have bodies of their own: the transcription
//! of dictated audio and the result of a synchronous widget action.
//!
//! Where it sits: protocol layer; written by the server for `input.transcribe` and
//! `threads.sync_custom_action`.
//!
//! [`Thread`]: super::thread::Thread
//! [`Page`]: super::page::Page
//! [`Attachment`]: super::attachment::Attachment

use serde::{Deserialize, Serialize};

use super::item::ThreadItem;

/// The answer to `input.transcribe`: `{"text":"hello"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptionResult {
    /// The transcribed text.
    pub text: String,
}

/// The answer to `threads.sync_custom_action`: `{"updated_item":{…}}`, or `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncCustomActionResponse {
    /// The item to show in place of the old one, if the action changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_item: Option<ThreadItem>,
}
