//! The ChatKit server: the [`ChatKitServer`] trait you implement, and the [`Processor`] that
//! runs every request through it.
//!
//! A ChatKit backend answers one kind of HTTP call: a POST whose JSON body names an operation.
//! Ten operations answer with one JSON body (list threads, rename one, …) and six with a stream
//! of [`ThreadStreamEvent`]s (a new message, a tool's output, a widget action, …). The request
//! flow:
//!
//! ```text
//! body ─► Processor::process ─► decode (400 on a bad body)
//!                            ├─► JSON ops: one store call or hook ─► ProcessResult::Json
//!                            └─► streaming ops: prelude (load, check, save the user message;
//!                                 any failure is an HTTP status) ─► spawn the pipeline task
//!                                 ─► ProcessResult::Stream of SSE frames
//! pipeline: stream_options ─► your respond()/action() events ─► persist (done inserts,
//!           replaced upserts, removed deletes) ─► frame ─► channel ─► client
//! ```
//!
//! What you write is [`ChatKitServer::respond`]: given the thread, the user's new message and
//! the request context, return a stream of events. Everything else (persistence, the event
//! order, hiding hidden items, errors, cancellation) is the processor's job, as in the Python
//! SDK's `chatkit/server.py::ChatKitServer`.
//!
//! # Writing a responder
//!
//! [`EventStream`] is a boxed stream, and the idiom this crate uses everywhere is
//! [`try_stream!`](crate::prelude::try_stream), which reads like Python's `async def … yield`:
//! `yield` an event, use `?` on anything that can fail (every error of this library converts
//! into a [`StreamError`]), loop and await as usual. [`crate::prelude`] brings all of it in.
//!
//! ```
//! use chatkit::prelude::*;
//!
//! struct Echo;
//!
//! impl ChatKitServer<UserContext> for Echo {
//!     fn respond(
//!         self: Arc<Self>,
//!         thread: ThreadMetadata,
//!         input: Option<UserMessageItem>,
//!         ctx: UserContext,
//!         out: Responder<UserContext>,
//!     ) -> EventStream {
//!         try_stream! {
//!             // The thread so far, newest first, straight from the store.
//!             let page = PageRequest::first(20, Order::Desc);
//!             let history = out.store().load_thread_items(&thread.id, &page, &ctx).await?;
//!             let said = input.map(|message| message.text()).unwrap_or_default();
//!             let text = format!("{}, you said {said:?}; {} items so far.", ctx.user_id, history.data.len());
//!             yield out.assistant_message(text);
//!         }
//!         .boxed()
//!     }
//! }
//! ```
//!
//! Why a boxed stream and not `async fn` or `impl Stream`: the processor holds the server as
//! `Arc<dyn ChatKitServer<C>>`, and neither of those is allowed in a trait used as a trait
//! object (rustc 1.95, error E0038). The stream is `'static`, so `respond` takes its inputs by
//! value and `self` as an `Arc`, which the stream can keep.
//!
//! # Changing the thread
//!
//! A responder never mutates the thread behind the server's back (the reference diffs a
//! mutable thread after every event). To rename a thread, lock it or change its image
//! domains, yield [`Responder::thread_updated`] with the new metadata: the pipeline saves it
//! and sends `thread.updated` at exactly that point in the stream.

// Private modules with a curated `pub use` below: a reader of the API sees one flat
// `chatkit::server::…` namespace, and the files stay free to split or merge without breaking
// anyone's imports.
mod apply;
mod cancel;
mod error;
mod pipeline;
mod processor;
mod responder;
mod structured_input;
mod turn;
mod widget_stream;

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::protocol::request::FeedbackKind;
use crate::protocol::{
    Action, ItemId, StreamOptions, SyncCustomActionResponse, ThreadId, ThreadItem, ThreadMetadata,
    ThreadStreamEvent, TranscriptionResult, UserMessageItem,
};
use crate::store::StoreContext;

pub use cancel::{CANCELLED_NOTE, CancelledStream, persist_pending_on_cancel};
pub use error::{ProcessError, StreamError};
pub use processor::{DEFAULT_PAGE_SIZE, ProcessResult, Processor, ProcessorBuilder};
pub use responder::Responder;
pub use structured_input::apply_submission;
pub use turn::{Frames, TurnHandle};
pub use widget_stream::diff_widget;

/// The stream a responder returns: events, or an error that ends the stream.
///
/// Boxed because the processor holds the server as a trait object; see the module doc.
pub type EventStream = BoxStream<'static, Result<ThreadStreamEvent, StreamError>>;

/// Dictated audio to transcribe: the decoded bytes and the client's MIME type.
///
/// The processor decodes the request's base64 before the hook runs, so a hook gets bytes and
/// never has to handle (or forget to handle) a decoding error; the reference's `AudioInput`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInput {
    /// The audio bytes.
    pub data: Vec<u8>,
    /// The raw MIME type, parameters included (`audio/webm;codecs=opus`).
    pub mime_type: String,
}

impl AudioInput {
    /// The media type without parameters (`audio/webm`).
    pub fn media_type(&self) -> &str {
        // Browsers record `audio/webm;codecs=opus` and the like; a transcription service
        // usually wants the bare media type, which the reference's property gives too.
        self.mime_type
            .split_once(';')
            .map_or(self.mime_type.as_str(), |(media_type, _)| media_type)
    }
}

/// Your ChatKit backend: how it answers a message, and the optional hooks of the reference.
///
/// Only [`respond`](ChatKitServer::respond) is required. The hooks' defaults match the
/// reference: feedback is ignored, stream options allow cancelling, a cancelled stream keeps
/// what was shown. The other hooks ([`action`](ChatKitServer::action),
/// [`sync_action`](ChatKitServer::sync_action), [`transcribe`](ChatKitServer::transcribe))
/// answer [`ProcessError::Unsupported`] until implemented: HTTP 501 with a JSON error, before
/// any stream starts, since no retry could ever succeed.
///
/// `#[async_trait]` for the hooks that answer with one value (`sync_action`, `add_feedback`,
/// `transcribe`), for the same dyn-compatibility reason as the boxed stream; `respond` and
/// `action` are plain functions returning an [`EventStream`], whose work happens when the
/// stream is polled.
#[async_trait]
pub trait ChatKitServer<C: StoreContext + Clone + 'static>: Send + Sync + 'static {
    /// Streams the answer to `input`, the user message just stored (the reference's
    /// `input_user_message`). It is `None` after a client tool's output or a structured-input
    /// answer, when the thread itself says what to do next.
    ///
    /// `out` builds items with injected ids and time, and reaches the store
    /// ([`Responder::store`]) for the thread's history.
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: C,
        out: Responder<C>,
    ) -> EventStream;

    /// Streams the reaction to a widget action (`threads.custom_action`). `sender` is the
    /// widget item the action came from, if any.
    ///
    /// # Errors
    ///
    /// [`ProcessError::Unsupported`] unless implemented; any error here is an HTTP status
    /// before the first byte of the stream.
    fn action(
        self: Arc<Self>,
        thread: ThreadMetadata,
        action: Action,
        sender: Option<ThreadItem>,
        ctx: C,
        out: Responder<C>,
    ) -> Result<EventStream, ProcessError> {
        // Unlike `respond`, this returns a `Result`: the processor calls it before the first
        // byte, so "not implemented" is a 501 rather than a stream that can only fail. The
        // `let _` keeps the parameter names (they show in the docs) without unused warnings.
        let _ = (thread, action, sender, ctx, out);
        Err(ProcessError::Unsupported { hook: "action" })
    }

    /// Answers a widget action with one updated item (`threads.sync_custom_action`).
    ///
    /// # Errors
    ///
    /// [`ProcessError::Unsupported`] unless implemented.
    async fn sync_action(
        &self,
        thread: ThreadMetadata,
        action: Action,
        sender: Option<ThreadItem>,
        ctx: C,
    ) -> Result<SyncCustomActionResponse, ProcessError> {
        let _ = (thread, action, sender, ctx);
        Err(ProcessError::Unsupported {
            hook: "sync_action",
        })
    }

    /// Records thumbs up or down on items (`items.feedback`). The default ignores it.
    ///
    /// # Errors
    ///
    /// Whatever the implementation returns; the default never fails.
    async fn add_feedback(
        &self,
        thread_id: ThreadId,
        item_ids: Vec<ItemId>,
        kind: FeedbackKind,
        ctx: C,
    ) -> Result<(), ProcessError> {
        // `Ok`, not `Unsupported`: the reference's default does nothing and answers `{}`, and
        // a client's thumbs-up should not show an error because a server keeps no feedback.
        let _ = (thread_id, item_ids, kind, ctx);
        Ok(())
    }

    /// Turns dictated audio into text (`input.transcribe`).
    ///
    /// # Errors
    ///
    /// [`ProcessError::Unsupported`] unless implemented.
    async fn transcribe(
        &self,
        audio: AudioInput,
        ctx: C,
    ) -> Result<TranscriptionResult, ProcessError> {
        let _ = (audio, ctx);
        Err(ProcessError::Unsupported { hook: "transcribe" })
    }

    /// Options for one stream; the default lets the client cancel it.
    ///
    /// Synchronous, as in the reference: the processor calls it before the stream starts,
    /// and an await there would delay every stream's first event.
    ///
    /// `input` is the user message the turn answers (`None` for a tool output, a structured
    /// input answer or a widget action), so a turn that changes state can refuse to be
    /// stopped halfway. With `allow_cancel: false` the client shows no stop button, and a
    /// disconnect does not cancel the turn: it runs to its end and stores everything, unseen.
    /// (The reference's hook sees only the thread and the context, and cancels on any
    /// disconnect.)
    fn get_stream_options(
        &self,
        thread: &ThreadMetadata,
        input: Option<&UserMessageItem>,
        ctx: &C,
    ) -> StreamOptions {
        let _ = (thread, input, ctx);
        StreamOptions { allow_cancel: true }
    }

    /// Runs when the client goes away mid-stream, with the items that were added but not yet
    /// done. The default keeps what the user saw, as the reference does: see
    /// [`persist_pending_on_cancel`].
    ///
    /// # Errors
    ///
    /// A store failure, which the pipeline logs (there is no client left to tell).
    async fn handle_stream_cancelled(
        &self,
        cancelled: CancelledStream<'_, C>,
    ) -> Result<(), ProcessError> {
        persist_pending_on_cancel(cancelled).await
    }
}

/// A server shared between requests, as the processor holds it.
///
/// An `Arc` because every streaming request's pipeline task keeps a handle after the HTTP
/// handler returns; `dyn` so the processor's type does not name the integration's.
pub type SharedServer<C> = Arc<dyn ChatKitServer<C>>;
