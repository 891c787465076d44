//! Authentication, roles and rate limits through the real router: every one of the 16 request
//! types without a token, with a bad token, as a viewer and as the same user in another
//! tenant, each answered with the right status and JSON error and leaving the store as it was;
//! and a burst over the per-user limit.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chatkit::auth::{Claims, DEVELOPMENT_SECRET, JwtVerifier, Principal, mint_hs256};
use chatkit::clock::FixedClock;
use chatkit::http::RouterConfig;
use chatkit::id_gen::SequentialIds;
use chatkit::prelude::*;
use chatkit::protocol::Timestamp;
use chatkit::server::Processor;
use chatkit::store::{MemoryStore, PageRequest};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The instant every token is issued at and checked at.
fn now() -> Timestamp {
    Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date")
}

/// Answers every message with one line: enough to tell a turn ran.
struct Echo;

impl ChatKitServer<Principal> for Echo {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        caller: Principal,
        out: Responder<Principal>,
    ) -> EventStream {
        let words = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            yield out.assistant_message(format!("{} said: {words}", caller.user()));
        }
        .boxed()
    }
}

/// A token for `user` in `tenant` with `roles`, signed with `secret`, valid for an hour.
fn token_signed_with(secret: &str, user: &str, tenant: &str, roles: &[&str]) -> String {
    let roles = roles.iter().map(|role| (*role).to_owned()).collect();
    let issued_at = now().as_datetime().timestamp();
    let claims = Claims::for_user(
        user,
        Some(tenant.to_owned()),
        roles,
        issued_at,
        Duration::from_secs(3600),
    );
    mint_hs256(secret.as_bytes(), &claims).expect("a token")
}

fn token(user: &str, tenant: &str, roles: &[&str]) -> String {
    token_signed_with(DEVELOPMENT_SECRET, user, tenant, roles)
}

fn app_with(config: RouterConfig) -> (Router, MemoryStore) {
    let store = MemoryStore::new();
    let processor = Processor::builder(Echo, store.clone())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(now()))
        .build();
    let verifier = JwtVerifier::hs256(DEVELOPMENT_SECRET.as_bytes())
        .expect("a long enough secret")
        .clock(Arc::new(FixedClock::at(now())));
    (config.build(processor, verifier), store)
}

/// A POST of `body`, with `Authorization: Bearer <token>` when there is one.
fn post(token: Option<&str>, body: &Value) -> Request<Body> {
    let mut request = Request::post("/chatkit");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request
        .body(Body::from(body.to_string()))
        .expect("a valid request")
}

/// Status, `WWW-Authenticate`, `Retry-After` and the body as text.
async fn call(router: &Router, request: Request<Body>) -> (StatusCode, String, String, String) {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let header_text = |name| {
        response
            .headers()
            .get(name)
            .map(|value: &header::HeaderValue| value.to_str().expect("ASCII").to_owned())
            .unwrap_or_default()
    };
    let challenge = header_text(header::WWW_AUTHENTICATE);
    let retry_after = header_text(header::RETRY_AFTER);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a readable body");
    let body = String::from_utf8(body.to_vec()).expect("UTF-8");
    (status, challenge, retry_after, body)
}

/// Alice's thread in tenant `acme`, with a message, a widget and a pending client tool call
/// at its end, so that every request type has something real to aim at.
async fn seed(router: &Router) -> String {
    let alice = token("alice", "acme", &[]);
    let create = json!({"type":"threads.create","params":{"input":{
        "content":[{"type":"input_text","text":"Hi"}],"attachments":[],"inference_options":{}}}});
    let (status, _, _, body) = call(router, post(Some(&alice), &create)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.lines()
        .find_map(|line| line.strip_prefix("data: "))
        .and_then(|data| serde_json::from_str::<Value>(data).ok())
        .and_then(|event| event["thread"]["id"].as_str().map(str::to_owned))
        .expect("thread.created first")
}

/// Every thread and item each owner key holds, one JSON line each.
async fn dump(store: &MemoryStore) -> String {
    let mut lines = Vec::new();
    for (user, tenant) in [("alice", "acme"), ("alice", "globex")] {
        let owner = Principal::new(user, tenant, Vec::new());
        let all = PageRequest::first(1000, Order::Asc);
        let threads = store.load_threads(&all, &owner).await.expect("threads");
        for thread in threads.data {
            lines.push(format!("{tenant}/{user} {}", json!(thread)));
            let items = store.load_thread_items(&thread.id, &all, &owner).await;
            for item in items.expect("items").data {
                lines.push(format!("  {}", json!(item)));
            }
        }
    }
    lines.join("\n")
}

/// One request of each type, all aimed at `thread` (and its items) where they name one.
fn one_of_each(thread: &str) -> Vec<(&'static str, Value)> {
    let input = json!({"content":[{"type":"input_text","text":"More"}],"attachments":[],
                       "inference_options":{}});
    let action = json!({"type":"pick","payload":{"id":1}});
    vec![
        (
            "threads.create",
            json!({"type":"threads.create","params":{"input":input}}),
        ),
        (
            "threads.add_user_message",
            json!({"type":"threads.add_user_message",
            "params":{"thread_id":thread,"input":input}}),
        ),
        (
            "threads.add_client_tool_output",
            json!({"type":"threads.add_client_tool_output",
            "params":{"thread_id":thread,"result":{"ok":true}}}),
        ),
        (
            "threads.add_structured_input",
            json!({"type":"threads.add_structured_input",
            "params":{"thread_id":thread,"item_id":"msg_1","input":{"status":"skipped","answers":{}}}}),
        ),
        (
            "threads.retry_after_item",
            json!({"type":"threads.retry_after_item",
            "params":{"thread_id":thread,"item_id":"msg_1"}}),
        ),
        (
            "threads.custom_action",
            json!({"type":"threads.custom_action",
            "params":{"thread_id":thread,"item_id":"msg_1","action":action}}),
        ),
        (
            "threads.get_by_id",
            json!({"type":"threads.get_by_id","params":{"thread_id":thread}}),
        ),
        ("threads.list", json!({"type":"threads.list","params":{}})),
        (
            "items.list",
            json!({"type":"items.list","params":{"thread_id":thread}}),
        ),
        (
            "items.feedback",
            json!({"type":"items.feedback",
            "params":{"thread_id":thread,"item_ids":["msg_1"],"kind":"positive"}}),
        ),
        (
            "attachments.create",
            json!({"type":"attachments.create",
            "params":{"name":"a.txt","size":3,"mime_type":"text/plain"}}),
        ),
        (
            "attachments.delete",
            json!({"type":"attachments.delete",
            "params":{"attachment_id":"atc_1"}}),
        ),
        (
            "threads.update",
            json!({"type":"threads.update",
            "params":{"thread_id":thread,"title":"Mine now"}}),
        ),
        (
            "threads.delete",
            json!({"type":"threads.delete","params":{"thread_id":thread}}),
        ),
        (
            "input.transcribe",
            json!({"type":"input.transcribe",
            "params":{"audio_base64":"AAAA","mime_type":"audio/webm"}}),
        ),
        (
            "threads.sync_custom_action",
            json!({"type":"threads.sync_custom_action",
            "params":{"thread_id":thread,"item_id":"msg_1","action":action}}),
        ),
    ]
}

/// The error code of a JSON error body.
fn code(body: &str) -> String {
    let error: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON: {body}"));
    error["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an error code: {body}"))
        .to_owned()
}

#[tokio::test]
async fn without_a_token_every_request_type_is_a_401_bearer_challenge_and_changes_nothing() {
    let (router, store) = app_with(RouterConfig::new());
    let thread = seed(&router).await;
    let before = dump(&store).await;
    for (name, body) in one_of_each(&thread) {
        let (status, challenge, _, answer) = call(&router, post(None, &body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {answer}");
        assert_eq!(code(&answer), "unauthorized", "{name}");
        assert_eq!(challenge, r#"Bearer realm="chatkit""#, "{name}");
        assert_eq!(dump(&store).await, before, "{name} changed the store");
    }
}

#[tokio::test]
async fn with_a_badly_signed_token_every_request_type_is_a_401_invalid_token() {
    let (router, store) = app_with(RouterConfig::new());
    let thread = seed(&router).await;
    let before = dump(&store).await;
    let forged = token_signed_with(
        "a secret that is not the server's, 32+ bytes",
        "alice",
        "acme",
        &[],
    );
    for (name, body) in one_of_each(&thread) {
        let (status, challenge, _, answer) = call(&router, post(Some(&forged), &body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {answer}");
        assert_eq!(code(&answer), "unauthorized", "{name}");
        assert!(
            challenge.starts_with(r#"Bearer realm="chatkit", error="invalid_token""#),
            "{name}: {challenge}"
        );
        assert_eq!(dump(&store).await, before, "{name} changed the store");
    }
}

#[tokio::test]
async fn a_viewer_may_read_their_thread_and_gets_a_403_for_every_other_request_type() {
    let (router, store) = app_with(RouterConfig::new());
    let thread = seed(&router).await;
    let before = dump(&store).await;
    // Alice herself, with a read-only token: the same threads, fewer rights.
    let viewer = token("alice", "acme", &["viewer"]);
    for (name, body) in one_of_each(&thread) {
        let (status, _, _, answer) = call(&router, post(Some(&viewer), &body)).await;
        if ["threads.get_by_id", "threads.list", "items.list"].contains(&name) {
            assert_eq!(status, StatusCode::OK, "{name}: {answer}");
            assert!(
                answer.contains(&thread),
                "{name} shows alice's thread: {answer}"
            );
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {answer}");
            assert_eq!(code(&answer), "forbidden", "{name}");
        }
        assert_eq!(dump(&store).await, before, "{name} changed the store");
    }
}

#[tokio::test]
async fn the_same_user_in_another_tenant_finds_none_of_the_threads_of_the_first() {
    let (router, store) = app_with(RouterConfig::new());
    let thread = seed(&router).await;
    let before = dump(&store).await;
    let elsewhere = token("alice", "globex", &[]);
    for (name, body) in one_of_each(&thread) {
        let (status, _, _, answer) = call(&router, post(Some(&elsewhere), &body)).await;
        match name {
            // Requests that name no thread act in the caller's own tenant.
            "threads.create" => assert_eq!(status, StatusCode::OK, "{answer}"),
            "threads.list" => {
                assert_eq!(status, StatusCode::OK, "{answer}");
                assert!(
                    !answer.contains(&thread),
                    "a foreign thread listed: {answer}"
                );
            }
            // No attachment store and no transcription in this app: said as such, not hidden.
            "attachments.create" => assert_eq!(code(&answer), "uploads_not_configured"),
            "input.transcribe" => assert_eq!(code(&answer), "not_implemented"),
            // Everything that names the thread (or an attachment) finds nothing: 404, the
            // answer an unknown id gets, so the ids of other tenants do not leak.
            _ => {
                assert_eq!(status, StatusCode::NOT_FOUND, "{name}: {answer}");
                assert_eq!(code(&answer), "not_found", "{name}");
            }
        }
        // Alice's data in acme is untouched whatever happened in globex.
        let acme_now: Vec<_> = dump(&store)
            .await
            .lines()
            .take_while(|line| !line.starts_with("globex/"))
            .map(str::to_owned)
            .collect();
        let acme_before: Vec<_> = before.lines().map(str::to_owned).collect();
        assert_eq!(acme_now, acme_before, "{name} changed alice's acme data");
    }
}

#[tokio::test]
async fn a_spoofed_user_header_or_metadata_is_ignored() {
    let (router, store) = app_with(RouterConfig::new());
    let alice = token("alice", "acme", &[]);
    let create = json!({"type":"threads.create","metadata":{"user_id":"bob"},"params":{"input":{
        "content":[{"type":"input_text","text":"Hi"}],"attachments":[],"inference_options":{}}}});
    let mut request = post(Some(&alice), &create);
    request
        .headers_mut()
        .insert("x-user-id", header::HeaderValue::from_static("bob"));
    let (status, _, _, body) = call(&router, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("alice said: Hi"), "{body}");
    let dumped = dump(&store).await;
    assert!(
        dumped.starts_with("acme/alice "),
        "the thread is alice's: {dumped}"
    );
}

#[tokio::test]
async fn a_burst_over_the_limit_gets_429_with_retry_after_and_another_user_is_not_limited() {
    let (router, _store) = app_with(RouterConfig::new().rate_limit_per_minute(3));
    let list = json!({"type":"threads.list","params":{}});
    let alice = token("alice", "acme", &[]);
    for _ in 0..3 {
        let (status, _, _, body) = call(&router, post(Some(&alice), &list)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, retry_after, body) = call(&router, post(Some(&alice), &list)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(code(&body), "rate_limited");
    let seconds: u64 = retry_after.parse().expect("Retry-After in whole seconds");
    // Three a minute refill one every 20 s.
    assert!((1..=20).contains(&seconds), "Retry-After: {seconds}");
    // Bob, and alice in another tenant, each have their own quota.
    for other in [token("bob", "acme", &[]), token("alice", "globex", &[])] {
        let (status, _, _, body) = call(&router, post(Some(&other), &list)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A caller without a valid token is refused as such, not counted against anyone.
    let (status, _, _, _) = call(&router, post(None, &list)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_token_is_a_401_even_for_a_read() {
    let (router, _store) = app_with(RouterConfig::new());
    let issued_at = now().as_datetime().timestamp() - 7200;
    let claims = Claims::for_user(
        "alice",
        None,
        Vec::new(),
        issued_at,
        Duration::from_secs(3600),
    );
    let expired = mint_hs256(DEVELOPMENT_SECRET.as_bytes(), &claims).expect("a token");
    let list = json!({"type":"threads.list","params":{}});
    let (status, challenge, _, body) = call(&router, post(Some(&expired), &list)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
}

/// A session table an async context builder looks callers up in, as a real app would look up
/// a cookie in its database.
type Sessions = Arc<tokio::sync::RwLock<std::collections::HashMap<String, String>>>;

#[tokio::test]
async fn an_async_context_builder_can_look_the_caller_up_before_the_request_runs() {
    let sessions: Sessions = Arc::default();
    sessions
        .write()
        .await
        .insert("s3cr3t".to_owned(), "alice".to_owned());
    let table = Arc::clone(&sessions);
    let builder = chatkit::http::async_context(move |parts: axum::http::request::Parts| {
        let table = Arc::clone(&table);
        async move {
            let cookie = parts
                .headers
                .get(header::COOKIE)
                .and_then(|value| value.to_str().ok())
                .and_then(|cookie| cookie.strip_prefix("session="))
                .map(str::to_owned);
            // The lookup awaits: the point of an async builder.
            tokio::task::yield_now().await;
            let user = match cookie {
                Some(session) => table.read().await.get(&session).cloned(),
                None => None,
            };
            let user = user.ok_or_else(|| chatkit::http::HttpError::unauthorized("no session"))?;
            Ok(Principal::new(user, "personal", Vec::new()))
        }
    });
    let store = MemoryStore::new();
    let processor = Processor::builder(Echo, store.clone())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(now()))
        .build();
    let router = chatkit::http::router(processor, builder);
    let create = json!({"type":"threads.create","params":{"input":{
        "content":[{"type":"input_text","text":"Hi"}],"attachments":[],"inference_options":{}}}});
    let request = |cookie: &str| {
        Request::post("/chatkit")
            .header(header::COOKIE, cookie)
            .body(Body::from(create.to_string()))
            .expect("a valid request")
    };
    let (status, _, _, body) = call(&router, request("session=s3cr3t")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("alice said: Hi"), "{body}");
    let (status, _, _, body) = call(&router, request("session=stolen")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(code(&body), "unauthorized");
}
