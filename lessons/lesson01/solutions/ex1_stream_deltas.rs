//! Exercise 1, reference solution: stream the reply word by word.

use chatkit::id_gen::IdKind;
use chatkit::protocol::{
    AssistantMessage, AssistantMessageContent, ItemKind, ThreadItemUpdate, ThreadStreamEvent,
};
use chatkit::store::UserContext;
use chatkit::server::{EventStream, Responder};
use futures::StreamExt;

/// Streams `text` as one assistant message, a word per delta.
pub fn stream_reply(out: Responder<UserContext>, text: String) -> EventStream {
    let mut message = out.item(
        IdKind::Message,
        ItemKind::AssistantMessage(AssistantMessage {
            content: Vec::new(),
        }),
    );
    async_stream::try_stream! {
        yield ThreadStreamEvent::ThreadItemAdded { item: message.clone() };
        yield ThreadStreamEvent::ThreadItemUpdated {
            item_id: message.id.clone(),
            update: ThreadItemUpdate::ContentPartAdded {
                content_index: 0,
                content: AssistantMessageContent::text(""),
            },
        };
        for word in text.split_inclusive(' ') {
            yield ThreadStreamEvent::ThreadItemUpdated {
                item_id: message.id.clone(),
                update: ThreadItemUpdate::ContentPartTextDelta {
                    content_index: 0,
                    delta: word.to_owned(),
                },
            };
        }
        message.kind = ItemKind::AssistantMessage(AssistantMessage {
            content: vec![AssistantMessageContent::text(text)],
        });
        yield ThreadStreamEvent::ThreadItemDone { item: message };
    }
    .boxed()
}
