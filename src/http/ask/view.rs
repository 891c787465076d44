//! The readable view of `--ask`: each stream event, as the crate's client decoded it into its
//! protocol type ([`StreamEvent`]), as a line a person can follow.
//!
//! | event | printed as |
//! |---|---|
//! | `thread.created`, `thread.updated` with a title | `thread thr_… created`, `title: …` |
//! | a user message done | `you: …` |
//! | an assistant message added, then its text deltas | `assistant: ` and the words as they arrive |
//! | an assistant message done without deltas | `assistant: …` in one piece |
//! | a workflow added, its tasks added or updated, done | `workflow:`, `  task: [thought] …`, `workflow done: …` |
//! | a task item | `task: [custom] …` |
//! | a widget done | `widget:` and its outline (`outline.rs`) |
//! | a client tool call, a generated image | `client tool call: name {…}`, `image: url` |
//! | `progress_update`, `notice`, `client_effect` | `… text`, `notice: …`, `client effect: name {…}` |
//! | `error` | `error [code]: message`, and whether a retry is allowed |
//!
//! Everything else (`stream_options`, a removed item, widget and image updates while they are
//! pending, end-of-turn markers, hidden context) changes nothing a reader needs to see here.
//!
//! Assistant text streams on one open line; any other line closes it first, so the deltas of
//! one message never run into the next line.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;

use super::outline::outline;
use crate::client::StreamEvent;
use crate::protocol::{
    AssistantMessage, ErrorCode, ErrorEvent, ItemId, ItemKind, Task, TaskKind, ThreadItem,
    ThreadItemUpdate, ThreadStreamEvent, UserMessageContent, Workflow, WorkflowSummary,
    to_wire_json,
};

/// The view's state: which assistant message, if any, is streaming on the current line.
#[derive(Debug, Default)]
pub(super) struct PrettyView {
    /// The assistant message whose deltas are being printed on the open line.
    streaming: Option<ItemId>,
    /// Messages already shown through their deltas, so that their `done` is not printed again.
    streamed: HashSet<ItemId>,
}

impl PrettyView {
    /// Prints one event as the client read it: the event it decoded to, or a line saying it
    /// did not, with its data.
    pub(super) fn print_event(
        &mut self,
        event: &StreamEvent,
        to: &mut impl Write,
    ) -> io::Result<()> {
        match &event.event {
            Ok(decoded) => self.print(decoded, to),
            // A newer server may send an event this version does not know; show it, go on.
            Err(error) => self.line(
                to,
                &format!("(an event this view cannot read: {error}) {}", event.data),
            ),
        }
    }

    /// Prints one event.
    fn print(&mut self, event: &ThreadStreamEvent, to: &mut impl Write) -> io::Result<()> {
        match event {
            ThreadStreamEvent::ThreadCreated { thread } => {
                self.line(to, &format!("thread {} created", thread.metadata.id))
            }
            ThreadStreamEvent::ThreadUpdated { thread } => match &thread.metadata.title {
                Some(title) => self.line(to, &format!("title: {title}")),
                None => Ok(()),
            },
            ThreadStreamEvent::ThreadItemAdded { item } => self.item_added(item, to),
            ThreadStreamEvent::ThreadItemUpdated { item_id, update } => {
                self.item_updated(item_id, update, to)
            }
            ThreadStreamEvent::ThreadItemDone { item }
            | ThreadStreamEvent::ThreadItemReplaced { item } => self.item_done(item, to),
            ThreadStreamEvent::ProgressUpdate { text, .. } => self.line(to, &format!("… {text}")),
            ThreadStreamEvent::ClientEffect { name, data } if data.is_empty() => {
                self.line(to, &format!("client effect: {name}"))
            }
            ThreadStreamEvent::ClientEffect { name, data } => {
                self.line(to, &format!("client effect: {name} {}", compact(data)))
            }
            ThreadStreamEvent::Notice { message, .. } => {
                self.line(to, &format!("notice: {message}"))
            }
            ThreadStreamEvent::Error(error) => self.line(to, &error_line(error)),
            ThreadStreamEvent::StreamOptions { .. }
            | ThreadStreamEvent::ThreadItemRemoved { .. } => Ok(()),
        }
    }

    /// A new pending item: an assistant message opens its line, a workflow lists its tasks.
    fn item_added(&mut self, item: &ThreadItem, to: &mut impl Write) -> io::Result<()> {
        match &item.kind {
            ItemKind::AssistantMessage(_) => {
                self.open_assistant_line(&item.id, to)?;
                self.streamed.insert(item.id.clone());
                Ok(())
            }
            ItemKind::Workflow { workflow } => {
                self.line(to, "workflow:")?;
                for task in &workflow.tasks {
                    self.line(to, &format!("  task: {}", task_title(task)))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A change to a pending item: text deltas stream, workflow tasks get a line each.
    fn item_updated(
        &mut self,
        item_id: &ItemId,
        update: &ThreadItemUpdate,
        to: &mut impl Write,
    ) -> io::Result<()> {
        match update {
            ThreadItemUpdate::ContentPartTextDelta { delta, .. } => {
                if self.streaming.as_ref() != Some(item_id) {
                    self.open_assistant_line(item_id, to)?;
                }
                write!(to, "{delta}")
            }
            ThreadItemUpdate::WorkflowTaskAdded { task, .. } => {
                self.line(to, &format!("  task: {}", task_title(task)))
            }
            ThreadItemUpdate::WorkflowTaskUpdated { task, .. } => {
                self.line(to, &format!("  task updated: {}", task_title(task)))
            }
            // Parts added or done, annotations, widget and image progress: the item's `done`
            // shows the result.
            _ => Ok(()),
        }
    }

    /// A final item (or one replaced): printed whole, unless its text has already streamed.
    fn item_done(&mut self, item: &ThreadItem, to: &mut impl Write) -> io::Result<()> {
        match &item.kind {
            ItemKind::UserMessage(message) => {
                let words: Vec<&str> = message.content.iter().map(user_part_text).collect();
                self.line(to, &format!("you: {}", words.join(" ")))
            }
            ItemKind::AssistantMessage(_) if self.streamed.contains(&item.id) => {
                if self.streaming.as_ref() == Some(&item.id) {
                    self.end_line(to)?;
                }
                Ok(())
            }
            ItemKind::AssistantMessage(message) => {
                self.line(to, &format!("assistant: {}", assistant_text(message)))
            }
            ItemKind::Workflow { workflow } => {
                self.line(to, &format!("workflow done: {}", summary(workflow)))
            }
            ItemKind::Task { task } => self.line(to, &format!("task: {}", task_title(task))),
            ItemKind::Widget { widget, .. } => {
                self.line(to, "widget:")?;
                for line in outline(widget, 1) {
                    self.line(to, &line)?;
                }
                Ok(())
            }
            ItemKind::ClientToolCall(call) => self.line(
                to,
                &format!(
                    "client tool call: {} {}",
                    call.name,
                    compact(&call.arguments)
                ),
            ),
            ItemKind::GeneratedImage { image: Some(image) } => {
                self.line(to, &format!("image: {}", image.url))
            }
            _ => Ok(()),
        }
    }

    /// Starts the line an assistant message's deltas are written on.
    fn open_assistant_line(&mut self, id: &ItemId, to: &mut impl Write) -> io::Result<()> {
        self.end_line(to)?;
        write!(to, "assistant: ")?;
        self.streaming = Some(id.clone());
        Ok(())
    }

    /// Prints one whole line, closing an open line of deltas first.
    fn line(&mut self, to: &mut impl Write, line: &str) -> io::Result<()> {
        self.end_line(to)?;
        writeln!(to, "{line}")
    }

    /// Ends the line of deltas, if one is open.
    pub(super) fn end_line(&mut self, to: &mut impl Write) -> io::Result<()> {
        if self.streaming.take().is_some() {
            writeln!(to)?;
        }
        Ok(())
    }
}

/// Prints one stored item on an indented line, as a finished item is shown in the stream; a
/// hidden item, which no stream shows, as `(hidden) …` with its content.
pub(super) fn print_stored(item: &ThreadItem, to: &mut impl Write) -> io::Result<()> {
    let mut line = Vec::new();
    match &item.kind {
        ItemKind::SdkHiddenContext { content } => writeln!(line, "(hidden) {content}")?,
        ItemKind::HiddenContext { content } => writeln!(line, "(hidden) {}", compact(content))?,
        ItemKind::Workflow { workflow } => {
            let tasks = workflow.tasks.len();
            writeln!(line, "workflow: {} ({tasks} tasks)", summary(workflow))?;
        }
        // A fresh view: nothing has streamed, so an assistant message is printed whole.
        _ => PrettyView::default().item_done(item, &mut line)?,
    }
    if line.is_empty() {
        writeln!(line, "({})", item_type(item))?;
    }
    write!(to, "  ")?;
    to.write_all(&line)
}

/// A workflow's summary as a line shows it: its title, or its duration.
fn summary(workflow: &Workflow) -> String {
    match &workflow.summary {
        Some(WorkflowSummary::Custom { title, .. }) => title.clone(),
        Some(WorkflowSummary::Duration { duration }) => format!("{duration}s"),
        None => String::new(),
    }
}

/// The `type` of an item as the wire writes it (`end_of_turn`, …).
fn item_type(item: &ThreadItem) -> String {
    serde_json::to_value(&item.kind)
        .ok()
        .and_then(|value| value["type"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The text of one part of a user message; a tag shows the text it was typed as.
fn user_part_text(part: &UserMessageContent) -> &str {
    match part {
        UserMessageContent::Text { text } | UserMessageContent::Tag { text, .. } => text,
    }
}

/// An assistant message's parts, joined.
fn assistant_text(message: &AssistantMessage) -> String {
    message
        .content
        .iter()
        .map(|part| part.text.as_str())
        .collect()
}

/// A task's kind and its title, or its content when it has no title (a thought usually has
/// none): `[thought] Checking the forecast`.
fn task_title(task: &Task) -> String {
    let (kind, title) = match &task.kind {
        TaskKind::Custom { title, content, .. } => ("custom", title.as_ref().or(content.as_ref())),
        TaskKind::WebSearch {
            title, title_query, ..
        } => ("web_search", title.as_ref().or(title_query.as_ref())),
        TaskKind::Thought { title, content } => ("thought", title.as_ref().or(Some(content))),
        TaskKind::File { title, .. } => ("file", title.as_ref()),
        TaskKind::Image { title } => ("image", title.as_ref()),
    };
    format!("[{kind}] {}", title.map(String::as_str).unwrap_or_default())
}

/// `error [stream.error]: (no message) (retry allowed)`.
fn error_line(error: &ErrorEvent) -> String {
    let code = match &error.code {
        ErrorCode::Custom => "custom",
        ErrorCode::StreamError => "stream.error",
        ErrorCode::Other(code) => code,
    };
    let message = error.message.as_deref().unwrap_or("(no message)");
    let retry = if error.allow_retry {
        " (retry allowed)"
    } else {
        ""
    };
    format!("error [{code}]: {message}{retry}")
}

/// Compact JSON for arguments and effect data, as the wire has them.
fn compact(value: &impl Serialize) -> String {
    // Maps of JSON values always serialize; the fallback only keeps the view from failing.
    to_wire_json(value).unwrap_or_else(|error| format!("<{error}>"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// What the view prints for these SSE payloads, one after another.
    fn printed(events: &[serde_json::Value]) -> String {
        let mut view = PrettyView::default();
        let mut out = Vec::new();
        for event in events {
            view.print_event(&StreamEvent::decode(event.to_string()), &mut out)
                .expect("writing to a Vec");
        }
        view.end_line(&mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    fn assistant(id: &str, text: &str) -> serde_json::Value {
        json!({"id": id, "thread_id": "thr_1", "created_at": "2025-01-02T03:04:05Z",
               "type": "assistant_message",
               "content": [{"annotations": [], "text": text, "type": "output_text"}]})
    }

    #[test]
    fn deltas_stream_on_one_line_and_the_done_message_is_not_repeated() {
        let out = printed(&[
            json!({"type": "thread.item.added", "item": assistant("msg_1", "")}),
            json!({"type": "thread.item.updated", "item_id": "msg_1",
                   "update": {"type": "assistant_message.content_part.text_delta",
                              "content_index": 0, "delta": "Hel"}}),
            json!({"type": "thread.item.updated", "item_id": "msg_1",
                   "update": {"type": "assistant_message.content_part.text_delta",
                              "content_index": 0, "delta": "lo"}}),
            json!({"type": "progress_update", "text": "Thinking"}),
            json!({"type": "thread.item.done", "item": assistant("msg_1", "Hello")}),
            json!({"type": "thread.item.done", "item": assistant("msg_2", "Bye")}),
        ]);
        assert_eq!(out, "assistant: Hello\n… Thinking\nassistant: Bye\n");
    }

    #[test]
    fn workflows_tasks_effects_and_errors_get_a_line_each() {
        let workflow = json!({"id": "cwf_1", "thread_id": "thr_1",
            "created_at": "2025-01-02T03:04:05Z", "type": "workflow",
            "workflow": {"type": "custom", "tasks": [
                {"status_indicator": "none", "type": "custom", "title": "Look up"}],
                "summary": {"title": "Done looking"}, "expanded": false}});
        let out = printed(&[
            json!({"type": "thread.item.added", "item": workflow}),
            json!({"type": "thread.item.updated", "item_id": "cwf_1",
                   "update": {"type": "workflow.task.added", "task_index": 1,
                              "task": {"type": "thought", "content": "Hmm"}}}),
            json!({"type": "thread.item.done", "item": workflow}),
            json!({"type": "client_effect", "name": "confetti", "data": {"count": 3}}),
            json!({"type": "error", "code": "stream.error", "allow_retry": true}),
        ]);
        assert_eq!(
            out,
            "workflow:\n  task: [custom] Look up\n  task: [thought] Hmm\nworkflow done: Done looking\n\
             client effect: confetti {\"count\":3}\nerror [stream.error]: (no message) (retry allowed)\n"
        );
    }

    #[test]
    fn stored_items_get_an_indented_line_each_hidden_ones_included() {
        let items = [
            json!({"id": "msg_1", "thread_id": "thr_1", "created_at": "2025-01-02T03:04:05Z",
                   "type": "user_message", "content": [{"type": "input_text", "text": "hi"}],
                   "attachments": [], "inference_options": {}}),
            assistant("msg_2", "Hel"),
            json!({"id": "shcx_1", "thread_id": "thr_1", "created_at": "2025-01-02T03:04:05Z",
                   "type": "sdk_hidden_context", "content": "The user cancelled."}),
            json!({"id": "eot_1", "thread_id": "thr_1", "created_at": "2025-01-02T03:04:05Z",
                   "type": "end_of_turn"}),
        ];
        let mut out = Vec::new();
        for item in items {
            let item: ThreadItem = serde_json::from_value(item).expect("an item");
            print_stored(&item, &mut out).expect("writing to a Vec");
        }
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "  you: hi\n  assistant: Hel\n  (hidden) The user cancelled.\n  (end_of_turn)\n"
        );
    }

    #[test]
    fn an_event_that_does_not_decode_is_shown_and_the_view_goes_on() {
        let out = printed(&[
            json!({"type": "thread.item.teleported", "item_id": "msg_1"}),
            json!({"type": "notice", "level": "info", "message": "still here"}),
        ]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].starts_with("(an event this view cannot read: ")
                && lines[0].ends_with(r#"{"type":"thread.item.teleported","item_id":"msg_1"}"#),
            "{out}"
        );
        assert_eq!(lines[1], "notice: still here");
    }
}
