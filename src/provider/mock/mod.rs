//! The mock model provider: an OpenAI-compatible `POST /v1/responses` server that runs every
//! lesson offline.
//!
//! It answers each request from a [`Script`] (the format is in [`script`]) or, with no script,
//! from a small rule-based [toy model](toy). Either way it streams the **full** Responses wire
//! (protocol#responses-order, [`wire`]): `response.created`, `response.in_progress`, every item's
//! events with `sequence_number`, `logprobs` and `usage`, and deterministic ids, so that the
//! official `openai` Python client with strict validation and the Agents SDK accept it
//! (`reference/check_mock_provider.py` proves it in CI).
//!
//! * In-process: [`MockProvider::start`] binds a free loopback port; [`MockProvider::client`]
//!   gives an [`OpenAiProvider`] pointed at it, so lessons use the same client offline and
//!   online. Dropping the `MockProvider` stops the server.
//! * Standalone: `cargo run --bin mock-provider -- --port 8765 [--script FILE] [--delay-ms N]`.
//!
//! Every request is logged ([`MockProvider::requests`]: headers, body, and the input the model
//! saw) for tests to assert what a client sent. A per-token delay (before each `*.delta` event)
//! lets a person watch the stream; tests use none.
//!
//! # Stored responses and `previous_response_id`
//!
//! Like the Responses API, the mock keeps every response it completes (unless the request said
//! `"store": false`), by id, with the conversation that led to it. A request that names one in
//! `previous_response_id` is answered as the API answers it: the model sees the earlier
//! response's input, then that response's output, then the new input, so a client may send only
//! its new items (protocol#previous-response). An id the mock never completed is the API's
//! `400` (`previous_response_not_found`). Responses live as long as the `MockProvider`.
//!
//! Python counterpart: the Starlette mock the reference wire was first recorded with; the
//! transcripts in `fixtures/agent_transcripts/` are recorded against this one instead
//! (protocol#mock-provider).

pub mod script;
pub mod toy;
pub mod wire;

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use script::{Failure, Script, ScriptError, ScriptOutput, Turn};

use super::events::{InputItem, ResponsesRequest};
use super::{OpenAiProvider, ProviderError};

/// One request the mock received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The headers, names lower-case.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (`null` if it was not JSON).
    pub body: Value,
    /// The input the model saw: the body's `input`, after the conversation of a
    /// `previous_response_id`; `None` for a request the mock refused (a body it could not
    /// read, an unknown previous response).
    pub model_input: Option<Vec<InputItem>>,
}

/// How the mock answers; shared by the server's handlers.
#[derive(Debug, Default)]
struct MockState {
    script: Option<Script>,
    delay: Duration,
    /// Requests so far; request `N` plays turn `N` and gets ids `…_mock_NNN_…`.
    count: AtomicUsize,
    /// Put into every id after `mock_`, or empty (see [`MockProviderBuilder::unique_ids`]).
    id_tag: String,
    /// A std mutex: it is held for a push or a clone, never across an await.
    log: Mutex<Vec<RecordedRequest>>,
    /// Every completed response by id: the whole conversation it ended, its input then its
    /// output, as a later request's `previous_response_id` continues it. A std mutex, held
    /// for a lookup or an insert.
    responses: Mutex<HashMap<String, Vec<InputItem>>>,
}

/// Options for a [`MockProvider`]: a script and a per-token delay.
#[derive(Debug, Default)]
pub struct MockProviderBuilder {
    script: Option<Script>,
    delay: Duration,
    id_tag: String,
}

impl MockProviderBuilder {
    /// Answer from this script instead of the toy model.
    pub fn script(mut self, script: Script) -> Self {
        self.script = Some(script);
        self
    }

    /// Wait this long before each delta event.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Tags every id with a token of this run (`msg_mock_3fa2c901_001_0`), so ids never repeat
    /// across processes.
    ///
    /// Without it the ids start again at `…_001_…` in every process: right for tests and
    /// recorded transcripts, which need the same bytes every time, but a server that keeps
    /// threads in a file and restarts would get ids its threads already hold. A lesson binary
    /// serving the mock turns this on.
    pub fn unique_ids(mut self) -> Self {
        let token = uuid::Uuid::new_v4().simple().to_string();
        self.id_tag = token[..8].to_owned();
        self
    }

    /// Starts the server on a free loopback port.
    ///
    /// # Errors
    ///
    /// Binding the port failed.
    pub async fn start(self) -> std::io::Result<MockProvider> {
        self.start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the server on `addr`.
    ///
    /// # Errors
    ///
    /// Binding the address failed.
    pub async fn start_on(self, addr: SocketAddr) -> std::io::Result<MockProvider> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState {
            script: self.script,
            delay: self.delay,
            id_tag: self.id_tag,
            ..MockState::default()
        });
        let app = app(state.clone());
        // Without TCP_NODELAY each small SSE frame waits ~40 ms for Nagle's algorithm.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the mock provider stopped");
            }
        });
        Ok(MockProvider { addr, state, task })
    }
}

/// A running mock provider; dropping it stops the server.
#[derive(Debug)]
pub struct MockProvider {
    addr: SocketAddr,
    state: Arc<MockState>,
    /// The server task, owned here so that it ends with the `MockProvider`.
    task: JoinHandle<()>,
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockProvider {
    /// Options: a script, a delay.
    pub fn builder() -> MockProviderBuilder {
        MockProviderBuilder::default()
    }

    /// Starts the toy model, with no delay, on a free loopback port.
    ///
    /// # Errors
    ///
    /// Binding the port failed.
    pub async fn start() -> std::io::Result<MockProvider> {
        MockProvider::builder().start().await
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/v1`, the `base_url` a client needs.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// A client pointed at this mock, with the key `sk-mock`.
    ///
    /// # Errors
    ///
    /// As [`OpenAiProvider::new`].
    pub fn client(&self) -> Result<OpenAiProvider, ProviderError> {
        OpenAiProvider::new(self.base_url(), Some("sk-mock".to_owned()))
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .log
            .lock()
            .map(|log| log.clone())
            .unwrap_or_default()
    }
}

fn app(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/v1/responses", post(responses))
        .with_state(state)
}

/// `POST /v1/responses`: read the request and the conversation it continues, log, pick the
/// turn, answer with SSE (or JSON if not streaming), and keep the response for later requests.
async fn responses(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = state.count.fetch_add(1, Ordering::SeqCst) + 1;
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let request: ResponsesRequest = match serde_json::from_value(json.clone()) {
        Ok(request) => request,
        Err(error) => {
            record(&state, &headers, json, None);
            return bad_request(&error.to_string());
        }
    };
    // From here on the mock answers the request the model sees: the whole conversation.
    let request = match continue_conversation(&state, request) {
        Ok(request) => request,
        Err(id) => {
            record(&state, &headers, json, None);
            return previous_response_not_found(&id);
        }
    };
    record(&state, &headers, json, Some(request.input.clone()));
    let turn = match &state.script {
        Some(script) => script.turn(n),
        None => toy::answer(&request),
    };
    if turn.fail == Some(Failure::Http500) {
        let body = wire::http_500_body();
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
    }
    let frames = wire::render(n, &state.id_tag, &request, &turn);
    if request.store != Some(false) {
        keep_response(&state, request.input, &frames);
    }
    if !request.stream {
        return non_streaming(frames);
    }
    sse(frames, state.delay)
}

/// The request with the conversation of its `previous_response_id` put before its own input,
/// as the Responses API expands it; the unknown id as the error.
fn continue_conversation(
    state: &MockState,
    mut request: ResponsesRequest,
) -> Result<ResponsesRequest, String> {
    let Some(id) = &request.previous_response_id else {
        return Ok(request);
    };
    let earlier = state
        .responses
        .lock()
        .ok()
        .and_then(|responses| responses.get(id).cloned())
        .ok_or_else(|| id.clone())?;
    request.input = earlier.into_iter().chain(request.input).collect();
    Ok(request)
}

/// Keeps a completed response under its id: the input the model saw, then the response's
/// output as a later request replays it. A response that failed or was cut is not kept, so
/// continuing it is the unknown-id error.
fn keep_response(state: &MockState, input: Vec<InputItem>, frames: &[wire::Frame]) {
    let Some(response) = wire::completed_response(frames) else {
        return;
    };
    let output = response.output.iter().filter_map(InputItem::replay);
    let conversation = input.into_iter().chain(output).collect();
    if let Ok(mut responses) = state.responses.lock() {
        responses.insert(response.id, conversation);
    }
}

fn record(
    state: &MockState,
    headers: &HeaderMap,
    body: Value,
    model_input: Option<Vec<InputItem>>,
) {
    let headers = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    if let Ok(mut log) = state.log.lock() {
        log.push(RecordedRequest {
            headers,
            body,
            model_input,
        });
    }
}

fn bad_request(message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "invalid_request_error",
        "param": null, "code": null}});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// The Responses API's answer to a `previous_response_id` it does not hold.
fn previous_response_not_found(id: &str) -> Response {
    let body = json!({"error": {
        "message": format!("Previous response with id '{id}' not found."),
        "type": "invalid_request_error",
        "param": "previous_response_id",
        "code": "previous_response_not_found"
    }});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// A `stream: false` request gets the final response object as JSON.
fn non_streaming(frames: Vec<wire::Frame>) -> Response {
    let last = frames.into_iter().last().map(|frame| frame.data);
    let response = last
        .as_ref()
        .and_then(|data| data.get("response").cloned())
        .unwrap_or(Value::Null);
    axum::Json(response).into_response()
}

/// Streams the frames as SSE, sleeping `delay` before each delta.
fn sse(frames: Vec<wire::Frame>, delay: Duration) -> Response {
    let body = futures::stream::iter(frames).then(move |frame| async move {
        if frame.is_delta && !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok::<_, Infallible>(Bytes::from(frame.to_sse()))
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
