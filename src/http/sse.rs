//! The ChatKit endpoint: one POST in, one JSON body or one stream of SSE frames out.
//!
//! [`endpoint`] is the axum handler behind `POST /chatkit`. It does four things, in order:
//!
//! 1. builds the request context from the request's head (the host app's
//!    [`ContextBuilder`]: a user id from a header, a verified bearer token, …), then counts
//!    the request against the caller's rate limit, if the router has one;
//! 2. reads the body as raw bytes, whatever its `Content-Type`, as the reference does, and
//!    decodes it with our own `ProtocolError` rather than axum's `Json<T>`, whose rejections
//!    are plain text;
//! 3. calls [`Processor::process`];
//! 4. answers `ProcessResult::Json` with `200 application/json`, and `ProcessResult::Stream`
//!    with `200 text/event-stream; charset=utf-8`.
//!
//! Any failure up to and including step 3 becomes an [`HttpError`] (`http/error.rs`); once
//! the `200` of a stream is sent, failures arrive as `error` events inside it.
//!
//! # Wire format
//!
//! The frames come from the pipeline (`server/pipeline.rs`) already encoded, `data: <json>`
//! and a blank line each, and are written unchanged: there are no `event:` or `id:` lines.
//! That is why this file does not use `axum::response::Sse`: it would re-frame every event,
//! and the bytes would no longer be exactly the ones the conformance checks compare.
//!
//! # Keep-alive
//!
//! A stream can be quiet for a long time: a slow tool, a model that thinks before it speaks.
//! Proxies and load balancers cut a response that sends nothing for a while (often 30–60 s),
//! and the user loses an answer that was still coming. So when no frame has gone out for the
//! router's keep-alive interval ([`RouterConfig::keep_alive`](super::RouterConfig::keep_alive),
//! 15 s by default), the body carries the SSE comment line [`KEEP_ALIVE`]. Every SSE client
//! ignores comment lines (the EventSource standard says so), so the events a client sees are
//! unchanged. The reference sends none.
//!
//! # Cancellation
//!
//! When the client goes away, hyper drops the response body, which drops the channel's
//! receiver; the pipeline task sees its sender close and runs the cancellation hook. Nothing
//! here needs to notice.
//!
//! So the response can end before its turn does (the cancellation hook still saving, or a turn
//! with `allow_cancel: false` running on unseen). A streaming response carries its turn's
//! [`TurnHandle`](crate::server::TurnHandle) in its extensions, for middleware in the same
//! process that waits for the turn's end: `--ask --cancel-after` ([`ask`](super::ask)) does.
//!
//! Python counterpart: the FastAPI route of the SDK's examples, which wraps
//! `ChatKitServer.process` in a `StreamingResponse` or a `Response`.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{FutureExt, StreamExt};

use crate::server::{Frames, ProcessResult, Processor};
use crate::store::StoreContext;

use super::error::HttpError;
use super::{ContextBuilder, Gate};

/// The `Content-Type` of a stream, as the reference (Starlette) writes it.
const EVENT_STREAM: &str = "text/event-stream; charset=utf-8";

/// The comment sent during a quiet stretch of a stream: a line starting with `:`, then the
/// blank line that ends an SSE block.
pub const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// What the endpoint needs for every request; cloned per request by axum's `State`.
pub(super) struct Endpoint<C: StoreContext + Clone + 'static, B> {
    pub(super) processor: Processor<C>,
    /// The context builder and the rate limit.
    pub(super) gate: Gate<B>,
    /// The body limit, repeated here only to word the 413 message.
    pub(super) body_limit: usize,
    /// How long a stream may stay quiet before a [`KEEP_ALIVE`] comment; `None`: never.
    pub(super) keep_alive: Option<Duration>,
}

impl<C: StoreContext + Clone + 'static, B: Clone> Clone for Endpoint<C, B> {
    fn clone(&self) -> Self {
        Endpoint {
            processor: self.processor.clone(),
            gate: self.gate.clone(),
            body_limit: self.body_limit,
            keep_alive: self.keep_alive,
        }
    }
}

/// The axum handler for `POST /chatkit`.
///
/// `body` is a `Result` so that an oversized or unreadable body is ours to answer (JSON, not
/// axum's plain-text rejection). The limit itself is enforced by the router's
/// `DefaultBodyLimit` layer, which the `Bytes` extractor reads.
pub(super) async fn endpoint<C, B>(
    State(endpoint): State<Endpoint<C, B>>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    // A panic in a hook (or in the context builder) must not reach the client as a reset
    // connection. `AssertUnwindSafe` is sound here because nothing this future borrows is
    // used again after a panic: the request is answered with a 500 and dropped. Shared state
    // behind the processor (the stores) recovers from poisoned locks on its own.
    let answer = AssertUnwindSafe(handle(endpoint, parts, body)).catch_unwind();
    match answer.await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => error.into_response(),
        Err(panic) => {
            tracing::error!(panic = panic_message(&*panic), "a ChatKit request panicked");
            HttpError::internal().into_response()
        }
    }
}

/// Steps 1–4 of the module doc, with every refusal as an `HttpError`.
async fn handle<C, B>(
    endpoint: Endpoint<C, B>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, HttpError>
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    let ctx = endpoint.gate.admit(&parts).await?;
    let body = body.map_err(|rejection| body_error(&rejection, endpoint.body_limit))?;
    match endpoint.processor.process(&body, ctx).await {
        Ok(ProcessResult::Json(json)) => Ok(json_response(json)),
        Ok(ProcessResult::Stream(frames)) => Ok(stream_response(frames, endpoint.keep_alive)),
        Err(error) => {
            // Log here, not in the conversion: a 500 hides its cause from the client, so this
            // line is the only place the cause is ever seen.
            let cause = error_chain(&error);
            let refusal = HttpError::from(error);
            if refusal.status().is_server_error() {
                tracing::error!(status = %refusal.status(), cause, "ChatKit request failed");
            } else {
                tracing::debug!(status = %refusal.status(), cause, "ChatKit request refused");
            }
            Err(refusal)
        }
    }
}

/// `200 application/json` with the body exactly as the processor wrote it.
fn json_response(json: Bytes) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response()
}

/// `200 text/event-stream`: each frame the pipeline sends becomes one chunk of the body, with
/// a keep-alive comment after every `keep_alive` of silence.
fn stream_response(frames: Frames, keep_alive: Option<Duration>) -> Response {
    let turn = frames.turn();
    let chunks = match keep_alive {
        Some(interval) => with_keep_alive(frames, interval).boxed(),
        None => frames.boxed(),
    };
    // The channel cannot fail, so the body's error type is `Infallible`: the stream ends when
    // the pipeline drops its sender, and that is the end of the response.
    let body = Body::from_stream(chunks.map(Ok::<Bytes, Infallible>));
    let mut response = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(EVENT_STREAM)),
            // A proxy or browser must not cache or replay a stream.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response();
    // For middleware that must know when the turn is over (see the module doc); an extension
    // never reaches the wire.
    response.extensions_mut().insert(turn);
    response
}

/// `frames`, with [`KEEP_ALIVE`] each time `interval` passes without one.
///
/// The timer restarts with every frame, so a busy stream carries no comment at all and its
/// bytes stay exactly the pipeline's. Dropping this stream (the client left) drops `frames`,
/// which is how the pipeline learns of the disconnect, as without keep-alive.
fn with_keep_alive(
    mut frames: Frames,
    interval: Duration,
) -> impl futures::Stream<Item = Bytes> + Send {
    async_stream::stream! {
        loop {
            match tokio::time::timeout(interval, frames.next()).await {
                Ok(Some(frame)) => yield frame,
                // The pipeline closed the channel: the stream is over.
                Ok(None) => break,
                Err(_quiet) => yield Bytes::from_static(KEEP_ALIVE),
            }
        }
    }
}

/// An oversized body is a JSON 413; any other unreadable body is a JSON 400.
fn body_error(rejection: &BytesRejection, limit: usize) -> HttpError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        HttpError::payload_too_large(limit)
    } else {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            rejection.body_text(),
        )
    }
}

/// `error: cause: cause…`, for the logs.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The text of a panic, when it has one (`panic!("…")` carries a `&str` or a `String`).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}
