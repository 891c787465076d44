//! Exercise 3, reference solution: read the thread from the store.

use chatkit::prelude::*;

/// Tells the user how many messages they have sent in this thread.
pub struct Counter;

impl ChatKitServer<UserContext> for Counter {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let page = PageRequest::first(100, Order::Asc);
            let items = out.store().load_thread_items(&thread.id, &page, &ctx).await?;
            let n = items
                .data
                .iter()
                .filter(|item| matches!(item.kind, ItemKind::UserMessage(_)))
                .count();
            yield out.assistant_message(format!("That was message {n} of yours in this thread."));
        }
        .boxed()
    }
}
