//! The hostile steps of the live suite: another user, and requests that must be refused.
//!
//! Both follow one pattern: take a snapshot of what the owner sees (the thread from
//! `get_by_id`, the ids from `threads.list`), send the request, classify the answer, and take
//! the snapshot again. Whatever the status, a change to the snapshot is an error.
//!
//! The reference is a poor model for the *status* here: it answers every bad request with a
//! bare 500 (protocol#quirk-status-500), a streaming request on an unknown thread with a `200`
//! that aborts (protocol#quirk-aborted-stream), and another user's `items.list` or
//! `threads.delete` with an empty success (protocol#items-list, protocol#threads-delete). So a 4xx
//! passes, those reference answers are warnings, and only an answer that accepted the request
//! (or a changed snapshot) is an error.

use serde_json::{Value, json};

use super::super::client::{Answer, ClientError};
use super::super::finding::{Area, Finding};
use super::super::invariants::StreamKind;
use super::super::validate::validate_stream;
use super::{Suite, ids_of, refused, requests};

/// An id no server has: the unknown thread of the bad-input checks.
const MISSING_THREAD: &str = "thr_chatkit_conform_missing";

/// The size of the oversized body: over the 1 MiB limit this crate's router sets by default.
const OVERSIZED_BYTES: usize = 2 * 1024 * 1024;

impl Suite<'_> {
    /// With `--second-user-header`: the second user can neither see nor change the thread.
    pub(super) async fn isolation(&mut self) {
        let (Some(intruder), Some(thread_id)) = (self.intruder.clone(), self.thread_id()) else {
            return;
        };
        self.isolation_reads(&intruder, &thread_id).await;
        let writes = [
            (
                "isolation.update",
                requests::update_title(&thread_id, "intruder"),
            ),
            (
                "isolation.add_user_message",
                requests::add_user_message(&thread_id, "intruder"),
            ),
            ("isolation.delete", requests::delete(&thread_id)),
        ];
        for (id, body) in writes {
            self.start(id);
            let before = self.snapshot().await;
            let answer = intruder.post(body.to_string()).await;
            let what = format!(
                "{} as the second user",
                body["type"].as_str().unwrap_or("?")
            );
            let mut findings = match id {
                // Deleting what you cannot see is a no-op for the reference (`{}`); fine too.
                "isolation.delete" => accepted_or_refused(&answer, &what),
                "isolation.add_user_message" => refused_or_aborted(&answer, Area::Isolation, &what),
                _ => refused(&answer, Area::Isolation, "protocol#isolation", &what),
            };
            findings.extend(
                self.unchanged_since(&before, Area::Isolation, "protocol#isolation", &what)
                    .await,
            );
            let title = format!(
                "the second user's {} changes nothing",
                body["type"].as_str().unwrap_or("?")
            );
            self.record(id, Area::Isolation, &title, findings);
        }
    }

    /// The second user's `get_by_id`, `items.list` and `threads.list` reveal nothing.
    async fn isolation_reads(&mut self, intruder: &super::Client, thread_id: &str) {
        let reads: [(&str, Value, &str, Judge); 3] = [
            (
                "isolation.get_by_id",
                requests::get_by_id(thread_id),
                "the second user cannot read the thread",
                |answer, what, _| refused(answer, Area::Isolation, "protocol#isolation", what),
            ),
            (
                "isolation.items_list",
                requests::items_list(thread_id, None, None, None),
                "the second user cannot list the thread's items",
                |answer, what, _| match answer {
                    Ok(ok) if ok.is_success() => revealed(ok, what, "the thread's items", |_| true),
                    _ => refused(answer, Area::Isolation, "protocol#isolation", what),
                },
            ),
            (
                "isolation.threads_list",
                requests::threads_list(None, None, None),
                "the second user's list does not show the thread",
                |answer, what, thread_id| match answer {
                    Ok(ok) if ok.is_success() => {
                        revealed(ok, what, "the first user's thread", |id| id == thread_id)
                    }
                    // Reading one's own empty list is not a refusal the reference makes.
                    _ => refused(answer, Area::Isolation, "protocol#threads-list", what),
                },
            ),
        ];
        for (id, body, title, judge) in reads {
            self.start(id);
            let answer = intruder.post(body.to_string()).await;
            let what = format!(
                "{} as the second user",
                body["type"].as_str().unwrap_or("?")
            );
            let findings = judge(&answer, &what, thread_id);
            self.record(id, Area::Isolation, title, findings);
        }
    }

    /// Bad requests: each is refused, and together they change nothing
    /// (protocol#request-validation).
    pub(super) async fn bad_input(&mut self) {
        let before = self.snapshot().await;
        let thread_id = self
            .thread_id()
            .unwrap_or_else(|| MISSING_THREAD.to_owned());
        for (id, body, title) in bad_requests(&thread_id) {
            self.start(id);
            let answer = self.owner.post(body).await;
            let findings = match id {
                "bad_input.unknown_thread_stream" => {
                    refused_or_aborted(&answer, Area::BadInput, title)
                }
                "bad_input.oversized" => oversized(&answer, title),
                _ => refused(
                    &answer,
                    Area::BadInput,
                    "protocol#request-validation",
                    title,
                ),
            };
            self.record(id, Area::BadInput, title, findings);
        }
        if before.is_some() {
            let id = "bad_input.changes_nothing";
            self.start(id);
            let what = "after the bad requests";
            let findings = self
                .unchanged_since(&before, Area::BadInput, "protocol#request-validation", what)
                .await;
            self.record(
                id,
                Area::BadInput,
                "the bad requests changed nothing",
                findings,
            );
        }
    }
}

/// The bad requests: id, raw body, and what is wrong with it.
fn bad_requests(thread_id: &str) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let padding = "x".repeat(OVERSIZED_BYTES);
    let oversized = json!({"type": "threads.get_by_id", "params": {"thread_id": MISSING_THREAD}, "padding": padding});
    vec![
        (
            "bad_input.malformed_json",
            br#"{"type":"threads.create","params":{"#.to_vec(),
            "malformed JSON",
        ),
        (
            "bad_input.unknown_type",
            json!({"type": "threads.chatkit_conform_unknown", "params": {}})
                .to_string()
                .into_bytes(),
            "an unknown request type",
        ),
        (
            "bad_input.missing_params",
            json!({"type": "threads.list"}).to_string().into_bytes(),
            "a request without `params`",
        ),
        (
            "bad_input.invalid_field",
            json!({"type": "items.list", "params": {"thread_id": thread_id, "limit": 5.5}})
                .to_string()
                .into_bytes(),
            "a float `limit`",
        ),
        (
            "bad_input.unknown_thread",
            requests::get_by_id(MISSING_THREAD).to_string().into_bytes(),
            "threads.get_by_id on an unknown thread",
        ),
        (
            "bad_input.unknown_thread_stream",
            requests::add_user_message(MISSING_THREAD, "lost")
                .to_string()
                .into_bytes(),
            "threads.add_user_message on an unknown thread",
        ),
        (
            "bad_input.oversized",
            oversized.to_string().into_bytes(),
            "a 2 MiB body",
        ),
    ]
}

/// A streaming request that must not run: refused, or the reference's `200` whose body
/// aborts or is empty (protocol#quirk-aborted-stream, a warning); a stream of events is an
/// error.
fn refused_or_aborted(
    answer: &Result<Answer, ClientError>,
    area: Area,
    what: &str,
) -> Vec<Finding> {
    let Ok(ok) = answer else {
        return refused(answer, area, "protocol#streaming-requests", what);
    };
    if !ok.is_success() {
        return refused(answer, area, "protocol#streaming-requests", what);
    }
    let stream = validate_stream(&ok.body, StreamKind::Continue);
    if stream.events.is_empty() || stream.events.iter().all(|event| event["type"] == "error") {
        let reason = "a 200 stream with no events (the reference does this); a 4xx would say why";
        vec![Finding::warning(
            area,
            "protocol#quirk-aborted-stream",
            what,
            reason,
        )]
    } else {
        let reason = format!(
            "a 200 stream of {} events; the request must be refused",
            stream.events.len()
        );
        vec![Finding::error(
            area,
            "protocol#streaming-requests",
            what,
            reason,
        )]
    }
}

/// A delete by someone who cannot see the thread: any refusal, or an empty success.
fn accepted_or_refused(answer: &Result<Answer, ClientError>, what: &str) -> Vec<Finding> {
    match answer {
        Ok(answer) if answer.is_success() => Vec::new(),
        _ => refused(answer, Area::Isolation, "protocol#isolation", what),
    }
}

/// How the answer to one of the second user's reads is judged: (answer, what, thread id).
type Judge = fn(&Result<Answer, ClientError>, &str, &str) -> Vec<Finding>;

/// A 2xx page the second user got must hold no element `shows` picks (protocol#isolation).
fn revealed(
    answer: &Answer,
    what: &str,
    whose: &str,
    shows: impl Fn(&str) -> bool,
) -> Vec<Finding> {
    let page: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    if ids_of(&page).iter().any(|id| shows(id)) {
        let reason = format!("the second user sees {whose}");
        vec![Finding::error(
            Area::Isolation,
            "protocol#isolation",
            what,
            reason,
        )]
    } else {
        Vec::new()
    }
}

/// The oversized body: refused (413 is best), or a dropped connection (a warning).
fn oversized(answer: &Result<Answer, ClientError>, what: &str) -> Vec<Finding> {
    match answer {
        Err(ClientError::Http(error)) => {
            let reason = format!("the connection was dropped ({error}); a 413 would say why");
            vec![Finding::warning(
                Area::BadInput,
                "protocol#error-channels",
                what,
                reason,
            )]
        }
        _ => refused(answer, Area::BadInput, "protocol#request-validation", what),
    }
}
