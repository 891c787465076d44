//! Applying item updates to a pending copy of an item.
//!
//! While an assistant message or a workflow streams, the pipeline keeps the latest version of
//! it, so that a cancelled stream can still save what the user saw. These are the reference's
//! rules (`chatkit/server.py::_apply_assistant_message_update` and `_update_pending_items`):
//! content parts change as [`ThreadItemUpdate::apply_to_content`] says (the client's fold uses
//! the same function); workflow tasks are appended or replaced. Widget and image updates change
//! nothing that a cancellation would keep.
//!
//! Where it sits: used by `pipeline.rs`; pure functions, no I/O.

use crate::protocol::{ItemKind, ThreadItem, ThreadItemUpdate};

/// Applies `update` to `item` if it is an update of that item's kind.
pub(crate) fn apply_update(item: &mut ThreadItem, update: &ThreadItemUpdate) {
    // An update of another kind (a text delta for a workflow, say) is ignored rather than
    // refused: the pending copy exists only for a cancellation, and the event itself is
    // still sent to the client as the responder wrote it.
    match &mut item.kind {
        ItemKind::AssistantMessage(message) => update.apply_to_content(&mut message.content),
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
