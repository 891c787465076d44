//! Attachments on local disk: [`DiskAttachments`], an [`AttachmentStore`] that keeps each
//! user's uploads in a directory of their own.
//!
//! Where it sits in the request flow:
//!
//! ```text
//! POST /chatkit attachments.create ─► Processor ─► DiskAttachments::create_attachment
//!                                                   (checks size and type, makes the record
//!                                                    and its upload URL) ─► Store saves it
//! PUT|POST <path>/attachments/{id}/upload ─► http/uploads.rs ─► the bytes, checked, written
//! POST <path>/attachments (direct upload)  ─►       〃        ─► create + write in one request
//! GET <path>/attachments/{id}/content      ─►       〃        ─► DiskAttachments::read
//! a turn's history ─► ThreadItemConverter ─► DiskAttachments::to_message_content
//! ```
//!
//! The record of an attachment lives in the thread [`Store`](crate::store::Store), like every
//! other per-user datum, so "is this attachment yours?" is always the store's answer. This
//! module only owns the bytes: where they go (`root/<owner dir>/<attachment id>`, see
//! `paths.rs` for why no request can choose another place), how they are written (atomically:
//! a temp file, `fsync`, rename), and what is checked before they are (the declared size and
//! type, and for an image its magic number, see `sniff.rs`).
//!
//! What the server needs to find the bytes again is kept in the record's integration-only
//! `metadata` (never sent to clients): `{"size": <declared>, "uploaded": <bool>, "path":
//! "<owner dir>/<id>"}`.
//!
//! The Python SDK ships no attachment store; its docs leave uploads to the app.

mod paths;
mod sniff;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use crate::agent::history::ConvertError;
use crate::id_gen::{IdGenerator, IdKind, RandomIds};
use crate::protocol::request::AttachmentsCreateParams;
use crate::protocol::{Attachment, AttachmentId, AttachmentKind, UploadDescriptor, UploadMethod};
use crate::store::{AttachmentStore, StoreContext, StoreError};

use paths::RelativePath;
pub(crate) use paths::is_safe_id;

/// The largest attachment accepted unless configured: 10 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The MIME types accepted unless configured: the images ChatKit previews, PDF, and text.
pub const DEFAULT_MIME_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/markdown",
    "text/csv",
    "application/json",
];

/// Attachments kept as files under one root directory, one directory per owner.
///
/// Cheap to clone: clones share one configuration. Give the same value to the processor
/// (`Processor::builder(…).attachments(files.clone())`, for `attachments.create`/`delete`) and
/// to the router ([`RouterConfig::attachments`](crate::http::RouterConfig::attachments), for
/// the upload and content routes).
#[derive(Debug, Clone)]
pub struct DiskAttachments {
    config: Arc<Config>,
}

/// What a [`DiskAttachments`] is set up with.
#[derive(Debug, Clone)]
struct Config {
    root: PathBuf,
    /// Where the ChatKit endpoint is reachable from clients; upload URLs live under it.
    public_url: Url,
    max_bytes: u64,
    allowed_mime_types: Vec<String>,
    /// Where attachment ids come from: random unless a test or an app injects its own.
    ids: Arc<dyn IdGenerator>,
}

/// What the record's `metadata` holds for this store: all the server needs later.
#[derive(Debug, Serialize, Deserialize)]
struct DiskMetadata {
    /// The size declared at creation; the upload must have exactly this many bytes.
    size: u64,
    /// Whether the bytes have been written; a second upload is refused.
    uploaded: bool,
    /// `<owner dir>/<id>` under the root, made by the server, never by a client.
    path: String,
}

/// Why an upload was refused; `http/uploads.rs` turns each case into a status.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UploadError {
    /// The record was not made by a [`DiskAttachments`] (no metadata of ours).
    #[error("attachment {id} does not take uploads here")]
    NotADiskAttachment {
        /// The attachment.
        id: AttachmentId,
    },
    /// The bytes were uploaded already; an attachment is written once.
    #[error("attachment {id} has already been uploaded")]
    AlreadyUploaded {
        /// The attachment.
        id: AttachmentId,
    },
    /// More bytes than any attachment may have.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: u64,
    },
    /// Not the number of bytes declared at creation.
    #[error("the file has {received} bytes, but {declared} were declared")]
    SizeMismatch {
        /// The size given to `attachments.create`.
        declared: u64,
        /// The bytes that arrived.
        received: u64,
    },
    /// An image whose bytes do not start as its declared type's must.
    #[error("the file is not a valid {mime_type} image")]
    NotTheDeclaredImage {
        /// The declared type.
        mime_type: String,
    },
    /// The file could not be written.
    #[error("the attachment could not be written")]
    Io(#[from] io::Error),
}

impl DiskAttachments {
    /// Keeps attachments under `root` (created if missing), with upload and preview URLs under
    /// `public_url`, the address clients reach the ChatKit endpoint at (such as
    /// `http://127.0.0.1:8000/chatkit`).
    ///
    /// # Errors
    ///
    /// The root could not be created, or `public_url` cannot have a path (`mailto:…`).
    pub fn open(root: impl Into<PathBuf>, public_url: Url) -> io::Result<Self> {
        if public_url.cannot_be_a_base() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{public_url} cannot have upload paths under it"),
            ));
        }
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        let config = Config {
            root,
            public_url,
            max_bytes: DEFAULT_MAX_BYTES,
            allowed_mime_types: DEFAULT_MIME_TYPES.iter().map(|&t| t.to_owned()).collect(),
            ids: Arc::new(RandomIds),
        };
        Ok(DiskAttachments {
            config: Arc::new(config),
        })
    }

    /// Refuses attachments larger than `bytes` ([`DEFAULT_MAX_BYTES`] unless set).
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        Arc::make_mut(&mut self.config).max_bytes = bytes;
        self
    }

    /// Accepts exactly these MIME types ([`DEFAULT_MIME_TYPES`] unless set). Compared as
    /// written: browsers report a file's type in lowercase, without parameters.
    pub fn allowed_mime_types<T: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = T>,
    ) -> Self {
        Arc::make_mut(&mut self.config).allowed_mime_types =
            types.into_iter().map(Into::into).collect();
        self
    }

    /// Draws attachment ids from `ids` ([`RandomIds`], `atc_` + 8 hex digits, unless set), as
    /// [`Processor::builder(…).ids(…)`](crate::server::ProcessorBuilder::ids) does for threads
    /// and items: a test injects `SequentialIds` to get the same ids on every run.
    pub fn ids(mut self, ids: impl IdGenerator + 'static) -> Self {
        Arc::make_mut(&mut self.config).ids = Arc::new(ids);
        self
    }

    /// The directory every owner's directory is in.
    pub fn root(&self) -> &Path {
        &self.config.root
    }

    /// The largest attachment accepted, in bytes.
    pub fn limit(&self) -> u64 {
        self.config.max_bytes
    }

    /// The uploaded bytes of `attachment`, a record loaded through the store (so the caller
    /// has already checked whose it is).
    ///
    /// # Errors
    ///
    /// `NotFound` before the upload; `InvalidData` for a record this store did not make.
    pub async fn read(&self, attachment: &Attachment) -> io::Result<Vec<u8>> {
        let file = self.file_of(attachment)?;
        // The runtime has no async file system here; a blocking read belongs on the blocking
        // pool, not on a thread that serves other requests.
        run_blocking(move || std::fs::read(file)).await
    }

    /// The Responses API input part that shows `attachment` to a model, with its bytes inline:
    /// an image as `{"type":"input_image","detail":"auto","image_url":"data:…"}`, any other
    /// file as `{"type":"input_file","filename":…,"file_data":"data:…"}`.
    ///
    /// Call it from [`ThreadItemConverter::attachment_to_message_content`](
    /// crate::agent::history::ThreadItemConverter::attachment_to_message_content).
    ///
    /// # Errors
    ///
    /// [`ConvertError::Hook`] if the bytes have not been uploaded yet or cannot be read.
    pub async fn to_message_content(&self, attachment: &Attachment) -> Result<Value, ConvertError> {
        let bytes = self.read(attachment).await.map_err(|error| {
            ConvertError::Hook(if error.kind() == io::ErrorKind::NotFound {
                format!(
                    "attachment {} ({}) has not been uploaded yet",
                    attachment.id, attachment.name
                )
            } else {
                format!("cannot read attachment {}: {error}", attachment.id)
            })
        })?;
        let data_url = format!(
            "data:{};base64,{}",
            attachment.mime_type,
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        Ok(if sniff::is_image(&attachment.mime_type) {
            json!({"type": "input_image", "detail": "auto", "image_url": data_url})
        } else {
            json!({"type": "input_file", "filename": attachment.name, "file_data": data_url})
        })
    }

    /// Checks `bytes` against `attachment`'s record and writes them, returning the record to
    /// save: no upload descriptor any more, and `uploaded: true`.
    pub(crate) async fn accept_upload(
        &self,
        mut attachment: Attachment,
        bytes: Bytes,
    ) -> Result<Attachment, UploadError> {
        let mut metadata =
            disk_metadata(&attachment).ok_or_else(|| UploadError::NotADiskAttachment {
                id: attachment.id.clone(),
            })?;
        if metadata.uploaded {
            return Err(UploadError::AlreadyUploaded { id: attachment.id });
        }
        self.check_bytes(&attachment.mime_type, metadata.size, &bytes)?;
        let place =
            RelativePath::parse(&metadata.path).ok_or_else(|| UploadError::NotADiskAttachment {
                id: attachment.id.clone(),
            })?;
        let root = self.config.root.clone();
        run_blocking(move || write_atomically(&root, &place, &bytes)).await?;
        metadata.uploaded = true;
        attachment.upload_descriptor = None;
        attachment.metadata = metadata_map(&metadata);
        Ok(attachment)
    }

    /// The size and, for an image, the format of the bytes, against what was declared.
    fn check_bytes(&self, mime_type: &str, declared: u64, bytes: &[u8]) -> Result<(), UploadError> {
        let received = bytes.len() as u64;
        if received > self.config.max_bytes {
            return Err(UploadError::TooLarge {
                limit: self.config.max_bytes,
            });
        }
        if received != declared {
            return Err(UploadError::SizeMismatch { declared, received });
        }
        if !sniff::bytes_match_type(mime_type, bytes) {
            return Err(UploadError::NotTheDeclaredImage {
                mime_type: mime_type.to_owned(),
            });
        }
        Ok(())
    }

    /// The size and type `attachments.create` declares, against the limits.
    fn check_declared(&self, params: &AttachmentsCreateParams) -> Result<(), StoreError> {
        let reason = if params.size == 0 {
            "an attachment cannot be empty".to_owned()
        } else if params.size > self.config.max_bytes {
            format!(
                "{} is {} bytes; attachments may have at most {}",
                params.name, params.size, self.config.max_bytes
            )
        } else if !self.config.allowed_mime_types.contains(&params.mime_type) {
            format!(
                "attachments of type {:?} are not accepted",
                params.mime_type
            )
        } else {
            return Ok(());
        };
        Err(StoreError::AttachmentRejected { reason })
    }

    /// `<public_url>/attachments/<id>/<action>`, where the upload routes answer.
    fn route_url(&self, id: &AttachmentId, action: &str) -> Url {
        let mut url = self.config.public_url.clone();
        // `open` refused a URL that cannot be a base, so the segments are always there.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["attachments", id.as_str(), action]);
        }
        url
    }

    /// Where `attachment`'s bytes are, from its metadata, checked again.
    fn file_of(&self, attachment: &Attachment) -> io::Result<PathBuf> {
        disk_metadata(attachment)
            .and_then(|metadata| RelativePath::parse(&metadata.path))
            .map(|place| place.file_under(&self.config.root))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("attachment {} was not stored on disk", attachment.id),
                )
            })
    }
}

#[async_trait]
impl<C: StoreContext + ?Sized> AttachmentStore<C> for DiskAttachments {
    /// Checks the declared size and type, then makes the record: the upload URL to `PUT` the
    /// bytes to, and for an image the preview URL. Nothing touches the disk yet.
    async fn create_attachment(
        &self,
        params: &AttachmentsCreateParams,
        ctx: &C,
    ) -> Result<Attachment, StoreError> {
        self.check_declared(params)?;
        let id = self.generate_attachment_id(&params.mime_type, ctx);
        // A custom id generator could make an id that is no file name; refuse it here rather
        // than ever joining it to a path.
        let place = RelativePath::new(ctx.user_id(), id.as_str()).ok_or_else(|| {
            StoreError::AttachmentRejected {
                reason: format!("attachment id {id} cannot name a file"),
            }
        })?;
        let metadata = DiskMetadata {
            size: params.size,
            uploaded: false,
            path: place.to_string(),
        };
        let kind = if sniff::is_image(&params.mime_type) {
            AttachmentKind::Image {
                preview_url: self.route_url(&id, "content"),
            }
        } else {
            AttachmentKind::File
        };
        Ok(Attachment {
            upload_descriptor: Some(UploadDescriptor {
                url: self.route_url(&id, "upload"),
                method: UploadMethod::Put,
                headers: indexmap::IndexMap::new(),
            }),
            id,
            name: params.name.clone(),
            mime_type: params.mime_type.clone(),
            thread_id: None,
            metadata: metadata_map(&metadata),
            kind,
        })
    }

    /// Refuses an attachment whose bytes have not been uploaded (or that this store never
    /// made), so that a message naming it is refused before it is stored.
    async fn check_ready(&self, attachment: &Attachment, _ctx: &C) -> Result<(), StoreError> {
        match disk_metadata(attachment) {
            Some(metadata) if metadata.uploaded => Ok(()),
            _ => Err(StoreError::AttachmentNotUploaded {
                id: attachment.id.clone(),
            }),
        }
    }

    /// An id from the configured generator ([`DiskAttachments::ids`]).
    fn generate_attachment_id(&self, _mime_type: &str, _ctx: &C) -> AttachmentId {
        AttachmentId::new(self.config.ids.generate(IdKind::Attachment))
    }

    /// Removes the file, if there is one: deleting before (or without) an upload is fine.
    async fn delete_attachment(&self, id: &AttachmentId, ctx: &C) -> Result<(), StoreError> {
        // An id that cannot name a file has no file to remove.
        let Some(place) = RelativePath::new(ctx.user_id(), id.as_str()) else {
            return Ok(());
        };
        let file = place.file_under(&self.config.root);
        let removed = run_blocking(move || match std::fs::remove_file(file) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        });
        removed.await.map_err(|error| StoreError::Backend {
            message: format!("cannot delete the file of attachment {id}: {error}"),
        })
    }
}

/// This store's metadata in `attachment`, if it has any.
fn disk_metadata(attachment: &Attachment) -> Option<DiskMetadata> {
    let map = attachment.metadata.clone()?;
    serde_json::from_value(Value::Object(map)).ok()
}

/// The metadata as the record's JSON object.
fn metadata_map(metadata: &DiskMetadata) -> Option<serde_json::Map<String, Value>> {
    match serde_json::to_value(metadata) {
        Ok(Value::Object(map)) => Some(map),
        // A struct of plain fields always serializes to an object.
        _ => None,
    }
}

/// Writes `bytes` to `place` so that the final name holds either nothing or the whole file:
/// a temp file in the same directory, `fsync`, then a rename (atomic within one file system).
/// A process killed midway leaves at most a temp file, whose name (a leading `.`) no
/// attachment id can have.
fn write_atomically(root: &Path, place: &RelativePath, bytes: &[u8]) -> io::Result<()> {
    let dir = place.dir_under(root);
    std::fs::create_dir_all(&dir)?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        place.id(),
        uuid::Uuid::new_v4().simple()
    ));
    let written =
        write_synced(&temp, bytes).and_then(|()| std::fs::rename(&temp, place.file_under(root)));
    if written.is_err() {
        // Best effort: the write already failed, and that error is the one to report.
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    sync_dir(&dir)
}

/// A new file with `bytes`, flushed to the disk before it is renamed into place.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename itself durable: on Unix a directory entry is only on disk once the
/// directory is synced.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Other systems cannot open a directory as a file; the rename is as durable as they allow.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Runs blocking file work on tokio's blocking pool.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|stopped| Err(io::Error::other(stopped)))
}
