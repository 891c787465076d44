//! Attachments: files and images a user adds to a message, and their upload instructions.
//!
//! The client first registers an attachment (`attachments.create` → an [`Attachment`] with an
//! [`UploadDescriptor`] saying where to upload the bytes), uploads it, then sends its id in a
//! message. When that message is stored, the server copies the attachment into the item with
//! `thread_id` set.
//!
//! `metadata` is for the integration only (a storage key, say). It is kept by stores and never
//! written to a client: see `encoding.rs` for how one type serves both encodings.
//!
//! Where it sits: protocol layer; `attachments.create` responses and `user_message` items.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::encoding::skip_integration_metadata;
use super::ids::{AttachmentId, ThreadId};

/// An attachment record.
///
/// # Wire format
///
/// `{"id":"atc_1","name":"a.png","mime_type":"image/png","type":"image","preview_url":"https://…"}`
/// with `upload_descriptor` and `thread_id` between `mime_type` and `type` when set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The attachment's id.
    pub id: AttachmentId,
    /// The file name shown to the user.
    pub name: String,
    /// The MIME type given at creation.
    pub mime_type: String,
    /// Where and how to upload the bytes (two-phase upload); unset once uploaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_descriptor: Option<UploadDescriptor>,
    /// The thread it belongs to, set when a message that uses it is stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<ThreadId>,
    /// Integration-only data. Kept by stores, never sent to clients.
    #[serde(default, skip_serializing_if = "skip_integration_metadata")]
    pub metadata: Option<Map<String, Value>>,
    /// File or image, with the image's preview URL.
    #[serde(flatten)]
    pub kind: AttachmentKind,
}

/// The kind of an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AttachmentKind {
    /// Any file: `"type":"file"`.
    #[serde(rename = "file")]
    File,
    /// An image the client can preview: `"type":"image","preview_url":"https://…"`.
    #[serde(rename = "image")]
    Image {
        /// Where the client loads the preview from (normalised like the upload URL).
        preview_url: Url,
    },
}

/// How the client uploads an attachment's bytes in a two-phase upload.
///
/// # Wire format
///
/// `{"url":"https://up.example.com/","method":"PUT","headers":{}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadDescriptor {
    /// The upload address. Parsed as a URL on the way in, which normalises it exactly as the
    /// Python SDK does (pydantic uses the same WHATWG parser): a bare host gains a `/`.
    pub url: Url,
    /// `POST` or `PUT`.
    pub method: UploadMethod,
    /// Headers to send with the upload.
    #[serde(default)]
    pub headers: indexmap::IndexMap<String, String>,
}

/// The HTTP method of a two-phase upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadMethod {
    /// `"POST"`, a multipart form with a `file` field.
    #[serde(rename = "POST")]
    Post,
    /// `"PUT"`, the raw bytes.
    #[serde(rename = "PUT")]
    Put,
}
