//! `Responder`: what a responder uses to build events with the right ids and timestamps.
//!
//! Every item needs an id from the store's generator (`msg_…`, `tc_…`) and a `created_at` from
//! the server's clock, so that a test with `SequentialIds` and a `FixedClock` produces the same
//! bytes on every run. The processor hands each `respond()` / `action()` call a [`Responder`]
//! bound to the thread and the request context, so a handler never calls the wall clock or a
//! random generator itself.
//!
//! Where it sits: passed into `ChatKitServer::respond` and `action`; used inside the stream.

use std::fmt;
use std::sync::Arc;

use crate::clock::Clock;
use crate::id_gen::IdKind;
use crate::protocol::{
    AssistantMessage, AssistantMessageContent, ItemId, ItemKind, Page, Thread, ThreadId,
    ThreadItem, ThreadMetadata, ThreadStreamEvent, Timestamp,
};

/// Makes ids for one thread, through the store's generator and the request's context.
pub(crate) type ItemIdSource = Arc<dyn Fn(IdKind) -> ItemId + Send + Sync>;

/// Builds items and events for one thread, with injected ids and time.
#[derive(Clone)]
pub struct Responder {
    thread_id: ThreadId,
    ids: ItemIdSource,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("thread_id", &self.thread_id)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Responder {
    pub(crate) fn new(thread_id: ThreadId, ids: ItemIdSource, clock: Arc<dyn Clock>) -> Self {
        Responder {
            thread_id,
            ids,
            clock,
        }
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
        ThreadStreamEvent::ThreadUpdated {
            thread: Thread {
                metadata: thread.clone(),
                items: Page::empty(),
            },
        }
    }
}
