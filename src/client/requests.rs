//! One method per operation of the protocol, so that a caller never writes a request by hand,
//! and [`ThreadPages`], which walks the user's threads page by page.
//!
//! Each method builds its params from the [`protocol::request`](crate::protocol::request)
//! types and sends them with [`Client::stream`] (the six streaming operations, which answer
//! an [`EventStream`]) or [`Client::json`] (the ten others, which answer the decoded body).
//! Operations that answer `{}` return `()`.
//!
//! Where it sits: methods of [`Client`]; the HTTP itself is in `transport.rs`.

use serde::de::IgnoredAny;
use serde_json::Value;

use super::error::ClientError;
use super::stream::EventStream;
use super::transport::Client;
use crate::protocol::request::{
    AttachmentsCreateParams, AttachmentsDeleteParams, FeedbackKind, InputTranscribeParams,
    ItemsFeedbackParams, ItemsListParams, ThreadsAddClientToolOutputParams,
    ThreadsAddStructuredInputParams, ThreadsAddUserMessageParams, ThreadsCreateParams,
    ThreadsCustomActionParams, ThreadsDeleteParams, ThreadsGetByIdParams, ThreadsListParams,
    ThreadsRetryAfterItemParams, ThreadsUpdateParams,
};
use crate::protocol::{
    Action, Attachment, AttachmentId, ItemId, Order, Page, RequestOp, StructuredInputSubmission,
    SyncCustomActionResponse, Thread, ThreadId, ThreadItem, TranscriptionResult, UserMessageInput,
};

/// The six streaming operations.
impl Client {
    /// `threads.create`: a new thread from its first message.
    ///
    /// # Errors
    ///
    /// See [`Client::send`].
    pub async fn create_thread(&self, input: UserMessageInput) -> Result<EventStream, ClientError> {
        self.stream(RequestOp::ThreadsCreate(ThreadsCreateParams { input }))
            .await
    }

    /// `threads.add_user_message`: the next message of a thread.
    ///
    /// # Errors
    ///
    /// See [`Client::send`].
    pub async fn add_user_message(
        &self,
        thread_id: &ThreadId,
        input: UserMessageInput,
    ) -> Result<EventStream, ClientError> {
        let params = ThreadsAddUserMessageParams {
            input,
            thread_id: thread_id.clone(),
        };
        self.stream(RequestOp::ThreadsAddUserMessage(params)).await
    }

    /// `threads.add_client_tool_output`: what the client tool returned for the thread's
    /// pending call; the server then continues the turn.
    ///
    /// # Errors
    ///
    /// See [`Client::send`].
    pub async fn add_client_tool_output(
        &self,
        thread_id: &ThreadId,
        result: Value,
    ) -> Result<EventStream, ClientError> {
        let params = ThreadsAddClientToolOutputParams {
            thread_id: thread_id.clone(),
            result,
        };
        self.stream(RequestOp::ThreadsAddClientToolOutput(params))
            .await
    }

    /// `threads.add_structured_input`: the answers to a structured-input item.
    ///
    /// # Errors
    ///
    /// See [`Client::send`].
    pub async fn add_structured_input(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
        input: StructuredInputSubmission,
    ) -> Result<EventStream, ClientError> {
        let params = ThreadsAddStructuredInputParams {
            thread_id: thread_id.clone(),
            item_id: item_id.clone(),
            input,
        };
        self.stream(RequestOp::ThreadsAddStructuredInput(params))
            .await
    }

    /// `threads.retry_after_item`: answer the user message `item_id` again; what followed it
    /// is deleted.
    ///
    /// # Errors
    ///
    /// See [`Client::send`].
    pub async fn retry_after_item(
        &self,
        thread_id: &ThreadId,
        item_id: &ItemId,
    ) -> Result<EventStream, ClientError> {
        let params = ThreadsRetryAfterItemParams {
            thread_id: thread_id.clone(),
            item_id: item_id.clone(),
        };
        self.stream(RequestOp::ThreadsRetryAfterItem(params)).await
    }

    /// `threads.custom_action`: a widget action, answered with a stream.
    ///
    /// # Errors
    ///
    /// See [`Client::send`].
    pub async fn custom_action(
        &self,
        thread_id: &ThreadId,
        item_id: Option<&ItemId>,
        action: Action,
    ) -> Result<EventStream, ClientError> {
        let params = action_params(thread_id, item_id, action);
        self.stream(RequestOp::ThreadsCustomAction(params)).await
    }
}

/// The ten JSON operations.
impl Client {
    /// `threads.get_by_id`: the thread with its *oldest* 20 visible items.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn get_thread(&self, thread_id: &ThreadId) -> Result<Thread, ClientError> {
        let params = ThreadsGetByIdParams {
            thread_id: thread_id.clone(),
        };
        self.json(RequestOp::ThreadsGetById(params)).await
    }

    /// `threads.list`: one page of the user's threads, each without items.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn list_threads(&self, page: ThreadsListParams) -> Result<Page<Thread>, ClientError> {
        self.json(RequestOp::ThreadsList(page)).await
    }

    /// `items.list`: one page of a thread's visible items.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn list_items(&self, page: ItemsListParams) -> Result<Page<ThreadItem>, ClientError> {
        self.json(RequestOp::ItemsList(page)).await
    }

    /// `items.feedback`: thumbs up or down on items.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn feedback(
        &self,
        thread_id: &ThreadId,
        item_ids: Vec<ItemId>,
        kind: FeedbackKind,
    ) -> Result<(), ClientError> {
        let params = ItemsFeedbackParams {
            thread_id: thread_id.clone(),
            item_ids,
            kind,
        };
        self.empty(RequestOp::ItemsFeedback(params)).await
    }

    /// `attachments.create`: registers a file; the answer says where to upload its bytes.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn create_attachment(
        &self,
        params: AttachmentsCreateParams,
    ) -> Result<Attachment, ClientError> {
        self.json(RequestOp::AttachmentsCreate(params)).await
    }

    /// `attachments.delete`.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn delete_attachment(&self, attachment_id: &AttachmentId) -> Result<(), ClientError> {
        let params = AttachmentsDeleteParams {
            attachment_id: attachment_id.clone(),
        };
        self.empty(RequestOp::AttachmentsDelete(params)).await
    }

    /// `threads.update`: renames a thread; the answer is the thread without items.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn update_thread(
        &self,
        thread_id: &ThreadId,
        title: impl Into<String>,
    ) -> Result<Thread, ClientError> {
        let params = ThreadsUpdateParams {
            thread_id: thread_id.clone(),
            title: title.into(),
        };
        self.json(RequestOp::ThreadsUpdate(params)).await
    }

    /// `threads.delete`: the thread and all its items.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn delete_thread(&self, thread_id: &ThreadId) -> Result<(), ClientError> {
        let params = ThreadsDeleteParams {
            thread_id: thread_id.clone(),
        };
        self.empty(RequestOp::ThreadsDelete(params)).await
    }

    /// `input.transcribe`: dictated audio (base64) to text.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn transcribe(
        &self,
        audio_base64: String,
        mime_type: String,
    ) -> Result<TranscriptionResult, ClientError> {
        let params = InputTranscribeParams {
            audio_base64,
            mime_type,
        };
        self.json(RequestOp::InputTranscribe(params)).await
    }

    /// `threads.sync_custom_action`: a widget action answered at once with the item to show
    /// in place of the old one, if any.
    ///
    /// # Errors
    ///
    /// See [`Client::json`].
    pub async fn sync_custom_action(
        &self,
        thread_id: &ThreadId,
        item_id: Option<&ItemId>,
        action: Action,
    ) -> Result<SyncCustomActionResponse, ClientError> {
        let params = action_params(thread_id, item_id, action);
        self.json(RequestOp::ThreadsSyncCustomAction(params)).await
    }

    /// The pages of the user's threads, `limit` at a time, in `order`.
    pub fn thread_pages(&self, limit: u32, order: Order) -> ThreadPages<'_> {
        ThreadPages {
            client: self,
            params: Some(ThreadsListParams {
                limit: Some(limit),
                order,
                after: None,
            }),
        }
    }

    /// Every thread of the user, walking [`Client::thread_pages`] to the end.
    ///
    /// # Errors
    ///
    /// The first failed page.
    pub async fn all_threads(&self, limit: u32, order: Order) -> Result<Vec<Thread>, ClientError> {
        let mut pages = self.thread_pages(limit, order);
        let mut threads = Vec::new();
        while let Some(page) = pages.next_page().await {
            threads.extend(page?.data);
        }
        Ok(threads)
    }

    /// A JSON operation that answers `{}`: the body must be JSON, its content is not used.
    async fn empty(&self, op: RequestOp) -> Result<(), ClientError> {
        self.json::<IgnoredAny>(op).await.map(|_| ())
    }
}

/// The params shared by both custom-action operations.
fn action_params(
    thread_id: &ThreadId,
    item_id: Option<&ItemId>,
    action: Action,
) -> ThreadsCustomActionParams {
    ThreadsCustomActionParams {
        thread_id: thread_id.clone(),
        item_id: item_id.cloned(),
        action,
    }
}

/// Walks `threads.list` one page at a time, sending each page's `after` back as the cursor,
/// until a page says `has_more: false`.
#[derive(Debug)]
pub struct ThreadPages<'a> {
    client: &'a Client,
    /// The next request; `None` once the last page was read (or a page failed).
    params: Option<ThreadsListParams>,
}

impl ThreadPages<'_> {
    /// The next page; `None` after the last one.
    ///
    /// # Errors
    ///
    /// A failed request; the walk ends there.
    pub async fn next_page(&mut self) -> Option<Result<Page<Thread>, ClientError>> {
        let params = self.params.take()?;
        let page = match self.client.list_threads(params.clone()).await {
            Ok(page) => page,
            Err(error) => return Some(Err(error)),
        };
        // A server that says `has_more` without a cursor would make us ask for the first page
        // forever; stopping there is the only safe reading.
        if page.has_more
            && let Some(after) = &page.after
        {
            self.params = Some(ThreadsListParams {
                after: Some(ThreadId::new(after.clone())),
                ..params
            });
        }
        Some(Ok(page))
    }
}
