//! Stream events: the 12 kinds of `ThreadStreamEvent` a streaming response is made of.
//!
//! A streaming request (`threads.create`, `threads.add_user_message`, …) answers with
//! Server-Sent Events, one `data: <json>` frame per [`ThreadStreamEvent`]. A typical create:
//! `thread.created` → `thread.item.done` (the user's message) → `stream_options` → the handler's
//! events (`thread.item.added`, `thread.item.updated`…, `thread.item.done`) → maybe
//! `thread.updated`. The item events drive persistence: `done` inserts, `replaced` upserts,
//! `removed` deletes, `added`/`updated` only change the server's pending copy.
//!
//! Where it sits: protocol layer. Handlers yield these; the server persists and frames them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error_code::{ErrorCode, NoticeLevel};
use super::icon::IconName;
use super::ids::ItemId;
use super::item::ThreadItem;
use super::item_update::ThreadItemUpdate;
use super::thread::Thread;

/// One event of a streaming response.
///
/// # Wire format
///
/// `{"type":"thread.item.done","item":{…}}`; see each variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ThreadStreamEvent {
    /// A thread was created; first event of `threads.create`. Its items page is empty.
    #[serde(rename = "thread.created")]
    ThreadCreated {
        /// The new thread.
        thread: Thread,
    },
    /// The thread's title, status or image domains changed. Its items page is empty.
    #[serde(rename = "thread.updated")]
    ThreadUpdated {
        /// The thread as it is now.
        thread: Thread,
    },
    /// An item started; the server keeps it pending and persists nothing yet.
    #[serde(rename = "thread.item.added")]
    ThreadItemAdded {
        /// The item's first state.
        item: ThreadItem,
    },
    /// A pending item changed.
    #[serde(rename = "thread.item.updated")]
    ThreadItemUpdated {
        /// Which item.
        item_id: ItemId,
        /// The change.
        update: ThreadItemUpdate,
    },
    /// An item is final; the server inserts it into the store.
    #[serde(rename = "thread.item.done")]
    ThreadItemDone {
        /// The final item.
        item: ThreadItem,
    },
    /// An item was removed; the server deletes it.
    #[serde(rename = "thread.item.removed")]
    ThreadItemRemoved {
        /// Which item.
        item_id: ItemId,
    },
    /// An item was replaced; the server saves it over the stored one (same id).
    #[serde(rename = "thread.item.replaced")]
    ThreadItemReplaced {
        /// The new item.
        item: ThreadItem,
    },
    /// Options for this stream, sent before the handler's first event.
    #[serde(rename = "stream_options")]
    StreamOptions {
        /// The options.
        stream_options: StreamOptions,
    },
    /// A transient status line ("Searching…").
    #[serde(rename = "progress_update")]
    ProgressUpdate {
        /// An icon shown with it.
        #[serde(skip_serializing_if = "Option::is_none")]
        icon: Option<IconName>,
        /// The text.
        text: String,
    },
    /// Asks the client page to do something (a DOM `chatkit.effect` event).
    #[serde(rename = "client_effect")]
    ClientEffect {
        /// The effect's name.
        name: String,
        /// Its data; always written, `{}` when empty, nulls kept.
        #[serde(default)]
        data: Map<String, Value>,
    },
    /// The stream failed; the stream ends after it.
    #[serde(rename = "error")]
    Error(ErrorEvent),
    /// A message for the user that is not part of the thread.
    #[serde(rename = "notice")]
    Notice {
        /// How serious it is.
        level: NoticeLevel,
        /// Markdown text.
        message: String,
        /// A heading.
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
}

/// The options of one stream: `{"allow_cancel":true}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamOptions {
    /// Whether the client shows a stop button.
    pub allow_cancel: bool,
}

/// The fields of an `error` event.
///
/// # Wire format
///
/// `{"type":"error","code":"custom","message":"Quota exceeded","allow_retry":false}`, or
/// `{"type":"error","code":"stream.error","allow_retry":true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEvent {
    /// What kind of error; `custom` by default.
    #[serde(default)]
    pub code: ErrorCode,
    /// User-facing text, for `custom` errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether the client offers a retry.
    #[serde(default)]
    pub allow_retry: bool,
}

impl ErrorEvent {
    /// An error with a user-facing message.
    pub fn custom(message: impl Into<String>, allow_retry: bool) -> Self {
        ErrorEvent {
            code: ErrorCode::Custom,
            message: Some(message.into()),
            allow_retry,
        }
    }

    /// An error with a code and the code's default retry policy.
    pub fn coded(code: ErrorCode) -> Self {
        let allow_retry = code.default_allow_retry();
        ErrorEvent {
            code,
            message: None,
            allow_retry,
        }
    }
}
