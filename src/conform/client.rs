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
//! Where it sits: under `check/`; the one place the checker does network I/O.

use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

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
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
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
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .pool_max_idle_per_host(0)
            .build()?;
        Ok(Client {
            http,
            url: url.to_owned(),
            headers,
            timeout,
        })
    }

    /// The same endpoint with other headers (another user).
    pub fn with_headers(&self, headers: HeaderMap) -> Self {
        Client {
            headers,
            ..self.clone()
        }
    }

    /// POSTs `body` as JSON and reads the whole answer within the deadline.
    ///
    /// # Errors
    ///
    /// [`ClientError`] when no status arrived; a body cut off later is an [`Answer`].
    pub async fn post(&self, body: impl Into<Vec<u8>>) -> Result<Answer, ClientError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let request = self
            .http
            .post(&self.url)
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body.into())
            .send();
        let response = tokio::time::timeout_at(deadline, request)
            .await
            .map_err(|_| ClientError::Timeout(self.timeout))??;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let (body, cut_off) = read_body(response, deadline, self.timeout).await;
        Ok(Answer {
            status,
            content_type,
            body,
            cut_off,
        })
    }
}

/// Reads the body chunk by chunk until it ends, fails, grows too large or the deadline passes.
async fn read_body(
    response: reqwest::Response,
    deadline: tokio::time::Instant,
    timeout: Duration,
) -> (Vec<u8>, Option<String>) {
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    loop {
        let next = match tokio::time::timeout_at(deadline, chunks.next()).await {
            Ok(next) => next,
            Err(_) => {
                return (
                    body,
                    Some(format!("the body did not end within {timeout:?}")),
                );
            }
        };
        match next {
            None => return (body, None),
            Some(Err(error)) => return (body, Some(format!("the body was cut off: {error}"))),
            Some(Ok(chunk)) if body.len() + chunk.len() > MAX_BODY_BYTES => {
                return (
                    body,
                    Some(format!("the body is over {MAX_BODY_BYTES} bytes")),
                );
            }
            Some(Ok(chunk)) => body.extend_from_slice(&chunk),
        }
    }
}
