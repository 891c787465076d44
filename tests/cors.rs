//! CORS on the router (`RouterConfig::allow_origins` and `RouterConfig::cors`): a page from an
//! allowed origin gets its preflight answered and may read the answers; any other origin gets
//! no CORS headers, so the browser keeps the answers from it; and without configuration the
//! router says nothing about CORS at all, as before.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::json;
use tower::ServiceExt;
use tower_http::cors::CorsLayer;

use chatkit::attachments::DiskAttachments;
use chatkit::http::{self, RouterConfig};
use chatkit::protocol::{ThreadMetadata, UserMessageItem};
use chatkit::server::{ChatKitServer, EventStream, Processor, Responder};
use chatkit::store::{MemoryStore, UserContext};

/// The page's origin in these tests: a development server on another port.
const PAGE: &str = "http://localhost:5173";

/// A server that answers every message with one assistant message.
struct Hello;

impl ChatKitServer<UserContext> for Hello {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        Box::pin(futures::stream::iter([Ok(out.assistant_message("Hello"))]))
    }
}

fn app(config: RouterConfig) -> Router {
    let processor = Processor::builder(Hello, MemoryStore::new()).build();
    config.build(processor, http::user_from_header)
}

/// The browser's preflight for a `POST` carrying a token and a JSON body, from `origin`.
fn preflight(path: &str, origin: &str, method: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        )
        .body(Body::empty())
        .expect("a request")
}

/// The `POST` itself: `threads.list`, from `origin`.
fn list_threads(origin: &str) -> Request<Body> {
    let body = json!({"type": "threads.list", "params": {}}).to_string();
    Request::builder()
        .method(Method::POST)
        .uri("/chatkit")
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-user-id", "alice")
        .body(Body::from(body))
        .expect("a request")
}

async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.expect("infallible")
}

fn header_text(response: &Response<Body>, name: header::HeaderName) -> Option<&str> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

fn allowed() -> RouterConfig {
    RouterConfig::new().allow_origins([HeaderValue::from_static(PAGE)])
}

#[tokio::test]
async fn an_allowed_origins_preflight_is_answered_with_that_origin() {
    let app = app(allowed());
    let response = send(&app, preflight("/chatkit", PAGE, "POST")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(PAGE)
    );
    let methods = header_text(&response, header::ACCESS_CONTROL_ALLOW_METHODS).unwrap_or("");
    assert!(methods.contains("POST"), "allowed methods: {methods}");
    let headers = header_text(&response, header::ACCESS_CONTROL_ALLOW_HEADERS)
        .unwrap_or("")
        .to_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "allowed headers: {headers}"
    );
}

#[tokio::test]
async fn the_allowed_origin_may_read_the_answer_itself() {
    let app = app(allowed());
    let response = send(&app, list_threads(PAGE)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(PAGE)
    );
}

#[tokio::test]
async fn another_origin_is_not_allowed() {
    let app = app(allowed());
    let evil = "http://evil.example";
    let response = send(&app, preflight("/chatkit", evil, "POST")).await;
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        None,
        "no allow-origin: the browser refuses to send the POST"
    );
    let response = send(&app, list_threads(evil)).await;
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        None
    );
}

#[tokio::test]
async fn cors_is_off_by_default() {
    let app = app(RouterConfig::new());
    let response = send(&app, preflight("/chatkit", PAGE, "POST")).await;
    // No route takes `OPTIONS`: the router's own answer, without any CORS header.
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        None
    );
    let response = send(&app, list_threads(PAGE)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        None
    );
}

#[tokio::test]
async fn the_upload_routes_answer_the_preflight_too() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let public = url::Url::parse("http://127.0.0.1:8000/chatkit").expect("a URL");
    let files = DiskAttachments::open(dir.path(), public).expect("a file store");
    let app = app(allowed().attachments(files));
    let response = send(
        &app,
        preflight("/chatkit/attachments/atc_1/upload", PAGE, "PUT"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(PAGE)
    );
}

#[tokio::test]
async fn any_cors_layer_can_be_given() {
    let app = app(RouterConfig::new().cors(CorsLayer::permissive()));
    let response = send(
        &app,
        preflight("/chatkit", "http://anywhere.example", "POST"),
    )
    .await;
    assert_eq!(
        header_text(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );
}
