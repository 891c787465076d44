//! Conformance checks a backend engineer can point at any ChatKit server.
//!
//! Two modes, both behind the `chatkit-conform` binary and usable as a library:
//!
//! * **offline**, [`validate_capture`]: a captured SSE stream (as `curl -N` prints it) or a
//!   JSON body, checked for framing, for encoding (every event and body parses into the
//!   [`protocol`](crate::protocol) types and writes back the same JSON, differences reported
//!   by path) and for the stream invariants;
//! * **live**, [`check()`]: a black-box suite over HTTP that plays a conversation, validates
//!   every answer as above, and checks persistence, pagination, mutations, isolation between
//!   users and the handling of bad requests.
//!
//! Every finding names the section of the book's protocol appendix it enforces, as
//! `protocol#<anchor>` (the anchor of `book/src/protocol/<page>.md#<anchor>`),
//! and has a [`Severity`]: an **error** is something the reference's client would break on
//! or that the reference server would never send, a **warning** is legal but different. The
//! binary exits non-zero only on errors. The Python SDK itself passes with zero errors (CI
//! runs the suite against `reference/conform_app.py`); its own quirks are warnings.
//!
//! Layout, in the order data flows:
//!
//! | module | does |
//! |---|---|
//! | [`client`] | one bounded POST through [`crate::client`] (deadline, size cap, raw bytes and cut-off bodies kept) |
//! | [`framing`] | raw bytes → SSE frames, and what is not `data: <json>\n\n` |
//! | [`roundtrip`] | parse into a protocol type, write back, diff by JSON path |
//! | [`invariants`] | the order and consistency of one stream's events |
//! | [`validate`] | the offline mode, and every answer of the live one |
//! | [`mod@check`] | the live suite |
//! | [`finding`] | findings, checks, the report and its summary |
//! | [`report`] | the human and JSON output, the progress line |
//!
//! What it leaves out on purpose: attachments, transcription, client tool output, structured
//! input and custom actions need a server that can be told to emit them, so the live suite
//! does not drive them (the offline mode still checks any capture of them), and it never
//! judges what the model says, only structure, order and persistence.

pub mod check;
pub mod client;
pub mod finding;
pub mod framing;
pub mod invariants;
pub mod report;
pub mod roundtrip;
pub mod validate;

pub use check::{CheckOptions, check};
pub use finding::{Area, CheckResult, Finding, Outcome, Report, Severity, Summary};
pub use invariants::StreamKind;
pub use validate::{BodyKind, validate_body, validate_capture, validate_stream};
