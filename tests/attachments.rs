//! Attachments on disk, through the real router (`tower::ServiceExt::oneshot`, no socket):
//! `attachments.create` and `attachments.delete` on `POST /chatkit`, and the upload routes of
//! `http/uploads.rs`, over a `MemoryStore` and a `SqliteStore`.
//!
//! Every route is owner-checked: alice's attachment is a 404 for bob, exactly like an unknown
//! id. The bytes are checked (size, type, an image's magic number) before they are written,
//! and nothing can be written outside the root.

use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, Response, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use url::Url;

use chatkit::attachments::DiskAttachments;
use chatkit::http::{HttpError, RouterConfig};
use chatkit::prelude::{
    Arc, ChatKitServer, EventStream, Responder, ThreadMetadata, UserMessageItem,
};
use chatkit::protocol::{Attachment, AttachmentId};
use chatkit::server::Processor;
use chatkit::store::{MemoryStore, SqliteStore, Store, StoreError, UserContext};

// ---- The fixture -------------------------------------------------------------------------------

/// A server that never answers a message: these tests only create, upload and delete.
struct Silent;

impl ChatKitServer<UserContext> for Silent {
    fn respond(
        self: Arc<Self>,
        _: ThreadMetadata,
        _: Option<UserMessageItem>,
        _: UserContext,
        _: Responder<UserContext>,
    ) -> EventStream {
        Box::pin(futures::stream::empty())
    }
}

/// The user named by `x-user-id`; no header is a 401, as a real app's check would be.
fn user_from_header(parts: &Parts) -> Result<UserContext, HttpError> {
    let user = parts
        .headers
        .get("x-user-id")
        .and_then(|value| value.to_str().ok());
    let user = user.ok_or_else(|| HttpError::unauthorized("missing x-user-id header"))?;
    Ok(UserContext::new(user))
}

/// Where clients reach the endpoint; upload URLs live under it.
const PUBLIC_URL: &str = "http://127.0.0.1:8000/chatkit";

/// The largest attachment of these tests, small so that "too large" is cheap to send.
const LIMIT: u64 = 1024;

/// PNG bytes as far as the magic number goes, which is all the upload checks.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n1234";

/// A router with uploads into a fresh temp dir, its store and its files.
struct Fixture {
    router: Router,
    store: Arc<dyn Store<UserContext>>,
    files: DiskAttachments,
    /// The temp dir holding `root`; anything else in it escaped the root.
    dir: tempfile::TempDir,
}

async fn fixture(store: impl Store<UserContext> + 'static) -> Fixture {
    fixture_with_limit(store, LIMIT).await
}

async fn fixture_with_limit(store: impl Store<UserContext> + 'static, limit: u64) -> Fixture {
    let dir = tempfile::tempdir().expect("a temp dir");
    let public_url = Url::parse(PUBLIC_URL).expect("a valid URL");
    let files = DiskAttachments::open(dir.path().join("root"), public_url)
        .expect("the root is created")
        .max_bytes(limit);
    let processor = Processor::builder(Silent, store)
        .attachments(files.clone())
        .build();
    let store = Arc::clone(processor.store());
    let router = RouterConfig::new()
        .attachments(files.clone())
        .build(processor, user_from_header);
    Fixture {
        router,
        store,
        files,
        dir,
    }
}

/// One fixture per store: every owner check must hold for both.
async fn fixtures() -> Vec<Fixture> {
    let sqlite = SqliteStore::open_in_memory().await.expect("SQLite opens");
    vec![fixture(MemoryStore::new()).await, fixture(sqlite).await]
}

// ---- Requests ----------------------------------------------------------------------------------

async fn send(fx: &Fixture, request: Request<Body>) -> Response<Body> {
    fx.router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible")
}

/// Status and body as JSON (`Null` for an empty or non-JSON body).
async fn json_of(response: Response<Body>) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body is readable");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A ChatKit request on `POST /chatkit` as `user`.
async fn chatkit(fx: &Fixture, user: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/chatkit")
        .header("x-user-id", user)
        .body(Body::from(body.to_string()))
        .expect("a valid request");
    json_of(send(fx, request).await).await
}

/// `attachments.create` as `user`; the answer must be a 200.
async fn create(fx: &Fixture, user: &str, name: &str, size: usize, mime_type: &str) -> Value {
    let params = json!({"name": name, "size": size, "mime_type": mime_type});
    let body = json!({"type": "attachments.create", "params": params});
    let (status, attachment) = chatkit(fx, user, body).await;
    assert_eq!(status, StatusCode::OK, "{attachment}");
    attachment
}

/// The path of a URL the server gave out, for a request to the router.
fn path_of(url: &Value) -> String {
    let url = url.as_str().expect("a URL");
    url.strip_prefix("http://127.0.0.1:8000")
        .expect("under the public URL")
        .to_owned()
}

/// `PUT` of raw bytes as `user`.
async fn put(fx: &Fixture, user: &str, path: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let request = Request::put(path)
        .header("x-user-id", user)
        .body(Body::from(bytes.to_vec()))
        .expect("a valid request");
    json_of(send(fx, request).await).await
}

/// `POST` of a multipart form with one `file` field as `user`.
async fn post_form(
    fx: &Fixture,
    user: &str,
    path: &str,
    (file_name, mime_type, bytes): (&str, &str, &[u8]),
) -> (StatusCode, Value) {
    let mut body = format!(
        "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {mime_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--BOUNDARY--\r\n");
    let request = Request::post(path)
        .header("x-user-id", user)
        .header(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=BOUNDARY",
        )
        .body(Body::from(body))
        .expect("a valid request");
    json_of(send(fx, request).await).await
}

/// `GET` as `user`.
async fn get(fx: &Fixture, user: &str, path: &str) -> Response<Body> {
    let request = Request::get(path)
        .header("x-user-id", user)
        .body(Body::empty())
        .expect("a valid request");
    send(fx, request).await
}

fn content_path(id: &str) -> String {
    format!("/chatkit/attachments/{id}/content")
}

fn upload_path(id: &str) -> String {
    format!("/chatkit/attachments/{id}/upload")
}

fn id_of(attachment: &Value) -> String {
    attachment["id"].as_str().expect("an id").to_owned()
}

/// Where an attachment of a plain-named owner is on disk.
fn file_of(fx: &Fixture, owner: &str, id: &str) -> std::path::PathBuf {
    fx.files.root().join(owner).join(id)
}

async fn record(fx: &Fixture, user: &str, id: &str) -> Result<Attachment, StoreError> {
    fx.store
        .load_attachment(&AttachmentId::new(id), &UserContext::new(user))
        .await
}

fn assert_not_found((status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found", "{body}");
}

fn assert_refused((status, body): (StatusCode, Value), expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
}

// ---- Uploads -----------------------------------------------------------------------------------

#[tokio::test]
async fn a_two_phase_put_uploads_for_the_owner_and_is_404_for_anyone_else() {
    for fx in fixtures().await {
        let created = create(&fx, "alice", "cat.png", PNG.len(), "image/png").await;
        let id = id_of(&created);
        let upload_url = format!("{PUBLIC_URL}/attachments/{id}/upload");
        let preview_url = format!("{PUBLIC_URL}/attachments/{id}/content");
        assert_eq!(
            created,
            json!({"id": id, "name": "cat.png", "mime_type": "image/png",
                   "upload_descriptor": {"url": upload_url, "method": "PUT", "headers": {}},
                   "type": "image", "preview_url": preview_url})
        );
        let upload = path_of(&created["upload_descriptor"]["url"]);

        assert_not_found(put(&fx, "bob", &upload, PNG).await);
        assert!(!file_of(&fx, "alice", &id).exists());

        let (status, uploaded) = put(&fx, "alice", &upload, PNG).await;
        assert_eq!(status, StatusCode::OK, "{uploaded}");
        assert_eq!(
            uploaded,
            json!({"id": id, "name": "cat.png", "mime_type": "image/png",
                   "type": "image", "preview_url": preview_url})
        );
        assert_eq!(
            std::fs::read(file_of(&fx, "alice", &id)).expect("written"),
            PNG
        );
        let stored = record(&fx, "alice", &id).await.expect("kept");
        assert_eq!(stored.upload_descriptor, None);
        let metadata = Value::Object(stored.metadata.expect("metadata kept"));
        assert_eq!(
            metadata,
            json!({"size": PNG.len(), "uploaded": true, "path": format!("alice/{id}")})
        );
    }
}

#[tokio::test]
async fn a_two_phase_post_uploads_the_multipart_file_field() {
    for fx in fixtures().await {
        let created = create(&fx, "alice", "notes.txt", 5, "text/plain").await;
        let id = id_of(&created);
        let file = ("notes.txt", "text/plain", b"hello".as_slice());

        assert_not_found(post_form(&fx, "bob", &upload_path(&id), file).await);

        let (status, uploaded) = post_form(&fx, "alice", &upload_path(&id), file).await;
        assert_eq!(status, StatusCode::OK, "{uploaded}");
        assert_eq!(
            uploaded,
            json!({"id": id, "name": "notes.txt", "mime_type": "text/plain", "type": "file"})
        );
        assert_eq!(
            std::fs::read(file_of(&fx, "alice", &id)).expect("written"),
            b"hello"
        );
    }
}

#[tokio::test]
async fn a_direct_upload_creates_writes_and_answers_the_attachment_in_one_request() {
    for fx in fixtures().await {
        let file = ("report.pdf", "application/pdf", b"%PDF-1.7 tiny".as_slice());
        let (status, attachment) = post_form(&fx, "alice", "/chatkit/attachments", file).await;
        assert_eq!(status, StatusCode::OK, "{attachment}");
        let id = id_of(&attachment);
        assert_eq!(
            attachment,
            json!({"id": id, "name": "report.pdf", "mime_type": "application/pdf", "type": "file"})
        );
        assert_eq!(
            std::fs::read(file_of(&fx, "alice", &id)).expect("written"),
            file.2
        );
        assert!(
            record(&fx, "bob", &id).await.is_err(),
            "the record is alice's alone"
        );

        // The same checks as `attachments.create`.
        let refused = ("page.html", "text/html", b"<html>".as_slice());
        let refusal = post_form(&fx, "alice", "/chatkit/attachments", refused).await;
        assert_refused(refusal, StatusCode::BAD_REQUEST, "invalid_attachment");
    }
}

#[tokio::test]
async fn content_round_trips_for_the_owner_with_its_type_and_safe_headers() {
    for fx in fixtures().await {
        let image = id_of(&create(&fx, "alice", "cat.png", PNG.len(), "image/png").await);
        let text = id_of(&create(&fx, "alice", "a\"b.txt", 5, "text/plain").await);

        // Nothing to show before the upload.
        assert_not_found(json_of(get(&fx, "alice", &content_path(&image)).await).await);

        assert_eq!(
            put(&fx, "alice", &upload_path(&image), PNG).await.0,
            StatusCode::OK
        );
        assert_eq!(
            put(&fx, "alice", &upload_path(&text), b"hello").await.0,
            StatusCode::OK
        );

        let response = get(&fx, "alice", &content_path(&image)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "private");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "inline; filename=\"cat.png\""
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("read");
        assert_eq!(&body[..], PNG);

        let response = get(&fx, "alice", &content_path(&text)).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain");
        // A non-image is a download, and a quote in its name cannot end the header value.
        assert_eq!(
            response.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"a_b.txt\""
        );

        assert_not_found(json_of(get(&fx, "bob", &content_path(&image)).await).await);
    }
}

#[tokio::test]
async fn a_caller_the_context_builder_refuses_is_401_on_every_upload_route() {
    let fx = fixture(MemoryStore::new()).await;
    let id = id_of(&create(&fx, "alice", "notes.txt", 5, "text/plain").await);
    let anonymous = Request::put(upload_path(&id))
        .body(Body::from("hello"))
        .expect("a valid request");
    assert_refused(
        json_of(send(&fx, anonymous).await).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let anonymous = Request::get(content_path(&id))
        .body(Body::empty())
        .expect("a valid request");
    assert_refused(
        json_of(send(&fx, anonymous).await).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

// ---- Refusals ----------------------------------------------------------------------------------

#[tokio::test]
async fn attachments_create_refuses_a_size_over_the_limit_an_empty_file_and_a_type_not_allowed() {
    let fx = fixture(MemoryStore::new()).await;
    for (name, size, mime_type) in [
        ("big.png", LIMIT + 1, "image/png"),
        ("empty.txt", 0, "text/plain"),
        ("page.html", 10, "text/html"),
        ("tool.exe", 10, "application/octet-stream"),
    ] {
        let params = json!({"name": name, "size": size, "mime_type": mime_type});
        let body = json!({"type": "attachments.create", "params": params});
        assert_refused(
            chatkit(&fx, "alice", body).await,
            StatusCode::BAD_REQUEST,
            "invalid_attachment",
        );
    }
    let owner_dir = fx.files.root().join("alice");
    assert!(!owner_dir.exists(), "nothing was written");
}

#[tokio::test]
async fn an_upload_of_another_size_than_declared_is_400_and_one_over_the_limit_413() {
    let fx = fixture(MemoryStore::new()).await;
    let id = id_of(&create(&fx, "alice", "notes.txt", 5, "text/plain").await);

    assert_refused(
        put(&fx, "alice", &upload_path(&id), b"hell").await,
        StatusCode::BAD_REQUEST,
        "invalid_attachment",
    );
    assert_refused(
        put(&fx, "alice", &upload_path(&id), b"hello!").await,
        StatusCode::BAD_REQUEST,
        "invalid_attachment",
    );
    // Over the attachment limit, though under the route's (which leaves room for a form).
    let over = vec![b'a'; usize::try_from(LIMIT).expect("small") + 1];
    assert_refused(
        put(&fx, "alice", &upload_path(&id), &over).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    // Over the route's limit too: refused while reading.
    let far_over = vec![b'a'; 200 * 1024];
    assert_refused(
        put(&fx, "alice", &upload_path(&id), &far_over).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    let form = ("notes.txt", "text/plain", far_over.as_slice());
    assert_refused(
        post_form(&fx, "alice", &upload_path(&id), form).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    assert!(!file_of(&fx, "alice", &id).exists());
    // The refusals left the attachment uploadable.
    assert_eq!(
        put(&fx, "alice", &upload_path(&id), b"hello").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_upload_may_be_larger_than_the_chatkit_endpoints_body_limit() {
    let limit = 2 * 1024 * 1024;
    let fx = fixture_with_limit(MemoryStore::new(), limit).await;
    let big = vec![b'a'; 3 * 1024 * 1024 / 2];
    let id = id_of(&create(&fx, "alice", "big.txt", big.len(), "text/plain").await);
    assert_eq!(
        put(&fx, "alice", &upload_path(&id), &big).await.0,
        StatusCode::OK
    );
    // The endpoint itself keeps its 1 MiB.
    let padded = json!({"type": "threads.list", "params": {}, "pad": "x".repeat(big.len())});
    let (status, _) = chatkit(&fx, "alice", padded).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_image_whose_bytes_are_not_its_declared_type_is_400() {
    let fx = fixture(MemoryStore::new()).await;
    let gif = b"GIF89a123456";
    let id = id_of(&create(&fx, "alice", "cat.png", gif.len(), "image/png").await);
    assert_refused(
        put(&fx, "alice", &upload_path(&id), gif).await,
        StatusCode::BAD_REQUEST,
        "invalid_attachment",
    );
    let html = b"<script>1</script>";
    let id = id_of(&create(&fx, "alice", "x.webp", html.len(), "image/webp").await);
    assert_refused(
        put(&fx, "alice", &upload_path(&id), html).await,
        StatusCode::BAD_REQUEST,
        "invalid_attachment",
    );
    assert!(!fx.files.root().join("alice").join(&id).exists());
}

#[tokio::test]
async fn a_second_upload_is_409_conflict_and_keeps_the_first() {
    let fx = fixture(MemoryStore::new()).await;
    let id = id_of(&create(&fx, "alice", "notes.txt", 5, "text/plain").await);
    assert_eq!(
        put(&fx, "alice", &upload_path(&id), b"hello").await.0,
        StatusCode::OK
    );
    assert_refused(
        put(&fx, "alice", &upload_path(&id), b"HELLO").await,
        StatusCode::CONFLICT,
        "conflict",
    );
    assert_eq!(
        std::fs::read(file_of(&fx, "alice", &id)).expect("kept"),
        b"hello"
    );
}

#[tokio::test]
async fn a_hostile_id_or_owner_never_reaches_a_path_outside_the_root() {
    let fx = fixture(MemoryStore::new()).await;
    for id in ["..%2Fx", "..%2F..%2Fx", "..", "x.y"] {
        assert_not_found(put(&fx, "alice", &upload_path(id), b"hello").await);
        assert_not_found(json_of(get(&fx, "alice", &content_path(id)).await).await);
    }
    let delete = json!({"type": "attachments.delete", "params": {"attachment_id": "../x"}});
    assert_not_found(chatkit(&fx, "alice", delete).await);

    // An owner key full of dots and slashes is one encoded directory under the root.
    let owner = "../..";
    let id = id_of(&create(&fx, owner, "notes.txt", 5, "text/plain").await);
    assert_eq!(
        put(&fx, owner, &upload_path(&id), b"hello").await.0,
        StatusCode::OK
    );
    assert!(file_of(&fx, "%2E%2E%2F%2E%2E", &id).exists());

    let escaped: Vec<_> = std::fs::read_dir(fx.dir.path())
        .expect("the temp dir is readable")
        .map(|entry| entry.expect("an entry").file_name())
        .collect();
    assert_eq!(escaped, ["root"], "nothing was written beside the root");
}

// ---- Deleting ----------------------------------------------------------------------------------

#[tokio::test]
async fn delete_removes_the_file_and_the_record_and_is_404_for_another_user() {
    for fx in fixtures().await {
        let id = id_of(&create(&fx, "alice", "notes.txt", 5, "text/plain").await);
        assert_eq!(
            put(&fx, "alice", &upload_path(&id), b"hello").await.0,
            StatusCode::OK
        );
        let delete = json!({"type": "attachments.delete", "params": {"attachment_id": id}});

        assert_not_found(chatkit(&fx, "bob", delete.clone()).await);
        assert!(file_of(&fx, "alice", &id).exists(), "bob deleted nothing");

        assert_eq!(
            chatkit(&fx, "alice", delete.clone()).await,
            (StatusCode::OK, json!({}))
        );
        assert!(!file_of(&fx, "alice", &id).exists());
        assert!(matches!(
            record(&fx, "alice", &id).await,
            Err(StoreError::AttachmentNotFound { .. })
        ));
        assert_not_found(json_of(get(&fx, "alice", &content_path(&id)).await).await);
        // A second delete finds nothing: the reference would answer `{}`.
        assert_not_found(chatkit(&fx, "alice", delete).await);
    }
}

// ---- Reaching the model ------------------------------------------------------------------------

#[tokio::test]
async fn the_model_sees_an_image_as_input_image_and_a_file_as_input_file() {
    let fx = fixture(MemoryStore::new()).await;
    let image = id_of(&create(&fx, "alice", "cat.png", PNG.len(), "image/png").await);
    let text = id_of(&create(&fx, "alice", "notes.txt", 5, "text/plain").await);
    put(&fx, "alice", &upload_path(&image), PNG).await;
    put(&fx, "alice", &upload_path(&text), b"hello").await;

    let image = record(&fx, "alice", &image).await.expect("kept");
    let part = fx.files.to_message_content(&image).await.expect("uploaded");
    assert_eq!(
        serde_json::to_string(&part).expect("JSON"),
        r#"{"type":"input_image","detail":"auto","image_url":"data:image/png;base64,iVBORw0KGgoxMjM0"}"#
    );
    let text = record(&fx, "alice", &text).await.expect("kept");
    let part = fx.files.to_message_content(&text).await.expect("uploaded");
    assert_eq!(
        serde_json::to_string(&part).expect("JSON"),
        r#"{"type":"input_file","filename":"notes.txt","file_data":"data:text/plain;base64,aGVsbG8="}"#
    );
}

#[tokio::test]
async fn an_attachment_not_uploaded_yet_cannot_reach_the_model() {
    let fx = fixture(MemoryStore::new()).await;
    let id = id_of(&create(&fx, "alice", "notes.txt", 5, "text/plain").await);
    let pending = record(&fx, "alice", &id).await.expect("kept");
    let error = fx
        .files
        .to_message_content(&pending)
        .await
        .expect_err("no bytes yet");
    assert_eq!(
        error.to_string(),
        format!("attachment {id} (notes.txt) has not been uploaded yet")
    );
}

#[tokio::test]
async fn a_message_naming_an_attachment_not_uploaded_yet_is_409_and_nothing_is_stored() {
    for fx in fixtures().await {
        let attachment = create(&fx, "alice", "notes.txt", 3, "text/plain").await;
        let id = attachment["id"].as_str().expect("an id");
        let message = json!({"type": "threads.create", "params": {"input": {
            "content": [{"type": "input_text", "text": "Read this"}],
            "attachments": [id], "inference_options": {}}}});
        let (status, error) = chatkit(&fx, "alice", message.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{error}");
        assert_eq!(error["error"]["code"], "not_uploaded");
        let list = json!({"type": "threads.list", "params": {}});
        let (_, threads) = chatkit(&fx, "alice", list).await;
        assert_eq!(threads["data"], json!([]), "no thread was created");
        // Once the bytes are there, the same message goes through.
        let (status, _) = put(
            &fx,
            "alice",
            &format!("/chatkit/attachments/{id}/upload"),
            b"abc",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let request = Request::post("/chatkit")
            .header("x-user-id", "alice")
            .body(Body::from(message.to_string()))
            .expect("a valid request");
        assert_eq!(send(&fx, request).await.status(), StatusCode::OK);
    }
}
