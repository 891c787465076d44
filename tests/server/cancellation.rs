//! The client goes away mid-stream: what the server keeps.
//!
//! The reference simulates a disconnect by raising `asyncio.CancelledError` inside the
//! responder. Here the test does what the HTTP layer does when the socket closes: it drops its
//! end of the stream after the frames it wanted. The pipeline notices, drops the responder and
//! runs the default `handle_stream_cancelled` hook; no HTTP is needed to exercise that path.
//!
//! The reference's tests also patch the store's id generator so it can make `shcx_` ids; the
//! Rust generators know every prefix, so the note is simply `shcx_0001`.

use std::sync::Arc;
use std::time::Duration;

use async_stream::try_stream;
use chatkit::protocol::{
    AssistantMessage, ItemId, ItemKind, Order, ThreadItemUpdate, ThreadStreamEvent,
};
use chatkit::server::{CANCELLED_NOTE, Processor};
use chatkit::store::{PageRequest, StoreError, UserContext};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::Notify;

use crate::harness::{
    Streamed, TestServer, assistant_message, create, ctx, item, json_lines, processor, read_frames,
    stored_items,
};

/// Runs `body`, reads `frames` frames, then disconnects and waits for the cancellation hook.
async fn disconnect_after(
    processor: &Processor<UserContext>,
    body: Value,
    frames: usize,
    cancelled: &Notify,
) -> Streamed {
    let bytes = serde_json::to_vec(&body).expect("a request serializes");
    let result = processor
        .process(&bytes, ctx())
        .await
        .expect("the stream starts");
    let chatkit::server::ProcessResult::Stream(stream) = result else {
        panic!("expected a stream");
    };
    // `take` drops the receiver once it has yielded `frames` frames: the disconnect.
    let seen = stream.take(frames).collect().await;
    tokio::time::timeout(Duration::from_secs(5), cancelled.notified())
        .await
        .expect("the cancellation hook ran");
    read_frames(seen)
}

#[tokio::test]
async fn stream_cancellation_persists_pending_assistant_message_and_hidden_context() {
    let cancelled = Arc::new(Notify::new());
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            let pending = assistant_message(&out, &thread, "assistant-message-pending", "Hello, ");
            yield ThreadStreamEvent::ThreadItemAdded { item: pending };
            yield ThreadStreamEvent::ThreadItemUpdated {
                item_id: ItemId::new("assistant-message-pending"),
                update: ThreadItemUpdate::ContentPartTextDelta {
                    content_index: 0,
                    delta: "World!".to_owned(),
                },
            };
            // Keep the turn open: the client leaves before it ends.
            futures::future::pending::<()>().await;
        }
        .boxed()
    })
    .notify_on_cancel(Arc::clone(&cancelled));
    let processor = processor(server);

    // created, the user's message, stream_options, added, updated.
    let streamed = disconnect_after(&processor, create("Hello"), 5, &cancelled).await;
    let thread_id = streamed.thread_id();

    let newest = processor
        .store()
        .load_thread_items(&thread_id, &PageRequest::first(1, Order::Desc), &ctx())
        .await
        .expect("the items load");
    assert!(matches!(
        &newest.data[0].kind,
        ItemKind::SdkHiddenContext { content } if content == CANCELLED_NOTE
    ));
    let kept = processor
        .store()
        .load_item(
            &thread_id,
            &ItemId::new("assistant-message-pending"),
            &ctx(),
        )
        .await
        .expect("the pending message was kept");
    assert!(matches!(
        &kept.kind,
        ItemKind::AssistantMessage(AssistantMessage { content }) if content[0].text == "Hello, World!"
    ));
    let stored = stored_items(&processor, &thread_id).await;
    crate::snapshot!(
        "stream_cancellation_persists_pending_assistant_message_and_hidden_context",
        json_lines(&stored)
    );
}

#[tokio::test]
async fn stream_cancellation_does_not_persist_pending_empty_assistant_message() {
    let cancelled = Arc::new(Notify::new());
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            let empty = ItemKind::AssistantMessage(AssistantMessage { content: Vec::new() });
            yield ThreadStreamEvent::ThreadItemAdded {
                item: item(&out, &thread, "assistant-message-pending", empty),
            };
            futures::future::pending::<()>().await;
        }
        .boxed()
    })
    .notify_on_cancel(Arc::clone(&cancelled));
    let processor = processor(server);

    // created, the user's message, stream_options, added.
    let streamed = disconnect_after(&processor, create("Hello"), 4, &cancelled).await;
    let thread_id = streamed.thread_id();

    let stored = stored_items(&processor, &thread_id).await;
    let newest = stored.last().expect("the thread has items");
    assert!(matches!(
        &newest.kind,
        ItemKind::SdkHiddenContext { content } if content == CANCELLED_NOTE
    ));
    let missing = processor
        .store()
        .load_item(
            &thread_id,
            &ItemId::new("assistant-message-pending"),
            &ctx(),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::ItemNotFound { .. })));
}
