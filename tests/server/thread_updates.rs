//! Creating a thread, and changing it from inside a response.
//!
//! **Deliberate difference.** A reference responder changes the thread by mutating the
//! `ThreadMetadata` it was given (`thread.title = "…"`); the server diffs the thread after
//! every event and, when it changed, saves it and sends `thread.updated`. A Rust responder
//! owns a copy and cannot change the server's; it yields `out.thread_updated(&changed)`
//! instead, and the pipeline saves the thread and sends `thread.updated` at exactly that point.
//! So where a reference test mutates the thread, the test below yields that event, and the
//! assertions (what is stored, what the client sees, and where) stay the reference's.

use async_stream::try_stream;
use chatkit::protocol::{ThreadMetadata, ThreadStatus, ThreadStreamEvent};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::harness::{
    TestServer, assistant_message, create, ctx, first_text, input, processor, request, stream,
};

/// A server whose responder changes the thread with `change` and yields nothing else.
fn changing_thread(change: fn(&mut ThreadMetadata)) -> TestServer {
    TestServer::responding(move |thread, _input, _ctx, out| {
        try_stream! {
            let mut changed = thread;
            change(&mut changed);
            yield out.thread_updated(&changed);
        }
        .boxed()
    })
}

/// The thread of the last event, which must be `thread.updated`.
fn last_update(events: &[ThreadStreamEvent]) -> &ThreadMetadata {
    match events.last() {
        Some(ThreadStreamEvent::ThreadUpdated { thread }) => &thread.metadata,
        other => panic!("expected thread.updated last, got {other:?}"),
    }
}

#[tokio::test]
async fn creates_thread() {
    let processor = processor(TestServer::new());
    let mut message = input("Hello, world!");
    message["quoted_text"] = json!("Quoted text");

    let streamed = stream(
        &processor,
        request("threads.create", json!({ "input": message })),
    )
    .await;

    assert_eq!(streamed.created_thread().metadata.title, None);
    let done = streamed.done_items();
    let chatkit::protocol::ItemKind::UserMessage(user) = &done[0].kind else {
        panic!("the first item done is the user's message");
    };
    assert_eq!(first_text(done[0]), "Hello, world!");
    assert_eq!(user.quoted_text.as_deref(), Some("Quoted text"));
    crate::snapshot!("creates_thread", streamed.sse);
}

#[tokio::test]
async fn saves_thread_title() {
    let processor = processor(changing_thread(|thread| {
        thread.title = Some("Updated title".to_owned());
    }));

    let streamed = stream(&processor, create("Hello, world!")).await;

    let stored = processor
        .store()
        .load_thread(&streamed.thread_id(), &ctx())
        .await
        .expect("the thread is stored");
    assert_eq!(stored.title.as_deref(), Some("Updated title"));
    assert_eq!(
        last_update(&streamed.events).title.as_deref(),
        Some("Updated title")
    );
    crate::snapshot!("saves_thread_title", streamed.sse);
}

#[tokio::test]
async fn saves_thread_metadata() {
    let processor = processor(changing_thread(|thread| {
        thread
            .metadata
            .insert("test_key".to_owned(), json!("test_value"));
    }));

    let streamed = stream(&processor, create("Hello, world!")).await;

    let stored = processor
        .store()
        .load_thread(&streamed.thread_id(), &ctx())
        .await
        .expect("the thread is stored");
    assert_eq!(stored.metadata["test_key"], json!("test_value"));
    // The client still gets `thread.updated`, with the integration's metadata left out.
    assert!(last_update(&streamed.events).metadata.is_empty());
    crate::snapshot!("saves_thread_metadata", streamed.sse);
}

#[tokio::test]
async fn saves_thread_locked_fields() {
    let processor = processor(changing_thread(|thread| {
        thread.status = ThreadStatus::Locked {
            reason: Some("Because".to_owned()),
        };
    }));

    let streamed = stream(&processor, create("Hello, world!")).await;

    let locked = ThreadStatus::Locked {
        reason: Some("Because".to_owned()),
    };
    let stored = processor
        .store()
        .load_thread(&streamed.thread_id(), &ctx())
        .await
        .expect("the thread is stored");
    assert_eq!(stored.status, locked);
    assert_eq!(last_update(&streamed.events).status, locked);
    crate::snapshot!("saves_thread_locked_fields", streamed.sse);
}

#[tokio::test]
async fn saves_allowed_image_domains_and_streams_thread_updated() {
    let processor = processor(changing_thread(|thread| {
        thread.allowed_image_domains = Some(vec![
            "example.com".to_owned(),
            "images.example.com".to_owned(),
        ]);
    }));

    let streamed = stream(&processor, create("Hello, world!")).await;

    let domains = Some(vec![
        "example.com".to_owned(),
        "images.example.com".to_owned(),
    ]);
    let stored = processor
        .store()
        .load_thread(&streamed.thread_id(), &ctx())
        .await
        .expect("the thread is stored");
    assert_eq!(stored.allowed_image_domains, domains);
    assert_eq!(last_update(&streamed.events).allowed_image_domains, domains);
    crate::snapshot!(
        "saves_allowed_image_domains_and_streams_thread_updated",
        streamed.sse
    );
}

#[tokio::test]
async fn omits_unset_allowed_image_domains_in_created_and_updated_json_events() {
    let processor = processor(changing_thread(|thread| {
        thread.title = Some("Updated title".to_owned());
    }));

    let streamed = stream(&processor, create("Hello, world!")).await;

    // Read the raw JSON: a parsed `None` cannot tell an omitted key from a `null`.
    let raw: Vec<Value> = streamed
        .frames
        .iter()
        .map(|frame| serde_json::from_str(frame).expect("frames are JSON"))
        .collect();
    let thread_of = |kind: &str| {
        raw.iter()
            .find(|event| event["type"] == kind)
            .map(|event| event["thread"].clone())
            .unwrap_or_else(|| panic!("no {kind} event"))
    };
    let created = thread_of("thread.created");
    let updated = thread_of("thread.updated");
    assert!(created.get("allowed_image_domains").is_none());
    assert_eq!(updated["title"], "Updated title");
    assert!(updated.get("allowed_image_domains").is_none());
    crate::snapshot!(
        "omits_unset_allowed_image_domains_in_created_and_updated_json_events",
        streamed.sse
    );
}

#[tokio::test]
async fn emits_thread_updated_mid_stream_and_persists() {
    // The reference renames the thread between `assistant_a` and `assistant_b` and finds
    // `thread.updated` right after `assistant_b`, when its diff next runs. Here the responder
    // places the event itself, so it yields it after `assistant_b` to keep that order.
    let server = TestServer::responding(|thread, _input, _ctx, out| {
        try_stream! {
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "assistant_a", "A"),
            };
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "assistant_b", "B"),
            };
            let renamed = ThreadMetadata {
                title: Some("Mid-stream title".to_owned()),
                ..thread.clone()
            };
            yield out.thread_updated(&renamed);
            yield ThreadStreamEvent::ThreadItemDone {
                item: assistant_message(&out, &thread, "assistant_c", "C"),
            };
        }
        .boxed()
    });
    let processor = processor(server);

    let streamed = stream(&processor, create("Hello")).await;

    let after_b = streamed
        .events
        .iter()
        .position(|event| {
            matches!(event, ThreadStreamEvent::ThreadItemDone { item } if item.id == "assistant_b")
        })
        .expect("assistant_b is done")
        + 1;
    let ThreadStreamEvent::ThreadUpdated { thread } = &streamed.events[after_b] else {
        panic!("thread.updated follows assistant_b");
    };
    assert_eq!(thread.metadata.title.as_deref(), Some("Mid-stream title"));
    assert!(matches!(
        &streamed.events[after_b + 1],
        ThreadStreamEvent::ThreadItemDone { item } if item.id == "assistant_c"
    ));
    let stored = processor
        .store()
        .load_thread(&streamed.thread_id(), &ctx())
        .await
        .expect("the thread is stored");
    assert_eq!(stored.title.as_deref(), Some("Mid-stream title"));
    crate::snapshot!("emits_thread_updated_mid_stream_and_persists", streamed.sse);
}
