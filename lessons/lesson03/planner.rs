//! The lesson's server: a day planner with no model, whose one turn shows every kind of
//! stream event in this order ("a pause" is `--delay-ms`, and there is no other; ids and times
//! come from `out` where noted, so the Python twin makes the same bytes):
//!
//! 1. `progress_update` `Checking your calendar…`, then `Still checking your calendar (N)…`
//!    every 250 ms while the lookup (10 pauses) runs, all with the icon `calendar`; past 5 s,
//!    a custom `error` `The calendar did not answer within 5 s.`, retryable (`slow.rs`).
//! 2. `thread.item.added`: a `custom` workflow, no tasks, not expanded (an id, then the time).
//! 3. Per block (`Morning`, `Afternoon`, `Evening`): `workflow.task.added` (a custom task,
//!    `loading`, its title), a pause, `workflow.task.updated` (`complete`, content `Planned`).
//! 4. `thread.item.done`: the workflow, its tasks, the summary `Planned 3 blocks` (`calendar`).
//! 5. `thread.item.added`: an assistant message, no content (an id, then the time).
//! 6. `…content_part.added`, part 0 empty; 7. a `…text_delta` per word of the answer (cut after
//!    each space), a pause before each but the first; 8. `…content_part.done`, the whole text;
//!    9. `thread.item.done`, the whole message. First word `busy`: after the third delta and a
//!    pause, a custom `error` (`allow_retry`); `crash`: a failure there (`stream.error`).
//! 10. `client_effect` `plan_ready`, `{"blocks":3}`.
//!
//! First word `delete`: the words of [`CLEAR`] (`Cleared`, `calendar_changed`), in a turn the
//! client cannot cancel ([`Planner::get_stream_options`]). Words are compared lower-cased.
//! `tests/lessons.rs` checks this against the Python twin and cuts its connection mid-answer.

use std::time::Duration;

use chatkit::prelude::*;
use chatkit::protocol::{
    IconName, StreamOptions, TaskKind, TaskStatusIndicator, WorkflowKind, WorkflowSummary,
};

use super::slow::{self, Heard};

/// The day planner; `delay` is the pause between two steps the user should see.
pub(crate) struct Planner {
    pub(crate) delay: Duration,
}

/// What a turn says: the verb of its tasks and summary, its answer, its client effect.
pub(crate) struct Words {
    verb: &'static str,
    pub(crate) answer: &'static str,
    effect: &'static str,
}

/// The words of a plan.
pub(crate) const PLAN: Words = Words {
    verb: "Planned",
    answer: "Here is your day: focused work in the morning, errands and a walk in the \
             afternoon, and a free evening.",
    effect: "plan_ready",
};

/// The words of a `delete …` turn, which clears the calendar.
pub(crate) const CLEAR: Words = Words {
    verb: "Cleared",
    answer: "Done: your morning, afternoon and evening are clear. Deleting cannot be undone, \
             so this answer is finished and stored even if you leave.",
    effect: "calendar_changed",
};

impl ChatKitServer<UserContext> for Planner {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        let first_word = first_word(input.as_ref());
        let words = if first_word == "delete" { CLEAR } else { PLAN };
        try_stream! {
            // ANCHOR: calendar
            // 1. A slow step, with progress while it runs and a deadline (`slow.rs`): each
            // progress text becomes an event, and `?` passes its error on.
            let mut calendar = std::pin::pin!(slow::check_calendar(self.delay));
            let mut blocks = Vec::new();
            while let Some(heard) = calendar.next().await {
                match heard? {
                    Heard::Progress(text) => yield slow::progress(text),
                    Heard::Blocks(found) => blocks = found,
                }
            }
            // ANCHOR_END: calendar

            // ANCHOR: workflow
            // 2–4. A workflow: added empty, grown task by task, done with a summary.
            let (kind, tasks) = (WorkflowKind::Custom, Vec::new());
            let mut workflow = Workflow { kind, tasks, summary: None, expanded: false };
            let flow = ItemKind::Workflow { workflow: workflow.clone() };
            let flow = out.item(IdKind::Workflow, flow);
            yield ThreadStreamEvent::ThreadItemAdded { item: flow.clone() };
            for (task_index, title) in blocks.iter().enumerate() {
                let task = custom_task(title, None, TaskStatusIndicator::Loading);
                yield updated(&flow, ThreadItemUpdate::WorkflowTaskAdded { task_index, task });
                tokio::time::sleep(self.delay).await;
                let task = custom_task(title, Some(words.verb), TaskStatusIndicator::Complete);
                workflow.tasks.push(task.clone());
                yield updated(&flow, ThreadItemUpdate::WorkflowTaskUpdated { task_index, task });
            }
            let title = format!("{} {} blocks", words.verb, blocks.len());
            let icon = Some(IconName::Calendar);
            workflow.summary = Some(WorkflowSummary::Custom { title, icon });
            let item = ThreadItem { kind: ItemKind::Workflow { workflow }, ..flow };
            yield ThreadStreamEvent::ThreadItemDone { item };
            // ANCHOR_END: workflow

            // ANCHOR: message
            // 5–9. The answer, token by token: added, a part, deltas, the part done, done.
            let empty = AssistantMessage { content: Vec::new() };
            let message = out.item(IdKind::Message, ItemKind::AssistantMessage(empty));
            yield ThreadStreamEvent::ThreadItemAdded { item: message.clone() };
            let content = AssistantMessageContent::text("");
            let part = ThreadItemUpdate::ContentPartAdded { content_index: 0, content };
            yield updated(&message, part);
            for (sent, delta) in words.answer.split_inclusive(' ').enumerate() {
                if sent > 0 {
                    tokio::time::sleep(self.delay).await;
                }
                if sent == 3 {
                    // `busy` and `crash` stop here: `?` ends the stream with an `error` event.
                    slow::failure(&first_word)?;
                }
                let delta = delta.to_owned();
                let delta = ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta };
                yield updated(&message, delta);
            }
            let content = AssistantMessageContent::text(words.answer);
            let part = ThreadItemUpdate::ContentPartDone { content_index: 0, content };
            yield updated(&message, part);
            let content = vec![AssistantMessageContent::text(words.answer)];
            let kind = ItemKind::AssistantMessage(AssistantMessage { content });
            yield ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..message } };
            // ANCHOR_END: message

            // ANCHOR: effect
            // 10. Something for the page around the chat to do; the thread keeps nothing of it.
            let data = serde_json::Map::from_iter([("blocks".to_owned(), blocks.len().into())]);
            yield ThreadStreamEvent::ClientEffect { name: words.effect.into(), data };
            // ANCHOR_END: effect
        }
        .boxed()
    }

    // ANCHOR: options
    /// A turn that deletes cannot be stopped halfway: no stop button, and a dropped connection
    /// does not stop it either (it runs to its end and stores everything).
    fn get_stream_options(
        &self,
        _thread: &ThreadMetadata,
        input: Option<&UserMessageItem>,
        _ctx: &UserContext,
    ) -> StreamOptions {
        let allow_cancel = first_word(input) != "delete";
        StreamOptions { allow_cancel }
    }
    // ANCHOR_END: options
}

/// The message's first word, lower-cased: it picks the turn (`delete`, `busy`, `crash`).
fn first_word(input: Option<&UserMessageItem>) -> String {
    let text = input.map(UserMessageItem::text).unwrap_or_default();
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

fn updated(item: &ThreadItem, update: ThreadItemUpdate) -> ThreadStreamEvent {
    ThreadStreamEvent::ThreadItemUpdated {
        item_id: item.id.clone(),
        update,
    }
}

fn custom_task(title: &str, content: Option<&str>, status: TaskStatusIndicator) -> Task {
    let kind = TaskKind::Custom {
        title: Some(title.into()),
        icon: None,
        content: content.map(Into::into),
    };
    Task {
        status_indicator: status,
        kind,
    }
}
