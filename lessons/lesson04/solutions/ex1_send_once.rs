//! Exercise 1, solved: the window already ends with the new message, so it is sent as it is.

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, HistoryBudget, load_history_window};
use chatkit::agent::{Agent, Runner};
use chatkit::prelude::*;

/// The lesson's assistant, with the window sent as-is.
pub struct Repeating {
    pub runner: Runner,
    pub agent: Arc<Agent<UserContext>>,
}

impl ChatKitServer<UserContext> for Repeating {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let budget = HistoryBudget::tokens(2_000);
            let window =
                load_history_window(out.store(), &thread.id, &ctx, &DefaultConverter, budget)
                    .await?;
            // The processor stored the user's message before calling us: it is the window's
            // newest item already.
            let run = self.runner.run_streamed(self.agent.clone(), window.input, ctx);
            let mut events = stream_agent_response(ResponseMapper::new(out), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }
}
