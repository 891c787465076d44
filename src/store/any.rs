//! `AnyStore`: one of this library's stores, chosen at run time, for any request context.
//!
//! A binary that lets its user pick a store with a flag (`--store memory|sqlite|postgres`) needs one
//! type for "whichever was picked". A trait object, `Arc<dyn Store<C>>`, fixes the context
//! type `C` when it is made; this enum does not: it implements `Store<C>` for **every**
//! context, as the stores inside it do. So the lesson scaffold can open the store once, hand
//! it to an app whose context is the app's own type, and still read it itself as the user
//! `--ask` spoke for.
//!
//! Where it sits: returned by the scaffold's `ServeArgs::open_store`; each call is passed
//! straight to the store inside, so it adds one `match` and nothing else.

use std::sync::Arc;

use async_trait::async_trait;

use super::{
    MemoryStore, PageRequest, PostgresStore, SqliteStore, Store, StoreContext, StoreError,
    TurnLocks,
};
use crate::id_gen::IdKind;
use crate::protocol::{
    Attachment, AttachmentId, ItemId, Page, ThreadId, ThreadItem, ThreadMetadata,
};

/// One of the library's stores; a [`Store`] for any context type.
#[derive(Debug)]
pub enum AnyStore {
    /// Threads in memory, gone when the process ends.
    Memory(MemoryStore),
    /// Threads in a SQLite file.
    Sqlite(SqliteStore),
    /// Threads in a PostgreSQL database, shared by every instance that connects to it.
    Postgres(PostgresStore),
}

impl From<MemoryStore> for AnyStore {
    fn from(store: MemoryStore) -> Self {
        AnyStore::Memory(store)
    }
}

impl From<SqliteStore> for AnyStore {
    fn from(store: SqliteStore) -> Self {
        AnyStore::Sqlite(store)
    }
}

impl From<PostgresStore> for AnyStore {
    fn from(store: PostgresStore) -> Self {
        AnyStore::Postgres(store)
    }
}

/// Runs `$call` on whichever store `$any` holds, bound to `$store`: one arm per variant, so a
/// new store is a new line here and nothing else.
macro_rules! each_store {
    ($any:expr, $store:ident => $call:expr) => {
        match $any {
            AnyStore::Memory($store) => $call,
            AnyStore::Sqlite($store) => $call,
            AnyStore::Postgres($store) => $call,
        }
    };
}

#[async_trait]
impl<C: StoreContext + ?Sized> Store<C> for AnyStore {
    fn generate_thread_id(&self, ctx: &C) -> ThreadId {
        each_store!(self, store => Store::<C>::generate_thread_id(store, ctx))
    }

    fn generate_item_id(&self, kind: IdKind, thread: &ThreadMetadata, ctx: &C) -> ItemId {
        each_store!(self, store => Store::<C>::generate_item_id(store, kind, thread, ctx))
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        each_store!(self, store => store.load_thread(id, ctx).await)
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        each_store!(self, store => store.save_thread(thread, ctx).await)
    }

    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        each_store!(self, store => store.load_threads(page, ctx).await)
    }

    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        each_store!(self, store => store.delete_thread(id, ctx).await)
    }

    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        each_store!(self, store => store.load_thread_items(thread_id, page, ctx).await)
    }

    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        each_store!(self, store => store.add_thread_item(thread_id, item, ctx).await)
    }

    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        each_store!(self, store => store.save_item(thread_id, item, ctx).await)
    }

    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        each_store!(self, store => store.load_item(thread_id, item_id, ctx).await)
    }

    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError> {
        each_store!(self, store => store.delete_thread_item(thread_id, item_id, ctx).await)
    }

    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        each_store!(self, store => store.save_attachment(attachment, ctx).await)
    }

    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        each_store!(self, store => store.load_attachment(id, ctx).await)
    }

    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        each_store!(self, store => store.delete_attachment(id, ctx).await)
    }

    fn turn_locks(&self) -> Option<Arc<dyn TurnLocks>> {
        each_store!(self, store => Store::<C>::turn_locks(store))
    }
}
