//! The test harness: a configurable server, a deterministic processor, and helpers that run
//! one request and read its answer back.
//!
//! It plays the part of the reference's `make_server` (`tests/test_chatkit_server.py`): a
//! [`TestServer`] whose hooks are closures, so each test says only what its responder does.
//! Requests are written as the JSON a client sends and go through
//! [`Processor::process`](chatkit::server::Processor::process), with no HTTP in between.
//!
//! Everything is deterministic: ids come from `SequentialIds` (`thr_0001`, `msg_0001`, …) and
//! time from a `FixedClock` that starts at 2025-01-02T03:04:05Z and moves one second per
//! reading, so snapshots hold the real bytes with nothing redacted.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use chatkit::clock::FixedClock;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::request::FeedbackKind;
use chatkit::protocol::{
    Action, AssistantMessage, AssistantMessageContent, InferenceOptions, ItemId, ItemKind,
    SyncCustomActionResponse, Thread, ThreadId, ThreadItem, ThreadMetadata, ThreadStreamEvent,
    Timestamp, TranscriptionResult, UserMessage, UserMessageContent, UserMessageItem,
};
use chatkit::server::{
    AudioInput, CancelledStream, ChatKitServer, EventStream, ProcessError, ProcessResult,
    Processor, ProcessorBuilder, Responder, persist_pending_on_cancel,
};
use chatkit::store::{MemoryStore, Store, UserContext};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Notify;

// ---- The server ----------------------------------------------------------------------------

type RespondFn = dyn Fn(ThreadMetadata, Option<UserMessageItem>, UserContext, Responder<UserContext>) -> EventStream
    + Send
    + Sync;
type ActionFn = dyn Fn(
        ThreadMetadata,
        Action,
        Option<ThreadItem>,
        UserContext,
        Responder<UserContext>,
    ) -> EventStream
    + Send
    + Sync;
type SyncActionFn = dyn Fn(ThreadMetadata, Action, Option<ThreadItem>, UserContext) -> SyncCustomActionResponse
    + Send
    + Sync;
type FeedbackFn = dyn Fn(ThreadId, Vec<ItemId>, FeedbackKind, UserContext) + Send + Sync;
type TranscribeFn = dyn Fn(AudioInput, UserContext) -> TranscriptionResult + Send + Sync;

/// A `ChatKitServer` whose hooks are closures; a hook left unset behaves as in the reference's
/// `make_server` (an empty response, ignored feedback, or an error saying it is not wired up).
#[derive(Default)]
pub(crate) struct TestServer {
    respond: Option<Box<RespondFn>>,
    action: Option<Box<ActionFn>>,
    sync_action: Option<Box<SyncActionFn>>,
    feedback: Option<Box<FeedbackFn>>,
    transcribe: Option<Box<TranscribeFn>>,
    /// Notified once the cancellation hook has saved what it keeps (see `notify_on_cancel`).
    cancelled: Option<Arc<Notify>>,
}

impl TestServer {
    /// A server whose `respond` yields nothing.
    pub(crate) fn new() -> Self {
        TestServer::default()
    }

    /// A server whose `respond` is `respond`.
    pub(crate) fn responding(
        respond: impl Fn(
            ThreadMetadata,
            Option<UserMessageItem>,
            UserContext,
            Responder<UserContext>,
        ) -> EventStream
        + Send
        + Sync
        + 'static,
    ) -> Self {
        TestServer {
            respond: Some(Box::new(respond)),
            ..TestServer::default()
        }
    }

    /// The same server, answering `threads.custom_action` with `action`.
    pub(crate) fn on_action(
        mut self,
        action: impl Fn(
            ThreadMetadata,
            Action,
            Option<ThreadItem>,
            UserContext,
            Responder<UserContext>,
        ) -> EventStream
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.action = Some(Box::new(action));
        self
    }

    /// The same server, answering `threads.sync_custom_action` with `sync_action`.
    pub(crate) fn on_sync_action(
        mut self,
        sync_action: impl Fn(
            ThreadMetadata,
            Action,
            Option<ThreadItem>,
            UserContext,
        ) -> SyncCustomActionResponse
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.sync_action = Some(Box::new(sync_action));
        self
    }

    /// The same server, passing `items.feedback` to `feedback`.
    pub(crate) fn on_feedback(
        mut self,
        feedback: impl Fn(ThreadId, Vec<ItemId>, FeedbackKind, UserContext) + Send + Sync + 'static,
    ) -> Self {
        self.feedback = Some(Box::new(feedback));
        self
    }

    /// The same server, answering `input.transcribe` with `transcribe`.
    pub(crate) fn on_transcribe(
        mut self,
        transcribe: impl Fn(AudioInput, UserContext) -> TranscriptionResult + Send + Sync + 'static,
    ) -> Self {
        self.transcribe = Some(Box::new(transcribe));
        self
    }

    /// The same server, notifying `done` after the default cancellation hook has run.
    ///
    /// The hook runs in the pipeline's task after the client went away, so a test that drops
    /// the stream needs to know when the store is final before it looks.
    pub(crate) fn notify_on_cancel(mut self, done: Arc<Notify>) -> Self {
        self.cancelled = Some(done);
        self
    }
}

#[async_trait]
impl ChatKitServer<UserContext> for TestServer {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        match &self.respond {
            Some(respond) => respond(thread, input, ctx, out),
            None => futures::stream::empty().boxed(),
        }
    }

    fn action(
        self: Arc<Self>,
        thread: ThreadMetadata,
        action: Action,
        sender: Option<ThreadItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> Result<EventStream, ProcessError> {
        match &self.action {
            Some(hook) => Ok(hook(thread, action, sender, ctx, out)),
            None => Err(ProcessError::Unsupported { hook: "action" }),
        }
    }

    async fn sync_action(
        &self,
        thread: ThreadMetadata,
        action: Action,
        sender: Option<ThreadItem>,
        ctx: UserContext,
    ) -> Result<SyncCustomActionResponse, ProcessError> {
        match &self.sync_action {
            Some(hook) => Ok(hook(thread, action, sender, ctx)),
            None => Err(ProcessError::Unsupported {
                hook: "sync_action",
            }),
        }
    }

    async fn add_feedback(
        &self,
        thread_id: ThreadId,
        item_ids: Vec<ItemId>,
        kind: FeedbackKind,
        ctx: UserContext,
    ) -> Result<(), ProcessError> {
        if let Some(hook) = &self.feedback {
            hook(thread_id, item_ids, kind, ctx);
        }
        Ok(())
    }

    async fn transcribe(
        &self,
        audio: AudioInput,
        ctx: UserContext,
    ) -> Result<TranscriptionResult, ProcessError> {
        match &self.transcribe {
            Some(hook) => Ok(hook(audio, ctx)),
            None => Err(ProcessError::Unsupported { hook: "transcribe" }),
        }
    }

    async fn handle_stream_cancelled(
        &self,
        cancelled: CancelledStream<'_, UserContext>,
    ) -> Result<(), ProcessError> {
        // The default behaviour, unchanged; the signal only tells the test it has finished.
        let saved = persist_pending_on_cancel(cancelled).await;
        if let Some(done) = &self.cancelled {
            done.notify_one();
        }
        saved
    }
}

// ---- The processor -------------------------------------------------------------------------

/// The first reading of every test's clock: 2025-01-02T03:04:05Z.
pub(crate) fn start_time() -> Timestamp {
    Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date")
}

/// The reference's `DEFAULT_CONTEXT`: `RequestContext(user_id="test_user")`.
pub(crate) fn ctx() -> UserContext {
    UserContext::new("test_user")
}

/// A processor builder over a fresh `MemoryStore` with sequential ids and the fixed clock.
pub(crate) fn builder(server: TestServer) -> ProcessorBuilder<UserContext> {
    builder_over(server, MemoryStore::new()).ids(SequentialIds::new())
}

/// A processor builder over `store`, with the fixed clock; ids are the store's own.
pub(crate) fn builder_over(
    server: TestServer,
    store: impl Store<UserContext> + 'static,
) -> ProcessorBuilder<UserContext> {
    Processor::builder(server, store).clock(FixedClock::at(start_time()))
}

/// A processor for `server` over a fresh `MemoryStore`, with no uploads.
pub(crate) fn processor(server: TestServer) -> Processor<UserContext> {
    builder(server).build()
}

// ---- Running requests ----------------------------------------------------------------------

/// The answer to a streaming request: the exact SSE text, and the same events parsed back.
#[derive(Debug)]
pub(crate) struct Streamed {
    /// Every frame, concatenated: what went over the wire.
    pub(crate) sse: String,
    /// The JSON of each frame, without `data: ` and the blank line.
    pub(crate) frames: Vec<String>,
    /// The frames parsed back into events.
    pub(crate) events: Vec<ThreadStreamEvent>,
}

impl Streamed {
    /// The thread of the `thread.created` event.
    pub(crate) fn created_thread(&self) -> &Thread {
        self.events
            .iter()
            .find_map(|event| match event {
                ThreadStreamEvent::ThreadCreated { thread } => Some(thread),
                _ => None,
            })
            .expect("the stream has a thread.created event")
    }

    /// The id of the thread of the `thread.created` event.
    pub(crate) fn thread_id(&self) -> ThreadId {
        self.created_thread().metadata.id.clone()
    }

    /// The `type` of every event, in order.
    pub(crate) fn types(&self) -> Vec<String> {
        self.events.iter().map(event_type).collect()
    }

    /// The items of every `thread.item.done` event, in order.
    pub(crate) fn done_items(&self) -> Vec<&ThreadItem> {
        self.events
            .iter()
            .filter_map(|event| match event {
                ThreadStreamEvent::ThreadItemDone { item } => Some(item),
                _ => None,
            })
            .collect()
    }
}

/// An event's wire `type` (`"thread.item.done"`, …).
pub(crate) fn event_type(event: &ThreadStreamEvent) -> String {
    let value = serde_json::to_value(event).expect("events serialize");
    value["type"]
        .as_str()
        .expect("every event has a type")
        .to_owned()
}

/// `{"type": op, "params": params}`: a request as the client sends it.
pub(crate) fn request(op: &str, params: Value) -> Value {
    json!({ "type": op, "params": params })
}

/// A `UserMessageInput` with one text part, no attachments and default options.
pub(crate) fn input(text: &str) -> Value {
    json!({
        "content": [{ "type": "input_text", "text": text }],
        "attachments": [],
        "inference_options": {}
    })
}

/// `threads.create` with a one-part text message.
pub(crate) fn create(text: &str) -> Value {
    request("threads.create", json!({ "input": input(text) }))
}

/// `items.list` for a thread with the default paging (newest first, 20).
pub(crate) fn items_list(thread_id: &ThreadId) -> Value {
    request("items.list", json!({ "thread_id": thread_id }))
}

/// Runs a streaming request as `test_user` and reads the stream to its end.
pub(crate) async fn stream(processor: &Processor<UserContext>, body: Value) -> Streamed {
    stream_as(processor, body, ctx()).await
}

/// Runs a streaming request as the user in `ctx` and reads the stream to its end.
pub(crate) async fn stream_as(
    processor: &Processor<UserContext>,
    body: Value,
    ctx: UserContext,
) -> Streamed {
    let ProcessResult::Stream(frames) = run(processor, body, ctx).await else {
        panic!("expected a stream, got a JSON body");
    };
    read_frames(frames.collect::<Vec<Bytes>>().await)
}

/// Parses SSE frames back into events, checking each is exactly `data: <json>\n\n`.
pub(crate) fn read_frames(frames: Vec<Bytes>) -> Streamed {
    let mut sse = String::new();
    let mut jsons = Vec::new();
    let mut events = Vec::new();
    for frame in frames {
        let text = std::str::from_utf8(&frame).expect("frames are UTF-8");
        let json = text
            .strip_prefix("data: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap_or_else(|| panic!("not an SSE data frame: {text:?}"));
        events.push(serde_json::from_str(json).expect("every frame is a ThreadStreamEvent"));
        jsons.push(json.to_owned());
        sse.push_str(text);
    }
    Streamed {
        sse,
        frames: jsons,
        events,
    }
}

/// Several streams in one snapshot: each under a `# <request type>` heading, bytes unchanged.
pub(crate) fn transcript(streams: &[(&str, &Streamed)]) -> String {
    streams
        .iter()
        .map(|(op, streamed)| format!("# {op}\n{}", streamed.sse))
        .collect()
}

/// One JSON line per value, in the store's encoding: a readable snapshot of stored items.
pub(crate) fn json_lines<T: serde::Serialize>(values: &[T]) -> String {
    values
        .iter()
        .map(|value| chatkit::protocol::to_store_json(value).expect("values serialize") + "\n")
        .collect()
}

/// A JSON body as text, for a snapshot of its exact bytes.
pub(crate) fn body_text(body: &Bytes) -> &str {
    std::str::from_utf8(body).expect("JSON bodies are UTF-8")
}

/// Runs a JSON request as `test_user` and returns the exact body.
pub(crate) async fn json_body(processor: &Processor<UserContext>, body: Value) -> Bytes {
    json_body_as(processor, body, ctx()).await
}

/// Runs a JSON request as the user in `ctx` and returns the exact body.
pub(crate) async fn json_body_as(
    processor: &Processor<UserContext>,
    body: Value,
    ctx: UserContext,
) -> Bytes {
    match run(processor, body, ctx).await {
        ProcessResult::Json(body) => body,
        ProcessResult::Stream(_) => panic!("expected a JSON body, got a stream"),
    }
}

/// Runs a JSON request as `test_user` and parses the body into `T`.
pub(crate) async fn json<T: serde::de::DeserializeOwned>(
    processor: &Processor<UserContext>,
    body: Value,
) -> T {
    let bytes = json_body(processor, body).await;
    serde_json::from_slice(&bytes).expect("the body parses")
}

/// Runs a request that must be refused before anything is sent, and returns why.
pub(crate) async fn refused(processor: &Processor<UserContext>, body: Value) -> ProcessError {
    let bytes = serde_json::to_vec(&body).expect("a request serializes");
    match processor.process(&bytes, ctx()).await {
        Err(error) => error,
        Ok(result) => panic!("expected the request to be refused, got {result:?}"),
    }
}

async fn run(processor: &Processor<UserContext>, body: Value, ctx: UserContext) -> ProcessResult {
    let bytes = serde_json::to_vec(&body).expect("a request serializes");
    processor
        .process(&bytes, ctx)
        .await
        .unwrap_or_else(|error| panic!("the request was refused: {error}"))
}

/// Every item of a thread, oldest first, straight from the store (hidden ones included).
pub(crate) async fn stored_items(
    processor: &Processor<UserContext>,
    thread_id: &ThreadId,
) -> Vec<ThreadItem> {
    let all = chatkit::store::PageRequest::first(1000, chatkit::protocol::Order::Asc);
    processor
        .store()
        .load_thread_items(thread_id, &all, &ctx())
        .await
        .expect("the items load")
        .data
}

// ---- Building items in a responder ----------------------------------------------------------

/// An assistant message with one text part in `thread`, stamped by the responder's clock.
pub(crate) fn assistant_message(
    out: &Responder<UserContext>,
    thread: &ThreadMetadata,
    id: &str,
    text: &str,
) -> ThreadItem {
    item(
        out,
        thread,
        id,
        ItemKind::AssistantMessage(AssistantMessage {
            content: vec![AssistantMessageContent::text(text)],
        }),
    )
}

/// A user message with one text part, as a responder may write one itself.
pub(crate) fn user_message(
    out: &Responder<UserContext>,
    thread: &ThreadMetadata,
    id: &str,
    text: &str,
) -> ThreadItem {
    item(
        out,
        thread,
        id,
        ItemKind::UserMessage(UserMessage {
            content: vec![UserMessageContent::text(text)],
            attachments: Vec::new(),
            quoted_text: None,
            inference_options: InferenceOptions::default(),
        }),
    )
}

/// An item of `thread` with the given id and kind, stamped now.
///
/// The reference's tests pick their own item ids (`"msg_1"`, `"assistant_a"`), so these
/// helpers take one instead of drawing it from the store with `Responder::item`.
pub(crate) fn item(
    out: &Responder<UserContext>,
    thread: &ThreadMetadata,
    id: &str,
    kind: ItemKind,
) -> ThreadItem {
    ThreadItem {
        id: ItemId::new(id),
        thread_id: thread.id.clone(),
        created_at: out.now(),
        kind,
    }
}

/// The text of the first part of a user or assistant message.
pub(crate) fn first_text(item: &ThreadItem) -> &str {
    match &item.kind {
        ItemKind::UserMessage(message) => match &message.content[0] {
            UserMessageContent::Text { text } | UserMessageContent::Tag { text, .. } => text,
        },
        ItemKind::AssistantMessage(message) => &message.content[0].text,
        other => panic!("not a message: {other:?}"),
    }
}

// ---- Recording what hooks receive ----------------------------------------------------------

/// A list the hooks of a test server push into and the test reads afterwards.
#[derive(Debug)]
pub(crate) struct Calls<T>(Arc<Mutex<Vec<T>>>);

impl<T> Clone for Calls<T> {
    fn clone(&self) -> Self {
        Calls(Arc::clone(&self.0))
    }
}

impl<T> Default for Calls<T> {
    fn default() -> Self {
        Calls(Arc::default())
    }
}

impl<T: Clone> Calls<T> {
    /// Records one call.
    pub(crate) fn push(&self, call: T) {
        self.0.lock().expect("not poisoned").push(call);
    }

    /// Every call so far, in order.
    pub(crate) fn all(&self) -> Vec<T> {
        self.0.lock().expect("not poisoned").clone()
    }
}
