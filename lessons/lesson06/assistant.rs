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
use chatkit::protocol::Attachment;
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
}
// ANCHOR_END: server
