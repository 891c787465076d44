//! Each lesson's server, run in-process, against the transcript the Python SDK recorded for
//! the same conversation (`reference/record_transcripts.py` → `fixtures/transcripts/`).
//!
//! The lesson's server is compiled straight from its file in `lessons/`, the requests are the
//! ones the recorder sent, and ids and time are injected the same way on both sides
//! (`SequentialIds`, and a `FixedClock` at 2025-01-02T03:04:05Z moving one second per
//! reading). So the bytes must be equal, field order included. Each response is also an insta
//! snapshot, so a change shows up as a readable diff in review.

use std::sync::Arc;

use chatkit::agent::{DEFAULT_MODEL, Runner};
use chatkit::clock::FixedClock;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::{ItemKind, Order, Timestamp};
use chatkit::provider::MockProvider;
use chatkit::server::{ChatKitServer, ProcessResult, Processor};
use chatkit::store::{MemoryStore, PageRequest, SqliteStore, Store, UserContext};
use futures::StreamExt;

#[path = "../lessons/lesson01/echo.rs"]
mod lesson01_echo;

// Lesson 03's server is two files; `planner.rs` reaches `slow.rs` as `super::slow`.
#[path = "../lessons/lesson03/planner.rs"]
mod lesson03_planner;
#[path = "../lessons/lesson03/slow.rs"]
mod slow;

#[path = "../lessons/lesson02/agent.rs"]
mod lesson02_agent;

/// A processor for `server` exactly as the recorder set its Python twin up.
fn recorded_setup(server: impl ChatKitServer<UserContext>) -> Processor<UserContext> {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build()
}

/// The bytes a client receives for `body`: all SSE frames, or the JSON body.
async fn response_bytes(processor: &Processor<UserContext>, body: &str) -> String {
    let result = processor
        .process(body.as_bytes(), UserContext::new("student"))
        .await
        .expect("the request succeeds");
    let bytes = match result {
        ProcessResult::Json(body) => body.to_vec(),
        ProcessResult::Stream(frames) => frames.collect::<Vec<_>>().await.concat(),
    };
    String::from_utf8(bytes).expect("responses are UTF-8")
}

fn transcript(name: &str) -> String {
    let path = format!("{}/fixtures/transcripts/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

const CREATE: &str = r#"{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}}}}"#;
const ADD_USER_MESSAGE: &str = r#"{"type":"threads.add_user_message","params":{"thread_id":"thr_0001","input":{"content":[{"type":"input_text","text":"how are you?"}],"attachments":[],"inference_options":{}}}}"#;
const GET_BY_ID: &str = r#"{"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}}"#;
const LIST: &str = r#"{"type":"threads.list","params":{}}"#;

#[tokio::test]
async fn lesson01_conversation_matches_the_python_sdk_byte_for_byte() {
    let processor = recorded_setup(lesson01_echo::EchoServer);
    let steps = [
        ("lesson01_create.sse", CREATE),
        ("lesson01_add_user_message.sse", ADD_USER_MESSAGE),
        ("lesson01_get_by_id.json", GET_BY_ID),
        ("lesson01_list.json", LIST),
    ];
    for (name, body) in steps {
        let ours = response_bytes(&processor, body).await;
        assert_eq!(
            ours,
            transcript(name),
            "{name} differs from the Python SDK's transcript"
        );
        insta::assert_snapshot!(name, ours);
    }
}

/// Lesson 02 has no Python twin (its agent is the lesson's own), so its stream is pinned by
/// snapshots: a first turn answered from the model, then a second turn, with the first in its
/// history, where the model calls the weather tool. The mock runs with no delay.
#[tokio::test]
async fn lesson02_agent_streams_a_two_turn_conversation() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let server = lesson02_agent::AgentServer {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson02_agent::agent(DEFAULT_MODEL)),
    };
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    let create = chatkit::http::ask::create_thread_body("What can you do?");
    insta::assert_snapshot!(
        "lesson02_create.sse",
        response_bytes(&processor, &create).await
    );
    let weather = r#"{"type":"threads.add_user_message","params":{"thread_id":"thr_0001","input":{"content":[{"type":"input_text","text":"What's the weather in Paris?"}],"attachments":[],"inference_options":{}}}}"#;
    insta::assert_snapshot!(
        "lesson02_weather.sse",
        response_bytes(&processor, weather).await
    );
    // The second turn sent the whole thread: the first question and answer, then the new one.
    let requests = mock.requests();
    let roles: Vec<String> = requests[1].body["input"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| item["role"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
}

/// `--ask` over real HTTP: the readable view of lesson 01's answer, and the raw SSE lines.
#[tokio::test]
async fn ask_prints_the_stream_readably_or_raw() {
    use chatkit::http::ask::{Caller, Output, ask};
    let app = || {
        let processor = recorded_setup(lesson01_echo::EchoServer);
        chatkit::http::router(processor, |_: &axum::http::request::Parts| {
            Ok::<_, chatkit::http::HttpError>(UserContext::new("student"))
        })
    };
    let mut pretty = Vec::new();
    ask(app(), &Caller::student(), "hi", Output::Pretty, &mut pretty)
        .await
        .expect("ask succeeds");
    assert_eq!(
        String::from_utf8(pretty).expect("UTF-8"),
        "thread thr_0001 created\nyou: hi\nassistant: Hello student! This is thread thr_0001. You said: hi\n"
    );
    let mut raw = Vec::new();
    ask(app(), &Caller::student(), "hi", Output::Raw, &mut raw)
        .await
        .expect("ask succeeds");
    assert_eq!(
        String::from_utf8(raw).expect("UTF-8"),
        transcript("lesson01_create.sse")
    );
}

/// One "run" of lesson 02 on the SQLite file `db`: a fresh store handle and a fresh mock model
/// whose ids start again at `msg_mock_001_0`, as after a restart with a provider that numbers
/// its items per process. Returns the events of the answer to `body`.
async fn lesson02_run_on(db: &std::path::Path, body: &str) -> Vec<serde_json::Value> {
    let mock = MockProvider::start().await.expect("the mock starts");
    let server = lesson02_agent::AgentServer {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson02_agent::agent(DEFAULT_MODEL)),
    };
    let store = SqliteStore::open(db).await.expect("the file opens");
    let processor = Processor::builder(server, store).build();
    let sse = response_bytes(&processor, body).await;
    sse.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|json| serde_json::from_str(json).expect("each frame is JSON"))
        .collect()
}

/// A restart must not break the threads already in the file: the second run's model reuses
/// the first run's item ids, and the turn still ends cleanly, with every item saved under an
/// id of its own.
#[tokio::test]
async fn lesson02_continues_a_thread_after_a_restart_on_the_same_sqlite_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("lesson02.sqlite3");

    let first = lesson02_run_on(&db, &chatkit::http::ask::create_thread_body("hi")).await;
    let thread_id = first[0]["thread"]["id"]
        .as_str()
        .expect("thread.created")
        .to_owned();
    let follow_up = serde_json::json!({"type":"threads.add_user_message","params":{
        "thread_id": thread_id,
        "input":{"content":[{"type":"input_text","text":"how are you?"}],"attachments":[],"inference_options":{}}}});
    let second = lesson02_run_on(&db, &follow_up.to_string()).await;

    let errors: Vec<_> = second
        .iter()
        .filter(|event| event["type"] == "error")
        .collect();
    assert!(errors.is_empty(), "the second turn failed: {errors:?}");
    let store = SqliteStore::open(&db).await.expect("the file opens");
    let items = store
        .load_thread_items(
            &thread_id.as_str().into(),
            &PageRequest::first(50, Order::Asc),
            &UserContext::new("student"),
        )
        .await
        .expect("the thread loads");
    let kinds: Vec<&str> = items.data.iter().map(|item| item_type(item)).collect();
    assert_eq!(
        kinds,
        [
            "user_message",
            "assistant_message",
            "user_message",
            "assistant_message"
        ]
    );
    let first_answer = &items.data[1].id;
    let second_answer = &items.data[3].id;
    assert_eq!(
        first_answer.as_str(),
        "msg_mock_001_0",
        "the first answer keeps the model's id"
    );
    assert_ne!(
        first_answer, second_answer,
        "the second answer got an id of its own"
    );
}

fn item_type(item: &chatkit::protocol::ThreadItem) -> &'static str {
    match &item.kind {
        ItemKind::UserMessage(_) => "user_message",
        ItemKind::AssistantMessage(_) => "assistant_message",
        _ => "other",
    }
}

/// The day planner with no pauses, as recorded: a whole turn; a custom error and a failure in
/// the middle of the answer (the `get_by_id` at the end shows what each left stored: the
/// workflow, not the half-streamed message); and a `delete` turn, which cannot be cancelled.
/// The Python twin learns the first word from its context, since the SDK's
/// `get_stream_options` is not given the input (ours is: a deliberate difference).
#[tokio::test]
async fn lesson03_conversation_matches_the_python_sdk_byte_for_byte() {
    let planner = lesson03_planner::Planner {
        delay: std::time::Duration::ZERO,
    };
    let processor = recorded_setup(planner);
    let message = |text: &str| {
        serde_json::json!({"type":"threads.add_user_message","params":{"thread_id":"thr_0001",
            "input":{"content":[{"type":"input_text","text":text}],"attachments":[],"inference_options":{}}}})
        .to_string()
    };
    let steps = [
        (
            "lesson03_create.sse",
            chatkit::http::ask::create_thread_body("Plan my day"),
        ),
        ("lesson03_busy.sse", message("busy tomorrow?")),
        ("lesson03_crash.sse", message("crash please")),
        ("lesson03_delete.sse", message("delete everything")),
        ("lesson03_get_by_id.json", GET_BY_ID.to_owned()),
    ];
    for (name, body) in steps {
        let ours = response_bytes(&processor, &body).await;
        assert_eq!(
            ours,
            transcript(name),
            "{name} differs from the Python SDK's transcript"
        );
        insta::assert_snapshot!(name, ours);
    }
}

/// Lesson 03's app as `main.rs` builds it (the planner, `user_from_header`), served on a real
/// loopback socket with `delay` between steps. Every streaming response's turn is kept, so a
/// test can wait until a turn the client left is over.
struct Lesson03Served {
    url: String,
    store: Arc<MemoryStore>,
    turns: Arc<std::sync::Mutex<Vec<chatkit::server::TurnHandle>>>,
    stop: tokio::sync::oneshot::Sender<()>,
}

async fn lesson03_served(delay: std::time::Duration) -> Lesson03Served {
    use chatkit::server::TurnHandle;
    let store = Arc::new(MemoryStore::new());
    let processor =
        Processor::builder(lesson03_planner::Planner { delay }, Arc::clone(&store)).build();
    let turns: Arc<std::sync::Mutex<Vec<TurnHandle>>> = Arc::default();
    let kept = Arc::clone(&turns);
    let app = chatkit::http::router(processor, chatkit::http::user_from_header).layer(
        axum::middleware::map_response(move |response: axum::response::Response| {
            if let Some(turn) = response.extensions().get::<TurnHandle>() {
                kept.lock().expect("not poisoned").push(turn.clone());
            }
            std::future::ready(response)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let url = format!(
        "http://{}/chatkit",
        listener.local_addr().expect("an address")
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(chatkit::http::serve(listener, app, async {
        let _ = stopped.await;
    }));
    Lesson03Served {
        url,
        store,
        turns,
        stop,
    }
}

impl Lesson03Served {
    /// Starts a thread with `text` over HTTP and reads its stream, to its end or (with `cut`)
    /// up to the first text delta, then drops the connection; waits until the server is done
    /// with the turn and returns what the store holds for the thread.
    ///
    /// Call it for one turn at a time: it takes the newest turn handle the server recorded,
    /// which is this response's only when no other request is in flight.
    async fn turn(&self, text: &str, cut: bool) -> Vec<serde_json::Value> {
        use chatkit::protocol::{ThreadItemUpdate, ThreadStreamEvent};
        use eventsource_stream::Eventsource;
        let response = reqwest::Client::new()
            .post(&self.url)
            .header("x-user-id", "alice")
            .body(chatkit::http::ask::create_thread_body(text))
            .send()
            .await
            .expect("the server answers");
        let turn = {
            let mut turns = self.turns.lock().expect("not poisoned");
            turns.pop().expect("a streaming response carries its turn")
        };
        let mut events = response.bytes_stream().eventsource();
        let mut thread = None;
        while let Some(event) = events.next().await {
            let event = event.expect("an SSE event");
            match serde_json::from_str(&event.data).expect("a stream event") {
                ThreadStreamEvent::ThreadCreated { thread: created } => {
                    thread = Some(created.metadata.id);
                }
                ThreadStreamEvent::ThreadItemUpdated {
                    update: ThreadItemUpdate::ContentPartTextDelta { .. },
                    ..
                } if cut => break,
                _ => {}
            }
        }
        // Dropping the body mid-stream closes the connection, as a closed tab does.
        drop(events);
        tokio::time::timeout(std::time::Duration::from_secs(30), turn.finished())
            .await
            .expect("the turn ends within 30 s");
        let thread = thread.expect("thread.created came first");
        let page = PageRequest::first(100, Order::Asc);
        let items = self
            .store
            .load_thread_items(&thread, &page, &UserContext::new("alice"))
            .await
            .expect("the thread loads");
        items
            .data
            .iter()
            .map(|item| serde_json::to_value(item).expect("an item serializes"))
            .collect()
    }
}

/// The text of each stored item, by type: `(type, text)`.
fn stored_texts(items: &[serde_json::Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|item| {
            let kind = item["type"].as_str().unwrap_or_default().to_owned();
            let text = match kind.as_str() {
                "user_message" | "assistant_message" => item["content"][0]["text"].clone(),
                "sdk_hidden_context" => item["content"].clone(),
                _ => serde_json::Value::Null,
            };
            (kind, text.as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// Items without what differs between two runs of the same turn: ids and times.
fn without_ids(items: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let mut items = items.to_vec();
    for item in &mut items {
        if let Some(fields) = item.as_object_mut() {
            for key in ["id", "thread_id", "created_at"] {
                fields.remove(key);
            }
        }
    }
    items
}

/// Over a real socket: a plan cut after its first word keeps what the user saw (their
/// message, the finished workflow, the partial answer) and the hidden note; a `delete` cut at
/// the same point runs on unseen and stores exactly what an uncut run stores, with no note.
/// The pause (100 ms) is what lets the cut land between two words; the three turns run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lesson03_over_a_socket_a_cut_plan_keeps_what_was_shown_and_a_cut_deletion_finishes() {
    let served = lesson03_served(std::time::Duration::from_millis(100)).await;
    // One after the other: each turn takes the handle of the response it just got, which is
    // only its own while no other request is in flight.
    let plan = served.turn("Plan my day", true).await;
    let deletion = served.turn("delete my day", true).await;
    let uncut = served.turn("delete my day", false).await;

    let texts = stored_texts(&plan);
    let kinds: Vec<&str> = texts.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "user_message",
            "workflow",
            "assistant_message",
            "sdk_hidden_context"
        ],
        "{plan:?}"
    );
    assert_eq!(texts[0].1, "Plan my day");
    // The first word, and no more unless the server was slower than the pause to notice.
    let partial = &texts[2].1;
    let answer = lesson03_planner::PLAN.answer;
    assert!(
        partial.starts_with("Here ")
            && answer.starts_with(partial.as_str())
            && partial.len() < answer.len(),
        "the partial answer {partial:?}"
    );
    assert_eq!(texts[3].1, chatkit::server::CANCELLED_NOTE);

    assert_eq!(without_ids(&deletion), without_ids(&uncut));
    let texts = stored_texts(&deletion);
    assert_eq!(
        texts
            .iter()
            .map(|(kind, _)| kind.as_str())
            .collect::<Vec<_>>(),
        ["user_message", "workflow", "assistant_message"],
        "no cancel note: {deletion:?}"
    );
    assert_eq!(texts[2].1, lesson03_planner::CLEAR.answer);
    let _ = served.stop.send(());
}

/// What the lesson 03 chapter shows (`book/src/lesson03/*.txt`), as the code prints it: the
/// readable `--ask` view of a whole turn, and the store after a turn cut after its first word,
/// for a plan and for a deletion. The cut drops the response's frames, as hyper drops them
/// when a connection closes, with time paused, so every run cuts at the same word. Set
/// `CHATKIT_BLESS=1` to rewrite the files.
#[tokio::test(start_paused = true)]
async fn lesson03_the_outputs_in_the_chapter_are_what_the_code_prints() {
    use chatkit::http::ask::{Caller, Output, ask, print_stored};
    use chatkit::protocol::ThreadId;
    let planner = |delay_ms| lesson03_planner::Planner {
        delay: std::time::Duration::from_millis(delay_ms),
    };
    let mut outputs = Vec::new();

    let processor = recorded_setup(planner(0));
    let app = chatkit::http::router(processor, chatkit::http::user_from_header);
    let mut view = Vec::new();
    ask(
        app,
        &Caller::student(),
        "Plan my day",
        Output::Pretty,
        &mut view,
    )
    .await
    .expect("ask succeeds");
    outputs.push(("ask_plan.txt", String::from_utf8(view).expect("UTF-8")));

    for (name, text) in [
        ("cancel_plan.txt", "Plan my day"),
        ("cancel_delete.txt", "delete my day"),
    ] {
        // The default pause of `--delay-ms`, so there are ticks, then the workflow, then words.
        let processor = recorded_setup(planner(60));
        let body = chatkit::http::ask::create_thread_body(text);
        let ProcessResult::Stream(frames) = processor
            .process(body.as_bytes(), UserContext::new("student"))
            .await
            .expect("the stream starts")
        else {
            panic!("threads.create streams");
        };
        let turn = frames.turn();
        let mut frames = frames;
        while let Some(frame) = frames.next().await {
            if String::from_utf8_lossy(&frame).contains("content_part.text_delta") {
                break;
            }
        }
        drop(frames);
        turn.finished().await;
        let mut listing = Vec::new();
        let ctx = UserContext::new("student");
        print_stored(
            processor.store().as_ref(),
            &ThreadId::new("thr_0001"),
            &ctx,
            Output::Pretty,
            &mut listing,
        )
        .await
        .expect("the store answers");
        outputs.push((name, String::from_utf8(listing).expect("UTF-8")));
    }

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/lesson03");
    for (name, output) in outputs {
        let path = dir.join(name);
        if std::env::var_os("CHATKIT_BLESS").is_some() {
            std::fs::create_dir_all(&dir).expect("the folder can be made");
            std::fs::write(&path, &output).expect("the file can be written");
        }
        let shown = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            shown,
            output,
            "{} differs from what the code prints; run with CHATKIT_BLESS=1 to rewrite it",
            path.display()
        );
    }
}

/// The planner's deadline, with time paused: with 600 ms pauses the calendar would take 6 s,
/// so after its progress updates (one at once, one every 250 ms) the turn ends at 5 s with a
/// custom error the user may retry, and only the user's message is stored.
#[tokio::test(start_paused = true)]
async fn lesson03_a_calendar_slower_than_its_deadline_ends_in_an_error_the_user_may_retry() {
    use chatkit::protocol::{ErrorCode, ThreadStreamEvent};
    let processor = recorded_setup(lesson03_planner::Planner {
        delay: std::time::Duration::from_millis(600),
    });
    let started = tokio::time::Instant::now();
    let sse = response_bytes(&processor, &chatkit::http::ask::create_thread_body("hi")).await;
    assert_eq!(started.elapsed(), std::time::Duration::from_secs(5));
    let events: Vec<ThreadStreamEvent> = sse
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|json| serde_json::from_str(json).expect("a stream event"))
        .collect();
    let progress: Vec<&str> = events
        .iter()
        .filter_map(|event| match event {
            ThreadStreamEvent::ProgressUpdate { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let ticks: Vec<String> = (1..20)
        .map(|n| format!("Still checking your calendar ({n})…"))
        .collect();
    assert_eq!(progress[0], "Checking your calendar…");
    assert_eq!(progress[1..], ticks);
    let Some(ThreadStreamEvent::Error(error)) = events.last() else {
        panic!("the turn ends with an error: {events:?}");
    };
    assert_eq!(error.code, ErrorCode::Custom);
    assert_eq!(
        error.message.as_deref(),
        Some("The calendar did not answer within 5 s.")
    );
    assert!(error.allow_retry);
    let items = processor
        .store()
        .load_thread_items(
            &"thr_0001".into(),
            &PageRequest::first(10, Order::Asc),
            &UserContext::new("student"),
        )
        .await
        .expect("the thread loads");
    let kinds: Vec<&str> = items.data.iter().map(item_type).collect();
    assert_eq!(kinds, ["user_message"]);
}

// Lesson 04: one file, `memory.rs`, the server whose model requests the tests read.
#[path = "../lessons/lesson04/memory.rs"]
mod lesson04_memory;

/// Lesson 04's server on a fresh mock (no delay) and an in-memory store, ids and clock as the
/// recorder injects them.
async fn lesson04(memory: lesson04_memory::Memory) -> (MockProvider, Processor<UserContext>) {
    let mock = MockProvider::start().await.expect("the mock starts");
    let server = lesson04_memory::MemoryServer {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson04_memory::agent(DEFAULT_MODEL)),
        memory,
        converter: Arc::new(chatkit::agent::history::DefaultConverter),
    };
    (mock, recorded_setup(server))
}

/// Sends `message` to `thread` (a new thread when `None`) and returns the answer's text, read
/// back from the store.
async fn lesson04_turn(
    processor: &Processor<UserContext>,
    thread: Option<&str>,
    message: &str,
) -> String {
    let body = match thread {
        None => chatkit::http::ask::create_thread_body(message),
        Some(id) => chatkit::http::ask::add_user_message_body(&id.into(), message),
    };
    response_bytes(processor, &body).await;
    let thread = thread.unwrap_or("thr_0001").into();
    let page = PageRequest::first(1, Order::Desc);
    let items = processor
        .store()
        .load_thread_items(&thread, &page, &UserContext::new("student"))
        .await
        .expect("the thread's items");
    match &items.data[0].kind {
        ItemKind::AssistantMessage(message) => message
            .content
            .iter()
            .map(|part| part.text.as_str())
            .collect(),
        other => panic!("the turn ended without an answer: {other:?}"),
    }
}

/// `(role, text)` of each message of a model request's `input`, as the request carried it.
fn request_messages(input: &serde_json::Value) -> Vec<(String, String)> {
    let items = input.as_array().expect("an input list");
    items
        .iter()
        .map(|item| {
            let role = item["role"].as_str().unwrap_or("?").to_owned();
            (
                role,
                item["content"][0]["text"]
                    .as_str()
                    .unwrap_or("?")
                    .to_owned(),
            )
        })
        .collect()
}

const NOTE_1: &str = "Remember that my sister's birthday is May 3.";
const NOTE_2: &str = "Remember that I take tea without sugar.";
const QUESTION: &str = "What did I ask you to remember?";
const BOTH_NOTES: &str = "You asked me to remember: \"that my sister's birthday is May 3\", \"that I take tea without sugar\".";

/// The trap of this chapter: the new message is already stored when `respond()` runs, so the
/// window holds it. The third request carries both exchanges and the question exactly once.
#[tokio::test]
async fn lesson04_the_third_request_carries_two_exchanges_and_the_new_message_once() {
    let budget = chatkit::agent::history::HistoryBudget::tokens(2_000);
    let (mock, processor) = lesson04(lesson04_memory::Memory::Window(budget)).await;
    let first = lesson04_turn(&processor, None, NOTE_1).await;
    let second = lesson04_turn(&processor, Some("thr_0001"), NOTE_2).await;
    let answer = lesson04_turn(&processor, Some("thr_0001"), QUESTION).await;
    let requests = mock.requests();
    assert_eq!(requests.len(), 3, "one model request per turn");
    let sent = request_messages(&requests[2].body["input"]);
    let expected = [
        ("user", NOTE_1),
        ("assistant", first.as_str()),
        ("user", NOTE_2),
        ("assistant", second.as_str()),
        ("user", QUESTION),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(role, text)| (role.to_string(), text.to_string()))
        .collect();
    assert_eq!(
        sent, expected,
        "the third request is the thread, oldest first"
    );
    let times = sent.iter().filter(|(_, text)| text == QUESTION).count();
    assert_eq!(
        times, 1,
        "the new message is sent once, not appended to the history again"
    );
    assert_eq!(answer, BOTH_NOTES);
}

/// A 500-message thread: the model input stays within the budget, ends with the question, and
/// the oldest note has fallen out of the window, so the model cannot remember it.
#[tokio::test]
async fn lesson04_a_500_message_thread_is_answered_within_the_budget() {
    use chatkit::agent::history::{HistoryBudget, input_tokens};
    use chatkit::protocol::{
        AssistantMessage, AssistantMessageContent, InferenceOptions, ItemId, ThreadItem,
        ThreadMetadata, UserMessage, UserMessageContent,
    };
    const BUDGET: usize = 1_000;
    let (mock, processor) = lesson04(lesson04_memory::Memory::Window(HistoryBudget::tokens(
        BUDGET,
    )))
    .await;
    // 499 messages stored the day before, a note first; the 500th is the question.
    let store = processor.store();
    let user = UserContext::new("student");
    let day_before = Timestamp::from_ymd_hms(2025, 1, 1, 0, 0, 0).expect("valid date");
    let at =
        |n: i64| Timestamp::from_datetime(day_before.as_datetime() + chrono::Duration::seconds(n));
    let thread = ThreadMetadata::new("thr_0001", at(0));
    store
        .save_thread(&thread, &user)
        .await
        .expect("save the thread");
    for n in 0..499 {
        let kind = match n {
            0 => ItemKind::UserMessage(UserMessage {
                content: vec![UserMessageContent::text(NOTE_1)],
                attachments: Vec::new(),
                quoted_text: None,
                inference_options: InferenceOptions::default(),
            }),
            _ => ItemKind::AssistantMessage(AssistantMessage {
                content: vec![AssistantMessageContent::text(format!(
                    "Reminder {n}: the plumber comes before Friday, and the boiler needs a look."
                ))],
            }),
        };
        let item = ThreadItem {
            id: ItemId::new(format!("msg_{n:06}")),
            thread_id: thread.id.clone(),
            created_at: at(n),
            kind,
        };
        store
            .add_thread_item(&thread.id, &item, &user)
            .await
            .expect("add an item");
    }
    let answer = lesson04_turn(&processor, Some("thr_0001"), QUESTION).await;
    let requests = mock.requests();
    let input = requests[0]
        .model_input
        .as_ref()
        .expect("the mock accepted the request");
    assert!(
        input_tokens(input) <= BUDGET,
        "{} tokens over a budget of {BUDGET}",
        input_tokens(input)
    );
    assert!(
        input.len() < 500,
        "the window is the end of the thread, not all of it"
    );
    let sent = request_messages(&requests[0].body["input"]);
    assert_eq!(sent.last().map(|(_, text)| text.as_str()), Some(QUESTION));
    assert_eq!(answer, "You haven't asked me to remember anything yet.");
}

/// `previous_response_id`: after the first turn each request sends only the new message and
/// names the last response, kept in the thread's metadata; the mock expands it to the whole
/// conversation and answers from both notes.
#[tokio::test]
async fn lesson04_previous_response_id_sends_only_the_new_items() {
    let budget = chatkit::agent::history::HistoryBudget::tokens(2_000);
    let (mock, processor) = lesson04(lesson04_memory::Memory::PreviousResponse(budget)).await;
    lesson04_turn(&processor, None, NOTE_1).await;
    lesson04_turn(&processor, Some("thr_0001"), NOTE_2).await;
    let answer = lesson04_turn(&processor, Some("thr_0001"), QUESTION).await;
    let requests = mock.requests();
    assert_eq!(requests[0].body.get("previous_response_id"), None);
    for (request, new) in requests[1..].iter().zip([NOTE_2, QUESTION]) {
        assert!(
            request.body["previous_response_id"].is_string(),
            "{:?}",
            request.body
        );
        assert_eq!(
            request_messages(&request.body["input"]),
            [("user".to_owned(), new.to_owned())]
        );
    }
    let seen = requests[2]
        .model_input
        .as_ref()
        .expect("the mock knew the response");
    assert_eq!(
        seen.len(),
        5,
        "the model saw both exchanges and the question"
    );
    assert_eq!(answer, BOTH_NOTES);
    let thread = processor
        .store()
        .load_thread(&"thr_0001".into(), &UserContext::new("student"))
        .await
        .expect("the thread");
    let kept = &thread.metadata[lesson04_memory::PREVIOUS_RESPONSE_ID];
    assert!(
        kept.is_string() && *kept != requests[2].body["previous_response_id"],
        "the last response id is kept for the next turn"
    );
}

/// The conversation of `reference/record_lesson04.py`, in both memory modes: the Python twin
/// (the SDK's `ThreadItemConverter` and the Agents SDK against the same mock) streamed these
/// bytes and sent these model requests; the Rust lesson must do the same.
#[tokio::test]
async fn lesson04_conversations_match_the_python_sdk_byte_for_byte() {
    use lesson04_memory::Memory;
    let budget = chatkit::agent::history::HistoryBudget::tokens(2_000);
    let modes = [
        ("window", Memory::Window(budget)),
        ("previous_response", Memory::PreviousResponse(budget)),
    ];
    for (mode, memory) in modes {
        let (mock, processor) = lesson04(memory).await;
        let mut sse = String::new();
        for (n, text) in [NOTE_1, NOTE_2, QUESTION].into_iter().enumerate() {
            let body = match n {
                0 => chatkit::http::ask::create_thread_body(text),
                _ => chatkit::http::ask::add_user_message_body(&"thr_0001".into(), text),
            };
            sse += &response_bytes(&processor, &body).await;
        }
        let name = format!("lesson04_{mode}.sse");
        assert_eq!(
            sse,
            transcript(&name),
            "{name} differs from the Python SDK's transcript"
        );
        insta::assert_snapshot!(name, sse);
        let recorded: serde_json::Value =
            serde_json::from_str(&transcript(&format!("lesson04_{mode}.requests.json")))
                .expect("JSON");
        let ours: Vec<serde_json::Value> = mock.requests().into_iter().map(|r| r.body).collect();
        assert_eq!(
            serde_json::Value::Array(ours),
            recorded,
            "lesson04 {mode}: the model requests differ from the Python SDK's"
        );
    }
}

// Lesson 05: the app's own context type, built from each request's headers.
#[path = "../lessons/lesson05/context.rs"]
mod lesson05_context;

/// Lesson 05's app as `main.rs` builds it (the assistant, `context_from_headers`), ids and
/// clock as the recorder injects them, and its store.
fn lesson05_app() -> (axum::Router, MemoryStore) {
    let store = MemoryStore::new();
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(lesson05_context::Assistant, store.clone())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    let app = chatkit::http::router(processor, lesson05_context::context_from_headers);
    (app, store)
}

/// The status and body of a POST to `/chatkit` with `headers`, through the router.
async fn lesson05_post(
    app: &axum::Router,
    headers: Headers,
    body: &str,
) -> (axum::http::StatusCode, String) {
    use tower::ServiceExt;
    let mut request = axum::http::Request::post("/chatkit");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(axum::body::Body::from(body.to_owned()))
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body is readable");
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

/// A request's headers, `(name, value)`.
type Headers = &'static [(&'static str, &'static str)];

const ALICE: Headers = &[
    ("x-user-id", "alice"),
    ("accept-language", "fr-CH, fr;q=0.9, en;q=0.8"),
];
const BOB: Headers = &[("x-user-id", "bob")];

/// The recorder's lesson05 requests, in its order, up to the closed thread's listing: the
/// transcript, whose headers, the body.
fn lesson05_steps() -> [(&'static str, Headers, String); 6] {
    use chatkit::http::ask::{add_user_message_body, create_thread_body};
    [
        (
            "lesson05_create_fr.sse",
            ALICE,
            create_thread_body("Bonjour"),
        ),
        ("lesson05_create_en.sse", BOB, create_thread_body("Hello")),
        (
            "lesson05_close.sse",
            ALICE,
            add_user_message_body(&"thr_0001".into(), "/close"),
        ),
        ("lesson05_get_closed.json", ALICE, GET_BY_ID.to_owned()),
        ("lesson05_list_alice.json", ALICE, LIST.to_owned()),
        ("lesson05_list_bob.json", BOB, LIST.to_owned()),
    ]
}

/// The conversation of `reference/record_transcripts.py`'s lesson05, through the router: the
/// context comes from the headers, so alice is answered in French and bob in English, `/close`
/// sends the farewell and then `thread.updated` with the closed status, `get_by_id` shows it
/// stored, and each user lists only their own thread. The Python twin builds its own context
/// class from the same headers.
#[tokio::test]
async fn lesson05_conversation_matches_the_python_sdk_byte_for_byte() {
    let (app, _store) = lesson05_app();
    for (name, headers, body) in lesson05_steps() {
        let (status, ours) = lesson05_post(&app, headers, &body).await;
        assert_eq!(status, 200, "{name}: {ours}");
        assert_eq!(
            ours,
            transcript(name),
            "{name} differs from the Python SDK's transcript"
        );
        insta::assert_snapshot!(name, ours);
    }
}

/// A deliberate difference: after `/close`, the SDK answers a new message on the closed thread
/// (`lesson05_after_close_sdk.sse`, recorded from it), leaving the status to the client's
/// composer. Ours refuses it with a 409 `thread_closed` and the reason, and stores nothing.
#[tokio::test]
async fn lesson05_a_closed_thread_refuses_a_new_message_where_the_sdk_answers_it() {
    let (app, store) = lesson05_app();
    for (name, headers, body) in lesson05_steps() {
        let (status, _) = lesson05_post(&app, headers, &body).await;
        assert_eq!(status, 200, "{name}");
    }
    let alice = lesson05_context::AppContext {
        user_id: "alice".to_owned(),
        language: "fr",
    };
    let dump = || async {
        let thread = store
            .load_thread(&"thr_0001".into(), &alice)
            .await
            .expect("the thread");
        let items = store
            .load_thread_items(
                &"thr_0001".into(),
                &PageRequest::first(100, Order::Asc),
                &alice,
            )
            .await
            .expect("its items");
        (thread, items.data)
    };
    let before = dump().await;

    let hello = chatkit::http::ask::add_user_message_body(&"thr_0001".into(), "Hello?");
    let (status, ours) = lesson05_post(&app, ALICE, &hello).await;
    assert_eq!(status, 409);
    assert_eq!(
        ours,
        r#"{"error":{"code":"thread_closed","message":"Thread thr_0001 is closed: Closed by alice with /close"}}"#
    );
    insta::assert_snapshot!("lesson05_after_close.json", ours);
    assert_eq!(dump().await, before, "a refused message changes nothing");

    // What the reference does instead: it stores the message and answers it.
    let sdk = transcript("lesson05_after_close_sdk.sse");
    assert!(
        sdk.contains(r#""text":"Hello?""#)
            && sdk.contains("Bonjour alice ! Vous avez dit : Hello?"),
        "the SDK's recording no longer answers the closed thread:\n{sdk}"
    );
}

// Lesson 06: a verified bearer token is the only identity; roles, owners and attachments.
#[path = "../lessons/lesson06/app.rs"]
mod lesson06_app;
#[path = "../lessons/lesson06/assistant.rs"]
mod lesson06_assistant;

/// The instant `reference/record_lesson06.py` mints its tokens at, and its verifier's clock.
fn lesson06_start() -> Timestamp {
    Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date")
}

/// A token as the recorder mints it: HS256 with the development secret, no tenant claim,
/// issued at [`lesson06_start`] and valid for an hour.
fn lesson06_token(sub: &str, roles: &[&str]) -> String {
    use chatkit::auth::{Claims, DEVELOPMENT_SECRET, mint_hs256};
    let roles = roles.iter().map(|role| (*role).to_owned()).collect();
    let issued_at = lesson06_start().as_datetime().timestamp();
    let claims = Claims::for_user(
        sub,
        None,
        roles,
        issued_at,
        std::time::Duration::from_secs(3600),
    );
    mint_hs256(DEVELOPMENT_SECRET.as_bytes(), &claims).expect("the development secret signs")
}

/// The verifier of lesson 06 with its own clock fixed at [`lesson06_start`] (not the
/// processor's: each of its readings stamps an item).
fn lesson06_verifier() -> chatkit::auth::JwtVerifier {
    use chatkit::auth::{DEVELOPMENT_SECRET, JwtVerifier};
    JwtVerifier::hs256(DEVELOPMENT_SECRET.as_bytes())
        .expect("the development secret is long enough")
        .clock(Arc::new(FixedClock::at(lesson06_start())))
}

/// Lesson 06's assistant on a fresh mock (no delay), its files in `files`.
async fn lesson06_assistant(
    files: &chatkit::attachments::DiskAttachments,
) -> (MockProvider, lesson06_assistant::Assistant) {
    let mock = MockProvider::start().await.expect("the mock starts");
    let server = lesson06_assistant::Assistant {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(lesson06_assistant::agent(DEFAULT_MODEL)),
        converter: Arc::new(lesson06_assistant::WithAttachments {
            files: files.clone(),
        }),
    };
    (mock, server)
}

/// Disk attachments under `dir`, with upload URLs on the lesson's default address and
/// attachment ids counted from `atc_0001`, as the recorder's store counts them.
fn lesson06_files(dir: &std::path::Path) -> chatkit::attachments::DiskAttachments {
    let public_url = url::Url::parse("http://127.0.0.1:8000/chatkit").expect("a URL");
    chatkit::attachments::DiskAttachments::open(dir, public_url)
        .expect("the files directory")
        .ids(SequentialIds::new())
}

/// The status, the headers and the body of a POST to `/chatkit` with `token` (none: no
/// `Authorization` header), through `app`.
async fn lesson06_post(
    app: &axum::Router,
    token: Option<&str>,
    body: &str,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use tower::ServiceExt;
    let mut request = axum::http::Request::post("/chatkit");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request
        .body(axum::body::Body::from(body.to_owned()))
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (head, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the body is readable");
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    (head.status, head.headers, text)
}

/// The recorder's picture: a 1x1 PNG.
fn lesson06_png() -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .expect("base64")
}

/// `attachments.create` for the picture, as the recorder sends it.
fn lesson06_attachment_create() -> String {
    format!(
        r#"{{"type":"attachments.create","params":{{"name":"dot.png","size":{},"mime_type":"image/png"}}}}"#,
        lesson06_png().len()
    )
}

/// alice's message about the picture `id` on her thread, as the recorder sends it.
fn lesson06_attachment_message(id: &str) -> String {
    format!(
        r#"{{"type":"threads.add_user_message","params":{{"thread_id":"thr_0001","input":{{"content":[{{"type":"input_text","text":"What is in this picture?"}}],"attachments":["{id}"],"inference_options":{{}}}}}}}}"#
    )
}

/// The status, the headers and the body of a PUT of `bytes` to `path` with `token`.
async fn lesson06_put(
    app: &axum::Router,
    token: &str,
    path: &str,
    bytes: Vec<u8>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use tower::ServiceExt;
    let request = axum::http::Request::put(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "image/png")
        .body(axum::body::Body::from(bytes))
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (head, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the body is readable");
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    (head.status, head.headers, text)
}

/// The conversation of `reference/record_lesson06.py`, through the router: alice and bob each
/// create a thread (the agent greets each by the name in their token, and the model requests
/// carry it in the instructions), bob cannot see alice's thread (404), a request without a
/// token is a 401 and a viewer's `threads.create` a 403, and each user lists only their own
/// thread. Then alice creates an attachment (a 1x1 PNG), uploads it to the URL it names, and
/// sends a message with it: the model request carries it as an `input_image` data URL. The
/// Python twin verifies the same tokens with its own HS256 check.
///
/// The router is the lesson's own (`app::app`), its processor given the recorder's
/// `SequentialIds` and `FixedClock`.
#[tokio::test]
async fn lesson06_conversation_matches_the_python_sdk_byte_for_byte() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = lesson06_files(dir.path());
    let (mock, server) = lesson06_assistant(&files).await;
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(lesson06_start()));
    let app = lesson06_app::app(
        processor,
        files,
        lesson06_verifier(),
        chatkit::http::RouterConfig::new(),
    );

    let alice = lesson06_token("alice", &[]);
    let bob = lesson06_token("bob", &[]);
    let carol = lesson06_token("carol", &["viewer"]);
    let create = chatkit::http::ask::create_thread_body;
    let steps = [
        ("create_alice.sse", 200, Some(&alice), create("Hello")),
        ("create_bob.sse", 200, Some(&bob), create("Hi there")),
        ("other_user_404.json", 404, Some(&bob), GET_BY_ID.to_owned()),
        ("no_token_401.json", 401, None, create("Hello")),
        ("viewer_403.json", 403, Some(&carol), create("Hello")),
        ("list_alice.json", 200, Some(&alice), LIST.to_owned()),
        ("list_bob.json", 200, Some(&bob), LIST.to_owned()),
    ];
    for (step, status, token, body) in steps {
        let name = format!("lesson06_{step}");
        let (ours_status, _, ours) = lesson06_post(&app, token.map(String::as_str), &body).await;
        assert_eq!(ours_status, status, "{name}: {ours}");
        assert_eq!(
            ours,
            transcript(&name),
            "{name} differs from the Python SDK's transcript"
        );
        insta::assert_snapshot!(name, ours);
    }

    // alice attaches a picture: the record, the upload to its URL, a message naming it.
    let (status, _, created) =
        lesson06_post(&app, Some(&alice), &lesson06_attachment_create()).await;
    assert_eq!(status, 200, "{created}");
    let record: serde_json::Value = serde_json::from_str(&created).expect("JSON");
    let id = record["id"].as_str().expect("an id").to_owned();
    let name = "lesson06_attachment_create.json";
    assert_eq!(
        created,
        transcript(name),
        "{name} differs from the Python SDK's"
    );
    insta::assert_snapshot!(name, created);
    let (status, _, uploaded) = lesson06_put(
        &app,
        &alice,
        &format!("/chatkit/attachments/{id}/upload"),
        lesson06_png(),
    )
    .await;
    assert_eq!(status, 200, "the upload: {uploaded}");
    let message = lesson06_attachment_message(&id);
    let (status, _, sse) = lesson06_post(&app, Some(&alice), &message).await;
    assert_eq!(status, 200, "{sse}");
    let name = "lesson06_attachment_message.sse";
    assert_eq!(
        sse,
        transcript(name),
        "{name} differs from the Python SDK's"
    );
    insta::assert_snapshot!(name, sse);

    let recorded: serde_json::Value =
        serde_json::from_str(&transcript("lesson06.requests.json")).expect("JSON");
    let requests: Vec<serde_json::Value> = mock.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(
        serde_json::Value::Array(requests),
        recorded,
        "lesson06: the model requests differ from the Python SDK's"
    );
}

/// The router a student serves (`app::app`, as `main.rs` calls it) refuses a request without
/// a token with the RFC 6750 challenge and the recorded body, and answers alice's token.
#[tokio::test]
async fn lesson06_the_served_router_wants_a_token() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = lesson06_files(dir.path());
    let (_mock, server) = lesson06_assistant(&files).await;
    let config = chatkit::http::RouterConfig::new().rate_limit_per_minute(60);
    let app = lesson06_app::app(
        Processor::builder(server, MemoryStore::new()),
        files,
        lesson06_verifier(),
        config,
    );
    let (status, headers, body) = lesson06_post(&app, None, LIST).await;
    assert_eq!(status, 401);
    assert_eq!(
        headers
            .get("www-authenticate")
            .map(|value| value.as_bytes()),
        Some(&b"Bearer realm=\"chatkit\""[..])
    );
    assert_eq!(body, transcript("lesson06_no_token_401.json"));
    let alice = lesson06_token("alice", &[]);
    let (status, _, body) = lesson06_post(&app, Some(&alice), LIST).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, r#"{"data":[],"has_more":false}"#);
}

/// Lesson 06's `quote` action trusts nothing in its payload: alice quotes her own message,
/// and bob, naming alice's thread and message from his own thread, gets an error and not a
/// word of hers.
#[tokio::test]
async fn lesson06_an_action_payload_naming_another_users_item_finds_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = lesson06_files(dir.path());
    let (_mock, server) = lesson06_assistant(&files).await;
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(lesson06_start()));
    let app = lesson06_app::app(
        processor,
        files,
        lesson06_verifier(),
        chatkit::http::RouterConfig::new(),
    );
    let alice = lesson06_token("alice", &[]);
    let bob = lesson06_token("bob", &[]);
    let create = chatkit::http::ask::create_thread_body;
    let (status, _, _) = lesson06_post(&app, Some(&alice), &create("My secret is 42")).await;
    assert_eq!(status, 200);
    let (status, _, _) = lesson06_post(&app, Some(&bob), &create("Hi")).await;
    assert_eq!(status, 200);
    let quote = |thread: &str| {
        serde_json::json!({"type": "threads.custom_action", "params": {"thread_id": thread,
            "action": {"type": "quote", "payload": {"thread_id": "thr_0001", "item_id": "msg_0001"}}}})
        .to_string()
    };
    let (status, _, own) = lesson06_post(&app, Some(&alice), &quote("thr_0001")).await;
    assert_eq!(status, 200, "{own}");
    assert!(own.contains("You said: My secret is 42"), "{own}");
    let (status, _, foreign) = lesson06_post(&app, Some(&bob), &quote("thr_0002")).await;
    assert_eq!(status, 200, "{foreign}");
    assert!(foreign.contains(r#""type":"error""#), "{foreign}");
    assert!(!foreign.contains("42"), "alice's words leaked: {foreign}");
    // A payload without the ids is refused before any stream starts.
    let bad = r#"{"type":"threads.custom_action","params":{"thread_id":"thr_0002","action":{"type":"quote","payload":{}}}}"#;
    let (status, _, body) = lesson06_post(&app, Some(&bob), bad).await;
    assert_eq!(status, 400, "{body}");
}

// Lesson 07: the web client's scripted server (no model), behind lesson 06's token check.
#[path = "../lessons/lesson07/round_trips.rs"]
mod round_trips;
// `showcase.rs` reaches `round_trips.rs` as `super::round_trips`, and back as `super::showcase`.
#[path = "../lessons/lesson07/showcase.rs"]
mod showcase;

/// The requests of `reference/record_lesson07.py`, in its order, all with alice's token: a
/// thread per conversation (`thr_0001` to `thr_0006`), then the history. The widget's item is
/// `msg_0006`, the failed turn's user message `msg_0011`.
fn lesson07_steps() -> [(&'static str, String); 12] {
    let create = chatkit::http::ask::create_thread_body;
    let thread =
        |id: &str| format!(r#"{{"type":"threads.get_by_id","params":{{"thread_id":"{id}"}}}}"#);
    [
        ("echo.sse", create("hello there")),
        ("plan.sse", create("plan my day")),
        ("widget.sse", create("lunch")),
        (
            "widget_action.sse",
            r#"{"type":"threads.custom_action","params":{"thread_id":"thr_0003","item_id":"msg_0006","action":{"type":"choose","payload":{"place":"Noodle bar"}}}}"#.to_owned(),
        ),
        ("client_tool.sse", create("what time is it?")),
        (
            "client_tool_output.sse",
            r#"{"type":"threads.add_client_tool_output","params":{"thread_id":"thr_0004","result":{"time":"12:34:56"}}}"#.to_owned(),
        ),
        ("effect.sse", create("confetti")),
        ("retry_fail.sse", create("fail")),
        (
            "retry.sse",
            r#"{"type":"threads.retry_after_item","params":{"thread_id":"thr_0006","item_id":"msg_0011"}}"#.to_owned(),
        ),
        ("history_list.json", LIST.to_owned()),
        ("history_widget.json", thread("thr_0003")),
        ("history_retry.json", thread("thr_0006")),
    ]
}

/// The conversations of `reference/record_lesson07.py`, through lesson 07's router (its
/// `RouterConfig` and lesson 06's verifier in front of the processor, as `main.rs`'s `app`
/// builds it, without the page's static routes): a text streamed word by word, the plan's
/// progress line and workflow, the lunch card and its replacement after a button's
/// `threads.custom_action`, the pending `get_local_time` call and the answer quoting the
/// output the page sent, the confetti effect, the error with `allow_retry` and its
/// successful retry, then the thread list and two threads as stored. The server runs with
/// no delay (`--delay-ms 0`) and the recorder's `SequentialIds` and `FixedClock`.
#[tokio::test]
async fn lesson07_conversations_match_the_python_sdk_byte_for_byte() {
    let server = showcase::Showcase {
        delay: std::time::Duration::ZERO,
        failed: std::sync::Mutex::default(),
    };
    let processor = Processor::builder(server, MemoryStore::new())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(lesson06_start()))
        .build();
    let app = chatkit::http::RouterConfig::new().build(processor, lesson06_verifier());
    let alice = lesson06_token("alice", &[]);
    for (step, body) in lesson07_steps() {
        let name = format!("lesson07_{step}");
        let (status, _, ours) = lesson06_post(&app, Some(&alice), &body).await;
        assert_eq!(status, 200, "{name}: {ours}");
        assert_eq!(
            ours,
            transcript(&name),
            "{name} differs from the Python SDK's transcript"
        );
        insta::assert_snapshot!(name, ours);
    }
}
