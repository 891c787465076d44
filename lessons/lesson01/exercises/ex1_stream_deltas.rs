//! Exercise 1: stream the reply word by word.
//!
//! `EchoServer` sends its whole answer in one `thread.item.done`. Real assistants stream: the
//! client shows the text growing as it arrives. Write `stream_reply` so that it yields, in this
//! order:
//!
//! 1. `thread.item.added` with an empty assistant message (`content: []`),
//! 2. `thread.item.updated` with `assistant_message.content_part.added` (index 0, empty text),
//! 3. one `thread.item.updated` with a `…content_part.text_delta` per word of `text`
//!    (keep the spaces: the deltas joined must give `text` back),
//! 4. `thread.item.done` with the finished message, whose one part holds all of `text`.
//!
//! Every event names the same item id: make the item once with `out.item(...)`.
//!
//! Hint: `ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta }`, and
//! `text.split_inclusive(' ')` keeps each space with the word before it.

use chatkit::id_gen::IdKind;
use chatkit::protocol::{AssistantMessage, ItemKind, ThreadStreamEvent};
use chatkit::store::UserContext;
use chatkit::server::{EventStream, Responder};
use futures::StreamExt;

/// Streams `text` as one assistant message, a word per delta.
pub fn stream_reply(out: Responder<UserContext>, text: String) -> EventStream {
    let message = out.item(
        IdKind::Message,
        ItemKind::AssistantMessage(AssistantMessage {
            content: Vec::new(),
        }),
    );
    async_stream::try_stream! {
        yield ThreadStreamEvent::ThreadItemAdded { item: message.clone() };
        // TODO: the content part, the deltas, and the finished message.
        todo!("the content part, the deltas and the finished message");
    }
    .boxed()
}
