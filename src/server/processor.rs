//! `Processor`: decodes a request and runs it, one function per operation.
//!
//! [`Processor::process`] is the whole server seen from the HTTP layer: bytes and a request
//! context in, a [`ProcessResult`] out (one JSON body, or a stream of SSE frames), or a
//! [`ProcessError`] before anything was sent. It mirrors the reference's
//! `ChatKitServer.process` and its `_process_non_streaming` / `_process_streaming_impl`
//! branches, with one rule the reference does not have: a streaming request does all its
//! checking (the thread exists and is the user's, the attachments exist, there is a pending
//! tool call, …) *before* the stream starts, so a failure is an HTTP status with a JSON error,
//! not a 200 stream that aborts, and a rejected request stores nothing.
//!
//! Where it sits: called by `http/` for every POST; spawns `pipeline.rs` for streams; reads
//! and writes through the [`Store`].

use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use futures::StreamExt;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::clock::{Clock, SystemClock};
use crate::id_gen::{IdGenerator, IdKind};
use crate::protocol::request::{
    AttachmentsCreateParams, AttachmentsDeleteParams, InputTranscribeParams, ItemsFeedbackParams,
    ItemsListParams, ThreadsAddClientToolOutputParams, ThreadsAddStructuredInputParams,
    ThreadsAddUserMessageParams, ThreadsCreateParams, ThreadsCustomActionParams,
    ThreadsDeleteParams, ThreadsGetByIdParams, ThreadsListParams, ThreadsRetryAfterItemParams,
    ThreadsUpdateParams,
};
use crate::protocol::{
    Attachment, ClientToolCallStatus, ItemId, ItemKind, Order, Page, Request, RequestOp,
    StreamOptions, Thread, ThreadId, ThreadItem, ThreadMetadata, ThreadStreamEvent, UserMessage,
    UserMessageInput, UserMessageItem, to_wire_json,
};
use crate::store::{
    AttachmentStore, LocalTurnLocks, NoUploads, PageRequest, Store, StoreContext, TurnLock,
    TurnLocks,
};

use super::error::ProcessError;
use super::pipeline::Pipeline;
use super::responder::Responder;
use super::structured_input::apply_submission;
use super::turn::{Frames, TurnHandle};
use super::{AudioInput, ChatKitServer, EventStream, SharedServer};

/// The page size of `threads.get_by_id`, and of the lists when the client sends no limit.
///
/// The reference's `DEFAULT_PAGE_SIZE`, kept equal so a client sees the same first page from
/// either server.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// How many SSE frames may wait for a slow client before the responder is paused.
///
/// Bounded, so a client that reads slowly slows the responder down (the pipeline's `send`
/// waits) instead of letting frames pile up in memory; 32 frames absorb the bursts of a
/// model's deltas without making a fast client wait on the pipeline.
const STREAM_BUFFER: usize = 32;

/// What a request produced.
///
/// The reference's `NonStreamingResult` / `StreamingResult` pair as one enum, so the HTTP
/// layer matches on it once to pick the content type.
#[derive(Debug)]
pub enum ProcessResult {
    /// One compact JSON body (`application/json`).
    Json(Bytes),
    /// SSE frames (`text/event-stream`), each `data: <json>\n\n`, ending when the stream ends;
    /// [`Frames::turn`] tells when the turn behind them is over, which can be later.
    Stream(Frames),
}

/// Everything a streaming request prepared before its first byte, for the pipeline task to
/// take over: the thread and context, the stream options, the responder (for the
/// cancellation hook's ids and time), the events already decided (`prelude`) and the
/// responder's stream.
struct Turn<C: StoreContext + Clone + 'static> {
    thread: ThreadMetadata,
    ctx: C,
    options: StreamOptions,
    responder: Responder<C>,
    prelude: Vec<ThreadStreamEvent>,
    events: EventStream,
}

/// Runs ChatKit requests against a server, a store and an optional attachment store.
///
/// Every field is an `Arc`, so cloning a processor (once per HTTP request, by axum's state)
/// copies pointers, and a spawned pipeline can keep what it needs after the request returns.
/// The store and the server are trait objects rather than type parameters so that one
/// `Processor<C>` type serves every store and handler a binary picks at run time.
pub struct Processor<C: StoreContext + Clone + 'static> {
    /// The integration's hooks: `respond`, `action`, and the optional ones.
    server: SharedServer<C>,
    /// Threads, items and attachment records; every operation below goes through it.
    store: Arc<dyn Store<C>>,
    /// Only `attachments.create` and `attachments.delete` use it; [`NoUploads`] unless the
    /// builder was given one, so that a server without uploads says so with a 501.
    attachments: Arc<dyn AttachmentStore<C>>,
    /// Where new ids come from when the builder was given a generator; `None` asks the store
    /// (its `generate_thread_id` / `generate_item_id`), as the reference always does.
    ids: Option<Arc<dyn IdGenerator>>,
    clock: Arc<dyn Clock>,
    /// One turn per thread: the store's own locks if it shares them between instances,
    /// else locks in this process's memory.
    turn_locks: Arc<dyn TurnLocks>,
}

impl<C: StoreContext + Clone + 'static> Clone for Processor<C> {
    fn clone(&self) -> Self {
        Processor {
            server: Arc::clone(&self.server),
            store: Arc::clone(&self.store),
            attachments: Arc::clone(&self.attachments),
            ids: self.ids.clone(),
            clock: Arc::clone(&self.clock),
            turn_locks: Arc::clone(&self.turn_locks),
        }
    }
}

// By hand: the server and the stores are trait objects with no `Debug`.
impl<C: StoreContext + Clone + 'static> std::fmt::Debug for Processor<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Processor`]: the attachment store, the id generator and the clock are
/// optional. Ids and time are injected here and nowhere else, so one builder makes a run
/// deterministic:
///
/// ```
/// # use chatkit::prelude::*;
/// # use chatkit::clock::FixedClock;
/// # use chatkit::id_gen::SequentialIds;
/// # use chatkit::store::MemoryStore;
/// # struct Echo;
/// # impl ChatKitServer<UserContext> for Echo {
/// #     fn respond(self: Arc<Self>, _: ThreadMetadata, _: Option<UserMessageItem>,
/// #                _: UserContext, _: Responder<UserContext>) -> EventStream {
/// #         futures::stream::empty().boxed()
/// #     }
/// # }
/// # use chatkit::protocol::Timestamp;
/// let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date");
/// let processor = Processor::builder(Echo, MemoryStore::new())
///     .ids(SequentialIds::new()) // thr_0001, msg_0001, …
///     .clock(FixedClock::at(start))
///     .build();
/// ```
pub struct ProcessorBuilder<C: StoreContext + Clone + 'static> {
    processor: Processor<C>,
}

impl<C: StoreContext + Clone + 'static> std::fmt::Debug for ProcessorBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessorBuilder").finish_non_exhaustive()
    }
}

impl<C: StoreContext + Clone + 'static> ProcessorBuilder<C> {
    /// Handles `attachments.create` / `attachments.delete` with `attachments`.
    pub fn attachments(mut self, attachments: impl AttachmentStore<C> + 'static) -> Self {
        self.processor.attachments = Arc::new(attachments);
        self
    }

    /// Makes every new thread and item id with `ids` (`SequentialIds` in tests) instead of the
    /// store's own generator.
    pub fn ids(mut self, ids: impl IdGenerator + 'static) -> Self {
        self.processor.ids = Some(Arc::new(ids));
        self
    }

    /// Stamps new threads, messages and notes with `clock` (a `FixedClock` in tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.processor.clock = Arc::new(clock);
        self
    }

    /// Keeps turns apart with `locks` instead of the store's own (or, for a store without,
    /// locks in this process's memory): a lock service of your own, such as Redis, for a
    /// store that several instances share but that brings no locks.
    pub fn turn_locks(mut self, locks: impl TurnLocks + 'static) -> Self {
        self.processor.turn_locks = Arc::new(locks);
        self
    }

    /// The configured processor.
    pub fn build(self) -> Processor<C> {
        self.processor
    }
}

impl<C: StoreContext + Clone + 'static> Processor<C> {
    /// A processor for `server` over `store`, with no uploads and the system clock.
    pub fn builder(
        server: impl ChatKitServer<C>,
        store: impl Store<C> + 'static,
    ) -> ProcessorBuilder<C> {
        // Asked once: a store that several instances share brings locks they share too.
        let turn_locks = store
            .turn_locks()
            .unwrap_or_else(|| Arc::new(LocalTurnLocks::new()));
        ProcessorBuilder {
            processor: Processor {
                server: Arc::new(server),
                store: Arc::new(store),
                attachments: Arc::new(NoUploads),
                ids: None,
                clock: Arc::new(SystemClock),
                turn_locks,
            },
        }
    }

    /// The store this processor reads and writes.
    pub fn store(&self) -> &Arc<dyn Store<C>> {
        &self.store
    }

    /// Decodes `body` and runs the request it names for the user in `ctx`.
    ///
    /// # Errors
    ///
    /// A [`ProcessError`] when the body does not decode or the request cannot start; once a
    /// stream has started, failures are `error` events inside it instead.
    pub async fn process(&self, body: &[u8], ctx: C) -> Result<ProcessResult, ProcessError> {
        // The whole body is decoded before anything else runs, as the reference's
        // `TypeAdapter(ChatKitReq).validate_json`: a body that is not a request is a 400
        // and touches no store.
        let request = Request::from_slice(body)?;
        tracing::debug!(op = request.op.type_name(), "processing request");
        // Roles next, before any load: a refusal must not depend on (or reveal) whether the
        // thread the request names exists.
        ctx.authorize(&request.op)?;
        // One arm per op, each handing off to one function: the routing stays readable as a
        // table, and every operation's checks live in its own function below. The reference
        // first splits streaming from non-streaming ops (`is_streaming_req`); here the
        // return type says which it was, so both kinds sit in one `match`.
        match request.op {
            RequestOp::ThreadsCreate(params) => self.threads_create(params, ctx).await,
            RequestOp::ThreadsAddUserMessage(params) => {
                self.threads_add_user_message(params, ctx).await
            }
            RequestOp::ThreadsAddClientToolOutput(params) => {
                self.threads_add_client_tool_output(params, ctx).await
            }
            RequestOp::ThreadsAddStructuredInput(params) => {
                self.threads_add_structured_input(params, ctx).await
            }
            RequestOp::ThreadsRetryAfterItem(params) => {
                self.threads_retry_after_item(params, ctx).await
            }
            RequestOp::ThreadsCustomAction(params) => self.threads_custom_action(params, ctx).await,
            RequestOp::ThreadsGetById(params) => self.threads_get_by_id(params, &ctx).await,
            RequestOp::ThreadsList(params) => self.threads_list(params, &ctx).await,
            RequestOp::ItemsList(params) => self.items_list(params, &ctx).await,
            RequestOp::ItemsFeedback(params) => self.items_feedback(params, ctx).await,
            RequestOp::AttachmentsCreate(params) => self.attachments_create(params, &ctx).await,
            RequestOp::AttachmentsDelete(params) => self.attachments_delete(params, &ctx).await,
            RequestOp::ThreadsUpdate(params) => self.threads_update(params, &ctx).await,
            RequestOp::ThreadsDelete(params) => self.threads_delete(params, &ctx).await,
            RequestOp::InputTranscribe(params) => self.input_transcribe(params, ctx).await,
            RequestOp::ThreadsSyncCustomAction(params) => {
                self.threads_sync_custom_action(params, ctx).await
            }
        }
    }

    // ---- JSON operations -------------------------------------------------------------
    //
    // The branches of the reference's `_process_non_streaming`. Each one answers with one
    // JSON body, so every failure is naturally "before the first byte": nothing has been
    // sent until the function returns `Ok`.

    /// `threads.get_by_id`: the thread with its first page of items, hidden ones left out.
    ///
    /// Checks first: the thread exists and is this user's (`load_thread`, a 404 otherwise).
    /// Mirrors the `ThreadsGetByIdReq` branch (`_load_full_thread`, then
    /// `_to_thread_response`).
    async fn threads_get_by_id(
        &self,
        params: ThreadsGetByIdParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        let thread = self.store.load_thread(&params.thread_id, ctx).await?;
        // The reference opens a thread at its *oldest* 20 items, ascending.
        let first_page = PageRequest::first(DEFAULT_PAGE_SIZE, Order::Asc);
        let items = self
            .store
            .load_thread_items(&thread.id, &first_page, ctx)
            .await?;
        // Hidden items are dropped after the page is cut, as the reference does, so the page
        // may hold fewer than 20 items while `has_more` and `after` still describe the store.
        json(&Thread::for_client(&thread, without_hidden(items)))
    }

    /// `threads.list`: one page of the user's threads, each without items or `metadata`.
    ///
    /// No check beyond the store's own: another user's threads are simply not in the page,
    /// and an unknown `after` is a 400. Mirrors the `ThreadsListReq` branch.
    async fn threads_list(
        &self,
        params: ThreadsListParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        let page = PageRequest {
            after: params.after.map(|id| id.to_string()),
            limit: page_size(params.limit),
            order: params.order,
        };
        let threads = self.store.load_threads(&page, ctx).await?;
        // Each thread goes through `for_client`, which leaves out the integration's
        // `metadata` (the reference's `_to_thread_response`): it is the server's, not the
        // client's.
        json(&Page {
            data: threads
                .data
                .iter()
                .map(|thread| Thread::for_client(thread, Page::empty()))
                .collect(),
            has_more: threads.has_more,
            after: threads.after,
        })
    }

    /// `items.list`: one page of a thread's items, hidden ones left out.
    ///
    /// Checks first: the thread exists and is this user's. Mirrors the `ItemsListReq`
    /// branch, including its filter of hidden context items after loading.
    async fn items_list(
        &self,
        params: ItemsListParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        // Unlike the reference, an unknown or foreign thread is a 404, not an empty page.
        self.store.load_thread(&params.thread_id, ctx).await?;
        let page = PageRequest {
            after: params.after.map(|id| id.to_string()),
            limit: page_size(params.limit),
            order: params.order,
        };
        let items = self
            .store
            .load_thread_items(&params.thread_id, &page, ctx)
            .await?;
        json(&without_hidden(items))
    }

    /// `items.feedback`: hands the feedback to the integration's `add_feedback` hook.
    ///
    /// Unlike the reference, an unknown or foreign thread is a 404 before the hook runs, so a
    /// hook never records feedback on another user's thread. Mirrors the `ItemsFeedbackReq`
    /// branch, which answers `{}`.
    async fn items_feedback(
        &self,
        params: ItemsFeedbackParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        self.store.load_thread(&params.thread_id, &ctx).await?;
        self.server
            .add_feedback(params.thread_id, params.item_ids, params.kind, ctx)
            .await?;
        Ok(empty_object())
    }

    /// `attachments.create`: the attachment store makes the record (and its upload URL), then
    /// the store keeps it.
    ///
    /// In that order, as the `AttachmentsCreateReq` branch does: if creating fails (or uploads
    /// are not configured, a 501), no record is left behind pointing at nothing.
    async fn attachments_create(
        &self,
        params: AttachmentsCreateParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        let attachment = self.attachments.create_attachment(&params, ctx).await?;
        self.store.save_attachment(&attachment, ctx).await?;
        json(&attachment)
    }

    /// `attachments.delete`: checks that the attachment is this user's, then deletes the
    /// uploaded bytes, then the record.
    ///
    /// The check is ours: the reference answers `{}` for any id, so a client cannot tell a
    /// deleted attachment from a mistyped one, and an attachment store that keys its files by
    /// id alone would delete another user's bytes. Loading the record first makes an unknown
    /// or foreign id a 404 before anything is touched.
    ///
    /// Then the `AttachmentsDeleteReq` branch's order. If deleting the bytes fails, the record
    /// is still there and the client can try again; the other order could leave bytes that no
    /// record points to any more.
    async fn attachments_delete(
        &self,
        params: AttachmentsDeleteParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        self.store
            .load_attachment(&params.attachment_id, ctx)
            .await?;
        self.attachments
            .delete_attachment(&params.attachment_id, ctx)
            .await?;
        self.store
            .delete_attachment(&params.attachment_id, ctx)
            .await?;
        Ok(empty_object())
    }

    /// `threads.update`: a new title.
    ///
    /// Checks first: the thread exists and is this user's. Mirrors the `ThreadsUpdateReq`
    /// branch: load, change the title, save the whole metadata back. Two renames at once are
    /// not serialised; the last save wins, as in the reference.
    async fn threads_update(
        &self,
        params: ThreadsUpdateParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        let mut thread = self.store.load_thread(&params.thread_id, ctx).await?;
        thread.title = Some(params.title);
        self.store.save_thread(&thread, ctx).await?;
        json(&Thread::for_client(&thread, Page::empty()))
    }

    /// `threads.delete`: the thread and its items; attachments stay, as in the reference.
    ///
    /// Mirrors the `ThreadsDeleteReq` branch, with a check first that the reference lacks.
    async fn threads_delete(
        &self,
        params: ThreadsDeleteParams,
        ctx: &C,
    ) -> Result<ProcessResult, ProcessError> {
        // Under the turn lock: deleting a thread while its turn runs would leave the turn
        // writing items into a thread that no longer exists (the stores have no foreign keys).
        let lock = self.lock_turn(&params.thread_id, ctx).await?;
        // Unlike the reference, deleting a thread the user does not have is a 404.
        let deleted = match self.store.load_thread(&params.thread_id, ctx).await {
            Ok(_) => self.store.delete_thread(&params.thread_id, ctx).await,
            Err(error) => Err(error),
        };
        lock.release().await;
        deleted?;
        Ok(empty_object())
    }

    /// `input.transcribe`: decodes the audio and hands it to the `transcribe` hook.
    ///
    /// Checks first: the audio is valid base64 (a 400 otherwise), so the hook only ever sees
    /// the bytes the client meant. Mirrors the `InputTranscribeReq` branch; an integration
    /// without the hook answers 501.
    async fn input_transcribe(
        &self,
        params: InputTranscribeParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        // Strict decoding: the reference silently drops characters that are not base64.
        let data = base64::engine::general_purpose::STANDARD
            .decode(params.audio_base64.as_bytes())
            .map_err(|error| ProcessError::BadInput {
                message: format!("audio_base64 is not valid base64: {error}"),
            })?;
        let audio = AudioInput {
            data,
            mime_type: params.mime_type,
        };
        let result = self.server.transcribe(audio, ctx).await?;
        json(&result)
    }

    /// `threads.sync_custom_action`: an action answered with one JSON body, not a stream.
    ///
    /// Checks first: the thread is this user's and open (409 otherwise), and the sender, if named, is a widget of it
    /// (a 400 otherwise, where the reference raises `ValueError`, a 500). Mirrors
    /// `_process_sync_custom_action`; an integration without `sync_action` answers 501.
    async fn threads_sync_custom_action(
        &self,
        params: ThreadsCustomActionParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        let thread = self.store.load_thread(&params.thread_id, &ctx).await?;
        ProcessError::ensure_open(&thread)?;
        let sender = self
            .load_widget_sender(&thread, params.item_id.as_ref(), &ctx)
            .await?;
        let response = self
            .server
            .sync_action(thread, params.action, sender, ctx)
            .await?;
        json(&response)
    }

    // ---- Streaming operations: prelude here, the rest in the pipeline --------------------
    //
    // The branches of the reference's `_process_streaming_impl`. Each function does every
    // check and every write that can fail for a reason the client should hear as a status
    // (404, 409, 400, 501), then hands the stream to the pipeline. Once `stream` has been
    // called, the response is a 200 and any later failure is an in-band `error` event.
    //
    // Every request that adds to an existing thread first asks `ensure_open`: a locked or
    // closed thread takes no new work (409 `thread_locked` / `thread_closed`), checked before
    // anything is written, so a refused request changes nothing. The reference leaves this to
    // the client's composer, which any other client can ignore.

    /// `threads.create`: a new thread, the user's first message, and the answer to it.
    ///
    /// Checks first: every attachment the message names exists for this user. Mirrors the
    /// `ThreadsCreateReq` branch, then `_process_new_thread_item_respond`; the client gets
    /// `thread.created`, the message's `thread.item.done`, then the responder's events.
    async fn threads_create(
        &self,
        params: ThreadsCreateParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        // Load the attachments before saving anything: a missing one must leave no thread behind.
        let attachments = self.load_attachments(&params.input, &ctx).await?;
        let thread = ThreadMetadata::new(self.new_thread_id(&ctx), self.clock.now());
        // Locked like any thread with a turn running: a second tab that already knows the
        // new thread's id cannot start a turn beside its first one.
        let lock = self.lock_turn(&thread.id, &ctx).await?;
        let turn = self
            .create_turn(thread, params.input, attachments, ctx)
            .await;
        self.start(turn, lock).await
    }

    async fn create_turn(
        &self,
        thread: ThreadMetadata,
        input: UserMessageInput,
        attachments: Vec<Attachment>,
        ctx: C,
    ) -> Result<Turn<C>, ProcessError> {
        // Saved before the first byte, so the `thread.created` the client will read names a
        // thread that a reload can already find.
        self.store.save_thread(&thread, &ctx).await?;
        let created = ThreadStreamEvent::ThreadCreated {
            thread: Thread::for_client(&thread, Page::empty()),
        };
        self.answer_new_message(thread, input, attachments, ctx, vec![created])
            .await
    }

    /// `threads.add_user_message`: the user's next message and the answer to it.
    ///
    /// Checks first: the thread is this user's (404) and open (409), then the attachments
    /// exist (404), all before the message is stored. Mirrors the `ThreadsAddUserMessageReq`
    /// branch, then `_process_new_thread_item_respond`.
    async fn threads_add_user_message(
        &self,
        params: ThreadsAddUserMessageParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        let lock = self.lock_turn(&params.thread_id, &ctx).await?;
        let turn = self.add_user_message_turn(params, ctx).await;
        self.start(turn, lock).await
    }

    async fn add_user_message_turn(
        &self,
        params: ThreadsAddUserMessageParams,
        ctx: C,
    ) -> Result<Turn<C>, ProcessError> {
        let thread = self.load_open_thread(&params.thread_id, &ctx).await?;
        let attachments = self.load_attachments(&params.input, &ctx).await?;
        self.answer_new_message(thread, params.input, attachments, ctx, Vec::new())
            .await
    }

    /// `threads.add_client_tool_output`: the client ran a tool; record its output and let
    /// the responder continue, with no new user message.
    ///
    /// Checks first: the thread is this user's (404) and open (409), and a client tool call is
    /// pending (409, where the reference raises `ValueError` inside a started stream). Mirrors
    /// the `ThreadsAddClientToolOutputReq` branch and `_cleanup_pending_client_tool_call`.
    async fn threads_add_client_tool_output(
        &self,
        params: ThreadsAddClientToolOutputParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        let lock = self.lock_turn(&params.thread_id, &ctx).await?;
        let turn = self.client_tool_output_turn(params, ctx).await;
        self.start(turn, lock).await
    }

    async fn client_tool_output_turn(
        &self,
        params: ThreadsAddClientToolOutputParams,
        ctx: C,
    ) -> Result<Turn<C>, ProcessError> {
        let thread = self.load_open_thread(&params.thread_id, &ctx).await?;
        // Unlike the reference, which looks at the newest item only (so an `end_of_turn` or a
        // hidden note after the call breaks it), take the newest pending call among the last 20.
        let newest = PageRequest::first(DEFAULT_PAGE_SIZE, Order::Desc);
        let recent = self
            .store
            .load_thread_items(&thread.id, &newest, &ctx)
            .await?
            .data;
        let mut pending_calls = recent.into_iter().filter(is_pending_client_tool_call);
        let Some(mut call) = pending_calls.next() else {
            return Err(ProcessError::Conflict {
                message: format!("Thread {} has no pending client tool call", thread.id),
            });
        };
        if let ItemKind::ClientToolCall(tool_call) = &mut call.kind {
            tool_call.output = Some(params.result);
            tool_call.status = ClientToolCallStatus::Completed;
        }
        // Saved before `respond` starts, so the history the responder loads already holds
        // the output; `save_item`, because the call is stored and is being replaced.
        self.store.save_item(&thread.id, &call, &ctx).await?;
        // Older calls still pending can never be answered now; the reference deletes them too.
        for stale in pending_calls {
            tracing::warn!(item = %stale.id, "client tool call was not completed, removing it");
            self.store
                .delete_thread_item(&thread.id, &stale.id, &ctx)
                .await?;
        }
        self.respond_turn(thread, None, ctx, Vec::new())
    }

    /// `threads.add_structured_input`: the user answered a structured-input item; record the
    /// answers and let the responder continue.
    ///
    /// Checks first: the thread is this user's and holds the item (404), is open (409), the
    /// item is a structured input (400) and still pending (409). Mirrors the
    /// `ThreadsAddStructuredInputReq` branch and `_apply_structured_input_submission`.
    async fn threads_add_structured_input(
        &self,
        params: ThreadsAddStructuredInputParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        let lock = self.lock_turn(&params.thread_id, &ctx).await?;
        let turn = self.structured_input_turn(params, ctx).await;
        self.start(turn, lock).await
    }

    async fn structured_input_turn(
        &self,
        params: ThreadsAddStructuredInputParams,
        ctx: C,
    ) -> Result<Turn<C>, ProcessError> {
        let thread = self.load_open_thread(&params.thread_id, &ctx).await?;
        let item = self
            .store
            .load_item(&thread.id, &params.item_id, &ctx)
            .await?;
        let answered = apply_submission(&item, &params.input)?;
        let options = self.server.get_stream_options(&thread, None, &ctx);
        let responder = self.responder(&thread, &ctx);
        let respond = guarded(|| {
            let out = responder.clone();
            Ok(Arc::clone(&self.server).respond(thread.clone(), None, ctx.clone(), out))
        })?;
        // The replacement goes through the pipeline, which saves it like any other event.
        // The reference keeps it inside `_process_events` for the same reason (its
        // `stream_structured_input_response`), so it comes after `stream_options` and is
        // saved only once the stream has started.
        let replaced = ThreadStreamEvent::ThreadItemReplaced { item: answered };
        let events =
            Box::pin(futures::stream::once(async { Ok(replaced) }).chain(respond)) as EventStream;
        Ok(Turn {
            thread,
            ctx,
            options,
            responder,
            prelude: Vec::new(),
            events,
        })
    }

    /// `threads.retry_after_item`: forget everything after one of the user's messages and
    /// answer that message again.
    ///
    /// Checks first: the thread is this user's and open (409), the item is in it (404, where
    /// the reference sends an empty 200 stream), and it is a user message (400). Only then are
    /// the newer items deleted, so a refused retry deletes nothing. Mirrors the
    /// `ThreadsRetryAfterItemReq` branch and `_paginate_thread_items_reverse`.
    async fn threads_retry_after_item(
        &self,
        params: ThreadsRetryAfterItemParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        let lock = self.lock_turn(&params.thread_id, &ctx).await?;
        let turn = self.retry_turn(params, ctx).await;
        self.start(turn, lock).await
    }

    async fn retry_turn(
        &self,
        params: ThreadsRetryAfterItemParams,
        ctx: C,
    ) -> Result<Turn<C>, ProcessError> {
        let thread = self.load_open_thread(&params.thread_id, &ctx).await?;
        let (target, newer) = self.items_after(&thread.id, &params.item_id, &ctx).await?;
        let target =
            UserMessageItem::try_from(target).map_err(|item| ProcessError::WrongItemKind {
                message: format!("Item {} is not a user message", item.id),
            })?;
        for item in newer {
            self.store
                .delete_thread_item(&thread.id, &item.id, &ctx)
                .await?;
        }
        self.respond_turn(thread, Some(target), ctx, Vec::new())
    }

    /// `threads.custom_action`: a widget (or the client) dispatched an action; the
    /// integration's `action` hook streams the response.
    ///
    /// Checks first: the thread is this user's and open (409), the sender, if named, is a
    /// widget of it (400, where the reference streams a non-retryable `stream.error`), and the
    /// hook exists (501). Mirrors the `ThreadsCustomActionReq` branch.
    async fn threads_custom_action(
        &self,
        params: ThreadsCustomActionParams,
        ctx: C,
    ) -> Result<ProcessResult, ProcessError> {
        let lock = self.lock_turn(&params.thread_id, &ctx).await?;
        let turn = self.custom_action_turn(params, ctx).await;
        self.start(turn, lock).await
    }

    async fn custom_action_turn(
        &self,
        params: ThreadsCustomActionParams,
        ctx: C,
    ) -> Result<Turn<C>, ProcessError> {
        let thread = self.load_open_thread(&params.thread_id, &ctx).await?;
        let sender = self
            .load_widget_sender(&thread, params.item_id.as_ref(), &ctx)
            .await?;
        let options = self.server.get_stream_options(&thread, None, &ctx);
        let responder = self.responder(&thread, &ctx);
        // An unimplemented `action` is refused here, as a 501 before the first byte: a
        // stream that could only end in an error no retry can fix would be worse.
        let events = guarded(|| {
            let out = responder.clone();
            Arc::clone(&self.server).action(thread.clone(), params.action, sender, ctx.clone(), out)
        })?;
        Ok(Turn {
            thread,
            ctx,
            options,
            responder,
            prelude: Vec::new(),
            events,
        })
    }

    // ---- Helpers -------------------------------------------------------------------------

    /// The thread's turn lock, or a 409 `thread_busy` if a turn on it is running (here or,
    /// with a shared store, on another instance).
    ///
    /// Taken first, before the thread is even loaded: what the turn checks (the thread is
    /// this user's, open, holds a pending call) and the metadata it saves back must be read
    /// under the lock, or a turn that just ended (closing the thread, renaming it) could be
    /// undone by one that read the thread before. The key includes the user, so another
    /// user's thread id is never "busy": it is not found, after the lock.
    async fn lock_turn(&self, thread_id: &ThreadId, ctx: &C) -> Result<TurnLock, ProcessError> {
        match self.turn_locks.try_lock(ctx.user_id(), thread_id).await? {
            Some(lock) => Ok(lock),
            None => Err(ProcessError::ThreadBusy {
                thread_id: thread_id.clone(),
            }),
        }
    }

    /// The thread, if it is this user's (404) and takes new work (409).
    async fn load_open_thread(
        &self,
        thread_id: &ThreadId,
        ctx: &C,
    ) -> Result<ThreadMetadata, ProcessError> {
        let thread = self.store.load_thread(thread_id, ctx).await?;
        ProcessError::ensure_open(&thread)?;
        Ok(thread)
    }

    /// Streams `turn` under `lock`, or, if preparing it failed, gives the lock back first and
    /// then answers the error: a client that retries at once must not find the thread busy
    /// with its own refused request.
    async fn start(
        &self,
        turn: Result<Turn<C>, ProcessError>,
        lock: TurnLock,
    ) -> Result<ProcessResult, ProcessError> {
        match turn {
            Ok(turn) => Ok(self.stream(turn, lock)),
            Err(error) => {
                lock.release().await;
                Err(error)
            }
        }
    }

    /// Stores the user's new message, then prepares `prelude`, the message's `done`, and the
    /// answer `respond()` gives it: the shared tail of `threads.create` and
    /// `threads.add_user_message`, the reference's `_process_new_thread_item_respond`.
    async fn answer_new_message(
        &self,
        thread: ThreadMetadata,
        input: UserMessageInput,
        attachments: Vec<Attachment>,
        ctx: C,
        mut prelude: Vec<ThreadStreamEvent>,
    ) -> Result<Turn<C>, ProcessError> {
        let user_message = self
            .store_user_message(&thread, input, attachments, &ctx)
            .await?;
        // The message's `done` is part of the prelude, not a pipeline event: it is already
        // stored, and the pipeline must not insert it a second time.
        prelude.push(ThreadStreamEvent::ThreadItemDone {
            item: user_message.clone().into_item(),
        });
        self.respond_turn(thread, Some(user_message), ctx, prelude)
    }

    /// Starts `respond()` for `input`, to be streamed after `prelude`.
    fn respond_turn(
        &self,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: C,
        prelude: Vec<ThreadStreamEvent>,
    ) -> Result<Turn<C>, ProcessError> {
        // Asked before `respond()` takes the input: whether a turn may be cancelled can
        // depend on what the user asked for.
        let options = self
            .server
            .get_stream_options(&thread, input.as_ref(), &ctx);
        let responder = self.responder(&thread, &ctx);
        // `respond` is called here, before the stream is spawned, so a handler that panics
        // while building its stream is a 500 with nothing sent. Its stream is not polled yet:
        // that happens in the pipeline, after the prelude and `stream_options`.
        let events = guarded(|| {
            let out = responder.clone();
            Ok(Arc::clone(&self.server).respond(thread.clone(), input, ctx.clone(), out))
        })?;
        Ok(Turn {
            thread,
            ctx,
            options,
            responder,
            prelude,
            events,
        })
    }

    /// Spawns the pipeline for `turn` and returns the client's end of its channel; `lock` is
    /// the thread's, held until the turn ends.
    fn stream(&self, turn: Turn<C>, lock: TurnLock) -> ProcessResult {
        // The pipeline writes into `frames`; `http/sse.rs` reads `receiver` as the body. When
        // hyper drops the body (the client left), `frames.closed()` tells the pipeline.
        let (frames, receiver) = mpsc::channel(STREAM_BUFFER);
        let pipeline = Pipeline {
            server: Arc::clone(&self.server),
            store: Arc::clone(&self.store),
            responder: turn.responder,
            thread: turn.thread,
            ctx: turn.ctx,
            options: turn.options,
            frames,
        };
        let (prelude, events) = (turn.prelude, turn.events);
        // The one task the server spawns: it owns the stream until it ends or the client leaves.
        // The guard lives as long as the task's future, so the handle completes however the
        // task ends, a panic included.
        let (guard, handle) = TurnHandle::new();
        tokio::spawn(async move {
            let _guard = guard;
            pipeline.run(prelude, events, lock).await;
        });
        ProcessResult::Stream(Frames::new(ReceiverStream::new(receiver), handle))
    }

    /// A responder bound to `thread`, making ids as [`Processor::new_item_id`] does.
    fn responder(&self, thread: &ThreadMetadata, ctx: &C) -> Responder<C> {
        // The closure owns a clone of the processor (all `Arc`s) and of the thread and
        // context, because the responder lives inside a `'static` stream.
        let processor = self.clone();
        let owner = thread.clone();
        let id_ctx = ctx.clone();
        let ids = Arc::new(move |kind: IdKind| processor.new_item_id(kind, &owner, &id_ctx));
        Responder::new(
            thread.id.clone(),
            ids,
            Arc::clone(&self.clock),
            Arc::clone(&self.store),
            ctx.clone(),
        )
    }

    /// A new thread id: from the injected generator, else from the store.
    ///
    /// The store is the default because the reference lets a store override its ids
    /// (`generate_thread_id`), for example to match an existing database's scheme; the
    /// builder's generator exists so tests need not write a store to get `thr_0001`.
    fn new_thread_id(&self, ctx: &C) -> ThreadId {
        match &self.ids {
            Some(ids) => ThreadId::new(ids.generate(IdKind::Thread)),
            None => self.store.generate_thread_id(ctx),
        }
    }

    /// A new item id: from the injected generator, else from the store.
    fn new_item_id(&self, kind: IdKind, thread: &ThreadMetadata, ctx: &C) -> ItemId {
        match &self.ids {
            Some(ids) => ItemId::new(ids.generate(kind)),
            None => self.store.generate_item_id(kind, thread, ctx),
        }
    }

    /// Every attachment the message names, or the 404 of the first missing one.
    ///
    /// A separate step from linking them (`store_user_message`), so that all of them are
    /// known to exist before anything is written.
    async fn load_attachments(
        &self,
        input: &UserMessageInput,
        ctx: &C,
    ) -> Result<Vec<Attachment>, ProcessError> {
        let mut attachments = Vec::with_capacity(input.attachments.len());
        for id in &input.attachments {
            let attachment = self.store.load_attachment(id, ctx).await?;
            // Not in the reference: a file that never arrived is refused now, with the message
            // unsaved, rather than failing the turn when the model input is built.
            self.attachments.check_ready(&attachment, ctx).await?;
            attachments.push(attachment);
        }
        Ok(attachments)
    }

    /// Builds the user's message item, links its attachments to the thread, and stores both.
    async fn store_user_message(
        &self,
        thread: &ThreadMetadata,
        input: UserMessageInput,
        attachments: Vec<Attachment>,
        ctx: &C,
    ) -> Result<UserMessageItem, ProcessError> {
        // Each attachment is saved again with its thread, as the reference does ("now that
        // they have a thread id"), before the message that uses them.
        let mut linked = attachments;
        for attachment in &mut linked {
            attachment.thread_id = Some(thread.id.clone());
            self.store.save_attachment(attachment, ctx).await?;
        }
        let message = UserMessageItem {
            id: self.new_item_id(IdKind::Message, thread, ctx),
            thread_id: thread.id.clone(),
            // The injected clock, like every other timestamp (`datetime.now()` in the
            // reference's `_build_user_message_item`).
            created_at: self.clock.now(),
            message: UserMessage {
                content: input.content,
                attachments: linked,
                quoted_text: input.quoted_text,
                inference_options: input.inference_options,
            },
        };
        self.store
            .add_thread_item(&thread.id, &message.clone().into_item(), ctx)
            .await?;
        Ok(message)
    }

    /// The widget an action came from; any other kind of item is refused.
    ///
    /// Shared by the streaming and the sync action, so both refuse a non-widget sender the
    /// same way, before the hook runs.
    async fn load_widget_sender(
        &self,
        thread: &ThreadMetadata,
        item_id: Option<&ItemId>,
        ctx: &C,
    ) -> Result<Option<ThreadItem>, ProcessError> {
        let Some(item_id) = item_id else {
            return Ok(None);
        };
        let item = self.store.load_item(&thread.id, item_id, ctx).await?;
        if !matches!(item.kind, ItemKind::Widget { .. }) {
            return Err(ProcessError::WrongItemKind {
                message: format!("Item {item_id} is not a widget"),
            });
        }
        Ok(Some(item))
    }

    /// The item `item_id` and every item newer than it, paging newest first.
    ///
    /// Newest first, because a retry usually targets one of the last messages: the walk
    /// stops at the target and never reads the older part of a long thread.
    async fn items_after(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &C,
    ) -> Result<(ThreadItem, Vec<ThreadItem>), ProcessError> {
        let mut newer = Vec::new();
        let mut page = PageRequest::first(DEFAULT_PAGE_SIZE, Order::Desc);
        loop {
            let items = self.store.load_thread_items(thread_id, &page, ctx).await?;
            for item in items.data {
                if &item.id == item_id {
                    return Ok((item, newer));
                }
                newer.push(item);
            }
            match (items.has_more, items.after) {
                (true, Some(cursor)) => {
                    page = PageRequest::after(cursor, DEFAULT_PAGE_SIZE, Order::Desc)
                }
                // Unlike the reference (an empty 200 stream), an unknown item is a 404.
                _ => {
                    return Err(crate::store::StoreError::ItemNotFound {
                        thread_id: thread_id.clone(),
                        id: item_id.clone(),
                    }
                    .into());
                }
            }
        }
    }
}

/// Whether `item` is a client tool call still waiting for the client's output.
fn is_pending_client_tool_call(item: &ThreadItem) -> bool {
    matches!(&item.kind, ItemKind::ClientToolCall(call) if call.status == ClientToolCallStatus::Pending)
}

/// Calls a handler's `respond` / `action`; a panic there becomes an error, not a dropped
/// connection. (A panic *inside* the returned stream is caught by the pipeline.)
fn guarded(
    call: impl FnOnce() -> Result<EventStream, ProcessError>,
) -> Result<EventStream, ProcessError> {
    // `AssertUnwindSafe`: after a panic the closure's captures are dropped unused, so no
    // half-updated state is observed afterwards.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|_| {
        Err(ProcessError::Failed {
            message: "the handler panicked while starting its stream".to_owned(),
        })
    })
}

/// The page size a list request asked for: absent or 0 means [`DEFAULT_PAGE_SIZE`].
fn page_size(limit: Option<u32>) -> usize {
    // The reference's `params.limit or DEFAULT_PAGE_SIZE`: Python treats 0 as false, so a
    // limit of 0 asks for the default page, not for an empty one.
    match limit {
        None | Some(0) => DEFAULT_PAGE_SIZE,
        Some(limit) => limit as usize,
    }
}

/// Drops hidden items from a page after loading it, as the reference does.
fn without_hidden(mut page: Page<ThreadItem>) -> Page<ThreadItem> {
    page.data.retain(|item| !item.is_hidden());
    page
}

/// One JSON body in the wire form: `None` fields left out, as the reference's `_serialize`.
fn json<T: Serialize>(value: &T) -> Result<ProcessResult, ProcessError> {
    // Serializing the protocol types does not fail; if it ever did, the detail is for the
    // logs and the client gets a plain 500.
    let body = to_wire_json(value).map_err(|error| ProcessError::Failed {
        message: error.to_string(),
    })?;
    Ok(ProcessResult::Json(Bytes::from(body)))
}

/// `{}`: the body of feedback, deletes and a sync action with no updated item.
fn empty_object() -> ProcessResult {
    ProcessResult::Json(Bytes::from_static(b"{}"))
}
