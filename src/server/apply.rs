//! Applying item updates to a pending copy of an item.
//!
//! While an assistant message or a workflow streams, the pipeline keeps the latest version of
//! it, so that a cancelled stream can still save what the user saw. These are the reference's
//! rules (`chatkit/server.py::_apply_assistant_message_update` and `_update_pending_items`):
//! content parts are padded with empty text parts up to the index an update names; a text delta
//! appends; an annotation is inserted at its index, or appended past the end; a part's `done`
//! replaces it; workflow tasks are appended or replaced. Widget and image updates change
//! nothing that a cancellation would keep.
//!
//! Where it sits: used by `pipeline.rs`; pure functions, no I/O.

use crate::protocol::{AssistantMessageContent, ItemKind, ThreadItem, ThreadItemUpdate};

/// Applies `update` to `item` if it is an update of that item's kind.
pub(crate) fn apply_update(item: &mut ThreadItem, update: &ThreadItemUpdate) {
    // An update of another kind (a text delta for a workflow, say) is ignored rather than
    // refused: the pending copy exists only for a cancellation, and the event itself is
    // still sent to the client as the responder wrote it.
    match &mut item.kind {
        ItemKind::AssistantMessage(message) => apply_content_update(&mut message.content, update),
        ItemKind::Workflow { workflow } => match update {
            // Appended whatever `task_index` the event carries, as the reference appends.
            ThreadItemUpdate::WorkflowTaskAdded { task, .. } => workflow.tasks.push(task.clone()),
            ThreadItemUpdate::WorkflowTaskUpdated { task_index, task } => {
                // The reference raises on an index past the end; we leave the list alone,
                // because a panic or an error here would end a stream the client is reading
                // for the sake of a copy that is only kept for a cancellation.
                if let Some(slot) = workflow.tasks.get_mut(*task_index) {
                    *slot = task.clone();
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// Applies an assistant content-part update to a message's parts.
fn apply_content_update(content: &mut Vec<AssistantMessageContent>, update: &ThreadItemUpdate) {
    // The index first, for all four kinds at once, so the padding below is written once.
    let index = match update {
        ThreadItemUpdate::ContentPartAdded { content_index, .. }
        | ThreadItemUpdate::ContentPartTextDelta { content_index, .. }
        | ThreadItemUpdate::ContentPartAnnotationAdded { content_index, .. }
        | ThreadItemUpdate::ContentPartDone { content_index, .. } => *content_index,
        _ => return,
    };
    // Updates may name a part that was never added; pad so the index exists. The padding is
    // empty text parts, the reference's `AssistantMessageContent(text="", annotations=[])`.
    while content.len() <= index {
        content.push(AssistantMessageContent::text(""));
    }
    let part = &mut content[index];
    match update {
        // `added` and `done` both carry the whole part and replace it: `done` is the final
        // text, which wins over the deltas accumulated so far.
        ThreadItemUpdate::ContentPartAdded { content: new, .. }
        | ThreadItemUpdate::ContentPartDone { content: new, .. } => *part = new.clone(),
        ThreadItemUpdate::ContentPartTextDelta { delta, .. } => part.text.push_str(delta),
        ThreadItemUpdate::ContentPartAnnotationAdded {
            annotation_index,
            annotation,
            ..
        } => {
            // The reference's rule: insert at the index, or append when the index is past
            // the end; `min` gives both in one `insert` that cannot panic.
            let at = (*annotation_index).min(part.annotations.len());
            part.annotations.insert(at, annotation.clone());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AssistantMessage, ThreadId, Timestamp};

    fn empty_message() -> ThreadItem {
        ThreadItem {
            id: "msg_1".into(),
            thread_id: ThreadId::new("thr_1"),
            created_at: Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date"),
            kind: ItemKind::AssistantMessage(AssistantMessage {
                content: Vec::new(),
            }),
        }
    }

    fn texts(item: &ThreadItem) -> Vec<String> {
        match &item.kind {
            ItemKind::AssistantMessage(message) => message
                .content
                .iter()
                .map(|part| part.text.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn deltas_for_a_part_never_added_pad_the_content_first() {
        let mut item = empty_message();
        let delta = |text: &str| ThreadItemUpdate::ContentPartTextDelta {
            content_index: 1,
            delta: text.to_owned(),
        };
        apply_update(&mut item, &delta("Hello, "));
        apply_update(&mut item, &delta("World!"));
        assert_eq!(texts(&item), ["", "Hello, World!"]);
    }
}
