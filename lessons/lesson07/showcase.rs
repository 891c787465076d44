//! The lesson's server: no model, a script that sends each kind of output a client must draw,
//! picked by a word of the user's message (see `main.rs` for the words). The page is the point
//! of this lesson; the server only has to give it something of every kind to show.
//!
//! This file has what the page only draws, built from lesson 03's events: an assistant message
//! added empty and grown delta by delta ([`text`]), a `progress_update`, a workflow whose tasks
//! are added one by one, a `client_effect`, an `error` the user may retry. What the page
//! answers, a widget's action and a client tool's output, is in `round_trips.rs`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use chatkit::auth::Principal;
use chatkit::prelude::*;
use chatkit::protocol::{IconName, TaskKind, TaskStatusIndicator, WorkflowKind, WorkflowSummary};
use futures::stream;

use super::round_trips;

/// The scripted server; `delay` is the pause between two deltas or steps.
pub(crate) struct Showcase {
    pub(crate) delay: Duration,
    /// Threads whose `fail` already failed once: the retry of the same message then succeeds.
    pub(crate) failed: Mutex<HashSet<ThreadId>>,
}

/// The answer to `long`: enough words that there is time to press Stop.
const LONG: &str = "Once upon a time a small server streamed a story to a page, one word at a \
    time, so that a reader could watch it grow and stop it whenever they liked. ";

impl ChatKitServer<Principal> for Showcase {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _caller: Principal,
        out: Responder<Principal>,
    ) -> EventStream {
        // No input: the page just sent the client tool's output, which is in the thread now.
        let Some(input) = input else {
            return round_trips::after_tool(out, self.delay);
        };
        let said = input.text();
        let words = said.to_lowercase();
        let mut parts: Vec<EventStream> = Vec::new();
        if thread.title.is_none() {
            // The history panel lists threads by title: the first message names the thread.
            let title = said.chars().take(40).collect::<String>();
            let titled = ThreadMetadata {
                title: Some(title),
                ..thread.clone()
            };
            parts.push(once(Ok(out.thread_updated(&titled))));
        }
        let delay = self.delay;
        if words.contains("plan") {
            parts.push(plan(out.clone(), delay));
            parts.push(text(
                &out,
                "Your day is planned: deep work, lunch, then a walk.",
                delay,
            ));
        } else if words.contains("widget") || words.contains("lunch") {
            parts.push(once(round_trips::lunch_card(&out)));
        } else if words.contains("time") {
            // A pending call ends the turn; the page answers it and a new turn starts.
            parts.push(once(Ok(round_trips::ask_the_page_for_the_time(&out))));
        } else if words.contains("confetti") {
            parts.push(text(&out, "Confetti for the page around the chat!", delay));
            let data = serde_json::Map::from_iter([("pieces".to_owned(), 100.into())]);
            let effect = ThreadStreamEvent::ClientEffect {
                name: "confetti".into(),
                data,
            };
            parts.push(once(Ok(effect)));
        } else if words.contains("fail") {
            if self.first_failure(&thread.id) {
                // A message cut short, then an error the page offers to retry.
                parts.push(text(&out, "Let me look that up…", delay));
                let error = StreamError::custom("The lookup failed. Press Retry.", true);
                parts.push(once(Err(error)));
            } else {
                parts.push(text(&out, "Found it on the second try.", delay));
            }
        } else if words.contains("long") {
            parts.push(text(&out, &LONG.repeat(6), delay));
        } else {
            parts.push(text(&out, &format!("You said: {said}"), delay));
        }
        stream::iter(parts).flatten().boxed()
    }

    fn action(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        action: Action,
        sender: Option<ThreadItem>,
        _caller: Principal,
        _out: Responder<Principal>,
    ) -> Result<EventStream, ProcessError> {
        Ok(round_trips::on_action(action, sender))
    }
}

impl Showcase {
    /// Whether this is the first `fail` of the thread (then it fails; its retry will not).
    fn first_failure(&self, thread: &ThreadId) -> bool {
        // A poisoned lock only means another turn panicked; the set itself is still usable.
        let mut failed = self
            .failed
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        failed.insert(thread.clone())
    }
}

/// One event (or error) as a stream.
fn once(event: Result<ThreadStreamEvent, StreamError>) -> EventStream {
    stream::once(async { event }).boxed()
}

// ANCHOR: text
/// An assistant message streamed word by word: added empty, a part, a delta per word (a pause
/// before each), the part done, the message done. The page grows the text at each delta.
pub(crate) fn text(out: &Responder<Principal>, answer: &str, delay: Duration) -> EventStream {
    let empty = ItemKind::AssistantMessage(AssistantMessage {
        content: Vec::new(),
    });
    let message = out.item(IdKind::Message, empty);
    let answer = answer.to_owned();
    let id = message.id.clone();
    let update = move |update| ThreadStreamEvent::ThreadItemUpdated {
        item_id: id.clone(),
        update,
    };
    stream! {
        yield Ok(ThreadStreamEvent::ThreadItemAdded { item: message.clone() });
        let content = AssistantMessageContent::text("");
        yield Ok(update(ThreadItemUpdate::ContentPartAdded { content_index: 0, content }));
        for delta in answer.split_inclusive(' ') {
            tokio::time::sleep(delay).await;
            let delta = delta.to_owned();
            yield Ok(update(ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta }));
        }
        let content = AssistantMessageContent::text(answer.clone());
        yield Ok(update(ThreadItemUpdate::ContentPartDone { content_index: 0, content }));
        let content = vec![AssistantMessageContent::text(answer.clone())];
        let kind = ItemKind::AssistantMessage(AssistantMessage { content });
        yield Ok(ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..message.clone() } });
    }
    .boxed()
}
// ANCHOR_END: text

/// `plan`: a progress line while "the calendar" is read, then a workflow whose three tasks
/// are added (loading) and updated (complete) one by one, done with a summary.
fn plan(out: Responder<Principal>, delay: Duration) -> EventStream {
    let progress = |text: &str| ThreadStreamEvent::ProgressUpdate {
        icon: Some(IconName::Calendar),
        text: text.to_owned(),
    };
    let task = |title: &str, status_indicator| Task {
        status_indicator,
        kind: TaskKind::Custom {
            title: Some(title.into()),
            icon: None,
            content: None,
        },
    };
    stream! {
        yield Ok(progress("Reading your calendar…"));
        tokio::time::sleep(delay * 4).await;
        let (kind, tasks) = (WorkflowKind::Custom, Vec::new());
        let mut workflow = Workflow { kind, tasks, summary: None, expanded: true };
        let flow = out.item(IdKind::Workflow, ItemKind::Workflow { workflow: workflow.clone() });
        yield Ok(ThreadStreamEvent::ThreadItemAdded { item: flow.clone() });
        for (task_index, title) in ["Morning: deep work", "Noon: lunch", "Afternoon: a walk"]
            .into_iter()
            .enumerate()
        {
            let update = ThreadItemUpdate::WorkflowTaskAdded {
                task_index,
                task: task(title, TaskStatusIndicator::Loading),
            };
            yield Ok(ThreadStreamEvent::ThreadItemUpdated { item_id: flow.id.clone(), update });
            tokio::time::sleep(delay * 3).await;
            let done = task(title, TaskStatusIndicator::Complete);
            workflow.tasks.push(done.clone());
            let update = ThreadItemUpdate::WorkflowTaskUpdated { task_index, task: done };
            yield Ok(ThreadStreamEvent::ThreadItemUpdated { item_id: flow.id.clone(), update });
        }
        let title = "Planned 3 blocks".to_owned();
        workflow.summary = Some(WorkflowSummary::Custom { title, icon: None });
        let item = ThreadItem { kind: ItemKind::Workflow { workflow }, ..flow };
        yield Ok(ThreadStreamEvent::ThreadItemDone { item });
    }
    .boxed()
}
