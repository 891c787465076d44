//! The HTTP edge: the axum router that serves `POST /chatkit`, and a server loop to run it.
//!
//! This is the only module that knows about axum. Everything below it works on bytes and
//! typed errors; this module turns them into HTTP. The request flow:
//!
//! ```text
//! TCP (TCP_NODELAY) ─► hyper ─► Router: POST /chatkit, body ≤ limit (413 otherwise)
//!   ─► ContextBuilder::build(request head)          ─► C, or a refusal (401, …)
//!   ─► body as raw Bytes, any Content-Type
//!   ─► Processor::process(body, ctx)
//!        ├─ Ok(Json(bytes))    ─► 200 application/json
//!        ├─ Ok(Stream(frames)) ─► 200 text/event-stream; one chunk per `data: …\n\n` frame
//!        └─ Err(ProcessError)  ─► 4xx/5xx with {"error":{"code":…,"message":…}}
//! ```
//!
//! # Two error channels
//!
//! An error found **before the first SSE byte** (a bad body, an unknown or foreign thread, a
//! streaming request whose set-up fails, a hook that is not implemented, an oversized body)
//! becomes an HTTP status and a JSON body; `error.rs` holds the table of statuses and codes,
//! and nothing is stored. An error **after** the `200` of a stream has been sent cannot change
//! the status any more: the pipeline sends it as an in-band `error` event and closes the
//! stream cleanly. The Python SDK answers the first kind with a bare `500` or a `200` that
//! aborts mid-body.
//!
//! # Using it
//!
//! ```no_run
//! use axum::http::request::Parts;
//! use chatkit::http::{self, HttpError};
//! use chatkit::server::Processor;
//! use chatkit::store::{MemoryStore, UserContext};
//! # use chatkit::prelude::{Arc, ChatKitServer, EventStream, Responder, ThreadMetadata, UserMessageItem};
//! # struct Echo;
//! # impl ChatKitServer<UserContext> for Echo {
//! #     fn respond(self: Arc<Self>, _: ThreadMetadata, _: Option<UserMessageItem>,
//! #                _: UserContext, _: Responder<UserContext>) -> EventStream {
//! #         Box::pin(futures::stream::empty())
//! #     }
//! # }
//!
//! /// Who is calling? Here a header; in a real app, a verified session or token.
//! fn user_from_header(parts: &Parts) -> Result<UserContext, HttpError> {
//!     let user = parts.headers.get("x-user-id").and_then(|value| value.to_str().ok());
//!     let user = user.ok_or_else(|| HttpError::unauthorized("missing x-user-id"))?;
//!     Ok(UserContext::new(user))
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let processor = Processor::builder(Echo, MemoryStore::new()).build();
//! let app = http::router(processor, user_from_header);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! http::serve(listener, app, http::shutdown_signal()).await
//! # }
//! ```
//!
//! Build the router with [`router`] (or [`RouterConfig`] for another path or body limit),
//! test it without a socket through `tower::ServiceExt::oneshot`, and run it with [`serve`].
//!
//! [`ask`] is the other way round: it runs an app in-process and prints one streamed answer in
//! the terminal (the lessons' `--ask` flag). [`cli`] is what every lesson binary shares: its
//! flags, logging, store choice and start banner, around [`serve`] and [`ask`].
//!
//! A stream that stays quiet for [`DEFAULT_KEEP_ALIVE`] carries an SSE comment so that proxies
//! do not cut it ([`RouterConfig::keep_alive`]; `sse.rs` says why).
//!
//! # CORS, for a page served from another origin
//!
//! A browser lets a page call only its own origin (scheme, host and port) unless the server
//! says otherwise. A page served by this same router (lesson 07's `/`) needs nothing; a page
//! on `http://localhost:5173` calling a server on `http://127.0.0.1:8000` needs CORS, or the
//! browser's preflight `OPTIONS` (sent first, because the request carries `Authorization` and
//! a JSON `Content-Type`) fails and the `POST` is never sent. [`RouterConfig::allow_origins`]
//! lists the pages' origins; [`RouterConfig::cors`] takes any `tower_http` `CorsLayer`. Off by
//! default: an origin allowed here may call with the user's token, so allow only your own.
//!
//! Left out on purpose: authentication itself (the [`ContextBuilder`] is where an app plugs
//! its own in), and TLS (put a proxy in front).

pub mod ask;
pub mod cli;
mod error;
mod rate_limit;
mod sse;
mod uploads;

use std::future::Future;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::routing::post;
use axum::serve::ListenerExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::attachments::DiskAttachments;
use crate::server::Processor;
use crate::store::{StoreContext, UserContext};

pub use error::{HttpError, INTERNAL_ERROR_MESSAGE};
pub use rate_limit::RateLimit;
pub use sse::KEEP_ALIVE;

/// Where the endpoint is mounted unless configured: `/chatkit`, as in the ChatKit docs.
pub const DEFAULT_PATH: &str = "/chatkit";

/// The largest body accepted unless configured: 1 MiB. A ChatKit request is a message and a
/// few ids (attachments are uploaded elsewhere), so anything bigger is a mistake or an attack.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// How long a stream may stay quiet before a keep-alive comment unless configured: 15 s,
/// well under the 30–60 s after which common proxies and load balancers cut an idle response.
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How the host application turns an HTTP request into the request context `C`.
///
/// It sees the request's head (method, URI, headers, extensions set by earlier middleware),
/// never the body. Return an [`HttpError`], such as [`HttpError::unauthorized`], to refuse
/// the request before anything else happens.
///
/// Building may be async: verifying a token can need a key fetched from the identity
/// provider's JWKS URL, and a session cookie a database lookup. Three ways to get one:
///
/// * any closure `Fn(&Parts) -> Result<C, HttpError>` that is `Clone + Send + Sync + 'static`
///   (annotate the argument, `|parts: &Parts| …`, so the compiler sees that it takes a
///   borrowed `Parts` of any lifetime): for checks that need no I/O;
/// * [`async_context`] around an `async` closure or function that takes the `Parts` by value;
/// * your own type implementing this trait, such as [`crate::auth::JwtVerifier`].
pub trait ContextBuilder<C>: Clone + Send + Sync + 'static {
    /// Builds the context for one request.
    ///
    /// # Errors
    ///
    /// The refusal to send instead of processing the request.
    fn build(&self, parts: &Parts) -> impl Future<Output = Result<C, HttpError>> + Send;
}

impl<C, F> ContextBuilder<C> for F
where
    F: Fn(&Parts) -> Result<C, HttpError> + Clone + Send + Sync + 'static,
    C: Send,
{
    fn build(&self, parts: &Parts) -> impl Future<Output = Result<C, HttpError>> + Send {
        std::future::ready(self(parts))
    }
}

/// A [`ContextBuilder`] from an async function of the request head: see [`async_context`].
#[derive(Debug, Clone, Copy)]
pub struct AsyncContext<F>(F);

/// Makes a [`ContextBuilder`] of `build`, an async function (or closure returning a future)
/// that takes the request head by value.
///
/// By value, because a future that borrowed the head would tie its lifetime to the request's;
/// `Parts` is cheap to clone next to the I/O that makes a builder async in the first place.
///
/// ```
/// use axum::http::request::Parts;
/// use chatkit::http::{HttpError, async_context};
/// use chatkit::store::UserContext;
///
/// async fn user_from_session(parts: Parts) -> Result<UserContext, HttpError> {
///     // A real app looks the cookie up in its session table here.
///     let cookie = parts.headers.get("cookie").and_then(|value| value.to_str().ok());
///     let session = cookie.ok_or_else(|| HttpError::unauthorized("no session"))?;
///     Ok(UserContext::new(session))
/// }
///
/// let builder = async_context(user_from_session);
/// # let _ = builder;
/// ```
pub fn async_context<F, Fut, C>(build: F) -> AsyncContext<F>
where
    F: Fn(Parts) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<C, HttpError>> + Send,
{
    AsyncContext(build)
}

impl<C, F, Fut> ContextBuilder<C> for AsyncContext<F>
where
    F: Fn(Parts) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<C, HttpError>> + Send,
{
    fn build(&self, parts: &Parts) -> impl Future<Output = Result<C, HttpError>> + Send {
        (self.0)(parts.clone())
    }
}

/// Who is calling, and may they call now: the context builder, then the per-user rate limit.
///
/// Every route that acts for a user goes through one, so the ChatKit endpoint and the upload
/// routes refuse the same callers the same way.
#[derive(Debug, Clone)]
pub(crate) struct Gate<B> {
    context: B,
    rate_limit: Option<RateLimit>,
}

impl<B> Gate<B> {
    /// The caller's context, or the refusal: the builder's own (401, …) or a 429.
    pub(crate) async fn admit<C>(&self, parts: &Parts) -> Result<C, HttpError>
    where
        B: ContextBuilder<C>,
        C: StoreContext,
    {
        let ctx = self.context.build(parts).await?;
        // After the builder, so that only an identified caller is counted, under the identity
        // the store also uses.
        if let Some(limit) = &self.rate_limit {
            limit.check(ctx.user_id())?;
        }
        Ok(ctx)
    }
}

/// Where to mount the endpoint, how large a body it accepts, how often a quiet stream
/// sends a keep-alive comment, where uploaded attachments go, and which other origins'
/// pages may call it (CORS).
#[derive(Debug, Clone)]
pub struct RouterConfig {
    path: String,
    body_limit: usize,
    keep_alive: Option<Duration>,
    requests_per_minute: Option<NonZeroU32>,
    attachments: Option<DiskAttachments>,
    cors: Option<CorsLayer>,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            path: DEFAULT_PATH.to_owned(),
            body_limit: DEFAULT_BODY_LIMIT,
            keep_alive: Some(DEFAULT_KEEP_ALIVE),
            requests_per_minute: None,
            attachments: None,
            cors: None,
        }
    }
}

impl RouterConfig {
    /// The defaults: [`DEFAULT_PATH`], [`DEFAULT_BODY_LIMIT`] and [`DEFAULT_KEEP_ALIVE`].
    pub fn new() -> Self {
        RouterConfig::default()
    }

    /// Mounts the endpoint at `path` instead, such as `/api/chatkit`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Refuses bodies larger than `bytes` with `413 payload_too_large`.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Sends the SSE comment `: keep-alive` after `interval` without a frame (`None`: never),
    /// so that proxies do not cut a stream during a slow step. See `http/sse.rs`.
    pub fn keep_alive(mut self, interval: Option<Duration>) -> Self {
        self.keep_alive = interval;
        self
    }

    /// Allows each user (each distinct [`StoreContext::user_id`]) `requests` a minute, and
    /// answers the next with `429 rate_limited` and `Retry-After`; `0` means no limit, the
    /// default. See [`RateLimit`].
    pub fn rate_limit_per_minute(mut self, requests: u32) -> Self {
        self.requests_per_minute = NonZeroU32::new(requests);
        self
    }

    /// Serves uploads into `files` beside the endpoint: `PUT` and `POST` on
    /// `<path>/attachments/{id}/upload`, the direct `POST <path>/attachments`, and
    /// `GET <path>/attachments/{id}/content`, with `files`' own body limit (see
    /// `http/uploads.rs`). Give the processor the same `files`, so that `attachments.create`
    /// makes the records these routes accept.
    pub fn attachments(mut self, files: DiskAttachments) -> Self {
        self.attachments = Some(files);
        self
    }

    /// Lets pages served from `origins` (such as `http://localhost:5173`, scheme, host and
    /// port, no path) call the endpoint and the upload routes from a browser: their preflight
    /// `OPTIONS` is answered, and their `POST`, `PUT` and `GET` may carry `Authorization` and
    /// `Content-Type`, and read `Retry-After` on a 429. Any other origin gets no CORS headers,
    /// so the browser keeps its answers from the page. Not needed for a page this server
    /// serves itself. See [`RouterConfig::cors`] for any other policy.
    pub fn allow_origins(self, origins: impl IntoIterator<Item = HeaderValue>) -> Self {
        let layer = CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::POST, Method::PUT, Method::GET])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([header::RETRY_AFTER])
            // Browsers cache the preflight this long (they cap it themselves: Chromium at 2 h).
            .max_age(Duration::from_secs(600));
        self.cors(layer)
    }

    /// Answers cross-origin requests to the endpoint and the upload routes as `layer` says
    /// (`tower_http::cors::CorsLayer`). Off by default. The preflight is answered before the
    /// context builder runs: it carries no token, and the browser sends the real request,
    /// which is checked as usual, only if the preflight allows it.
    pub fn cors(mut self, layer: CorsLayer) -> Self {
        self.cors = Some(layer);
        self
    }

    /// The gate every route of this router goes through.
    fn gate<B>(&self, context: B) -> Gate<B> {
        Gate {
            context,
            rate_limit: self.requests_per_minute.map(RateLimit::per_minute),
        }
    }

    /// The router: `POST <path>` runs `processor` with the context `context` builds.
    ///
    /// # Panics
    ///
    /// If the path does not start with `/` (axum refuses such a route).
    pub fn build<C, B>(self, processor: Processor<C>, context: B) -> Router
    where
        C: StoreContext + Clone + 'static,
        B: ContextBuilder<C>,
    {
        let gate = self.gate(context);
        // Built before the endpoint takes the processor; one gate, so uploads count against
        // the same per-user rate limit as ChatKit requests.
        let uploads = match self.attachments {
            Some(files) => uploads::routes(
                &self.path,
                uploads::Uploads {
                    processor: processor.clone(),
                    gate: gate.clone(),
                    files,
                },
            ),
            None => Router::new(),
        };
        let endpoint = sse::Endpoint {
            processor,
            gate,
            body_limit: self.body_limit,
            keep_alive: self.keep_alive,
        };
        let router = Router::new()
            .route(&self.path, post(sse::endpoint::<C, B>))
            .with_state(endpoint)
            // Read by the `Bytes` extractor; the endpoint turns its rejection into a JSON 413.
            .layer(DefaultBodyLimit::max(self.body_limit))
            // After the endpoint's limit, so the upload routes keep their own, larger one.
            .merge(uploads);
        // Around every route, so a preflight `OPTIONS` (which no route accepts) is answered
        // here, and every answer, a 401 or a 429 included, carries the headers the browser
        // needs to show it to the page.
        let router = match self.cors {
            Some(cors) => router.layer(cors),
            None => router,
        };
        // One span per request, with method, path and status, at `DEBUG` (`RUST_LOG`).
        router.layer(TraceLayer::new_for_http())
    }
}

// ANCHOR: user_from_header
/// The request context of the lessons until lesson 06 adds authentication: the user named by
/// the `x-user-id` header, or `student` without one. Anyone can claim any id this way, so it
/// belongs on your own machine only.
pub fn user_from_header(parts: &Parts) -> Result<UserContext, HttpError> {
    let user = parts
        .headers
        .get("x-user-id")
        .and_then(|value| value.to_str().ok());
    Ok(UserContext::new(user.unwrap_or("student")))
}
// ANCHOR_END: user_from_header

/// The router with the defaults: `POST /chatkit`, bodies up to 1 MiB.
pub fn router<C>(processor: Processor<C>, context: impl ContextBuilder<C>) -> Router
where
    C: StoreContext + Clone + 'static,
{
    RouterConfig::default().build(processor, context)
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish.
///
/// Every accepted socket gets `TCP_NODELAY`. Without it, each small SSE frame waits for the
/// client's delayed ACK (Nagle's algorithm): on loopback about 44 ms per frame, which turns a
/// streamed answer into a visible stutter. Binding is the caller's job, so a test can bind
/// port 0 and read the address before serving.
///
/// Graceful shutdown stops accepting at once but waits for every open connection, including a
/// stream that is still running; a streaming answer is allowed to end.
///
/// # Errors
///
/// The listener's I/O error, if accepting fails for good.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|socket| {
        // A socket without NODELAY still works, just more slowly, so this is not fatal.
        if let Err(error) = socket.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY on an accepted socket");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C: the `shutdown` argument of [`serve`] for a binary.
///
/// If the signal handler cannot be installed, this logs why and never completes, so the
/// server keeps running rather than stopping at once.
pub async fn shutdown_signal() {
    match tokio::signal::ctrl_c().await {
        Ok(()) => tracing::info!("Ctrl-C received, shutting down"),
        Err(error) => {
            tracing::error!(%error, "cannot listen for Ctrl-C; the server will not stop on it");
            std::future::pending::<()>().await;
        }
    }
}
