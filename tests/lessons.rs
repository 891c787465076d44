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
    use chatkit::http::ask::{Output, ask};
    let app = || {
        let processor = recorded_setup(lesson01_echo::EchoServer);
        chatkit::http::router(processor, |_: &axum::http::request::Parts| {
            Ok::<_, chatkit::http::HttpError>(UserContext::new("student"))
        })
    };
    let mut pretty = Vec::new();
    ask(app(), "hi", Output::Pretty, &mut pretty)
        .await
        .expect("ask succeeds");
    assert_eq!(
        String::from_utf8(pretty).expect("UTF-8"),
        "thread thr_0001 created\nyou: hi\nassistant: Hello student! This is thread thr_0001. You said: hi\n"
    );
    let mut raw = Vec::new();
    ask(app(), "hi", Output::Raw, &mut raw)
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
        ("lesson03_create.sse", chatkit::http::ask::create_thread_body("Plan my day")),
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
