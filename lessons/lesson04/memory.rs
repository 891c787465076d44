//! The lesson's server: an assistant whose only memory is the thread.
//!
//! This file is shared: `main.rs` serves it over HTTP, and `tests/lessons.rs` reads the model
//! requests it causes from the mock provider.

use std::sync::{Arc, Mutex};

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{HistoryBudget, ThreadItemConverter, load_history_window};
use chatkit::agent::{Agent, RunEvent, RunOptions, Runner};
use chatkit::prelude::*;
use chatkit::provider::ResponseEvent;
use serde_json::Value;

/// Where the thread keeps the id of its last model response, for the next turn to continue.
pub(crate) const PREVIOUS_RESPONSE_ID: &str = "previous_response_id";

// ANCHOR: agent
/// The assistant: no tools, no database of notes. What it remembers is what it is sent.
pub(crate) fn agent(model: &str) -> Agent<UserContext> {
    Agent::new("memory")
        .instructions(
            "You keep the notes the user asks you to remember and answer questions about them \
             from the conversation. If a note is not in the conversation, say so.",
        )
        .model(model)
}
// ANCHOR_END: agent

/// How each turn gives the model the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Memory {
    /// Send the end of the thread, within this budget, every turn.
    Window(HistoryBudget),
    /// Continue the thread's last response (`previous_response_id`) and send only the new
    /// items; the first turn, which has nothing to continue, sends the window.
    PreviousResponse(HistoryBudget),
}

/// A ChatKit server whose every answer is an agent run on the thread's history.
pub(crate) struct MemoryServer {
    pub(crate) runner: Runner,
    pub(crate) agent: Arc<Agent<UserContext>>,
    pub(crate) memory: Memory,
    /// How items become model input: `DefaultConverter`, or one that fills in a hook the
    /// default refuses, such as tags (exercise 2).
    pub(crate) converter: Arc<dyn ThreadItemConverter>,
}

// ANCHOR: respond
impl ChatKitServer<UserContext> for MemoryServer {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        // Already the newest item of the thread: the window below holds it. Adding it to
        // the window again would show the model the new message twice.
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let (budget, previous) = match self.memory {
                Memory::Window(budget) => (budget, None),
                Memory::PreviousResponse(budget) => match last_response(&thread) {
                    // The provider holds the conversation up to its last response; what is
                    // new is the user's message and anything after it, which is exactly what
                    // a budget of one item keeps (the newest user message always stays).
                    Some(id) => (HistoryBudget::items(1), Some(id)),
                    None => (budget, None),
                },
            };
            let converter = self.converter.as_ref();
            let window =
                load_history_window(out.store(), &thread.id, &ctx, converter, budget).await?;
            let chain = matches!(self.memory, Memory::PreviousResponse(_));
            let options = RunOptions { previous_response_id: previous };
            let run = self.runner.run_streamed_with(self.agent.clone(), window.input, ctx, options);
            // The id of each completed model response: the last one is what the next turn
            // continues.
            let last = Arc::new(Mutex::new(None));
            let seen = Arc::clone(&last);
            let run = run
                .inspect(move |event| {
                    if let Ok(RunEvent::Model(ResponseEvent::Completed { response })) = event {
                        *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(response.id.clone());
                    }
                })
                .boxed();
            let mut events = stream_agent_response(ResponseMapper::new(out.clone()), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
            let id = last.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let (true, Some(id)) = (chain, id) {
                // Saved with the thread; the client's copy of `thread.updated` has no metadata.
                let mut thread = thread;
                thread.metadata.insert(PREVIOUS_RESPONSE_ID.to_owned(), Value::String(id));
                yield out.thread_updated(&thread);
            }
        }
        .boxed()
    }
}
// ANCHOR_END: respond

/// The id of the thread's last model response, if a turn kept one.
fn last_response(thread: &ThreadMetadata) -> Option<String> {
    let id = thread.metadata.get(PREVIOUS_RESPONSE_ID)?.as_str()?;
    Some(id.to_owned())
}
