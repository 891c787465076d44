//! Exercise 4, solved: the note is stored as a hidden item, then read back with the window.

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, HistoryBudget, load_history_window};
use chatkit::agent::{Agent, Runner};
use chatkit::prelude::*;
use serde_json::Value;

/// What the model is told and the user never sees.
pub const NOTE: &str = "The user's time zone is Europe/Paris.";

/// The lesson's assistant, told the user's time zone.
pub struct Localised {
    pub runner: Runner,
    pub agent: Arc<Agent<UserContext>>,
}

impl ChatKitServer<UserContext> for Localised {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            // Stored by the pipeline, never sent to the client; the window below reads it back.
            let hidden = ItemKind::HiddenContext { content: Value::from(NOTE) };
            let note = out.item(IdKind::Message, hidden);
            yield ThreadStreamEvent::ThreadItemDone { item: note };
            let budget = HistoryBudget::tokens(2_000);
            let window =
                load_history_window(out.store(), &thread.id, &ctx, &DefaultConverter, budget)
                    .await?;
            let run = self.runner.run_streamed(self.agent.clone(), window.input, ctx);
            let mut events = stream_agent_response(ResponseMapper::new(out), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }
}
