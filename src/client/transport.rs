//! [`Client`]: one ChatKit endpoint, the headers sent with every request, and the limits of
//! every answer; [`Client::send`] posts a [`Request`] and tells a JSON answer from a stream.
//!
//! The official web component talks to a server through a `fetch` the integration may
//! replace, to add an `Authorization` header or a page-context header to every request. Here
//! that is [`Client::header`]. Every request is a POST of one JSON body to one URL; the server
//! answers JSON (ten operations) or SSE (six), see [`RequestOp::is_streaming`].
//!
//! Limits exist because a client should not trust a server blindly: [`Client::timeout`]
//! bounds a whole exchange (status *and* body), [`Client::max_body_bytes`] bounds the body.
//! By default there is no timeout, since a reply may stream for minutes, and a generous size
//! cap; a checker, which must finish whatever the server does, sets both tightly.
//!
//! Where it sits: the only code of [`crate::client`] that does HTTP; `requests.rs` adds one
//! typed method per operation on top of [`Client::send`].

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::Url;

use super::error::{ClientError, ServerError};
use super::stream::{BodyStream, EventStream};
use crate::protocol::{Request, RequestOp, to_wire_json};

/// The default body cap: a ChatKit answer is a few kilobytes, a long conversation's stream a
/// few hundred; 64 MiB leaves room for inline images and stops a runaway server.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// A client of one ChatKit endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    url: Url,
    headers: HeaderMap,
    timeout: Option<Duration>,
    max_body_bytes: usize,
}

/// What the server answered a request with.
#[derive(Debug)]
pub enum Answer {
    /// A JSON body (the ten non-streaming operations), as received.
    Json(Bytes),
    /// An SSE stream (the six streaming operations).
    Stream(EventStream),
}

/// An answer before any interpretation: the status, the content type and the body, whatever
/// they are. What a checker needs, since it judges the status itself.
#[derive(Debug)]
pub struct RawAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body, within the client's deadline and size cap.
    pub body: BodyStream,
}

impl RawAnswer {
    /// Whether the body is Server-Sent Events (`text/event-stream`, any parameters).
    pub fn is_event_stream(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|value| value.starts_with("text/event-stream"))
    }
}

impl Client {
    /// A client of the endpoint at `url`, such as `http://127.0.0.1:8000/chatkit`, with no
    /// extra headers, no timeout and a [`DEFAULT_MAX_BODY_BYTES`] cap.
    ///
    /// # Errors
    ///
    /// [`ClientError::Url`] when `url` is not a URL.
    pub fn new(url: &str) -> Result<Self, ClientError> {
        Ok(Client {
            http: reqwest::Client::new(),
            url: Url::parse(url)?,
            headers: HeaderMap::new(),
            timeout: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        })
    }

    /// The same client over another `reqwest::Client` (a proxy, custom TLS, no connection
    /// reuse, …).
    pub fn with_http(self, http: reqwest::Client) -> Self {
        Client { http, ..self }
    }

    /// Adds a header to every request, such as `Authorization: Bearer …`: the official
    /// client's custom `fetch`. A name given twice is sent twice.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// As [`Client::header`], from text such as `("x-user-id", "alice")`.
    ///
    /// # Errors
    ///
    /// [`ClientError::Header`] when the name or the value is not valid HTTP.
    pub fn try_header(self, name: &str, value: &str) -> Result<Self, ClientError> {
        let invalid = || ClientError::Header(name.to_owned());
        let name = HeaderName::try_from(name).map_err(|_| invalid())?;
        let value = HeaderValue::try_from(value).map_err(|_| invalid())?;
        Ok(self.header(name, value))
    }

    /// Replaces every extra header at once (another user, say).
    pub fn with_headers(self, headers: HeaderMap) -> Self {
        Client { headers, ..self }
    }

    /// Bounds each exchange, from sending the request to the last byte of the answer.
    pub fn timeout(self, timeout: Duration) -> Self {
        Client {
            timeout: Some(timeout),
            ..self
        }
    }

    /// Caps the size of each answer's body.
    pub fn max_body_bytes(self, bytes: usize) -> Self {
        Client {
            max_body_bytes: bytes,
            ..self
        }
    }

    /// The endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// POSTs `body` as it is, JSON or not, and returns whatever came back. Only a request
    /// that got no status at all is an error. Most callers want [`Client::send`]; this is
    /// for a checker that sends malformed bodies on purpose.
    ///
    /// # Errors
    ///
    /// [`ClientError::Http`] (refused, reset) or [`ClientError::Timeout`] before the status.
    pub async fn post_raw(&self, body: impl Into<Bytes>) -> Result<RawAnswer, ClientError> {
        let deadline = self
            .timeout
            .map(|timeout| (Instant::now() + timeout, timeout));
        let request = self
            .http
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body.into())
            .send();
        let response = match deadline {
            Some((at, timeout)) => tokio::time::timeout_at(at, request)
                .await
                .map_err(|_| ClientError::Timeout(timeout))??,
            None => request.await?,
        };
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(RawAnswer {
            status: response.status().as_u16(),
            content_type,
            body: BodyStream::from_response(response, deadline, self.max_body_bytes),
        })
    }

    /// Sends `request`: a JSON answer is read whole, a stream is handed over to be read.
    ///
    /// # Errors
    ///
    /// [`ClientError::Status`] for a non-2xx answer (with the server's JSON error when it
    /// sent one), or a transport failure, the deadline, the size cap.
    pub async fn send(&self, request: &Request) -> Result<Answer, ClientError> {
        let body = to_wire_json(request).map_err(ClientError::Encode)?;
        let answer = self.post_raw(body).await?;
        if !(200..300).contains(&answer.status) {
            let body = answer.body.collect().await?;
            return Err(ClientError::Status {
                status: answer.status,
                error: ServerError::from_body(&body),
                body,
            });
        }
        if answer.is_event_stream() {
            Ok(Answer::Stream(EventStream::new(answer.body)))
        } else {
            Ok(Answer::Json(answer.body.collect().await?))
        }
    }

    /// Sends a streaming operation and returns its events.
    ///
    /// # Errors
    ///
    /// As [`Client::send`], and [`ClientError::WrongAnswer`] if the server answered JSON.
    pub async fn stream(&self, op: RequestOp) -> Result<EventStream, ClientError> {
        match self.send(&Request::new(op)).await? {
            Answer::Stream(events) => Ok(events),
            Answer::Json(_) => Err(ClientError::WrongAnswer {
                expected: "an SSE stream",
                got: "JSON",
            }),
        }
    }

    /// Sends a JSON operation and decodes its answer as `T`.
    ///
    /// # Errors
    ///
    /// As [`Client::send`], [`ClientError::WrongAnswer`] if the server streamed, and
    /// [`ClientError::Decode`] if the body is not a `T`.
    pub async fn json<T: DeserializeOwned>(&self, op: RequestOp) -> Result<T, ClientError> {
        match self.send(&Request::new(op)).await? {
            Answer::Json(body) => serde_json::from_slice(&body).map_err(ClientError::Decode),
            Answer::Stream(_) => Err(ClientError::WrongAnswer {
                expected: "a JSON body",
                got: "SSE",
            }),
        }
    }
}
