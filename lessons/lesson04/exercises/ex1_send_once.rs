//! Exercise 1: send the new message once.
//!
//! `Repeating` loads the thread's window, then adds the user's new message so that the model
//! answers it. Run it and look at the model request (`--show-input`): the new message is
//! there twice. Make the request hold the thread exactly once, oldest first, the new message
//! last.
//!
//! Hint: when `respond()` runs, the processor has already stored the user's message. It is
//! the newest item of the thread, so the window holds it. Remove the line that adds it again
//! (`input` is then unused: call it `_input`).
//!
//! Check it with `cargo test --test grade lesson04`; watch it with
//! `cargo run --bin lesson04 -- --exercise 1 --ask "Remember that I like tea." --show-input`.

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, HistoryBudget, load_history_window};
use chatkit::agent::{Agent, Runner};
use chatkit::prelude::*;
use chatkit::provider::InputItem;

/// The lesson's assistant, with the window sent as-is.
pub struct Repeating {
    pub runner: Runner,
    pub agent: Arc<Agent<UserContext>>,
}

impl ChatKitServer<UserContext> for Repeating {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let budget = HistoryBudget::tokens(2_000);
            let window =
                load_history_window(out.store(), &thread.id, &ctx, &DefaultConverter, budget)
                    .await?;
            let mut history = window.input;
            // TODO: the model must see the new message; does it not already?
            if let Some(message) = &input {
                history.push(InputItem::user_text(message.text()));
            }
            let run = self.runner.run_streamed(self.agent.clone(), history, ctx);
            let mut events = stream_agent_response(ResponseMapper::new(out), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }
}
