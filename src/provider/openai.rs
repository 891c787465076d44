//! The Responses API client: `POST {base_url}/responses` with `stream: true`, read as SSE.
//!
//! The only module of the crate that makes outgoing HTTP calls. It does what the official
//! `openai` Python client does for a streamed `responses.create` (protocol#responses-sse), no
//! more:
//!
//! 1. **Send** the body ([`ResponsesRequest`] leaves unset fields out) with
//!    `Authorization: Bearer <key>`.
//! 2. **Retry** 408, 409, 429 and 5xx answers, and failed connections, a bounded number of times
//!    ([`RetryPolicy`], 2 retries by default), waiting as the server's `retry-after-ms` /
//!    `retry-after` header says (up to two minutes) or else an exponential backoff with jitter
//!    (0.5 s, 1 s, … capped at 8 s, minus up to 25 %). Any other status fails at once with the
//!    provider's own error message. Retries happen only **before** the stream starts: once an
//!    event has been read, a failure is the caller's to handle, because the events already
//!    passed on cannot be taken back.
//! 3. **Parse** the body with `eventsource-stream` and dispatch on the JSON `type`; the `event:`
//!    line is ignored, as the Python client ignores it. Unknown event types are skipped. A
//!    payload with a top-level `error` key is the legacy error form and fails the stream.
//! 4. **Watch the clock** ([`Timeouts`]): connect (5 s), first byte, i.e. the response headers
//!    (60 s), and idle, the longest gap between two chunks of the stream (60 s). The Python client
//!    has one 600 s read timeout; a stalled stream that a user is watching deserves less.
//!
//! Python counterpart: `openai/_base_client.py` (`_should_retry`, `_calculate_retry_timeout`,
//! `_parse_retry_after_header`) and `openai/_streaming.py` (`AsyncStream.__stream__`).

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

use async_stream::try_stream;
use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::events::{ResponseEvent, ResponsesRequest};
use super::{ModelProvider, ProviderError, ResponseEventStream, is_retryable_status};

/// OpenAI's endpoint, used when `OPENAI_BASE_URL` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// The longest `retry-after` the client waits for; a longer one is not retried (the official
/// client's `MAX_RETRY_AFTER_DELAY`).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How many times, and how long apart, failed requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first request (the official client's default is 2).
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles for each next one.
    pub initial_delay: Duration,
    /// The backoff never grows past this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based) when the server gave no `retry-after`:
    /// `initial · 2^(retry-1)`, capped, minus a random 0–25 % so that many clients failing
    /// together do not retry in lockstep.
    fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(16);
        let full = self.initial_delay.saturating_mul(1 << exponent);
        full.min(self.max_delay)
            .mul_f64(1.0 - 0.25 * random_fraction())
    }
}

/// A number in [0, 1) without a `rand` dependency: std's `RandomState` is seeded randomly per
/// instance, which is all the jitter needs.
fn random_fraction() -> f64 {
    let bits = RandomState::new().hash_one(0u8) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

/// How long each phase of a request may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the TCP (and TLS) connection.
    pub connect: Duration,
    /// From sending the request until the response headers arrive.
    pub first_byte: Duration,
    /// The longest gap between two chunks of the event stream.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            first_byte: Duration::from_secs(60),
            idle: Duration::from_secs(60),
        }
    }
}

/// A Responses API client for OpenAI or any compatible server (the mock included).
///
/// Cloning is cheap: `reqwest::Client` is a handle to a shared connection pool.
#[derive(Clone)]
pub struct OpenAiProvider {
    client: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
    retry: RetryPolicy,
    timeouts: Timeouts,
}

impl std::fmt::Debug for OpenAiProvider {
    // By hand so that the API key never ends up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiProvider")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

impl OpenAiProvider {
    /// A client for `base_url` (which includes `/v1`, e.g. `http://127.0.0.1:8765/v1`).
    ///
    /// # Errors
    ///
    /// [`ProviderError::Setup`] if the TLS backend cannot start.
    pub fn new(
        base_url: impl Into<String>,
        api_key: Option<String>,
    ) -> Result<Self, ProviderError> {
        let timeouts = Timeouts::default();
        Ok(OpenAiProvider {
            client: build_client(&timeouts)?,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key,
            retry: RetryPolicy::default(),
            timeouts,
        })
    }

    /// A client for a real provider, from `OPENAI_API_KEY` and `OPENAI_BASE_URL` (default
    /// [`DEFAULT_BASE_URL`]); `Ok(None)` when no key is set, so callers fall back to the mock.
    ///
    /// # Errors
    ///
    /// [`ProviderError::Setup`] if the TLS backend cannot start.
    pub fn from_env() -> Result<Option<Self>, ProviderError> {
        let Some(key) = std::env::var("OPENAI_API_KEY")
            .ok()
            .filter(|k| !k.is_empty())
        else {
            return Ok(None);
        };
        let base_url =
            std::env::var("OPENAI_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_owned());
        OpenAiProvider::new(base_url, Some(key)).map(Some)
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same client with other timeouts.
    ///
    /// # Errors
    ///
    /// [`ProviderError::Setup`] if the TLS backend cannot start (the connect timeout lives in
    /// the `reqwest::Client`, so it is rebuilt).
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Result<Self, ProviderError> {
        self.client = build_client(&timeouts)?;
        self.timeouts = timeouts;
        Ok(self)
    }

    /// The endpoint this client posts to.
    pub fn endpoint(&self) -> String {
        format!("{}/responses", self.base_url)
    }

    /// Sends the request, retrying as [`RetryPolicy`] allows, until a 2xx answer's headers
    /// arrive.
    async fn send_with_retries(
        &self,
        request: &ResponsesRequest,
    ) -> Result<reqwest::Response, ProviderError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let retries_left = attempts <= self.retry.max_retries;
            let wait = match self.send_once(request).await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = parse_retry_after(response.headers());
                    if !(retries_left && should_retry(status, response.headers(), retry_after)) {
                        let message = error_message(response).await;
                        return Err(ProviderError::Status {
                            status,
                            message,
                            attempts,
                        });
                    }
                    retry_after.unwrap_or_else(|| self.retry.backoff(attempts))
                }
                Err(error) if retries_left && error.is_transient() => self.retry.backoff(attempts),
                Err(error) => return Err(error),
            };
            tracing::debug!(attempts, ?wait, "retrying the model request");
            tokio::time::sleep(wait).await;
        }
    }

    /// One POST, bounded by the first-byte timeout.
    async fn send_once(
        &self,
        request: &ResponsesRequest,
    ) -> Result<reqwest::Response, ProviderError> {
        let mut builder = self
            .client
            .post(self.endpoint())
            .json(request)
            // The official client sends `Accept: application/json` even when streaming
            // (protocol#responses-request); servers answer a streamed request with SSE regardless.
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        let limit = self.timeouts.first_byte;
        match tokio::time::timeout(limit, builder.send()).await {
            Err(_) => Err(ProviderError::FirstByteTimeout(limit)),
            Ok(Err(error)) if error.is_connect() && error.is_timeout() => {
                Err(ProviderError::ConnectTimeout(self.timeouts.connect))
            }
            Ok(Err(error)) => Err(ProviderError::Connect(error)),
            Ok(Ok(response)) => Ok(response),
        }
    }
}

impl ModelProvider for OpenAiProvider {
    fn stream_response(&self, mut request: ResponsesRequest) -> ResponseEventStream {
        request.stream = true;
        let this = self.clone();
        try_stream! {
            let response = this.send_with_retries(&request).await?;
            let events = read_events(response, this.timeouts.idle);
            for await event in events {
                yield event?;
            }
        }
        .boxed()
    }
}

fn build_client(timeouts: &Timeouts) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        // Small SSE frames should leave at once, not wait for Nagle's algorithm.
        .tcp_nodelay(true)
        .user_agent(concat!("chatkit-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| ProviderError::Setup(error.to_string()))
}

/// Whether an error status is worth another try: the server's `x-should-retry` header wins,
/// then a `retry-after` longer than two minutes says no, then the status decides.
fn should_retry(status: u16, headers: &HeaderMap, retry_after: Option<Duration>) -> bool {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    if retry_after.is_some_and(|wait| wait > MAX_RETRY_AFTER) {
        return false;
    }
    is_retryable_status(status)
}

/// `retry-after-ms` (milliseconds), else `retry-after` (seconds, or an HTTP date).
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let seconds = |text: &str, divisor: f64| {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s / divisor))
    };
    if let Some(wait) = header("retry-after-ms").and_then(|v| seconds(v, 1000.0)) {
        return Some(wait);
    }
    let value = header("retry-after")?;
    seconds(value, 1.0).or_else(|| {
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .ok()
    })
}

/// The provider's message from an error body: `error.message` when the body is the usual
/// `{"error":{"message":…}}`, else the body itself (shortened).
async fn error_message(response: reqwest::Response) -> String {
    let body = response.text().await.unwrap_or_default();
    let from_json = serde_json::from_str::<Value>(&body).ok().and_then(|json| {
        json.pointer("/error/message")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    from_json.unwrap_or_else(|| body.chars().take(500).collect())
}

/// The events of a 2xx streaming answer, ending after `response.completed` (see the module
/// doc of [`super`] for the contract).
fn read_events(
    response: reqwest::Response,
    idle: Duration,
) -> impl Stream<Item = Result<ResponseEvent, ProviderError>> {
    try_stream! {
        let mut sse = response.bytes_stream().eventsource();
        loop {
            let next = tokio::time::timeout(idle, sse.next())
                .await
                .map_err(|_| ProviderError::IdleTimeout(idle))?;
            let Some(frame) = next else {
                Err::<(), _>(ProviderError::Truncated)?;
                break;
            };
            let frame = frame.map_err(|error| ProviderError::Stream {
                message: error.to_string(),
            })?;
            if frame.data == "[DONE]" {
                // The Chat Completions terminator; a Responses stream must end with
                // `response.completed` before it.
                Err::<(), _>(ProviderError::Truncated)?;
            }
            let Some(event) = decode_event(&frame.data)? else {
                continue;
            };
            let completed = matches!(event, ResponseEvent::Completed { .. });
            yield check_terminal(event)?;
            if completed {
                break;
            }
        }
    }
}

/// One `data:` payload → an event, `None` for one to skip (empty, or a type we do not know).
pub(crate) fn decode_event(data: &str) -> Result<Option<ResponseEvent>, ProviderError> {
    if data.trim().is_empty() {
        return Ok(None);
    }
    let malformed = |source| ProviderError::MalformedEvent {
        data: data.to_owned(),
        source,
    };
    let json: Value = serde_json::from_str(data).map_err(malformed)?;
    // The Python client checks for a truthy top-level `error` before looking at the type.
    if let Some(error) = json.get("error").filter(|e| is_truthy(e)) {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| error.to_string());
        return Err(ProviderError::ErrorPayload { message });
    }
    match serde_json::from_value(json).map_err(malformed)? {
        ResponseEvent::Unknown => Ok(None),
        event => Ok(Some(event)),
    }
}

fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) | Value::Bool(true) => true,
    }
}

/// Turns the three failure events into errors and passes every other event through.
fn check_terminal(event: ResponseEvent) -> Result<ResponseEvent, ProviderError> {
    match event {
        ResponseEvent::Error { code, message, .. } => {
            Err(ProviderError::ErrorEvent { code, message })
        }
        ResponseEvent::Failed { response } => Err(ProviderError::ResponseFailed {
            error: response.error.clone(),
            response: Box::new(response),
        }),
        ResponseEvent::Incomplete { response } => Err(ProviderError::ResponseIncomplete {
            details: response
                .incomplete_details
                .as_ref()
                .map_or_else(|| "null".to_owned(), Value::to_string),
            response: Box::new(response),
        }),
        event => Ok(event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_event_types_are_skipped() {
        let event = decode_event(r#"{"type":"response.future_thing","sequence_number":3}"#);
        assert!(matches!(event, Ok(None)));
    }

    #[test]
    fn a_top_level_error_key_is_the_legacy_error() {
        let event = decode_event(r#"{"error":{"message":"overloaded"}}"#);
        assert!(
            matches!(event, Err(ProviderError::ErrorPayload { message }) if message == "overloaded")
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy::default();
        let first = policy.backoff(1);
        assert!(first <= Duration::from_millis(500) && first >= Duration::from_millis(375));
        assert!(policy.backoff(10) <= Duration::from_secs(8));
    }
}
