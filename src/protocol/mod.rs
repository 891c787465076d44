//! The ChatKit wire protocol: every JSON shape a ChatKit client and server exchange.
//!
//! These are plain data types with serde, no async and no I/O. They serialize exactly as the
//! Python SDK (`openai-chatkit` 1.6.5, `chatkit/types.py`) does: the same field order, nulls
//! left out, defaults written. `fixtures/protocol/` holds payloads produced by the SDK itself,
//! and the test suite proves every one of them round-trips through these types byte for byte.
//!
//! Find a type by what it is:
//!
//! | module | holds |
//! |---|---|
//! | [`request`] | `Request`, the 16 operations and their params |
//! | [`event`] | `ThreadStreamEvent`, the 12 stream events |
//! | [`item_update`] | `ThreadItemUpdate`, the 10 updates of a pending item |
//! | [`item`] | `ThreadItem`, the 11 item kinds |
//! | [`thread`] | `Thread`, `ThreadMetadata`, `ThreadStatus` |
//! | [`page`] | `Page<T>` and `Order` |
//! | [`user_message`] | what the user sends: input, content parts, inference options |
//! | [`assistant`] | assistant content parts and annotations |
//! | [`source`] | URL, file and entity sources |
//! | [`attachment`] | attachments and upload descriptors |
//! | [`workflow`] | workflows, summaries and the five task kinds |
//! | [`structured_input`] | questions, answers and submissions |
//! | [`action`] | widget actions and their configs |
//! | [`widget`] | the widget tree |
//! | [`icon`] | icon names |
//! | [`error_code`] | error codes and notice levels |
//! | [`response`] | the transcription and sync-action bodies |
//! | [`timestamp`], [`ids`] | `Timestamp` and the id newtypes |
//! | [`encoding`] | wire versus store JSON (attachment metadata) |
//! | [`error`] | `ProtocolError`, why a request did not decode |

pub mod action;
pub mod assistant;
pub mod attachment;
pub mod encoding;
pub mod error;
pub mod error_code;
pub mod event;
pub mod icon;
pub mod ids;
pub mod item;
pub mod item_update;
mod literal;
pub mod page;
pub mod request;
pub mod response;
pub mod source;
pub mod structured_input;
pub mod thread;
pub mod timestamp;
pub mod user_message;
pub mod widget;
pub mod workflow;

pub use action::{Action, ActionConfig};
pub use assistant::{Annotation, AssistantMessageContent};
pub use attachment::{Attachment, AttachmentKind, UploadDescriptor, UploadMethod};
pub use encoding::{to_store_json, to_store_value, to_wire_json};
pub use error::ProtocolError;
pub use error_code::{ErrorCode, NoticeLevel};
pub use event::{ErrorEvent, StreamOptions, ThreadStreamEvent};
pub use icon::IconName;
pub use ids::{AttachmentId, ItemId, ThreadId};
pub use item::{
    AssistantMessage, ClientToolCall, ClientToolCallStatus, GeneratedImage, ItemKind, ThreadItem,
    UserMessage, UserMessageItem,
};
pub use item_update::ThreadItemUpdate;
pub use page::{Order, Page};
pub use request::{Request, RequestOp};
pub use response::{SyncCustomActionResponse, TranscriptionResult};
pub use source::{EntitySource, FileSource, Source, SourceBase, UrlSource};
pub use structured_input::{
    StructuredInput, StructuredInputAnswer, StructuredInputKind, StructuredInputStatus,
    StructuredInputSubmission,
};
pub use thread::{Thread, ThreadMetadata, ThreadStatus};
pub use timestamp::Timestamp;
pub use user_message::{InferenceOptions, ToolChoice, UserMessageContent, UserMessageInput};
pub use widget::{WidgetComponent, WidgetRoot};
pub use workflow::{Task, TaskKind, TaskStatusIndicator, Workflow, WorkflowKind, WorkflowSummary};
