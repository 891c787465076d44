//! Threads: `ThreadMetadata` (what a store keeps), `Thread` (what a client receives) and
//! `ThreadStatus`.
//!
//! A thread is one conversation. The store keeps its metadata (title, status, creation time,
//! image domains and integration `metadata`); the client receives the same fields plus a page of
//! items. In every server output the `metadata` object is written as `{}`: the Python server
//! rebuilds the response thread without the stored metadata (protocol#threads), and
//! the server layer does the same through [`Thread::for_client`].
//!
//! Where it sits: protocol layer. `thread.created` / `thread.updated` events, `threads.get_by_id`,
//! `threads.update` and `threads.list` all carry these.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::ThreadId;
use super::item::ThreadItem;
use super::page::Page;
use super::timestamp::Timestamp;

/// A thread without its items: the shape a store saves and loads.
///
/// # Wire format
///
/// `{"title":"Trip","id":"thr_1","created_at":"2025-01-02T03:04:05Z","status":{"type":"active"},"metadata":{}}`
/// (`title` and `allowed_image_domains` are omitted when unset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadMetadata {
    /// The thread's title, if the integration has set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The thread's id.
    pub id: ThreadId,
    /// When the thread was created.
    pub created_at: Timestamp,
    /// Whether the thread accepts new messages.
    #[serde(default)]
    pub status: ThreadStatus,
    /// Image hosts the client may load from; unset means the client's default policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_image_domains: Option<Vec<String>>,
    /// Integration-owned data kept with the thread. Never sent to clients.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

impl ThreadMetadata {
    /// A new active thread with no title, no image domains and no metadata.
    pub fn new(id: impl Into<ThreadId>, created_at: Timestamp) -> Self {
        ThreadMetadata {
            title: None,
            id: id.into(),
            created_at,
            status: ThreadStatus::Active,
            allowed_image_domains: None,
            metadata: Map::new(),
        }
    }
}

/// A thread with a page of its items: the shape clients receive.
///
/// # Wire format
///
/// The [`ThreadMetadata`] fields, then `"items":{"data":[…],"has_more":false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    /// Title, id, creation time, status, image domains and metadata.
    #[serde(flatten)]
    pub metadata: ThreadMetadata,
    /// A page of the thread's items.
    pub items: Page<ThreadItem>,
}

impl Thread {
    /// The thread as a server sends it: stored metadata cleared, with the given items.
    ///
    /// The Python server never sends the integration's thread metadata to a client; it builds
    /// the response from the other fields, so `metadata` is always `{}` on the wire.
    pub fn for_client(metadata: &ThreadMetadata, items: Page<ThreadItem>) -> Self {
        Thread {
            metadata: ThreadMetadata {
                metadata: Map::new(),
                ..metadata.clone()
            },
            items,
        }
    }
}

/// Whether a thread accepts input.
///
/// # Wire format
///
/// `{"type":"active"}`, `{"type":"locked","reason":"…"}` or `{"type":"closed"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ThreadStatus {
    /// Open for new messages; the default.
    #[default]
    #[serde(rename = "active")]
    Active,
    /// Temporarily not accepting messages.
    #[serde(rename = "locked")]
    Locked {
        /// Shown to the user.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Finished for good.
    #[serde(rename = "closed")]
    Closed {
        /// Shown to the user.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}
