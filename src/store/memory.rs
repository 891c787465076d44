//! `MemoryStore`: threads and items in a map, for tests and quick demos.
//!
//! Everything lives in one `std::sync::RwLock`ed `State`: readers share it, a writer has it
//! alone for the few microseconds a `HashMap` insert takes, and no guard is ever held across
//! an `.await` (the trait's methods are `async`, but nothing inside them waits). That makes the
//! store safe under concurrent requests without an async lock. Each thread's items are kept in
//! a `Vec` sorted by `(created_at, id)`, the order every page is cut from.
//!
//! Data is keyed by the owner's user id first, so another user's thread, item or attachment is
//! simply absent: not found, or an empty page. Nothing survives a restart; use
//! [`SqliteStore`](super::SqliteStore) for that.
//!
//! Where it sits: an implementation of [`Store`]; the server reads and writes through it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;

use crate::id_gen::{IdGenerator, IdKind, RandomIds};
use crate::protocol::{
    Attachment, AttachmentId, ItemId, Page, ThreadId, ThreadItem, ThreadMetadata,
};

use super::paging::page_of;
use super::{PageRequest, Store, StoreContext, StoreError};

/// An in-memory [`Store`].
#[derive(Debug, Clone)]
pub struct MemoryStore {
    /// Shared so that clones of the store (one per handler, say) see the same data.
    state: Arc<RwLock<State>>,
    /// Where new ids come from: random by default, sequential in tests.
    ids: Arc<dyn IdGenerator>,
}

/// Everything the store holds, keyed by owner first.
#[derive(Debug, Default)]
struct State {
    threads: HashMap<(String, ThreadId), ThreadMetadata>,
    items: HashMap<(String, ThreadId), ThreadItems>,
    attachments: HashMap<(String, AttachmentId), Attachment>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store that makes random ids (`thr_1a2b3c4d`).
    pub fn new() -> Self {
        MemoryStore {
            state: Arc::default(),
            ids: Arc::new(RandomIds),
        }
    }

    /// The same store, making ids with `ids` instead (e.g. `SequentialIds` in tests).
    pub fn with_ids(mut self, ids: impl IdGenerator + 'static) -> Self {
        self.ids = Arc::new(ids);
        self
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        // A poisoned lock means a writer panicked; every write below is a single map
        // operation, so the state is still consistent and we keep serving it.
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The sort key of every list: creation time, then id to break ties.
fn item_key(item: &ThreadItem) -> (crate::protocol::Timestamp, &str) {
    (item.created_at, item.id.as_str())
}

fn owned<K>(ctx: &(impl StoreContext + ?Sized), key: K) -> (String, K) {
    (ctx.user_id().to_owned(), key)
}

/// One thread's items, sorted, with an index of their ids so that inserting a new item costs a
/// binary search instead of a scan.
#[derive(Debug, Default)]
struct ThreadItems {
    /// Ascending `(created_at, id)` order, the order every page is cut from.
    sorted: Vec<ThreadItem>,
    ids: HashSet<ItemId>,
}

impl ThreadItems {
    fn contains(&self, id: &ItemId) -> bool {
        self.ids.contains(id)
    }

    /// Inserts `item` at its sorted place, or replaces the item with the same id.
    fn upsert(&mut self, item: &ThreadItem) {
        if !self.ids.insert(item.id.clone()) {
            // Replacing is rare (a `thread.item.replaced`), so a scan is fine here.
            self.sorted.retain(|existing| existing.id != item.id);
        }
        // Items usually arrive in creation order, so this is most often an append.
        let at = self
            .sorted
            .partition_point(|existing| item_key(existing) < item_key(item));
        self.sorted.insert(at, item.clone());
    }

    fn remove(&mut self, id: &ItemId) {
        if self.ids.remove(id) {
            self.sorted.retain(|item| &item.id != id);
        }
    }

    fn get(&self, id: &ItemId) -> Option<&ThreadItem> {
        if !self.contains(id) {
            return None;
        }
        self.sorted.iter().find(|item| &item.id == id)
    }
}

#[async_trait]
impl<C: StoreContext + ?Sized> Store<C> for MemoryStore {
    fn generate_thread_id(&self, _ctx: &C) -> ThreadId {
        ThreadId::new(self.ids.generate(IdKind::Thread))
    }

    fn generate_item_id(&self, kind: IdKind, _thread: &ThreadMetadata, _ctx: &C) -> ItemId {
        ItemId::new(self.ids.generate(kind))
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        let state = self.read();
        let thread = state.threads.get(&owned(ctx, id.clone()));
        thread
            .cloned()
            .ok_or_else(|| StoreError::ThreadNotFound { id: id.clone() })
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        let key = owned(ctx, thread.id.clone());
        self.write().threads.insert(key, thread.clone());
        Ok(())
    }

    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        let state = self.read();
        let mut threads: Vec<&ThreadMetadata> = state
            .threads
            .iter()
            .filter(|((owner, _), _)| owner == ctx.user_id())
            .map(|(_, thread)| thread)
            .collect();
        threads.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let page = page_of(&threads, page, |thread| thread.id.as_str())?;
        Ok(Page {
            data: page.data.into_iter().cloned().collect(),
            has_more: page.has_more,
            after: page.after,
        })
    }

    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        let key = owned(ctx, id.clone());
        let mut state = self.write();
        state.threads.remove(&key);
        state.items.remove(&key);
        Ok(())
    }

    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        let state = self.read();
        let items = state.items.get(&owned(ctx, thread_id.clone()));
        page_of(
            items.map_or(&[][..], |items| items.sorted.as_slice()),
            page,
            |item| item.id.as_str(),
        )
    }

    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let key = owned(ctx, thread_id.clone());
        let mut state = self.write();
        let items = state.items.entry(key).or_default();
        if items.contains(&item.id) {
            return Err(StoreError::DuplicateItem {
                thread_id: thread_id.clone(),
                id: item.id.clone(),
            });
        }
        items.upsert(item);
        Ok(())
    }

    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let key = owned(ctx, thread_id.clone());
        self.write().items.entry(key).or_default().upsert(item);
        Ok(())
    }

    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        let state = self.read();
        let items = state.items.get(&owned(ctx, thread_id.clone()));
        let found = items.and_then(|items| items.get(item_id));
        found.cloned().ok_or_else(|| StoreError::ItemNotFound {
            thread_id: thread_id.clone(),
            id: item_id.clone(),
        })
    }

    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError> {
        let mut state = self.write();
        if let Some(items) = state.items.get_mut(&owned(ctx, thread_id.clone())) {
            items.remove(item_id);
        }
        Ok(())
    }

    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        let key = owned(ctx, attachment.id.clone());
        self.write().attachments.insert(key, attachment.clone());
        Ok(())
    }

    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        let state = self.read();
        let attachment = state.attachments.get(&owned(ctx, id.clone()));
        attachment
            .cloned()
            .ok_or_else(|| StoreError::AttachmentNotFound { id: id.clone() })
    }

    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        self.write().attachments.remove(&owned(ctx, id.clone()));
        Ok(())
    }
}
