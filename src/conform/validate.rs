//! Offline validation: a captured SSE stream or JSON body in, findings out.
//!
//! This is `chatkit-conform validate FILE|-`, and also the first half of every live check:
//! each stream and body the live suite receives goes through the same functions. The steps:
//!
//! 1. framing (`framing.rs`): `data: <json>` and a blank line per event (protocol#sse-framing);
//! 2. encoding (`roundtrip.rs`): every event parses into [`ThreadStreamEvent`] and every body
//!    into its protocol type, and writes back the same JSON (protocol#data-model,
//!    protocol#serialization);
//! 3. stream invariants (`invariants.rs`): the order and consistency of the events
//!    (protocol#stream-order, protocol#item-updates);
//! 4. a few facts about values that the types cannot hold: a thread's `metadata` is always
//!    `{}` on the wire (protocol#threads), a page's `after` is its last id exactly when
//!    `has_more` (protocol#pages), hidden items never appear in a page (protocol#hidden-items).
//!
//! A capture may hold several streams one after the other (the fixtures record whole
//! conversations); [`validate_capture`] splits them where a new stream opens. A capture whose
//! first non-blank byte is `{` is a JSON body, and its type is guessed from its keys.
//!
//! Where it sits: between the raw bytes (a file, stdin, or an HTTP body read by `check/`) and
//! the [`Report`]; pure, no I/O.

use serde_json::Value;

use crate::protocol::{
    Attachment, Page, SyncCustomActionResponse, Thread, ThreadItem, ThreadStreamEvent,
    TranscriptionResult,
};

use super::finding::{Area, CheckResult, Finding, Report, join_path};
use super::framing::split_frames;
use super::invariants::{StreamFacts, StreamKind, check_stream, is_hidden, split_streams};
use super::roundtrip::{one_line, roundtrip, short};

/// One validated stream: its events as JSON, what it says was stored, and the findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidatedStream {
    /// Every event that was JSON, in order.
    pub events: Vec<Value>,
    /// What the stream says happened (thread, user item, finished items).
    pub facts: StreamFacts,
    /// Framing, encoding and invariant findings, in that order.
    pub findings: Vec<Finding>,
}

/// The kinds of JSON body a ChatKit server answers with (protocol#json-answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `threads.get_by_id` (items: a page) and `threads.update` (items: an empty page).
    Thread,
    /// `threads.list`: a page of threads, each with an empty items page.
    ThreadPage,
    /// `items.list`: a page of items, hidden ones removed.
    ItemPage,
    /// `items.feedback`, `threads.delete`, `attachments.delete`: exactly `{}`.
    Empty,
    /// `attachments.create`.
    Attachment,
    /// `input.transcribe`: `{"text":…}`.
    Transcription,
    /// `threads.sync_custom_action`: `{"updated_item":…}` or `{}`.
    SyncAction,
    /// A single item, as a capture of one might hold.
    Item,
    /// A refusal in this crate's shape, `{"error":{"code":…,"message":…}}`
    /// (protocol#error-channels); the reference refuses with a plain-text 500 instead.
    Error,
}

/// One validated JSON body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidatedBody {
    /// The body, if it was JSON.
    pub value: Option<Value>,
    /// What was wrong with it.
    pub findings: Vec<Finding>,
}

/// Validates one stream whose request is known (the live checks).
pub fn validate_stream(bytes: &[u8], kind: StreamKind) -> ValidatedStream {
    let framed = split_frames(bytes);
    let mut findings = framed.findings;
    let events = parse_events(&framed.frames, &mut findings);
    let (facts, order) = check_stream(&events, kind);
    findings.extend(order);
    ValidatedStream {
        events: events.into_iter().map(|(_, event)| event).collect(),
        facts,
        findings,
    }
}

/// Validates a capture (`validate FILE|-`): one or more SSE streams, or one JSON body.
pub fn validate_capture(bytes: &[u8], target: &str) -> Report {
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    let (findings, checks) = if first == Some(&b'{') {
        (validate_body_capture(bytes), BODY_CHECKS)
    } else {
        (validate_streams(bytes), STREAM_CHECKS)
    };
    let mut report = Report::new(target);
    for (id, area, title) in checks {
        let mine = findings
            .iter()
            .filter(|f| f.area == *area)
            .cloned()
            .collect();
        report
            .checks
            .push(CheckResult::new(*id, *area, *title, mine));
    }
    report
}

/// The checks of a stream capture: every finding of `validate_streams` is in one of these areas.
const STREAM_CHECKS: &[(&str, Area, &str)] = &[
    (
        "framing",
        Area::Framing,
        "SSE frames are `data: <json>` and a blank line",
    ),
    (
        "encoding",
        Area::Encoding,
        "every event parses and writes back the same",
    ),
    (
        "stream_order",
        Area::StreamOrder,
        "the events of each stream are in a legal order",
    ),
];

/// The checks of a body capture: every finding of `validate_body_capture` is in one of these.
const BODY_CHECKS: &[(&str, Area, &str)] = &[
    (
        "encoding",
        Area::Encoding,
        "the body parses and writes back the same",
    ),
    (
        "pagination",
        Area::Pagination,
        "a page's cursor is its last id exactly when it has more",
    ),
];

/// One JSON body whose kind is guessed from its keys.
fn validate_body_capture(bytes: &[u8]) -> Vec<Finding> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => match guess_body_kind(&value) {
            Some(kind) => validate_body_value(value, kind).findings,
            None => vec![Finding::error(
                Area::Encoding,
                "protocol#json-answers",
                "",
                "a JSON object that is no ChatKit response body",
            )],
        },
        Err(error) => vec![not_json("protocol#json-answers", "", &error)],
    }
}

/// Every stream of a capture, split where a new one opens, checked one by one.
fn validate_streams(bytes: &[u8]) -> Vec<Finding> {
    let framed = split_frames(bytes);
    let mut findings = framed.findings;
    let events = parse_events(&framed.frames, &mut findings);
    let ranges = split_streams(&events);
    let several = ranges.len() > 1;
    for (number, range) in ranges.into_iter().enumerate() {
        let (_, order) = check_stream(&events[range], StreamKind::Inferred);
        let prefix = if several {
            format!("stream {}", number + 1)
        } else {
            String::new()
        };
        findings.extend(order.into_iter().map(|finding| finding.within(&prefix)));
    }
    findings
}

/// Parses each frame as JSON and checks its encoding; frames that are not JSON are dropped.
fn parse_events(
    frames: &[super::framing::Frame],
    findings: &mut Vec<Finding>,
) -> Vec<(usize, Value)> {
    let mut events = Vec::new();
    for frame in frames {
        let at = format!("event {}", frame.number);
        match serde_json::from_str::<Value>(&frame.data) {
            Ok(event) => {
                findings.extend(check_event(&event, &at));
                events.push((frame.number, event));
            }
            Err(error) => findings.push(not_json("protocol#sse-framing", &at, &error)),
        }
    }
    events
}

/// One event: it parses and writes back the same, and the thread it carries is clean.
fn check_event(event: &Value, at: &str) -> Vec<Finding> {
    let (_, mut findings) = roundtrip::<ThreadStreamEvent>(event, at);
    let kind = event["type"].as_str().unwrap_or_default();
    if matches!(kind, "thread.created" | "thread.updated") {
        findings.extend(check_thread(
            &event["thread"],
            &join_path(at, "thread"),
            true,
        ));
    }
    findings
}

/// Validates a JSON body of a known kind (the live checks).
pub fn validate_body(bytes: &[u8], kind: BodyKind) -> ValidatedBody {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => validate_body_value(value, kind),
        Err(error) => ValidatedBody {
            value: None,
            findings: vec![not_json("protocol#json-answers", "body", &error)],
        },
    }
}

fn validate_body_value(value: Value, kind: BodyKind) -> ValidatedBody {
    let path = "body";
    let findings = match kind {
        BodyKind::Thread => {
            let mut findings = roundtrip::<Thread>(&value, path).1;
            findings.extend(check_thread(&value, path, false));
            findings
        }
        BodyKind::ThreadPage => {
            let mut findings = roundtrip::<Page<Thread>>(&value, path).1;
            findings.extend(check_page(&value, path));
            for (index, thread) in elements(&value).iter().enumerate() {
                findings.extend(check_thread(thread, &format!("{path}.data[{index}]"), true));
            }
            findings
        }
        BodyKind::ItemPage => {
            let mut findings = roundtrip::<Page<ThreadItem>>(&value, path).1;
            findings.extend(check_item_page(&value, path));
            findings
        }
        BodyKind::Empty => check_empty(&value, path),
        BodyKind::Attachment => roundtrip::<Attachment>(&value, path).1,
        BodyKind::Transcription => roundtrip::<TranscriptionResult>(&value, path).1,
        BodyKind::SyncAction => roundtrip::<SyncCustomActionResponse>(&value, path).1,
        BodyKind::Item => roundtrip::<ThreadItem>(&value, path).1,
        BodyKind::Error => check_error_body(&value, path),
    };
    ValidatedBody {
        value: Some(value),
        findings,
    }
}

/// Guesses what a JSON body answers, from its keys; `None` when it is no ChatKit body.
pub fn guess_body_kind(value: &Value) -> Option<BodyKind> {
    let object = value.as_object()?;
    let has = |key: &str| object.contains_key(key);
    let kind = if has("data") && has("has_more") {
        let first = &value["data"][0];
        if first.get("items").is_some() || first.get("status").is_some() {
            BodyKind::ThreadPage
        } else {
            BodyKind::ItemPage
        }
    } else if has("items") && has("id") {
        BodyKind::Thread
    } else if object.is_empty() {
        BodyKind::Empty
    } else if has("updated_item") {
        BodyKind::SyncAction
    } else if has("mime_type") {
        BodyKind::Attachment
    } else if has("thread_id") && has("type") {
        BodyKind::Item
    } else if has("text") && object.len() == 1 {
        BodyKind::Transcription
    } else if has("error") && object.len() == 1 {
        BodyKind::Error
    } else {
        return None;
    };
    Some(kind)
}

/// A thread on the wire: `metadata` is `{}` (protocol#threads); in events and lists, items are
/// empty.
fn check_thread(thread: &Value, path: &str, items_empty: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    if thread["metadata"]
        .as_object()
        .is_some_and(|map| !map.is_empty())
    {
        findings.push(Finding::error(
            Area::Encoding,
            "protocol#threads",
            join_path(path, "metadata"),
            "the thread's stored metadata is sent; the reference always writes `{}`",
        ));
    }
    let items = &thread["items"];
    if items_empty && (!elements(items).is_empty() || items["has_more"] == true) {
        findings.push(Finding::warning(
            Area::Encoding,
            "protocol#threads",
            join_path(path, "items"),
            "a non-empty items page; the reference sends an empty one here",
        ));
    }
    if !items_empty {
        findings.extend(check_item_page(items, &join_path(path, "items")));
    }
    findings
}

/// A page of items: a consistent cursor, and no hidden item (protocol#pages,
/// protocol#hidden-items).
fn check_item_page(page: &Value, path: &str) -> Vec<Finding> {
    let mut findings = check_page(page, path);
    for (index, item) in elements(page).iter().enumerate() {
        if is_hidden(item) {
            findings.push(Finding::error(
                Area::Encoding,
                "protocol#hidden-items",
                format!("{path}.data[{index}]"),
                "a hidden item in a page; the reference drops them before answering",
            ));
        }
    }
    findings
}

/// `after` is the last element's id exactly when `has_more` is true (protocol#pages).
fn check_page(page: &Value, path: &str) -> Vec<Finding> {
    let last_id = elements(page).last().map(|last| last["id"].clone());
    let after = page.get("after").filter(|after| !after.is_null());
    let at = join_path(path, "after");
    match (page["has_more"] == true, after) {
        (true, None) => vec![Finding::error(
            Area::Pagination,
            "protocol#pages",
            at,
            "`has_more` is true but there is no `after` cursor",
        )],
        (true, Some(after)) if Some(after) != last_id.as_ref() => vec![Finding::error(
            Area::Pagination,
            "protocol#pages",
            at,
            format!("`after` is {}, not the last element's id", short(after)),
        )],
        (false, Some(_)) => vec![Finding::warning(
            Area::Pagination,
            "protocol#pages",
            at,
            "an `after` cursor on the last page; the reference omits it",
        )],
        _ => Vec::new(),
    }
}

/// `items.feedback`, `threads.delete`: the reference answers exactly `{}` (protocol#json-answers).
fn check_empty(value: &Value, path: &str) -> Vec<Finding> {
    match value.as_object() {
        Some(object) if object.is_empty() => Vec::new(),
        _ => vec![Finding::warning(
            Area::Encoding,
            "protocol#json-answers",
            path,
            format!(
                "answered {}; the reference answers exactly `{{}}`",
                short(value)
            ),
        )],
    }
}

/// A refusal's body: `error` holds a string `code` and a string `message`, as the client
/// reads it ([`ServerError`](crate::client::ServerError)).
fn check_error_body(value: &Value, path: &str) -> Vec<Finding> {
    match serde_json::from_value::<crate::client::ServerError>(value["error"].clone()) {
        Ok(_) => Vec::new(),
        Err(error) => vec![Finding::error(
            Area::Encoding,
            "protocol#error-channels",
            join_path(path, "error"),
            format!("an error body without a string `code` and `message`: {error}"),
        )],
    }
}

/// The elements of a page, or none when it is not one.
fn elements(page: &Value) -> &[Value] {
    page["data"].as_array().map_or(&[], Vec::as_slice)
}

/// A frame or body that is not JSON at all; `section` is where the protocol says it must be.
fn not_json(section: &'static str, path: &str, error: &serde_json::Error) -> Finding {
    Finding::error(
        Area::Encoding,
        section,
        path,
        one_line(&format!("not JSON: {error}")),
    )
}
