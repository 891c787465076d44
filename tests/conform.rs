//! The conformance checker, checked: every rule catches a stream that breaks it, every
//! recorded fixture passes, and the live suite passes a lesson-like server and fails one that
//! mixes its users up.
//!
//! * Broken streams: one per invariant of `chatkit::conform::invariants`, per framing rule and
//!   per kind of re-serialization difference, each asserting the finding's area, severity
//!   and section. A rule with no broken stream here is a rule that might never fire.
//! * Fixtures: `validate` over every `.sse` and `.json` capture in `fixtures/transcripts` and
//!   `fixtures/agent_transcripts` (recorded from the Python SDK or matched to it byte for
//!   byte) finds nothing at all.
//! * Live: `check` against `chatkit::http::router` on a loopback port, with a server that
//!   streams its answer in deltas and reads the user from `x-user-id`: zero findings. The same
//!   server with every request mapped to one user fails the isolation checks.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::request::Parts;
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use chatkit::conform::{
    Area, BodyKind, CheckOptions, Finding, Report, Severity, StreamKind, check, validate_body,
    validate_capture, validate_stream,
};
use chatkit::http::{self, HttpError};
use chatkit::id_gen::IdKind;
use chatkit::protocol::{
    AssistantMessage, AssistantMessageContent, ItemKind, ThreadItem, ThreadItemUpdate,
    ThreadMetadata, ThreadStreamEvent,
};
use chatkit::server::{ChatKitServer, EventStream, Processor, Responder};
use chatkit::store::{MemoryStore, UserContext};

// ---- Building streams ------------------------------------------------------------------------

const THREAD: &str = "thr_1";

fn frames(events: &[Value]) -> Vec<u8> {
    events
        .iter()
        .map(|event| format!("data: {event}\n\n"))
        .collect::<String>()
        .into_bytes()
}

fn created() -> Value {
    json!({"type":"thread.created","thread":{"id":THREAD,"created_at":"2025-01-02T03:04:05Z","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}})
}

fn item(id: &str, kind: Value) -> Value {
    let mut item = json!({"id": id, "thread_id": THREAD, "created_at": "2025-01-02T03:04:06Z"});
    for (key, value) in kind.as_object().expect("an object") {
        item[key] = value.clone();
    }
    item
}

fn user_item(id: &str) -> Value {
    item(
        id,
        json!({"type":"user_message","content":[{"type":"input_text","text":"hi"}],"attachments":[],"inference_options":{}}),
    )
}

fn assistant_item(id: &str, text: Option<&str>) -> Value {
    let content = match text {
        Some(text) => json!([{"annotations":[],"text":text,"type":"output_text"}]),
        None => json!([]),
    };
    item(id, json!({"type":"assistant_message","content":content}))
}

fn done(item: Value) -> Value {
    json!({"type":"thread.item.done","item":item})
}

fn added(item: Value) -> Value {
    json!({"type":"thread.item.added","item":item})
}

fn options() -> Value {
    json!({"type":"stream_options","stream_options":{"allow_cancel":true}})
}

fn delta(id: &str, index: u32) -> Value {
    json!({"type":"thread.item.updated","item_id":id,"update":{"type":"assistant_message.content_part.text_delta","content_index":index,"delta":"x"}})
}

fn part_added(id: &str) -> Value {
    json!({"type":"thread.item.updated","item_id":id,"update":{"type":"assistant_message.content_part.added","content_index":0,"content":{"annotations":[],"text":"","type":"output_text"}}})
}

/// A correct create stream with a streamed answer, to break one piece at a time.
fn good_create() -> Vec<Value> {
    vec![
        created(),
        done(user_item("msg_1")),
        options(),
        added(assistant_item("msg_2", None)),
        part_added("msg_2"),
        delta("msg_2", 0),
        done(assistant_item("msg_2", Some("x"))),
    ]
}

fn hidden_item(id: &str) -> Value {
    item(id, json!({"type":"hidden_context_item","content":"secret"}))
}

/// The findings of one stream's bytes, checked as a capture.
fn findings_of(bytes: &[u8]) -> Vec<Finding> {
    validate_capture(bytes, "test")
        .findings()
        .cloned()
        .collect()
}

/// Asserts that exactly one kind of finding is there: `area`, `severity`, `section`.
#[track_caller]
fn assert_caught(findings: &[Finding], area: Area, severity: Severity, section: &str) {
    let hit = findings
        .iter()
        .any(|f| f.area == area && f.severity == severity && f.section == section);
    assert!(
        hit,
        "no {severity:?} in {area:?} {section}; found {findings:#?}"
    );
}

/// The events, as a capture, break a stream invariant of `section`.
#[track_caller]
fn assert_order_error(events: &[Value], section: &str) {
    assert_caught(
        &findings_of(&frames(events)),
        Area::StreamOrder,
        Severity::Error,
        section,
    );
}

/// No finding of `severity` at all.
#[track_caller]
fn assert_none(findings: &[Finding], severity: Severity) {
    let found: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
    assert!(found.is_empty(), "unexpected {severity:?}s: {found:#?}");
}

// ---- The good stream itself ---------------------------------------------------------------

#[test]
fn the_unbroken_stream_has_no_findings() {
    assert_eq!(findings_of(&frames(&good_create())), Vec::new());
}

// ---- Stream invariants ------------------------------------------------------------------------

#[test]
fn a_create_whose_user_item_comes_after_stream_options_is_an_error() {
    let mut events = good_create();
    events.swap(1, 2);
    let stream = validate_stream(&frames(&events), StreamKind::Create);
    assert_caught(
        &stream.findings,
        Area::StreamOrder,
        Severity::Error,
        "protocol#streaming-requests",
    );
}

#[test]
fn an_add_user_message_stream_without_the_user_item_is_an_error() {
    let events = &good_create()[2..];
    let stream = validate_stream(&frames(events), StreamKind::AddUserMessage);
    assert_caught(
        &stream.findings,
        Area::StreamOrder,
        Severity::Error,
        "protocol#streaming-requests",
    );
}

#[test]
fn a_continuing_stream_that_does_not_open_with_stream_options_is_an_error() {
    let events = [done(assistant_item("msg_2", Some("x")))];
    let stream = validate_stream(&frames(&events), StreamKind::Continue);
    assert_caught(
        &stream.findings,
        Area::StreamOrder,
        Severity::Error,
        "protocol#streaming-requests",
    );
}

#[test]
fn thread_created_after_the_first_event_is_an_error() {
    let mut events = good_create();
    events.push(created());
    let stream = validate_stream(&frames(&events), StreamKind::Create);
    assert_caught(
        &stream.findings,
        Area::StreamOrder,
        Severity::Error,
        "protocol#threads-create",
    );
}

#[test]
fn a_second_stream_options_in_one_stream_is_an_error() {
    let mut events = good_create();
    events.insert(4, options());
    let stream = validate_stream(&frames(&events), StreamKind::Create);
    assert_caught(
        &stream.findings,
        Area::StreamOrder,
        Severity::Error,
        "protocol#stream-order",
    );
}

#[test]
fn an_update_for_an_item_never_added_is_an_error() {
    let mut events = good_create();
    events.insert(6, delta("msg_unknown", 0));
    assert_order_error(&events, "protocol#stream-order");
}

#[test]
fn an_action_updating_a_widget_stored_earlier_is_allowed() {
    // The reference's own `calls_action` stream (protocol#threads-custom-action): options, then a
    // root update.
    let root = json!({"type":"Card","children":[]});
    let update = json!({"type":"thread.item.updated","item_id":"w_1","update":{"type":"widget.root.updated","widget":root}});
    assert_eq!(findings_of(&frames(&[options(), update])), Vec::new());
}

#[test]
fn an_update_after_the_item_is_done_is_an_error() {
    let mut events = good_create();
    events.push(delta("msg_2", 0));
    assert_order_error(&events, "protocol#stream-order");
}

#[test]
fn a_text_delta_into_a_missing_part_is_an_error() {
    let mut events = good_create();
    events.remove(4); // the content_part.added
    assert_order_error(&events, "protocol#item-updates");
}

#[test]
fn an_annotation_into_a_missing_part_is_an_error() {
    let mut events = good_create();
    let annotation = json!({"type":"thread.item.updated","item_id":"msg_2","update":{"type":"assistant_message.content_part.annotation_added","content_index":3,"annotation_index":0,"annotation":{"type":"annotation","source":{"title":"Ex","type":"url","url":"https://ex.com"}}}});
    events.insert(6, annotation);
    assert_order_error(&events, "protocol#item-updates");
}

#[test]
fn a_hidden_item_in_done_is_an_error() {
    let mut events = good_create();
    events.push(done(hidden_item("hc_1")));
    assert_order_error(&events, "protocol#hidden-items");
}

#[test]
fn a_hidden_item_in_added_or_replaced_is_a_warning_as_the_reference_leaks_it() {
    for leak in [
        added(hidden_item("hc_1")),
        json!({"type":"thread.item.replaced","item":hidden_item("hc_1")}),
    ] {
        let mut events = good_create();
        events.push(leak);
        events.push(json!({"type":"thread.item.removed","item_id":"hc_1"}));
        let findings = findings_of(&frames(&events));
        assert_caught(
            &findings,
            Area::StreamOrder,
            Severity::Warning,
            "protocol#hidden-items",
        );
        assert_none(&findings, Severity::Error);
    }
}

#[test]
fn an_event_after_a_client_tool_call_is_an_error() {
    let mut events = good_create();
    let call = item(
        "tc_1",
        json!({"type":"client_tool_call","status":"pending","call_id":"call_1","name":"f","arguments":{}}),
    );
    events.insert(3, done(call));
    assert_order_error(&events, "protocol#client-tools");
}

#[test]
fn an_event_after_an_error_is_an_error_but_a_thread_update_is_not() {
    let error = json!({"type":"error","code":"stream.error","allow_retry":true});
    let updated = json!({"type":"thread.updated","thread":{"title":"T","id":THREAD,"created_at":"2025-01-02T03:04:05Z","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}});
    // The assistant's done after the error breaks the rule.
    let mut broken = good_create();
    broken.insert(6, error.clone());
    assert_order_error(&broken, "protocol#stream-order");
    // A thread.updated after it is what the reference itself sends (protocol#thread-updates).
    let mut allowed = good_create()[..6].to_vec();
    allowed.extend([error, updated]);
    assert_eq!(findings_of(&frames(&allowed)), Vec::new());
}

#[test]
fn an_item_of_another_thread_is_an_error() {
    let mut events = good_create();
    let mut stray = assistant_item("msg_3", Some("x"));
    stray["thread_id"] = json!("thr_other");
    events.push(done(stray));
    assert_order_error(&events, "protocol#thread-items");
}

#[test]
fn an_item_added_twice_or_left_pending_is_a_warning() {
    let mut twice = good_create();
    twice.insert(4, added(assistant_item("msg_2", None)));
    assert_caught(
        &findings_of(&frames(&twice)),
        Area::StreamOrder,
        Severity::Warning,
        "protocol#stream-order",
    );

    let mut pending = good_create();
    pending.pop();
    let findings = findings_of(&frames(&pending));
    assert_caught(
        &findings,
        Area::StreamOrder,
        Severity::Warning,
        "protocol#stream-order",
    );
    assert_none(&findings, Severity::Error);
}

// ---- Framing ----------------------------------------------------------------------------------

/// The good stream with its text edited.
fn edited(edit: impl Fn(String) -> String) -> Vec<u8> {
    let text = String::from_utf8(frames(&good_create())).expect("UTF-8");
    edit(text).into_bytes()
}

#[test]
fn an_event_field_is_a_framing_error() {
    let bytes = edited(|text| format!("event: message\n{text}"));
    assert_caught(
        &findings_of(&bytes),
        Area::Framing,
        Severity::Error,
        "protocol#sse-framing",
    );
}

#[test]
fn a_json_split_over_two_data_lines_is_a_framing_error() {
    let bytes = edited(|text| {
        text.replacen(
            "{\"type\":\"thread.created\",",
            "{\"type\":\"thread.created\",\ndata: ",
            1,
        )
    });
    assert_caught(
        &findings_of(&bytes),
        Area::Framing,
        Severity::Error,
        "protocol#sse-framing",
    );
}

#[test]
fn a_last_frame_without_its_blank_line_is_a_framing_error() {
    let bytes = edited(|text| text.trim_end().to_owned());
    assert_caught(
        &findings_of(&bytes),
        Area::Framing,
        Severity::Error,
        "protocol#sse-framing",
    );
    let bytes = edited(|text| format!("{}\n", text.trim_end()));
    assert_caught(
        &findings_of(&bytes),
        Area::Framing,
        Severity::Error,
        "protocol#sse-framing",
    );
}

#[test]
fn invalid_utf8_is_a_framing_error() {
    let mut bytes = frames(&good_create());
    bytes.splice(0..0, [0xff, 0xfe, b'\n', b'\n']);
    assert_caught(
        &findings_of(&bytes),
        Area::Framing,
        Severity::Error,
        "protocol#sse-framing",
    );
}

#[test]
fn legal_sse_the_reference_does_not_write_is_a_framing_warning() {
    let variants: [fn(String) -> String; 4] = [
        |text| format!(": keep-alive\n\n{text}"),
        |text| text.replacen("data: ", "data:", 1),
        |text| text.replace('\n', "\r\n"),
        |text| format!("\n{text}"),
    ];
    for variant in variants {
        let findings = findings_of(&edited(variant));
        assert_caught(
            &findings,
            Area::Framing,
            Severity::Warning,
            "protocol#sse-framing",
        );
        assert_none(&findings, Severity::Error);
    }
}

#[test]
fn a_frame_that_is_not_json_is_an_encoding_error() {
    let bytes = edited(|text| format!("data: {{not json\n\n{text}"));
    assert_caught(
        &findings_of(&bytes),
        Area::Encoding,
        Severity::Error,
        "protocol#sse-framing",
    );
}

// ---- Re-serialization differences ------------------------------------------------------------

/// The good stream with its user item edited.
fn with_user_item(edit: impl Fn(&mut serde_json::Map<String, Value>)) -> Vec<Finding> {
    let mut events = good_create();
    let user = events[1]["item"].as_object_mut().expect("an object");
    edit(user);
    findings_of(&frames(&events))
}

#[test]
fn a_field_the_reference_would_not_emit_is_an_error_with_its_path() {
    let findings = with_user_item(|user| {
        user.insert("mood".into(), json!("happy"));
    });
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Error,
        "protocol#serialization",
    );
    assert!(
        findings.iter().any(|f| f.path == "event 2 › item.mood"),
        "{findings:#?}"
    );
}

#[test]
fn a_null_the_reference_would_leave_out_is_an_error() {
    let findings = with_user_item(|user| {
        user.insert("quoted_text".into(), Value::Null);
    });
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Error,
        "protocol#serialization",
    );
}

#[test]
fn a_missing_default_is_a_warning() {
    let findings = with_user_item(|user| {
        user.shift_remove("attachments");
    });
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Warning,
        "protocol#serialization",
    );
    assert_none(&findings, Severity::Error);
}

#[test]
fn fields_out_of_order_are_a_warning() {
    let findings = with_user_item(|user| {
        let id = user.shift_remove("id").expect("an id");
        user.insert("id".into(), id);
    });
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Warning,
        "protocol#serialization",
    );
    assert_none(&findings, Severity::Error);
}

#[test]
fn a_value_written_differently_is_an_error() {
    // A Unix timestamp parses (pydantic accepts it) but the reference writes a string.
    let findings = with_user_item(|user| {
        user.insert("created_at".into(), json!(1_735_787_045));
    });
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Error,
        "protocol#serialization",
    );
}

#[test]
fn a_value_that_does_not_parse_is_an_error() {
    let findings = with_user_item(|user| {
        user.insert("content".into(), json!("hi"));
    });
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Error,
        "protocol#serialization",
    );
}

#[test]
fn a_naive_timestamp_as_the_reference_writes_it_is_not_a_difference() {
    let findings = with_user_item(|user| {
        user.insert("created_at".into(), json!("2026-11-24T01:55:13.309063"));
    });
    assert_eq!(findings, Vec::new());
}

#[test]
fn the_stored_thread_metadata_on_the_wire_is_an_error() {
    let mut events = good_create();
    events[0]["thread"]["metadata"] = json!({"secret": 1});
    assert_caught(
        &findings_of(&frames(&events)),
        Area::Encoding,
        Severity::Error,
        "protocol#threads",
    );
}

// ---- JSON bodies ------------------------------------------------------------------------------

fn page(data: Vec<Value>, has_more: bool, after: Option<&str>) -> Vec<u8> {
    let mut page = json!({"data": data, "has_more": has_more});
    if let Some(after) = after {
        page["after"] = json!(after);
    }
    page.to_string().into_bytes()
}

#[test]
fn a_hidden_item_in_a_page_is_an_error() {
    let body = page(vec![user_item("msg_1"), hidden_item("hc_1")], false, None);
    let findings = validate_body(&body, BodyKind::ItemPage).findings;
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Error,
        "protocol#hidden-items",
    );
}

#[test]
fn a_page_cursor_that_is_not_the_last_id_is_an_error() {
    let missing = page(vec![user_item("msg_1")], true, None);
    let wrong = page(vec![user_item("msg_1")], true, Some("msg_0"));
    for body in [missing, wrong] {
        let findings = validate_body(&body, BodyKind::ItemPage).findings;
        assert_caught(
            &findings,
            Area::Pagination,
            Severity::Error,
            "protocol#pages",
        );
    }
    let trailing = page(vec![user_item("msg_1")], false, Some("msg_1"));
    let findings = validate_body(&trailing, BodyKind::ItemPage).findings;
    assert_caught(
        &findings,
        Area::Pagination,
        Severity::Warning,
        "protocol#pages",
    );
}

#[test]
fn a_captured_page_with_a_wrong_cursor_fails_validate() {
    let body = page(vec![user_item("msg_1")], true, None);
    let report = validate_capture(&body, "page.json");
    let findings: Vec<Finding> = report.findings().cloned().collect();
    assert_caught(
        &findings,
        Area::Pagination,
        Severity::Error,
        "protocol#pages",
    );
}

#[test]
fn an_empty_answer_that_is_not_exactly_empty_is_a_warning() {
    let findings = validate_body(br#"{"ok":true}"#, BodyKind::Empty).findings;
    assert_caught(
        &findings,
        Area::Encoding,
        Severity::Warning,
        "protocol#json-answers",
    );
    assert_eq!(validate_body(b"{}", BodyKind::Empty).findings, Vec::new());
}

#[test]
fn hostile_bytes_give_findings_not_panics() {
    let inputs: [&[u8]; 6] = [
        b"data: null\n\n",
        b"data: []\n\ndata: 1\n\n",
        b"data: {\"type\":\"thread.item.updated\",\"update\":{\"content_index\":-1}}\n\n",
        b"\xff\xff\xff",
        b"{\"data\":5,\"has_more\":\"x\"}",
        b"data: {\"type\":\"thread.item.done\",\"item\":7}\n\ndata",
    ];
    for input in inputs {
        let report = validate_capture(input, "hostile");
        assert!(report.has_errors(), "{input:?} gave {report:#?}");
    }
}

// ---- Every recorded fixture passes ------------------------------------------------------------

#[test]
fn every_fixture_capture_validates_with_no_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for folder in ["transcripts", "agent_transcripts"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
            .expect("the fixture folder")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| {
                let name = path.to_string_lossy();
                // `.requests.json` holds the model requests of a conversation, not a capture.
                let capture = name.ends_with(".json") && !name.ends_with(".requests.json");
                name.ends_with(".sse") || (folder == "transcripts" && capture)
            })
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("the fixture");
            let report = validate_capture(&bytes, &path.display().to_string());
            let findings: Vec<&Finding> = report.findings().collect();
            assert!(findings.is_empty(), "{}: {findings:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} fixtures found");
}

// ---- The live suite -----------------------------------------------------------------------

/// Answers with an assistant message streamed the way a model-backed server does: added, a
/// content part, three deltas, done.
struct Streaming;

impl ChatKitServer<UserContext> for Streaming {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<chatkit::protocol::UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        async_stream::try_stream! {
            let empty = ItemKind::AssistantMessage(AssistantMessage { content: Vec::new() });
            let item = out.item(IdKind::Message, empty);
            let id = item.id.clone();
            yield ThreadStreamEvent::ThreadItemAdded { item: item.clone() };
            let part = AssistantMessageContent::text("");
            let update = ThreadItemUpdate::ContentPartAdded { content_index: 0, content: part };
            yield ThreadStreamEvent::ThreadItemUpdated { item_id: id.clone(), update };
            let deltas = ["Hello ".to_owned(), ctx.user_id.clone(), "!".to_owned()];
            for delta in &deltas {
                let update = ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta: delta.clone() };
                yield ThreadStreamEvent::ThreadItemUpdated { item_id: id.clone(), update };
            }
            let content = vec![AssistantMessageContent::text(deltas.concat())];
            let kind = ItemKind::AssistantMessage(AssistantMessage { content });
            yield ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..item } };
        }
        .boxed()
    }
}

/// Serves the router on a loopback port until the returned sender is dropped.
async fn serve(app: axum::Router) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("a port");
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

fn user_from_header(parts: &Parts) -> Result<UserContext, HttpError> {
    let user = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
    Ok(UserContext::new(user.unwrap_or("student")))
}

fn options_for(url: String) -> CheckOptions {
    let mut options = CheckOptions::new(url);
    let mut second = HeaderMap::new();
    second.insert("x-user-id", HeaderValue::from_static("intruder"));
    options.second_user = Some(second);
    options.request_timeout = Duration::from_secs(10);
    options.run_timeout = Duration::from_secs(60);
    options
}

async fn run_check(app: axum::Router) -> Report {
    let (url, _stop) = serve(app).await;
    let mut started = Vec::new();
    let report = check(&options_for(url), &mut |id| started.push(id.to_owned())).await;
    assert_eq!(
        started.len(),
        report.checks.len(),
        "one progress call per check"
    );
    report
}

#[tokio::test]
async fn a_lesson_like_server_passes_every_live_check_without_a_warning() {
    let processor = Processor::builder(Streaming, MemoryStore::new()).build();
    let report = run_check(http::router(processor, user_from_header)).await;
    let findings: Vec<&Finding> = report.findings().collect();
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(
        report.checks.len() >= 25,
        "{} checks ran",
        report.checks.len()
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_user_fails_the_isolation_checks() {
    let processor = Processor::builder(Streaming, MemoryStore::new()).build();
    let one_user =
        |_: &Parts| -> Result<UserContext, HttpError> { Ok(UserContext::new("student")) };
    let report = run_check(http::router(processor, one_user)).await;
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|check| check.findings.iter().any(|f| f.severity == Severity::Error))
        .map(|check| check.id.as_str())
        .collect();
    for id in [
        "isolation.get_by_id",
        "isolation.items_list",
        "isolation.threads_list",
    ] {
        assert!(failed.contains(&id), "{id} did not fail: {failed:?}");
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_run_error_not_a_hang() {
    // Bind and drop a listener, so the port is very likely closed.
    let port = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("a port")
        .local_addr()
        .expect("an address")
        .port();
    let mut options = options_for(format!("http://127.0.0.1:{port}/chatkit"));
    options.run_timeout = Duration::from_secs(20);
    let report = check(&options, &mut |_| {}).await;
    assert!(report.has_errors(), "{report:#?}");
}
