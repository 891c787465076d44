//! Exercise 2: mark an answer the user stopped.
//!
//! When the client goes away mid-answer, the pipeline calls `handle_stream_cancelled` with the
//! items that were added but not done. The default (`persist_pending_on_cancel`) stores each
//! pending assistant message that has some text, then a hidden note for the model. On reload
//! the user sees the half answer with nothing to say it was cut.
//!
//! Make `Stoppable` keep the same things, with ` (stopped)` appended to the last part of each
//! pending assistant message that has some text: `Hel` becomes `Hel (stopped)`. A message with
//! no text yet must stay out of the store, as the default does, and the hidden note must still
//! be stored.
//!
//! Hint: `cancelled.pending` is a `Vec<ThreadItem>` you may change (`mut cancelled`); an
//! assistant message is `ItemKind::AssistantMessage(message)`, its parts
//! `message.content` (`AssistantMessageContent`, with a `text: String`). Change the items, then
//! hand them on to `persist_pending_on_cancel(cancelled).await`, which stores them and the note.
//!
//! Check it with `cargo test --test grade lesson03`; watch it with
//! `cargo run --bin lesson03 -- --exercise 2 --ask "hi" --cancel-after 6`.

use std::time::Duration;

use chatkit::prelude::*;
use chatkit::server::{CancelledStream, persist_pending_on_cancel};

/// The words `Stoppable` streams, one second apart.
pub const WORDS: [&str; 3] = ["Hel", "lo", " there"];

/// Answers slowly, and marks an answer the user stopped.
pub struct Stoppable;

#[async_trait]
impl ChatKitServer<UserContext> for Stoppable {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let empty = AssistantMessage { content: Vec::new() };
            let item = out.item(IdKind::Message, ItemKind::AssistantMessage(empty));
            yield ThreadStreamEvent::ThreadItemAdded { item: item.clone() };
            let content = AssistantMessageContent::text("");
            let update = ThreadItemUpdate::ContentPartAdded { content_index: 0, content };
            yield ThreadStreamEvent::ThreadItemUpdated { item_id: item.id.clone(), update };
            for delta in WORDS {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let delta = delta.to_owned();
                let update = ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta };
                yield ThreadStreamEvent::ThreadItemUpdated { item_id: item.id.clone(), update };
            }
            let content = vec![AssistantMessageContent::text(WORDS.concat())];
            let kind = ItemKind::AssistantMessage(AssistantMessage { content });
            yield ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..item } };
        }
        .boxed()
    }

    async fn handle_stream_cancelled(
        &self,
        cancelled: CancelledStream<'_, UserContext>,
    ) -> Result<(), ProcessError> {
        // TODO: append " (stopped)" to the pending assistant messages that have text.
        todo!("change `cancelled.pending`, then `persist_pending_on_cancel(cancelled).await`")
    }
}
