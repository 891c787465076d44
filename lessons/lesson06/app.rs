//! The lesson's app: who may call (a verified token), what they may do (their role), how
//! often (the rate limit), and where their files go (the disk store), around the assistant.
//!
//! Shared by `main.rs`, `tests/lessons.rs` and `tests/grade.rs`, so the tests run exactly the
//! router a student serves.

use axum::Router;
use chatkit::attachments::DiskAttachments;
use chatkit::auth::Principal;
use chatkit::http::{ContextBuilder, RouterConfig};
use chatkit::server::ProcessorBuilder;

// ANCHOR: app
/// The router of lesson 06, around `processor` (the assistant and the store; tests add their
/// fixed ids and clock to it).
///
/// * `verifier` (a [`chatkit::auth::JwtVerifier`]) is the context builder: every request's `Authorization: Bearer` token is
///   checked before the body is even read, and the [`Principal`] it names is the only
///   identity the server knows. A missing or bad token is a 401 here, before any stream.
/// * The processor asks that principal's `authorize` about each request: a `viewer` may read
///   and gets a 403 for anything else. Whose thread it is stays the store's business: another
///   user's id is "not found", never "forbidden".
/// * `config` carries the per-user rate limit, checked after the token (so it counts verified
///   users, not addresses), and mounts the upload routes of `files`.
pub(crate) fn app(
    processor: ProcessorBuilder<Principal>,
    files: DiskAttachments,
    verifier: impl ContextBuilder<Principal>,
    config: RouterConfig,
) -> Router {
    let processor = processor
        // `attachments.create` and `attachments.delete` go to the files on disk.
        .attachments(files.clone())
        .build();
    config.attachments(files).build(processor, verifier)
}
// ANCHOR_END: app
