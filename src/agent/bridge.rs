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
    // The reference's `stream_agent_response` merges the run's events with a queue the
    // `AgentContext` helpers push to; here the runner has already merged tool events into
    // the run, in order, so this is one loop over one stream, and the mapper owns all state.
    try_stream! {
        let mut run = run;
        while let Some(event) = run.next().await {
            let event = match event {
                Ok(event) => event,
                // The reference's `except (InputGuardrailTripwireTriggered,
                // OutputGuardrailTripwireTriggered)` branch.
                Err(error @ RunError::GuardrailTripped { .. }) => {
                    // Undo what the user saw of this run, then say why (the conversion keeps
                    // the tripwire's message and makes it not retryable).
                    for out in mapper.abort() {
                        yield out;
                    }
                    // The `break` is unreachable (`?` returns), but `try_stream!` hides that
                    // from the compiler, and the arm must not fall through to `on_event`.
                    Err(StreamError::from(error))?;
                    break;
                }
                // Any other run error ends the stream; `finish` does not run, so an open
                // workflow or a pending client tool call is not saved for a failed turn.
                Err(error) => Err(StreamError::from(error))?,
            };
            // A provider id this thread already holds must not be stored twice (module doc).
            // The store is asked here, not in the mapper, so the mapper stays synchronous and
            // testable without a store; the lookup runs once per new item, not per delta.
            if let Some((provider_id, kind)) = mapper.new_provider_id(&event)
                && mapper.out.item_exists(&provider_id).await?
            {
                mapper.replace_provider_id(provider_id, kind);
            }
            for out in mapper.on_event(event) {
                yield out;
            }
        }
        // The run ended normally: what the reference does after its `try`, saving the open
        // workflow and sending the client tool call last.
        for out in mapper.finish() {
            yield out;
        }
    }
    .boxed()
}

/// The workflow events go to (the reference's `ctx.workflow_item`).
///
/// A copy of the item's parts, kept by the mapper, rather than a shared item the tools
/// mutate: every event is built from this value at the moment it is sent, so an `added`
/// carries the tasks of that moment (the reference serializes a live object later).
#[derive(Debug, Clone)]
struct OpenWorkflow {
    id: ItemId,
    /// When the workflow started; its duration summary counts from here.
    created_at: Timestamp,
    workflow: Workflow,
    /// Whether its `thread.item.added` was sent (a custom workflow waits for its first task).
    announced: bool,
    /// Whether an earlier run already saved it, so ending it must replace, not insert.
    saved: bool,
}

/// The thought task that is streaming, and which summary part feeds it.
///
/// The reference's `StreamingThoughtTracker`. It holds an index, not the task: the task lives
/// in the open workflow, and an index is what the `workflow.task.updated` events carry.
#[derive(Debug, Clone)]
struct StreamingThought {
    /// The workflow the task was added to; deltas arriving after that workflow ended (and
    /// another opened) must not write into a task of the new one.
    workflow_id: ItemId,
    /// The reasoning item and summary part whose deltas feed the task. A model may stream
    /// several summary parts; only the one that started the task appends to it.
    item_id: String,
    summary_index: u32,
    task_index: usize,
}

/// Turns [`RunEvent`]s into ChatKit events, one at a time (protocol#agent-mapping).
///
/// # State and transitions
///
/// The mapper is the only place a run's ChatKit state lives; each field below is one
/// independent piece of it, and [`ResponseMapper::on_event`] is the only way in.
///
/// * **The open workflow** (`workflow`): none, or one. It opens when a reasoning item starts
///   and none is open, when a tool starts one, adds a task with none open or streams a
///   workflow's `thread.item.added` itself, or at construction when
///   [`ResponseMapper::continuing`] finds one an earlier run left. It is
///   *announced* (`thread.item.added`) at once, except a custom workflow with no tasks yet,
///   which waits for its first task. It ends (`thread.item.done`, or `replaced` if an earlier
///   run saved it) when an assistant message, a widget or another visible item starts, when a
///   tool ends it, or when another workflow starts; [`ResponseMapper::finish`] saves one still
///   open as it is, so the next run can continue it.
/// * **The streaming thought** (`thought`): set by the first summary delta of a reasoning
///   workflow with no tasks, cleared by that summary part's `done`. Only the first thought
///   streams, so it shows early; later parts arrive whole, at their `done`.
/// * **The streaming widget** (`streaming_widget`): set when a tool starts a widget that will
///   change, updated (as the client last saw it) by each state, and ended by the tool, by the
///   next streaming widget, or by `finish`.
/// * **The client tool call** (`client_call`): remembered when the runner reports it, sent at
///   `finish`, after everything else, because the client runs it once the stream has ended.
/// * **What the client saw** (`produced`) and **which provider ids were replaced**
///   (`replaced_ids`): bookkeeping that only grows during a run, for `abort` and for mapping
///   every later event that names a replaced id.
///
/// [`ResponseMapper::abort`] drops all of it at once: after a guardrail trips, nothing of the
/// run may be saved.
#[derive(Debug)]
pub struct ResponseMapper<C: StoreContext> {
    /// Kept beside `out` (which knows it too) because every item built here needs it, and a
    /// plain field reads more simply than a call.
    thread_id: ThreadId,
    /// Where fresh ids and times come from, and the store for the provider-id check.
    out: Responder<C>,
    /// Provider ids that were already taken, and the fresh ids their items got instead.
    replaced_ids: HashMap<String, ItemId>,
    workflow: Option<OpenWorkflow>,
    thought: Option<StreamingThought>,
    /// Converted annotations so far, per (message item, content index).
    annotations: HashMap<(String, u32), usize>,
    /// Items the client saw, in order, for [`ResponseMapper::abort`].
    ///
    /// A `Vec`, not a set: the removals go out in the order the items came (the reference's
    /// `set` sends them in an arbitrary order). A run shows a handful of items, so the
    /// `contains` scans cost nothing worth a second structure.
    produced: Vec<ItemId>,
    /// The client tool call a tool asked for, with the function call that asked; its ids
    /// become the client tool call item's.
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
        // The reference's check at the top of `stream_agent_response`: its last item, or its
        // second-last behind a client tool call (a tool that asked the client for something
        // in the middle of a workflow, whose output now continues the turn).
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
            // Announced already (the client has it) and saved already (the store has it),
            // so the events that end it must update it, not add it again.
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
        // Already mapped earlier in this run: the store was asked then, and the fresh id
        // stands for every later event.
        if self.replaced_ids.contains_key(&provider_id) {
            return None;
        }
        Some((ItemId::new(provider_id), kind))
    }

    /// Gives the item the provider called `provider_id` a fresh id of ours of `kind`, for
    /// this event and every later one that names it.
    pub fn replace_provider_id(&mut self, provider_id: ItemId, kind: IdKind) {
        // From the responder, like every id we make, so a test with sequential ids gets a
        // predictable replacement too.
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
            // Held until `finish`: the client tool call must be the stream's last item.
            RunEvent::ClientToolCall { call, requested_by } => {
                self.client_call = Some((call, requested_by));
                Vec::new()
            }
            // Server-side tool calls and the run's bookkeeping are invisible to the client, as
            // in the reference (which only notes a function call's ids, for a client tool
            // call). Listed rather than `_`, so a new run event has to be placed here.
            RunEvent::TurnStarted { .. }
            | RunEvent::ToolCalled(_)
            | RunEvent::ToolOutput { .. }
            | RunEvent::Finished(_) => Vec::new(),
        }
    }

    /// The events that close a run that ended normally: the open workflow is saved, then the
    /// pending client tool call comes last.
    pub fn finish(&mut self) -> Vec<ThreadStreamEvent> {
        // A widget a tool left streaming is finished with its last state, so it is saved.
        let mut events = self.widget_finished();
        // Saved as it is, still open (no summary added, not collapsed), so the next run can
        // continue it. The reference writes it to the store without telling the client; a
        // `done` (or `replaced`) event keeps the client and the store in agreement.
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
        // Forget the run's state, so that a caller that still calls `finish` saves nothing
        // of a blocked run.
        self.workflow = None;
        self.thought = None;
        self.client_call = None;
        self.streaming_widget = None;
        self.produced
            .drain(..)
            .map(|item_id| ThreadStreamEvent::ThreadItemRemoved { item_id })
            .collect()
    }

    /// The reference's chain of `elif event.type == "response.…"` branches, one arm each.
    /// Every id that names a message goes through `item_id`, so a replaced provider id is
    /// replaced in every update too, not only in the `added` and `done`.
    fn on_model_event(&mut self, event: ResponseEvent) -> Vec<ThreadStreamEvent> {
        match event {
            ResponseEvent::OutputItemAdded { item, .. } => self.item_added(item),
            // Only a message's `done` is an item of ours. A reasoning item's `done` adds
            // nothing (its text came with the summary events), and a function call's is
            // the runner's business.
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
                // A part with nothing to show (`reasoning_text`, an unknown type) sends no
                // update, as the reference skips `reasoning_text`.
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
            // Everything else (`response.created`, function call argument deltas,
            // `response.completed`, …) causes nothing the client sees.
            _ => Vec::new(),
        }
    }

    /// `response.output_item.added`: a reasoning item opens a workflow, a message starts an
    /// assistant message; anything else (a function call, a server tool) shows nothing.
    fn item_added(&mut self, item: OutputItem) -> Vec<ThreadStreamEvent> {
        match item {
            // Only when none is open: a second reasoning item of the same turn, or one after
            // a tool call, adds its thoughts to the workflow already showing.
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
                // The answer starts, so the thinking is over: the workflow ends (collapsed,
                // with its duration) before the message appears, as in the reference.
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
        // Called at `added` and at `done` for the same id; it is recorded once, so an abort
        // removes it once.
        if !self.produced.contains(&id) {
            self.produced.push(id.clone());
        }
        let message = AssistantMessage {
            content: content.iter().filter_map(convert_content).collect(),
        };
        // A fresh time at `done` as well: the reference builds a new item with
        // `datetime.now()` both times, and the stored item is the `done` one.
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
        // An annotation we cannot convert (a citation with no file name, say) is dropped
        // rather than failing the turn.
        let Some(annotation) = annotation.as_ref().and_then(convert_annotation) else {
            return Vec::new();
        };
        // Counts converted annotations only, so a dropped one leaves no gap. Keyed by the
        // provider's item id, which stays the same even when our id for it was replaced.
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
        // No open workflow (a reasoning summary without its `output_item.added`): nothing to
        // attach the thought to, so it is dropped, as in the reference.
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
        // A delta of any other summary part is dropped: that part arrives whole at its
        // `done`, as a task of its own.
        let Some(index) = streaming_index(self.thought.as_ref(), open, &item_id, summary_index)
        else {
            return Vec::new();
        };
        let task = &mut open.workflow.tasks[index];
        append_thought(task, &delta);
        // The whole task, not the delta: `workflow.task.updated` carries a task, and the
        // client replaces the one at `task_index` with it.
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
        // Two cases, the reference's two branches: the part that was streaming gets its final
        // text, and any other part becomes a new task, whole.
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

    /// What a tool sent through its `ToolContext`: the reference's `AgentContext` helpers,
    /// whose events it reads from its queue. Each is handled when it arrives, in order with
    /// the model's events, so the workflow state is always the one the client has seen.
    fn on_tool_event(&mut self, event: ToolEvent) -> Vec<ThreadStreamEvent> {
        match event {
            ToolEvent::Stream(event) => self.pass_through(*event),
            ToolEvent::StartWorkflow(workflow) => self.start_workflow(workflow),
            ToolEvent::AddWorkflowTask(task) => self.add_workflow_task(task),
            ToolEvent::UpdateWorkflowTask { task, index } => self.update_workflow_task(task, index),
            // With no workflow open there is nothing to end, and nothing is sent.
            ToolEvent::EndWorkflow { summary, expanded } => self
                .workflow
                .take()
                .map(|open| vec![self.workflow_ended(open, summary, expanded)])
                .unwrap_or_default(),
            // A static widget is complete at once: one `done`, no `added`, as the reference's
            // `stream_widget` does for a widget that is not a generator.
            ToolEvent::Widget { widget, copy_text } => {
                let (mut events, item) = self.widget_shown(widget, copy_text);
                events.push(ThreadStreamEvent::ThreadItemDone { item });
                events
            }
            ToolEvent::WidgetStarted { widget, copy_text } => {
                // One widget streams at a time: a new one finishes the previous one first.
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
        // Diffed against the state the client last saw, which is then replaced: the next
        // state's deltas append to this one.
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
        // The reference's branch for `_EventWrapper` events, with the same three rules.
        let mut events = Vec::new();
        if let ThreadStreamEvent::ThreadItemAdded { item }
        | ThreadStreamEvent::ThreadItemDone { item } = &event
        {
            // An event for the open workflow itself does not end it.
            let other = self
                .workflow
                .as_ref()
                .is_some_and(|open| open.id != item.id);
            // A client tool call and hidden context are not shown as a message, so the
            // workflow keeps going across them, as the reference's exceptions say.
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

    /// A tool's `start_workflow` (the reference's `AgentContext.start_workflow`).
    fn start_workflow(&mut self, workflow: Workflow) -> Vec<ThreadStreamEvent> {
        // The new workflow takes its id and time first, at the moment the reference's
        // `start_workflow` takes them; with a stepping test clock the order of reads is
        // visible in the bytes. The open one is ended after, where the reference would
        // abandon it unsaved.
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

    /// A tool's `add_workflow_task`: to the open workflow, or to a new custom one.
    fn add_workflow_task(&mut self, task: Task) -> Vec<ThreadStreamEvent> {
        // Taken out of the `Option` and put back below, because `announce` needs `&mut self`
        // while the workflow is being changed.
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
        // A workflow the client has not seen yet arrives whole, first task included: one
        // `added`, not an `added` followed by a `task.added`.
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

    /// A tool's `update_workflow_task`.
    ///
    /// A bad call is logged and ignored. The reference raises inside the tool; here the tool
    /// has already moved on by the time its event is mapped, so there is no caller left to
    /// return an error to, and failing the whole turn for it would be out of proportion.
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
        // From now on the client has it, so a guardrail must be able to take it back.
        self.produced.push(open.id.clone());
        let item = workflow_item(&self.thread_id, &open);
        self.workflow = Some(open);
        ThreadStreamEvent::ThreadItemAdded { item }
    }

    /// Ends the open workflow, if any, as a visible item does: duration summary, collapsed.
    fn end_current_workflow(&mut self) -> Vec<ThreadStreamEvent> {
        // The reference's local `end_workflow`: keep a summary the tool set, else the
        // duration; always collapsed. `take` leaves no workflow open afterwards.
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
        // `AgentContext.end_workflow`'s precedence: the summary given now, else one set
        // earlier, else the time since the workflow started.
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
        // The id of the function call that asked for it (or our replacement of that id),
        // where the reference takes the run's *last* function call's; a fresh id only when
        // the provider gave the call none.
        let id = match requested_by.id {
            Some(id) => self.item_id(id),
            None => self.out.new_item_id(IdKind::ToolCall),
        };
        let item = ThreadItem {
            id,
            thread_id: self.thread_id.clone(),
            created_at: self.out.now(),
            kind: ItemKind::ClientToolCall(ClientToolCallItem {
                // Pending until `threads.add_client_tool_output` brings the output.
                status: ClientToolCallStatus::Pending,
                call_id: requested_by.call_id,
                name: call.name,
                arguments: call.arguments,
                output: None,
            }),
        };
        // `done` at once, with no `added`, as the reference sends it: the item is complete
        // when it is made.
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
///
/// The pipeline inserts on `done` and refuses an id the thread holds, so a workflow an
/// earlier run saved would fail the turn if it were `done` again.
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
    // A clock that went backwards (a stored workflow from another machine) gives 0, not
    // an error: a duration summary is cosmetic.
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
    // The last test is the reference's `streaming_thought.task in tasks`; here it also
    // guarantees that the caller's index into `tasks` cannot panic.
    let feeds = thought.workflow_id == open.id
        && thought.item_id == item_id
        && thought.summary_index == summary_index
        && thought.task_index < open.workflow.tasks.len();
    feeds.then_some(thought.task_index)
}

/// Appends a reasoning delta to a thought task; a task of another kind is left alone.
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
