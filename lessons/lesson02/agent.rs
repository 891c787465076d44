//! The lesson's agent and the ChatKit server that runs it.
//!
//! This file is shared: `main.rs` serves it over HTTP, `tests/lessons.rs` snapshots its stream,
//! and `tests/grade.rs` runs the exercises' tools through the very same server.

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, thread_to_agent_input};
use chatkit::agent::{Agent, FunctionTool, Runner, ToolContext, ToolError};
use chatkit::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

// ANCHOR: agent
/// The assistant: what it is told, and the one tool it may call.
pub(crate) fn agent(model: &str) -> Agent<UserContext> {
    Agent::new("assistant")
        .instructions("You are a friendly assistant in a Rust course. Answer in a few sentences.")
        .model(model)
        .tool(weather_tool())
}
// ANCHOR_END: agent

// ANCHOR: tool
/// The weather tool's arguments; the doc comments become the schema the model reads.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct WeatherArgs {
    /// The city to look up.
    city: String,
}

/// A function tool: the model asks for it by name, the runner calls it, and its answer goes
/// back to the model. This one makes the weather up, so it runs offline.
pub(crate) fn weather_tool() -> FunctionTool<UserContext> {
    FunctionTool::new(
        "get_weather",
        "Get the current weather in a city.",
        |_ctx: ToolContext<UserContext>, args: WeatherArgs| async move {
            Ok::<_, ToolError>(format!("Sunny and 21°C in {}.", args.city))
        },
    )
}
// ANCHOR_END: tool

// ANCHOR: server
/// A ChatKit server whose every answer is an agent run.
pub(crate) struct AgentServer {
    /// Calls the model (the mock or OpenAI) and the tools, turn after turn.
    pub(crate) runner: Runner,
    pub(crate) agent: Arc<Agent<UserContext>>,
}
// ANCHOR_END: server

// ANCHOR: respond
impl ChatKitServer<UserContext> for AgentServer {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            // 1. The thread so far (the new message is already saved) as model input.
            let input = thread_to_agent_input(out.store(), &thread.id, &ctx, &DefaultConverter).await?;
            // 2. The agent loop: model call, tool calls, model call again, … streamed.
            let run = self.runner.run_streamed(self.agent.clone(), input, ctx);
            // 3. The helper: every model and tool event becomes ChatKit events.
            let mut events = stream_agent_response(ResponseMapper::new(out), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }
}
// ANCHOR_END: respond
