//! `Responder`: what a responder is handed to build events and to reach the store.
//!
//! Every item needs an id (`msg_…`, `tc_…`) and a `created_at`. Both are injected: the ids
//! come from the generator given to [`ProcessorBuilder::ids`](super::ProcessorBuilder::ids)
//! (or, without one, from the store's own `generate_item_id`, as in the reference), and the
//! time from the builder's clock. A test with `SequentialIds` and a `FixedClock` therefore
//! produces the same bytes on every run, and a handler never calls the wall clock or a random
//! generator itself.
//!
//! The responder also carries the store and the request context, so a `respond()` that needs
//! the thread's history asks `out.store()`: the server keeps no second handle to the store the
//! processor already owns (the reference's `self.store`).
//!
//! Where it sits: built by the processor for each streaming request, passed into
//! `ChatKitServer::respond` and `action`, cloned into the agent bridge and the cancellation
//! hook; used inside the stream.

use std::fmt;
use std::sync::Arc;

use crate::clock::Clock;
use crate::id_gen::IdKind;
use crate::protocol::{
    AssistantMessage, AssistantMessageContent, ItemId, ItemKind, Page, Thread, ThreadId,
    ThreadItem, ThreadMetadata, ThreadStreamEvent, Timestamp,
};
use crate::store::{Store, StoreContext, StoreError};

/// Makes ids for one thread, through the injected generator or the store's.
///
/// A closure rather than a generator plus a store: the processor decides once, when it builds
/// the responder, which of the two applies, and the responder does not need to know.
pub(crate) type ItemIdSource = Arc<dyn Fn(IdKind) -> ItemId + Send + Sync>;

/// Builds items and events for one thread, with injected ids and time, and reaches the store
/// in the request's context.
pub struct Responder<C: StoreContext> {
    /// Fixed for the responder's life: one responder per stream, and a stream belongs to one
    /// thread, so no item it builds can name another thread.
    thread_id: ThreadId,
    ids: ItemIdSource,
    clock: Arc<dyn Clock>,
    /// The processor's own store, shared: a responder reads the history the pipeline writes.
    store: Arc<dyn Store<C>>,
    /// Owned, so the responder can move into a `'static` stream with everything it needs for
    /// store calls.
    ctx: C,
}

// Written by hand: a derive would also ask for `dyn Store<C>: Clone`, which no trait object
// is; cloning the `Arc`s is what is meant.
impl<C: StoreContext + Clone> Clone for Responder<C> {
    fn clone(&self) -> Self {
        Responder {
            thread_id: self.thread_id.clone(),
            ids: Arc::clone(&self.ids),
            clock: Arc::clone(&self.clock),
            store: Arc::clone(&self.store),
            ctx: self.ctx.clone(),
        }
    }
}

// By hand: the id closure and the store are trait objects with no `Debug`.
impl<C: StoreContext> fmt::Debug for Responder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("thread_id", &self.thread_id)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl<C: StoreContext> Responder<C> {
    pub(crate) fn new(
        thread_id: ThreadId,
        ids: ItemIdSource,
        clock: Arc<dyn Clock>,
        store: Arc<dyn Store<C>>,
        ctx: C,
    ) -> Self {
        Responder {
            thread_id,
            ids,
            clock,
            store,
            ctx,
        }
    }

    /// The thread this responder builds items for.
    pub fn thread_id(&self) -> &ThreadId {
        &self.thread_id
    }

    /// The store the processor reads and writes: the thread's history is there, with the
    /// user's new message already saved.
    ///
    /// Read freely; write through events instead (`yield` a `thread.item.done`), so the
    /// pipeline persists and tells the client in one place and in the right order.
    pub fn store(&self) -> &dyn Store<C> {
        self.store.as_ref()
    }

    /// The request context the store calls of this turn take.
    pub fn context(&self) -> &C {
        &self.ctx
    }

    /// A new item id of the given kind (`msg_…`, `tc_…`, `wf_…`, `tsk_…`).
    pub fn new_item_id(&self, kind: IdKind) -> ItemId {
        (self.ids)(kind)
    }

    /// The current time, from the server's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A new item of this thread with a fresh id of `id_kind` and the current time.
    pub fn item(&self, id_kind: IdKind, kind: ItemKind) -> ThreadItem {
        ThreadItem {
            id: self.new_item_id(id_kind),
            thread_id: self.thread_id.clone(),
            created_at: self.now(),
            kind,
        }
    }

    /// A finished assistant message with one text part: a `thread.item.done` event.
    pub fn assistant_message(&self, text: impl Into<String>) -> ThreadStreamEvent {
        let message = AssistantMessage {
            content: vec![AssistantMessageContent::text(text)],
        };
        ThreadStreamEvent::ThreadItemDone {
            item: self.item(IdKind::Message, ItemKind::AssistantMessage(message)),
        }
    }

    /// Asks the pipeline to save `thread` and send `thread.updated` at this point.
    ///
    /// Pass the full metadata, integration `metadata` included: it is what gets saved. The
    /// event the client receives carries `"metadata":{}`, as in the reference.
    pub fn thread_updated(&self, thread: &ThreadMetadata) -> ThreadStreamEvent {
        // The event carries the full metadata to the pipeline; the pipeline saves it and
        // builds the client's copy itself, without `metadata` and with no items.
        ThreadStreamEvent::ThreadUpdated {
            thread: Thread {
                metadata: thread.clone(),
                items: Page::empty(),
            },
        }
    }

    /// Whether this thread already holds an item with id `id`.
    ///
    /// The agent bridge asks before it reuses an id a model provider made: many
    /// OpenAI-compatible servers number their items afresh in every process or response, and
    /// inserting a second item under an existing id would fail the turn.
    ///
    /// # Errors
    ///
    /// A store failure other than "not found".
    pub async fn item_exists(&self, id: &ItemId) -> Result<bool, StoreError> {
        // A load, since the store trait has no "exists"; a miss is the common answer and
        // costs one primary-key lookup in either store. Only not-found means `false`: any
        // other failure is reported rather than guessed at.
        match self.store.load_item(&self.thread_id, id, &self.ctx).await {
            Ok(_) => Ok(true),
            Err(StoreError::ItemNotFound { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }
}
