//! The live suite: `chatkit-conform check --url URL`, a black-box run against a server.
//!
//! The suite plays one conversation the way a ChatKit client would, and checks every answer
//! twice: as bytes (each stream and body goes through `validate.rs`) and as behaviour (what
//! the server gives back is what it streamed). In order:
//!
//! 1. `streaming.*`: `threads.create`, then `threads.add_user_message`
//!    (protocol#streaming-requests);
//! 2. `persistence.*`: `threads.get_by_id`, `items.list`, `threads.list` return exactly the
//!    items and thread that were streamed (protocol#persistence: `done` inserts, `replaced`
//!    upserts);
//! 3. `pagination.*`: `items.list` in both orders a page of one at a time, following the
//!    cursors, and `threads.list` likewise (protocol#pages, protocol#store-pagination);
//! 4. `mutations.*`: `threads.update`, `items.feedback`, `threads.retry_after_item`
//!    (protocol#threads-update, protocol#items-feedback, protocol#threads-retry-after-item);
//! 5. `isolation.*`, with `--second-user-header`: another user can neither see nor change
//!    the thread (protocol#isolation);
//! 6. `bad_input.*`: malformed JSON, an unknown type, a missing `params`, a bad field, an
//!    unknown thread and an oversized body each get an error and change nothing
//!    (protocol#request-validation, protocol#error-channels);
//! 7. `mutations.delete`: `threads.delete`, after which the thread is not found
//!    (protocol#threads-delete).
//!
//! It cannot know what the server's model will say, so it checks structure, order and
//! persistence, never wording. A step that needs the thread is skipped when there is none
//! (the `threads.create` failure is then the finding). Every request has a deadline, and the
//! whole run has one too: when it passes, the report holds what finished plus a `run.deadline`
//! error.
//!
//! Where the reference itself answers a bad request with a bare 500
//! (protocol#quirk-status-500) or a `200` stream that aborts (protocol#quirk-aborted-stream),
//! the suite reports a warning, not an error, so the Python SDK passes with zero errors.
//!
//! Where it sits: called by the `chatkit-conform` binary; uses `client.rs` for I/O,
//! `validate.rs` for every answer, and fills a [`Report`].

mod adversarial;
mod requests;
mod steps;

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::client::{Answer, Client, ClientError};
use super::finding::{Area, CheckResult, Finding, Report};
use super::invariants::StreamKind;
use super::validate::{BodyKind, ValidatedStream, validate_body, validate_stream};

/// What to check and how long to wait.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The endpoint, such as `http://127.0.0.1:8000/chatkit`.
    pub url: String,
    /// Headers sent with every request of the first user (authentication, a user id).
    pub headers: HeaderMap,
    /// Headers that make the server see a second user; `None` skips the isolation checks.
    pub second_user: Option<HeaderMap>,
    /// The deadline of each request, body included.
    pub request_timeout: Duration,
    /// The deadline of the whole run.
    pub run_timeout: Duration,
}

impl CheckOptions {
    /// Checks `url` as an anonymous first user, with 10 s per request and 120 s per run.
    pub fn new(url: impl Into<String>) -> Self {
        CheckOptions {
            url: url.into(),
            headers: HeaderMap::new(),
            second_user: None,
            request_timeout: Duration::from_secs(10),
            run_timeout: Duration::from_secs(120),
        }
    }
}

/// Runs the suite against a live server. `progress` is called with each check's id as it
/// starts (the binary prints it on stderr).
///
/// Never fails: an unreachable server is a `run.*` error in the report.
pub async fn check(options: &CheckOptions, progress: &mut dyn FnMut(&str)) -> Report {
    let mut report = Report::new(&options.url);
    let owner = match Client::new(
        &options.url,
        options.headers.clone(),
        options.request_timeout,
    ) {
        Ok(client) => client,
        Err(error) => {
            let finding = Finding::error(
                Area::Run,
                "protocol#transport",
                "",
                format!("no HTTP client: {error}"),
            );
            report.checks.push(CheckResult::new(
                "run.client",
                Area::Run,
                "an HTTP client",
                vec![finding],
            ));
            return report;
        }
    };
    let intruder = options
        .second_user
        .as_ref()
        .map(|headers| owner.with_headers(headers.clone()));
    let mut suite = Suite {
        owner,
        intruder,
        results: Vec::new(),
        progress,
        thread: None,
    };
    let finished = tokio::time::timeout(options.run_timeout, suite.run()).await;
    if finished.is_err() {
        let reason = format!(
            "the run did not finish within {:?}; later checks did not run",
            options.run_timeout
        );
        let finding = Finding::error(Area::Run, "protocol#transport", "", reason);
        suite.results.push(CheckResult::new(
            "run.deadline",
            Area::Run,
            "the whole run finishes in time",
            vec![finding],
        ));
    }
    report.checks = suite.results;
    report
}

/// The thread the suite is working on, and what the server should hold for it.
#[derive(Debug, Clone)]
struct ThreadState {
    id: String,
    /// Every visible item the streams finished, oldest first: what the store must return.
    items: Vec<Value>,
    /// The newest user message, the retry target.
    last_user_item: Option<Value>,
}

/// The running suite: both users' clients, the results so far, the thread under test.
struct Suite<'a> {
    owner: Client,
    intruder: Option<Client>,
    results: Vec<CheckResult>,
    progress: &'a mut dyn FnMut(&str),
    thread: Option<ThreadState>,
}

impl Suite<'_> {
    /// Every step, in the order of the module doc.
    async fn run(&mut self) {
        self.create_thread().await;
        self.add_user_message().await;
        self.get_by_id().await;
        self.items_list_default().await;
        self.items_paged("asc").await;
        self.items_paged("desc").await;
        self.threads_list().await;
        self.threads_paged().await;
        self.update_title().await;
        self.feedback().await;
        self.retry().await;
        self.isolation().await;
        self.bad_input().await;
        self.delete().await;
    }

    /// Announces a check before it runs.
    fn start(&mut self, id: &str) {
        (self.progress)(id);
    }

    fn record(&mut self, id: &str, area: Area, title: &str, findings: Vec<Finding>) {
        self.results
            .push(CheckResult::new(id, area, title, findings));
    }

    /// Posts a request that must succeed: its answer, or the error finding saying why not.
    async fn post_ok(
        &self,
        client: &Client,
        body: &Value,
        what: &str,
        area: Area,
    ) -> Result<Answer, Finding> {
        let answer = client
            .post(body.to_string())
            .await
            .map_err(|error| no_answer(area, what, &error))?;
        if answer.is_success() {
            Ok(answer)
        } else {
            let reason = format!("answered {}; the request must succeed", answer.status);
            Err(Finding::error(area, "protocol#transport", what, reason))
        }
    }

    /// Posts a streaming request and validates its stream; `None` (with an error) when there
    /// is no stream to check.
    async fn stream(
        &self,
        client: &Client,
        body: &Value,
        kind: StreamKind,
        what: &str,
        area: Area,
    ) -> (Option<ValidatedStream>, Vec<Finding>) {
        let answer = match self.post_ok(client, body, what, area).await {
            Ok(answer) => answer,
            Err(finding) => return (None, vec![finding]),
        };
        let mut findings = Vec::new();
        if !answer.is_event_stream() {
            let reason = format!(
                "content type {:?}; a stream is `text/event-stream`",
                answer.content_type.as_deref().unwrap_or("none")
            );
            findings.push(Finding::error(
                Area::Framing,
                "protocol#sse-framing",
                what,
                reason,
            ));
        }
        if let Some(cut_off) = &answer.cut_off {
            findings.push(Finding::error(
                Area::Framing,
                "protocol#sse-framing",
                what,
                cut_off.clone(),
            ));
        }
        let stream = validate_stream(&answer.body, kind);
        findings.extend(stream.findings.iter().map(|f| f.clone().within(what)));
        (Some(stream), findings)
    }

    /// Posts a JSON request that must succeed and validates its body.
    async fn json(
        &self,
        client: &Client,
        body: &Value,
        kind: BodyKind,
        what: &str,
        area: Area,
    ) -> (Option<Value>, Vec<Finding>) {
        let answer = match self.post_ok(client, body, what, area).await {
            Ok(answer) => answer,
            Err(finding) => return (None, vec![finding]),
        };
        let mut findings = Vec::new();
        if answer.content_type.as_deref() != Some("application/json") {
            let reason = format!(
                "content type {:?}; the reference answers `application/json`",
                answer.content_type.as_deref().unwrap_or("none")
            );
            findings.push(Finding::warning(
                area,
                "protocol#json-answers",
                what,
                reason,
            ));
        }
        if let Some(cut_off) = &answer.cut_off {
            findings.push(Finding::error(
                area,
                "protocol#json-answers",
                what,
                cut_off.clone(),
            ));
        }
        let body = validate_body(&answer.body, kind);
        findings.extend(body.findings.into_iter().map(|f| f.within(what)));
        (body.value, findings)
    }

    /// The thread as its owner sees it now (`get_by_id`) and the owner's thread ids, to
    /// prove a request changed nothing; `None` when either cannot be read.
    async fn snapshot(&self) -> Option<(Value, Vec<String>)> {
        let state = self.thread.as_ref()?;
        let thread = self.owner.post(requests::get_by_id(&state.id).to_string());
        let thread = parse_success(thread.await.ok()?)?;
        let list = self
            .owner
            .post(requests::threads_list(None, None, None).to_string());
        let list = parse_success(list.await.ok()?)?;
        Some((thread, ids_of(&list)))
    }

    /// Compares the owner's view with one taken before `what` ran.
    async fn unchanged_since(
        &self,
        before: &Option<(Value, Vec<String>)>,
        area: Area,
        section: &'static str,
        what: &str,
    ) -> Vec<Finding> {
        let Some(before) = before else {
            return Vec::new();
        };
        match self.snapshot().await {
            Some(after) if after == *before => Vec::new(),
            Some(_) => vec![Finding::error(
                area,
                section,
                what,
                "the owner's thread or thread list changed",
            )],
            None => vec![Finding::error(
                area,
                section,
                what,
                "the owner's thread can no longer be read",
            )],
        }
    }
}

/// Classifies the answer to a request that must be refused (protocol#error-channels): a 4xx
/// passes, a 5xx is a warning (the reference answers 500 to every bad request,
/// protocol#quirk-status-500), a success is an error.
fn refused(
    answer: &Result<Answer, ClientError>,
    area: Area,
    section: &'static str,
    what: &str,
) -> Vec<Finding> {
    match answer {
        Ok(answer) if (400..500).contains(&answer.status) => Vec::new(),
        Ok(answer) if answer.status >= 500 => vec![Finding::warning(
            area,
            "protocol#quirk-status-500",
            what,
            format!(
                "answered {}; the reference does too, but a 4xx would say whose fault it is",
                answer.status
            ),
        )],
        Ok(answer) => vec![Finding::error(
            area,
            section,
            what,
            format!("answered {}; the request must be refused", answer.status),
        )],
        Err(error) => vec![no_answer(area, what, error)],
    }
}

fn no_answer(area: Area, what: &str, error: &ClientError) -> Finding {
    Finding::error(
        area,
        "protocol#transport",
        what,
        format!("no answer: {error}"),
    )
}

/// The body of a 2xx JSON answer, parsed.
fn parse_success(answer: Answer) -> Option<Value> {
    if !answer.is_success() {
        return None;
    }
    serde_json::from_slice(&answer.body).ok()
}

/// The ids of a page's elements.
fn ids_of(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|element| element["id"].as_str().map(str::to_owned))
        .collect()
}
