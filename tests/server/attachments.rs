//! Attachments: creating and deleting them through an `AttachmentStore`, and linking them to
//! the messages that use them. Integration `metadata` is kept by the stores and never sent.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chatkit::protocol::request::AttachmentsCreateParams;
use chatkit::protocol::{
    Attachment, AttachmentId, AttachmentKind, ItemKind, UploadDescriptor, UploadMethod,
};
use chatkit::server::ProcessError;
use chatkit::store::{AttachmentStore, StoreError, UserContext};
use serde_json::{Map, Value, json};
use url::Url;

use crate::harness::{
    TestServer, body_text, builder, create, ctx, input, items_list, json_body, processor, refused,
    request, stream,
};

/// The reference's `InMemoryFileStore`: ids `atc_1`, `atc_2`, …, a PUT upload descriptor, a
/// preview URL for images, and `metadata: {"source": "test"}` on every attachment.
///
/// Cloning shares the files, so a test keeps a handle on what the processor's copy holds.
#[derive(Debug, Clone, Default)]
struct InMemoryFileStore {
    files: Arc<Mutex<BTreeMap<AttachmentId, Attachment>>>,
}

impl InMemoryFileStore {
    fn files(&self) -> BTreeMap<AttachmentId, Attachment> {
        self.files.lock().expect("not poisoned").clone()
    }
}

#[async_trait]
impl AttachmentStore<UserContext> for InMemoryFileStore {
    async fn create_attachment(
        &self,
        params: &AttachmentsCreateParams,
        _ctx: &UserContext,
    ) -> Result<Attachment, StoreError> {
        let mut files = self.files.lock().expect("not poisoned");
        let id = format!("atc_{}", files.len() + 1);
        let url = |path: &str| Url::parse(&format!("https://example.com/{id}/{path}"));
        let upload_descriptor = UploadDescriptor {
            url: url("upload").expect("a valid URL"),
            method: UploadMethod::Put,
            headers: [("X-My-Header".to_owned(), "my-value".to_owned())].into(),
        };
        let kind = if params.mime_type.starts_with("image/") {
            AttachmentKind::Image {
                preview_url: url("preview").expect("a valid URL"),
            }
        } else {
            AttachmentKind::File
        };
        let attachment = Attachment {
            id: AttachmentId::new(id),
            name: params.name.clone(),
            mime_type: params.mime_type.clone(),
            upload_descriptor: Some(upload_descriptor),
            thread_id: None,
            metadata: Some(source_test()),
            kind,
        };
        files.insert(attachment.id.clone(), attachment.clone());
        Ok(attachment)
    }

    async fn delete_attachment(
        &self,
        id: &AttachmentId,
        _ctx: &UserContext,
    ) -> Result<(), StoreError> {
        self.files.lock().expect("not poisoned").remove(id);
        Ok(())
    }
}

/// `{"source": "test"}`, the integration metadata of the reference's attachments.
fn source_test() -> Map<String, Value> {
    json!({ "source": "test" })
        .as_object()
        .cloned()
        .expect("an object")
}

/// A plain-text file attachment with no upload descriptor and no thread yet.
fn text_file(id: &str, metadata: Option<Map<String, Value>>) -> Attachment {
    Attachment {
        id: AttachmentId::new(id),
        name: "test.txt".to_owned(),
        mime_type: "text/plain".to_owned(),
        upload_descriptor: None,
        thread_id: None,
        metadata,
        kind: AttachmentKind::File,
    }
}

/// `attachments.create` for a 1024-byte `test-file-name` of the given type.
fn create_attachment(mime_type: &str) -> Value {
    request(
        "attachments.create",
        json!({ "name": "test-file-name", "size": 1024, "mime_type": mime_type }),
    )
}

/// `threads.create` whose message carries the given attachment ids.
fn create_with_attachments(text: &str, ids: &[&str]) -> Value {
    let mut message = input(text);
    message["attachments"] = json!(ids);
    request("threads.create", json!({ "input": message }))
}

#[tokio::test]
async fn create_file() {
    let files = InMemoryFileStore::default();
    let processor = builder(TestServer::new())
        .attachments(files.clone())
        .build();

    let body = json_body(&processor, create_attachment("text/plain")).await;

    let attachment: Attachment = serde_json::from_slice(&body).expect("an attachment");
    assert_eq!(attachment.mime_type, "text/plain");
    assert_eq!(attachment.name, "test-file-name");
    assert_eq!(attachment.kind, AttachmentKind::File);
    let upload = attachment
        .upload_descriptor
        .as_ref()
        .expect("an upload descriptor");
    assert_eq!(upload.url.as_str(), "https://example.com/atc_1/upload");
    assert_eq!(upload.method, UploadMethod::Put);
    assert_eq!(upload.headers["X-My-Header"], "my-value");
    // `metadata` is left out of the response but kept by both stores.
    assert_eq!(attachment.metadata, None);
    assert_eq!(files.files()[&attachment.id].metadata, Some(source_test()));
    let stored = processor
        .store()
        .load_attachment(&attachment.id, &ctx())
        .await
        .expect("the attachment is stored");
    assert_eq!(stored.metadata, Some(source_test()));
    crate::snapshot!("create_file", body_text(&body));
}

#[tokio::test]
async fn create_image_file() {
    let files = InMemoryFileStore::default();
    let processor = builder(TestServer::new())
        .attachments(files.clone())
        .build();

    let body = json_body(&processor, create_attachment("image/png")).await;

    let attachment: Attachment = serde_json::from_slice(&body).expect("an attachment");
    assert_eq!(attachment.mime_type, "image/png");
    assert_eq!(attachment.name, "test-file-name");
    let AttachmentKind::Image { preview_url } = &attachment.kind else {
        panic!("an image attachment");
    };
    assert_eq!(preview_url.as_str(), "https://example.com/atc_1/preview");
    let upload = attachment
        .upload_descriptor
        .as_ref()
        .expect("an upload descriptor");
    assert_eq!(upload.url.as_str(), "https://example.com/atc_1/upload");
    assert_eq!(upload.method, UploadMethod::Put);
    assert_eq!(upload.headers["X-My-Header"], "my-value");
    assert!(files.files().contains_key(&attachment.id));
    crate::snapshot!("create_image_file", body_text(&body));
}

#[tokio::test]
async fn user_message_attachment_metadata_not_serialized() {
    let processor = processor(TestServer::new());
    let attachment = text_file("file_with_metadata", Some(source_test()));
    processor
        .store()
        .save_attachment(&attachment, &ctx())
        .await
        .expect("the attachment is saved");

    let streamed = stream(
        &processor,
        create_with_attachments("Message with file", &["file_with_metadata"]),
    )
    .await;

    let body = json_body(&processor, items_list(&streamed.thread_id())).await;
    // Read the raw JSON: the parsed type would read an absent and a stripped key alike.
    let listed: Value = serde_json::from_slice(&body).expect("a page");
    let user_item = listed["data"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|item| item["type"] == "user_message")
        .expect("the user's message is listed");
    let attachments = user_item["attachments"].as_array().expect("attachments");
    assert!(!attachments.is_empty());
    assert!(
        attachments
            .iter()
            .all(|attachment| attachment.get("metadata").is_none())
    );
    // Nor did it go out in the stream.
    assert!(!streamed.sse.contains("\"source\""));
}

#[tokio::test]
async fn user_message_attachment_thread_id_persisted_on_thread_create() {
    let processor = processor(TestServer::new());
    // The attachment exists before the thread, so it has no thread yet.
    let attachment = text_file("file_thread_id_on_create", None);
    processor
        .store()
        .save_attachment(&attachment, &ctx())
        .await
        .expect("the attachment is saved");

    let streamed = stream(
        &processor,
        create_with_attachments("Message with file", &["file_thread_id_on_create"]),
    )
    .await;

    let stored = processor
        .store()
        .load_attachment(&attachment.id, &ctx())
        .await
        .expect("the attachment is stored");
    assert_eq!(stored.thread_id, Some(streamed.thread_id()));
}

#[tokio::test]
async fn user_message_attachment_thread_id_persisted_on_add_user_message() {
    let processor = processor(TestServer::new());
    let thread_id = stream(&processor, create("Start")).await.thread_id();
    let attachment = text_file("file_thread_id_on_add", None);
    processor
        .store()
        .save_attachment(&attachment, &ctx())
        .await
        .expect("the attachment is saved");

    let mut message = input("Second");
    message["attachments"] = json!(["file_thread_id_on_add"]);
    let streamed = stream(
        &processor,
        request(
            "threads.add_user_message",
            json!({ "thread_id": thread_id, "input": message }),
        ),
    )
    .await;

    let stored = processor
        .store()
        .load_attachment(&attachment.id, &ctx())
        .await
        .expect("the attachment is stored");
    assert_eq!(stored.thread_id, Some(thread_id.clone()));
    // The copy inside the message carries the link too.
    let ItemKind::UserMessage(message) = &streamed.done_items()[0].kind else {
        panic!("the first item done is the user's message");
    };
    assert_eq!(message.attachments[0].thread_id, Some(thread_id));
}

#[tokio::test]
async fn create_file_without_filestore() {
    // The reference raises a RuntimeError; here it is a typed `StoreError` naming the hook.
    let processor = processor(TestServer::new());

    let error = refused(&processor, create_attachment("text/plain")).await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::UploadsNotConfigured {
            operation: "create_attachment"
        })
    ));
}

#[tokio::test]
async fn delete_file() {
    let files = InMemoryFileStore::default();
    let existing = text_file("test-file-id", None);
    files
        .files
        .lock()
        .expect("not poisoned")
        .insert(existing.id.clone(), existing.clone());
    let processor = builder(TestServer::new())
        .attachments(files.clone())
        .build();
    // The record must be the caller's: an unknown id is a 404 here (the reference answers
    // `{}`; see README, "Differences from the Python SDK").
    processor
        .store()
        .save_attachment(&existing, &ctx())
        .await
        .expect("the record is saved");

    let body = json_body(
        &processor,
        request(
            "attachments.delete",
            json!({ "attachment_id": "test-file-id" }),
        ),
    )
    .await;

    assert_eq!(&body[..], b"{}");
    assert!(files.files().is_empty());
}

#[tokio::test]
async fn delete_file_without_filestore() {
    let processor = processor(TestServer::new());
    processor
        .store()
        .save_attachment(&text_file("test-file-id", None), &ctx())
        .await
        .expect("the record is saved");

    let error = refused(
        &processor,
        request(
            "attachments.delete",
            json!({ "attachment_id": "test-file-id" }),
        ),
    )
    .await;

    assert!(matches!(
        error,
        ProcessError::Store(StoreError::UploadsNotConfigured {
            operation: "delete_attachment"
        })
    ));
}
