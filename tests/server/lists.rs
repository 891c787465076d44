//! The JSON requests about threads and items: lists and their paging, one thread by id,
//! renaming and deleting.

use async_stream::try_stream;
use chatkit::protocol::{ItemKind, Page, Thread, ThreadItem, ThreadStreamEvent};
use chatkit::server::ProcessError;
use chatkit::store::StoreError;
use futures::StreamExt;
use serde_json::json;

use crate::harness::{
    TestServer, body_text, create, first_text, items_list, json, json_body, processor, refused,
    request, stream, user_message,
};

/// Thread ids `thr_<from>` down to `thr_<to>`, newest first, as `SequentialIds` numbers them.
fn thread_ids_newest_first(from: u32, to: u32) -> Vec<String> {
    (to..=from).rev().map(|n| format!("thr_{n:04}")).collect()
}

fn ids(page: &Page<Thread>) -> Vec<String> {
    page.data
        .iter()
        .map(|thread| thread.metadata.id.to_string())
        .collect()
}

#[tokio::test]
async fn list_threads_response() {
    let processor = processor(TestServer::new());
    for i in 0..25 {
        stream(&processor, create(&format!("Thread {i}"))).await;
    }

    let first: Page<Thread> =
        json(&processor, request("threads.list", json!({ "limit": 20 }))).await;

    // Newest first: the default order of `threads.list` is `desc`.
    assert_eq!(ids(&first), thread_ids_newest_first(25, 6));
    assert!(first.data[0].metadata.created_at > first.data[1].metadata.created_at);
    assert!(first.has_more);
    assert_eq!(first.after.as_deref(), Some("thr_0006"));

    let rest: Page<Thread> = json(
        &processor,
        request("threads.list", json!({ "after": "thr_0006" })),
    )
    .await;
    assert_eq!(ids(&rest), thread_ids_newest_first(5, 1));
    assert!(!rest.has_more);
    assert_eq!(rest.after, None);
}

#[tokio::test]
async fn list_threads_paginated_response() {
    let processor = processor(TestServer::new());
    for i in 0..25 {
        stream(&processor, create(&format!("Thread {i}"))).await;
    }

    let first: Page<Thread> =
        json(&processor, request("threads.list", json!({ "limit": 20 }))).await;
    assert_eq!(first.data.len(), 20);
    assert!(first.has_more);
    let cursor = first.after.clone().expect("a cursor to the next page");

    let rest: Page<Thread> = json(
        &processor,
        request("threads.list", json!({ "after": cursor })),
    )
    .await;
    assert_eq!(rest.data.len(), 5);
    assert!(!rest.has_more);
}

#[tokio::test]
async fn list_items_response() {
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            for i in 0..25 {
                yield ThreadStreamEvent::ThreadItemDone {
                    item: user_message(&out, &thread, &format!("msg_{i}"), &format!("Message {i}")),
                };
            }
        }
        .boxed()
    });
    let processor = processor(server);
    let thread_id = stream(&processor, create("Thread 1")).await.thread_id();

    let first: Page<ThreadItem> = json(&processor, items_list(&thread_id)).await;

    // Newest first, 20 per page by default.
    let first_ids: Vec<String> = first.data.iter().map(|item| item.id.to_string()).collect();
    let expected: Vec<String> = (5..25).rev().map(|i| format!("msg_{i}")).collect();
    assert_eq!(first_ids, expected);
    assert!(first.data[0].created_at > first.data[1].created_at);
    assert!(first.has_more);
    assert_eq!(first.after.as_deref(), Some("msg_5"));

    let rest: Page<ThreadItem> = json(
        &processor,
        request(
            "items.list",
            json!({ "thread_id": thread_id, "after": "msg_5" }),
        ),
    )
    .await;
    let rest_ids: Vec<String> = rest.data.iter().map(|item| item.id.to_string()).collect();
    // The five left, then the user's own message that started the thread.
    assert_eq!(
        rest_ids,
        ["msg_4", "msg_3", "msg_2", "msg_1", "msg_0", "msg_0001"]
    );
    assert!(!rest.has_more);
}

#[tokio::test]
async fn get_thread_by_id() {
    let processor = processor(TestServer::new());
    let created = stream(&processor, create("Test thread")).await;
    let thread = &created.created_thread().metadata;

    let body = json_body(
        &processor,
        request("threads.get_by_id", json!({ "thread_id": thread.id })),
    )
    .await;

    let loaded: Thread = serde_json::from_slice(&body).expect("a thread");
    assert_eq!(loaded.metadata.id, thread.id);
    assert_eq!(loaded.metadata.title, thread.title);
    assert!(matches!(
        loaded.items.data[0].kind,
        ItemKind::UserMessage(_)
    ));
    assert_eq!(first_text(&loaded.items.data[0]), "Test thread");
    crate::snapshot!("get_thread_by_id", body_text(&body));
}

#[tokio::test]
async fn threads_update_request() {
    let processor = processor(TestServer::new());
    let thread_id = stream(&processor, create("Hello, world!"))
        .await
        .thread_id();

    let body = json_body(
        &processor,
        request(
            "threads.update",
            json!({ "thread_id": thread_id, "title": "New Title" }),
        ),
    )
    .await;

    let updated: Thread = serde_json::from_slice(&body).expect("a thread");
    assert_eq!(updated.metadata.title.as_deref(), Some("New Title"));
    crate::snapshot!("threads_update_request", body_text(&body));
}

#[tokio::test]
async fn delete_thread() {
    let processor = processor(TestServer::new());
    let thread_id = stream(&processor, create("Thread to delete"))
        .await
        .thread_id();

    let body = json_body(
        &processor,
        request("threads.delete", json!({ "thread_id": thread_id })),
    )
    .await;
    assert_eq!(&body[..], b"{}");

    // The reference's `NotFoundError` is a `StoreError` here, with the same text.
    let error = refused(
        &processor,
        request("threads.get_by_id", json!({ "thread_id": thread_id })),
    )
    .await;
    assert!(matches!(
        error,
        ProcessError::Store(StoreError::ThreadNotFound { .. })
    ));
    assert!(
        error
            .to_string()
            .contains(&format!("Thread {thread_id} not found"))
    );
}
