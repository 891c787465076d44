//! Exercise 3: read the thread from the store.
//!
//! The store holds the whole thread, and the processor has saved the user's new message before
//! `respond()` runs. Make `Counter` answer `That was message {n} of yours in this thread.`,
//! where `{n}` counts the user messages the thread holds, the new one included: the first
//! message gets 1, the next 2, and the assistant's own messages do not count.
//!
//! Hint: `out.store()` is the store (`Responder::store`);
//! `out.store().load_thread_items(&thread.id, &PageRequest::first(100, Order::Asc), &ctx).await?`
//! is a `Page` whose `data` holds the thread's items (`Store::load_thread_items`). Count the
//! user's with `.iter().filter(|item| matches!(item.kind, ItemKind::UserMessage(_))).count()`.
//!
//! Check it with `cargo test --test grade lesson01`; watch it with
//! `cargo run --bin lesson01 -- --exercise 3 --ask "hi"` (then send more messages to the thread).

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
            // TODO: load this thread's items from the store and count the user's messages.
            let n: usize = todo!("count the items whose kind is `ItemKind::UserMessage`");
            yield out.assistant_message(format!("That was message {n} of yours in this thread."));
        }
        .boxed()
    }
}
