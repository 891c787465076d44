//! Item updates: the 10 kinds of change a `thread.item.updated` event carries.
//!
//! Between `thread.item.added` and `thread.item.done`, an item grows through updates: a new
//! content part, a text delta, an annotation, a finished part; a widget's streaming text, one
//! component or the whole tree; a workflow task added or changed; a generated image's progress.
//! The server applies the assistant-part and workflow-task updates to its pending copy of the
//! item, so a cancelled stream can still save what was shown (protocol#cancellation).
//!
//! Where it sits: protocol layer; the `update` of [`ThreadStreamEvent::ThreadItemUpdated`].
//!
//! [`ThreadStreamEvent::ThreadItemUpdated`]: super::event::ThreadStreamEvent::ThreadItemUpdated

use serde::{Deserialize, Serialize};

use super::assistant::{Annotation, AssistantMessageContent};
use super::item::GeneratedImage;
use super::widget::{WidgetComponent, WidgetRoot};
use super::workflow::Task;

/// One change to a pending item.
///
/// # Wire format
///
/// `{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Hel"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ThreadItemUpdate {
    /// A new content part at `content_index`.
    #[serde(rename = "assistant_message.content_part.added")]
    ContentPartAdded {
        /// Which part.
        content_index: usize,
        /// Its initial content.
        content: AssistantMessageContent,
    },
    /// Text appended to a part.
    #[serde(rename = "assistant_message.content_part.text_delta")]
    ContentPartTextDelta {
        /// Which part.
        content_index: usize,
        /// The text to append.
        delta: String,
    },
    /// An annotation inserted into a part.
    #[serde(rename = "assistant_message.content_part.annotation_added")]
    ContentPartAnnotationAdded {
        /// Which part.
        content_index: usize,
        /// Where among the part's annotations (appended if past the end).
        annotation_index: usize,
        /// The annotation.
        annotation: Annotation,
    },
    /// A part is final; its content replaces what was streamed.
    #[serde(rename = "assistant_message.content_part.done")]
    ContentPartDone {
        /// Which part.
        content_index: usize,
        /// Its final content.
        content: AssistantMessageContent,
    },
    /// Text appended to a widget's Text or Markdown component with an id.
    #[serde(rename = "widget.streaming_text.value_delta")]
    WidgetStreamingTextValueDelta {
        /// The component's id.
        component_id: String,
        /// The text to append.
        delta: String,
        /// Whether the component has finished streaming.
        done: bool,
    },
    /// One widget component replaced.
    #[serde(rename = "widget.component.updated")]
    WidgetComponentUpdated {
        /// The component's id.
        component_id: String,
        /// Its new state.
        component: WidgetComponent,
    },
    /// The whole widget tree replaced.
    #[serde(rename = "widget.root.updated")]
    WidgetRootUpdated {
        /// The new tree.
        widget: WidgetRoot,
    },
    /// A task appended to a workflow.
    #[serde(rename = "workflow.task.added")]
    WorkflowTaskAdded {
        /// Its index.
        task_index: usize,
        /// The task.
        task: Task,
    },
    /// A workflow task replaced.
    #[serde(rename = "workflow.task.updated")]
    WorkflowTaskUpdated {
        /// Its index.
        task_index: usize,
        /// The new task.
        task: Task,
    },
    /// A generated image changed.
    #[serde(rename = "generated_image.updated")]
    GeneratedImageUpdated {
        /// The image so far.
        image: GeneratedImage,
        /// Progress between 0 and 1, if known.
        #[serde(skip_serializing_if = "Option::is_none")]
        progress: Option<f64>,
    },
}

impl ThreadItemUpdate {
    /// Applies this update to an assistant message's content parts, if it is a content-part
    /// update (any other update leaves them alone).
    ///
    /// The reference's rules, the same for the server's pending copy of a streaming message
    /// and for a client showing it: parts are padded with empty text parts up to the index an
    /// update names (an update may name a part that was never added); `added` and `done` carry
    /// the whole part and replace it (`done` is the final text, which wins over the deltas
    /// accumulated so far); a delta appends; an annotation is inserted at its index, or
    /// appended past the end.
    pub fn apply_to_content(&self, content: &mut Vec<AssistantMessageContent>) {
        // The index first, for all four kinds at once, so the padding below is written once.
        let index = match self {
            ThreadItemUpdate::ContentPartAdded { content_index, .. }
            | ThreadItemUpdate::ContentPartTextDelta { content_index, .. }
            | ThreadItemUpdate::ContentPartAnnotationAdded { content_index, .. }
            | ThreadItemUpdate::ContentPartDone { content_index, .. } => *content_index,
            _ => return,
        };
        // The padding is the reference's `AssistantMessageContent(text="", annotations=[])`.
        while content.len() <= index {
            content.push(AssistantMessageContent::text(""));
        }
        let part = &mut content[index];
        match self {
            ThreadItemUpdate::ContentPartAdded { content: new, .. }
            | ThreadItemUpdate::ContentPartDone { content: new, .. } => *part = new.clone(),
            ThreadItemUpdate::ContentPartTextDelta { delta, .. } => part.text.push_str(delta),
            ThreadItemUpdate::ContentPartAnnotationAdded {
                annotation_index,
                annotation,
                ..
            } => {
                // Insert at the index, or append past the end: `min` gives both in one
                // `insert` that cannot panic.
                let at = (*annotation_index).min(part.annotations.len());
                part.annotations.insert(at, annotation.clone());
            }
            _ => {}
        }
    }
}
