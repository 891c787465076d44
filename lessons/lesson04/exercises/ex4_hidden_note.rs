//! Exercise 4: tell the model something the user never sees.
//!
//! `Localised` is the lesson's assistant plus one thing: before the run, it stores a hidden
//! context item holding `NOTE`, the user's time zone. The model must receive it (it is an item
//! of the thread, so the window sends it) and the client must never see it: not in the
//! stream, not in `items.list`.
//!
//! Hint: `out.item(IdKind::Message, ItemKind::HiddenContext { content: … })` makes the item
//! (the content a JSON string, `Value::from(NOTE)`, which the default converter sends as it
//! is); yielding it in a `ThreadStreamEvent::ThreadItemDone` stores it, and the pipeline keeps
//! a hidden item from the client. Yield it before loading the window, so the window holds it.
//!
//! Check it with `cargo test --test grade lesson04`; watch it with
//! `cargo run --bin lesson04 -- --exercise 4 --ask "What time is it?" --show-input`.

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, HistoryBudget, load_history_window};
use chatkit::agent::{Agent, Runner};
use chatkit::prelude::*;

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
            // TODO: a hidden context item holding NOTE, stored before the window is loaded.
            let note: ThreadItem = todo!("a hidden context item holding {NOTE:?}");
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
