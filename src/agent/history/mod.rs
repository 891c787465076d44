//! History: turning a thread's stored items into the model's input.
//!
//! Each turn, a ChatKit server sends the model the conversation so far. It has no transcript
//! of earlier model calls, only the thread: user and assistant messages, client tool calls,
//! widgets, workflows, hidden context… This module converts those items into Responses API
//! input items (protocol#history), with exactly the texts the Python SDK writes, so a model
//! sees the same conversation from either server.
//!
//! ```text
//! Store ─► load_history (20 newest, oldest first) ─► ThreadItemConverter::to_agent_input
//!       ─► Vec<InputItem> ─► Runner::run_streamed
//! ```
//!
//! * [`ThreadItemConverter`]: one hook per item kind, each with the reference's default.
//!   [`DefaultConverter`] uses every default; [`simple_to_agent_input`] is the shortcut.
//! * [`load_history`] / [`thread_to_agent_input`]: the 20-item window the SDK's docs build.
//! * [`load_history_window`]: the end of the thread within a [`HistoryBudget`] of items and
//!   tokens, paged with the cursor and converted by the server's converter (protocol#history).
//! * [`text_tokens`] / [`input_tokens`]: counting with the o200k tokenizer, which the token
//!   budget uses.
//! * [`python_json_dumps`]: Python's `json.dumps`, which the client tool call texts need.
//!
//! # Why a trait with default methods
//!
//! Python apps customise the converter by subclassing `ThreadItemConverter` and overriding
//! a method. The Rust idiom for "a set of behaviours, each with a default you may replace" is
//! a trait with provided methods, the way `Iterator` gives you `map` and `filter` once you write
//! `next`: implement the trait for your own struct and write only the hooks you change.
//! The alternative, a struct holding one boxed closure per hook, makes every override a field
//! assignment with a long closure type, and a hook could not call another hook or the
//! converter's own state. The hooks are `async` (via `async_trait`, as the store's are)
//! because a real hook may do I/O: an attachment hook typically loads the file to send it.
//!
//! # Hooks the app must write
//!
//! Three defaults fail, as in the reference, because only the app knows what a tag, an
//! attachment or a JSON hidden context means: [`ThreadItemConverter::tag_to_message_content`],
//! [`ThreadItemConverter::attachment_to_message_content`], and
//! [`ThreadItemConverter::hidden_context_to_input`] for content that is not a string. They
//! return [`ConvertError::NotImplemented`] with the reference's own message (where Python
//! raises `NotImplementedError`), so a thread with a tag or an attachment cannot be converted
//! by [`DefaultConverter`].
//!
//! # Widgets are written as stored
//!
//! The widget text is the widget's JSON as it is stored. The reference writes a widget with
//! pydantic's `exclude_unset`, so its output depends on how the Python object was made: read
//! back from a store (or built from a template), it is the stored JSON, which is what we write
//! and what the fixtures record; built in Python with the component classes and never stored
//! (an in-memory store keeping live objects), it moves `type` last in every node and leaves out
//! defaults that were not set. Rust values do not remember which fields were set, and a turn's
//! history always comes from the store.
//!
//! Python counterpart: `chatkit/agents.py` (`ThreadItemConverter`, `simple_to_agent_input`)
//! and the history snippet of the SDK's docs (`load_thread_items(limit=20, order="desc")`,
//! then reversed). Checked against the reference by `tests/history.rs`, on the fixtures
//! `reference/record_history.py` records.

mod python_json;
mod tokens;
mod window;

use std::collections::HashSet;

use async_trait::async_trait;
use serde_json::{Map, Value, json};

pub use python_json::python_json_dumps;
pub use tokens::{TOKENS_PER_ITEM, input_item_tokens, input_tokens, text_tokens};
pub use window::{HistoryBudget, HistoryWindow, WINDOW_PAGE_SIZE, load_history_window};

use crate::protocol::item::{
    AssistantMessage, ClientToolCall, ClientToolCallStatus, GeneratedImage, ItemKind, UserMessage,
};
use crate::protocol::{
    Attachment, Order, StructuredInput, StructuredInputStatus, Task, TaskKind, ThreadId,
    ThreadItem, UserMessageContent, WidgetRoot, Workflow,
};
use crate::provider::InputItem;
use crate::provider::events::{
    FunctionCall, FunctionCallOutput, InputMessage, MessageContent, TypedInputItem,
};
use crate::store::{PageRequest, Store, StoreContext, StoreError};

/// How many of the newest items a turn sends to the model, as in the SDK's docs.
pub const HISTORY_LIMIT: usize = 20;

/// The three lines that open the @-mention context message (the reference's `cleandoc` text).
pub const MENTIONS_PREAMBLE: &str = "# User-provided context for @-mentions\n\
    - When referencing resolved entities, use their canonical names **without** '@'.\n\
    - The '@' form appears only in user text and should not be echoed.";

/// Why items could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// A hook the app must implement was needed; the message is the reference's own
    /// `NotImplementedError` text.
    #[error("{message}")]
    NotImplemented {
        /// The hook's name, e.g. `"tag_to_message_content"`.
        hook: &'static str,
        /// What the reference says.
        message: &'static str,
    },
    /// An app's hook failed (a file could not be loaded, say).
    #[error("{0}")]
    Hook(String),
    /// A value could not be written as JSON.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Why a thread's history could not be built.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Loading the items failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Converting them failed.
    #[error(transparent)]
    Convert(#[from] ConvertError),
}

/// An @-mention tag of a user message, as the tag hook sees it (the fields of
/// [`UserMessageContent::Tag`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MentionTag<'a> {
    /// The tagged entity's id.
    pub id: &'a str,
    /// The text shown for the tag (and, after an `@`, in the user's text).
    pub text: &'a str,
    /// Data the client attached.
    pub data: &'a Map<String, Value>,
    /// The group the tag was picked from.
    pub group: Option<&'a str>,
    /// Whether the tag reacts to clicks.
    pub interactive: bool,
}

// ANCHOR: converter
/// Converts thread items into model input, one hook per item kind.
///
/// Every hook returns the input items for one thread item (possibly none). Override a hook
/// to change how that kind reaches the model; call [`ThreadItemConverter::to_agent_input`]
/// to convert a list. Each hook gets the whole item (for its id) and its kind's fields.
///
/// ```
/// use async_trait::async_trait;
/// use chatkit::agent::history::{ConvertError, MentionTag, ThreadItemConverter, input_text};
/// use serde_json::Value;
///
/// /// Tags are people; the model gets their id.
/// struct PeopleConverter;
///
/// #[async_trait]
/// impl ThreadItemConverter for PeopleConverter {
///     async fn tag_to_message_content(&self, tag: MentionTag<'_>) -> Result<Value, ConvertError> {
///         Ok(input_text(format!("{} is the person with id {}", tag.text, tag.id)))
///     }
/// }
/// ```
#[async_trait]
pub trait ThreadItemConverter: Send + Sync {
    /// One content part for an attachment of a user message.
    ///
    /// # Errors
    ///
    /// By default [`ConvertError::NotImplemented`]: only the app knows how to send its files
    /// (an `input_file` with an uploaded file id, an `input_image` with a reachable URL, …).
    async fn attachment_to_message_content(
        &self,
        attachment: &Attachment,
    ) -> Result<Value, ConvertError> {
        let _ = attachment;
        Err(ConvertError::NotImplemented {
            hook: "attachment_to_message_content",
            message: "An Attachment was included in a UserMessageItem but \
                      Converter.attachment_to_message_content was not implemented",
        })
    }

    /// One content part describing a tagged entity, sent after [`MENTIONS_PREAMBLE`]. Called
    /// once per distinct tag text.
    ///
    /// # Errors
    ///
    /// By default [`ConvertError::NotImplemented`]: only the app knows what its tags stand for.
    async fn tag_to_message_content(&self, tag: MentionTag<'_>) -> Result<Value, ConvertError> {
        let _ = tag;
        Err(ConvertError::NotImplemented {
            hook: "tag_to_message_content",
            message: "A Tag was included in a UserMessageItem but \
                      Converter.tag_to_message_content is not implemented",
        })
    }

    /// A user message: the text (tags as `@text`) plus one part per attachment; then, if the
    /// item is the last one converted, the quoted text; then the @-mention context.
    ///
    /// # Errors
    ///
    /// Whatever the attachment and tag hooks return.
    async fn user_message_to_input(
        &self,
        item: &ThreadItem,
        message: &UserMessage,
        is_last: bool,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        let (text, tags) = text_and_tags(message);
        let mut parts = vec![input_text(text)];
        for attachment in &message.attachments {
            parts.push(self.attachment_to_message_content(attachment).await?);
        }
        let mut out = vec![user_message(parts)];

        // A quote matters only for the message being answered now; in older messages the
        // reference drops it (`is_last_message`), and so do we.
        if let Some(quote) = message.quoted_text.as_deref()
            && !quote.is_empty()
            && is_last
        {
            out.push(user_text_message(format!(
                "The user is referring to this in particular: \n{quote}"
            )));
        }

        if !tags.is_empty() {
            // One part per distinct tag *text*, in first-seen order, as the reference dedupes.
            let mut seen = HashSet::new();
            let mut parts = vec![input_text(MENTIONS_PREAMBLE)];
            for tag in tags.into_iter().filter(|tag| seen.insert(tag.text)) {
                parts.push(self.tag_to_message_content(tag).await?);
            }
            out.push(user_message(parts));
        }
        Ok(out)
    }

    /// An assistant message: one `output_text` part per content part, annotations dropped
    /// (the reference leaves them out too, with a TODO).
    ///
    /// # Errors
    ///
    /// None by default.
    async fn assistant_message_to_input(
        &self,
        item: &ThreadItem,
        message: &AssistantMessage,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        let parts = message
            .content
            .iter()
            .map(|part| {
                // The reference dumps an `openai` `ResponseOutputText`, which writes
                // `logprobs: null`; the fixtures check the key is there.
                json!({"annotations": [], "text": part.text, "type": "output_text", "logprobs": null})
            })
            .collect();
        Ok(vec![message_item("assistant", parts)])
    }

    /// A client tool call: nothing while pending; once answered, the `function_call` and its
    /// `function_call_output`, both written with Python's `json.dumps`.
    ///
    /// # Errors
    ///
    /// None by default.
    async fn client_tool_call_to_input(
        &self,
        item: &ThreadItem,
        call: &ClientToolCall,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        if call.status == ClientToolCallStatus::Pending {
            // The model cannot be shown a call without its output.
            return Ok(Vec::new());
        }
        let arguments = python_json_dumps(&Value::Object(call.arguments.clone()));
        let output = python_json_dumps(call.output.as_ref().unwrap_or(&Value::Null));
        Ok(vec![
            InputItem::Typed(TypedInputItem::FunctionCall(FunctionCall {
                id: None,
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                arguments,
                status: None,
            })),
            InputItem::Typed(TypedInputItem::FunctionCallOutput(FunctionCallOutput {
                call_id: call.call_id.clone(),
                output,
            })),
        ])
    }

    /// An end-of-turn marker: nothing (it is a hint for the client).
    ///
    /// # Errors
    ///
    /// None by default.
    async fn end_of_turn_to_input(
        &self,
        item: &ThreadItem,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        Ok(Vec::new())
    }

    /// A widget: a sentence naming the item, then the widget's JSON as stored (see the
    /// module docs).
    ///
    /// # Errors
    ///
    /// [`ConvertError::Json`] if the widget cannot be written.
    async fn widget_to_input(
        &self,
        item: &ThreadItem,
        widget: &WidgetRoot,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let text = format!(
            "The following graphical UI widget (id: {}) was displayed to the user:{}",
            item.id,
            serde_json::to_string(widget)?
        );
        Ok(vec![user_text_message(text)])
    }

    /// A workflow: one message per custom task that has a title or content; other tasks (so
    /// every reasoning workflow) give nothing.
    ///
    /// # Errors
    ///
    /// None by default.
    async fn workflow_to_input(
        &self,
        item: &ThreadItem,
        workflow: &Workflow,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        Ok(workflow
            .tasks
            .iter()
            .filter_map(task_text)
            .map(user_text_message)
            .collect())
    }

    /// A task item: like one workflow task.
    ///
    /// # Errors
    ///
    /// None by default.
    async fn task_to_input(
        &self,
        item: &ThreadItem,
        task: &Task,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        Ok(task_text(task).map(user_text_message).into_iter().collect())
    }

    /// A structured-input form: its status and one line per question with the answer.
    ///
    /// # Errors
    ///
    /// None by default.
    async fn structured_input_to_input(
        &self,
        item: &ThreadItem,
        status: StructuredInputStatus,
        inputs: &[StructuredInput],
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        Ok(vec![user_text_message(structured_input_text(
            status, inputs,
        ))])
    }

    /// Hidden context stored by the app: a string inside `<HiddenContext>` tags.
    ///
    /// # Errors
    ///
    /// [`ConvertError::NotImplemented`] when the content is not a string: override this hook
    /// to send JSON context.
    async fn hidden_context_to_input(
        &self,
        item: &ThreadItem,
        content: &Value,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        match content {
            Value::String(text) => Ok(vec![user_text_message(hidden_context_text(text))]),
            _ => Err(ConvertError::NotImplemented {
                hook: "hidden_context_to_input",
                message: "HiddenContextItems with non-string content were present in a user \
                          message but a Converter.hidden_context_to_input was not implemented",
            }),
        }
    }

    /// Hidden context stored by the server itself (e.g. the note that a stream was
    /// cancelled): the same `<HiddenContext>` text.
    ///
    /// # Errors
    ///
    /// None by default.
    async fn sdk_hidden_context_to_input(
        &self,
        item: &ThreadItem,
        content: &str,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        Ok(vec![user_text_message(hidden_context_text(content))])
    }

    /// A generated image: a sentence and the image by URL; nothing while there is no image.
    /// Override it when the URL is not reachable by the model provider.
    ///
    /// # Errors
    ///
    /// None by default.
    async fn generated_image_to_input(
        &self,
        item: &ThreadItem,
        image: Option<&GeneratedImage>,
    ) -> Result<Vec<InputItem>, ConvertError> {
        let _ = item;
        let Some(image) = image else {
            return Ok(Vec::new());
        };
        Ok(vec![user_message(vec![
            input_text("The following image was generated by the agent."),
            json!({"type": "input_image", "detail": "auto", "image_url": image.url}),
        ])])
    }

    /// Picks the hook for one item. `is_last` says whether it is the last item converted.
    ///
    /// # Errors
    ///
    /// Whatever the hook returns.
    async fn item_to_input(
        &self,
        item: &ThreadItem,
        is_last: bool,
    ) -> Result<Vec<InputItem>, ConvertError> {
        match &item.kind {
            ItemKind::UserMessage(message) => {
                self.user_message_to_input(item, message, is_last).await
            }
            ItemKind::AssistantMessage(message) => {
                self.assistant_message_to_input(item, message).await
            }
            ItemKind::ClientToolCall(call) => self.client_tool_call_to_input(item, call).await,
            ItemKind::EndOfTurn => self.end_of_turn_to_input(item).await,
            ItemKind::Widget { widget, .. } => self.widget_to_input(item, widget).await,
            ItemKind::Workflow { workflow } => self.workflow_to_input(item, workflow).await,
            ItemKind::Task { task } => self.task_to_input(item, task).await,
            ItemKind::StructuredInput { status, inputs } => {
                self.structured_input_to_input(item, *status, inputs).await
            }
            ItemKind::HiddenContext { content } => {
                self.hidden_context_to_input(item, content).await
            }
            ItemKind::SdkHiddenContext { content } => {
                self.sdk_hidden_context_to_input(item, content).await
            }
            ItemKind::GeneratedImage { image } => {
                self.generated_image_to_input(item, image.as_ref()).await
            }
        }
    }

    /// Converts items, oldest first, into model input.
    ///
    /// # Errors
    ///
    /// The first error a hook returns.
    async fn to_agent_input(&self, items: &[ThreadItem]) -> Result<Vec<InputItem>, ConvertError> {
        let mut input = Vec::new();
        for (i, item) in items.iter().enumerate() {
            input.extend(self.item_to_input(item, i + 1 == items.len()).await?);
        }
        Ok(input)
    }
}
// ANCHOR_END: converter

/// The converter with every default hook: the reference's `ThreadItemConverter()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultConverter;

impl ThreadItemConverter for DefaultConverter {}

/// Converts items with [`DefaultConverter`], like the reference's `simple_to_agent_input`.
///
/// # Errors
///
/// [`ConvertError::NotImplemented`] if an item needs a hook the default converter lacks (a tag,
/// an attachment, JSON hidden context).
pub async fn simple_to_agent_input(items: &[ThreadItem]) -> Result<Vec<InputItem>, ConvertError> {
    DefaultConverter.to_agent_input(items).await
}

// ANCHOR: load_history
/// The items a turn sends to the model: the [`HISTORY_LIMIT`] newest items of the thread,
/// hidden ones included, oldest first.
///
/// It loads them newest first and reverses them, as the SDK's docs do, so the window is the
/// *end* of the thread however long it is.
///
/// # Errors
///
/// Whatever the store returns.
pub async fn load_history<S, C>(
    store: &S,
    thread_id: &ThreadId,
    ctx: &C,
) -> Result<Vec<ThreadItem>, StoreError>
where
    S: Store<C> + ?Sized,
    C: StoreContext + ?Sized,
{
    let newest_first = PageRequest::first(HISTORY_LIMIT, Order::Desc);
    let mut items = store
        .load_thread_items(thread_id, &newest_first, ctx)
        .await?
        .data;
    items.reverse();
    Ok(items)
}

/// [`load_history`], then [`ThreadItemConverter::to_agent_input`]: the input of a turn.
///
/// # Errors
///
/// [`HistoryError::Store`] if loading fails, [`HistoryError::Convert`] if a hook fails.
pub async fn thread_to_agent_input<S, C, V>(
    store: &S,
    thread_id: &ThreadId,
    ctx: &C,
    converter: &V,
) -> Result<Vec<InputItem>, HistoryError>
where
    S: Store<C> + ?Sized,
    C: StoreContext + ?Sized,
    V: ThreadItemConverter + ?Sized,
{
    let items = load_history(store, thread_id, ctx).await?;
    Ok(converter.to_agent_input(&items).await?)
}
// ANCHOR_END: load_history

// ---------------------------------------------------------------------------------------------
// Building blocks, public so that hooks can build the same shapes
// ---------------------------------------------------------------------------------------------

/// An `input_text` content part: `{"type":"input_text","text":"…"}`.
pub fn input_text(text: impl Into<String>) -> Value {
    json!({"type": "input_text", "text": text.into()})
}

/// A user message with these content parts: `{"type":"message","role":"user","content":[…]}`.
pub fn user_message(parts: Vec<Value>) -> InputItem {
    message_item("user", parts)
}

/// A user message with one `input_text` part.
pub fn user_text_message(text: impl Into<String>) -> InputItem {
    user_message(vec![input_text(text)])
}

/// A message input item of `role`, without an `id` or a `status`.
///
/// Items rebuilt from the store have no provider id to give (their ids are ChatKit's, which a
/// model provider would reject), and the reference's converter sends neither field.
fn message_item(role: &str, parts: Vec<Value>) -> InputItem {
    InputItem::Typed(TypedInputItem::Message(InputMessage {
        role: role.to_owned(),
        content: MessageContent::Parts(parts),
        id: None,
        status: None,
    }))
}

/// The user's text with each tag written as `@text`, and the tags in order.
///
/// The mention stays in the text where the user wrote it, so the sentence still reads; what
/// the tag *means* goes into a separate message built by the tag hook, once per tag.
fn text_and_tags(message: &UserMessage) -> (String, Vec<MentionTag<'_>>) {
    let mut text = String::new();
    let mut tags = Vec::new();
    for part in &message.content {
        match part {
            UserMessageContent::Text { text: part } => text.push_str(part),
            UserMessageContent::Tag {
                id,
                text: tag_text,
                data,
                group,
                interactive,
            } => {
                text.push('@');
                text.push_str(tag_text);
                tags.push(MentionTag {
                    id,
                    text: tag_text,
                    data,
                    group: group.as_deref(),
                    interactive: *interactive,
                });
            }
        }
    }
    (text, tags)
}

/// The text for a custom task with a title or content (`"title: content"`, or whichever is
/// set); `None` for other tasks. An empty string counts as unset, as Python's truthiness has it.
fn task_text(task: &Task) -> Option<String> {
    let TaskKind::Custom { title, content, .. } = &task.kind else {
        return None;
    };
    let title = title.as_deref().filter(|t| !t.is_empty());
    let content = content.as_deref().filter(|c| !c.is_empty());
    let performed = match (title, content) {
        (Some(title), Some(content)) => format!("{title}: {content}"),
        (Some(only), None) | (None, Some(only)) => only.to_owned(),
        (None, None) => return None,
    };
    Some(format!(
        "A message was displayed to the user that the following task was performed:\n\
         <Task>\n{performed}\n</Task>"
    ))
}

/// The wrapper around hidden context, in the reference's words: the tags let the model tell
/// what the user said from what the app added, and the tests compare it with the SDK's text.
fn hidden_context_text(content: &str) -> String {
    format!(
        "Hidden context for the agent (not shown to the user):\n\
         <HiddenContext>\n{content}\n</HiddenContext>"
    )
}

/// A structured input item as the model reads it: its status and one line per question.
fn structured_input_text(status: StructuredInputStatus, inputs: &[StructuredInput]) -> String {
    // Spelt out rather than serialized: the wire names, lowercase, exactly as the reference's
    // f-string prints them, with no JSON quotes around them.
    let status = match status {
        StructuredInputStatus::Pending => "pending",
        StructuredInputStatus::Answered => "answered",
        StructuredInputStatus::Skipped => "skipped",
    };
    let lines: Vec<String> = inputs
        .iter()
        .map(|input| {
            let answer = match &input.answer {
                None => "unanswered".to_owned(),
                Some(answer) if answer.skipped => "skipped".to_owned(),
                Some(answer) => answer.values.join(", "),
            };
            format!("- {}: {answer}", input.question)
        })
        .collect();
    format!(
        "A structured input request was displayed to the user with the following status: \
         {status}\n<StructuredInput>\n{}\n</StructuredInput>",
        lines.join("\n")
    )
}
