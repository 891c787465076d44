//! Deliberate differences from the reference that none of its tests cover.
//!
//! Each test names the reference behaviour it replaces (protocol#sdk-quirks lists them as
//! quirks) and says why the Rust server does otherwise. The common thread: a request that
//! cannot be served is refused *before* the first SSE byte, with a typed error the HTTP layer
//! turns into a status, instead of a 200 stream that aborts or says nothing.

use async_stream::try_stream;
use chatkit::protocol::{
    ClientToolCall, ClientToolCallStatus, ItemKind, Page, ThreadItem, ThreadStreamEvent,
};
use chatkit::server::ProcessError;
use chatkit::store::StoreError;
use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::{
    TestServer, assistant_message, create, input, item, items_list, json, processor, refused,
    request, stored_items, stream,
};

/// The kind of a hidden-context item.
fn hidden() -> ItemKind {
    ItemKind::HiddenContext {
        content: Value::String("only the model sees this".to_owned()),
    }
}

#[tokio::test]
async fn hidden_items_are_never_sent_through_added_replaced_or_done() {
    // The reference hides a hidden item's `done` but sends its `added` and `replaced` events
    // (protocol#quirk-hidden-leak). Here no event carrying a hidden item reaches the client;
    // the store still gets it, since it is context for the model.
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemAdded { item: item(&out, &thread, "hidden_1", hidden()) };
            yield ThreadStreamEvent::ThreadItemDone { item: item(&out, &thread, "hidden_1", hidden()) };
            yield ThreadStreamEvent::ThreadItemReplaced { item: item(&out, &thread, "hidden_1", hidden()) };
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "msg_visible", "Visible"),
            };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Hello")).await;

    assert_eq!(
        streamed.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done"
        ]
    );
    assert!(!streamed.sse.contains("hidden_1"));
    let stored = stored_items(&processor, &streamed.thread_id()).await;
    assert!(stored.iter().any(|item| item.id == "hidden_1"));
    let listed: Page<ThreadItem> = json(&processor, items_list(&streamed.thread_id())).await;
    assert!(listed.data.iter().all(|item| item.id != "hidden_1"));
    crate::snapshot!(
        "hidden_items_are_never_sent_through_added_replaced_or_done",
        streamed.sse
    );
}

#[tokio::test]
async fn add_user_message_to_an_unknown_thread_is_refused_before_streaming() {
    // The reference answers 200 with an event-stream and then aborts the body
    // (protocol#quirk-aborted-stream), so the client sees a broken connection. Here the
    // prelude fails first: ThreadNotFound, a 404.
    let processor = processor(TestServer::new());

    let error = refused(
        &processor,
        request(
            "threads.add_user_message",
            json!({ "thread_id": "thr_missing", "input": input("Hello") }),
        ),
    )
    .await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::ThreadNotFound { .. })
    ));
}

#[tokio::test]
async fn threads_create_with_an_unknown_attachment_stores_no_thread() {
    // The reference has already saved the thread and sent `thread.created` when the missing
    // attachment is found (protocol#quirk-aborted-stream). Here attachments are loaded first,
    // so nothing is saved.
    let processor = processor(TestServer::new());
    let mut message = input("Hello");
    message["attachments"] = json!(["atc_missing"]);

    let error = refused(
        &processor,
        request("threads.create", json!({ "input": message })),
    )
    .await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::AttachmentNotFound { .. })
    ));
    let threads: Page<Value> = json(&processor, request("threads.list", json!({}))).await;
    assert!(threads.data.is_empty());
}

#[tokio::test]
async fn retry_after_an_unknown_item_is_item_not_found() {
    // The reference answers with an empty stream, not even `stream_options`
    // (protocol#quirk-empty-retry), which a client cannot tell from a retry that produced
    // nothing. Here it is ItemNotFound, a 404.
    let processor = processor(TestServer::new());
    let thread_id = stream(&processor, create("Hello")).await.thread_id();

    let error = refused(
        &processor,
        request(
            "threads.retry_after_item",
            json!({ "thread_id": thread_id, "item_id": "msg_missing" }),
        ),
    )
    .await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::ItemNotFound { .. })
    ));
}

#[tokio::test]
async fn custom_action_from_an_item_that_is_not_a_widget_is_refused() {
    // The reference streams a lone `{"type":"error","code":"stream.error","allow_retry":false}`
    // (protocol#threads-custom-action). A sender that is not a widget is a bad request, not a
    // failed stream, so here it is refused before streaming, as `threads.sync_custom_action`
    // already is in the reference.
    let processor = processor(TestServer::new());
    let created = stream(&processor, create("Hello")).await;
    let user_message_id = created.done_items()[0].id.clone();

    let error = refused(
        &processor,
        request(
            "threads.custom_action",
            json!({
                "thread_id": created.thread_id(),
                "item_id": user_message_id,
                "action": { "type": "create_user" }
            }),
        ),
    )
    .await;

    assert!(matches!(error, ProcessError::WrongItemKind { .. }));
}

#[tokio::test]
async fn delete_of_an_unknown_thread_is_thread_not_found() {
    // The reference deletes nothing and answers `{}`. Here deleting a thread the user does not
    // have (never created, or someone else's) is a 404, like every other request on it.
    let processor = processor(TestServer::new());

    let error = refused(
        &processor,
        request("threads.delete", json!({ "thread_id": "thr_missing" })),
    )
    .await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::ThreadNotFound { .. })
    ));
}

#[tokio::test]
async fn items_list_of_an_unknown_thread_is_thread_not_found() {
    // The reference lists items without loading the thread, so an unknown or foreign thread
    // gives whatever the store returns (an empty page). Here it is ThreadNotFound, a 404.
    let processor = processor(TestServer::new());

    let error = refused(&processor, items_list(&"thr_missing".into())).await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::ThreadNotFound { .. })
    ));
}

#[tokio::test]
async fn add_client_tool_output_finds_the_pending_call_behind_a_later_item() {
    // The reference looks at the newest item only, so any item after the call (an end-of-turn
    // marker, a hidden note) makes the tool output fail (protocol#quirk-tool-output). Here the
    // newest pending call among the last 20 items is the one answered.
    let server = TestServer::responding(|thread, input, _ctx, out| {
        try_stream! {
            if input.is_some() {
                let call = ClientToolCall {
                    status: ClientToolCallStatus::Pending,
                    call_id: "call_1".to_owned(),
                    name: "get_location".to_owned(),
                    arguments: serde_json::Map::new(),
                    output: None,
                };
                yield ThreadStreamEvent::ThreadItemDone {
                    item: item(&out, &thread, "tc_1", ItemKind::ClientToolCall(call)),
                };
                yield ThreadStreamEvent::ThreadItemDone {
                    item: item(&out, &thread, "end_1", ItemKind::EndOfTurn),
                };
            } else {
                yield ThreadStreamEvent::ThreadItemDone {
                    item: assistant_message(&out, &thread, "msg_after_tool", "You are in Paris."),
                };
            }
        }
        .boxed()
    });
    let processor = processor(server);
    let thread_id = stream(&processor, create("Where am I?")).await.thread_id();

    let answered = stream(
        &processor,
        request(
            "threads.add_client_tool_output",
            json!({ "thread_id": thread_id, "result": { "city": "Paris" } }),
        ),
    )
    .await;

    assert_eq!(answered.types(), ["stream_options", "thread.item.done"]);
    let stored = stored_items(&processor, &thread_id).await;
    let call = stored
        .iter()
        .find(|item| item.id == "tc_1")
        .expect("the call is stored");
    assert!(matches!(
        &call.kind,
        ItemKind::ClientToolCall(call) if call.status == ClientToolCallStatus::Completed
    ));
}

#[tokio::test]
async fn a_responder_that_panics_mid_stream_ends_with_a_retryable_stream_error() {
    // In the reference a crash inside `respond` is an exception, caught and sent as a
    // `stream.error`. A panic in Rust would kill the pipeline task and cut the stream with no
    // event at all; the pipeline catches it and answers the way the reference does.
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "msg_before", "Before the crash"),
            };
            panic!("a bug in the responder");
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Hello")).await;

    assert_eq!(
        streamed.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "error"
        ]
    );
    assert!(
        streamed.sse.ends_with(
            "data: {\"type\":\"error\",\"code\":\"stream.error\",\"allow_retry\":true}\n\n"
        ),
        "{}",
        streamed.sse
    );
    let stored = stored_items(&processor, &streamed.thread_id()).await;
    assert!(
        stored.iter().any(|item| item.id == "msg_before"),
        "what was done before the panic stays"
    );
}
