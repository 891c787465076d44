//! Each lesson's server, run in-process, against the transcript the Python SDK recorded for
//! the same conversation (`reference/record_transcripts.py` → `fixtures/transcripts/`).
//!
//! The lesson's server is compiled straight from its file in `lessons/`, the requests are the
//! ones the recorder sent, and ids and time are injected the same way on both sides
//! (`SequentialIds`, and a `FixedClock` at 2025-01-02T03:04:05Z moving one second per
//! reading). So the bytes must be equal, field order included. Each response is also an insta
//! snapshot, so a change shows up as a readable diff in review.

use chatkit::clock::FixedClock;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::Timestamp;
use chatkit::server::{ChatKitServer, ProcessResult, Processor};
use chatkit::store::{MemoryStore, UserContext};
use futures::StreamExt;

#[path = "../lessons/lesson01/echo.rs"]
mod lesson01_echo;

/// A processor for `server` exactly as the recorder set its Python twin up.
fn recorded_setup(server: impl ChatKitServer<UserContext>) -> Processor<UserContext> {
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    Processor::builder(server, MemoryStore::new().with_ids(SequentialIds::new()))
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
