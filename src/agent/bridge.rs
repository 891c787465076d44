//! From an agent run to ChatKit events: the Responses → ChatKit mapping (protocol#agent-events).
//!
//! Where it sits: a `respond()` runs an agent with [`Runner::run_streamed`](super::Runner) and
//! hands the [`RunStream`] to [`stream_agent_response`], which returns the [`EventStream`] the
//! server persists and sends. The mapping itself is [`ResponseMapper`], a pure state machine:
//! one [`RunEvent`] in, the ChatKit events it causes out. Ids and time come from the
//! [`Responder`], so a test with sequential ids and a stepping clock gets the same bytes on
//! every run.
//!
//! ```text
//! RunEvent::Model(output_item.added message) ─► thread.item.added assistant_message (id = msg_…)
//!           content_part.added / output_text.delta / .done ─► thread.item.updated …
//!           output_item.done message          ─► thread.item.done (persisted)
//!           reasoning summary                 ─► a reasoning workflow of thought tasks
//! RunEvent::Tool(…)                           ─► progress, workflow tasks, widgets, in order
//! RunEvent::ClientToolCall                    ─► thread.item.done client_tool_call, last
//! Err(RunError::GuardrailTripped)             ─► thread.item.removed for each item shown,
//!                                                then an error with the tripwire's message
//! Err(RunError) otherwise                     ─► Err(StreamError) ─► stream.error, retryable
//! ```
//!
//! Server-side function calls are invisible: no event for the call, its arguments or its
//! output.
//!
//! # Whose ids
//!
//! An assistant message keeps the id the model gave it (`msg_…`), and a client tool call the
//! id of the function call that asked for it, as in the reference: that is what its recorded
//! transcripts show. But a provider's ids are only unique within what that provider has seen:
//! many OpenAI-compatible servers (and a mock restarted on the same SQLite file) number items
//! afresh, so a second turn could bring an id the thread already holds, and storing it would
//! fail the turn. Before it uses a provider id, [`stream_agent_response`] asks the store
//! whether the thread has it (or this run already used it); if so, the item gets a fresh id
//! from the [`Responder`] instead, and every later event naming the provider id is mapped to
//! it.
//!
//! # Differences from the Python SDK
//!
//! Each one fixes a bug the reference has (protocol#bridge-fixes); the unit
//! tests below are named for them.
//!
//! * `output_text.annotation.added` maps to `assistant_message.content_part.annotation_added`
//!   (the reference's intended mapping) instead of failing the turn with `stream.error`.
//! * Tool events are values taken when the tool sent them and are handled in order, so a
//!   workflow is `added` with the tasks it had at that point and gets exactly one `done`
//!   (the reference serializes live objects late, and ends such a workflow twice). Starting a
//!   workflow while another is open ends the open one first instead of abandoning it.
//! * A client tool call carries the ids of the function call that asked for it, not those of
//!   the run's last function call.
//! * [`ResponseMapper::abort`] removes only items the client saw, in the order they came, never
//!   the `fc_…` ids of server tool calls.
//! * A workflow still open when the run ends is saved with a `thread.item.done` (the reference
//!   stores it silently), and when a later run continues it, ending it sends
//!   `thread.item.replaced` instead of a second `done` that would insert it twice.
//!
//! Python counterpart: `chatkit/agents.py::stream_agent_response` and the `AgentContext`
//! workflow helpers.

use std::collections::HashMap;

use async_stream::try_stream;
use futures::StreamExt;
use serde_json::Value;

use super::runner::{RunError, RunEvent, RunStream};
use super::tools::{ClientToolCall, ToolEvent};
use crate::id_gen::IdKind;
use crate::protocol::{
    Annotation, AssistantMessage, AssistantMessageContent, ClientToolCallStatus, ItemId, ItemKind,
    Source, Task, ThreadId, ThreadItem, ThreadItemUpdate, ThreadStreamEvent, Timestamp, WidgetRoot,
    Workflow, WorkflowKind, WorkflowSummary,
};
use crate::protocol::{ClientToolCall as ClientToolCallItem, FileSource, SourceBase, UrlSource};
use crate::provider::events::{FunctionCall, OutputContent, OutputItem, ResponseEvent};
use crate::server::{EventStream, Responder, StreamError, diff_widget};
use crate::store::StoreContext;

/// Streams the ChatKit events of an agent run: every event `mapper` makes of `run`, then what
/// [`ResponseMapper::finish`] adds. A run error ends the stream with an `Err`, which the
/// server sends as a retryable `stream.error`; items already `done` stay saved. A guardrail
/// that trips is the exception: the run's items are removed first ([`ResponseMapper::abort`]),
/// and the error is the tripwire's message, not retryable (what the reference's documented
/// `respond()` does when it catches the tripwire).
pub fn stream_agent_response<C>(mut mapper: ResponseMapper<C>, run: RunStream) -> EventStream
where
    C: StoreContext + Clone + Send + Sync + 'static,
{
    try_stream! {
        let mut run = run;
        while let Some(event) = run.next().await {
            let event = match event {
                Ok(event) => event,
                Err(error @ RunError::GuardrailTripped { .. }) => {
                    // Undo what the user saw of this run, then say why (the conversion keeps
                    // the tripwire's message and makes it not retryable).
                    for out in mapper.abort() {
                        yield out;
                    }
                    Err(StreamError::from(error))?;
                    break;
                }
                Err(error) => Err(StreamError::from(error))?,
            };
            // A provider id this thread already holds must not be stored twice (module doc).
            if let Some((provider_id, kind)) = mapper.new_provider_id(&event)
                && mapper.out.item_exists(&provider_id).await?
            {
                mapper.replace_provider_id(provider_id, kind);
            }
            for out in mapper.on_event(event) {
                yield out;
            }
        }
        for out in mapper.finish() {
            yield out;
        }
    }
    .boxed()
}

/// The workflow events go to (the reference's `ctx.workflow_item`).
#[derive(Debug, Clone)]
struct OpenWorkflow {
    id: ItemId,
    created_at: Timestamp,
    workflow: Workflow,
    /// Whether its `thread.item.added` was sent (a custom workflow waits for its first task).
    announced: bool,
    /// Whether an earlier run already saved it, so ending it must replace, not insert.
    saved: bool,
}

/// The thought task that is streaming, and which summary part feeds it.
#[derive(Debug, Clone)]
struct StreamingThought {
    workflow_id: ItemId,
    item_id: String,
    summary_index: u32,
    task_index: usize,
}

/// Turns [`RunEvent`]s into ChatKit events, one at a time (protocol#agent-mapping).
#[derive(Debug)]
pub struct ResponseMapper<C: StoreContext> {
    thread_id: ThreadId,
    out: Responder<C>,
    /// Provider ids that were already taken, and the fresh ids their items got instead.
    replaced_ids: HashMap<String, ItemId>,
    workflow: Option<OpenWorkflow>,
    thought: Option<StreamingThought>,
    /// Converted annotations so far, per (message item, content index).
    annotations: HashMap<(String, u32), usize>,
    /// Items the client saw, in order, for [`ResponseMapper::abort`].
    produced: Vec<ItemId>,
    client_call: Option<(ClientToolCall, FunctionCall)>,
    /// The widget a tool is streaming, as the client last saw it.
    streaming_widget: Option<ThreadItem>,
}

impl<C: StoreContext> ResponseMapper<C> {
    /// A mapper for a run on `out`'s thread, taking ids and time from `out`.
    pub fn new(out: Responder<C>) -> Self {
        ResponseMapper {
            thread_id: out.thread_id().clone(),
            out,
            replaced_ids: HashMap::new(),
            workflow: None,
            thought: None,
            annotations: HashMap::new(),
            produced: Vec::new(),
            client_call: None,
            streaming_widget: None,
        }
    }

    /// Continues the workflow an earlier run left open. `newest` are the thread's newest items,
    /// newest first (two are enough): the workflow continues when it is the newest item, or the
    /// one before a client tool call, as in the reference.
    pub fn continuing(mut self, newest: &[ThreadItem]) -> Self {
        let stored = match newest {
            [last, ..] if is_workflow(last) => Some(last),
            [last, before, ..]
                if matches!(last.kind, ItemKind::ClientToolCall(_)) && is_workflow(before) =>
            {
                Some(before)
            }
            _ => None,
        };
        if let Some(ThreadItem {
            id,
            created_at,
            kind: ItemKind::Workflow { workflow },
            ..
        }) = stored
        {
            self.workflow = Some(OpenWorkflow {
                id: id.clone(),
                created_at: *created_at,
                workflow: workflow.clone(),
                announced: true,
                saved: true,
            });
        }
        self
    }

    /// The provider id that `event` brings into the thread, if it is one this run has not
    /// mapped yet: a new assistant message's `msg_…`, or the `fc_…` of the function call
    /// behind a client tool call. The caller checks it against the store and, if the thread
    /// already holds it, calls [`ResponseMapper::replace_provider_id`] before
    /// [`ResponseMapper::on_event`].
    ///
    /// An id this run already showed the client is replaced right here: the store does not
    /// hold it yet, but a second item under it would still clash when both are saved.
    ///
    /// Returns the id with the kind of item it names, for [`ResponseMapper::replace_provider_id`].
    pub fn new_provider_id(&mut self, event: &RunEvent) -> Option<(ItemId, IdKind)> {
        let (provider_id, kind) = match event {
            RunEvent::Model(ResponseEvent::OutputItemAdded {
                item: OutputItem::Message(message),
                ..
            }) => (message.id.clone(), IdKind::Message),
            RunEvent::ClientToolCall { requested_by, .. } => {
                (requested_by.id.clone()?, IdKind::ToolCall)
            }
            _ => return None,
        };
        // A second item under an id this run already used: only a fresh id can tell them apart.
        if self.produced.contains(&self.item_id(provider_id.clone())) {
            self.replace_provider_id(ItemId::new(provider_id), kind);
            return None;
        }
        if self.replaced_ids.contains_key(&provider_id) {
            return None;
        }
        Some((ItemId::new(provider_id), kind))
    }

    /// Gives the item the provider called `provider_id` a fresh id of ours of `kind`, for
    /// this event and every later one that names it.
    pub fn replace_provider_id(&mut self, provider_id: ItemId, kind: IdKind) {
        let fresh = self.out.new_item_id(kind);
        tracing::debug!(%provider_id, %fresh, "provider item id already taken, using our own");
        self.replaced_ids.insert(provider_id.to_string(), fresh);
    }

    /// Our id for the item the provider calls `provider_id`: the same, unless it was taken.
    fn item_id(&self, provider_id: String) -> ItemId {
        match self.replaced_ids.get(&provider_id) {
            Some(fresh) => fresh.clone(),
            None => ItemId::new(provider_id),
        }
    }

    /// The ChatKit events one run event causes.
    pub fn on_event(&mut self, event: RunEvent) -> Vec<ThreadStreamEvent> {
        match event {
            RunEvent::Model(event) => self.on_model_event(event),
            RunEvent::Tool(event) => self.on_tool_event(event),
            RunEvent::ClientToolCall { call, requested_by } => {
                self.client_call = Some((call, requested_by));
                Vec::new()
            }
            RunEvent::TurnStarted { .. }
            | RunEvent::ToolCalled(_)
            | RunEvent::ToolOutput { .. }
            | RunEvent::Finished(_) => Vec::new(),
        }
    }

    /// The events that close a run that ended normally: the open workflow is saved, then the
    /// pending client tool call comes last.
    pub fn finish(&mut self) -> Vec<ThreadStreamEvent> {
        let mut events = self.widget_finished();
        if let Some(open) = self.workflow.take() {
            events.push(workflow_saved(&self.thread_id, open));
        }
        if let Some((call, requested_by)) = self.client_call.take() {
            events.push(self.client_tool_call(call, requested_by));
        }
        events
    }

    /// The events that undo a run stopped by a guardrail: `thread.item.removed` for each item
    /// the client saw, in the order it saw them. The mapper forgets the run's state.
    pub fn abort(&mut self) -> Vec<ThreadStreamEvent> {
        self.workflow = None;
        self.thought = None;
        self.client_call = None;
        self.streaming_widget = None;
        self.produced
            .drain(..)
            .map(|item_id| ThreadStreamEvent::ThreadItemRemoved { item_id })
            .collect()
    }

    fn on_model_event(&mut self, event: ResponseEvent) -> Vec<ThreadStreamEvent> {
        match event {
            ResponseEvent::OutputItemAdded { item, .. } => self.item_added(item),
            ResponseEvent::OutputItemDone {
                item: OutputItem::Message(message),
                ..
            } => {
                let id = self.item_id(message.id);
                let item = self.message_item(id, &message.content);
                vec![ThreadStreamEvent::ThreadItemDone { item }]
            }
            ResponseEvent::ContentPartAdded {
                item_id,
                content_index,
                part,
                ..
            } => convert_content(&part)
                .map(|content| {
                    let update = ThreadItemUpdate::ContentPartAdded {
                        content_index: content_index as usize,
                        content,
                    };
                    vec![updated(self.item_id(item_id), update)]
                })
                .unwrap_or_default(),
            ResponseEvent::OutputTextDelta {
                item_id,
                content_index,
                delta,
                ..
            } => {
                let update = ThreadItemUpdate::ContentPartTextDelta {
                    content_index: content_index as usize,
                    delta,
                };
                vec![updated(self.item_id(item_id), update)]
            }
            ResponseEvent::OutputTextAnnotationAdded {
                item_id,
                content_index,
                annotation,
                ..
            } => self.annotation_added(item_id, content_index, annotation),
            ResponseEvent::OutputTextDone {
                item_id,
                content_index,
                text,
                ..
            } => {
                // The reference always sends the part's annotations empty here; they come
                // with the item's `done`.
                let update = ThreadItemUpdate::ContentPartDone {
                    content_index: content_index as usize,
                    content: AssistantMessageContent::text(text),
                };
                vec![updated(self.item_id(item_id), update)]
            }
            ResponseEvent::ReasoningSummaryTextDelta {
                item_id,
                summary_index,
                delta,
                ..
            } => self.thought_delta(item_id, summary_index, delta),
            ResponseEvent::ReasoningSummaryTextDone {
                item_id,
                summary_index,
                text,
                ..
            } => self.thought_done(item_id, summary_index, text),
            _ => Vec::new(),
        }
    }

    fn item_added(&mut self, item: OutputItem) -> Vec<ThreadStreamEvent> {
        match item {
            OutputItem::Reasoning(_) if self.workflow.is_none() => {
                let open = self.new_workflow(Workflow {
                    kind: WorkflowKind::Reasoning,
                    tasks: Vec::new(),
                    summary: None,
                    expanded: false,
                });
                let event = self.announce(open);
                vec![event]
            }
            OutputItem::Message(message) => {
                let mut events = self.end_current_workflow();
                let id = self.item_id(message.id);
                let item = self.message_item(id, &message.content);
                events.push(ThreadStreamEvent::ThreadItemAdded { item });
                events
            }
            _ => Vec::new(),
        }
    }

    /// An assistant message with the model's id, stamped now (at `added` and again at `done`).
    fn message_item(&mut self, id: ItemId, content: &[OutputContent]) -> ThreadItem {
        if !self.produced.contains(&id) {
            self.produced.push(id.clone());
        }
        let message = AssistantMessage {
            content: content.iter().filter_map(convert_content).collect(),
        };
        ThreadItem {
            id,
            thread_id: self.thread_id.clone(),
            created_at: self.out.now(),
            kind: ItemKind::AssistantMessage(message),
        }
    }

    fn annotation_added(
        &mut self,
        item_id: String,
        content_index: u32,
        annotation: Option<Value>,
    ) -> Vec<ThreadStreamEvent> {
        let Some(annotation) = annotation.as_ref().and_then(convert_annotation) else {
            return Vec::new();
        };
        // Counts converted annotations only, so a dropped one leaves no gap.
        let count = self
            .annotations
            .entry((item_id.clone(), content_index))
            .or_default();
        let annotation_index = *count;
        *count += 1;
        let update = ThreadItemUpdate::ContentPartAnnotationAdded {
            content_index: content_index as usize,
            annotation_index,
            annotation,
        };
        vec![updated(self.item_id(item_id), update)]
    }

    fn thought_delta(
        &mut self,
        item_id: String,
        summary_index: u32,
        delta: String,
    ) -> Vec<ThreadStreamEvent> {
        let Some(open) = self.workflow.as_mut() else {
            return Vec::new();
        };
        if open.workflow.kind == WorkflowKind::Reasoning && open.workflow.tasks.is_empty() {
            // Only the first thought of a workflow streams, so it shows early.
            let task = Task::thought(delta);
            open.workflow.tasks.push(task.clone());
            self.thought = Some(StreamingThought {
                workflow_id: open.id.clone(),
                item_id,
                summary_index,
                task_index: 0,
            });
            let update = ThreadItemUpdate::WorkflowTaskAdded {
                task_index: 0,
                task,
            };
            return vec![updated(open.id.clone(), update)];
        }
        let Some(index) = streaming_index(self.thought.as_ref(), open, &item_id, summary_index)
        else {
            return Vec::new();
        };
        let task = &mut open.workflow.tasks[index];
        append_thought(task, &delta);
        let update = ThreadItemUpdate::WorkflowTaskUpdated {
            task_index: index,
            task: task.clone(),
        };
        vec![updated(open.id.clone(), update)]
    }

    fn thought_done(
        &mut self,
        item_id: String,
        summary_index: u32,
        text: String,
    ) -> Vec<ThreadStreamEvent> {
        let Some(open) = self.workflow.as_mut() else {
            return Vec::new();
        };
        let update = match streaming_index(self.thought.as_ref(), open, &item_id, summary_index) {
            Some(index) => {
                // Sent even when the text did not change, as the reference does.
                self.thought = None;
                open.workflow.tasks[index] = Task::thought(text);
                ThreadItemUpdate::WorkflowTaskUpdated {
                    task_index: index,
                    task: open.workflow.tasks[index].clone(),
                }
            }
            None => {
                let task = Task::thought(text);
                open.workflow.tasks.push(task.clone());
                ThreadItemUpdate::WorkflowTaskAdded {
                    task_index: open.workflow.tasks.len() - 1,
                    task,
                }
            }
        };
        vec![updated(open.id.clone(), update)]
    }

    fn on_tool_event(&mut self, event: ToolEvent) -> Vec<ThreadStreamEvent> {
        match event {
            ToolEvent::Stream(event) => self.pass_through(*event),
            ToolEvent::StartWorkflow(workflow) => self.start_workflow(workflow),
            ToolEvent::AddWorkflowTask(task) => self.add_workflow_task(task),
            ToolEvent::UpdateWorkflowTask { task, index } => self.update_workflow_task(task, index),
            ToolEvent::EndWorkflow { summary, expanded } => self
                .workflow
                .take()
                .map(|open| vec![self.workflow_ended(open, summary, expanded)])
                .unwrap_or_default(),
            ToolEvent::Widget { widget, copy_text } => {
                let (mut events, item) = self.widget_shown(widget, copy_text);
                events.push(ThreadStreamEvent::ThreadItemDone { item });
                events
            }
            ToolEvent::WidgetStarted { widget, copy_text } => {
                let mut events = self.widget_finished();
                let (shown, item) = self.widget_shown(widget, copy_text);
                events.extend(shown);
                events.push(ThreadStreamEvent::ThreadItemAdded { item: item.clone() });
                self.streaming_widget = Some(item);
                events
            }
            ToolEvent::WidgetState(next) => self.widget_changed(next),
            ToolEvent::WidgetFinished => self.widget_finished(),
        }
    }

    /// A new widget item, and the events that must come before it (the open workflow ends).
    fn widget_shown(
        &mut self,
        widget: WidgetRoot,
        copy_text: Option<String>,
    ) -> (Vec<ThreadStreamEvent>, ThreadItem) {
        // The widget is stamped before the workflow it closes, as in the reference.
        let item = self
            .out
            .item(IdKind::Message, ItemKind::Widget { widget, copy_text });
        self.produced.push(item.id.clone());
        (self.end_current_workflow(), item)
    }

    /// The updates from the streaming widget's last state to `next`.
    fn widget_changed(&mut self, next: WidgetRoot) -> Vec<ThreadStreamEvent> {
        let Some(item) = &mut self.streaming_widget else {
            return Vec::new();
        };
        let ItemKind::Widget { widget, .. } = &mut item.kind else {
            return Vec::new();
        };
        let updates = diff_widget(widget, &next);
        *widget = next;
        let item_id = item.id.clone();
        updates
            .into_iter()
            .map(|update| updated(item_id.clone(), update))
            .collect()
    }

    /// `done` for the streaming widget, with its last state, if one is streaming.
    fn widget_finished(&mut self) -> Vec<ThreadStreamEvent> {
        self.streaming_widget
            .take()
            .map(|item| ThreadStreamEvent::ThreadItemDone { item })
            .into_iter()
            .collect()
    }

    /// An event a tool built itself. Another visible item ends the open workflow first, and a
    /// workflow it adds becomes the open one.
    fn pass_through(&mut self, event: ThreadStreamEvent) -> Vec<ThreadStreamEvent> {
        let mut events = Vec::new();
        if let ThreadStreamEvent::ThreadItemAdded { item }
        | ThreadStreamEvent::ThreadItemDone { item } = &event
        {
            let other = self
                .workflow
                .as_ref()
                .is_some_and(|open| open.id != item.id);
            let shown_apart = !matches!(
                item.kind,
                ItemKind::ClientToolCall(_) | ItemKind::HiddenContext { .. }
            );
            if other && shown_apart {
                events = self.end_current_workflow();
            }
            if let (ThreadStreamEvent::ThreadItemAdded { .. }, ItemKind::Workflow { workflow }) =
                (&event, &item.kind)
            {
                self.workflow = Some(OpenWorkflow {
                    id: item.id.clone(),
                    created_at: item.created_at,
                    workflow: workflow.clone(),
                    announced: true,
                    saved: false,
                });
            }
            if !self.produced.contains(&item.id) {
                self.produced.push(item.id.clone());
            }
        }
        events.push(event);
        events
    }

    fn start_workflow(&mut self, workflow: Workflow) -> Vec<ThreadStreamEvent> {
        let open = self.new_workflow(workflow);
        let mut events = self.end_current_workflow();
        if open.workflow.kind == WorkflowKind::Reasoning || !open.workflow.tasks.is_empty() {
            events.push(self.announce(open));
        } else {
            // A custom workflow with no tasks waits for its first task.
            self.workflow = Some(open);
        }
        events
    }

    fn add_workflow_task(&mut self, task: Task) -> Vec<ThreadStreamEvent> {
        let mut open = match self.workflow.take() {
            Some(open) => open,
            None => self.new_workflow(Workflow {
                kind: WorkflowKind::Custom,
                tasks: Vec::new(),
                summary: None,
                expanded: false,
            }),
        };
        open.workflow.tasks.push(task.clone());
        if !open.announced {
            return vec![self.announce(open)];
        }
        let update = ThreadItemUpdate::WorkflowTaskAdded {
            task_index: open.workflow.tasks.len() - 1,
            task,
        };
        let event = updated(open.id.clone(), update);
        self.workflow = Some(open);
        vec![event]
    }

    fn update_workflow_task(&mut self, task: Task, index: usize) -> Vec<ThreadStreamEvent> {
        let Some(open) = self.workflow.as_mut() else {
            tracing::warn!("a tool updated a workflow task with no workflow open");
            return Vec::new();
        };
        let Some(slot) = open.workflow.tasks.get_mut(index) else {
            tracing::warn!(index, "a tool updated a workflow task that does not exist");
            return Vec::new();
        };
        *slot = task.clone();
        vec![updated(
            open.id.clone(),
            ThreadItemUpdate::WorkflowTaskUpdated {
                task_index: index,
                task,
            },
        )]
    }

    /// A new workflow item: the id first, then the time, as the reference takes them.
    fn new_workflow(&mut self, workflow: Workflow) -> OpenWorkflow {
        let id = self.out.new_item_id(IdKind::Workflow);
        OpenWorkflow {
            id,
            created_at: self.out.now(),
            workflow,
            announced: false,
            saved: false,
        }
    }

    /// Sends `thread.item.added` for `open` and makes it the open workflow.
    fn announce(&mut self, mut open: OpenWorkflow) -> ThreadStreamEvent {
        open.announced = true;
        self.produced.push(open.id.clone());
        let item = workflow_item(&self.thread_id, &open);
        self.workflow = Some(open);
        ThreadStreamEvent::ThreadItemAdded { item }
    }

    /// Ends the open workflow, if any, as a visible item does: duration summary, collapsed.
    fn end_current_workflow(&mut self) -> Vec<ThreadStreamEvent> {
        let Some(mut open) = self.workflow.take() else {
            return Vec::new();
        };
        // The reference reads the clock here even when a summary is already set.
        let duration = seconds_between(open.created_at, self.out.now());
        let summary = open
            .workflow
            .summary
            .take()
            .unwrap_or(WorkflowSummary::Duration { duration });
        vec![self.workflow_ended(open, Some(summary), false)]
    }

    /// `done` (or `replaced`, for a workflow an earlier run saved) with the summary set.
    fn workflow_ended(
        &mut self,
        mut open: OpenWorkflow,
        summary: Option<WorkflowSummary>,
        expanded: bool,
    ) -> ThreadStreamEvent {
        let summary = match (summary, open.workflow.summary.take()) {
            (Some(summary), _) | (None, Some(summary)) => summary,
            (None, None) => WorkflowSummary::Duration {
                duration: seconds_between(open.created_at, self.out.now()),
            },
        };
        open.workflow.summary = Some(summary);
        open.workflow.expanded = expanded;
        workflow_saved(&self.thread_id, open)
    }

    fn client_tool_call(
        &mut self,
        call: ClientToolCall,
        requested_by: FunctionCall,
    ) -> ThreadStreamEvent {
        let id = match requested_by.id {
            Some(id) => self.item_id(id),
            None => self.out.new_item_id(IdKind::ToolCall),
        };
        let item = ThreadItem {
            id,
            thread_id: self.thread_id.clone(),
            created_at: self.out.now(),
            kind: ItemKind::ClientToolCall(ClientToolCallItem {
                status: ClientToolCallStatus::Pending,
                call_id: requested_by.call_id,
                name: call.name,
                arguments: call.arguments,
                output: None,
            }),
        };
        ThreadStreamEvent::ThreadItemDone { item }
    }
}

fn is_workflow(item: &ThreadItem) -> bool {
    matches!(item.kind, ItemKind::Workflow { .. })
}

fn updated(item_id: ItemId, update: ThreadItemUpdate) -> ThreadStreamEvent {
    ThreadStreamEvent::ThreadItemUpdated { item_id, update }
}

fn workflow_item(thread_id: &ThreadId, open: &OpenWorkflow) -> ThreadItem {
    ThreadItem {
        id: open.id.clone(),
        thread_id: thread_id.clone(),
        created_at: open.created_at,
        kind: ItemKind::Workflow {
            workflow: open.workflow.clone(),
        },
    }
}

/// Saves `open` as it is: a first save inserts (`done`), a later one replaces.
fn workflow_saved(thread_id: &ThreadId, open: OpenWorkflow) -> ThreadStreamEvent {
    let item = workflow_item(thread_id, &open);
    if open.saved {
        ThreadStreamEvent::ThreadItemReplaced { item }
    } else {
        ThreadStreamEvent::ThreadItemDone { item }
    }
}

/// Whole seconds from `start` to `end`, truncated like Python's `int(delta.total_seconds())`.
fn seconds_between(start: Timestamp, end: Timestamp) -> u64 {
    let seconds = (end.as_datetime() - start.as_datetime()).num_seconds();
    u64::try_from(seconds).unwrap_or(0)
}

/// The index of the streaming thought task, if these deltas feed it.
fn streaming_index(
    thought: Option<&StreamingThought>,
    open: &OpenWorkflow,
    item_id: &str,
    summary_index: u32,
) -> Option<usize> {
    let thought = thought?;
    let feeds = thought.workflow_id == open.id
        && thought.item_id == item_id
        && thought.summary_index == summary_index
        && thought.task_index < open.workflow.tasks.len();
    feeds.then_some(thought.task_index)
}

fn append_thought(task: &mut Task, delta: &str) {
    if let crate::protocol::TaskKind::Thought { content, .. } = &mut task.kind {
        content.push_str(delta);
    }
}

/// A Responses message part as a ChatKit part: text with its converted annotations, or a
/// refusal's text. Other parts (`reasoning_text`, unknown) give nothing.
fn convert_content(part: &OutputContent) -> Option<AssistantMessageContent> {
    match part {
        OutputContent::OutputText {
            text, annotations, ..
        } => {
            let mut content = AssistantMessageContent::text(text.clone());
            content.annotations = annotations.iter().filter_map(convert_annotation).collect();
            Some(content)
        }
        OutputContent::Refusal { refusal } => Some(AssistantMessageContent::text(refusal.clone())),
        OutputContent::Unknown => None,
    }
}

/// A Responses annotation as a ChatKit one (protocol#agent-annotations): URL and file citations
/// convert; a file citation with no filename, `file_path` and unknown kinds are dropped.
pub fn convert_annotation(annotation: &Value) -> Option<Annotation> {
    let text = |key: &str| annotation.get(key).and_then(Value::as_str);
    let number = |key: &str| annotation.get(key).and_then(Value::as_u64);
    let file = |index: Option<u64>| {
        let filename = text("filename").filter(|name| !name.is_empty())?;
        Some(annotation_at(
            Source::File(FileSource {
                base: SourceBase::titled(filename),
                kind: Default::default(),
                filename: filename.to_owned(),
            }),
            index,
        ))
    };
    match text("type")? {
        "url_citation" => Some(annotation_at(
            Source::Url(UrlSource {
                base: SourceBase::titled(text("title").unwrap_or_default()),
                kind: Default::default(),
                url: text("url")?.to_owned(),
                attribution: None,
            }),
            number("end_index"),
        )),
        "file_citation" => file(number("index")),
        "container_file_citation" => file(number("end_index")),
        _ => None,
    }
}

fn annotation_at(source: Source, index: Option<u64>) -> Annotation {
    Annotation {
        kind: Default::default(),
        source,
        index,
    }
}

#[cfg(test)]
mod tests;
