//! [`ThreadState`]: the events of one or more streams folded into exactly what a client shows.
//!
//! A client never asks the server "what does the thread look like now?" while a turn streams;
//! it rebuilds the thread from the events, as the official web component does:
//!
//! | event | what the view does |
//! |---|---|
//! | `thread.created`, `thread.updated` | takes the thread's title, status, … |
//! | `thread.item.added` | shows the item at the end, *pending* |
//! | `thread.item.updated` | applies the update to the pending item (text deltas, tasks, widget) |
//! | `thread.item.done` | shows the final item in place of the pending one (or at the end) |
//! | `thread.item.replaced` | shows the new item in place of the old (or at the end) |
//! | `thread.item.removed` | removes the item |
//! | `stream_options` | remembers whether a stop button may be shown |
//! | `progress_update`, `notice`, `error`, `client_effect` | collected beside the items |
//!
//! One change comes from the client itself: a retry (`threads.retry_after_item`) removes the
//! items after the retried message without an event, so the view drops them when it asks
//! ([`ThreadState::truncate_after`]).
//!
//! Hidden items (`hidden_context_item`, `sdk_hidden_context`) are model context: the server
//! never sends them, and if one arrives anyway it is not shown.
//!
//! The fold property, which `tests/client.rs` checks: after the streams end, the *done* items
//! are what `threads.get_by_id` returns (up to its page of 20), in the same order.
//!
//! Where it sits: fed by [`Conversation`](super::Conversation), or by hand from an
//! [`EventStream`](super::EventStream); pure, no I/O.

use serde_json::{Map, Value};

use super::stream::StreamEvent;
use crate::protocol::{
    ErrorEvent, IconName, ItemId, ItemKind, NoticeLevel, StreamOptions, Thread, ThreadItem,
    ThreadItemUpdate, ThreadMetadata, ThreadStreamEvent, WidgetRoot,
};

/// A `progress_update`: a transient status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// An icon shown with it.
    pub icon: Option<IconName>,
    /// The text.
    pub text: String,
}

/// A `notice`: a message for the user that is not part of the thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// How serious it is.
    pub level: NoticeLevel,
    /// Markdown text.
    pub message: String,
    /// A heading.
    pub title: Option<String>,
}

/// A `client_effect`: something the page should do (the DOM `chatkit.effect` event).
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The effect's name.
    pub name: String,
    /// Its data.
    pub data: Map<String, Value>,
}

/// Something in the streams the view could not use, kept so that it is seen, not lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The event's data as received.
    pub data: String,
    /// Why it was not applied.
    pub reason: String,
}

/// What a client shows of one thread.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadState {
    /// The thread's title, status, …; `None` until a `thread.created` or `thread.updated`
    /// (or [`ThreadState::set_thread`] when continuing a thread loaded from the server).
    pub thread: Option<ThreadMetadata>,
    /// Every shown item, in order, pending ones included.
    pub items: Vec<ThreadItem>,
    /// Ids of the items added and not yet done.
    pub pending: Vec<ItemId>,
    /// The options of the latest stream (`allow_cancel`).
    pub stream_options: Option<StreamOptions>,
    /// Every `progress_update`, oldest first (a UI shows the last one while a turn runs).
    pub progress: Vec<Progress>,
    /// Every `notice`, oldest first.
    pub notices: Vec<Notice>,
    /// Every `error` event, oldest first.
    pub errors: Vec<ErrorEvent>,
    /// Every `client_effect`, oldest first.
    pub effects: Vec<Effect>,
    /// Events that did not decode or could not be applied.
    pub problems: Vec<Problem>,
}

impl ThreadState {
    /// An empty view, before any event.
    pub fn new() -> Self {
        ThreadState::default()
    }

    /// Starts from a thread loaded with `threads.get_by_id`: its metadata and items.
    pub fn set_thread(&mut self, thread: Thread) {
        self.items = thread.items.data;
        self.pending.clear();
        self.thread = Some(thread.metadata);
    }

    /// The items that are final (not pending), in order: what the server has stored.
    pub fn done_items(&self) -> impl Iterator<Item = &ThreadItem> {
        self.items
            .iter()
            .filter(|item| !self.pending.contains(&item.id))
    }

    /// What a client does itself when it asks for `threads.retry_after_item`: the items after
    /// the retried message disappear. The server deletes them without an event, and its
    /// stream only brings the new answer. Whether the message was shown.
    pub fn truncate_after(&mut self, item_id: &ItemId) -> bool {
        let Some(index) = self.items.iter().position(|item| &item.id == item_id) else {
            return false;
        };
        self.items.truncate(index + 1);
        let shown: Vec<ItemId> = self.items.iter().map(|item| item.id.clone()).collect();
        self.pending.retain(|id| shown.contains(id));
        true
    }

    /// The item with this id, if shown.
    pub fn item(&self, id: &ItemId) -> Option<&ThreadItem> {
        self.items.iter().find(|item| &item.id == id)
    }

    /// Folds one event as read from a stream: a decoded one is applied, one that did not
    /// decode is kept in [`ThreadState::problems`].
    pub fn apply_stream_event(&mut self, event: &StreamEvent) {
        match &event.event {
            Ok(decoded) => {
                if let Err(reason) = self.apply(decoded) {
                    self.problems.push(Problem {
                        data: event.data.clone(),
                        reason,
                    });
                }
            }
            Err(error) => self.problems.push(Problem {
                data: event.data.clone(),
                reason: format!("not a ThreadStreamEvent: {error}"),
            }),
        }
    }

    /// Folds one event.
    ///
    /// # Errors
    ///
    /// Why an event could not be applied (an update of an item that is not shown, a widget
    /// update that breaks the widget); the view is unchanged then.
    pub fn apply(&mut self, event: &ThreadStreamEvent) -> Result<(), String> {
        match event {
            ThreadStreamEvent::ThreadCreated { thread }
            | ThreadStreamEvent::ThreadUpdated { thread } => {
                // Both carry an empty items page: the items come as their own events.
                self.thread = Some(thread.metadata.clone());
            }
            ThreadStreamEvent::ThreadItemAdded { item } => {
                if !item.is_hidden() {
                    self.put(item.clone());
                    self.mark_pending(&item.id);
                }
            }
            ThreadStreamEvent::ThreadItemUpdated { item_id, update } => {
                self.update(item_id, update)?;
            }
            ThreadStreamEvent::ThreadItemDone { item }
            | ThreadStreamEvent::ThreadItemReplaced { item } => {
                // `done` ends a pending item, `replaced` overwrites a stored one; either way
                // the item now is exactly what the event carries.
                if !item.is_hidden() {
                    self.put(item.clone());
                }
                self.pending.retain(|id| id != &item.id);
            }
            ThreadStreamEvent::ThreadItemRemoved { item_id } => {
                self.items.retain(|item| &item.id != item_id);
                self.pending.retain(|id| id != item_id);
            }
            ThreadStreamEvent::StreamOptions { stream_options } => {
                self.stream_options = Some(*stream_options);
            }
            ThreadStreamEvent::ProgressUpdate { icon, text } => self.progress.push(Progress {
                icon: icon.clone(),
                text: text.clone(),
            }),
            ThreadStreamEvent::ClientEffect { name, data } => self.effects.push(Effect {
                name: name.clone(),
                data: data.clone(),
            }),
            ThreadStreamEvent::Error(error) => self.errors.push(error.clone()),
            ThreadStreamEvent::Notice {
                level,
                message,
                title,
            } => self.notices.push(Notice {
                level: *level,
                message: message.clone(),
                title: title.clone(),
            }),
        }
        Ok(())
    }

    /// Shows `item` in place of the item with its id, or at the end if there is none.
    fn put(&mut self, item: ThreadItem) {
        match self.items.iter_mut().find(|shown| shown.id == item.id) {
            Some(shown) => *shown = item,
            None => self.items.push(item),
        }
    }

    fn mark_pending(&mut self, id: &ItemId) {
        if !self.pending.contains(id) {
            self.pending.push(id.clone());
        }
    }

    /// Applies an update to the shown item it names.
    fn update(&mut self, item_id: &ItemId, update: &ThreadItemUpdate) -> Result<(), String> {
        let Some(item) = self.items.iter_mut().find(|item| &item.id == item_id) else {
            return Err(format!("an update of {item_id}, which is not shown"));
        };
        apply_update(&mut item.kind, update)
    }
}

/// Applies `update` to an item, by the rules of the reference server (which keeps its own
/// pending copy the same way, `src/server/apply.rs`), plus the widget and image updates,
/// which only a client needs.
fn apply_update(kind: &mut ItemKind, update: &ThreadItemUpdate) -> Result<(), String> {
    match (kind, update) {
        (ItemKind::AssistantMessage(message), _) if is_content_update(update) => {
            update.apply_to_content(&mut message.content);
        }
        (ItemKind::Workflow { workflow }, ThreadItemUpdate::WorkflowTaskAdded { task, .. }) => {
            // Appended whatever the index says, as the reference does.
            workflow.tasks.push(task.clone());
        }
        (
            ItemKind::Workflow { workflow },
            ThreadItemUpdate::WorkflowTaskUpdated { task_index, task },
        ) => {
            let slot = workflow
                .tasks
                .get_mut(*task_index)
                .ok_or_else(|| format!("workflow task {task_index} does not exist"))?;
            *slot = task.clone();
        }
        (ItemKind::Widget { widget, .. }, _) if is_widget_update(update) => {
            *widget = apply_widget_update(widget, update)?;
        }
        (
            ItemKind::GeneratedImage { image },
            ThreadItemUpdate::GeneratedImageUpdated { image: new, .. },
        ) => {
            // Progress is for a spinner while the image is made; the item only keeps the image.
            *image = Some(new.clone());
        }
        (_, update) => {
            return Err(format!("an update that does not fit the item: {update:?}"));
        }
    }
    Ok(())
}

fn is_content_update(update: &ThreadItemUpdate) -> bool {
    matches!(
        update,
        ThreadItemUpdate::ContentPartAdded { .. }
            | ThreadItemUpdate::ContentPartTextDelta { .. }
            | ThreadItemUpdate::ContentPartAnnotationAdded { .. }
            | ThreadItemUpdate::ContentPartDone { .. }
    )
}

fn is_widget_update(update: &ThreadItemUpdate) -> bool {
    matches!(
        update,
        ThreadItemUpdate::WidgetStreamingTextValueDelta { .. }
            | ThreadItemUpdate::WidgetComponentUpdated { .. }
            | ThreadItemUpdate::WidgetRootUpdated { .. }
    )
}

/// A widget after one update. The root update replaces the tree; the two component updates
/// find the node whose `id` they name and change it, on the tree's JSON: a widget has dozens
/// of component types, and one walk over `Value`s covers them all (as `diff_widget` does on
/// the server side). The result must read back as a widget, else the update is refused.
fn apply_widget_update(
    widget: &WidgetRoot,
    update: &ThreadItemUpdate,
) -> Result<WidgetRoot, String> {
    let mut tree = serde_json::to_value(widget).map_err(|error| error.to_string())?;
    let found = match update {
        ThreadItemUpdate::WidgetRootUpdated { widget } => return Ok(widget.clone()),
        ThreadItemUpdate::WidgetStreamingTextValueDelta {
            component_id,
            delta,
            ..
        } => with_component(&mut tree, component_id, &mut |node| {
            // Streaming text lives in a Text or Markdown component's `value`.
            if let Some(Value::String(value)) = node.get_mut("value") {
                value.push_str(delta);
            }
        }),
        ThreadItemUpdate::WidgetComponentUpdated {
            component_id,
            component,
        } => {
            let new = serde_json::to_value(component).map_err(|error| error.to_string())?;
            with_component(&mut tree, component_id, &mut |node| *node = new.clone())
        }
        _ => false,
    };
    if !found {
        return Err("a widget update names no component of the widget".to_owned());
    }
    serde_json::from_value(tree)
        .map_err(|error| format!("the updated widget is not valid: {error}"))
}

/// Calls `change` on the first node (depth first) whose `id` is `id`; whether there was one.
fn with_component(node: &mut Value, id: &str, change: &mut dyn FnMut(&mut Value)) -> bool {
    if node.get("id").and_then(Value::as_str) == Some(id) {
        change(node);
        return true;
    }
    match node {
        Value::Object(fields) => fields
            .values_mut()
            .any(|child| with_component(child, id, change)),
        Value::Array(children) => children
            .iter_mut()
            .any(|child| with_component(child, id, change)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::widget::{Card, Text};
    use crate::protocol::{AssistantMessage, AssistantMessageContent, ThreadId, Timestamp};

    fn item(id: &str, kind: ItemKind) -> ThreadItem {
        ThreadItem {
            id: ItemId::new(id),
            thread_id: ThreadId::new("thr_1"),
            created_at: Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date"),
            kind,
        }
    }

    fn card(text: &str) -> WidgetRoot {
        Card::new(vec![Text::new(text).with_id("t").into()]).into()
    }

    fn widget(root: WidgetRoot) -> ItemKind {
        ItemKind::Widget {
            widget: root,
            copy_text: None,
        }
    }

    fn updated(id: &str, update: ThreadItemUpdate) -> ThreadStreamEvent {
        ThreadStreamEvent::ThreadItemUpdated {
            item_id: ItemId::new(id),
            update,
        }
    }

    #[test]
    fn a_streamed_message_is_pending_until_done_and_its_deltas_are_applied() {
        let mut state = ThreadState::new();
        let empty = ItemKind::AssistantMessage(AssistantMessage {
            content: Vec::new(),
        });
        let added = ThreadStreamEvent::ThreadItemAdded {
            item: item("msg_1", empty),
        };
        state.apply(&added).expect("added");
        for delta in ["Hel", "lo"] {
            let update = ThreadItemUpdate::ContentPartTextDelta {
                content_index: 0,
                delta: delta.to_owned(),
            };
            state.apply(&updated("msg_1", update)).expect("a delta");
        }
        assert_eq!(state.pending, [ItemId::new("msg_1")]);
        assert_eq!(state.done_items().count(), 0);
        let ItemKind::AssistantMessage(message) = &state.items[0].kind else {
            panic!("an assistant message");
        };
        assert_eq!(message.content, [AssistantMessageContent::text("Hello")]);
        let done = ThreadStreamEvent::ThreadItemDone {
            item: state.items[0].clone(),
        };
        state.apply(&done).expect("done");
        assert!(state.pending.is_empty());
        assert_eq!(state.done_items().count(), 1);
    }

    #[test]
    fn widget_text_deltas_and_component_updates_change_the_named_component() {
        let mut state = ThreadState::new();
        let added = ThreadStreamEvent::ThreadItemAdded {
            item: item("msg_1", widget(card("Sun"))),
        };
        state.apply(&added).expect("added");
        let delta = ThreadItemUpdate::WidgetStreamingTextValueDelta {
            component_id: "t".to_owned(),
            delta: "ny".to_owned(),
            done: true,
        };
        state.apply(&updated("msg_1", delta)).expect("a delta");
        assert_eq!(state.items[0].kind, widget(card("Sunny")));
        let component = ThreadItemUpdate::WidgetComponentUpdated {
            component_id: "t".to_owned(),
            component: Text::new("Rain").with_id("t").into(),
        };
        state
            .apply(&updated("msg_1", component))
            .expect("a component");
        assert_eq!(state.items[0].kind, widget(card("Rain")));
        let unknown = ThreadItemUpdate::WidgetComponentUpdated {
            component_id: "nope".to_owned(),
            component: Text::new("x").into(),
        };
        assert!(state.apply(&updated("msg_1", unknown)).is_err());
        assert_eq!(state.items[0].kind, widget(card("Rain")));
    }

    #[test]
    fn hidden_items_are_never_shown_and_removed_or_replaced_items_follow_the_events() {
        let mut state = ThreadState::new();
        let hidden = item(
            "hid_1",
            ItemKind::SdkHiddenContext {
                content: "note".to_owned(),
            },
        );
        state
            .apply(&ThreadStreamEvent::ThreadItemDone { item: hidden })
            .expect("done");
        assert!(state.items.is_empty());
        let first = item("msg_1", widget(card("a")));
        state
            .apply(&ThreadStreamEvent::ThreadItemDone { item: first })
            .expect("done");
        let replacement = item("msg_1", widget(card("b")));
        state
            .apply(&ThreadStreamEvent::ThreadItemReplaced {
                item: replacement.clone(),
            })
            .expect("replaced");
        assert_eq!(state.items, [replacement]);
        state
            .apply(&ThreadStreamEvent::ThreadItemRemoved {
                item_id: ItemId::new("msg_1"),
            })
            .expect("removed");
        assert!(state.items.is_empty());
    }

    #[test]
    fn an_event_that_does_not_decode_or_apply_is_a_problem_not_a_panic() {
        let mut state = ThreadState::new();
        state.apply_stream_event(&StreamEvent::decode(
            r#"{"type":"future.event"}"#.to_owned(),
        ));
        let orphan = r#"{"type":"thread.item.updated","item_id":"msg_9","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"x"}}"#;
        state.apply_stream_event(&StreamEvent::decode(orphan.to_owned()));
        let reasons: Vec<&str> = state.problems.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(
            reasons[0].starts_with("not a ThreadStreamEvent"),
            "{reasons:?}"
        );
        assert_eq!(reasons[1], "an update of msg_9, which is not shown");
        assert_eq!(state.problems[1].data, orphan);
    }
}
