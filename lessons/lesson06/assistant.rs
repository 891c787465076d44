//! The lesson's assistant: an agent that knows who is asking (from the verified token, and
//! nothing else) and sees the files the user attached.
//!
//! Shared by `main.rs`, `tests/lessons.rs` (the recorded transcripts) and `tests/grade.rs`.

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{ConvertError, ThreadItemConverter, thread_to_agent_input};
use chatkit::agent::{Agent, Instructions, Runner};
use chatkit::attachments::DiskAttachments;
use chatkit::auth::Principal;
use chatkit::prelude::*;
use chatkit::protocol::{Action, Attachment, ItemId, ItemKind, ThreadId, ThreadItem};
use chatkit::server::ProcessError;
use serde::Deserialize;
use serde_json::Value;

// ANCHOR: agent
/// The assistant. Its instructions name the caller, filled in for every run from the
/// [`Principal`] the router built from the verified token: the model can greet alice by name,
/// and no message, header or body field can make it call her someone else.
pub(crate) fn agent(model: &str) -> Agent<Principal> {
    Agent::new("assistant")
        .instructions(Instructions::template_with(
            "You are a helpful assistant. The user's name is {{ context.user }}; \
             they work in {{ context.tenant }}. Describe any attached file briefly.",
            |caller: &Principal| {
                minijinja::context! { user => caller.user(), tenant => caller.tenant() }
            },
        ))
        .model(model)
}
// ANCHOR_END: agent

// ANCHOR: converter
/// Thread items to model input, attachments included: each one becomes an `input_image` or
/// `input_file` part with the bytes inline, read from the disk store that received the upload.
pub(crate) struct WithAttachments {
    pub(crate) files: DiskAttachments,
}

#[async_trait]
impl ThreadItemConverter for WithAttachments {
    async fn attachment_to_message_content(
        &self,
        attachment: &Attachment,
    ) -> Result<Value, ConvertError> {
        self.files.to_message_content(attachment).await
    }
}
// ANCHOR_END: converter

// ANCHOR: server
/// A ChatKit server whose answers are agent runs, for authenticated callers.
pub(crate) struct Assistant {
    pub(crate) runner: Runner,
    pub(crate) agent: Arc<Agent<Principal>>,
    pub(crate) converter: Arc<WithAttachments>,
}

impl ChatKitServer<Principal> for Assistant {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        caller: Principal,
        out: Responder<Principal>,
    ) -> EventStream {
        try_stream! {
            // The store hands back only the caller's own thread: `caller` is the owner key.
            let input =
                thread_to_agent_input(out.store(), &thread.id, &caller, self.converter.as_ref())
                    .await?;
            let run = self.runner.run_streamed(self.agent.clone(), input, caller);
            let mut events = stream_agent_response(ResponseMapper::new(out), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }

    // ANCHOR: action
    /// The one widget action, `quote`: repeat an earlier message of the user's, named by the
    /// payload `{"thread_id": "thr_…", "item_id": "msg_…"}`. The payload comes back from the
    /// client, which may have written it itself, so the item is loaded through the store *as
    /// the caller*: another user's id is "not found", exactly as if it did not exist.
    fn action(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        action: Action,
        _sender: Option<ThreadItem>,
        caller: Principal,
        out: Responder<Principal>,
    ) -> Result<EventStream, ProcessError> {
        let target = QuoteTarget::from_action(action)?;
        Ok(try_stream! {
            let item = out.store().load_item(&target.thread_id, &target.item_id, &caller).await?;
            let words = match item.kind {
                ItemKind::UserMessage(message) => message.text(),
                _ => String::from("(only your own messages can be quoted)"),
            };
            yield out.assistant_message(format!("You said: {words}"));
        }
        .boxed())
    }
    // ANCHOR_END: action
}
// ANCHOR_END: server

/// The payload of a `quote` action: which item, in which thread.
#[derive(Debug, Deserialize)]
struct QuoteTarget {
    thread_id: ThreadId,
    item_id: ItemId,
}

impl QuoteTarget {
    /// The target a `quote` action names; any other action, or a payload without both ids, is
    /// a 400 before anything runs.
    fn from_action(action: Action) -> Result<Self, ProcessError> {
        if action.kind != "quote" {
            return Err(ProcessError::BadInput {
                message: format!("unknown action {}", action.kind),
            });
        }
        let payload = action.payload.unwrap_or_default();
        serde_json::from_value(payload).map_err(|error| ProcessError::BadInput {
            message: format!("a quote names a thread_id and an item_id: {error}"),
        })
    }
}
