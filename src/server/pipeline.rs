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

use crate::protocol::{
    ItemId, Page, StreamOptions, Thread, ThreadItem, ThreadItemUpdate, ThreadMetadata,
    ThreadStreamEvent, to_wire_json,
};
use crate::store::{Store, StoreContext, TurnLock};

use super::cancel::CancelledStream;
use super::error::StreamError;
use super::responder::Responder;
use super::{EventStream, SharedServer};

/// One streaming request in flight.
///
/// Every field is owned (`Arc`s, a cloned context, the thread by value): the task is spawned
/// and outlives the HTTP handler that started it, so it can borrow nothing from the request.
/// That is also why `C: Clone + 'static`.
pub(crate) struct Pipeline<C: StoreContext + Clone + 'static> {
    /// The server, for the one hook this task calls: `handle_stream_cancelled`.
    pub(crate) server: SharedServer<C>,
    /// Where each finished item is written, before the client is told of it.
    pub(crate) store: Arc<dyn Store<C>>,
    /// The handler's responder: the cancellation hook makes its note's id and time with it
    /// (the injected generator and clock), so tests get predictable notes there too.
    pub(crate) responder: Responder<C>,
    /// The thread as the stream knows it; replaced when the responder sends `thread.updated`,
    /// so the cancellation hook sees the latest title and status.
    pub(crate) thread: ThreadMetadata,
    pub(crate) ctx: C,
    /// The turn's options, from `get_stream_options` (which the processor asked, because it
    /// may look at the turn's input). `allow_cancel: false` makes a disconnect a network
    /// failure rather than a stop: see [`Pipeline::send`].
    pub(crate) options: StreamOptions,
    /// SSE frames to the client; closed when the client goes away.
    pub(crate) frames: mpsc::Sender<Bytes>,
}

/// How the responder's stream ended: the three exits of the reference's `_process_events`.
enum Outcome {
    /// The `async for` ran out: nothing more to send.
    Finished,
    /// One of its `except` branches for errors (`CustomStreamError`, `StreamError`,
    /// `Exception`): one `error` event, then the end.
    Failed(StreamError),
    /// Its `except asyncio.CancelledError` branch: the cancellation hook, and nothing sent.
    ClientGone,
}

/// Items the client has been shown but the store has not: what a cancellation may keep.
///
/// The reference keeps a `dict` keyed by item id, which in Python also remembers insertion
/// order. A Rust `HashMap` does not, so the order is a second field.
#[derive(Default)]
struct Pending {
    /// By id, because every `thread.item.updated` (one per text delta) looks its item up.
    items: HashMap<ItemId, ThreadItem>,
    /// Insertion order of `items`, so the cancellation hook sees them as they were added.
    order: Vec<ItemId>,
    /// Ids of hidden items, whose updates and removal must not reach the client either.
    hidden: HashSet<ItemId>,
}

impl<C: StoreContext + Clone + 'static> Pipeline<C> {
    /// Runs the turn, then releases the thread's `lock`, then closes the client's stream.
    pub(crate) async fn run(
        mut self,
        prelude: Vec<ThreadStreamEvent>,
        responder: EventStream,
        lock: TurnLock,
    ) {
        self.run_turn(prelude, responder).await;
        // Released before `self`, and with it the sender of `frames`, is dropped: a client
        // that has read the end of the stream may send its next message at once, and must
        // find the thread free. (A panic in the pipeline drops the lock instead, which
        // releases it in the background.)
        lock.release().await;
    }

    /// Sends `prelude`, then `stream_options`, then the responder's events.
    async fn run_turn(&mut self, prelude: Vec<ThreadStreamEvent>, responder: EventStream) {
        // The prelude's writes (a new thread, the user's message) already happened in the
        // processor, before the first byte, so their failures could still be HTTP errors.
        // Only its events are sent here, through the same channel as everything after them,
        // so nothing can overtake them.
        for event in prelude {
            if self.send(&event).await.is_err() {
                // The client left during the prelude: nothing is pending, so nothing to keep.
                return;
            }
        }
        // `stream_options` comes after the prelude and before the responder's first event,
        // where the reference's `_process_events` yields it.
        let options_event = ThreadStreamEvent::StreamOptions {
            stream_options: self.options,
        };
        // A client gone at this point gets no cancellation hook, as in the reference, which
        // yields `stream_options` before entering the `try` that catches the cancellation.
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
                // A turn that cannot be cancelled does not watch for the client at all.
                () = self.frames.closed(), if self.options.allow_cancel => {
                    return Outcome::ClientGone;
                }
                // `AssertUnwindSafe` is sound here because a stream that panicked is never
                // polled again: the arm below ends the loop and the stream is dropped.
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
            // One event at a time: the next one is not pulled until this one is persisted and
            // queued, so the store never lags behind what the client has been sent.
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
        // Each arm writes first and sends after, in the reference's order: an item the client
        // has seen as done is already in the store if the client reloads the thread at once.
        // A store error (`?`) fails the stream like a responder error: the reference's
        // `except Exception` branch, a retryable `stream.error`.
        let visible = match &event {
            ThreadStreamEvent::ThreadItemAdded { item } => pending.add(item),
            ThreadStreamEvent::ThreadItemUpdated { item_id, update } => {
                pending.update(item_id, update)
            }
            ThreadStreamEvent::ThreadItemDone { item } => {
                // `add`, not `save`: an id the thread already holds is an error, not an
                // overwrite of an earlier item.
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
                // The event carries only an id, so whether it was hidden comes from
                // `Pending`, which remembers the hidden items added in this stream.
                pending.finish(item_id, false)
            }
            ThreadStreamEvent::ThreadUpdated { thread } => {
                // Sent by `update_thread` itself, rebuilt from what was saved.
                return self.update_thread(&thread.metadata).await;
            }
            // Progress updates, client effects, notices, errors: nothing to persist.
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
    ///
    /// This replaces the reference's diff of a mutable `thread` after every event: the
    /// responder says what changed, and nothing is compared.
    async fn update_thread(&mut self, updated: &ThreadMetadata) -> Result<(), HandleError> {
        // Saving another thread's metadata from inside this stream would write to a thread
        // the client is not looking at; it is a responder bug, reported as one.
        if updated.id != self.thread.id {
            return Err(HandleError::Stream(StreamError::failed(format!(
                "thread.updated for {} inside a stream of thread {}",
                updated.id, self.thread.id
            ))));
        }
        self.store.save_thread(updated, &self.ctx).await?;
        self.thread = updated.clone();
        // `for_client` leaves out `metadata`, which is the server's own, and sends no items,
        // as the reference's `_to_thread_response` does for a `ThreadMetadata`.
        let event = ThreadStreamEvent::ThreadUpdated {
            thread: Thread::for_client(&self.thread, Page::empty()),
        };
        self.send(&event).await.map_err(|_| HandleError::ClientGone)
    }

    /// Sends the `error` event for a failed responder; its detail goes to the logs only.
    async fn report(&self, error: &StreamError) {
        tracing::warn!(thread = %self.thread.id, %error, "responder failed");
        // The event has a code and `allow_retry`, and a message only for a custom error:
        // internal details never reach the client (see `StreamError::to_event`).
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
            out: &self.responder,
        };
        // Logged at `error`: the client is gone, so the log is the only place this can go.
        if let Err(error) = self.server.handle_stream_cancelled(cancelled).await {
            tracing::error!(thread = %self.thread.id, %error, "saving a cancelled stream failed");
        }
    }

    /// Sends one event to the client, as [`Pipeline::deliver`] does.
    ///
    /// In a turn that cannot be cancelled (`allow_cancel: false`) a client that left is not
    /// an error: the client showed no stop button, so the disconnect was a dropped network or
    /// a reload, not the user's choice. The turn runs to its end and stores everything it
    /// would have stored, and a reload shows the whole answer. (The reference cancels such a
    /// turn like any other, and the rest of the answer is lost.)
    async fn send(&self, event: &ThreadStreamEvent) -> Result<(), ClientGone> {
        match self.deliver(event).await {
            Err(ClientGone) if !self.options.allow_cancel => Ok(()),
            delivered => delivered,
        }
    }

    /// Frames one event as `data: <json>\n\n` and queues it; `Err` means the client is gone.
    async fn deliver(&self, event: &ThreadStreamEvent) -> Result<(), ClientGone> {
        // The wire form leaves out `None` fields, as the reference's `_serialize` does
        // (`exclude_none=True`).
        let json = match to_wire_json(event) {
            Ok(json) => json,
            Err(error) => {
                // Our own types always serialize; if one ever does not, skip it loudly rather
                // than send a broken frame.
                tracing::error!(%error, "an event could not be serialized");
                return Ok(());
            }
        };
        // No `event:` or `id:` lines, exactly the reference's `b"data: " + b + b"\n\n"`.
        let frame = Bytes::from(format!("data: {json}\n\n"));
        // Waits while the channel is full: this is where a slow client slows the responder.
        self.frames.send(frame).await.map_err(|_| ClientGone)
    }
}

/// The client's end of the channel is closed.
struct ClientGone;

/// Why handling one event stopped the stream. Two kinds, because they end differently: a
/// failure is reported to the client, a departure runs the cancellation hook.
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
        // A hidden item is not pending either: the cancellation hook only keeps what the user
        // saw, and the user never saw it.
        if item.is_hidden() {
            self.hidden.insert(item.id.clone());
            return false;
        }
        // The copy is the pipeline's own (the reference takes a deep copy too), so updates
        // applied to it do not depend on what the responder does with its item afterwards.
        // An id added twice keeps its first place in the order.
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
        // An update for an item that is not pending (added in an earlier stream, say) is
        // still sent, as the reference sends it; there is just no copy to apply it to.
        if let Some(item) = self.items.get_mut(item_id) {
            super::apply::apply_update(item, update);
        }
        true
    }

    /// Stops tracking an item that was done, replaced or removed; returns whether to send.
    fn finish(&mut self, item_id: &ItemId, hidden: bool) -> bool {
        // A scan of `order`: a stream has a handful of items pending at once.
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
