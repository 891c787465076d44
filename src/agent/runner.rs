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
//! `function_call_output` per call (model-side.md §1.1).
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

/// Runs agents against one model provider.
#[derive(Debug, Clone)]
pub struct Runner {
    provider: Arc<dyn ModelProvider>,
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
        let provider = self.provider.clone();
        let max_turns = self.max_turns;
        let context = Arc::new(context);
        try_stream! {
            let mut input = input;
            check_input(&agent, &context, &input).await?;
            let client_call = Arc::new(Mutex::new(None::<ClientToolCall>));
            let mut requested_by = None;
            for turn in 1.. {
                if turn > max_turns {
                    Err(RunError::MaxTurnsExceeded { max_turns })?;
                }
                yield RunEvent::TurnStarted { turn };
                let request = build_request(&agent, &context, input.clone())?;
                let mut output = Vec::new();
                let mut events = provider.stream_response(request);
                while let Some(event) = events.next().await {
                    let event = event?;
                    collect_output(&event, &mut output);
                    yield RunEvent::Model(event);
                }
                input.extend(output.iter().filter_map(InputItem::replay));
                let calls = function_calls(&output);
                if calls.is_empty() {
                    let text = last_message_text(&output);
                    check_output(&agent, &context, &text).await?;
                    yield RunEvent::Finished(FinalOutput::Text(text));
                    break;
                }
                let mut stop = None;
                for call in calls {
                    let Some(tool) = agent.find_tool(&call.name) else {
                        Err(RunError::UnknownTool { name: call.name.clone(), agent: agent.name.clone() })?;
                        break;
                    };
                    yield RunEvent::ToolCalled(call.clone());
                    let (tx, mut rx) = mpsc::channel(TOOL_EVENT_BUFFER);
                    let ctx = ToolContext::new(context.clone(), call.call_id.clone(), tx, client_call.clone());
                    let had_client_call = has_client_call(&client_call);
                    let mut running = tool.invoke(ctx, &call.arguments);
                    // Pass the tool's events on as they come; the tool's result ends the loop.
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
                    if stop.is_none() && stops_at(&agent.tool_use_behavior, &call.name) {
                        stop = Some(FinalOutput::ToolOutput { name: call.name.clone(), output });
                    }
                }
                if let Some(final_output) = stop {
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

fn tripped(stage: GuardrailStage, guardrail: &str, tripwire: Tripwire) -> RunError {
    tracing::info!(%stage, guardrail, "a guardrail stopped the run");
    RunError::GuardrailTripped {
        stage,
        guardrail: guardrail.to_owned(),
        tripwire,
    }
}

/// The request of one model call: the agent's settings and the input so far.
fn build_request<C>(
    agent: &Agent<C>,
    context: &C,
    input: Vec<InputItem>,
) -> Result<ResponsesRequest, RunError> {
    let instructions = match &agent.instructions {
        Some(instructions) => Some(instructions.render(&agent.name, context)?),
        None => None,
    };
    let mut request = ResponsesRequest {
        model: agent.model.clone(),
        stream: true,
        input,
        instructions,
        tools: agent
            .tools
            .iter()
            .map(|tool| tool.definition().clone())
            .collect(),
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
            format!("An error occurred while running the tool. Please try again. Error: {error}")
        }
    }
}

fn stops_at(behavior: &ToolUseBehavior, tool: &str) -> bool {
    match behavior {
        ToolUseBehavior::RunLlmAgain => false,
        ToolUseBehavior::StopOnFirstTool => true,
        ToolUseBehavior::StopAtTools(names) => names.iter().any(|name| name == tool),
    }
}

fn has_client_call(slot: &Mutex<Option<ClientToolCall>>) -> bool {
    slot.lock().map(|call| call.is_some()).unwrap_or(false)
}
