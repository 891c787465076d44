//! The streaming runner: model call → tool calls → model call … until the model answers
//! without calling a tool, a tool says stop, or the turn bound is hit.
//!
//! One run is one stream of [`RunEvent`]s in arrival order: the model's events as the
//! provider streams them, and, while a tool runs, what the tool streams through its
//! [`ToolContext`]. The tool runs as a future polled beside its event channel with `select!`,
//! so a progress update reaches the client while the tool is still working, not after it.
//!
//! Each turn's request is the agent's settings plus the input so far. After a turn with
//! function calls, the input grows by every output item of that response (replayed as the
//! Agents SDK does: function calls keep their `id` and `status`) and one
//! `function_call_output` per call (protocol#responses-request).
//!
//! A run given a `previous_response_id` ([`RunOptions`]) sends the provider only what it does
//! not hold yet, as the Agents SDK does with the same option (protocol#previous-response): the
//! first request names that response and carries the run's input; every later request of the
//! run names the response before it and carries only the new `function_call_output`s. A run
//! without it sends exactly what it always did.
//!
//! # Errors
//!
//! The stream's `Err` items are [`RunError`]s, after which it ends: a provider failure (every
//! [`ProviderError`] passes through unchanged), more turns than allowed, a tool the agent does
//! not have, instructions that do not render, or a [guardrail](super::guardrail) that tripped
//! (input guardrails run before the first model call, output guardrails on the final text). A tool that fails does **not** end the run:
//! its error is sent to the model as the tool's output, as the Agents SDK does by default.
//!
//! # Differences from the Agents SDK
//!
//! The function calls of one response run one after another, in order, where the SDK runs
//! them concurrently; tool events therefore never interleave between tools.
//!
//! Python counterpart: `agents/run.py::Runner.run_streamed` and `agents/_run_impl.py`.

use std::sync::{Arc, Mutex};

use async_stream::try_stream;
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::mpsc;

use super::guardrail::{GuardrailStage, Tripwire};
use super::tools::{ClientToolCall, ToolContext, ToolEvent, ToolResult};
use super::{Agent, ToolUseBehavior};
use crate::provider::events::{
    FunctionCall, FunctionCallOutput, InputItem, OutputContent, OutputItem, ResponseEvent,
    ResponsesRequest, TypedInputItem,
};
use crate::provider::{ModelProvider, ProviderError};

/// The Agents SDK's default bound on model calls per run.
pub const DEFAULT_MAX_TURNS: usize = 10;

/// How many tool events may wait unread before a tool's `send` waits.
///
/// Bounded, so a tool that streams faster than the client reads is slowed down instead of
/// filling memory; 64 is enough that a tool sending a handful of progress updates and tasks
/// never waits while the runner is busy forwarding an earlier one.
const TOOL_EVENT_BUFFER: usize = 64;

/// One thing that happened during a run.
// `Model` is the large variant and also by far the most frequent one (every delta), so boxing
// it would add an allocation per token to save space on rare events.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// A model call started (`turn` counts from 1).
    TurnStarted {
        /// Which model call of the run this is.
        turn: usize,
    },
    /// An event of the model's stream, as the provider sent it.
    Model(ResponseEvent),
    /// The runner is about to run a function call.
    ToolCalled(FunctionCall),
    /// Something a tool streamed while it ran.
    Tool(ToolEvent),
    /// A tool finished; this output goes to the model.
    ToolOutput {
        /// The call it answers.
        call_id: String,
        /// The output (or the error text when the tool failed).
        output: String,
    },
    /// A tool asked the client to run a client tool. Sent once, after the last tool, with the
    /// function call that asked for it (whose `id`/`call_id` ChatKit reuses).
    ClientToolCall {
        /// The client tool and its arguments.
        call: ClientToolCall,
        /// The server tool call during which it was asked for.
        requested_by: FunctionCall,
    },
    /// The run is over.
    Finished(FinalOutput),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum FinalOutput {
    /// The model answered without calling a tool: the text of its last message.
    Text(String),
    /// A tool said stop ([`ToolUseBehavior`]): that tool's output.
    ToolOutput {
        /// The tool.
        name: String,
        /// Its output.
        output: String,
    },
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The model call failed.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The model kept calling tools for more than `max_turns` calls.
    #[error("the run needed more than {max_turns} model calls")]
    MaxTurnsExceeded {
        /// The bound.
        max_turns: usize,
    },
    /// The model called a tool the agent does not have.
    #[error("the model called {name}, which agent {agent} does not have")]
    UnknownTool {
        /// The tool's name.
        name: String,
        /// The agent.
        agent: String,
    },
    /// The instructions template did not render.
    #[error("the instructions did not render: {0}")]
    Instructions(#[from] minijinja::Error),
    /// A guardrail stopped the run.
    #[error("the {stage} guardrail {guardrail} tripped: {}", tripwire.message)]
    GuardrailTripped {
        /// Input or output.
        stage: GuardrailStage,
        /// The guardrail's name.
        guardrail: String,
        /// What the user is shown.
        tripwire: Tripwire,
    },
}

/// The events of one run; boxed and `'static` so `respond()` can return it inside its own
/// stream.
pub type RunStream = BoxStream<'static, Result<RunEvent, RunError>>;

/// Settings of one run, as opposed to the agent's or the runner's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Continue the conversation of this stored response (`resp_…`, the id of an earlier
    /// run's last `response.completed`) instead of sending it again: the run's input is then
    /// only what is new. The provider must have stored that response (the Responses API does
    /// unless a request said `"store": false`), or the first request fails with a 400.
    pub previous_response_id: Option<String>,
}

impl RunOptions {
    /// A run that continues the stored response `id`.
    pub fn previous_response_id(id: impl Into<String>) -> Self {
        RunOptions {
            previous_response_id: Some(id.into()),
        }
    }
}

/// Runs agents against one model provider.
#[derive(Debug, Clone)]
pub struct Runner {
    /// A trait object, so one runner type serves the mock provider of the tests and lessons
    /// and the real one, picked at run time; an `Arc`, because every run's stream keeps a
    /// handle after `run_streamed` has returned.
    provider: Arc<dyn ModelProvider>,
    /// Counts model calls, not tool calls: it is what stops a model that calls tools forever.
    max_turns: usize,
}

impl Runner {
    /// A runner on `provider`, with [`DEFAULT_MAX_TURNS`].
    pub fn new(provider: Arc<dyn ModelProvider>) -> Self {
        Runner {
            provider,
            max_turns: DEFAULT_MAX_TURNS,
        }
    }

    /// The same runner with another bound on model calls per run.
    pub fn max_turns(mut self, max_turns: usize) -> Self {
        self.max_turns = max_turns;
        self
    }

    /// Runs `agent` on `input` with the request context `context`, streaming what happens.
    pub fn run_streamed<C: Send + Sync + 'static>(
        &self,
        agent: Arc<Agent<C>>,
        input: Vec<InputItem>,
        context: C,
    ) -> RunStream {
        self.run_streamed_with(agent, input, context, RunOptions::default())
    }

    /// [`Runner::run_streamed`] with per-run [`RunOptions`], such as a `previous_response_id`
    /// to continue (then `input` holds only the new items).
    pub fn run_streamed_with<C: Send + Sync + 'static>(
        &self,
        agent: Arc<Agent<C>>,
        input: Vec<InputItem>,
        context: C,
        options: RunOptions,
    ) -> RunStream {
        // Everything the stream uses is owned by it (cloned `Arc`s, the moved input), so the
        // stream is `'static` and outlives this `&self` call, as `RunStream` requires.
        let provider = self.provider.clone();
        let max_turns = self.max_turns;
        // Shared with every tool's `ToolContext`, which may be cloned into a spawned task.
        let context = Arc::new(context);
        try_stream! {
            let mut input = input;
            // The stored response the next request continues, when the run chains, and how
            // many items of `input` that response already holds (they are not sent again).
            let mut previous = options.previous_response_id;
            let mut held = 0;
            // Before any model call, so a tripped input guardrail costs no tokens and streams
            // nothing that would then have to be taken back (module doc of `guardrail`).
            check_input(&agent, &context, &input).await?;
            // The one slot a tool fills with `request_client_tool_call`. A std `Mutex`: it is
            // locked only for a swap, never across an `.await`. One slot per run, not per call,
            // because the reference keeps one `client_tool_call` on its `AgentContext`.
            let client_call = Arc::new(Mutex::new(None::<ClientToolCall>));
            // The function call during which the client call was asked for; ChatKit's
            // client tool call item reuses its ids.
            let mut requested_by = None;
            for turn in 1.. {
                // Checked before the call is made, so `max_turns` model calls happen and the
                // next one is refused, as the Agents SDK's `MaxTurnsExceeded`.
                if turn > max_turns {
                    Err(RunError::MaxTurnsExceeded { max_turns })?;
                }
                yield RunEvent::TurnStarted { turn };
                // A copy: the request owns its input, and `input` keeps growing for the
                // next turn.
                let request = build_request(&agent, &context, input[held..].to_vec(), previous.clone())?;
                let mut output = Vec::new();
                let mut response_id = None;
                let mut events = provider.stream_response(request);
                while let Some(event) = events.next().await {
                    // A provider error ends the run here, mid-response: what was already
                    // yielded has been streamed, and the bridge decides what to take back.
                    let event = event?;
                    collect_output(&event, &mut output);
                    if let ResponseEvent::Completed { response } = &event {
                        // An empty id is a server that does not name its responses.
                        response_id = Some(response.id.clone()).filter(|id| !id.is_empty());
                    }
                    yield RunEvent::Model(event);
                }
                // The response's own items go into the input first, so that on the next turn
                // each function call comes before the `function_call_output` that answers it,
                // which is the order the Responses API requires.
                input.extend(output.iter().filter_map(InputItem::replay));
                // The provider now holds everything so far under this response's id. Without
                // an id there is nothing to continue: the next call sends what the last named
                // response lacks, as the Agents SDK does.
                if let (Some(_), Some(id)) = (&previous, response_id) {
                    previous = Some(id);
                    held = input.len();
                }
                let calls = function_calls(&output);
                if calls.is_empty() {
                    // The final answer. Output guardrails see it only now, when it has
                    // already streamed; a trip makes the bridge remove what was shown.
                    let text = last_message_text(&output);
                    check_output(&agent, &context, &text).await?;
                    yield RunEvent::Finished(FinalOutput::Text(text));
                    break;
                }
                let mut stop = None;
                for call in calls {
                    let Some(tool) = agent.find_tool(&call.name) else {
                        // The run ends, as the Agents SDK's `ModelBehaviorError` ends it: with
                        // no tool there is nothing to produce an output for the model. The
                        // `break` is unreachable (the `?` above it returns), but `try_stream!`
                        // hides that from the compiler and a `let … else` must diverge.
                        Err(RunError::UnknownTool { name: call.name.clone(), agent: agent.name.clone() })?;
                        break;
                    };
                    yield RunEvent::ToolCalled(call.clone());
                    // One channel per call, so a tool that leaked a clone of its context cannot
                    // stream into the next tool's events.
                    let (tx, mut rx) = mpsc::channel(TOOL_EVENT_BUFFER);
                    let ctx = ToolContext::new(context.clone(), call.call_id.clone(), tx, client_call.clone());
                    // Noted before the tool runs, to tell whether *this* call filled the slot.
                    let had_client_call = has_client_call(&client_call);
                    let mut running = tool.invoke(ctx, &call.arguments);
                    // Pass the tool's events on as they come; the tool's result ends the loop.
                    // `biased` polls the channel first, so an event sent before the tool
                    // returned is yielded before its output. When every sender is gone,
                    // `recv` gives `None`, the pattern does not match, and `select!` disables
                    // that branch and waits for the result alone.
                    let result: ToolResult = loop {
                        tokio::select! {
                            biased;
                            Some(event) = rx.recv() => yield RunEvent::Tool(event),
                            result = &mut running => break result,
                        }
                    };
                    // Events sent just before the tool returned are still in the channel.
                    while let Ok(event) = rx.try_recv() {
                        yield RunEvent::Tool(event);
                    }
                    if !had_client_call && has_client_call(&client_call) {
                        requested_by = Some(call.clone());
                    }
                    let output = tool_output(result);
                    yield RunEvent::ToolOutput { call_id: call.call_id.clone(), output: output.clone() };
                    input.push(InputItem::Typed(TypedInputItem::FunctionCallOutput(FunctionCallOutput {
                        call_id: call.call_id.clone(),
                        output: output.clone(),
                    })));
                    // Every call of the response runs even after a stopping tool, and the
                    // first one that stops gives the final output, as in the Agents SDK.
                    if stop.is_none() && stops_at(&agent.tool_use_behavior, &call.name) {
                        stop = Some(FinalOutput::ToolOutput { name: call.name.clone(), output });
                    }
                }
                if let Some(final_output) = stop {
                    // The client tool call is announced only when the run stops: if the model
                    // were called again it could answer before the client has run the tool.
                    // A poisoned lock counts as no call, rather than panicking mid-stream.
                    let pending = client_call.lock().ok().and_then(|mut slot| slot.take());
                    if let (Some(call), Some(requested_by)) = (pending, requested_by.take()) {
                        yield RunEvent::ClientToolCall { call, requested_by };
                    }
                    yield RunEvent::Finished(final_output);
                    break;
                }
            }
        }
        .boxed()
    }
}

/// Runs the agent's input guardrails in order; the first that trips ends the run.
///
/// One after another, not concurrently: the first trip decides the message the user sees,
/// and an order that depends on timing would make that message change between runs.
async fn check_input<C>(
    agent: &Agent<C>,
    context: &C,
    input: &[InputItem],
) -> Result<(), RunError> {
    for guardrail in &agent.input_guardrails {
        if let Some(tripwire) = guardrail.check(context, input).await {
            return Err(tripped(GuardrailStage::Input, guardrail.name(), tripwire));
        }
    }
    Ok(())
}

/// Runs the agent's output guardrails on the final text; the first that trips ends the run.
async fn check_output<C>(agent: &Agent<C>, context: &C, output: &str) -> Result<(), RunError> {
    for guardrail in &agent.output_guardrails {
        if let Some(tripwire) = guardrail.check(context, output).await {
            return Err(tripped(GuardrailStage::Output, guardrail.name(), tripwire));
        }
    }
    Ok(())
}

/// The error of a tripped guardrail, logged once here for both stages.
fn tripped(stage: GuardrailStage, guardrail: &str, tripwire: Tripwire) -> RunError {
    // `info`, not `warn`: a guardrail doing its job is not a fault of the server.
    tracing::info!(%stage, guardrail, "a guardrail stopped the run");
    RunError::GuardrailTripped {
        stage,
        guardrail: guardrail.to_owned(),
        tripwire,
    }
}

/// The request of one model call: the agent's settings, the input the provider does not hold
/// yet, and the stored response it continues, if any.
fn build_request<C>(
    agent: &Agent<C>,
    context: &C,
    input: Vec<InputItem>,
    previous_response_id: Option<String>,
) -> Result<ResponsesRequest, RunError> {
    // Rendered for every model call, as the Agents SDK asks the agent for its system prompt
    // on every turn; within a run the text is the same, since the context does not change.
    let instructions = match &agent.instructions {
        Some(instructions) => Some(instructions.render(&agent.name, context)?),
        None => None,
    };
    let mut request = ResponsesRequest {
        model: agent.model.clone(),
        // Always streamed: the runner forwards events as they arrive, even for a single
        // answer, so the client sees text as the model writes it.
        stream: true,
        input,
        instructions,
        tools: agent
            .tools
            .iter()
            .map(|tool| tool.definition().clone())
            .collect(),
        previous_response_id,
        ..ResponsesRequest::default()
    };
    agent.model_settings.apply(&mut request);
    Ok(request)
}

/// Keeps the finished items. `response.completed`'s `output` is the turn's result; when a
/// server leaves it empty, the `output_item.done` items stand in, as in the Agents SDK.
fn collect_output(event: &ResponseEvent, output: &mut Vec<OutputItem>) {
    match event {
        ResponseEvent::OutputItemDone { item, .. } => output.push(item.clone()),
        ResponseEvent::Completed { response } if !response.output.is_empty() => {
            *output = response.output.clone();
        }
        _ => {}
    }
}

/// The function calls of one response, in the order the model made them, which is the order
/// they run in.
fn function_calls(output: &[OutputItem]) -> Vec<FunctionCall> {
    output
        .iter()
        .filter_map(|item| match item {
            OutputItem::FunctionCall(call) => Some(call.clone()),
            _ => None,
        })
        .collect()
}

/// The text of the last message of the output (`""` if there is none).
fn last_message_text(output: &[OutputItem]) -> String {
    let message = output.iter().rev().find_map(|item| match item {
        OutputItem::Message(message) => Some(message),
        _ => None,
    });
    message
        .into_iter()
        .flat_map(|m| &m.content)
        .filter_map(|part| match part {
            OutputContent::OutputText { text, .. } => Some(text.as_str()),
            // A refusal is what the user was shown, so an output guardrail checks it too.
            OutputContent::Refusal { refusal } => Some(refusal.as_str()),
            OutputContent::Unknown => None,
        })
        .collect()
}

/// A tool's output for the model; an error becomes the Agents SDK's default message.
fn tool_output(result: ToolResult) -> String {
    match result {
        Ok(output) => output,
        Err(error) => {
            tracing::warn!(%error, "a tool failed");
            // The Agents SDK's default wording, kept exactly: the model reads it in the next
            // turn, and the tests compare the model requests with the SDK's recorded ones.
            format!("An error occurred while running the tool. Please try again. Error: {error}")
        }
    }
}

/// Whether the output of `tool` ends the run under `behavior`.
fn stops_at(behavior: &ToolUseBehavior, tool: &str) -> bool {
    match behavior {
        ToolUseBehavior::RunLlmAgain => false,
        ToolUseBehavior::StopOnFirstTool => true,
        ToolUseBehavior::StopAtTools(names) => names.iter().any(|name| name == tool),
    }
}

/// Whether a tool has asked for a client tool call in this run so far.
fn has_client_call(slot: &Mutex<Option<ClientToolCall>>) -> bool {
    // A poisoned slot (a tool panicked while setting it) counts as empty.
    slot.lock().map(|call| call.is_some()).unwrap_or(false)
}
