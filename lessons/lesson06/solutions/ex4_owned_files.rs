//! Exercise 4: a file is its owner's, even in a store that holds everyone's.
//!
//! `OwnedFiles` below is the simplest attachment store there is: one map from attachment id to
//! the file's record, for all users together, the way a bucket or a table keyed by id holds
//! them. Such a store protects nothing by itself. Ids travel: they are in messages, in logs,
//! in URLs a user pastes into a bug report. Whoever learns one can ask for it.
//!
//! The app adds a route of its own, `GET /chatkit/files/{id}/name`, which answers a file's
//! name. It authenticates the caller like the ChatKit endpoint does, then asks
//! `OwnedFiles::name_of`. Write `name_of`: the name of the file `id` if it is the caller's;
//! otherwise the same `404 not_found` as an id nobody ever created. Not a 403: "forbidden"
//! would tell a stranger that the id exists, which is already something they should not learn.
//!
//! Hint: the record keeps its `owner`, the owner key ([`StoreContext::user_id`]) of the
//! [`Principal`] who created it, tenant included; compare it with `caller.user_id()`, and
//! answer [`not_found`] for both a missing and a foreign id (a `match` with a guard,
//! `Some(record) if …`, does both in one arm). The grading test creates a file as alice and
//! asks for its name as alice (200), as bob (404) and for an id that does not exist (404).
//!
//! Check it with `cargo test --test grade lesson06`; serve it with
//! `cargo run --bin lesson06 -- --exercise 4`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::routing::get;
use chatkit::auth::{JwtVerifier, Principal};
use chatkit::http::{self, HttpError};
use chatkit::prelude::*;
use chatkit::protocol::request::AttachmentsCreateParams;
use chatkit::protocol::{Attachment, AttachmentId, AttachmentKind};
use chatkit::store::{AttachmentStore, StoreError};

/// One file's record.
#[derive(Debug, Clone)]
struct Record {
    /// The owner key of the principal who created it.
    owner: String,
    /// The file name the client gave.
    name: String,
}

/// Every user's attachments in one map, by id; ids `atc_0001`, `atc_0002`, ….
#[derive(Debug, Clone, Default)]
pub struct OwnedFiles {
    records: Arc<Mutex<HashMap<AttachmentId, Record>>>,
    created: Arc<AtomicU32>,
}

/// The answer for a file the caller may not know about: the same as for no file at all.
pub fn not_found(id: &AttachmentId) -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("File {id} not found"),
    )
}

impl OwnedFiles {
    /// The name of the file `id`, if `caller` owns it; [`not_found`] otherwise.
    pub fn name_of(&self, id: &AttachmentId, caller: &Principal) -> Result<String, HttpError> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        match records.get(id) {
            Some(record) if record.owner == caller.user_id() => Ok(record.name.clone()),
            // Another user's file and no file at all look the same from outside.
            _ => Err(not_found(id)),
        }
    }
}

#[async_trait]
impl AttachmentStore<Principal> for OwnedFiles {
    async fn create_attachment(
        &self,
        params: &AttachmentsCreateParams,
        ctx: &Principal,
    ) -> Result<Attachment, StoreError> {
        let number = self.created.fetch_add(1, Ordering::Relaxed) + 1;
        let id = AttachmentId::new(format!("atc_{number:04}"));
        let record = Record {
            owner: ctx.user_id().to_owned(),
            name: params.name.clone(),
        };
        self.records
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .insert(id.clone(), record);
        Ok(Attachment {
            id,
            name: params.name.clone(),
            mime_type: params.mime_type.clone(),
            upload_descriptor: None,
            thread_id: None,
            metadata: None,
            kind: AttachmentKind::File,
        })
    }

    async fn delete_attachment(
        &self,
        id: &AttachmentId,
        ctx: &Principal,
    ) -> Result<(), StoreError> {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        // The processor has already loaded the record as `ctx`; checking again costs nothing.
        if records
            .get(id)
            .is_some_and(|record| record.owner == ctx.user_id())
        {
            records.remove(id);
        }
        Ok(())
    }
}

/// What the extra route needs: the files, and the verifier that says who is asking.
#[derive(Debug, Clone)]
struct Files {
    files: OwnedFiles,
    verifier: JwtVerifier,
}

/// `GET /chatkit/files/{id}/name`: the caller (401 without a good token), then `name_of`.
async fn file_name(
    State(state): State<Files>,
    Path(id): Path<String>,
    request: Request,
) -> Result<String, HttpError> {
    let (parts, _body) = request.into_parts();
    let caller = state.verifier.authenticate(&parts)?;
    state.files.name_of(&AttachmentId::new(id), &caller)
}

/// The app: the ChatKit endpoint, whose `attachments.create` records files in `OwnedFiles`,
/// and the route that answers a file's name.
pub fn app(store: impl Store<Principal> + 'static, verifier: JwtVerifier) -> Router {
    let files = OwnedFiles::default();
    let processor = Processor::builder(Greeter, store)
        .attachments(files.clone())
        .build();
    let names = Router::new()
        .route("/chatkit/files/{id}/name", get(file_name))
        .with_state(Files {
            files,
            verifier: verifier.clone(),
        });
    http::router(processor, verifier).merge(names)
}

/// Greets the caller.
pub struct Greeter;

impl ChatKitServer<Principal> for Greeter {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        caller: Principal,
        out: Responder<Principal>,
    ) -> EventStream {
        try_stream! {
            yield out.assistant_message(format!("Hello, {}.", caller.user()));
        }
        .boxed()
    }
}
