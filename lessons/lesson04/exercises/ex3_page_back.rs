//! Exercise 3: page backwards through a thread.
//!
//! `recent_items` returns the newest `max_items` items of a thread, oldest first, the way
//! `load_history_window` reads a thread: newest first, a page of `PAGE_SIZE` items at a
//! time, each page starting after the last item of the one before (the `after` cursor),
//! stopping as soon as it has enough. For a thread of 50 items and `max_items` 23, that is
//! the items 28 to 50, in that order, read in three pages. A thread shorter than
//! `max_items` is returned whole.
//!
//! Hint: `PageRequest::first(PAGE_SIZE, Order::Desc)`, then
//! `PageRequest::after(cursor, PAGE_SIZE, Order::Desc)` with the page's `after` while its
//! `has_more` is true; `Vec::truncate`, then `Vec::reverse`, at the end.
//!
//! Check it with `cargo test --test grade lesson04`; watch it with
//! `cargo run --bin lesson04 -- --exercise 3 --ask "hi"`.

use chatkit::prelude::*;
use chatkit::store::StoreError;

/// How many items one store call reads.
pub const PAGE_SIZE: usize = 10;

/// The newest `max_items` items of `thread`, oldest first.
pub async fn recent_items(
    store: &dyn Store<UserContext>,
    thread: &ThreadId,
    ctx: &UserContext,
    max_items: usize,
) -> Result<Vec<ThreadItem>, StoreError> {
    // TODO: page by page, newest first, with the cursor; then oldest first.
    let first = PageRequest::first(PAGE_SIZE, Order::Desc);
    todo!("read {max_items} items of {thread} from {first:?} on, as {ctx:?}, from {store:p}")
}

/// Answers with the ids of the thread's five newest items, oldest first.
pub struct Recap;

impl ChatKitServer<UserContext> for Recap {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let items = recent_items(out.store(), &thread.id, &ctx, 5)
                .await
                .map_err(|error| StreamError::failed(error.to_string()))?;
            let ids: Vec<&str> = items.iter().map(|item| item.id.as_str()).collect();
            yield out.assistant_message(format!("The newest items: {}", ids.join(", ")));
        }
        .boxed()
    }
}
