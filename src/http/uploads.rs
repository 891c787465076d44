//! The upload routes: where a client sends an attachment's bytes, and where it reads them back.
//!
//! Mounted by [`RouterConfig::attachments`](super::RouterConfig::attachments) beside the
//! ChatKit endpoint, under its path (`/chatkit` below):
//!
//! | route | what it does |
//! |---|---|
//! | `PUT /chatkit/attachments/{id}/upload` | two-phase upload: the raw bytes of an attachment made by `attachments.create` |
//! | `POST /chatkit/attachments/{id}/upload` | the same, as a multipart form with a `file` field |
//! | `POST /chatkit/attachments` | direct upload: a multipart `file` creates, checks and writes the attachment in one request, and the answer is its JSON |
//! | `GET /chatkit/attachments/{id}/content` | the bytes, with the declared type (the image preview URL) |
//!
//! Every route goes through the same [`Gate`] as the endpoint (the context builder's 401, the
//! rate limit's 429), then loads the record through the processor's store with that context.
//! So another user's attachment is a `404 not_found`, exactly like an unknown one, and an id
//! that cannot name a file is one too, before it comes near a path. The checks on the bytes
//! themselves are [`DiskAttachments`]'s; this module turns their refusals into statuses:
//! `409 conflict` for a second upload, `413 payload_too_large` over the limit, `400
//! invalid_attachment` for the wrong size or an image that is not of its declared type.
//!
//! A successful upload answers `200` with the attachment as clients see it (no metadata, no
//! upload descriptor any more), the same JSON `attachments.create` answers with.

use std::panic::AssertUnwindSafe;

use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::FutureExt;

use crate::attachments::{DiskAttachments, UploadError};
use crate::protocol::request::AttachmentsCreateParams;
use crate::protocol::{Attachment, AttachmentId, AttachmentKind, to_wire_json};
use crate::server::{ProcessError, Processor};
use crate::store::{AttachmentStore, StoreContext, StoreError};

use super::error::HttpError;
use super::{ContextBuilder, Gate};

/// Room for a multipart form's boundaries and part headers around the file itself.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// What every upload route needs; cloned per request by axum's `State`.
pub(super) struct Uploads<C: StoreContext + Clone + 'static, B> {
    /// For its store: every record is loaded and saved through it, for the caller.
    pub(super) processor: Processor<C>,
    /// The context builder and rate limit, shared with the ChatKit endpoint.
    pub(super) gate: Gate<B>,
    /// Where the bytes go.
    pub(super) files: DiskAttachments,
}

impl<C: StoreContext + Clone + 'static, B: Clone> Clone for Uploads<C, B> {
    fn clone(&self) -> Self {
        Uploads {
            processor: self.processor.clone(),
            gate: self.gate.clone(),
            files: self.files.clone(),
        }
    }
}

/// The four routes under `path`, with a body limit of their own: an attachment's limit plus
/// room for a form, instead of the endpoint's 1 MiB.
pub(super) fn routes<C, B>(path: &str, uploads: Uploads<C, B>) -> Router
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    let body_limit = uploads.files.limit().saturating_add(MULTIPART_OVERHEAD);
    Router::new()
        .route(&format!("{path}/attachments"), post(direct_upload::<C, B>))
        .route(
            &format!("{path}/attachments/{{id}}/upload"),
            post(form_upload::<C, B>).put(raw_upload::<C, B>),
        )
        .route(
            &format!("{path}/attachments/{{id}}/content"),
            get(content::<C, B>),
        )
        .with_state(uploads)
        .layer(DefaultBodyLimit::max(
            usize::try_from(body_limit).unwrap_or(usize::MAX),
        ))
}

/// `PUT …/attachments/{id}/upload`: the body is the file.
async fn raw_upload<C, B>(
    State(uploads): State<Uploads<C, B>>,
    id: Result<Path<String>, PathRejection>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    answer(async move {
        let ctx = uploads.gate.admit(&parts).await?;
        let record = uploads.load(id, &ctx).await?;
        let bytes = body.map_err(|rejection| body_error(&rejection, uploads.files.limit()))?;
        uploads.finish_upload(record, bytes, &ctx).await
    })
    .await
}

/// `POST …/attachments/{id}/upload`: a multipart form whose `file` field is the file.
async fn form_upload<C, B>(
    State(uploads): State<Uploads<C, B>>,
    id: Result<Path<String>, PathRejection>,
    parts: Parts,
    form: Result<Multipart, MultipartRejection>,
) -> Response
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    answer(async move {
        let ctx = uploads.gate.admit(&parts).await?;
        let record = uploads.load(id, &ctx).await?;
        let file = file_field(form, uploads.files.limit()).await?;
        uploads.finish_upload(record, file.bytes, &ctx).await
    })
    .await
}

/// `POST …/attachments`: the direct strategy. The form's file is created as an attachment
/// (the same checks as `attachments.create`), written, and saved, in one request.
async fn direct_upload<C, B>(
    State(uploads): State<Uploads<C, B>>,
    parts: Parts,
    form: Result<Multipart, MultipartRejection>,
) -> Response
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    answer(async move {
        let ctx = uploads.gate.admit(&parts).await?;
        let file = file_field(form, uploads.files.limit()).await?;
        let params = AttachmentsCreateParams {
            name: file.name,
            size: file.bytes.len() as u64,
            mime_type: file.mime_type,
        };
        let record = uploads
            .files
            .create_attachment(&params, &ctx)
            .await
            .map_err(store_refusal)?;
        uploads.finish_upload(record, file.bytes, &ctx).await
    })
    .await
}

/// `GET …/attachments/{id}/content`: the uploaded bytes, for their owner only.
async fn content<C, B>(
    State(uploads): State<Uploads<C, B>>,
    id: Result<Path<String>, PathRejection>,
    parts: Parts,
) -> Response
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    answer(async move {
        let ctx = uploads.gate.admit(&parts).await?;
        let record = uploads.load(id, &ctx).await?;
        match uploads.files.read(&record).await {
            Ok(bytes) => Ok(content_response(&record, bytes)),
            // Not uploaded yet: there is nothing to show, as for an unknown id.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Err(not_found(&record.id))
            }
            Err(error) => {
                tracing::error!(%error, id = %record.id, "cannot read an attachment");
                Err(HttpError::internal())
            }
        }
    })
    .await
}

impl<C, B> Uploads<C, B>
where
    C: StoreContext + Clone + 'static,
    B: ContextBuilder<C>,
{
    /// The caller's record of the attachment the path names; 404 for an id that cannot name
    /// a file, an unknown id, or another user's.
    async fn load(
        &self,
        id: Result<Path<String>, PathRejection>,
        ctx: &C,
    ) -> Result<Attachment, HttpError> {
        let Ok(Path(id)) = id else {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such attachment",
            ));
        };
        let id = AttachmentId::new(id);
        if !crate::attachments::is_safe_id(id.as_str()) {
            return Err(not_found(&id));
        }
        self.processor
            .store()
            .load_attachment(&id, ctx)
            .await
            .map_err(store_refusal)
    }

    /// Checks and writes the bytes, saves the record as uploaded, and answers with it.
    async fn finish_upload(
        &self,
        record: Attachment,
        bytes: Bytes,
        ctx: &C,
    ) -> Result<Response, HttpError> {
        let uploaded = self
            .files
            .accept_upload(record, bytes)
            .await
            .map_err(upload_refusal)?;
        // An upsert: the record now says where the bytes are and that they are there.
        self.processor
            .store()
            .save_attachment(&uploaded, ctx)
            .await
            .map_err(store_refusal)?;
        attachment_json(&uploaded)
    }
}

/// The `file` field of a multipart form: its name, type and bytes.
struct FilePart {
    name: String,
    mime_type: String,
    bytes: Bytes,
}

/// Reads the form up to its `file` field.
async fn file_field(
    form: Result<Multipart, MultipartRejection>,
    limit: u64,
) -> Result<FilePart, HttpError> {
    let mut form = form.map_err(|rejection| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            rejection.body_text(),
        )
    })?;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|error| form_error(&error, limit))?
    {
        if field.name() != Some("file") {
            continue;
        }
        // The browser sends the file's own name and type with the part.
        let name = field.file_name().unwrap_or("file").to_owned();
        let mime_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|error| form_error(&error, limit))?;
        return Ok(FilePart {
            name,
            mime_type,
            bytes,
        });
    }
    Err(HttpError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "the form has no `file` field",
    ))
}

/// `200 application/json`: the attachment as clients see it (its metadata left out).
fn attachment_json(attachment: &Attachment) -> Result<Response, HttpError> {
    let body = to_wire_json(attachment).map_err(|error| {
        tracing::error!(%error, "cannot write an attachment as JSON");
        HttpError::internal()
    })?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// The bytes, typed as declared, and never guessed at or kept by a shared cache.
fn content_response(attachment: &Attachment, bytes: Vec<u8>) -> Response {
    // The type was checked against the allowed list at creation, so it is a plain token;
    // anything else would be no header value, and is served as opaque bytes.
    let content_type = HeaderValue::from_str(&attachment.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // Images are previews, shown in the page; any other file is a download, so an HTML or
    // SVG-like text can never run in the app's origin.
    let disposition = if matches!(attachment.kind, AttachmentKind::Image { .. }) {
        "inline"
    } else {
        "attachment"
    };
    let disposition = format!(
        "{disposition}; filename=\"{}\"",
        header_safe_name(&attachment.name)
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("private")),
        ],
        bytes,
    )
        .into_response()
}

/// The file name as a quoted-string can carry it: printable ASCII without `"` or `\`, the
/// rest replaced by `_` (the user named the file; they must not be able to end the header).
fn header_safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            let quotable = (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\';
            if quotable { c } else { '_' }
        })
        .collect()
}

/// Runs a route, turning its refusal into the JSON error, and a panic into a 500 rather
/// than a dropped connection (as the ChatKit endpoint does; `sse.rs` says why
/// `AssertUnwindSafe` is sound: nothing is used again after a panic).
async fn answer(route: impl Future<Output = Result<Response, HttpError>> + Send) -> Response {
    match AssertUnwindSafe(route).catch_unwind().await {
        Ok(Ok(response)) => response,
        Ok(Err(refusal)) => refusal.into_response(),
        Err(_panic) => {
            tracing::error!("an attachment request panicked");
            HttpError::internal().into_response()
        }
    }
}

/// The 404 of an attachment that is not the caller's, in the store's words.
fn not_found(id: &AttachmentId) -> HttpError {
    store_refusal(StoreError::AttachmentNotFound { id: id.clone() })
}

/// A store error, mapped as the endpoint maps it (and logged when it is the server's fault).
fn store_refusal(error: StoreError) -> HttpError {
    let refusal = HttpError::from(ProcessError::Store(error));
    if refusal.status().is_server_error() {
        tracing::error!(status = %refusal.status(), "an attachment request failed in the store");
    }
    refusal
}

/// The status of each refused upload (see the module doc).
fn upload_refusal(error: UploadError) -> HttpError {
    let message = error.to_string();
    match error {
        UploadError::NotADiskAttachment { .. } | UploadError::AlreadyUploaded { .. } => {
            HttpError::new(StatusCode::CONFLICT, "conflict", message)
        }
        UploadError::TooLarge { .. } => {
            HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
        }
        UploadError::SizeMismatch { .. } | UploadError::NotTheDeclaredImage { .. } => {
            HttpError::new(StatusCode::BAD_REQUEST, "invalid_attachment", message)
        }
        UploadError::Io(error) => {
            tracing::error!(%error, "cannot write an attachment");
            HttpError::internal()
        }
    }
}

/// A raw body over the route's limit is a 413; any other unreadable body a 400.
fn body_error(rejection: &BytesRejection, limit: u64) -> HttpError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            rejection.body_text(),
        )
    }
}

/// A form over the route's limit is a 413; any other broken form a 400.
fn form_error(error: &MultipartError, limit: u64) -> HttpError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            error.body_text(),
        )
    }
}

/// `413 payload_too_large`, naming the attachment limit rather than the route's raw one.
fn too_large(limit: u64) -> HttpError {
    upload_refusal(UploadError::TooLarge { limit })
}
