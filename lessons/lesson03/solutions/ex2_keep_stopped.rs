//! Exercise 2, reference solution: mark an answer the user stopped.

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
        mut cancelled: CancelledStream<'_, UserContext>,
    ) -> Result<(), ProcessError> {
        for item in &mut cancelled.pending {
            if let ItemKind::AssistantMessage(message) = &mut item.kind
                && let Some(part) = message.content.last_mut()
                && !part.text.trim().is_empty()
            {
                part.text.push_str(" (stopped)");
            }
        }
        persist_pending_on_cancel(cancelled).await
    }
}
