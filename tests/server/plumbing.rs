//! What reaches the hooks: the request context, the composer's tool choice, decoded audio,
//! and ids from a store's own generators.

use std::sync::Mutex;

use async_stream::try_stream;
use async_trait::async_trait;
use chatkit::id_gen::IdKind;
use chatkit::protocol::{
    Attachment, AttachmentId, ItemId, ItemKind, Page, ThreadId, ThreadItem, ThreadMetadata,
    ThreadStreamEvent, TranscriptionResult,
};
use chatkit::server::AudioInput;
use chatkit::store::{MemoryStore, PageRequest, Store, StoreError, UserContext};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::{
    Calls, TestServer, assistant_message, builder_over, create, ctx, json, processor, request,
    stream, stream_as,
};

/// A server that records the user message `respond` gets and answers "ok".
fn recording_inputs(inputs: Calls<Option<ThreadItem>>) -> TestServer {
    TestServer::responding(move |thread, input, _ctx, out| {
        inputs.push(input.map(ThreadItem::from));
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "assistant_msg_tools", "ok"),
            };
        }
        .boxed()
    })
}

/// The `tool_choice.id` of a recorded user message.
fn tool_choice(input: &Option<ThreadItem>) -> Option<String> {
    match input.as_ref().map(|item| &item.kind) {
        Some(ItemKind::UserMessage(message)) => message
            .inference_options
            .tool_choice
            .as_ref()
            .map(|choice| choice.id.clone()),
        _ => None,
    }
}

/// A one-part text message whose composer picked the tool `tool`.
fn input_with_tool(text: &str, tool: &str) -> Value {
    json!({
        "content": [{ "type": "input_text", "text": text }],
        "attachments": [],
        "inference_options": { "tool_choice": { "id": tool } }
    })
}

#[tokio::test]
async fn flows_context_to_responder() {
    let respond_contexts: Calls<UserContext> = Calls::default();
    let feedback_contexts: Calls<UserContext> = Calls::default();
    let (seen_by_respond, seen_by_feedback) = (respond_contexts.clone(), feedback_contexts.clone());
    let server = TestServer::responding(move |thread, _input, ctx, out| {
        seen_by_respond.push(ctx);
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "msg_1", "Hello, world!"),
            };
        }
        .boxed()
    })
    .on_feedback(move |_thread_id, _item_ids, _kind, ctx| seen_by_feedback.push(ctx));
    let processor = processor(server);
    let context = UserContext::new("text_ctx");

    let streamed = stream_as(&processor, create("Hello, world!"), context.clone()).await;
    let feedback = request(
        "items.feedback",
        json!({ "thread_id": streamed.thread_id(), "item_ids": ["msg_1"], "kind": "positive" }),
    );
    crate::harness::json_body_as(&processor, feedback, context.clone()).await;

    assert_eq!(respond_contexts.all(), std::slice::from_ref(&context));
    assert_eq!(feedback_contexts.all(), [context]);
}

#[tokio::test]
async fn threads_create_passes_tools_to_responder() {
    // The reference asserts inside its responder. Here a panic in a responder becomes an
    // `error` event in the stream, which would not fail the test, so the input is recorded
    // and checked in the test body instead.
    let inputs: Calls<Option<ThreadItem>> = Calls::default();
    let processor = processor(recording_inputs(inputs.clone()));

    let streamed = stream(
        &processor,
        request(
            "threads.create",
            json!({ "input": input_with_tool("Hello with tools", "web_search") }),
        ),
    )
    .await;

    assert_eq!(tool_choice(&inputs.all()[0]).as_deref(), Some("web_search"));
    assert!(
        streamed
            .types()
            .iter()
            .any(|kind| kind == "thread.item.done")
    );
}

#[tokio::test]
async fn threads_add_message_passes_tools_to_responder() {
    let inputs: Calls<Option<ThreadItem>> = Calls::default();
    let processor = processor(recording_inputs(inputs.clone()));
    let thread_id = stream(
        &processor,
        request(
            "threads.create",
            json!({ "input": input_with_tool("Start", "retrieval") }),
        ),
    )
    .await
    .thread_id();

    let streamed = stream(
        &processor,
        request(
            "threads.add_user_message",
            json!({ "thread_id": thread_id, "input": input_with_tool("Second", "retrieval") }),
        ),
    )
    .await;

    assert_eq!(tool_choice(&inputs.all()[1]).as_deref(), Some("retrieval"));
    assert!(
        streamed
            .types()
            .iter()
            .any(|kind| kind == "thread.item.done")
    );
}

#[tokio::test]
async fn input_transcribe_decodes_base64_and_normalizes_mime_type() {
    let calls: Calls<(AudioInput, UserContext)> = Calls::default();
    let seen = calls.clone();
    let server = TestServer::new().on_transcribe(move |audio, ctx| {
        seen.push((audio, ctx));
        TranscriptionResult {
            text: "ok".to_owned(),
        }
    });
    let processor = processor(server);

    // "hello audio", base64-encoded.
    let result: TranscriptionResult = json(
        &processor,
        request(
            "input.transcribe",
            json!({ "audio_base64": "aGVsbG8gYXVkaW8=", "mime_type": "audio/webm;codecs=opus" }),
        ),
    )
    .await;

    assert_eq!(result.text, "ok");
    let (audio, seen_ctx) = calls.all().remove(0);
    assert_eq!(audio.data, b"hello audio");
    assert_eq!(audio.mime_type, "audio/webm;codecs=opus");
    assert_eq!(audio.media_type(), "audio/webm");
    assert_eq!(seen_ctx, ctx());
}

/// The reference's `UniqueIdStore`: one counter for every id, thread ids `thr_custom_<n>` and
/// item ids `<kind>_custom_<n>_<thread id>`. Everything else is a `MemoryStore`'s.
#[derive(Debug, Default)]
struct UniqueIdStore {
    inner: MemoryStore,
    counter: Mutex<u32>,
}

impl UniqueIdStore {
    fn next(&self) -> u32 {
        let mut counter = self.counter.lock().expect("not poisoned");
        *counter += 1;
        *counter
    }
}

#[async_trait]
impl Store<UserContext> for UniqueIdStore {
    fn generate_thread_id(&self, _ctx: &UserContext) -> ThreadId {
        ThreadId::new(format!("thr_custom_{}", self.next()))
    }

    fn generate_item_id(
        &self,
        kind: IdKind,
        thread: &ThreadMetadata,
        _ctx: &UserContext,
    ) -> ItemId {
        ItemId::new(format!(
            "{}_custom_{}_{}",
            kind.name(),
            self.next(),
            thread.id
        ))
    }

    async fn load_thread(
        &self,
        id: &ThreadId,
        ctx: &UserContext,
    ) -> Result<ThreadMetadata, StoreError> {
        self.inner.load_thread(id, ctx).await
    }

    async fn save_thread(
        &self,
        thread: &ThreadMetadata,
        ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.inner.save_thread(thread, ctx).await
    }

    async fn load_threads(
        &self,
        page: &PageRequest,
        ctx: &UserContext,
    ) -> Result<Page<ThreadMetadata>, StoreError> {
        self.inner.load_threads(page, ctx).await
    }

    async fn delete_thread(&self, id: &ThreadId, ctx: &UserContext) -> Result<(), StoreError> {
        self.inner.delete_thread(id, ctx).await
    }

    async fn load_thread_items(
        &self,
        thread_id: &ThreadId,
        page: &PageRequest,
        ctx: &UserContext,
    ) -> Result<Page<ThreadItem>, StoreError> {
        self.inner.load_thread_items(thread_id, page, ctx).await
    }

    async fn add_thread_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.inner.add_thread_item(thread_id, item, ctx).await
    }

    async fn save_item(
        &self,
        thread_id: &ThreadId,
        item: &ThreadItem,
        ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.inner.save_item(thread_id, item, ctx).await
    }

    async fn load_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &UserContext,
    ) -> Result<ThreadItem, StoreError> {
        self.inner.load_item(thread_id, item_id, ctx).await
    }

    async fn delete_thread_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.inner.delete_thread_item(thread_id, item_id, ctx).await
    }

    async fn save_attachment(
        &self,
        attachment: &Attachment,
        ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.inner.save_attachment(attachment, ctx).await
    }

    async fn load_attachment(
        &self,
        id: &AttachmentId,
        ctx: &UserContext,
    ) -> Result<Attachment, StoreError> {
        self.inner.load_attachment(id, ctx).await
    }

    async fn delete_attachment(
        &self,
        id: &AttachmentId,
        ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.inner.delete_attachment(id, ctx).await
    }
}

#[tokio::test]
async fn custom_id_generators_on_server() {
    let processor = builder_over(TestServer::new(), UniqueIdStore::default()).build();

    let streamed = stream(&processor, create("Hello")).await;

    assert_eq!(streamed.thread_id(), "thr_custom_1");
    assert_eq!(streamed.done_items()[0].id, "message_custom_2_thr_custom_1");
    crate::snapshot!("custom_id_generators_on_server", streamed.sse);
}
