//! Streaming a widget: a sequence of widget states becomes one widget item that is `added`,
//! updated as little as possible between states, and `done` with the last state.
//!
//! Where it sits: a `respond()` (or `action()`) that renders a widget bit by bit, say a card
//! whose text fills in as a model writes it, hands the states to
//! [`Responder::stream_widget`] and yields the events. [`diff_widget`] decides, state to
//! state, what the client needs: text appended to a `Text` or `Markdown` component that has an
//! `id` is a `widget.streaming_text.value_delta`; any other change replaces the whole tree with
//! `widget.root.updated`. The processor saves the item at its `done`.
//!
//! ```text
//! states: Card[Text#t ""] ─► Card[Text#t "Hel"] ─► Card[Text#t "Hello"]
//! events: item.added        value_delta "Hel"      value_delta "lo"      item.done (last state)
//! ```
//!
//! The comparison runs on the wire JSON of the two trees, which is what pydantic compares in the
//! reference (its models' set fields): two states differ exactly where their JSON differs.
//!
//! Python counterpart: `chatkit/server.py::diff_widget` and `stream_widget`.

use async_stream::stream;
use futures::{Stream, StreamExt};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::EventStream;
use super::responder::Responder;
use crate::id_gen::IdKind;
use crate::protocol::{ItemKind, ThreadItemUpdate, ThreadStreamEvent, WidgetRoot};
use crate::store::StoreContext;

/// The updates that turn widget state `before` into `after`: text deltas where only streaming
/// text grew, else one `widget.root.updated` with the whole new tree. Equal states give none.
///
/// The reference raises when a streaming text is new or shrank; both are changes of the tree
/// that the full-replace test already catches, so here they simply replace the root.
pub fn diff_widget(before: &WidgetRoot, after: &WidgetRoot) -> Vec<ThreadItemUpdate> {
    // Compared as JSON, not as typed widgets: a widget is a tree of dozens of component
    // types, and walking `Value`s needs one function where typed code would need one per
    // type (the reference's `getattr` reflection does the same job in Python).
    let (before_json, after_json) = (to_json(before), to_json(after));
    let replace_root = || {
        vec![ThreadItemUpdate::WidgetRootUpdated {
            widget: after.clone(),
        }]
    };
    if needs_full_replace(&before_json, &after_json) {
        return replace_root();
    }
    // The tree is the same apart from streaming text values. Each text that grew becomes a
    // delta, in tree order, as the reference walks the tree.
    let before_texts = streaming_texts(&before_json);
    let mut updates = Vec::new();
    for (id, after_node) in streaming_texts(&after_json) {
        let Some(before_node) = before_texts.get(&id) else {
            return replace_root();
        };
        let (old, new) = (text_value(before_node), text_value(after_node));
        if old == new {
            continue;
        }
        // Not an append (the text was edited or shrank): a delta cannot say that, so the
        // whole tree goes, and the deltas gathered so far are dropped with it.
        let Some(delta) = new.strip_prefix(old) else {
            return replace_root();
        };
        updates.push(ThreadItemUpdate::WidgetStreamingTextValueDelta {
            component_id: id,
            delta: delta.to_owned(),
            // The reference's rule: a component not marked `streaming` is done with each delta.
            done: !after_node["streaming"].as_bool().unwrap_or(false),
        });
    }
    updates
}

impl<C: StoreContext + Clone + Send + Sync + 'static> Responder<C> {
    /// Streams a widget from its successive `states`: `thread.item.added` with the first,
    /// the [`diff_widget`] updates between each state and the next, and `thread.item.done` with
    /// the last. `copy_text` is what the client copies for it.
    ///
    /// No state at all sends nothing (the reference fails the stream instead).
    pub fn stream_widget<S>(&self, states: S, copy_text: Option<String>) -> EventStream
    where
        S: Stream<Item = WidgetRoot> + Send + 'static,
    {
        // A clone moves into the stream, which is `'static` and outlives this `&self`.
        let responder = self.clone();
        // `stream!`, not `try_stream!`: nothing in here can fail; the items are `Ok` events.
        stream! {
            let mut states = Box::pin(states);
            let Some(first) = states.next().await else {
                return;
            };
            let widget_item = |widget| ItemKind::Widget { widget, copy_text: copy_text.clone() };
            let mut item = responder.item(IdKind::Message, widget_item(first.clone()));
            yield Ok(ThreadStreamEvent::ThreadItemAdded { item: item.clone() });
            // Each state is diffed against the previous one, not the first: a delta appends
            // to what the client already shows.
            let mut last = first;
            while let Some(next) = states.next().await {
                for update in diff_widget(&last, &next) {
                    yield Ok(ThreadStreamEvent::ThreadItemUpdated {
                        item_id: item.id.clone(),
                        update,
                    });
                }
                last = next;
            }
            // The same item (id, time) with the last state, as the reference's `model_copy`.
            item.kind = widget_item(last);
            yield Ok(ThreadStreamEvent::ThreadItemDone { item });
        }
        .boxed()
    }
}

/// The widget as the client receives it.
fn to_json(widget: &WidgetRoot) -> Value {
    // Serializing a widget (plain data with string keys) does not fail; the fallback only
    // keeps an `unwrap` out of library code.
    serde_json::to_value(widget).unwrap_or(Value::Null)
}

/// Whether `after` must replace `before` whole: another type, id or key, or a change other than
/// streaming text growing (the reference's `full_replace`).
fn needs_full_replace(before: &Value, after: &Value) -> bool {
    // Identity first: a component that changed its type, id or key is a different component,
    // whatever its fields say.
    if ["type", "id", "key"]
        .iter()
        .any(|key| before.get(key) != after.get(key))
    {
        return true;
    }
    let empty = Map::new();
    let before_fields = before.as_object().unwrap_or(&empty);
    let after_fields = after.as_object().unwrap_or(&empty);
    // Keys of both sides, so a field that appeared or disappeared counts as a change; a key
    // present on both is looked at twice, which costs a comparison and changes nothing.
    let mut keys = before_fields.keys().chain(after_fields.keys());
    keys.any(|key| {
        let (old, new) = (before_fields.get(key), after_fields.get(key));
        if key == "value" && is_streaming_text(before) && is_streaming_text(after) {
            let old = old.and_then(Value::as_str).unwrap_or_default();
            if new
                .and_then(Value::as_str)
                .unwrap_or_default()
                .starts_with(old)
            {
                // Text appended to a streaming value is a delta, not a replacement.
                return false;
            }
        }
        field_needs_full_replace(old, new)
    })
}

/// One field's values: lists element by element, components recursively, anything else by
/// equality.
fn field_needs_full_replace(before: Option<&Value>, after: Option<&Value>) -> bool {
    match (before, after) {
        // A list that grew or shrank (a new row, say) is replaced: only text values stream.
        (Some(Value::Array(old)), Some(Value::Array(new))) => {
            old.len() != new.len()
                || old
                    .iter()
                    .zip(new)
                    .any(|(old, new)| field_needs_full_replace(Some(old), Some(new)))
        }
        (old, new) if old == new => false,
        (Some(old), Some(new)) if is_component(old) && is_component(new) => {
            needs_full_replace(old, new)
        }
        _ => true,
    }
}

/// A widget node: an object with a `type`.
fn is_component(value: &Value) -> bool {
    value.get("type").is_some_and(Value::is_string)
}

/// A `Text` or `Markdown` component whose value is a string: one that can stream.
fn is_streaming_text(value: &Value) -> bool {
    matches!(
        value.get("type").and_then(Value::as_str),
        Some("Text" | "Markdown")
    ) && value.get("value").is_some_and(Value::is_string)
}

fn text_value(node: &Value) -> &str {
    node["value"].as_str().unwrap_or_default()
}

/// Every streaming text component with an id, found through `children`, by id, in tree order
/// (a repeated id keeps its first place and its last node, as a Python dict does).
fn streaming_texts(root: &Value) -> IndexMap<String, &Value> {
    let mut found = IndexMap::new();
    collect_streaming_texts(root, &mut found);
    found
}

fn collect_streaming_texts<'a>(node: &'a Value, found: &mut IndexMap<String, &'a Value>) {
    let id = node.get("id").and_then(Value::as_str);
    if let Some(id) = id.filter(|id| !id.is_empty() && is_streaming_text(node)) {
        found.insert(id.to_owned(), node);
    }
    let children = node.get("children").and_then(Value::as_array);
    for child in children.into_iter().flatten() {
        collect_streaming_texts(child, found);
    }
}
