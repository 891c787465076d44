//! Exercise 2, reference solution: name the thread after its first message.

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
            if thread.title.is_none() {
                let titled = ThreadMetadata { title: Some(words), ..thread };
                yield out.thread_updated(&titled);
            }
            yield out.assistant_message("Noted.");
        }
        .boxed()
    }
}
