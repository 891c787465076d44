//! The HTTP edge: `chatkit::http::router` driven with `tower::ServiceExt::oneshot` (no socket),
//! plus exactly one end-to-end test over a real socket.
//!
//! * Every bad request gets its status and the exact JSON error body, and leaves the store
//!   exactly as it was (a dump of both users' threads and items before and after).
//! * Happy paths: the exact JSON and SSE bytes of a small deterministic server (`FixedClock`,
//!   `SequentialIds`), and the headers they come with.
//! * Cancellation: what the store keeps when the client goes away mid-stream.
//!
//! The test server, [`Scripted`], picks its behaviour from the user's message text, so one
//! server covers every streaming case and the tests can control when each delta is sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, Response, StatusCode, header};
use futures::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tower::ServiceExt;

use chatkit::clock::FixedClock;
use chatkit::conform::{Severity, StreamKind, validate_stream};
use chatkit::http::{self, HttpError, RouterConfig};
use chatkit::id_gen::{IdKind, SequentialIds};
use chatkit::protocol::{
    Action, AssistantMessage, AssistantMessageContent, ItemKind, Order, StreamOptions,
    SyncCustomActionResponse, ThreadId, ThreadItem, ThreadItemUpdate, ThreadMetadata, ThreadStatus,
    ThreadStreamEvent, Timestamp, TranscriptionResult, UserMessageItem,
};
use chatkit::server::{
    AudioInput, CANCELLED_NOTE, ChatKitServer, EventStream, ProcessError, Processor, Responder,
};
use chatkit::store::{
    LocalTurnLocks, MemoryStore, PageRequest, Store, StoreError, TurnLock, TurnLocks, UserContext,
};

// ---- The test server -------------------------------------------------------------------------

/// Where a test puts the deltas the `"stream"` script sends, one string per delta.
type DeltaSlot = Arc<Mutex<Option<mpsc::UnboundedReceiver<String>>>>;

/// A server whose answer depends on the user's text:
///
/// * `"stream"`: `thread.item.added` (an empty assistant message), then one text delta per
///   string the test sends through its [`DeltaSlot`], then `thread.item.done` once the test
///   drops its sender. While the test holds the sender and sends nothing, the stream waits.
/// * `"hidden"`: a hidden item through `added` (then updated and removed) and another through
///   `replaced`, then a reply.
/// * anything else: one assistant message, `Hello, <user>!`.
///
/// The optional hooks keep their defaults, so `action`, `sync_action` and `transcribe` are 501s.
struct Scripted {
    deltas: DeltaSlot,
}

impl ChatKitServer<UserContext> for Scripted {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        match input.map(|message| message.text()).as_deref() {
            Some(text) if text == "stream" || is_state_changing(text) => {
                let deltas = self.deltas.lock().expect("not poisoned").take();
                streamed_reply(out, deltas)
            }
            Some("hidden") => hidden_items(out),
            _ => {
                let reply = out.assistant_message(format!("Hello, {}!", ctx.user_id));
                futures::stream::iter([Ok(reply)]).boxed()
            }
        }
    }

    fn get_stream_options(
        &self,
        _thread: &ThreadMetadata,
        input: Option<&UserMessageItem>,
        _ctx: &UserContext,
    ) -> StreamOptions {
        let state_changing = input.is_some_and(|message| is_state_changing(&message.text()));
        StreamOptions {
            allow_cancel: !state_changing,
        }
    }
}

/// A message that starts with `delete` changes state, so its turn cannot be stopped halfway.
fn is_state_changing(text: &str) -> bool {
    text.starts_with("delete")
}

/// The `"stream"` script: added, one delta per string received, done when the sender is dropped.
fn streamed_reply(
    out: Responder<UserContext>,
    deltas: Option<mpsc::UnboundedReceiver<String>>,
) -> EventStream {
    async_stream::try_stream! {
        let empty = AssistantMessage { content: Vec::new() };
        let item = out.item(IdKind::Message, ItemKind::AssistantMessage(empty));
        yield ThreadStreamEvent::ThreadItemAdded { item: item.clone() };
        let mut text = String::new();
        if let Some(mut deltas) = deltas {
            while let Some(delta) = deltas.recv().await {
                text.push_str(&delta);
                let update = ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta };
                yield ThreadStreamEvent::ThreadItemUpdated { item_id: item.id.clone(), update };
            }
        }
        let content = vec![AssistantMessageContent::text(text)];
        let done = ThreadItem { kind: ItemKind::AssistantMessage(AssistantMessage { content }), ..item };
        yield ThreadStreamEvent::ThreadItemDone { item: done };
    }
    .boxed()
}

/// The `"hidden"` script: hidden items through the two events the reference leaks them with
/// (`added`, `replaced`), and an update and a removal naming one.
fn hidden_items(out: Responder<UserContext>) -> EventStream {
    async_stream::try_stream! {
        let note = |content: &str| ItemKind::HiddenContext { content: json!(content) };
        let added = out.item(IdKind::Message, note("added, never done"));
        let added_id = added.id.clone();
        yield ThreadStreamEvent::ThreadItemAdded { item: added };
        // Events that only name the hidden item must not reach the client either.
        let update = ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta: "x".into() };
        yield ThreadStreamEvent::ThreadItemUpdated { item_id: added_id.clone(), update };
        yield ThreadStreamEvent::ThreadItemRemoved { item_id: added_id };
        let replaced = out.item(IdKind::Message, note("replaced"));
        yield ThreadStreamEvent::ThreadItemReplaced { item: replaced };
        yield out.assistant_message("Done.");
    }
    .boxed()
}

/// A server whose hooks fail: `transcribe` with a detail that must stay secret, `sync_action`
/// by panicking.
struct Faulty;

#[async_trait]
impl ChatKitServer<UserContext> for Faulty {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        _ctx: UserContext,
        _out: Responder<UserContext>,
    ) -> EventStream {
        futures::stream::empty().boxed()
    }

    async fn transcribe(
        &self,
        _audio: AudioInput,
        _ctx: UserContext,
    ) -> Result<TranscriptionResult, ProcessError> {
        Err(ProcessError::Failed {
            message: "speech backend at 10.0.0.7 refused password hunter2".to_owned(),
        })
    }

    async fn sync_action(
        &self,
        _thread: ThreadMetadata,
        _action: Action,
        _sender: Option<ThreadItem>,
        _ctx: UserContext,
    ) -> Result<SyncCustomActionResponse, ProcessError> {
        panic!("the sync action hook panicked");
    }
}

// ---- The harness -----------------------------------------------------------------------------

/// The context builder of every test app: the user comes from `x-user-id`, as an auth
/// middleware's verified identity would.
fn user_from_header(parts: &Parts) -> Result<UserContext, HttpError> {
    let user = parts
        .headers
        .get("x-user-id")
        .ok_or_else(|| HttpError::unauthorized("missing x-user-id header"))?;
    let user = user
        .to_str()
        .map_err(|_| HttpError::unauthorized("x-user-id is not text"))?;
    Ok(UserContext::new(user))
}

/// A router over a `Scripted` server, with a handle on its store and its delta slot.
struct App {
    router: Router,
    store: MemoryStore,
    deltas: DeltaSlot,
}

fn start() -> Timestamp {
    Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date")
}

fn app() -> App {
    app_with(RouterConfig::new())
}

fn app_with(config: RouterConfig) -> App {
    let store = MemoryStore::new();
    let deltas = DeltaSlot::default();
    let server = Scripted {
        deltas: Arc::clone(&deltas),
    };
    let processor = Processor::builder(server, store.clone())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start()))
        .build();
    App {
        router: config.build(processor, user_from_header),
        store,
        deltas,
    }
}

/// A router over the `Faulty` server, and its store.
fn faulty_app() -> (Router, MemoryStore) {
    let store = MemoryStore::new();
    let processor = Processor::builder(Faulty, store.clone()).build();
    (http::router(processor, user_from_header), store)
}

/// A POST to `/chatkit` as `user` (no `x-user-id` header when `None`).
fn post(user: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post("/chatkit");
    if let Some(user) = user {
        request = request.header("x-user-id", user);
    }
    request.body(body.into()).expect("a valid request")
}

async fn send(router: &Router, request: Request<Body>) -> Response<Body> {
    router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible")
}

/// Status, `Content-Type` and the whole body as text.
async fn call(router: &Router, request: Request<Body>) -> (StatusCode, String, String) {
    let response = send(router, request).await;
    let status = response.status();
    let content_type = header_text(&response, header::CONTENT_TYPE);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body is readable");
    let body = String::from_utf8(body.to_vec()).expect("the body is UTF-8");
    (status, content_type, body)
}

fn header_text(response: &Response<Body>, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().expect("an ASCII header").to_owned())
        .unwrap_or_default()
}

fn ctx(user: &str) -> UserContext {
    UserContext::new(user)
}

fn item(value: serde_json::Value) -> ThreadItem {
    serde_json::from_value(value).expect("a valid item")
}

/// Alice's thread `thr_a`, with one item of every kind the bad requests aim at, and Bob's
/// thread `thr_b`.
async fn seed(store: &MemoryStore) {
    let at = |second: u32| format!("2025-01-01T00:00:0{second}Z");
    let alice = ctx("alice");
    let thread = ThreadMetadata::new(ThreadId::new("thr_a"), start());
    store.save_thread(&thread, &alice).await.expect("saved");
    let items = [
        json!({"id":"msg_u1","thread_id":"thr_a","created_at":at(1),"type":"user_message",
               "content":[{"type":"input_text","text":"Hi"}],"attachments":[],"inference_options":{}}),
        json!({"id":"msg_a1","thread_id":"thr_a","created_at":at(2),"type":"assistant_message",
               "content":[{"annotations":[],"text":"Hello","type":"output_text"}]}),
        json!({"id":"msg_w1","thread_id":"thr_a","created_at":at(3),"type":"widget",
               "widget":{"type":"Card","children":[{"type":"Text","value":"Pick one"}]}}),
        json!({"id":"si_1","thread_id":"thr_a","created_at":at(4),"type":"structured_input",
               "status":"answered","inputs":[{"id":"q1","question":"Colour?",
               "answer":{"values":["red"],"skipped":false},"type":"freeform"}]}),
        json!({"id":"tc_1","thread_id":"thr_a","created_at":at(5),"type":"client_tool_call",
               "status":"completed","call_id":"call_1","name":"get_weather","arguments":{},
               "output":{"celsius":20}}),
    ];
    for value in items {
        let thread_id = ThreadId::new("thr_a");
        let added = store
            .add_thread_item(&thread_id, &item(value), &alice)
            .await;
        added.expect("added");
    }
    let bob = ctx("bob");
    let thread = ThreadMetadata::new(ThreadId::new("thr_b"), start());
    store.save_thread(&thread, &bob).await.expect("saved");
    let message = json!({"id":"msg_b1","thread_id":"thr_b","created_at":at(1),"type":"user_message",
        "content":[{"type":"input_text","text":"Yo"}],"attachments":[],"inference_options":{}});
    let thread_id = ThreadId::new("thr_b");
    let added = store
        .add_thread_item(&thread_id, &item(message), &bob)
        .await;
    added.expect("added");
}

/// Every thread and item of both users, through the `Store` API, one JSON line each.
async fn dump(store: &MemoryStore) -> String {
    let mut lines = Vec::new();
    for user in ["alice", "bob"] {
        let user_ctx = ctx(user);
        let all = PageRequest::first(1000, Order::Asc);
        let threads = store.load_threads(&all, &user_ctx).await.expect("threads");
        for thread in threads.data {
            lines.push(format!("{user} {}", json!(thread)));
            let items = store.load_thread_items(&thread.id, &all, &user_ctx).await;
            for item in items.expect("items").data {
                lines.push(format!("{user}   {}", json!(item)));
            }
        }
    }
    lines.join("\n")
}

/// Alice's items in `thread`, as JSON values.
async fn items_of(store: &MemoryStore, thread: &str) -> Vec<serde_json::Value> {
    let all = PageRequest::first(1000, Order::Asc);
    let thread_id = ThreadId::new(thread);
    let items = store
        .load_thread_items(&thread_id, &all, &ctx("alice"))
        .await;
    items
        .expect("items")
        .data
        .iter()
        .map(|item| json!(item))
        .collect()
}

/// Waits until the cancellation hook has stored its note in `thread`, then returns the items.
async fn items_after_cancel(store: &MemoryStore, thread: &str) -> Vec<serde_json::Value> {
    let poll = async {
        loop {
            let items = items_of(store, thread).await;
            if items
                .iter()
                .any(|item| item["type"] == "sdk_hidden_context")
            {
                return items;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("the cancellation hook ran within 5 s")
}

/// A thread's items once its assistant message is stored (within 5 s).
async fn items_when_answered(store: &MemoryStore, thread: &str) -> Vec<serde_json::Value> {
    let poll = async {
        loop {
            let items = items_of(store, thread).await;
            if items.iter().any(|item| item["type"] == "assistant_message") {
                return items;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("the answer was stored within 5 s")
}

/// Items without what differs between two runs of the same turn: ids and times.
fn without_ids(items: &[serde_json::Value]) -> Vec<serde_json::Value> {
    items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            if let Some(fields) = item.as_object_mut() {
                for key in ["id", "thread_id", "created_at"] {
                    fields.remove(key);
                }
            }
            item
        })
        .collect()
}

fn create_thread(text: &str) -> String {
    json!({"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":text}],
        "attachments":[],"inference_options":{}}}})
    .to_string()
}

// ---- Bad requests ----------------------------------------------------------------------------

/// One bad request: who sends what, and the exact refusal.
struct BadRequest {
    case: &'static str,
    user: Option<&'static str>,
    body: serde_json::Value,
    status: u16,
    error: &'static str,
}

/// A case sent by Alice, who owns `thr_a`.
fn bad(
    case: &'static str,
    body: serde_json::Value,
    status: u16,
    error: &'static str,
) -> BadRequest {
    BadRequest {
        case,
        user: Some("alice"),
        body,
        status,
        error,
    }
}

impl BadRequest {
    /// The same request sent by someone else (`None`: no `x-user-id` at all).
    fn sent_by(self, user: Option<&'static str>) -> Self {
        BadRequest { user, ..self }
    }
}

/// The table: every request the endpoint must refuse, with its status and exact body.
// One case per entry, laid out by hand: rustfmt would spread each over six lines.
#[rustfmt::skip]
fn bad_requests() -> Vec<BadRequest> {
    let message = json!({"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}});
    let action = json!({"type":"pick","payload":null});
    let bob = Some("bob");
    vec![
        // A JSON string here is sent as the raw body, so the body can be malformed.
        bad("malformed_json", json!("{\"type\":"), 400,
            r#"{"error":{"code":"invalid_request","message":"request body is not valid JSON: EOF while parsing a value at line 1 column 8"}}"#),
        bad("not_an_object", json!([]), 400,
            r#"{"error":{"code":"invalid_request","message":"request body must be a JSON object"}}"#),
        bad("unknown_type", json!({"type":"threads.nope","params":{}}), 400,
            r#"{"error":{"code":"invalid_request","message":"unknown request type `threads.nope`"}}"#),
        bad("missing_field", json!({"type":"threads.get_by_id","params":{}}), 400,
            r#"{"error":{"code":"invalid_request","message":"missing field `params.thread_id`"}}"#),
        bad("wrong_field_type", json!({"type":"threads.list","params":{"limit":"5"}}), 400,
            r#"{"error":{"code":"invalid_request","message":"invalid field `params.limit`: invalid type: string \"5\", expected u32"}}"#),
        bad("unknown_thread", json!({"type":"threads.get_by_id","params":{"thread_id":"thr_missing"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_missing not found"}}"#),
        bad("foreign_thread", json!({"type":"threads.get_by_id","params":{"thread_id":"thr_a"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_a not found"}}"#).sent_by(bob),
        // A streaming request: refused before any SSE byte, and no user message is stored.
        bad("foreign_thread_add_user_message",
            json!({"type":"threads.add_user_message","params":{"thread_id":"thr_a","input":message}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_a not found"}}"#).sent_by(bob),
        bad("unknown_thread_update", json!({"type":"threads.update","params":{"thread_id":"thr_missing","title":"x"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_missing not found"}}"#),
        // The reference answers these four with an empty page or `{}`.
        bad("items_list_unknown_thread", json!({"type":"items.list","params":{"thread_id":"thr_missing"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_missing not found"}}"#),
        bad("items_list_foreign_thread", json!({"type":"items.list","params":{"thread_id":"thr_a"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_a not found"}}"#).sent_by(bob),
        bad("items_feedback_foreign_thread",
            json!({"type":"items.feedback","params":{"thread_id":"thr_a","item_ids":["msg_a1"],"kind":"positive"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_a not found"}}"#).sent_by(bob),
        bad("threads_delete_foreign_thread", json!({"type":"threads.delete","params":{"thread_id":"thr_a"}}), 404,
            r#"{"error":{"code":"not_found","message":"Thread thr_a not found"}}"#).sent_by(bob),
        // The reference answers an empty 200 stream.
        bad("retry_unknown_item",
            json!({"type":"threads.retry_after_item","params":{"thread_id":"thr_a","item_id":"msg_missing"}}), 404,
            r#"{"error":{"code":"not_found","message":"Item msg_missing not found in thread thr_a"}}"#),
        bad("structured_input_unknown_item",
            json!({"type":"threads.add_structured_input","params":{"thread_id":"thr_a","item_id":"si_missing","input":{}}}), 404,
            r#"{"error":{"code":"not_found","message":"Item si_missing not found in thread thr_a"}}"#),
        // Nothing newer than the target is deleted.
        bad("retry_target_not_a_user_message",
            json!({"type":"threads.retry_after_item","params":{"thread_id":"thr_a","item_id":"msg_a1"}}), 400,
            r#"{"error":{"code":"wrong_item_kind","message":"Item msg_a1 is not a user message"}}"#),
        bad("tool_output_without_pending_call",
            json!({"type":"threads.add_client_tool_output","params":{"thread_id":"thr_a","result":{"ok":true}}}), 409,
            r#"{"error":{"code":"conflict","message":"Thread thr_a has no pending client tool call"}}"#),
        bad("structured_input_not_pending",
            json!({"type":"threads.add_structured_input","params":{"thread_id":"thr_a","item_id":"si_1","input":{}}}), 409,
            r#"{"error":{"code":"conflict","message":"Structured input item si_1 is not pending"}}"#),
        bad("structured_input_wrong_kind",
            json!({"type":"threads.add_structured_input","params":{"thread_id":"thr_a","item_id":"msg_u1","input":{}}}), 400,
            r#"{"error":{"code":"wrong_item_kind","message":"Item msg_u1 is not a structured input"}}"#),
        // The reference streams a lone `error` event.
        bad("custom_action_sender_not_a_widget",
            json!({"type":"threads.custom_action","params":{"thread_id":"thr_a","item_id":"msg_u1","action":action}}), 400,
            r#"{"error":{"code":"wrong_item_kind","message":"Item msg_u1 is not a widget"}}"#),
        bad("sync_custom_action_sender_not_a_widget",
            json!({"type":"threads.sync_custom_action","params":{"thread_id":"thr_a","item_id":"msg_a1","action":action}}), 400,
            r#"{"error":{"code":"wrong_item_kind","message":"Item msg_a1 is not a widget"}}"#),
        // The reference has already saved the thread and sent `thread.created` at this point.
        bad("create_with_unknown_attachment",
            json!({"type":"threads.create","params":{"input":{"content":[],"attachments":["atc_missing"],"inference_options":{}}}}), 404,
            r#"{"error":{"code":"not_found","message":"File atc_missing not found"}}"#),
        bad("unknown_cursor", json!({"type":"threads.list","params":{"after":"thr_missing"}}), 400,
            r#"{"error":{"code":"unknown_cursor","message":"cursor thr_missing is not an element of this list"}}"#),
        bad("transcribe_not_implemented",
            json!({"type":"input.transcribe","params":{"audio_base64":"AAEC","mime_type":"audio/webm"}}), 501,
            r#"{"error":{"code":"not_implemented","message":"this server does not implement `transcribe`"}}"#),
        // The reference silently drops the characters that are not base64.
        bad("transcribe_invalid_base64",
            json!({"type":"input.transcribe","params":{"audio_base64":"AA@C","mime_type":"audio/webm"}}), 400,
            r#"{"error":{"code":"invalid_input","message":"audio_base64 is not valid base64: Invalid symbol 64, offset 2."}}"#),
        bad("sync_action_not_implemented",
            json!({"type":"threads.sync_custom_action","params":{"thread_id":"thr_a","item_id":"msg_w1","action":action}}), 501,
            r#"{"error":{"code":"not_implemented","message":"this server does not implement `sync_action`"}}"#),
        // The reference answers 200 and then a *retryable* `stream.error` no retry can fix.
        bad("action_not_implemented",
            json!({"type":"threads.custom_action","params":{"thread_id":"thr_a","item_id":"msg_w1","action":action}}), 501,
            r#"{"error":{"code":"not_implemented","message":"this server does not implement `action`"}}"#),
        bad("attachments_create_without_uploads",
            json!({"type":"attachments.create","params":{"name":"a.png","size":3,"mime_type":"image/png"}}), 501,
            r#"{"error":{"code":"uploads_not_configured","message":"uploads are not configured: give the server an AttachmentStore that implements create_attachment"}}"#),
        // The record is looked up first, so an unknown id is a 404 before the missing
        // AttachmentStore's 501; the reference answers `{}`.
        bad("attachments_delete_unknown_id",
            json!({"type":"attachments.delete","params":{"attachment_id":"atc_1"}}), 404,
            r#"{"error":{"code":"not_found","message":"File atc_1 not found"}}"#),
        bad("no_user", json!({"type":"threads.list","params":{}}), 401,
            r#"{"error":{"code":"unauthorized","message":"missing x-user-id header"}}"#).sent_by(None),
    ]
}

#[tokio::test]
async fn every_bad_request_gets_its_status_and_json_error_and_changes_nothing() {
    let mut failures = Vec::new();
    for case in bad_requests() {
        let app = app();
        seed(&app.store).await;
        let before = dump(&app.store).await;
        // A JSON string in the table is a raw body, so malformed JSON can be sent.
        let body = match case.body {
            serde_json::Value::String(raw) => raw,
            value => value.to_string(),
        };
        let (status, content_type, error) = call(&app.router, post(case.user, body)).await;
        let got = (status.as_u16(), content_type.as_str(), error.as_str());
        if got != (case.status, "application/json", case.error) {
            failures.push(format!("{}: got {got:?}", case.case));
        }
        if dump(&app.store).await != before {
            failures.push(format!("{}: the store changed", case.case));
        }
    }
    // Every case is tried before failing, so one run shows every mismatch.
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Alice's thread `thr_closed` (closed, with a reason) and `thr_locked` (locked, without),
/// each holding what every request that adds work needs to be accepted otherwise: a user
/// message to retry, a pending client tool call, a pending structured input and a widget.
async fn seed_threads_not_open(store: &MemoryStore) {
    let alice = ctx("alice");
    let statuses = [
        (
            "thr_closed",
            ThreadStatus::Closed {
                reason: Some("Resolved by support".into()),
            },
        ),
        ("thr_locked", ThreadStatus::Locked { reason: None }),
    ];
    for (id, status) in statuses {
        let thread = ThreadMetadata {
            status,
            ..ThreadMetadata::new(ThreadId::new(id), start())
        };
        store.save_thread(&thread, &alice).await.expect("saved");
        let items = [
            json!({"id":"msg_u","thread_id":id,"created_at":"2025-01-01T00:00:01Z","type":"user_message",
                   "content":[{"type":"input_text","text":"Hi"}],"attachments":[],"inference_options":{}}),
            json!({"id":"msg_w","thread_id":id,"created_at":"2025-01-01T00:00:02Z","type":"widget",
                   "widget":{"type":"Card","children":[{"type":"Text","value":"Pick one"}]}}),
            json!({"id":"si_p","thread_id":id,"created_at":"2025-01-01T00:00:03Z","type":"structured_input",
                   "status":"pending","inputs":[{"id":"q1","question":"Colour?","type":"freeform"}]}),
            json!({"id":"tc_p","thread_id":id,"created_at":"2025-01-01T00:00:04Z","type":"client_tool_call",
                   "status":"pending","call_id":"call_1","name":"get_weather","arguments":{}}),
        ];
        for value in items {
            let added = store
                .add_thread_item(&ThreadId::new(id), &item(value), &alice)
                .await;
            added.expect("added");
        }
    }
}

#[tokio::test]
async fn work_on_a_locked_or_closed_thread_is_409_naming_the_status_and_changes_nothing() {
    let message = json!({"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}});
    let action = json!({"type":"pick","payload":null});
    let closed = r#"{"error":{"code":"thread_closed","message":"Thread thr_closed is closed: Resolved by support"}}"#;
    let locked = r#"{"error":{"code":"thread_locked","message":"Thread thr_locked is locked"}}"#;
    let work = |thread: &str| {
        [
            json!({"type":"threads.add_user_message","params":{"thread_id":thread,"input":message}}),
            json!({"type":"threads.retry_after_item","params":{"thread_id":thread,"item_id":"msg_u"}}),
            json!({"type":"threads.add_client_tool_output","params":{"thread_id":thread,"result":{"ok":true}}}),
            json!({"type":"threads.add_structured_input","params":{"thread_id":thread,"item_id":"si_p","input":{}}}),
            json!({"type":"threads.custom_action","params":{"thread_id":thread,"item_id":"msg_w","action":action}}),
            json!({"type":"threads.sync_custom_action","params":{"thread_id":thread,"item_id":"msg_w","action":action}}),
        ]
    };
    let mut failures = Vec::new();
    for (thread, expected) in [("thr_closed", closed), ("thr_locked", locked)] {
        for body in work(thread) {
            let app = app();
            seed_threads_not_open(&app.store).await;
            let before = dump(&app.store).await;
            let (status, content_type, error) =
                call(&app.router, post(Some("alice"), body.to_string())).await;
            let got = (status.as_u16(), content_type.as_str(), error.as_str());
            if got != (409, "application/json", expected) {
                failures.push(format!("{} on {thread}: got {got:?}", body["type"]));
            }
            if dump(&app.store).await != before {
                failures.push(format!("{} on {thread}: the store changed", body["type"]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_closed_thread_can_still_be_read_renamed_and_deleted() {
    let app = app();
    seed_threads_not_open(&app.store).await;
    let reads = [
        json!({"type":"threads.get_by_id","params":{"thread_id":"thr_closed"}}),
        json!({"type":"items.list","params":{"thread_id":"thr_closed"}}),
        json!({"type":"threads.update","params":{"thread_id":"thr_closed","title":"Done"}}),
        json!({"type":"threads.delete","params":{"thread_id":"thr_closed"}}),
    ];
    for body in reads {
        let (status, _, answer) = call(&app.router, post(Some("alice"), body.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{}: {answer}", body["type"]);
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_with_a_json_error() {
    let app = app();
    seed(&app.store).await;
    let before = dump(&app.store).await;
    let padding = "x".repeat(http::DEFAULT_BODY_LIMIT);
    let body = create_thread(&padding);
    let (status, content_type, error) = call(&app.router, post(Some("alice"), body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(content_type, "application/json");
    assert_eq!(
        error,
        r#"{"error":{"code":"payload_too_large","message":"the request body is larger than 1048576 bytes"}}"#
    );
    assert_eq!(dump(&app.store).await, before);
}

#[tokio::test]
async fn a_failing_hook_is_a_generic_500_that_does_not_leak_its_detail() {
    let body = json!({"type":"input.transcribe","params":{"audio_base64":"AAEC","mime_type":"audio/webm"}});
    let request = post(Some("alice"), body.to_string());
    let (router, _) = faulty_app();
    let (status, content_type, error) = call(&router, request).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(content_type, "application/json");
    assert_eq!(
        error,
        r#"{"error":{"code":"internal_error","message":"the server failed to handle this request"}}"#
    );
}

#[tokio::test]
async fn a_panicking_hook_is_a_500_json_error_not_a_dropped_connection() {
    let (router, store) = faulty_app();
    seed(&store).await;
    let body = json!({"type":"threads.sync_custom_action",
        "params":{"thread_id":"thr_a","action":{"type":"pick"}}});
    let (status, content_type, error) = call(&router, post(Some("alice"), body.to_string())).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(content_type, "application/json");
    assert_eq!(
        error,
        r#"{"error":{"code":"internal_error","message":"the server failed to handle this request"}}"#
    );
}

// ---- Happy paths -----------------------------------------------------------------------------

#[tokio::test]
async fn json_operations_answer_200_application_json_whatever_the_request_content_type() {
    let app = app();
    seed(&app.store).await;
    let body = json!({"type":"items.list","params":{"thread_id":"thr_a","limit":2,"order":"asc"}});
    let request = Request::post("/chatkit")
        .header("x-user-id", "alice")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(body.to_string()))
        .expect("a valid request");
    let (status, content_type, page) = call(&app.router, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    assert_eq!(
        page,
        concat!(
            r#"{"data":[{"id":"msg_u1","thread_id":"thr_a","created_at":"2025-01-01T00:00:01Z","type":"user_message","#,
            r#""content":[{"type":"input_text","text":"Hi"}],"attachments":[],"inference_options":{}},"#,
            r#"{"id":"msg_a1","thread_id":"thr_a","created_at":"2025-01-01T00:00:02Z","type":"assistant_message","#,
            r#""content":[{"annotations":[],"text":"Hello","type":"output_text"}]}],"has_more":true,"after":"msg_a1"}"#
        )
    );
}

/// The frames `threads.create` with `text` streams on a fresh app, up to `stream_options`.
fn created_prelude(text: &str) -> String {
    format!(
        concat!(
            r#"data: {{"type":"thread.created","thread":{{"id":"thr_0001","created_at":"2025-01-02T03:04:05Z","#,
            r#""status":{{"type":"active"}},"metadata":{{}},"items":{{"data":[],"has_more":false}}}}}}"#,
            "\n\n",
            r#"data: {{"type":"thread.item.done","item":{{"id":"msg_0001","thread_id":"thr_0001","#,
            r#""created_at":"2025-01-02T03:04:06Z","type":"user_message","content":[{{"type":"input_text","text":"{}"}}],"#,
            r#""attachments":[],"inference_options":{{}}}}}}"#,
            "\n\n",
            r#"data: {{"type":"stream_options","stream_options":{{"allow_cancel":true}}}}"#,
            "\n\n",
        ),
        text
    )
}

#[tokio::test]
async fn threads_create_streams_the_exact_sse_frames() {
    let app = app();
    let response = send(&app.router, post(Some("alice"), create_thread("hi"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_text(&response, header::CONTENT_TYPE),
        "text/event-stream; charset=utf-8"
    );
    assert_eq!(header_text(&response, header::CACHE_CONTROL), "no-cache");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the stream ends");
    let expected = created_prelude("hi")
        + concat!(
            r#"data: {"type":"thread.item.done","item":{"id":"msg_0002","thread_id":"thr_0001","#,
            r#""created_at":"2025-01-02T03:04:07Z","type":"assistant_message","#,
            r#""content":[{"annotations":[],"text":"Hello, alice!","type":"output_text"}]}}"#,
            "\n\n"
        );
    assert_eq!(String::from_utf8_lossy(&body), expected);
}

#[tokio::test]
async fn hidden_items_never_reach_the_client_through_added_or_replaced() {
    let app = app();
    let (status, _, frames) = call(&app.router, post(Some("alice"), create_thread("hidden"))).await;
    assert_eq!(status, StatusCode::OK);
    // msg_0002 (added) and msg_0003 (replaced) are hidden: only the reply follows the prelude.
    let expected = created_prelude("hidden")
        + concat!(
            r#"data: {"type":"thread.item.done","item":{"id":"msg_0004","thread_id":"thr_0001","#,
            r#""created_at":"2025-01-02T03:04:09Z","type":"assistant_message","#,
            r#""content":[{"annotations":[],"text":"Done.","type":"output_text"}]}}"#,
            "\n\n"
        );
    assert_eq!(frames, expected);
    // The replaced one is stored, as model context; the one only added is not.
    let types: Vec<_> = items_of(&app.store, "thr_0001")
        .await
        .iter()
        .map(|item| format!("{} {}", item["id"], item["type"]))
        .collect();
    assert_eq!(
        types,
        [
            r#""msg_0001" "user_message""#,
            r#""msg_0003" "hidden_context_item""#,
            r#""msg_0004" "assistant_message""#
        ]
    );
}

#[tokio::test]
async fn the_path_and_the_body_limit_are_configurable() {
    let app = app_with(RouterConfig::new().path("/api/chatkit").body_limit(64));
    let list = json!({"type":"threads.list","params":{}}).to_string();
    let moved = Request::post("/api/chatkit")
        .header("x-user-id", "alice")
        .body(Body::from(list.clone()))
        .expect("a valid request");
    let (status, _, page) = call(&app.router, moved).await;
    assert_eq!(
        (status, page.as_str()),
        (StatusCode::OK, r#"{"data":[],"has_more":false}"#)
    );
    let (status, _, _) = call(&app.router, post(Some("alice"), list)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "/chatkit is no longer served"
    );
    let big = Request::post("/api/chatkit")
        .header("x-user-id", "alice")
        .body(Body::from(create_thread("a message longer than the limit")))
        .expect("a valid request");
    let (status, _, error) = call(&app.router, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        error,
        r#"{"error":{"code":"payload_too_large","message":"the request body is larger than 64 bytes"}}"#
    );
}

// ---- Cancellation ----------------------------------------------------------------------------

/// Reference: `test_cancelled_stream_does_not_persist_pending_empty_assistant_message`.
#[tokio::test]
async fn a_cancelled_stream_does_not_persist_a_pending_empty_assistant_message() {
    let app = app();
    // Hold the sender and send nothing: the reply stays an empty pending message.
    let (_hold, deltas) = mpsc::unbounded_channel();
    *app.deltas.lock().expect("not poisoned") = Some(deltas);
    let response = send(&app.router, post(Some("alice"), create_thread("stream"))).await;
    let mut body = response.into_body().into_data_stream();
    let mut seen = String::new();
    while !seen.contains(r#""type":"thread.item.added""#) {
        let chunk = body.next().await.expect("more frames").expect("a frame");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    // The client goes away: hyper would drop the body exactly like this.
    drop(body);
    let items = items_after_cancel(&app.store, "thr_0001").await;
    assert_eq!(
        items,
        [
            json!({"id":"msg_0001","thread_id":"thr_0001","created_at":"2025-01-02T03:04:06Z",
                   "type":"user_message","content":[{"type":"input_text","text":"stream"}],
                   "attachments":[],"inference_options":{}}),
            json!({"id":"shcx_0001","thread_id":"thr_0001","created_at":"2025-01-02T03:04:08Z",
                   "type":"sdk_hidden_context","content":CANCELLED_NOTE}),
        ]
    );
}

// ---- One turn per thread -----------------------------------------------------------------------

/// `threads.add_user_message` with `text` to `thread`.
fn add_message(thread: &str, text: &str) -> String {
    json!({"type":"threads.add_user_message","params":{"thread_id":thread,
        "input":{"content":[{"type":"input_text","text":text}],"attachments":[],"inference_options":{}}}})
    .to_string()
}

/// Reads a response's body to its end.
async fn read_to_end(response: Response<Body>) -> String {
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    String::from_utf8(body.expect("a whole body").to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn a_second_turn_on_a_busy_thread_is_409_thread_busy_and_changes_nothing() {
    let app = app();
    // The first turn streams an answer and then waits for deltas that do not come yet.
    let deltas = queue_deltas(&app, &["Hel"]);
    let first = send(&app.router, post(Some("alice"), create_thread("stream"))).await;
    assert_eq!(first.status(), StatusCode::OK);
    let before = dump(&app.store).await;

    let busy = r#"{"error":{"code":"thread_busy","message":"Thread thr_0001 has a turn in progress; send again when it has ended"}}"#;
    let retry = json!({"type":"threads.retry_after_item","params":{"thread_id":"thr_0001","item_id":"msg_0001"}});
    for body in [add_message("thr_0001", "me too"), retry.to_string()] {
        let (status, content_type, error) = call(&app.router, post(Some("alice"), body)).await;
        assert_eq!(
            (status.as_u16(), content_type.as_str(), error.as_str()),
            (409, "application/json", busy)
        );
        assert_eq!(
            dump(&app.store).await,
            before,
            "a refused turn stores nothing"
        );
    }
    // Another thread is not held up, nor is reading the busy one.
    let (status, _, _) = call(&app.router, post(Some("alice"), create_thread("hi"))).await;
    assert_eq!(status, StatusCode::OK);
    let get = json!({"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}});
    let (status, _, _) = call(&app.router, post(Some("alice"), get.to_string())).await;
    assert_eq!(status, StatusCode::OK);

    // The first turn ends; its thread takes the next message.
    drop(deltas);
    read_to_end(first).await;
    let next = send(
        &app.router,
        post(Some("alice"), add_message("thr_0001", "me too")),
    )
    .await;
    assert_eq!(next.status(), StatusCode::OK);
}

/// Locks whose release takes 20 ms, as a release over a network does (a database's unlock).
struct SlowRelease(LocalTurnLocks);

#[async_trait]
impl TurnLocks for SlowRelease {
    async fn try_lock(
        &self,
        owner: &str,
        thread: &ThreadId,
    ) -> Result<Option<TurnLock>, StoreError> {
        Ok(self.0.try_lock_now(owner, thread).map(|lock| {
            TurnLock::new(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                lock.release().await;
            })
        }))
    }
}

/// The lock is released before the pipeline closes the client's stream, so a client that has
/// read the end of an answer and sends its next message at once never meets its own turn.
/// With a release that takes 20 ms, any release after the close would be seen at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_thread_is_free_as_soon_as_the_client_has_read_the_end_of_its_stream() {
    let server = Scripted {
        deltas: DeltaSlot::default(),
    };
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .turn_locks(SlowRelease(LocalTurnLocks::new()))
        .build();
    let router = http::router(processor, user_from_header);
    let first = send(&router, post(Some("alice"), create_thread("hi"))).await;
    read_to_end(first).await;
    for round in 0..20 {
        let response = send(
            &router,
            post(Some("alice"), add_message("thr_0001", "again")),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "round {round}");
        read_to_end(response).await;
    }
}

#[tokio::test]
async fn the_lock_is_released_when_the_client_leaves_mid_turn() {
    let app = app();
    let _hold = queue_deltas(&app, &["Hel"]);
    let response = send(&app.router, post(Some("alice"), create_thread("stream"))).await;
    let turn = response
        .extensions()
        .get::<chatkit::server::TurnHandle>()
        .cloned()
        .expect("a streaming response carries its turn");
    let mut body = response.into_body().into_data_stream();
    let mut seen = String::new();
    while !seen.contains("text_delta") {
        let chunk = body.next().await.expect("more frames").expect("a frame");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(body);
    turn.finished().await;
    let next = send(
        &app.router,
        post(Some("alice"), add_message("thr_0001", "back")),
    )
    .await;
    assert_eq!(next.status(), StatusCode::OK);
}

// ---- End to end over a socket ----------------------------------------------------------------

/// Sends `body` as a raw HTTP/1.1 POST; `close` asks the server to close after answering.
async fn raw_post(addr: SocketAddr, body: &str, close: bool) -> TcpStream {
    let mut socket = TcpStream::connect(addr).await.expect("connected");
    let connection = if close { "close" } else { "keep-alive" };
    let head = format!(
        "POST /chatkit HTTP/1.1\r\nhost: {addr}\r\nx-user-id: alice\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: {connection}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.expect("sent");
    socket.write_all(body.as_bytes()).await.expect("sent");
    socket
}

/// The payload of a `Transfer-Encoding: chunked` body: each chunk is `<hex size>\r\n<data>\r\n`.
fn dechunk(mut raw: &str) -> String {
    let mut data = String::new();
    while let Some((size, rest)) = raw.split_once("\r\n") {
        let size = usize::from_str_radix(size, 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        data.push_str(&rest[..size]);
        raw = &rest[size + 2..];
    }
    data
}

/// Queues `texts` as the deltas of the next `"stream"` reply; the reply waits for more until
/// the returned sender is dropped.
fn queue_deltas(app: &App, texts: &[&str]) -> mpsc::UnboundedSender<String> {
    let (deltas, receiver) = mpsc::unbounded_channel();
    *app.deltas.lock().expect("not poisoned") = Some(receiver);
    for delta in texts {
        deltas
            .send((*delta).to_owned())
            .expect("the receiver is waiting");
    }
    deltas
}

/// Reads the stream until `count` text deltas have arrived; returns the bytes read.
async fn read_until_deltas(socket: &mut TcpStream, count: usize) -> Vec<u8> {
    let delta_frames = |seen: &[u8]| {
        String::from_utf8_lossy(seen)
            .matches(r#""type":"thread.item.updated""#)
            .count()
    };
    let mut seen = Vec::new();
    while delta_frames(&seen) < count {
        let mut buffer = [0; 4096];
        let read = socket.read(&mut buffer).await.expect("more of the stream");
        assert_ne!(read, 0, "the stream ended early");
        seen.extend_from_slice(&buffer[..read]);
    }
    seen
}

/// The one test with a real socket: a whole stream, then a stream the client walks away from,
/// then the same walk-away in a turn that cannot be cancelled.
#[tokio::test]
async fn over_a_socket_a_stream_arrives_whole_and_a_closed_one_keeps_what_was_shown() {
    let app = app();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let addr = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, app.router.clone(), async {
        let _ = stopped.await;
    }));

    // (a) Every delta is queued and the sender dropped, so the stream runs to its end.
    drop(queue_deltas(&app, &["Hel", "lo"]));
    let mut socket = raw_post(addr, &create_thread("stream"), true).await;
    let mut raw = String::new();
    socket
        .read_to_string(&mut raw)
        .await
        .expect("the whole response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("content-type: text/event-stream; charset=utf-8\r\n"),
        "{head}"
    );
    assert!(head.contains("transfer-encoding: chunked\r\n"), "{head}");
    let expected = format!(
        concat!(
            "{}",
            r#"data: {{"type":"thread.item.added","item":{{"id":"msg_0002","thread_id":"thr_0001","#,
            r#""created_at":"2025-01-02T03:04:07Z","type":"assistant_message","content":[]}}}}"#,
            "\n\n",
            r#"data: {{"type":"thread.item.updated","item_id":"msg_0002","update":{{"#,
            r#""type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Hel"}}}}"#,
            "\n\n",
            r#"data: {{"type":"thread.item.updated","item_id":"msg_0002","update":{{"#,
            r#""type":"assistant_message.content_part.text_delta","content_index":0,"delta":"lo"}}}}"#,
            "\n\n",
            r#"data: {{"type":"thread.item.done","item":{{"id":"msg_0002","thread_id":"thr_0001","#,
            r#""created_at":"2025-01-02T03:04:07Z","type":"assistant_message","#,
            r#""content":[{{"annotations":[],"text":"Hello","type":"output_text"}}]}}}}"#,
            "\n\n",
        ),
        created_prelude("stream")
    );
    assert_eq!(dechunk(body), expected);

    // (b) Two deltas are sent, then the test holds the sender: the reply waits for a third
    // that never comes, so exactly two deltas exist when the client walks away.
    let deltas = queue_deltas(&app, &["Stop", "ped"]);
    // Keep-alive, so hyper is reading the socket and notices when it closes.
    let mut socket = raw_post(addr, &create_thread("stream"), false).await;
    read_until_deltas(&mut socket, 2).await;
    drop(socket);
    let items = items_after_cancel(&app.store, "thr_0002").await;
    assert_eq!(
        items,
        [
            json!({"id":"msg_0003","thread_id":"thr_0002","created_at":"2025-01-02T03:04:09Z",
                   "type":"user_message","content":[{"type":"input_text","text":"stream"}],
                   "attachments":[],"inference_options":{}}),
            json!({"id":"msg_0004","thread_id":"thr_0002","created_at":"2025-01-02T03:04:10Z",
                   "type":"assistant_message",
                   "content":[{"annotations":[],"text":"Stopped","type":"output_text"}]}),
            json!({"id":"shcx_0001","thread_id":"thr_0002","created_at":"2025-01-02T03:04:11Z",
                   "type":"sdk_hidden_context","content":CANCELLED_NOTE}),
        ]
    );
    drop(deltas);

    // (c) The same cut in a turn that cannot be cancelled (`allow_cancel: false`): the turn
    // runs on without the client, and its whole answer is stored, with no cancel note.
    let deltas = queue_deltas(&app, &["Stop", "ped"]);
    let mut socket = raw_post(addr, &create_thread("delete my drafts"), false).await;
    let seen = read_until_deltas(&mut socket, 2).await;
    assert!(
        String::from_utf8_lossy(&seen).contains(r#""stream_options":{"allow_cancel":false}"#),
        "the client is told the turn cannot be stopped"
    );
    drop(socket);
    // Give the pipeline time to notice the closed socket, then let the reply finish.
    tokio::time::sleep(Duration::from_millis(50)).await;
    deltas
        .send("!".to_owned())
        .expect("the responder still listens");
    drop(deltas);
    let cut = items_when_answered(&app.store, "thr_0003").await;
    // An uncut run of the same turn, for comparison.
    drop(queue_deltas(&app, &["Stop", "ped", "!"]));
    let mut socket = raw_post(addr, &create_thread("delete my drafts"), true).await;
    let mut whole = String::new();
    socket
        .read_to_string(&mut whole)
        .await
        .expect("the whole response");
    let uncut = items_when_answered(&app.store, "thr_0004").await;
    assert_eq!(without_ids(&cut), without_ids(&uncut));
    assert_eq!(
        without_ids(&cut),
        [
            json!({"type":"user_message","content":[{"type":"input_text","text":"delete my drafts"}],
                   "attachments":[],"inference_options":{}}),
            json!({"type":"assistant_message",
                   "content":[{"annotations":[],"text":"Stopped!","type":"output_text"}]}),
        ]
    );

    let _ = stop.send(());
    let served = tokio::time::timeout(Duration::from_secs(5), server).await;
    served
        .expect("the server shut down within 5 s")
        .expect("the server task did not panic")
        .expect("the server ran without an I/O error");
}

// ---- Keep-alive --------------------------------------------------------------------------

/// A responder with a 40-second quiet step between two messages (a slow tool, say).
struct SlowStep;

impl ChatKitServer<UserContext> for SlowStep {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        async_stream::try_stream! {
            yield out.assistant_message("Looking it up…");
            tokio::time::sleep(Duration::from_secs(40)).await;
            yield out.assistant_message("Found it.");
        }
        .boxed()
    }
}

/// The body of one `threads.create` through a router over `SlowStep` built by `config`.
async fn slow_step_body(config: RouterConfig) -> String {
    let processor = Processor::builder(SlowStep, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start()))
        .build();
    let router = config.build(processor, user_from_header);
    let create = r#"{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}}}}"#;
    let (status, _, body) = call(&router, post(Some("alice"), create)).await;
    assert_eq!(status, StatusCode::OK);
    body
}

/// Time is paused, so the 40 seconds pass at once, in order with the keep-alive timer.
#[tokio::test(start_paused = true)]
async fn a_quiet_stream_carries_keep_alive_comments_and_still_validates() {
    let body = slow_step_body(RouterConfig::new()).await;
    // 40 s of silence at the default 15 s: comments at 15 s and at 30 s.
    assert_eq!(body.matches(": keep-alive\n\n").count(), 2, "{body}");
    // Take the comments out and the bytes are exactly those of a stream without keep-alive.
    let without = slow_step_body(RouterConfig::new().keep_alive(None)).await;
    assert_eq!(body.replace(": keep-alive\n\n", ""), without);
    let validated = validate_stream(body.as_bytes(), StreamKind::Create);
    let errors: Vec<_> = validated
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(validated.events.len(), without.matches("data: ").count());
}
