//! `ClientError`: every way a request of [`Client`](super::Client) can fail, typed.
//!
//! A ChatKit server has two error channels (see `src/http/error.rs`): a refusal *before* the
//! first byte, an HTTP status with `{"error":{"code","message"}}`, and an `error` event
//! *inside* a stream. Only the first is an error here ([`ClientError::Status`]); an `error`
//! event is part of what the user sees, so it is folded into the
//! [`ThreadState`](super::ThreadState) like any other event.
//!
//! Where it sits: returned by every request method of the client and by the streams it opens.

use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;

/// The JSON error a server sends with a refusal: `{"error":{"code":"not_found","message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerError {
    /// Stable, for programs: `not_found`, `thread_busy`, `unauthorized`, …
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
}

/// The envelope around [`ServerError`], only for decoding.
#[derive(Deserialize)]
struct ErrorBody {
    error: ServerError,
}

impl ServerError {
    /// Reads the server's error out of a refusal's body, if it has the crate's shape. The
    /// Python SDK answers refusals with a plain-text 500, so `None` is an ordinary outcome.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .map(|body| body.error)
    }
}

/// Why a request or its answer failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL could not be parsed.
    #[error("bad endpoint URL: {0}")]
    Url(#[from] url::ParseError),
    /// A header given by name and value is not valid HTTP.
    #[error("`{0}` is not a valid header")]
    Header(String),
    /// The transport failed: connection refused or reset, TLS, a body cut off.
    #[error("HTTP error: {0}")]
    Http(#[from] reqwest::Error),
    /// The answer (status and body) did not arrive within the client's timeout.
    #[error("no complete answer within {0:?}")]
    Timeout(Duration),
    /// The answer's body grew past the client's cap.
    #[error("the answer is over {0} bytes")]
    TooLarge(usize),
    /// The server refused the request with a non-2xx status.
    #[error("the server answered {status}: {}", String::from_utf8_lossy(body))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's JSON error, when the body has that shape.
        error: Option<ServerError>,
        /// The whole body, as received (within the size cap).
        body: Bytes,
    },
    /// The request did not serialize (a protocol type never fails; a hand-built `Value`
    /// key that is not a string would).
    #[error("the request does not serialize: {0}")]
    Encode(serde_json::Error),
    /// A JSON answer did not decode into the type the request promises.
    #[error("the answer does not decode: {0}")]
    Decode(serde_json::Error),
    /// A streaming request was answered with JSON, or a JSON request with a stream.
    #[error("expected {expected}, got a {got} answer")]
    WrongAnswer {
        /// What the operation answers with.
        expected: &'static str,
        /// What arrived instead.
        got: &'static str,
    },
    /// The stream is not valid SSE (invalid UTF-8 in a frame, say).
    #[error("bad SSE stream: {0}")]
    Sse(String),
}
