//! What the checker found: [`Finding`]s, gathered into [`CheckResult`]s and a [`Report`].
//!
//! Every check, offline or live, ends up here. A finding is one fact about the server's
//! output, with how serious it is ([`Severity`]), the section of the protocol appendix of the
//! book it enforces (cited by its stable anchor, such as `protocol#streaming-requests`, which
//! is `book/src/protocol/requests.md#streaming-requests`), where in the output it was seen (a
//! JSON path such as `create stream › event 4 › item.content[0].text`) and a one-line reason.
//!
//! A check with no finding passed; one with only warnings is "warn"; one with an error
//! "fail". The run's exit code looks at errors only: a warning is legal output that differs
//! from what the Python SDK would send, and CI decides for itself whether it cares.
//!
//! Where it sits: the data shared by `validate.rs`, `check/` and `report.rs`; no I/O.

use serde::Serialize;

/// How serious a finding is.
///
/// The line between the two, as the issue defines it: an **error** is something the
/// reference's client would break on, or that the reference server would never emit; a
/// **warning** is legal but different from what the reference does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Legal, but not what the Python SDK does.
    Warning,
    /// Breaks the client, or the reference would never send it.
    Error,
}

/// The protocol area a check belongs to; the human report is grouped by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// SSE framing: `data: <json>` and a blank line, nothing else (protocol#sse-framing).
    Framing,
    /// Every event and body parses into the protocol types and writes back the same
    /// (protocol#data-model, protocol#serialization).
    Encoding,
    /// The order and consistency of the events of one stream (protocol#stream-order).
    StreamOrder,
    /// Creating a thread and adding messages (protocol#streaming-requests).
    Streaming,
    /// Reading back what was streamed: `threads.get_by_id`, `items.list`, `threads.list`
    /// (protocol#persistence, protocol#json-requests).
    Persistence,
    /// Pages and cursors (protocol#pages, protocol#store-pagination).
    Pagination,
    /// `threads.update`, `items.feedback`, `threads.retry_after_item`, `threads.delete`
    /// (protocol#requests).
    Mutations,
    /// One user cannot see or touch another user's thread (protocol#isolation).
    Isolation,
    /// Bad requests get an error and change nothing (protocol#request-validation).
    BadInput,
    /// The checker itself: the server could not be reached, or the run ran out of time.
    Run,
}

impl Area {
    /// Every area, in the order the report prints them.
    pub const ALL: [Area; 10] = [
        Area::Run,
        Area::Framing,
        Area::Encoding,
        Area::StreamOrder,
        Area::Streaming,
        Area::Persistence,
        Area::Pagination,
        Area::Mutations,
        Area::Isolation,
        Area::BadInput,
    ];

    /// The heading the human report prints for this area.
    pub fn title(self) -> &'static str {
        match self {
            Area::Framing => "SSE framing",
            Area::Encoding => "encoding (parse and re-serialize)",
            Area::StreamOrder => "stream invariants",
            Area::Streaming => "streaming requests",
            Area::Persistence => "persistence",
            Area::Pagination => "pagination",
            Area::Mutations => "update, feedback, retry, delete",
            Area::Isolation => "isolation between users",
            Area::BadInput => "bad input",
            Area::Run => "run",
        }
    }
}

/// One fact about the server's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The area it belongs to.
    pub area: Area,
    /// The section of the book's protocol appendix it enforces, as a citation of its anchor,
    /// such as `protocol#streaming-requests` (`tests/book.rs` checks that every one exists).
    pub section: &'static str,
    /// Where it was seen: a request, an event number and a JSON path.
    pub path: String,
    /// Why, in one line.
    pub reason: String,
}

impl Finding {
    /// An error: the client would break, or the reference would never send this.
    pub fn error(
        area: Area,
        section: &'static str,
        path: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Finding::new(Severity::Error, area, section, path, reason)
    }

    /// A warning: legal, but not what the reference does.
    pub fn warning(
        area: Area,
        section: &'static str,
        path: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Finding::new(Severity::Warning, area, section, path, reason)
    }

    fn new(
        severity: Severity,
        area: Area,
        section: &'static str,
        path: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Finding {
            severity,
            area,
            section,
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The same finding seen from further out: `prefix › path`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }
}

/// `outer › inner`, or whichever of the two is not empty.
pub(crate) fn join_path(outer: &str, inner: &str) -> String {
    match (outer.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_owned(),
        (_, true) => outer.to_owned(),
        _ => format!("{outer} › {inner}"),
    }
}

/// The outcome of a check: pass, warn or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No finding.
    Pass,
    /// Warnings only.
    Warn,
    /// At least one error.
    Fail,
}

/// One named check and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// A stable id for scripts (`--allow-warning`), such as `bad_input.malformed_json`.
    pub id: String,
    /// The area the report files it under.
    pub area: Area,
    /// What it checks, for people.
    pub title: String,
    /// Pass, warn or fail, from the findings.
    pub outcome: Outcome,
    /// What it found; empty when it passed.
    pub findings: Vec<Finding>,
}

impl CheckResult {
    /// A finished check; the outcome follows from the worst finding.
    pub fn new(
        id: impl Into<String>,
        area: Area,
        title: impl Into<String>,
        findings: Vec<Finding>,
    ) -> Self {
        let outcome = outcome_of(&findings);
        CheckResult {
            id: id.into(),
            area,
            title: title.into(),
            outcome,
            findings,
        }
    }
}

fn outcome_of(findings: &[Finding]) -> Outcome {
    match findings.iter().map(|finding| finding.severity).max() {
        None => Outcome::Pass,
        Some(Severity::Warning) => Outcome::Warn,
        Some(Severity::Error) => Outcome::Fail,
    }
}

/// Everything one run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What was checked: a file name, `-` or a URL.
    pub target: String,
    /// The checks, in the order they ran.
    pub checks: Vec<CheckResult>,
}

/// The counts of a report's one-line summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks run.
    pub checks: usize,
    /// Checks with no finding.
    pub passed: usize,
    /// Checks with warnings only.
    pub warned: usize,
    /// Checks with an error.
    pub failed: usize,
    /// Warnings, over every check.
    pub warnings: usize,
    /// Errors, over every check.
    pub errors: usize,
}

impl Report {
    /// An empty report about `target`.
    pub fn new(target: impl Into<String>) -> Self {
        Report {
            target: target.into(),
            checks: Vec::new(),
        }
    }

    /// Every finding of every check.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.checks.iter().flat_map(|check| check.findings.iter())
    }

    /// The counts for the summary line.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            checks: self.checks.len(),
            ..Summary::default()
        };
        for check in &self.checks {
            match check.outcome {
                Outcome::Pass => summary.passed += 1,
                Outcome::Warn => summary.warned += 1,
                Outcome::Fail => summary.failed += 1,
            }
        }
        for finding in self.findings() {
            match finding.severity {
                Severity::Warning => summary.warnings += 1,
                Severity::Error => summary.errors += 1,
            }
        }
        summary
    }

    /// Whether any check found an error: the run's exit code is non-zero exactly then.
    pub fn has_errors(&self) -> bool {
        self.findings()
            .any(|finding| finding.severity == Severity::Error)
    }

    /// The ids of the checks that warned but did not fail, for `--deny-warnings`.
    pub fn warning_check_ids(&self) -> impl Iterator<Item = &str> {
        self.checks
            .iter()
            .filter(|check| check.outcome == Outcome::Warn)
            .map(|check| check.id.as_str())
    }
}
