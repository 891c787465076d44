//! The checker's HTTP client: one POST, bounded in time and size, whatever the server does.
//!
//! A server under test may hang, stream forever, answer gigabytes or drop the connection
//! halfway (the reference aborts a stream whose set-up fails, protocol#quirk-aborted-stream).
//! None of that may hang or crash the checker, so every request here:
//!
//! * has a deadline covering sending, the status line and the whole body;
//! * keeps at most [`MAX_BODY_BYTES`] of the body;
//! * turns a body cut off mid-way into an [`Answer`] with `cut_off` set, not an error, because
//!   what arrived before the cut is still worth checking.
//!
//! Only a request that got no status at all (refused connection, deadline before the status
//! line) is a [`ClientError`].
//!
//! The HTTP itself is the crate's client, [`crate::client::Client`], with its deadline and
//! size cap; this module only keeps what the checker needs beside it: the *raw* body (framing
//! is judged on exact bytes, `framing.rs`), and a body cut off kept rather than refused. Its
//! bodies are bytes, not typed requests, because the suite sends malformed ones on purpose.
//!
//! Where it sits: under `check/`; the one place the checker does network I/O.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::client::{BodyStream, ClientError as HttpClientError};

/// The most body bytes kept from one answer; a ChatKit answer is a few kilobytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Why a request got no answer at all.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request failed before a status arrived (connection refused, reset, bad URL).
    #[error("the request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// No status within the deadline.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Any other failure of the client before a status.
    #[error("the request failed: {0}")]
    Other(String),
    /// The endpoint is not a URL.
    #[error("bad endpoint URL: {0}")]
    Url(#[from] url::ParseError),
}

impl From<HttpClientError> for ClientError {
    /// Before a status, the crate's client fails only in these three ways; anything else
    /// would be a new failure of the transport, reported as its text.
    fn from(error: HttpClientError) -> Self {
        match error {
            HttpClientError::Http(error) => ClientError::Http(error),
            HttpClientError::Timeout(timeout) => ClientError::Timeout(timeout),
            HttpClientError::Url(error) => ClientError::Url(error),
            other => ClientError::Other(other.to_string()),
        }
    }
}

/// Why a `--header K:V` argument could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    /// There is no `:` between name and value.
    #[error("`{0}` is not `Name:value`")]
    NoColon(String),
    /// The name is not a valid HTTP header name.
    #[error("`{0}` is not a valid header name")]
    Name(String),
    /// The value is not a valid HTTP header value.
    #[error("the value of `{0}` is not a valid header value")]
    Value(String),
}

/// Parses `Name:value` (spaces around the value trimmed) into a header.
///
/// # Errors
///
/// [`HeaderError`] when there is no colon, or the name or value is not valid HTTP.
pub fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue), HeaderError> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| HeaderError::NoColon(text.to_owned()))?;
    let name = HeaderName::try_from(name.trim()).map_err(|_| HeaderError::Name(name.to_owned()))?;
    let value = HeaderValue::try_from(value.trim())
        .map_err(|_| HeaderError::Value(name.as_str().to_owned()))?;
    Ok((name, value))
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body, or as much of it as arrived (at most [`MAX_BODY_BYTES`]).
    pub body: Vec<u8>,
    /// Set when the body did not end cleanly: why (reset, deadline, too large).
    pub cut_off: Option<String>,
}

impl Answer {
    /// A 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the content type is `text/event-stream` (with any parameters).
    pub fn is_event_stream(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|value| value.starts_with("text/event-stream"))
    }
}

/// Posts to one ChatKit endpoint with a fixed set of headers.
#[derive(Debug, Clone)]
pub struct Client {
    http: crate::client::Client,
    timeout: Duration,
}

impl Client {
    /// A client for `url` that sends `headers` with every request, each bounded by `timeout`.
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built (no TLS backend).
    pub fn new(url: &str, headers: HeaderMap, timeout: Duration) -> Result<Self, ClientError> {
        // No connection reuse: a server under test may close a connection after an error or
        // an aborted stream (the reference does, protocol#quirk-aborted-stream), and the next
        // request would then fail on the stale socket and be blamed on the wrong check. A fresh
        // loopback connection per request costs well under a millisecond.
        let transport = reqwest::Client::builder()
            .connect_timeout(timeout)
            .pool_max_idle_per_host(0)
            .build()?;
        let http = crate::client::Client::new(url)?
            .with_http(transport)
            .with_headers(headers)
            .timeout(timeout)
            .max_body_bytes(MAX_BODY_BYTES);
        Ok(Client { http, timeout })
    }

    /// The same endpoint with other headers (another user).
    pub fn with_headers(&self, headers: HeaderMap) -> Self {
        Client {
            http: self.http.clone().with_headers(headers),
            timeout: self.timeout,
        }
    }

    /// POSTs `body` as JSON and reads the whole answer within the deadline.
    ///
    /// # Errors
    ///
    /// [`ClientError`] when no status arrived; a body cut off later is an [`Answer`].
    pub async fn post(&self, body: impl Into<Vec<u8>>) -> Result<Answer, ClientError> {
        let answer = self.http.post_raw(body.into()).await?;
        let (body, cut_off) = read_body(answer.body, self.timeout).await;
        Ok(Answer {
            status: answer.status,
            content_type: answer.content_type,
            body,
            cut_off,
        })
    }
}

/// Reads the raw body chunk by chunk until it ends, or the client's stream stops it (a
/// transport failure, the deadline, the size cap): what arrived is kept, and why it stopped.
async fn read_body(mut chunks: BodyStream, timeout: Duration) -> (Vec<u8>, Option<String>) {
    let mut body = Vec::new();
    while let Some(chunk) = chunks.next_chunk().await {
        match chunk {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(error) => return (body, Some(cut_off_reason(&error, timeout))),
        }
    }
    (body, None)
}

/// Why a body stopped, in the words of the report.
fn cut_off_reason(error: &HttpClientError, timeout: Duration) -> String {
    match error {
        HttpClientError::Timeout(_) => format!("the body did not end within {timeout:?}"),
        HttpClientError::TooLarge(_) => format!("the body is over {MAX_BODY_BYTES} bytes"),
        HttpClientError::Http(error) => format!("the body was cut off: {error}"),
        other => format!("the body was cut off: {other}"),
    }
}
