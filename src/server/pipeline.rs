//! The event pipeline: one task per streaming request, from the responder to the client.
//!
//! The processor spawns [`Pipeline::run`] after a streaming request's prelude succeeded. The
//! task sends the prelude's events (`thread.created`, the user's message), then
//! `stream_options`, then drives the responder's stream event by event:
//!
//! | event | store | sent? |
//! |---|---|---|
//! | `thread.item.added` | nothing; a copy becomes *pending* | yes, unless hidden |
//! | `thread.item.updated` | nothing; applied to the pending copy | yes, unless its item is hidden |
//! | `thread.item.done` | `add_thread_item` | yes, unless hidden |
//! | `thread.item.replaced` | `save_item` | yes, unless hidden |
//! | `thread.item.removed` | `delete_thread_item` | yes, unless its item was added hidden in this stream |
//! | `thread.updated` | `save_thread` (full metadata) | yes, with `metadata` cleared |
//! | anything else | nothing | yes |
//!
//! This is the reference's `_process_events` with two changes: a hidden item is kept from the
//! client whichever event carries it (the reference leaks it through `added` and `replaced`),
//! and thread changes are explicit `thread.updated` events instead of a diff of a mutable
//! thread after every event.
//!
//! A responder error ends the stream with one `error` event. A client that goes away is noticed
//! through the channel: `Sender::closed()` resolves, the pipeline drops the responder's stream
//! (cancelling whatever it was awaiting) and calls the `handle_stream_cancelled` hook with the
//! pending items. That is why the pipeline is a task of its own and not the HTTP body stream:
//! a stream that hyper drops cannot run async clean-up, a task can. The channel is bounded, so
//! a slow client slows the responder down instead of filling memory.
//!
//! Where it sits: between `processor.rs` (which spawns it) and `http/sse.rs` (which sends the
//! frames it produces).

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::protocol::{
    ItemId, Page, Thread, ThreadItem, ThreadItemUpdate, ThreadMetadata, ThreadStreamEvent,
    to_wire_json,
};
use crate::store::{Store, StoreContext};

use super::cancel::CancelledStream;
use super::error::StreamError;
use super::{EventStream, SharedServer};

/// One streaming request in flight.
pub(crate) struct Pipeline<C: StoreContext + Clone + 'static> {
    pub(crate) server: SharedServer<C>,
    pub(crate) store: Arc<dyn Store<C>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) thread: ThreadMetadata,
    pub(crate) ctx: C,
    /// SSE frames to the client; closed when the client goes away.
    pub(crate) frames: mpsc::Sender<Bytes>,
}

/// How the responder's stream ended.
enum Outcome {
    Finished,
    Failed(StreamError),
    ClientGone,
}

/// Items the client has been shown but the store has not: what a cancellation may keep.
#[derive(Default)]
struct Pending {
    items: HashMap<ItemId, ThreadItem>,
    /// Insertion order of `items`, so the cancellation hook sees them as they were added.
    order: Vec<ItemId>,
    /// Ids of hidden items, whose updates and removal must not reach the client either.
    hidden: HashSet<ItemId>,
}

impl<C: StoreContext + Clone + 'static> Pipeline<C> {
    /// Sends `prelude`, then `stream_options`, then the responder's events, then closes.
    pub(crate) async fn run(mut self, prelude: Vec<ThreadStreamEvent>, responder: EventStream) {
        for event in prelude {
            if self.send(&event).await.is_err() {
                // The client left during the prelude: nothing is pending, so nothing to keep.
                return;
            }
        }
        let options = self.server.get_stream_options(&self.thread, &self.ctx);
        let options_event = ThreadStreamEvent::StreamOptions {
            stream_options: options,
        };
        if self.send(&options_event).await.is_err() {
            return;
        }
        let mut pending = Pending::default();
        match self.drive(responder, &mut pending).await {
            Outcome::Finished => {}
            Outcome::Failed(error) => self.report(&error).await,
            Outcome::ClientGone => self.cancelled(pending).await,
        }
    }

    /// Pulls events from the responder until it ends, fails, or the client goes away.
    async fn drive(&mut self, mut responder: EventStream, pending: &mut Pending) -> Outcome {
        loop {
            let next = tokio::select! {
                // `biased`: a closed channel wins over a ready event, so no work is done for a
                // client that is already gone.
                biased;
                () = self.frames.closed() => return Outcome::ClientGone,
                next = AssertUnwindSafe(responder.next()).catch_unwind() => next,
            };
            let event = match next {
                Ok(None) => return Outcome::Finished,
                Ok(Some(Err(error))) => return Outcome::Failed(error),
                Ok(Some(Ok(event))) => event,
                // A panicking responder must not take the stream down silently: the client gets
                // a retryable error event, like any other failure, and the panic is logged.
                Err(_) => return Outcome::Failed(StreamError::failed("the responder panicked")),
            };
            match self.handle(event, pending).await {
                Ok(()) => {}
                Err(HandleError::Stream(error)) => return Outcome::Failed(error),
                Err(HandleError::ClientGone) => return Outcome::ClientGone,
            }
        }
    }

    /// Persists one event as the table in the module doc says, then sends it.
    async fn handle(
        &mut self,
        event: ThreadStreamEvent,
        pending: &mut Pending,
    ) -> Result<(), HandleError> {
        let visible = match &event {
            ThreadStreamEvent::ThreadItemAdded { item } => pending.add(item),
            ThreadStreamEvent::ThreadItemUpdated { item_id, update } => {
                pending.update(item_id, update)
            }
            ThreadStreamEvent::ThreadItemDone { item } => {
                self.store
                    .add_thread_item(&self.thread.id, item, &self.ctx)
                    .await?;
                pending.finish(&item.id, item.is_hidden())
            }
            ThreadStreamEvent::ThreadItemReplaced { item } => {
                self.store
                    .save_item(&self.thread.id, item, &self.ctx)
                    .await?;
                pending.finish(&item.id, item.is_hidden())
            }
            ThreadStreamEvent::ThreadItemRemoved { item_id } => {
                self.store
                    .delete_thread_item(&self.thread.id, item_id, &self.ctx)
                    .await?;
                pending.finish(item_id, false)
            }
            ThreadStreamEvent::ThreadUpdated { thread } => {
                return self.update_thread(&thread.metadata).await;
            }
            _ => true,
        };
        if visible {
            self.send(&event)
                .await
                .map_err(|_| HandleError::ClientGone)?;
        }
        Ok(())
    }

    /// Saves the responder's new thread metadata and tells the client.
    async fn update_thread(&mut self, updated: &ThreadMetadata) -> Result<(), HandleError> {
        if updated.id != self.thread.id {
            return Err(HandleError::Stream(StreamError::failed(format!(
                "thread.updated for {} inside a stream of thread {}",
                updated.id, self.thread.id
            ))));
        }
        self.store.save_thread(updated, &self.ctx).await?;
        self.thread = updated.clone();
        let event = ThreadStreamEvent::ThreadUpdated {
            thread: Thread::for_client(&self.thread, Page::empty()),
        };
        self.send(&event).await.map_err(|_| HandleError::ClientGone)
    }

    /// Sends the `error` event for a failed responder; its detail goes to the logs only.
    async fn report(&self, error: &StreamError) {
        tracing::warn!(thread = %self.thread.id, %error, "responder failed");
        let event = ThreadStreamEvent::Error(error.to_event());
        // If the client is gone too there is nobody left to tell.
        let _ = self.send(&event).await;
    }

    /// Runs the cancellation hook; nothing more can be sent.
    async fn cancelled(&self, pending: Pending) {
        tracing::info!(thread = %self.thread.id, "client disconnected mid-stream");
        let cancelled = CancelledStream {
            thread: &self.thread,
            pending: pending.into_items(),
            ctx: &self.ctx,
            store: self.store.as_ref(),
            clock: self.clock.as_ref(),
        };
        if let Err(error) = self.server.handle_stream_cancelled(cancelled).await {
            tracing::error!(thread = %self.thread.id, %error, "saving a cancelled stream failed");
        }
    }

    /// Frames one event as `data: <json>\n\n` and queues it; `Err` means the client is gone.
    async fn send(&self, event: &ThreadStreamEvent) -> Result<(), ClientGone> {
        let json = match to_wire_json(event) {
            Ok(json) => json,
            Err(error) => {
                // Our own types always serialize; if one ever does not, skip it loudly rather
                // than send a broken frame.
                tracing::error!(%error, "an event could not be serialized");
                return Ok(());
            }
        };
        let frame = Bytes::from(format!("data: {json}\n\n"));
        self.frames.send(frame).await.map_err(|_| ClientGone)
    }
}

/// The client's end of the channel is closed.
struct ClientGone;

/// Why handling one event stopped the stream.
enum HandleError {
    Stream(StreamError),
    ClientGone,
}

impl From<crate::store::StoreError> for HandleError {
    fn from(error: crate::store::StoreError) -> Self {
        HandleError::Stream(StreamError::Store(error))
    }
}

impl Pending {
    /// Starts tracking an added item; returns whether the event may be sent.
    fn add(&mut self, item: &ThreadItem) -> bool {
        if item.is_hidden() {
            self.hidden.insert(item.id.clone());
            return false;
        }
        if self.items.insert(item.id.clone(), item.clone()).is_none() {
            self.order.push(item.id.clone());
        }
        true
    }

    /// Applies an update to a pending copy; returns whether the event may be sent.
    fn update(&mut self, item_id: &ItemId, update: &ThreadItemUpdate) -> bool {
        if self.hidden.contains(item_id) {
            return false;
        }
        if let Some(item) = self.items.get_mut(item_id) {
            super::apply::apply_update(item, update);
        }
        true
    }

    /// Stops tracking an item that was done, replaced or removed; returns whether to send.
    fn finish(&mut self, item_id: &ItemId, hidden: bool) -> bool {
        self.items.remove(item_id);
        self.order.retain(|id| id != item_id);
        let was_hidden = self.hidden.remove(item_id);
        !(hidden || was_hidden)
    }

    fn into_items(mut self) -> Vec<ThreadItem> {
        self.order
            .iter()
            .filter_map(|id| self.items.remove(id))
            .collect()
    }
}
