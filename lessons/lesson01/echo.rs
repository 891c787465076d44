//! The lesson's ChatKit server: it answers every message with one assistant message, and no
//! model is involved.
//!
//! This file is shared: `main.rs` serves it over HTTP, and `tests/lessons.rs` runs the very
//! same server in-process to check its stream byte for byte against a transcript recorded from
//! the Python SDK (`fixtures/transcripts/lesson01_*.sse`).

use chatkit::prelude::*;

// ANCHOR: respond
/// Answers each message by saying what it received.
pub(crate) struct EchoServer;

impl ChatKitServer<UserContext> for EchoServer {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        // Everything the stream needs is moved into it: the stream outlives this call.
        let reply = reply_to(&thread, input.as_ref(), &ctx);
        try_stream! {
            // One `thread.item.done` with a finished assistant message. The processor stores
            // it, then sends it to the client as one SSE frame.
            yield out.assistant_message(reply);
        }
        .boxed()
    }
}
// ANCHOR_END: respond

// ANCHOR: reply_to
/// The reply text: who asked, in which thread, and what they wrote.
pub(crate) fn reply_to(
    thread: &ThreadMetadata,
    input: Option<&UserMessageItem>,
    ctx: &UserContext,
) -> String {
    let words = input.map(UserMessageItem::text).unwrap_or_default();
    format!(
        "Hello {}! This is thread {}. You said: {}",
        ctx.user_id, thread.id, words
    )
}
// ANCHOR_END: reply_to
