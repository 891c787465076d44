//! Id generation: `thr_1a2b3c4d`, `msg_…`, and the other prefixes of the reference.
//!
//! Every id the server or an agent creates comes from an [`IdGenerator`], chosen per store, so
//! tests and recorded transcripts can use [`SequentialIds`] (`thr_0001`, `msg_0001`, …) and get
//! the same bytes on every run, while a real deployment uses [`RandomIds`], which are what the
//! Python SDK makes: the prefix, `_`, and the first 8 hex digits of a random UUID
//! (`chatkit/store.py::default_generate_id`).
//!
//! Where it sits: stores hold a generator and expose it through `Store::generate_thread_id` /
//! `Store::generate_item_id`, which an integration may override, as in the reference.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Mutex;

/// What an id is for; each kind has the reference's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A thread: `thr_`.
    Thread,
    /// A user or assistant message, or a widget: `msg_`.
    Message,
    /// A client tool call: `tc_`.
    ToolCall,
    /// A workflow: `wf_`.
    Workflow,
    /// A task: `tsk_`.
    Task,
    /// An attachment: `atc_`.
    Attachment,
    /// The server's own hidden context (the cancellation note): `shcx_`.
    SdkHiddenContext,
}

impl IdKind {
    /// The prefix the reference uses for this kind, without the `_`.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Thread => "thr",
            IdKind::Message => "msg",
            IdKind::ToolCall => "tc",
            IdKind::Workflow => "wf",
            IdKind::Task => "tsk",
            IdKind::Attachment => "atc",
            IdKind::SdkHiddenContext => "shcx",
        }
    }

    /// The name the reference gives this kind (`"tool_call"`, …), for custom generators that
    /// build ids the way the Python SDK's tests do (`message_custom_2_thr_custom_1`).
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Thread => "thread",
            IdKind::Message => "message",
            IdKind::ToolCall => "tool_call",
            IdKind::Workflow => "workflow",
            IdKind::Task => "task",
            IdKind::Attachment => "attachment",
            IdKind::SdkHiddenContext => "sdk_hidden_context",
        }
    }
}

/// Makes new ids.
pub trait IdGenerator: Send + Sync + Debug {
    /// A new id of the given kind, including its prefix.
    fn generate(&self, kind: IdKind) -> String;
}

/// The reference's ids: prefix, `_`, then 8 lowercase hex digits from a random UUID.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn generate(&self, kind: IdKind) -> String {
        let hex = uuid::Uuid::new_v4().simple().to_string();
        format!("{}_{}", kind.prefix(), &hex[..8])
    }
}

/// Predictable ids for tests: `thr_0001`, `thr_0002`, `msg_0001`, … one counter per kind.
#[derive(Debug, Default)]
pub struct SequentialIds {
    /// How many ids of each kind were handed out. Held for one increment, never across `.await`.
    issued: Mutex<HashMap<IdKind, u32>>,
}

impl SequentialIds {
    /// A generator whose first id of every kind ends in `0001`.
    pub fn new() -> Self {
        SequentialIds::default()
    }
}

impl IdGenerator for SequentialIds {
    fn generate(&self, kind: IdKind) -> String {
        // A poisoned lock means a panic between reading and writing a counter; the map is
        // still consistent, so carry on rather than panic in every later test.
        let mut issued = self
            .issued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = issued.entry(kind).or_insert(0);
        *count += 1;
        format!("{}_{:04}", kind.prefix(), count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_the_prefix_and_eight_lowercase_hex_digits() {
        let id = RandomIds.generate(IdKind::SdkHiddenContext);
        let (prefix, hex) = id.split_once('_').expect("prefix_hex");
        assert_eq!(prefix, "shcx");
        assert_eq!(hex.len(), 8);
        assert!(
            hex.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn sequential_ids_count_each_kind_separately() {
        let ids = SequentialIds::new();
        let issued = [
            ids.generate(IdKind::Thread),
            ids.generate(IdKind::Message),
            ids.generate(IdKind::Message),
            ids.generate(IdKind::Thread),
        ];
        assert_eq!(issued, ["thr_0001", "msg_0001", "msg_0002", "thr_0002"]);
    }
}
