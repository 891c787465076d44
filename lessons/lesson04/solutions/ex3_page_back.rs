//! Exercise 3, solved: pages newest first, the cursor from each page, then oldest first.

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
    let mut items = Vec::new();
    let mut page = PageRequest::first(PAGE_SIZE, Order::Desc);
    while items.len() < max_items {
        let loaded = store.load_thread_items(thread, &page, ctx).await?;
        items.extend(loaded.data);
        match loaded.after {
            Some(after) if loaded.has_more => {
                page = PageRequest::after(after, PAGE_SIZE, Order::Desc)
            }
            _ => break,
        }
    }
    // The last page may hold more than we need; the newest come first until we reverse.
    items.truncate(max_items);
    items.reverse();
    Ok(items)
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
