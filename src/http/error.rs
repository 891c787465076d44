//! `HttpError`: every refusal the endpoint sends, as a status and a small JSON body.
//!
//! This is the one place in the crate that turns an error into an HTTP response (the only
//! `IntoResponse` impl). It serves the **first** of the server's two error channels: anything
//! that goes wrong *before the first SSE byte* ([`ProcessError`], an unreadable or oversized
//! body, a context builder that refuses the caller). Errors *inside* a stream never come here;
//! the pipeline sends them as an in-band `error` event.
//!
//! # Wire format
//!
//! Every refusal has the same body, `Content-Type: application/json`:
//!
//! ```json
//! {"error":{"code":"not_found","message":"Thread thr_1 not found"}}
//! ```
//!
//! `code` is stable and meant for programs; `message` is for people and may change. The codes:
//!
//! | status | `code` | when |
//! |---|---|---|
//! | 400 | `invalid_request` | the body is not a valid request ([`ProtocolError`]: not JSON, unknown `type`, a missing or ill-typed field, which the message names) |
//! | 400 | `unknown_cursor` | a list's `after` names no element of the list |
//! | 400 | `wrong_item_kind` | a retry target that is not a user message, an action sender that is not a widget, … |
//! | 400 | `invalid_input` | well-formed but unusable content (audio that is not base64, …) |
//! | 400 | `unreadable_body` | the body could not be read to the end |
//! | 400 | `invalid_attachment` | an attachment that is empty, too large or of a type the server does not accept (`attachments.create`, a direct upload), or an upload whose bytes are not the declared size or not an image of the declared type |
//! | 401 | `unauthorized` | by convention, from a [`ContextBuilder`](super::ContextBuilder) that refuses the caller; the bearer-token check ([`crate::auth`]) adds `WWW-Authenticate: Bearer` |
//! | 403 | `forbidden` | the caller is known but may not make this request (a read-only role sending a message); see [`StoreContext::authorize`](crate::store::StoreContext::authorize) |
//! | 404 | `not_found` | no such thread, item or attachment *for this user*; another user's is not found too; also an attachment's content before its upload, and an upload route's id that cannot name a file |
//! | 409 | `duplicate_item` | the store already holds an item with that id |
//! | 409 | `conflict` | the thread is not in the state the request needs (no pending tool call, a structured input already answered), or an attachment is uploaded a second time |
//! | 409 | `not_uploaded` | a message names an attachment whose bytes have not been uploaded yet (two-phase upload not finished) |
//! | 409 | `thread_busy` | a turn on the thread is still running, and this streaming request would start a second one |
//! | 409 | `thread_locked`, `thread_closed` | the thread's status refuses new work: a message, a retry, a tool output, structured input or an action (`Thread thr_1 is closed: <reason>`) |
//! | 413 | `payload_too_large` | the body is larger than the router's limit (1 MiB unless configured), or an upload is larger than the attachment limit |
//! | 429 | `rate_limited` | the caller sent more requests than the router's per-user limit allows; `Retry-After` says how many seconds to wait |
//! | 500 | `internal_error` | anything else: a store backend or a hook failed, or a hook panicked |
//! | 501 | `not_implemented` | the server does not implement the hook the request needs (`transcribe`, `sync_action`) |
//! | 501 | `uploads_not_configured` | `attachments.create`/`delete` without an `AttachmentStore` |
//! | 503 | `unavailable` | no database connection came free in time (the server is overloaded) |
//!
//! A 500 never carries the detail: its message is always [`INTERNAL_ERROR_MESSAGE`], and the
//! endpoint logs the real cause with `tracing` before converting. The conversion itself does
//! not log (axum's `error-handling` example keeps it that way too), so it stays a pure mapping
//! a test can check.
//!
//! The Python SDK answers all of these with `500 Internal Server Error` in plain text, and a
//! streaming request whose set-up fails with a `200` stream that then aborts.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::protocol::{ProtocolError, ThreadStatus};
use crate::server::ProcessError;
use crate::store::StoreError;

/// The message of every 500: the cause stays in the server's logs.
pub const INTERNAL_ERROR_MESSAGE: &str = "the server failed to handle this request";

/// A refusal: a status, a stable code and a message for people.
///
/// Built from a [`ProcessError`] with `From`, or by hand in a
/// [`ContextBuilder`](super::ContextBuilder), e.g. [`HttpError::unauthorized`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct HttpError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Headers the refusal needs beside its body: `WWW-Authenticate` on a 401 (RFC 6750),
    /// `Retry-After` on a 429. Usually none.
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl HttpError {
    /// A refusal with any status and code; prefer a code from the module doc's table.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        HttpError {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// The same refusal, sent with one more header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// `403 forbidden`: the caller is known, and may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// `429 rate_limited`, with `Retry-After: <seconds>` (at least 1: a client that reads `0`
    /// would retry at once and be refused again).
    pub fn rate_limited(retry_after: std::time::Duration) -> Self {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {seconds} s"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(seconds))
    }

    /// `401 unauthorized`: the caller could not be identified.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        HttpError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// `500 internal_error` with the generic message.
    pub fn internal() -> Self {
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            INTERNAL_ERROR_MESSAGE,
        )
    }

    /// `413 payload_too_large` for a body over `limit` bytes.
    pub fn payload_too_large(limit: usize) -> Self {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable, snake_case code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The value of header `name` this refusal is sent with, if any.
    pub fn header(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value)
    }
}

impl From<ProcessError> for HttpError {
    fn from(error: ProcessError) -> Self {
        match error {
            ProcessError::Protocol(error) => from_protocol(&error),
            ProcessError::Store(error) => from_store(error),
            ProcessError::WrongItemKind { message } => {
                HttpError::new(StatusCode::BAD_REQUEST, "wrong_item_kind", message)
            }
            ProcessError::BadInput { message } => {
                HttpError::new(StatusCode::BAD_REQUEST, "invalid_input", message)
            }
            ProcessError::Forbidden(denied) => HttpError::forbidden(denied.to_string()),
            ProcessError::Conflict { message } => {
                HttpError::new(StatusCode::CONFLICT, "conflict", message)
            }
            error @ ProcessError::ThreadNotOpen {
                status: ThreadStatus::Locked { .. },
                ..
            } => HttpError::new(StatusCode::CONFLICT, "thread_locked", error.to_string()),
            // `ensure_open` makes this error for a locked or a closed thread only.
            error @ ProcessError::ThreadNotOpen { .. } => {
                HttpError::new(StatusCode::CONFLICT, "thread_closed", error.to_string())
            }
            error @ ProcessError::ThreadBusy { .. } => {
                HttpError::new(StatusCode::CONFLICT, "thread_busy", error.to_string())
            }
            error @ ProcessError::Unsupported { .. } => HttpError::new(
                StatusCode::NOT_IMPLEMENTED,
                "not_implemented",
                error.to_string(),
            ),
            // The message of `Failed` is for the logs: it may name files, hosts or queries.
            ProcessError::Failed { .. } => HttpError::internal(),
        }
    }
}

/// A body that is not a request: the error's text names the field, and holds nothing internal.
fn from_protocol(error: &ProtocolError) -> HttpError {
    HttpError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        error.to_string(),
    )
}

/// Store errors: the ones about the request are the client's business, the rest are ours.
fn from_store(error: StoreError) -> HttpError {
    // Listed one by one, with no `_` arm, so that a new variant has to be placed in this table.
    match error {
        StoreError::ThreadNotFound { .. }
        | StoreError::ItemNotFound { .. }
        | StoreError::AttachmentNotFound { .. } => {
            // The reference's own words: `Thread thr_1 not found`.
            HttpError::new(StatusCode::NOT_FOUND, "not_found", error.to_string())
        }
        StoreError::UnknownCursor { .. } => {
            HttpError::new(StatusCode::BAD_REQUEST, "unknown_cursor", error.to_string())
        }
        StoreError::AttachmentRejected { .. } => HttpError::new(
            StatusCode::BAD_REQUEST,
            "invalid_attachment",
            error.to_string(),
        ),
        StoreError::AttachmentNotUploaded { .. } => {
            HttpError::new(StatusCode::CONFLICT, "not_uploaded", error.to_string())
        }
        StoreError::DuplicateItem { .. } => {
            HttpError::new(StatusCode::CONFLICT, "duplicate_item", error.to_string())
        }
        StoreError::UploadsNotConfigured { .. } => HttpError::new(
            StatusCode::NOT_IMPLEMENTED,
            "uploads_not_configured",
            error.to_string(),
        ),
        // Every connection was busy for the whole wait: the server is overloaded, not broken,
        // so the client hears "later" (503), which a load balancer also understands.
        StoreError::PostgresPool(_) => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the server is too busy to answer now; try again in a moment",
        ),
        StoreError::Sqlite(_)
        | StoreError::Postgres(_)
        | StoreError::InvalidSchemaName { .. }
        | StoreError::UnsupportedSchema { .. }
        | StoreError::Corrupt { .. }
        | StoreError::WorkerGone(_)
        | StoreError::Backend { .. } => HttpError::internal(),
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        // `json!` keeps `code` before `message` (serde_json's `preserve_order` is on), and
        // writing a `Value` cannot fail, so there is no error path in building an error.
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message }
        });
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
        response.headers_mut().extend(self.headers);
        response
    }
}

#[cfg(test)]
mod tests {
    use deadpool_postgres::{PoolError, TimeoutType};

    use super::*;

    #[test]
    fn a_database_pool_that_stays_busy_is_a_503_and_says_nothing_internal() {
        let busy = StoreError::PostgresPool(PoolError::Timeout(TimeoutType::Wait));
        let error = HttpError::from(ProcessError::Store(busy));
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.code(), "unavailable");
        assert!(!error.message().contains("pool"), "{}", error.message());
    }
}
