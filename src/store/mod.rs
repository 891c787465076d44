//! Stores: where threads, their items and attachments live, per user.
//!
//! Every request the server handles reads or writes through a [`Store`]: `threads.create`
//! saves a thread and inserts the user's message, a streamed `thread.item.done` inserts an
//! item, `items.list` reads a page, and so on. The trait mirrors the reference's
//! (`chatkit/store.py::Store`) method for method, with three changes a student should notice:
//!
//! * **Ownership comes from the request context.** The trait is generic over the context type
//!   the host application builds per request; a store learns whose data it is touching through
//!   [`StoreContext::user_id`]. Another user's thread or item is *not found*, and another
//!   user's item page is empty, exactly as in the reference's tests.
//! * **Paging cannot skip.** Lists are ordered by `(created_at, id)`, so items that share a
//!   timestamp are neither skipped nor repeated across pages. The reference compares
//!   timestamps only; an unknown cursor is a typed error here, for threads and items alike.
//! * **Errors are typed** ([`StoreError`]), and the not-found messages are the reference's own
//!   (`Thread thr_1 not found`).
//!
//! Uploads are a separate, optional trait, [`AttachmentStore`]; [`NoUploads`] says clearly
//! that they are not configured.
//!
//! The traits use `#[async_trait]` because the server holds stores as trait objects
//! (`Arc<dyn Store<C>>`), and an `async fn` in a trait is not dyn-compatible in Rust 1.95.
//!
//! Implementations: [`MemoryStore`] for tests and demos, [`SqliteStore`] as the embedded
//! default of every lesson, and [`PostgresStore`] for several server instances on one
//! database. [`contract`] is the behaviour suite all three pass, and yours can too.
//! [`AnyStore`] is whichever of them a binary's flags chose, usable with any context type.
//! [`retention`] purges old threads and closes idle ones through this trait, so it works on
//! every store.

mod any;
pub mod contract;
pub mod memory;
mod paging;
pub mod postgres;
mod postgres_turns;
pub mod retention;
pub mod sqlite;
pub mod turn_lock;

use std::sync::Arc;

use async_trait::async_trait;

use crate::id_gen::{IdKind, RandomIds};
use crate::protocol::RequestOp;
use crate::protocol::request::AttachmentsCreateParams;
use crate::protocol::{
    Attachment, AttachmentId, ItemId, Order, Page, ThreadId, ThreadItem, ThreadMetadata,
};

pub use any::AnyStore;
pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use turn_lock::{LocalTurnLocks, TurnLock, TurnLocks};

/// What a store needs to know about the request it is serving: whose data it is.
///
/// The host application's context type (built per request from a session, a token, …)
/// implements this; stores scope every read and write to [`StoreContext::user_id`].
///
/// A trait, not a struct the server builds, because only the host application knows who the
/// user is; `Send + Sync` because the context travels into the streaming task and is shared
/// with the store's calls there.
pub trait StoreContext: Send + Sync {
    /// The id of the user the request acts for.
    fn user_id(&self) -> &str;

    /// May this caller make `request` at all? Asked by the processor right after the body is
    /// decoded, before anything is loaded, so a refusal (`403 forbidden`) says nothing about
    /// whether the thread it names exists.
    ///
    /// The default allows everything: the lessons before 06 have no roles. A context built
    /// from verified claims overrides it ([`crate::auth::Principal`] lets a `viewer` read and
    /// nothing else). Whose thread it is stays the store's check (a 404), not this one's.
    ///
    /// # Errors
    ///
    /// [`AccessDenied`], with a message for the caller.
    fn authorize(&self, request: &RequestOp) -> Result<(), AccessDenied> {
        let _ = request;
        Ok(())
    }
}

/// Why [`StoreContext::authorize`] refused a request; the client sees the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AccessDenied(pub String);

/// The simplest context: just the user's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserContext {
    /// The user's id.
    pub user_id: String,
}

impl UserContext {
    /// A context for the given user.
    pub fn new(user_id: impl Into<String>) -> Self {
        UserContext {
            user_id: user_id.into(),
        }
    }
}

impl StoreContext for UserContext {
    fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// Which page of a list to load: up to `limit` elements after the cursor, in `order`.
///
/// One type for every list (threads and items alike), so the two list methods take their
/// paging the same way; the reference passes `limit`, `after` and `order` in a different
/// argument order to each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// The id of the last element of the previous page; `None` for the first page.
    ///
    /// A `String`, not a typed id, because it may name a thread or an item depending on the
    /// list, and it comes back from the client as it was sent.
    pub after: Option<String>,
    /// How many elements at most.
    pub limit: usize,
    /// Oldest or newest first.
    pub order: Order,
}

impl PageRequest {
    /// The first page of `limit` elements in `order`.
    pub fn first(limit: usize, order: Order) -> Self {
        PageRequest {
            after: None,
            limit,
            order,
        }
    }

    /// The page after the element with id `after`.
    pub fn after(after: impl Into<String>, limit: usize, order: Order) -> Self {
        PageRequest {
            after: Some(after.into()),
            limit,
            order,
        }
    }
}

/// Why a store call failed.
///
/// One enum for every store, so that the server and the HTTP layer can map each case to a
/// status once (`http/error.rs` lists them with no catch-all arm). The not-found variants
/// carry what was asked for and print the reference's own messages.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such thread for this user (it may belong to someone else).
    #[error("Thread {id} not found")]
    ThreadNotFound {
        /// The thread asked for.
        id: ThreadId,
    },
    /// No such item in this thread for this user.
    #[error("Item {id} not found in thread {thread_id}")]
    ItemNotFound {
        /// The thread searched.
        thread_id: ThreadId,
        /// The item asked for.
        id: ItemId,
    },
    /// No such attachment for this user.
    #[error("File {id} not found")]
    AttachmentNotFound {
        /// The attachment asked for.
        id: AttachmentId,
    },
    /// An attachment store refused to create an attachment: empty, too large, or of a type it
    /// does not accept. The reason is for the client.
    #[error("{reason}")]
    AttachmentRejected {
        /// Why, in words for the user.
        reason: String,
    },
    /// A message names an attachment whose bytes have not been uploaded yet.
    #[error("attachment {id} has not been uploaded yet")]
    AttachmentNotUploaded {
        /// The attachment.
        id: AttachmentId,
    },
    /// The `after` cursor names no element of the list.
    #[error("cursor {cursor} is not an element of this list")]
    UnknownCursor {
        /// The cursor given.
        cursor: String,
    },
    /// `add_thread_item` was given an id the thread already holds; use `save_item` to replace.
    #[error("item {id} already exists in thread {thread_id}")]
    DuplicateItem {
        /// The thread.
        thread_id: ThreadId,
        /// The item id.
        id: ItemId,
    },
    /// Two-phase uploads need an [`AttachmentStore`] that implements them.
    #[error(
        "uploads are not configured: give the server an AttachmentStore that implements {operation}"
    )]
    UploadsNotConfigured {
        /// The attachment operation that was asked for.
        operation: &'static str,
    },
    /// The SQLite database failed.
    #[error("the SQLite store failed")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL database failed: the URL did not parse, the server could not be reached
    /// or refused the login, or a statement failed.
    #[error("the PostgreSQL store failed")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool in time (all were busy, or the
    /// server was too slow to accept a new one).
    #[error("no PostgreSQL connection was available")]
    PostgresPool(#[source] deadpool_postgres::PoolError),
    /// A PostgreSQL schema name that is not a plain lowercase identifier; see
    /// [`PostgresStore::connect_in_schema`].
    #[error(
        "{name:?} is not a usable schema name: use lowercase letters, digits and _, \
         not starting with a digit, at most 63 bytes"
    )]
    InvalidSchemaName {
        /// The name given.
        name: String,
    },
    /// The database was written by a newer build whose schema this one does not know;
    /// opening it anyway could corrupt it, so upgrade the program instead.
    #[error("the database schema is version {found}; this build understands up to {supported}")]
    UnsupportedSchema {
        /// The version recorded in the database (SQLite's `PRAGMA user_version`, the largest
        /// row of PostgreSQL's `schema_migrations`).
        found: i64,
        /// The newest version this build can read and migrate to.
        supported: i64,
    },
    /// A stored row could not be read back as protocol JSON.
    #[error("stored {what} is not valid protocol JSON")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// Why it did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// A store's background task stopped before answering (it panicked or was cancelled).
    #[error("the store's worker task stopped before answering")]
    WorkerGone(#[source] tokio::task::JoinError),
    /// Any other backend failure, for stores outside this crate.
    #[error("the store backend failed: {message}")]
    Backend {
        /// What failed, for logs.
        message: String,
    },
}

impl StoreError {
    /// Whether the error means "no such thing for this user", which the HTTP layer maps to 404.
    ///
    /// Another user's data is not found rather than forbidden, so that a 404 does not even
    /// tell a client that the id exists.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::ThreadNotFound { .. }
                | StoreError::ItemNotFound { .. }
                | StoreError::AttachmentNotFound { .. }
        )
    }
}

/// Threads, items and attachment records, kept per user.
///
/// Every method takes the request context; implementations scope all access to
/// `ctx.user_id()`. Deleting something that does not exist is not an error.
#[async_trait]
pub trait Store<C: StoreContext + ?Sized>: Send + Sync {
    /// A new thread id; `thr_` + 8 hex digits unless overridden.
    fn generate_thread_id(&self, ctx: &C) -> ThreadId {
        // The context is unused here but part of the signature, as in the reference, so
        // that an override can make ids per tenant or per user.
        let _ = ctx;
        ThreadId::new(crate::id_gen::IdGenerator::generate(
            &RandomIds,
            IdKind::Thread,
        ))
    }

    /// A new item id for `thread`; the kind's prefix + 8 hex digits unless overridden.
    fn generate_item_id(&self, kind: IdKind, thread: &ThreadMetadata, ctx: &C) -> ItemId {
        let _ = (thread, ctx);
        ItemId::new(crate::id_gen::IdGenerator::generate(&RandomIds, kind))
    }

    /// Loads a thread's metadata.
    ///
    /// # Errors
    ///
    /// [`StoreError::ThreadNotFound`] if the user has no such thread.
    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError>;

    /// Saves a thread's metadata, inserting or replacing it.
    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError>;

    /// Loads one page of the user's threads, ordered by `(created_at, id)`.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownCursor`] if `page.after` is not one of the user's threads.
    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError>;

    /// Deletes a thread and all its items. Attachments are left alone, as in the reference.
    ///
    /// A missing thread is `Ok`, as with the reference's `DELETE … WHERE`. Whether that is an
    /// error for the client is decided above the store: the processor loads the thread first
    /// and answers `threads.delete` for a missing one with a 404.
    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError>;

    /// Loads one page of a thread's items, ordered by `(created_at, id)`, hidden items included.
    /// Another user's thread, or a thread with no items, gives an empty page.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownCursor`] if `page.after` is not an item of this thread.
    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError>;

    /// Inserts a new item (a streamed `thread.item.done`).
    ///
    /// Separate from [`Store::save_item`], and refusing an existing id, so that a responder
    /// that reuses an id is noticed instead of silently overwriting an earlier item.
    ///
    /// # Errors
    ///
    /// [`StoreError::DuplicateItem`] if the thread already holds an item with that id.
    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError>;

    /// Inserts or replaces an item by id (a `thread.item.replaced`); its kind may change.
    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError>;

    /// Loads one item.
    ///
    /// # Errors
    ///
    /// [`StoreError::ItemNotFound`] if the user has no such item in that thread.
    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError>;

    /// Deletes one item.
    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError>;

    /// Saves an attachment record, inserting or replacing it; `metadata` and `thread_id` are
    /// kept exactly as given.
    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError>;

    /// Loads an attachment record, metadata included.
    ///
    /// # Errors
    ///
    /// [`StoreError::AttachmentNotFound`] if the user has no such attachment.
    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError>;

    /// Deletes an attachment record.
    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError>;

    /// The locks that keep two turns off one thread, if this store brings its own.
    ///
    /// `None` (the default) lets the processor lock in its own memory ([`LocalTurnLocks`]),
    /// which is right for a store that one process uses through one processor (two
    /// processors over one such store each have their own locks, and do not exclude each
    /// other). A store that several server
    /// instances share must return locks those instances share too, as
    /// [`PostgresStore`] does, or two instances could run two turns on one thread.
    fn turn_locks(&self) -> Option<Arc<dyn TurnLocks>> {
        None
    }
}

/// A shared store is a store: every call goes to the one behind the `Arc`.
///
/// This lets a binary choose its store at run time (memory or SQLite, from a command-line
/// flag) and still hand it to code written against `impl Store<C>`: `Arc<dyn Store<C>>` is one
/// type for both. Every method forwards, the id generators included, so a store made with
/// `with_ids` keeps making its own ids.
#[async_trait]
impl<C, S> Store<C> for Arc<S>
where
    C: StoreContext + ?Sized,
    S: Store<C> + ?Sized,
{
    fn generate_thread_id(&self, ctx: &C) -> ThreadId {
        (**self).generate_thread_id(ctx)
    }

    fn generate_item_id(&self, kind: IdKind, thread: &ThreadMetadata, ctx: &C) -> ItemId {
        (**self).generate_item_id(kind, thread, ctx)
    }

    async fn load_thread(&self, id: &ThreadId, ctx: &C) -> Result<ThreadMetadata, StoreError> {
        (**self).load_thread(id, ctx).await
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &C) -> Result<(), StoreError> {
        (**self).save_thread(thread, ctx).await
    }

    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        (**self).load_threads(page, ctx).await
    }

    async fn delete_thread(&self, id: &ThreadId, ctx: &C) -> Result<(), StoreError> {
        (**self).delete_thread(id, ctx).await
    }

    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &C,
    ) -> Result<Page<ThreadItem>, StoreError> {
        (**self).load_thread_items(thread_id, page, ctx).await
    }

    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        (**self).add_thread_item(thread_id, item, ctx).await
    }

    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &C,
    ) -> Result<(), StoreError> {
        (**self).save_item(thread_id, item, ctx).await
    }

    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<ThreadItem, StoreError> {
        (**self).load_item(thread_id, item_id, ctx).await
    }

    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(), StoreError> {
        (**self).delete_thread_item(thread_id, item_id, ctx).await
    }

    async fn save_attachment(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        (**self).save_attachment(attachment, ctx).await
    }

    async fn load_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<Attachment, StoreError> {
        (**self).load_attachment(id, ctx).await
    }

    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        (**self).delete_attachment(id, ctx).await
    }

    fn turn_locks(&self) -> Option<Arc<dyn TurnLocks>> {
        (**self).turn_locks()
    }
}

/// The upload side of attachments: creating the record and upload instructions, and deleting
/// the uploaded bytes. Optional: the defaults answer [`StoreError::UploadsNotConfigured`].
#[async_trait]
pub trait AttachmentStore<C: StoreContext + ?Sized>: Send + Sync {
    /// Creates an attachment record (with an upload descriptor, for two-phase uploads).
    ///
    /// # Errors
    ///
    /// [`StoreError::UploadsNotConfigured`] unless the integration implements it.
    async fn create_attachment(
        &self,
        params: &AttachmentsCreateParams,
        ctx: &C,
    ) -> Result<Attachment, StoreError> {
        let _ = (params, ctx);
        Err(StoreError::UploadsNotConfigured {
            operation: "create_attachment",
        })
    }

    /// Checks that `attachment` may go into a message now; the processor asks for each
    /// attachment a new message names, before anything is stored.
    ///
    /// A store with two-phase uploads refuses one whose bytes have not arrived: otherwise the
    /// message would be saved, and the turn would fail later, when the model input is built
    /// from a file that is not there. The default accepts every attachment (a store whose
    /// uploads go elsewhere, such as a bucket, may not know).
    ///
    /// # Errors
    ///
    /// [`StoreError::AttachmentNotUploaded`] when the bytes are missing.
    async fn check_ready(&self, attachment: &Attachment, ctx: &C) -> Result<(), StoreError> {
        let _ = (attachment, ctx);
        Ok(())
    }

    /// Deletes an attachment's uploaded bytes.
    ///
    /// # Errors
    ///
    /// [`StoreError::UploadsNotConfigured`] unless the integration implements it.
    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        let _ = (id, ctx);
        Err(StoreError::UploadsNotConfigured {
            operation: "delete_attachment",
        })
    }

    /// A new attachment id; `atc_` + 8 hex digits unless overridden.
    fn generate_attachment_id(&self, mime_type: &str, ctx: &C) -> AttachmentId {
        let _ = (mime_type, ctx);
        AttachmentId::new(crate::id_gen::IdGenerator::generate(
            &RandomIds,
            IdKind::Attachment,
        ))
    }
}

/// An [`AttachmentStore`] for servers without uploads: every operation says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUploads;

impl<C: StoreContext + ?Sized> AttachmentStore<C> for NoUploads {}
