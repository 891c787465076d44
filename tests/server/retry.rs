//! `threads.retry_after_item`: drop everything after a user message and answer it again.

use async_stream::try_stream;
use chatkit::protocol::{ItemKind, Page, ThreadItem, ThreadStreamEvent};
use chatkit::server::{ProcessError, StreamError};
use futures::StreamExt;
use serde_json::json;

use crate::harness::{
    Calls, TestServer, assistant_message, create, first_text, input, items_list, json, processor,
    refused, request, stream,
};

/// `(type, first text)` of each item, as `items.list` returns them (newest first).
fn summary(page: &Page<ThreadItem>) -> Vec<(&'static str, String)> {
    page.data
        .iter()
        .map(|item| {
            let kind = match item.kind {
                ItemKind::UserMessage(_) => "user_message",
                ItemKind::AssistantMessage(_) => "assistant_message",
                _ => "other",
            };
            (kind, first_text(item).to_owned())
        })
        .collect()
}

#[tokio::test]
async fn retry_after_item() {
    let inputs: Calls<Option<ThreadItem>> = Calls::default();
    let seen = inputs.clone();
    let server = TestServer::responding(move |thread, input, _ctx, out| {
        seen.push(input.map(ThreadItem::from));
        let first = seen.all().len() == 1;
        try_stream! {
            let reply = if first {
                assistant_message(&out, &thread, "assistant_msg_1", "First response")
            } else {
                assistant_message(&out, &thread, "assistant_msg_2", "Retried response")
            };
            yield ThreadStreamEvent::ThreadItemDone { item: reply };
        }
        .boxed()
    });
    let processor = processor(server);
    let thread_id = stream(&processor, create("Hello, world!"))
        .await
        .thread_id();

    let before: Page<ThreadItem> = json(&processor, items_list(&thread_id)).await;
    assert_eq!(
        summary(&before),
        [
            ("assistant_message", "First response".to_owned()),
            ("user_message", "Hello, world!".to_owned())
        ]
    );
    let user_message_id = before.data[1].id.clone();

    let retried = stream(
        &processor,
        request(
            "threads.retry_after_item",
            json!({ "thread_id": thread_id, "item_id": user_message_id }),
        ),
    )
    .await;

    assert_eq!(retried.types(), ["stream_options", "thread.item.done"]);
    assert_eq!(first_text(retried.done_items()[0]), "Retried response");
    // `respond` got the same stored user message both times.
    let calls = inputs.all();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], calls[1]);
    assert_eq!(
        first_text(calls[0].as_ref().expect("a user message")),
        "Hello, world!"
    );
    let after: Page<ThreadItem> = json(&processor, items_list(&thread_id)).await;
    assert_eq!(
        summary(&after),
        [
            ("assistant_message", "Retried response".to_owned()),
            ("user_message", "Hello, world!".to_owned())
        ]
    );
    crate::snapshot!("retry_after_item", retried.sse);
}

#[tokio::test]
async fn retry_after_item_invalid_item() {
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "assistant_msg_1", "Response"),
            };
        }
        .boxed()
    });
    let processor = processor(server);
    let thread_id = stream(&processor, create("Hello")).await.thread_id();
    let items: Page<ThreadItem> = json(&processor, items_list(&thread_id)).await;
    let assistant_item_id = items.data[0].id.clone();

    // The reference starts a 200 stream and raises `ValueError` while it is read; here the
    // request is refused before any byte is sent, so the client gets a status and a message.
    let error = refused(
        &processor,
        request(
            "threads.retry_after_item",
            json!({ "thread_id": thread_id, "item_id": assistant_item_id }),
        ),
    )
    .await;

    assert!(matches!(error, ProcessError::WrongItemKind { .. }));
    assert!(error.to_string().contains("is not a user message"));
}

#[tokio::test]
async fn retry_after_item_with_multiple_messages() {
    let inputs: Calls<Option<ThreadItem>> = Calls::default();
    let seen = inputs.clone();
    let server = TestServer::responding(move |thread, input, _ctx, out| {
        seen.push(input.clone().map(ThreadItem::from));
        let n = seen.all().len();
        try_stream! {
            let input = input.ok_or_else(|| StreamError::failed("expected a user message"))?;
            let reply = format!("Response to: {}", input.text());
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, &format!("assistant_msg_{n}"), &reply),
            };
        }
        .boxed()
    });
    let processor = processor(server);
    let thread_id = stream(&processor, create("First message"))
        .await
        .thread_id();
    stream(
        &processor,
        request(
            "threads.add_user_message",
            json!({ "thread_id": thread_id, "input": input("Second message") }),
        ),
    )
    .await;
    let before: Page<ThreadItem> = json(&processor, items_list(&thread_id)).await;
    assert_eq!(before.data.len(), 4);
    let second_user_message_id = before.data[1].id.clone();

    let retried = stream(
        &processor,
        request(
            "threads.retry_after_item",
            json!({ "thread_id": thread_id, "item_id": second_user_message_id }),
        ),
    )
    .await;

    assert_eq!(retried.types(), ["stream_options", "thread.item.done"]);
    let calls = inputs.all();
    assert_eq!(calls.len(), 3);
    assert_eq!(
        first_text(calls[2].as_ref().expect("a user message")),
        "Second message"
    );
    // Only the answer to the second message was dropped and written again.
    let after: Page<ThreadItem> = json(&processor, items_list(&thread_id)).await;
    assert_eq!(
        summary(&after),
        [
            (
                "assistant_message",
                "Response to: Second message".to_owned()
            ),
            ("user_message", "Second message".to_owned()),
            ("assistant_message", "Response to: First message".to_owned()),
            ("user_message", "First message".to_owned()),
        ]
    );
    assert_ne!(after.data[0].id, before.data[0].id);
    crate::snapshot!("retry_after_item_with_multiple_messages", retried.sse);
}
