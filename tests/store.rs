//! The store contract, run against both stores in this crate, plus the tests that are about
//! one store or about a difference from the reference.
//!
//! `store_contract_tests!` expands to one `#[tokio::test]` per behaviour of
//! `chatkit::store::contract`; each module below instantiates it for one store.

use std::sync::Mutex;

use async_trait::async_trait;
use chatkit::id_gen::{IdKind, SequentialIds};
use chatkit::protocol::{
    Attachment, AttachmentId, InferenceOptions, ItemId, ItemKind, Order, Page, ThreadId,
    ThreadItem, ThreadMetadata, Timestamp, UserMessage, UserMessageContent,
};
use chatkit::store::{MemoryStore, PageRequest, Store, StoreContext, StoreError, UserContext};

mod memory_store {
    use super::*;

    chatkit::store_contract_tests!(async { MemoryStore::new().with_ids(SequentialIds::new()) });
}

mod sqlite_store {
    use super::*;
    use chatkit::store::SqliteStore;

    chatkit::store_contract_tests!(async {
        SqliteStore::open_in_memory()
            .await
            .expect("an in-memory database opens")
            .with_ids(SequentialIds::new())
    });
}

/// The contract through `Arc<dyn Store<_>>`, the type a binary holds when it picks its store
/// from a flag: the forwarding impl must keep every behaviour, the store's own ids included.
mod shared_store {
    use super::*;
    use std::sync::Arc;

    chatkit::store_contract_tests!(async {
        let store: Arc<dyn Store<UserContext>> =
            Arc::new(MemoryStore::new().with_ids(SequentialIds::new()));
        store
    });
}

/// The reference's `CustomSQLiteStore`: a store whose id methods are overridden, here by
/// wrapping another store and delegating everything else to it.
#[derive(Debug)]
struct CustomIdStore {
    inner: MemoryStore,
    counter: Mutex<u32>,
}

impl CustomIdStore {
    fn next(&self) -> u32 {
        let mut counter = self.counter.lock().expect("not poisoned");
        *counter += 1;
        *counter
    }
}

#[async_trait]
impl<C: StoreContext + ?Sized> Store<C> for CustomIdStore {
    fn generate_thread_id(&self, _ctx: &C) -> ThreadId {
        ThreadId::new(format!("thr_custom_{}", self.next()))
    }

    fn generate_item_id(&self, kind: IdKind, thread: &ThreadMetadata, _ctx: &C) -> ItemId {
        ItemId::new(format!(
            "{}_custom_{}_{}",
            kind.name(),
            self.next(),
            thread.id
        ))
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        self.inner.load_thread(id, ctx).await
    }
    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        self.inner.save_thread(thread, ctx).await
    }
    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        self.inner.load_threads(page, ctx).await
    }
    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        self.inner.delete_thread(id, ctx).await
    }
    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        self.inner.load_thread_items(thread_id, page, ctx).await
    }
    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        self.inner.add_thread_item(thread_id, item, ctx).await
    }
    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        self.inner.save_item(thread_id, item, ctx).await
    }
    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        self.inner.load_item(thread_id, item_id, ctx).await
    }
    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError> {
        self.inner.delete_thread_item(thread_id, item_id, ctx).await
    }
    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        self.inner.save_attachment(attachment, ctx).await
    }
    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        self.inner.load_attachment(id, ctx).await
    }
    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        self.inner.delete_attachment(id, ctx).await
    }
}

/// Reference `test_overridden_id_generators_are_used`.
#[tokio::test]
async fn overridden_id_generators_are_used() {
    let store = CustomIdStore {
        inner: MemoryStore::new(),
        counter: Mutex::new(0),
    };
    let user = UserContext::new("test_user");
    let thread_id = Store::<UserContext>::generate_thread_id(&store, &user);
    assert_eq!(thread_id, "thr_custom_1");
    let at = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let thread = ThreadMetadata::new(thread_id, at);
    let item_id = Store::<UserContext>::generate_item_id(&store, IdKind::Message, &thread, &user);
    assert_eq!(item_id, "message_custom_2_thr_custom_1");
}

fn message(id: &str, created_at: Timestamp) -> ThreadItem {
    ThreadItem {
        id: ItemId::new(id),
        thread_id: ThreadId::new("thr_1"),
        created_at,
        kind: ItemKind::UserMessage(UserMessage {
            content: vec![UserMessageContent::text(id)],
            attachments: Vec::new(),
            quoted_text: None,
            inference_options: InferenceOptions::default(),
        }),
    }
}

/// The reference's cursor rule (`tests/helpers/mock_store.py`): the page after a cursor holds
/// the items whose `created_at` is strictly greater than the cursor's.
fn reference_page_after<'a>(
    sorted: &'a [ThreadItem],
    cursor: &str,
    limit: usize,
) -> Vec<&'a ThreadItem> {
    let cursor_time = sorted
        .iter()
        .find(|item| item.id == cursor)
        .map(|item| item.created_at);
    sorted
        .iter()
        .filter(|item| Some(item.created_at) > cursor_time)
        .take(limit)
        .collect()
}

/// Difference from the reference: three messages stamped in the same microsecond, read one
/// per page. The reference's rule loses the second and third; ours returns all three.
#[tokio::test]
async fn paging_by_created_at_and_id_returns_what_the_reference_rule_skips() {
    let same_time = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let items: Vec<_> = ["msg_a", "msg_b", "msg_c"]
        .iter()
        .map(|id| message(id, same_time))
        .collect();
    assert!(
        reference_page_after(&items, "msg_a", 1).is_empty(),
        "the reference rule skips msg_b"
    );

    let store = MemoryStore::new();
    let user = UserContext::new("u");
    for item in &items {
        store
            .add_thread_item(&ThreadId::new("thr_1"), item, &user)
            .await
            .expect("insert");
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::first(1, Order::Asc);
    loop {
        let loaded = store
            .load_thread_items(&ThreadId::new("thr_1"), &page, &user)
            .await
            .expect("page");
        seen.extend(loaded.data.iter().map(|item| item.id.to_string()));
        let Some(cursor) = loaded.after else { break };
        page = PageRequest::after(cursor, 1, Order::Asc);
    }
    assert_eq!(seen, ["msg_a", "msg_b", "msg_c"]);
}
