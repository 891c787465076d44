//! Exercise 2, solved: the tag becomes a text part the model can match to the task.

use async_trait::async_trait;
use chatkit::agent::history::{ConvertError, MentionTag, ThreadItemConverter, input_text};
use serde_json::Value;

/// The converter of an app whose tags are tasks.
pub struct TaskRefs;

#[async_trait]
impl ThreadItemConverter for TaskRefs {
    async fn tag_to_message_content(&self, tag: MentionTag<'_>) -> Result<Value, ConvertError> {
        Ok(input_text(format!(
            "<TASK_REF id={}>{}</TASK_REF>",
            tag.id, tag.text
        )))
    }
}
