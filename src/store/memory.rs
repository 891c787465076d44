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
    ///
    /// An `RwLock` rather than a `Mutex` because reads dominate: every turn loads the thread
    /// and a page of its items for the model's history, and `items.list` and `threads.list`
    /// only read, so concurrent requests can read side by side. A std lock rather than
    /// tokio's because no guard is held across an `.await` (module doc): the async lock
    /// would cost more per call and buy nothing. One lock over the whole `State`, rather
    /// than one per map, so that a write touching two maps (`delete_thread`) is seen whole.
    state: Arc<RwLock<State>>,
    /// Where new ids come from: random by default, sequential in tests.
    ids: Arc<dyn IdGenerator>,
}

/// Everything the store holds, keyed by owner first.
///
/// The owner is part of every key, the in-memory twin of the SQLite primary keys
/// `(owner, …)`: the same id saved by two users is two entries, and a lookup with the wrong
/// user finds nothing, with no separate ownership check to forget.
#[derive(Debug, Default)]
struct State {
    /// Unsorted: `threads.list` sorts the user's threads when asked. Lists of threads are
    /// rare next to reads of one thread, so keeping them ordered on every save would not pay.
    threads: HashMap<(String, ThreadId), ThreadMetadata>,
    /// Kept apart from `threads` because the reference's stores accept items for a thread
    /// that was never saved; keyed the same way so `delete_thread` removes both at once.
    items: HashMap<(String, ThreadId), ThreadItems>,
    /// Only ever looked up by id, so a plain map is all the structure needed.
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
        // The same reasoning as `read`; every write is complete or not begun.
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The sort key of every list: creation time, then id to break ties.
///
/// Time alone is not a total order (a responder can stamp two items in the same
/// microsecond), and a cursor into a partial order skips or repeats the ties; see `paging.rs`.
fn item_key(item: &ThreadItem) -> (crate::protocol::Timestamp, &str) {
    (item.created_at, item.id.as_str())
}

/// The map key for `key` under the request's user.
///
/// It allocates a copy of the user id per call: a `HashMap<(String, K), _>` cannot be
/// searched with a borrowed `(&str, &K)` without a custom `Borrow` type, and a short string
/// copy is cheap next to what a request does anyway.
fn owned<K>(ctx: &(impl StoreContext + ?Sized), key: K) -> (String, K) {
    (ctx.user_id().to_owned(), key)
}

/// One thread's items, sorted, with an index of their ids so that inserting a new item costs a
/// binary search instead of a scan.
///
/// Kept sorted on write rather than sorted on read, unlike threads: items are read far more
/// often than written (every turn reads the recent history), and a page can then be cut
/// from the `Vec` as it is. A `Vec` rather than a `BTreeMap` keyed by `(created_at, id)`
/// because pages are slices, walked both ways, and replacing an item may change its time.
#[derive(Debug, Default)]
struct ThreadItems {
    /// Ascending `(created_at, id)` order, the order every page is cut from.
    sorted: Vec<ThreadItem>,
    /// The ids in `sorted`, so "is this id here?" (the duplicate check of every insert, and
    /// every miss of `load_item`) is answered without a scan. It must always hold exactly
    /// the ids of `sorted`; only the three methods below change either.
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
        // `partition_point` is a binary search on the sort key: the first place whose item
        // sorts at or after the new one, which keeps the `Vec` sorted without re-sorting it.
        let at = self
            .sorted
            .partition_point(|existing| item_key(existing) < item_key(item));
        self.sorted.insert(at, item.clone());
    }

    fn remove(&mut self, id: &ItemId) {
        // The scan runs only when the id is really here. A binary search cannot find an
        // item by id, because the `Vec` is sorted by time first.
        if self.ids.remove(id) {
            self.sorted.retain(|item| &item.id != id);
        }
    }

    fn get(&self, id: &ItemId) -> Option<&ThreadItem> {
        // A miss (another user's item, a wrong id) costs one hash lookup, not a scan.
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

    // Each method takes the lock once, does its map operation, clones what it returns and
    // lets the guard drop before returning: nothing here awaits, so no guard can be held
    // across an `.await` by accident (clippy's `await_holding_lock` would say so).

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
        // References are sorted, not clones: only the threads on the page are cloned below.
        // The scan of every user's threads is the price of an unsorted map; fine for a store
        // meant for tests and demos, and the reason `SqliteStore` has `threads_by_time`.
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
        // Both removals under one write guard: no reader sees the thread gone and its
        // items still there. Attachments stay, as in the reference.
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
        // No items (or another user's thread) is an empty page, not an error, as the
        // reference's tests expect; a cursor into it is still an unknown cursor.
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
        // The write guard is taken before the check, not after: the check and the insert
        // are one step, so two requests adding the same id cannot both pass the check.
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
        // An upsert, as the trait promises, where the reference's SQLite helper runs an
        // `UPDATE` that silently does nothing when the item is missing: a
        // `thread.item.replaced` for an item that was only ever pending is still saved.
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
