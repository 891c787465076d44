//! Stream invariants: what must hold across the events of one streaming response.
//!
//! Each event can be well formed on its own and the stream still be wrong: an update for an
//! item nobody added, a text delta into a part that does not exist, events after the stream
//! has handed over to the client. The checks, each with the section it enforces:
//!
//! | invariant | section | severity |
//! |---|---|---|
//! | a create starts `thread.created`, the user item's `done`, `stream_options`; an add-message starts at the `done` | protocol#streaming-requests | error |
//! | any other stream starts with `stream_options` (or a lone `error`), which comes once | protocol#stream-order | error |
//! | `thread.item.updated` names an item that was added and is not done yet (a widget update may also name a widget stored earlier, as actions do) | protocol#stream-order | error |
//! | a `content_part.text_delta` (or `annotation_added`) targets a part that exists | protocol#item-updates | error |
//! | no hidden item in a `done` (never sent by the reference) | protocol#hidden-items | error |
//! | no hidden item in `added` / `replaced` (the reference leaks these, protocol#quirk-hidden-leak) | protocol#hidden-items | warning |
//! | nothing but `thread.updated` after a `client_tool_call`'s `done` | protocol#client-tools | error |
//! | nothing but `thread.updated` after an `error` event | protocol#stream-order | error |
//! | every item belongs to the stream's thread | protocol#thread-items | error |
//! | an item is not added twice, and nothing is left pending at a clean end | protocol#stream-order | warning |
//!
//! The checker works on JSON values, not on the typed events, so that an event which failed
//! to parse (already an encoding error) does not hide the order problems around it. The
//! tracker also collects what the stream says was persisted ([`StreamFacts`]), which the live
//! checks compare with what the server gives back.
//!
//! Where it sits: called by `validate.rs` once per stream; pure, no I/O.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::finding::{Area, Finding, join_path};

/// Which request produced the stream, so its opening can be checked (protocol#stream-order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// `threads.create`: `thread.created`, the user's `done`, `stream_options`, ….
    Create,
    /// `threads.add_user_message`: the user's `done`, `stream_options`, ….
    AddUserMessage,
    /// Tool output, structured input, retry, custom action: `stream_options`, ….
    Continue,
    /// Unknown (an offline capture): inferred from the first event.
    Inferred,
}

/// What a stream says happened, for comparison with what the server stores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamFacts {
    /// The thread id, from `thread.created` or the first item.
    pub thread_id: Option<String>,
    /// The thread as last sent (`thread.created` or `thread.updated`).
    pub thread: Option<Value>,
    /// The user message this stream stored and sent, if any.
    pub user_item: Option<Value>,
    /// Items finished by `done` or `replaced`, in stream order (a replacement takes the
    /// place of the item it replaces), without those later removed.
    pub finished: Vec<Value>,
    /// The event types, in order.
    pub event_types: Vec<String>,
    /// Whether an `error` event was sent.
    pub failed: bool,
}

/// An item added and not yet finished: how many content parts it has so far.
#[derive(Debug, Default)]
struct PendingItem {
    parts: usize,
}

/// The state of one stream while its events are read.
#[derive(Debug, Default)]
struct Tracker {
    facts: StreamFacts,
    findings: Vec<Finding>,
    pending: HashMap<String, PendingItem>,
    finished_ids: HashSet<String>,
    options_seen: bool,
    /// Set by a client tool call's `done` or an `error`: only `thread.updated` may follow.
    closed_by: Option<&'static str>,
}

/// Checks the invariants over one stream's events (each with its frame number), and
/// returns what the stream says was persisted along with the findings.
pub fn check_stream(events: &[(usize, Value)], kind: StreamKind) -> (StreamFacts, Vec<Finding>) {
    let mut tracker = Tracker::default();
    tracker.check_opening(events, kind);
    for (number, event) in events {
        let at = format!("event {number}");
        let kind = event["type"].as_str().unwrap_or_default().to_owned();
        tracker.check_after_close(&kind, &at);
        tracker.read(&kind, event, &at);
        tracker.facts.event_types.push(kind);
    }
    tracker.check_end(events);
    (tracker.facts, tracker.findings)
}

impl Tracker {
    /// The first events of the stream, by request kind (protocol#stream-order).
    fn check_opening(&mut self, events: &[(usize, Value)], kind: StreamKind) {
        let types: Vec<&str> = events
            .iter()
            .map(|(_, event)| event["type"].as_str().unwrap_or_default())
            .collect();
        let is_user_done = |index: usize| {
            events
                .get(index)
                .is_some_and(|(_, event)| item_type(event) == Some("user_message"))
                && types.get(index) == Some(&"thread.item.done")
        };
        let kind = match kind {
            StreamKind::Inferred => infer_kind(&types, is_user_done(0)),
            known => known,
        };
        let expected: &[&str] = match kind {
            StreamKind::Create => &["thread.created", "thread.item.done", "stream_options"],
            StreamKind::AddUserMessage => &["thread.item.done", "stream_options"],
            _ => &["stream_options"],
        };
        let user_at = match kind {
            StreamKind::Create => Some(1),
            StreamKind::AddUserMessage => Some(0),
            _ => None,
        };
        let lone_error = kind == StreamKind::Continue && types.first() == Some(&"error");
        let opens_right = types.len() >= expected.len()
            && types[..expected.len()] == *expected
            && user_at.is_none_or(is_user_done);
        if !opens_right && !lone_error {
            self.error(
                "protocol#streaming-requests",
                "start of stream",
                format!(
                    "the stream opens with {:?}; this request's stream opens with {expected:?} (the user item's done at position {})",
                    &types[..types.len().min(expected.len())],
                    user_at.map_or("-".to_owned(), |at| (at + 1).to_string()),
                ),
            );
        }
    }

    /// Anything but `thread.updated` after the stream handed over (protocol#stream-order).
    fn check_after_close(&mut self, kind: &str, at: &str) {
        if let Some(closed_by) = self.closed_by
            && kind != "thread.updated"
        {
            let section = if closed_by == "error" {
                "protocol#stream-order"
            } else {
                "protocol#client-tools"
            };
            self.error(
                section,
                at,
                format!("a `{kind}` after {closed_by}, which ends the stream (only `thread.updated` may follow)"),
            );
        }
    }

    fn read(&mut self, kind: &str, event: &Value, at: &str) {
        match kind {
            "thread.created" => self.on_thread_created(event, at),
            "thread.updated" => self.facts.thread = Some(event["thread"].clone()),
            "stream_options" => self.on_stream_options(at),
            "thread.item.added" => self.on_added(&event["item"], at),
            "thread.item.updated" => self.on_updated(event, at),
            "thread.item.done" => self.on_done(&event["item"], at),
            "thread.item.replaced" => self.on_replaced(&event["item"], at),
            "thread.item.removed" => self.on_removed(event, at),
            "error" => {
                self.facts.failed = true;
                self.closed_by = Some("error");
            }
            _ => {}
        }
    }

    fn on_thread_created(&mut self, event: &Value, at: &str) {
        if !self.facts.event_types.is_empty() {
            self.error(
                "protocol#threads-create",
                at,
                "`thread.created` after the first event; it opens a create stream",
            );
        }
        self.facts.thread = Some(event["thread"].clone());
        self.facts.thread_id = event["thread"]["id"].as_str().map(str::to_owned);
    }

    fn on_stream_options(&mut self, at: &str) {
        if self.options_seen {
            self.error(
                "protocol#stream-order",
                at,
                "a second `stream_options` in one stream",
            );
        }
        self.options_seen = true;
    }

    fn on_added(&mut self, item: &Value, at: &str) {
        self.check_item_thread(item, at);
        if is_hidden(item) {
            self.warning(
                "protocol#hidden-items",
                &join_path(at, "item"),
                "a hidden item sent through `thread.item.added` (the reference leaks these too, protocol#quirk-hidden-leak)",
            );
        }
        let id = item_id(item);
        if self.pending.contains_key(&id) || self.finished_ids.contains(&id) {
            self.warning(
                "protocol#stream-order",
                at,
                format!("item `{id}` is added a second time"),
            );
        }
        let parts = item["content"].as_array().map_or(0, Vec::len);
        self.pending.insert(id, PendingItem { parts });
    }

    fn on_updated(&mut self, event: &Value, at: &str) {
        let id = event["item_id"].as_str().unwrap_or_default();
        let update_type = event["update"]["type"].as_str().unwrap_or_default();
        // An action may update a widget stored by an earlier stream
        // (protocol#threads-custom-action; the SDK's `calls_action` test streams stream_options,
        // then `widget.root.updated`), so only a widget this stream already finished is out of
        // bounds for a widget update.
        if update_type.starts_with("widget.")
            && !self.pending.contains_key(id)
            && !self.finished_ids.contains(id)
        {
            return;
        }
        let Some(pending) = self.pending.get_mut(id) else {
            let state = if self.finished_ids.contains(id) {
                "is already done"
            } else {
                "was never added"
            };
            self.error(
                "protocol#stream-order",
                &join_path(at, "item_id"),
                format!("`thread.item.updated` for item `{id}`, which {state}"),
            );
            return;
        };
        let update = &event["update"];
        let index = update["content_index"].as_u64().unwrap_or(0);
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        match update["type"].as_str().unwrap_or_default() {
            "assistant_message.content_part.added" => {
                pending.parts = pending.parts.max(index.saturating_add(1));
            }
            kind @ ("assistant_message.content_part.text_delta"
            | "assistant_message.content_part.annotation_added")
                if index >= pending.parts =>
            {
                let parts = pending.parts;
                self.error(
                    "protocol#item-updates",
                    &join_path(at, "update.content_index"),
                    format!("`{kind}` into part {index}, but the item has {parts} part(s)"),
                );
            }
            _ => {}
        }
    }

    fn on_done(&mut self, item: &Value, at: &str) {
        self.check_item_thread(item, at);
        let id = item_id(item);
        self.pending.remove(&id);
        if is_hidden(item) {
            self.error(
                "protocol#hidden-items",
                &join_path(at, "item"),
                "a hidden item sent in `thread.item.done`; the reference never sends it",
            );
        }
        if item_type_of(item) == Some("user_message") && self.facts.user_item.is_none() {
            self.facts.user_item = Some(item.clone());
        }
        if item_type_of(item) == Some("client_tool_call") {
            self.closed_by = Some("a `client_tool_call`");
        }
        self.finish(id, item);
    }

    fn on_replaced(&mut self, item: &Value, at: &str) {
        self.check_item_thread(item, at);
        if is_hidden(item) {
            self.warning(
                "protocol#hidden-items",
                &join_path(at, "item"),
                "a hidden item sent through `thread.item.replaced` (the reference leaks these too, protocol#quirk-hidden-leak)",
            );
        }
        let id = item_id(item);
        self.pending.remove(&id);
        self.finish(id, item);
    }

    fn on_removed(&mut self, event: &Value, _at: &str) {
        let id = event["item_id"].as_str().unwrap_or_default();
        self.pending.remove(id);
        self.facts.finished.retain(|item| item["id"] != id);
    }

    /// Records a finished item; a replacement takes the place of the item with its id.
    fn finish(&mut self, id: String, item: &Value) {
        if !is_hidden(item) {
            match self
                .facts
                .finished
                .iter_mut()
                .find(|seen| seen["id"] == *id)
            {
                Some(seen) => *seen = item.clone(),
                None => self.facts.finished.push(item.clone()),
            }
        }
        self.finished_ids.insert(id);
    }

    /// Every item of a stream belongs to one thread (protocol#thread-items).
    fn check_item_thread(&mut self, item: &Value, at: &str) {
        let Some(thread_id) = item["thread_id"].as_str() else {
            return;
        };
        match &self.facts.thread_id {
            None => self.facts.thread_id = Some(thread_id.to_owned()),
            Some(expected) if expected != thread_id => {
                let reason = format!("item of thread `{thread_id}` in a stream of `{expected}`");
                self.error(
                    "protocol#thread-items",
                    &join_path(at, "item.thread_id"),
                    reason,
                );
            }
            Some(_) => {}
        }
    }

    /// Items still pending when a stream ends cleanly were shown and never stored
    /// (protocol#stream-order).
    fn check_end(&mut self, events: &[(usize, Value)]) {
        if self.facts.failed || events.is_empty() {
            return;
        }
        let mut left: Vec<&String> = self.pending.keys().collect();
        left.sort();
        for id in left {
            let reason = format!("item `{id}` was added but never done, replaced or removed");
            self.findings.push(Finding::warning(
                Area::StreamOrder,
                "protocol#stream-order",
                "end of stream",
                reason,
            ));
        }
    }

    fn error(&mut self, section: &'static str, at: &str, reason: impl Into<String>) {
        self.findings
            .push(Finding::error(Area::StreamOrder, section, at, reason));
    }

    fn warning(&mut self, section: &'static str, at: &str, reason: impl Into<String>) {
        self.findings
            .push(Finding::warning(Area::StreamOrder, section, at, reason));
    }
}

/// The kind of an offline stream, from how it opens.
fn infer_kind(types: &[&str], opens_with_user_done: bool) -> StreamKind {
    match types.first() {
        Some(&"thread.created") => StreamKind::Create,
        _ if opens_with_user_done => StreamKind::AddUserMessage,
        // `stream_options` or a lone `error`; anything else is reported against this opening.
        _ => StreamKind::Continue,
    }
}

/// Where one stream ends and the next begins in a capture holding several (a fixture
/// records a whole conversation): at a `thread.created`, or at the opening of a stream
/// (`stream_options`, or a user item's `done` right before one) once the current stream has
/// had its own `stream_options`.
pub fn split_streams(events: &[(usize, Value)]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut options_seen = false;
    for (index, (_, event)) in events.iter().enumerate() {
        let kind = event["type"].as_str().unwrap_or_default();
        let next_is_options = events
            .get(index + 1)
            .is_some_and(|(_, next)| next["type"] == "stream_options");
        let opens = match kind {
            "thread.created" => true,
            "stream_options" => options_seen,
            "thread.item.done" => {
                options_seen && next_is_options && item_type(event) == Some("user_message")
            }
            _ => false,
        };
        if opens && index > start {
            ranges.push(start..index);
            start = index;
            options_seen = false;
        }
        // A user item's `done` that opens a stream is followed by that stream's options.
        options_seen |= kind == "stream_options";
    }
    if start < events.len() {
        ranges.push(start..events.len());
    }
    ranges
}

fn item_type(event: &Value) -> Option<&str> {
    item_type_of(&event["item"])
}

fn item_type_of(item: &Value) -> Option<&str> {
    item["type"].as_str()
}

fn item_id(item: &Value) -> String {
    item["id"].as_str().unwrap_or_default().to_owned()
}

/// Hidden items are model-only context (protocol#hidden-items).
pub(crate) fn is_hidden(item: &Value) -> bool {
    matches!(
        item_type_of(item),
        Some("hidden_context_item" | "sdk_hidden_context")
    )
}
