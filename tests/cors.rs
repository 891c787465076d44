//! CORS on the router (`RouterConfig::allow_origins` and `RouterConfig::cors`): a page from an
//! allowed origin gets its preflight answered and may read the answers; any other origin gets
//! no CORS headers, so the browser keeps the answers from it; and without configuration the
//! router says nothing about CORS at all, as before. Lesson 07's `--allow-origin` (the React
//! page on another origin) allows the page's `x-page-context` header too.

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

/// Lesson 07 serving with `--allow-origin PAGE` on a free port, in `dir`: the child and its
/// endpoint's URL (the banner's first line names it).
fn lesson07_allowing(dir: &std::path::Path) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lesson07"))
        .args(["--port", "0", "--allow-origin", PAGE])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("lesson07 starts");
    let stdout = child.stdout.take().expect("its stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("the banner");
    let url = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in the banner: {first}"))
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn lesson07_allow_origin_lets_the_react_page_send_its_page_context_header() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut child, url) = lesson07_allowing(dir.path());
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        http.request(reqwest::Method::OPTIONS, &url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type,x-page-context",
            )
            .send()
    };
    let allowed = preflight(PAGE).await.expect("an answer");
    let other = preflight("http://elsewhere.example")
        .await
        .expect("an answer");
    child.kill().expect("lesson07 stops");
    let _ = child.wait();
    assert_eq!(allowed.status(), reqwest::StatusCode::OK);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    assert_eq!(
        header(&allowed, "access-control-allow-origin").as_deref(),
        Some(PAGE)
    );
    let headers = header(&allowed, "access-control-allow-headers").unwrap_or_default();
    for name in ["authorization", "content-type", "x-page-context"] {
        assert!(headers.contains(name), "{name} not in {headers:?}");
    }
    assert_eq!(header(&other, "access-control-allow-origin"), None);
}
