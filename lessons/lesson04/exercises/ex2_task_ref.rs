//! Exercise 2: a tag hook.
//!
//! In the composer, a user can tag a task: `@Fix the boiler`. The message then carries an
//! `input_tag` part with the task's id. Only the app knows what a tag stands for, so the
//! default converter refuses it ("Converter.tag_to_message_content is not implemented") and
//! the turn fails. Write the hook: for each tag, the model gets one text part
//! `<TASK_REF id=task_42>Fix the boiler</TASK_REF>` (the tag's id, then its text), after the
//! converter's preamble about @-mentions.
//!
//! Hint: `input_text(format!(…))` builds a text part; `tag.id` and `tag.text` are the two
//! fields you need. The other hooks keep their defaults: a trait's provided methods.
//!
//! Check it with `cargo test --test grade lesson04`; serve it with
//! `cargo run --bin lesson04 -- --exercise 2`.

use async_trait::async_trait;
use chatkit::agent::history::{ConvertError, MentionTag, ThreadItemConverter};
use serde_json::Value;

/// The converter of an app whose tags are tasks.
pub struct TaskRefs;

#[async_trait]
impl ThreadItemConverter for TaskRefs {
    async fn tag_to_message_content(&self, tag: MentionTag<'_>) -> Result<Value, ConvertError> {
        // TODO: one text part, `<TASK_REF id=…>…</TASK_REF>`.
        todo!("the text part for the task {}", tag.id)
    }
}
