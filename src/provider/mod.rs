//! The model provider: a Responses API endpoint that turns a request body into a stream of
//! typed events.
//!
//! Where it sits: the agent runner ([`crate::agent`]) builds a [`ResponsesRequest`] for each
//! model call and reads the [`ResponseEvent`]s back; this module knows nothing of ChatKit.
//!
//! * [`events`]: the wire types (request body, items, events), tolerant on the read side.
//! * [`openai`]: [`OpenAiProvider`], the HTTP client for `POST {base_url}/responses`. The only
//!   module of the crate that makes outgoing HTTP calls.
//! * [`mock`]: [`MockProvider`], an OpenAI-compatible server that plays JSON scripts or a small
//!   rule-based toy model, so every lesson runs offline. Lessons point an [`OpenAiProvider`] at
//!   it, so the client code is the same offline and online.
//!
//! # The stream contract
//!
//! A [`ResponseEventStream`] yields the response's events in order and **ends after
//! `response.completed`**, which it yields. Every way a response can fail is an `Err` item
//! ([`ProviderError`]), after which the stream ends: an HTTP status, an `error` event, a
//! `response.failed` or `response.incomplete`, a legacy `{"error":{…}}` payload, a stream that
//! stops before `response.completed`, a payload that is not JSON, and the three timeouts.
//!
//! Python counterpart: `agents/models/openai_responses.py::OpenAIResponsesModel.stream_response`
//! over `openai.AsyncOpenAI().responses.create(stream=True)`.

pub mod events;
pub mod mock;
pub mod openai;

use std::fmt::Debug;
use std::time::Duration;

use futures::stream::BoxStream;

pub use events::{InputItem, OutputItem, ResponseEvent, ResponsesRequest, ToolDefinition};
pub use mock::{MockProvider, Script};
pub use openai::{OpenAiProvider, RetryPolicy, Timeouts};

use events::{Response, ResponseError};

/// The events of one model call. Boxed and `'static` so a `dyn ModelProvider` can return it
/// and the runner can hold it across awaits (the same reasoning as `server::EventStream`).
pub type ResponseEventStream = BoxStream<'static, Result<ResponseEvent, ProviderError>>;

/// Something that answers Responses API requests with a stream of events.
///
/// A plain `fn` returning a boxed stream, not an `async fn`, keeps the trait dyn-compatible, so
/// an agent can hold `Arc<dyn ModelProvider>` and switch between the mock and a real provider
/// at run time.
pub trait ModelProvider: Send + Sync + Debug {
    /// Sends one request (with `stream: true`) and streams the response's events.
    fn stream_response(&self, request: ResponsesRequest) -> ResponseEventStream;
}

/// Every way a model call can fail. The runner passes these on unchanged inside its own error.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider answered with an HTTP error status (after any retries).
    #[error("the model provider answered HTTP {status}: {message}")]
    Status {
        /// The status code.
        status: u16,
        /// The provider's `error.message`, or the body when it has none.
        message: String,
        /// How many requests were made, retries included.
        attempts: u32,
    },
    /// The stream carried an `error` event.
    #[error("the model provider sent an error event (code {code:?}): {message}")]
    ErrorEvent {
        /// The event's `code`.
        code: Option<String>,
        /// The event's `message`.
        message: String,
    },
    /// The stream ended with `response.failed`.
    #[error("the response failed: {}", error_message(.error))]
    ResponseFailed {
        /// The failed response's `error`, when it has one.
        error: Option<ResponseError>,
        /// The failed response.
        response: Box<Response>,
    },
    /// The stream ended with `response.incomplete`.
    #[error("the response is incomplete: {details}")]
    ResponseIncomplete {
        /// The response's `incomplete_details`, as JSON text.
        details: String,
        /// The incomplete response.
        response: Box<Response>,
    },
    /// A payload with a top-level `error` key, the legacy way of failing mid-stream.
    #[error("the model provider sent an error payload: {message}")]
    ErrorPayload {
        /// `error.message`, or the whole `error` value as JSON.
        message: String,
    },
    /// The stream ended before `response.completed`.
    #[error("the stream ended before response.completed")]
    Truncated,
    /// A `data:` payload that is not a JSON event.
    #[error("a malformed event in the stream: {data:?}")]
    MalformedEvent {
        /// The payload as received.
        data: String,
        /// Why it did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// The SSE framing itself broke (bad UTF-8, a transport error mid-body).
    #[error("the event stream broke: {message}")]
    Stream {
        /// What the SSE parser or transport reported.
        message: String,
    },
    /// No connection within the connect timeout (after any retries).
    #[error("could not connect to the model provider within {0:?}")]
    ConnectTimeout(Duration),
    /// The connection was made but no response headers came within the first-byte timeout.
    #[error("the model provider sent nothing within {0:?}")]
    FirstByteTimeout(Duration),
    /// The stream went quiet for longer than the idle timeout.
    #[error("the model stream was idle for {0:?}")]
    IdleTimeout(Duration),
    /// The request could not be sent at all (refused connection, DNS, TLS, …).
    #[error("could not reach the model provider: {0}")]
    Connect(#[source] reqwest::Error),
    /// The client could not be built (bad TLS setup, bad header value).
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
}

fn error_message(error: &Option<ResponseError>) -> String {
    match error {
        Some(error) => format!("{} ({:?})", error.message, error.code),
        None => "no error detail".to_owned(),
    }
}

impl ProviderError {
    /// Whether retrying the same request might succeed (the runner does not retry; the client
    /// retries HTTP statuses itself before the stream starts).
    pub fn is_transient(&self) -> bool {
        match self {
            ProviderError::Status { status, .. } => is_retryable_status(*status),
            ProviderError::ConnectTimeout(_)
            | ProviderError::FirstByteTimeout(_)
            | ProviderError::IdleTimeout(_)
            | ProviderError::Connect(_)
            | ProviderError::Truncated => true,
            _ => false,
        }
    }
}

/// 408, 409, 429 and every 5xx: the statuses the official client retries.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// The model a lesson binary talks to: OpenAI (or any `OPENAI_BASE_URL`) when
/// `OPENAI_API_KEY` is set, otherwise the library's mock on a loopback port of its own, so
/// every lesson runs offline with no key.
///
/// The mock hands out ids that are unique to this process
/// ([`MockProviderBuilder::unique_ids`](mock::MockProviderBuilder::unique_ids)): a lesson keeps
/// its threads in a SQLite file, and a restarted process must not reuse the ids its threads
/// already hold.
#[derive(Debug)]
pub struct ModelFromEnv {
    provider: std::sync::Arc<dyn ModelProvider>,
    /// The mock server, kept here because dropping it stops it; `None` with a real provider.
    mock: Option<MockProvider>,
}

impl ModelFromEnv {
    /// Picks the provider from the environment; the mock waits `token_delay` before each
    /// streamed chunk so that a person can watch the answer arrive.
    ///
    /// # Errors
    ///
    /// [`ProviderError::Setup`] if the HTTP client cannot be built or the mock cannot bind a
    /// loopback port.
    pub async fn start(token_delay: Duration) -> Result<Self, ProviderError> {
        if let Some(openai) = OpenAiProvider::from_env()? {
            return Ok(ModelFromEnv {
                provider: std::sync::Arc::new(openai),
                mock: None,
            });
        }
        let mock = MockProvider::builder()
            .delay(token_delay)
            .unique_ids()
            .start()
            .await
            .map_err(|error| {
                ProviderError::Setup(format!("the mock model did not start: {error}"))
            })?;
        Ok(ModelFromEnv {
            provider: std::sync::Arc::new(mock.client()?),
            mock: Some(mock),
        })
    }

    /// The provider to hand to a [`Runner`](crate::agent::Runner).
    pub fn provider(&self) -> std::sync::Arc<dyn ModelProvider> {
        std::sync::Arc::clone(&self.provider)
    }

    /// Whether this is the offline mock rather than a real model.
    pub fn is_mock(&self) -> bool {
        self.mock.is_some()
    }

    /// The offline mock, when it is the model: its
    /// [`requests`](MockProvider::requests) are the exact model requests made so far.
    pub fn mock(&self) -> Option<&MockProvider> {
        self.mock.as_ref()
    }
}
