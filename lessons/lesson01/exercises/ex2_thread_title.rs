//! Exercise 2: name the thread after its first message.
//!
//! A new thread has no title, so the client's history list shows every one as "New chat".
//! Make `Titled` give each thread a title: when the thread has none yet, yield a
//! `thread.updated` whose title is the user's words, before the answer. When it has one (set by
//! an earlier message, or by the user renaming the thread), leave it alone: `respond()` runs for
//! every message, not only the first.
//!
//! Hint: `thread.title` is an `Option<String>`. The new metadata is
//! `ThreadMetadata { title: Some(words), ..thread }`, and `out.thread_updated(&metadata)`
//! (`Responder::thread_updated`) is the event: yield it, and the processor saves the title.
//!
//! Check it with `cargo test --test grade lesson01`; watch it with
//! `cargo run --bin lesson01 -- --exercise 2 --ask "Plan a trip to Oslo"`.

use chatkit::prelude::*;

/// Titles a new thread after its first message, then answers.
pub struct Titled;

impl ChatKitServer<UserContext> for Titled {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        let words = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            // TODO: if the thread has no title, yield `thread.updated` with `words` as its title.
            todo!("yield out.thread_updated(…) for an untitled thread");
            yield out.assistant_message("Noted.");
        }
        .boxed()
    }
}
