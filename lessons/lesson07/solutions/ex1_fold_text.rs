//! Exercise 1: grow the text as the page does.
//!
//! A client never asks the server what a message says while it streams: it rebuilds it from
//! the events. `web/chatkit.js` does it in `applyUpdate`, `chatkit::client::ThreadState` in
//! Rust. Here you write the part of that fold a reader sees first, the assistant's words:
//! `thread.item.added` shows a message (pending, often empty), each
//! `assistant_message.content_part.added` (or `.done`) sets a part, each
//! `assistant_message.content_part.text_delta` appends to one, and `thread.item.done` (or
//! `thread.item.replaced`) puts the final message in its place; `thread.item.removed` takes it
//! away. Every other event leaves the text alone.
//!
//! Write `TextView::apply`. Keep a message's parts apart (`content_index` names one; an index
//! past the end pads with empty parts), so that `Shown::text` joins them in order.
//!
//! Hint: match on [`ThreadStreamEvent`] and, inside `ThreadItemUpdated`, on
//! [`ThreadItemUpdate`]; only items whose kind is `ItemKind::AssistantMessage` are shown here.
//! The grading test folds lesson 07's answers event by event and compares your view, after
//! every event, with `chatkit::client::ThreadState`, and at the end with `threads.get_by_id`.
//!
//! Check it with `cargo test --test grade lesson07`.

use chatkit::protocol::{ItemId, ItemKind, ThreadItem, ThreadItemUpdate, ThreadStreamEvent};

/// One assistant message as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The item's id.
    pub id: ItemId,
    /// The text of each content part, in order.
    pub parts: Vec<String>,
    /// Whether `thread.item.done` (or `replaced`) has arrived: the text is final.
    pub done: bool,
}

impl Shown {
    /// The message's text: its parts joined.
    pub fn text(&self) -> String {
        self.parts.concat()
    }
}

/// The assistant messages of a thread, as the events of its streams make them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextView {
    /// Every shown assistant message, in order.
    pub messages: Vec<Shown>,
}

/// The parts of `item` if it is an assistant message.
pub fn parts_of(item: &ThreadItem) -> Option<Vec<String>> {
    match &item.kind {
        ItemKind::AssistantMessage(message) => Some(
            message
                .content
                .iter()
                .map(|part| part.text.clone())
                .collect(),
        ),
        _ => None,
    }
}

impl TextView {
    /// Folds one event into the view.
    pub fn apply(&mut self, event: &ThreadStreamEvent) {
        match event {
            ThreadStreamEvent::ThreadItemAdded { item } => {
                if let Some(parts) = parts_of(item) {
                    self.put(&item.id, parts, false);
                }
            }
            ThreadStreamEvent::ThreadItemDone { item }
            | ThreadStreamEvent::ThreadItemReplaced { item } => {
                if let Some(parts) = parts_of(item) {
                    self.put(&item.id, parts, true);
                }
            }
            ThreadStreamEvent::ThreadItemRemoved { item_id } => {
                self.messages.retain(|shown| &shown.id != item_id);
            }
            ThreadStreamEvent::ThreadItemUpdated { item_id, update } => {
                let Some(shown) = self.messages.iter_mut().find(|m| &m.id == item_id) else {
                    return;
                };
                let (index, text, append) = match update {
                    ThreadItemUpdate::ContentPartAdded {
                        content_index,
                        content,
                    } => (*content_index, &content.text, false),
                    ThreadItemUpdate::ContentPartTextDelta {
                        content_index,
                        delta,
                    } => (*content_index, delta, true),
                    ThreadItemUpdate::ContentPartDone {
                        content_index,
                        content,
                    } => (*content_index, &content.text, false),
                    _ => return,
                };
                while shown.parts.len() <= index {
                    shown.parts.push(String::new());
                }
                if append {
                    shown.parts[index].push_str(text);
                } else {
                    shown.parts[index] = text.clone();
                }
            }
            _ => {}
        }
    }

    /// Shows `parts` as the message `id`: in its place if shown, else at the end.
    fn put(&mut self, id: &ItemId, parts: Vec<String>, done: bool) {
        let shown = Shown {
            id: id.clone(),
            parts,
            done,
        };
        match self.messages.iter_mut().find(|m| m.id == *id) {
            Some(slot) => *slot = shown,
            None => self.messages.push(shown),
        }
    }
}
