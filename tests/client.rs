//! `chatkit::client` against recorded streams and a live server: the fold property.
//!
//! What a client shows after a stream (the [`ThreadState`] fold of its events) must be what
//! the server stored, which `threads.get_by_id` returns afterwards. Three tests of that, and one
//! of the request methods:
//!
//! * `recorded_streams_fold_into_their_recorded_get_by_id`: every JSON fixture that is a
//!   thread with items (a recorded `threads.get_by_id`), against the fold of the same lesson's
//!   `.sse` files that name that thread, in the order they were recorded (a recorded retry
//!   drops what followed the retried message first, as the client does);
//! * `every_recorded_stream_folds_without_failing`: every `.sse` file under `fixtures/`
//!   folds, each event decoded or reported as a problem, none lost;
//! * `a_live_conversation_folds_into_what_get_thread_returns`: a server on a loopback port
//!   that streams deltas, a workflow, a widget, effects and a client tool call, driven by a
//!   [`Conversation`], then compared with `get_thread`, and its threads paged;
//! * `every_request_type_has_a_method_whose_body_the_server_reads`: the 16 methods.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_stream::try_stream;
use futures::StreamExt;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;

use chatkit::client::{Client, ClientError, Conversation, EventStream, ThreadState};
use chatkit::http;
use chatkit::id_gen::{IdKind, SequentialIds};
use chatkit::protocol::widget::{Card, Text};
use chatkit::protocol::{
    AssistantMessage, AssistantMessageContent, ClientToolCall, ClientToolCallStatus, ItemKind,
    Order, Task, TaskKind, TaskStatusIndicator, Thread, ThreadId, ThreadItem, ThreadItemUpdate,
    ThreadMetadata, ThreadStreamEvent, UserMessageItem, WidgetRoot, Workflow, WorkflowKind,
};
use chatkit::server::{ChatKitServer, EventStream as ServerEvents, Processor, Responder};
use chatkit::store::{MemoryStore, UserContext};

// ---- Recorded streams ------------------------------------------------------------------------

/// How many items `threads.get_by_id` returns: the oldest 20.
const GET_BY_ID_PAGE: usize = 20;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every file under `dir` whose name ends with `suffix`, sorted.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).expect("a readable fixtures directory");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            found.extend(files_ending(&path, suffix));
        } else if path.to_string_lossy().ends_with(suffix) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Folds a recorded stream into `state`; the number of events read.
async fn fold_file(path: &Path, state: &mut ThreadState) -> usize {
    let bytes = std::fs::read(path).expect("a readable transcript");
    let mut events = EventStream::from_bytes(bytes);
    let mut count = 0;
    while let Some(event) = events.next_event().await {
        let event = event.unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        state.apply_stream_event(&event);
        count += 1;
    }
    count
}

/// When the stream's first item was created: recorded streams of one thread are replayed
/// in that order (the one with `thread.created` has the oldest item, the user's message).
fn first_item_time(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a readable transcript");
    text.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .find_map(|event| event["item"]["created_at"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The recorded retries, and the message each retried. A transcript does not hold its request,
/// and a retry's stream does not say which items it replaced: the client drops them itself
/// when it asks ([`ThreadState::truncate_after`]). From `lesson07_steps` in tests/lessons.rs.
const RECORDED_RETRIES: &[(&str, &str)] = &[("lesson07_retry.sse", "msg_0011")];

/// Streams recorded beside a lesson's own that its server never stored: what the Python SDK
/// answers where this crate refuses (a message to lesson 05's closed thread). They are not
/// in the thread `get_by_id` returns.
const NOT_THIS_SERVERS: &[&str] = &["lesson05_after_close_sdk.sse"];

/// A recorded `threads.get_by_id` body: a JSON fixture that is a thread with items.
fn recorded_thread(path: &Path) -> Option<Thread> {
    let thread: Thread = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    (!thread.items.data.is_empty()).then_some(thread)
}

/// The recorded streams of `thread`: the `.sse` files of the same lesson (the name's prefix up
/// to its first `_`, as thread ids restart in each lesson) that name the thread, in the order
/// they were recorded.
fn streams_of(get_by_id: &Path, thread: &Thread) -> Vec<PathBuf> {
    let file = get_by_id
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    let lesson = file
        .as_deref()
        .and_then(|name| name.split('_').next())
        .unwrap_or_default();
    let dir = get_by_id.parent().expect("a fixture has a folder");
    let id = &thread.metadata.id;
    let (created, owned) = (format!(r#""id":"{id}""#), format!(r#""thread_id":"{id}""#));
    let mut streams: Vec<PathBuf> = files_ending(dir, ".sse")
        .into_iter()
        .filter(|path| {
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
            let text = std::fs::read_to_string(path).unwrap_or_default();
            name.is_some_and(|name| {
                name.starts_with(&format!("{lesson}_"))
                    && !NOT_THIS_SERVERS.contains(&name.as_str())
            }) && (text.contains(&created) || text.contains(&owned))
        })
        .collect();
    streams.sort_by_key(|path| first_item_time(path));
    streams
}

#[tokio::test]
async fn recorded_streams_fold_into_their_recorded_get_by_id() {
    let mut compared = Vec::new();
    for get_by_id in files_ending(&fixtures(), ".json") {
        let Some(stored) = recorded_thread(&get_by_id) else {
            continue;
        };
        let streams = streams_of(&get_by_id, &stored);
        if streams.is_empty() {
            continue;
        }
        let mut state = ThreadState::new();
        for stream in &streams {
            let name = stream
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
            let retried = RECORDED_RETRIES
                .iter()
                .find(|(file, _)| name.as_deref() == Some(*file));
            if let Some((_, message)) = retried {
                assert!(state.truncate_after(&chatkit::protocol::ItemId::new(*message)));
            }
            fold_file(stream, &mut state).await;
        }
        let what = get_by_id.display().to_string();
        assert_eq!(state.problems, Vec::new(), "{what}");
        assert_folds_into(&state, &stored, &what);
        compared.push(format!("{} ({} streams)", what, streams.len()));
    }
    println!("compared with get_by_id: {compared:#?}");
    // lesson01, lesson03 and lesson07 (its widget and retry threads) record a get_by_id after
    // their streams.
    assert!(compared.len() >= 4, "only {compared:?}");
}

/// The fold against what `threads.get_by_id` returned. What is comparable, and why:
///
/// * the metadata (id, title, status, creation time, image domains): `thread.created` and
///   `thread.updated` carry all of it, and `metadata` is `{}` on both sides;
/// * the *done* items, oldest first: get_by_id returns the stored items, and only a `done` or
///   `replaced` stores one (a pending item at the end of a stream is shown but not stored);
/// * only the first [`GET_BY_ID_PAGE`]: get_by_id returns the oldest 20 items (fewer when
///   hidden ones were among them; the fold never shows a hidden item, nor does get_by_id).
fn assert_folds_into(state: &ThreadState, stored: &Thread, what: &str) {
    assert_eq!(
        state.thread.as_ref(),
        Some(&stored.metadata),
        "{what}: metadata"
    );
    let folded: Vec<&ThreadItem> = state.done_items().take(GET_BY_ID_PAGE).collect();
    let stored_items: Vec<&ThreadItem> = stored.items.data.iter().collect();
    if stored.items.has_more {
        assert_eq!(
            &folded[..stored_items.len()],
            &stored_items[..],
            "{what}: items"
        );
    } else {
        assert_eq!(folded, stored_items, "{what}: items");
    }
}

#[tokio::test]
async fn every_recorded_stream_folds_without_failing() {
    let streams = files_ending(&fixtures(), ".sse");
    assert!(streams.len() >= 30, "{} streams", streams.len());
    let (mut events, mut problems) = (0, 0);
    for stream in &streams {
        let mut state = ThreadState::new();
        let count = fold_file(stream, &mut state).await;
        // Nothing vanishes: each event is shown, or collected, or reported as a problem.
        assert!(count > 0, "{}: no events", stream.display());
        events += count;
        problems += state.problems.len();
        // `fixtures/responses/` records the *model's* stream (Responses API events), not a
        // ChatKit one: every event there must be reported, none silently dropped. Every other
        // stream is ChatKit and must fold without a problem.
        if stream
            .parent()
            .is_some_and(|dir| dir.ends_with("responses"))
        {
            assert_eq!(state.problems.len(), count, "{}", stream.display());
        } else {
            assert_eq!(state.problems, Vec::new(), "{}", stream.display());
        }
    }
    println!(
        "{} streams, {events} events folded, {problems} reported as problems",
        streams.len()
    );
}

// ---- A live server ---------------------------------------------------------------------------

/// The answers of the test server, by the user's text:
///
/// * `"tour"`: progress, an effect, a notice, a streamed assistant message (part added, two
///   deltas, part done), a workflow (a task added, then updated), a streamed widget;
/// * `"where am I?"`: a client tool call `get_location`, pending; the turn that follows
///   the output says where the user is;
/// * anything else: a one-line reply.
struct Tour;

impl ChatKitServer<UserContext> for Tour {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> ServerEvents {
        match input.map(|message| message.text()).as_deref() {
            Some("tour") => tour(out),
            Some("where am I?") => {
                let call = ClientToolCall {
                    status: ClientToolCallStatus::Pending,
                    call_id: "call_1".to_owned(),
                    name: "get_location".to_owned(),
                    arguments: Map::new(),
                    output: None,
                };
                let item = out.item(IdKind::ToolCall, ItemKind::ClientToolCall(call));
                futures::stream::iter([Ok(ThreadStreamEvent::ThreadItemDone { item })]).boxed()
            }
            // The turn after the tool output has no user message.
            None => futures::stream::iter([Ok(out.assistant_message("You are in Paris."))]).boxed(),
            Some(text) => {
                futures::stream::iter([Ok(out.assistant_message(format!("You said {text}")))])
                    .boxed()
            }
        }
    }
}

fn tour(out: Responder<UserContext>) -> ServerEvents {
    let widget_states =
        futures::stream::iter(["", "Sun", "Sunny"].map(|text| {
            WidgetRoot::from(Card::new(vec![Text::new(text).with_id("forecast").into()]))
        }));
    let widget = out.stream_widget(widget_states, Some("Sunny".to_owned()));
    let head = try_stream! {
        yield ThreadStreamEvent::ProgressUpdate { icon: None, text: "Thinking…".to_owned() };
        let mut data = Map::new();
        data.insert("color".to_owned(), json!("blue"));
        yield ThreadStreamEvent::ClientEffect { name: "highlight".to_owned(), data };
        let empty = ItemKind::AssistantMessage(AssistantMessage { content: Vec::new() });
        let message = out.item(IdKind::Message, empty);
        yield ThreadStreamEvent::ThreadItemAdded { item: message.clone() };
        let updates = [
            ThreadItemUpdate::ContentPartAdded { content_index: 0, content: AssistantMessageContent::text("") },
            ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta: "Hel".to_owned() },
            ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta: "lo".to_owned() },
            ThreadItemUpdate::ContentPartDone { content_index: 0, content: AssistantMessageContent::text("Hello") },
        ];
        for update in updates {
            yield ThreadStreamEvent::ThreadItemUpdated { item_id: message.id.clone(), update };
        }
        let content = vec![AssistantMessageContent::text("Hello")];
        let kind = ItemKind::AssistantMessage(AssistantMessage { content });
        yield ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..message } };
        let workflow = Workflow { kind: WorkflowKind::Custom, tasks: Vec::new(), summary: None, expanded: true };
        let mut flow = out.item(IdKind::Workflow, ItemKind::Workflow { workflow });
        yield ThreadStreamEvent::ThreadItemAdded { item: flow.clone() };
        let task = |status_indicator| Task {
            status_indicator,
            kind: TaskKind::Custom { title: Some("Look outside".to_owned()), icon: None, content: None },
        };
        let added = ThreadItemUpdate::WorkflowTaskAdded { task_index: 0, task: task(TaskStatusIndicator::Loading) };
        yield ThreadStreamEvent::ThreadItemUpdated { item_id: flow.id.clone(), update: added };
        let updated = ThreadItemUpdate::WorkflowTaskUpdated { task_index: 0, task: task(TaskStatusIndicator::Complete) };
        yield ThreadStreamEvent::ThreadItemUpdated { item_id: flow.id.clone(), update: updated };
        // The done item is the fold's own pending copy: what the client built is what is stored.
        if let ItemKind::Workflow { workflow } = &mut flow.kind {
            workflow.tasks.push(task(TaskStatusIndicator::Complete));
        }
        yield ThreadStreamEvent::ThreadItemDone { item: flow };
    };
    head.chain(widget).boxed()
}

/// Serves the tour on a loopback port; the endpoint's URL and the signal that stops it.
async fn serve_tour() -> (String, tokio::sync::oneshot::Sender<()>) {
    let store = Arc::new(MemoryStore::new());
    let processor = Processor::builder(Tour, store)
        .ids(SequentialIds::new())
        .build();
    let app = http::router(processor, http::user_from_header);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let url = format!(
        "http://{}/chatkit",
        listener.local_addr().expect("an address")
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(http::serve(listener, app, async {
        let _ = stopped.await;
    }));
    (url, stop)
}

fn client(url: &str, user: &str) -> Client {
    let value = reqwest::header::HeaderValue::from_str(user).expect("a header value");
    Client::new(url)
        .expect("a URL")
        .header(reqwest::header::HeaderName::from_static("x-user-id"), value)
        .timeout(std::time::Duration::from_secs(10))
}

#[tokio::test]
async fn a_live_conversation_folds_into_what_get_thread_returns() {
    let (url, stop) = serve_tour().await;
    let effects: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen_effects = Arc::clone(&effects);
    let tool_calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen_calls = Arc::clone(&tool_calls);
    let mut chat = Conversation::new(client(&url, "alice"))
        .on_effect(move |name, _data| {
            seen_effects
                .lock()
                .expect("not poisoned")
                .push(name.to_owned());
        })
        .on_client_tool(move |call: &ClientToolCall| {
            seen_calls
                .lock()
                .expect("not poisoned")
                .push(call.name.clone());
            json!({"city": "Paris"})
        });

    chat.send_text("tour").await.expect("the tour");
    chat.send_text("where am I?")
        .await
        .expect("the tool round trip");
    chat.send_text("thanks").await.expect("a last message");

    let state = chat.state();
    assert_eq!(state.problems, Vec::new());
    assert!(state.pending.is_empty(), "{:?}", state.pending);
    assert_eq!(state.progress.len(), 1);
    assert_eq!(
        state.stream_options.map(|options| options.allow_cancel),
        Some(true)
    );
    assert_eq!(*effects.lock().expect("not poisoned"), ["highlight"]);
    assert_eq!(*tool_calls.lock().expect("not poisoned"), ["get_location"]);
    // The deltas, the workflow's tasks and the widget's streaming text were applied.
    let texts: Vec<String> = state.items.iter().map(describe).collect();
    assert_eq!(
        texts,
        [
            "user: tour",
            "assistant: Hello",
            "workflow: 1 task",
            "widget: Sunny",
            "user: where am I?",
            "tool get_location: {\"city\":\"Paris\"}",
            "assistant: You are in Paris.",
            "user: thanks",
            "assistant: You said thanks",
        ]
    );

    let thread_id = chat.thread_id().expect("a thread").clone();
    let stored = chat
        .client()
        .get_thread(&thread_id)
        .await
        .expect("the thread");
    assert_folds_into(state, &stored, "live");

    // Paging: two more threads, walked two at a time.
    for text in ["one", "two"] {
        Conversation::new(client(&url, "alice"))
            .send_text(text)
            .await
            .expect("another thread");
    }
    let alice = client(&url, "alice");
    let mut pages = alice.thread_pages(2, Order::Asc);
    let mut sizes = Vec::new();
    let mut ids = Vec::new();
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a page");
        sizes.push(page.data.len());
        ids.extend(page.data.into_iter().map(|thread| thread.metadata.id));
    }
    assert_eq!(sizes, [2, 1]);
    assert_eq!(ids[0], thread_id);
    let all = alice
        .all_threads(20, Order::Desc)
        .await
        .expect("all threads");
    assert_eq!(all.len(), 3);

    // A reopened thread continues where the fold left it.
    let mut again = Conversation::resume(client(&url, "alice"), &thread_id)
        .await
        .expect("the thread reopens");
    again.send_text("bye").await.expect("one more turn");
    let stored = alice.get_thread(&thread_id).await.expect("the thread");
    assert_folds_into(again.state(), &stored, "resumed");
    assert_eq!(again.state().items.len(), 11);
    // A retry: the view drops the old answer itself (no event says so), the new one streams.
    let bye = again.state().items[9].id.clone();
    let old_answer = again.state().items[10].id.clone();
    again.retry_after_item(&bye).await.expect("the retry");
    let stored = alice.get_thread(&thread_id).await.expect("the thread");
    assert_folds_into(again.state(), &stored, "retried");
    assert_eq!(again.state().items.len(), 11);
    assert_ne!(again.state().items[10].id, old_answer);

    // The limits: a body over the cap stops the stream after what fit, not silently.
    let capped = client(&url, "alice").max_body_bytes(300);
    let mut events = capped
        .create_thread(chatkit::client::text_input("tour"))
        .await
        .expect("the stream starts");
    let mut read = 0;
    let failure = loop {
        match events.next_event().await {
            Some(Ok(_)) => read += 1,
            Some(Err(error)) => break error,
            None => panic!("a 300-byte cap let the whole tour through"),
        }
    };
    assert!(matches!(failure, ClientError::TooLarge(300)), "{failure:?}");
    assert!(read >= 1, "the events that fit were read first");

    // A refusal carries the server's JSON error.
    let refused = alice.get_thread(&ThreadId::new("thr_nope")).await;
    match refused {
        Err(ClientError::Status {
            status: 404,
            error: Some(error),
            ..
        }) => {
            assert_eq!(error.code, "not_found");
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    let _ = stop.send(());
}

/// One line per shown item, enough to see that every update was applied.
fn describe(item: &ThreadItem) -> String {
    match &item.kind {
        ItemKind::UserMessage(message) => format!("user: {}", message.text()),
        ItemKind::AssistantMessage(message) => {
            let text: String = message
                .content
                .iter()
                .map(|part| part.text.as_str())
                .collect();
            format!("assistant: {text}")
        }
        ItemKind::Workflow { workflow } => format!("workflow: {} task", workflow.tasks.len()),
        ItemKind::Widget { widget, .. } => {
            let tree = serde_json::to_value(widget).expect("a widget serializes");
            format!(
                "widget: {}",
                tree["children"][0]["value"].as_str().unwrap_or("?")
            )
        }
        ItemKind::ClientToolCall(call) => format!(
            "tool {}: {}",
            call.name,
            call.output
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default()
        ),
        other => format!("{other:?}"),
    }
}

// ---- Every request type ----------------------------------------------------------------------

/// The server's verdict on one request: answered, or refused with its JSON error code.
fn verdict<T>(result: Result<T, ClientError>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(ClientError::Status {
            status,
            error: Some(error),
            ..
        }) => format!("{status} {}", error.code),
        Err(other) => format!("failed: {other}"),
    }
}

/// A streaming request's verdict, its stream read to the end.
async fn streamed(result: Result<EventStream, ClientError>) -> String {
    match result {
        Ok(mut events) => {
            while let Some(event) = events.next_event().await {
                if let Err(error) = event {
                    return format!("broken stream: {error}");
                }
            }
            "ok".to_owned()
        }
        Err(error) => verdict::<()>(Err(error)),
    }
}

/// Each of the 16 methods sends a body the server reads (never a 400 `invalid_request`): it is
/// answered, or refused for what the request asks (the tour server implements no actions, no
/// transcription and no uploads: 501; the thread has no pending tool call or form: 409/404).
#[tokio::test]
async fn every_request_type_has_a_method_whose_body_the_server_reads() {
    use chatkit::protocol::request::{AttachmentsCreateParams, FeedbackKind, ItemsListParams};
    use chatkit::protocol::{Action, AttachmentId, ItemId, StructuredInputSubmission};

    let (url, stop) = serve_tour().await;
    let alice = client(&url, "alice");
    let mut chat = Conversation::new(alice.clone());
    chat.send_text("hi").await.expect("a thread");
    let thread = chat.thread_id().expect("a thread").clone();
    let first = chat.state().items[0].id.clone();
    let input = chatkit::client::text_input;
    let items = ItemsListParams {
        thread_id: thread.clone(),
        limit: Some(5),
        order: Order::Asc,
        after: None,
    };
    let attachment = AttachmentsCreateParams {
        name: "a.png".to_owned(),
        size: 3,
        mime_type: "image/png".to_owned(),
    };
    let nothing = ItemId::new("msg_none");
    let verdicts = [
        streamed(alice.add_user_message(&thread, input("again")).await).await,
        streamed(alice.add_client_tool_output(&thread, json!({})).await).await,
        streamed(
            alice
                .add_structured_input(&thread, &nothing, StructuredInputSubmission::default())
                .await,
        )
        .await,
        streamed(alice.retry_after_item(&thread, &first).await).await,
        streamed(alice.custom_action(&thread, None, Action::new("go")).await).await,
        verdict(alice.get_thread(&thread).await),
        verdict(alice.list_threads(Default::default()).await),
        verdict(alice.list_items(items).await),
        verdict(
            alice
                .feedback(&thread, vec![first], FeedbackKind::Positive)
                .await,
        ),
        verdict(alice.create_attachment(attachment).await),
        verdict(alice.delete_attachment(&AttachmentId::new("atc_1")).await),
        verdict(alice.update_thread(&thread, "Renamed").await),
        verdict(
            alice
                .transcribe("AAAA".to_owned(), "audio/webm".to_owned())
                .await,
        ),
        verdict(
            alice
                .sync_custom_action(&thread, None, Action::new("go"))
                .await,
        ),
        verdict(alice.delete_thread(&thread).await),
    ];
    assert_eq!(
        verdicts,
        [
            "ok",
            "409 conflict",
            "404 not_found",
            "ok",
            "501 not_implemented",
            "ok",
            "ok",
            "ok",
            "ok",
            "501 uploads_not_configured",
            // The attachment is looked up first, and there is none.
            "404 not_found",
            "ok",
            "501 not_implemented",
            "501 not_implemented",
            "ok",
        ]
    );
    // `threads.create` is the sixteenth, sent by `send_text` above.
    assert_eq!(
        verdict(alice.get_thread(&thread).await),
        "404 not_found",
        "deleted"
    );
    let _ = stop.send(());
}
