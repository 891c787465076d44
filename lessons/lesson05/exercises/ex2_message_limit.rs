//! Exercise 2: a thread that closes itself after three messages.
//!
//! Some conversations have a natural end: a support chat that is resolved, a trial limited to
//! a few questions. Make `Limited` answer each message with `Message N of 3.` (N counts the
//! user's messages in the thread, this one included) and, with the third answer, close the
//! thread with the reason [`LIMIT_REASON`]. The server then refuses a fourth message with a
//! 409 `thread_closed`, and the client shows the reason where its composer was.
//!
//! Hint: the new message is already stored when `respond()` runs, so count the
//! `ItemKind::UserMessage` items of `out.store().load_thread_items(…)` (a first page of
//! `PageRequest::first(100, Order::Asc)` holds them all here). To close the thread, yield
//! `out.thread_updated(&ThreadMetadata { status, ..thread })` with
//! `status = ThreadStatus::Closed { reason: Some(…) }`, after the answer.
//!
//! Check it with `cargo test --test grade lesson05`; watch it with
//! `cargo run --bin lesson05 -- --exercise 2 --ask "one"`, then `--thread thr_…` twice more.

use chatkit::prelude::*;
use chatkit::protocol::ThreadStatus;

/// How many messages a thread takes.
pub const LIMIT: usize = 3;

/// Why a thread was closed: shown to the user instead of the composer.
pub const LIMIT_REASON: &str = "This conversation reached its limit of 3 messages.";

/// Answers three messages per thread, then closes it.
pub struct Limited;

impl ChatKitServer<UserContext> for Limited {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            // TODO: count the user's messages in the thread, answer `Message N of 3.`, and
            // close the thread with `LIMIT_REASON` after the third answer.
            todo!("answer, and close thread {} after {LIMIT} messages", thread.id);
            yield out.assistant_message("");
        }
        .boxed()
    }
}
