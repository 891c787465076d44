//! [`Conversation`]: a thread driven the way the official web component drives it: send a
//! message, fold the stream into a [`ThreadState`], hand `client_effect` events to the page,
//! and answer client tool calls.
//!
//! A client tool is a function the *browser* runs (read the page's selection, the user's
//! location). The server's model calls it by ending its stream with a `client_tool_call` item
//! whose status is `pending`. The official client then calls the integration's `onClientTool`
//! with the call's name and arguments, sends what it returns with
//! `threads.add_client_tool_output`, and reads the new stream the server answers with, which
//! may end with another call. [`ClientToolHandler`] is `onClientTool`, [`EffectHandler`] is
//! `onEffect`.
//!
//! Where it sits: on top of [`Client`] and [`ThreadState`]; the highest layer of
//! [`crate::client`].

use serde_json::{Map, Value};

use super::error::ClientError;
use super::state::ThreadState;
use super::stream::EventStream;
use super::transport::Client;
use crate::protocol::{
    ClientToolCall, ClientToolCallStatus, InferenceOptions, ItemId, ItemKind, ThreadId,
    ThreadStreamEvent, UserMessageContent, UserMessageInput,
};

/// Runs a client tool: gets the call (its `name` and `arguments`), returns its output, any
/// JSON. A closure `Fn(&ClientToolCall) -> Value` is one.
pub trait ClientToolHandler: Send + Sync {
    /// The output of `call`.
    fn call(&self, call: &ClientToolCall) -> Value;
}

impl<F: Fn(&ClientToolCall) -> Value + Send + Sync> ClientToolHandler for F {
    fn call(&self, call: &ClientToolCall) -> Value {
        self(call)
    }
}

/// Receives each `client_effect` as it arrives: its name and data.
pub type EffectHandler = Box<dyn FnMut(&str, &Map<String, Value>) + Send>;

/// One thread, seen and driven as a ChatKit UI does.
pub struct Conversation {
    client: Client,
    state: ThreadState,
    tools: Option<Box<dyn ClientToolHandler>>,
    effects: Option<EffectHandler>,
}

impl std::fmt::Debug for Conversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversation")
            .field("client", &self.client)
            .field("state", &self.state)
            .field("tools", &self.tools.is_some())
            .field("effects", &self.effects.is_some())
            .finish()
    }
}

impl Conversation {
    /// A new conversation (no thread yet) over `client`.
    pub fn new(client: Client) -> Self {
        Conversation {
            client,
            state: ThreadState::new(),
            tools: None,
            effects: None,
        }
    }

    /// Continues the thread `thread_id`, as a page that reopens it: the view starts from
    /// `threads.get_by_id` (the thread and its oldest 20 items), and the next
    /// [`Conversation::send_text`] adds to it.
    ///
    /// # Errors
    ///
    /// See [`Client::get_thread`].
    pub async fn resume(client: Client, thread_id: &ThreadId) -> Result<Self, ClientError> {
        let thread = client.get_thread(thread_id).await?;
        let mut conversation = Conversation::new(client);
        conversation.state.set_thread(thread);
        Ok(conversation)
    }

    /// Answers client tool calls with `handler`. Without one, a pending call is left pending
    /// (the turn waits, as it would in a page that has no `onClientTool`).
    pub fn on_client_tool(mut self, handler: impl ClientToolHandler + 'static) -> Self {
        self.tools = Some(Box::new(handler));
        self
    }

    /// Calls `handler` with each `client_effect` as it arrives (they are also collected in
    /// [`ThreadState::effects`]).
    pub fn on_effect(
        mut self,
        handler: impl FnMut(&str, &Map<String, Value>) + Send + 'static,
    ) -> Self {
        self.effects = Some(Box::new(handler));
        self
    }

    /// What the UI shows.
    pub fn state(&self) -> &ThreadState {
        &self.state
    }

    /// The client, for the requests a conversation does not wrap (feedback, rename, …).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The thread's id, once the first stream has named it.
    pub fn thread_id(&self) -> Option<&ThreadId> {
        self.state.thread.as_ref().map(|thread| &thread.id)
    }

    /// Sends `text` as the user: creates the thread on the first message, adds to it after.
    /// Reads the answer to its end, client tool round trips included.
    ///
    /// # Errors
    ///
    /// A refused request or a broken stream. An `error` event is not an error here: it is in
    /// [`ThreadState::errors`], as a UI shows it.
    pub async fn send_text(&mut self, text: &str) -> Result<(), ClientError> {
        let input = text_input(text);
        let stream = match self.thread_id() {
            None => self.client.create_thread(input).await?,
            Some(thread_id) => self.client.add_user_message(thread_id, input).await?,
        };
        self.follow(stream).await
    }

    /// Answers the user message `item_id` again: the items after it go from the view (the
    /// server deletes them without an event), then the new answer is folded in.
    ///
    /// # Errors
    ///
    /// As [`Conversation::send_text`]; a conversation without a thread has nothing to retry
    /// and sends nothing.
    pub async fn retry_after_item(&mut self, item_id: &ItemId) -> Result<(), ClientError> {
        let Some(thread_id) = self.thread_id().cloned() else {
            return Ok(());
        };
        let stream = self.client.retry_after_item(&thread_id, item_id).await?;
        self.state.truncate_after(item_id);
        self.follow(stream).await
    }

    /// Folds `stream` to its end; then, while the thread ends with a pending client tool call
    /// and there is a handler, runs the tool, sends its output and folds the next stream.
    ///
    /// # Errors
    ///
    /// As [`Conversation::send_text`].
    pub async fn follow(&mut self, mut stream: EventStream) -> Result<(), ClientError> {
        loop {
            self.fold(&mut stream).await?;
            let Some(output) = self.run_pending_tool() else {
                return Ok(());
            };
            let Some(thread_id) = self.thread_id().cloned() else {
                return Ok(());
            };
            stream = self
                .client
                .add_client_tool_output(&thread_id, output)
                .await?;
        }
    }

    /// Reads every event of `stream` into the state, handing effects to the page as they come.
    async fn fold(&mut self, stream: &mut EventStream) -> Result<(), ClientError> {
        while let Some(event) = stream.next_event().await {
            let event = event?;
            if let (Ok(ThreadStreamEvent::ClientEffect { name, data }), Some(handler)) =
                (&event.event, self.effects.as_mut())
            {
                handler(name, data);
            }
            self.state.apply_stream_event(&event);
        }
        Ok(())
    }

    /// If the thread's last item is a pending client tool call and a handler is set: runs it,
    /// marks the call completed in the view (the server does the same to its stored copy when
    /// the output arrives, without an event), and returns the output to send.
    fn run_pending_tool(&mut self) -> Option<Value> {
        let handler = self.tools.as_ref()?;
        let last = self.state.items.last_mut()?;
        let ItemKind::ClientToolCall(call) = &mut last.kind else {
            return None;
        };
        if call.status != ClientToolCallStatus::Pending {
            return None;
        }
        let output = handler.call(call);
        call.status = ClientToolCallStatus::Completed;
        // The server leaves a `null` result out and stores `None`: keep the view the same.
        call.output = (!output.is_null()).then(|| output.clone());
        Some(output)
    }
}

/// A user message of `text` alone: no attachments, no quote, no tool or model chosen.
pub fn text_input(text: &str) -> UserMessageInput {
    UserMessageInput {
        content: vec![UserMessageContent::text(text)],
        attachments: Vec::new(),
        quoted_text: None,
        inference_options: InferenceOptions::default(),
    }
}
