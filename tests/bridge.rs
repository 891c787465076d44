//! `stream_agent_response` against the Python SDK's, case by case.
//!
//! `reference/record_agent_transcripts.py` ran each case (`fixtures/agent_transcripts/
//! <case>.case.json`: the user's message, the agent's tools, the mock's script) through the
//! Python SDK's `stream_agent_response` with an Agents SDK agent against the Rust mock provider,
//! and recorded the SSE bytes of the `threads.create` stream and the model request bodies. Here
//! the same case runs through the Rust pipeline (`Processor`, a server whose `respond` calls
//! [`stream_agent_response`], the runner, an in-process `MockProvider` with the same script),
//! with ids and time injected the same way on both sides, so the bytes must be equal: no id or
//! timestamp needs normalising. Request bodies are compared as JSON values (their key order is
//! the client library's, not the protocol's), with tool argument titles removed
//! ([`without_property_titles`]).

use std::sync::Arc;

use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::{Agent, FunctionTool, Runner, ToolContext, ToolError, ToolUseBehavior};
use chatkit::clock::FixedClock;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::{IconName, ThreadItem, ThreadMetadata, Timestamp};
use chatkit::provider::InputItem;
use chatkit::provider::events::{InputMessage, MessageContent, TypedInputItem};
use chatkit::provider::mock::{MockProvider, Script};
use chatkit::server::{ChatKitServer, EventStream, ProcessResult, Processor, Responder};
use chatkit::store::{MemoryStore, UserContext};
use futures::StreamExt;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

const INSTRUCTIONS: &str = "You are a helpful assistant.";

/// The search tool's arguments.
#[derive(Deserialize, JsonSchema)]
struct SearchArgs {
    /// What to search for.
    query: String,
}

/// The client tool's arguments.
#[derive(Deserialize, JsonSchema)]
struct SelectionArgs {
    /// The project to look in.
    project: String,
}

fn icon(name: &str) -> IconName {
    serde_json::from_value(json!(name)).expect("a known icon")
}

/// The agent of a case, as the recorder builds its Python twin.
fn agent(tools: &str) -> Agent<()> {
    let agent = Agent::new("assistant").instructions(INSTRUCTIONS);
    match tools {
        "search" => agent.tool(FunctionTool::new(
            "search_docs",
            "Search the documentation.",
            |ctx: ToolContext<()>, args: SearchArgs| async move {
                ctx.progress(Some(icon("search")), "Searching docs...")
                    .await;
                ctx.progress(Some(icon("check")), "Found 2 results").await;
                Ok::<_, ToolError>(format!("2 results for {}", args.query))
            },
        )),
        "client" => agent
            .tool(FunctionTool::new(
                "get_selected_nodes",
                "Ask the client which nodes are selected.",
                |ctx: ToolContext<()>, args: SelectionArgs| async move {
                    let mut arguments = Map::new();
                    arguments.insert("project".to_owned(), json!(args.project));
                    ctx.request_client_tool_call("get_selected_nodes", arguments);
                    Ok::<_, ToolError>("asked the client".to_owned())
                },
            ))
            .tool_use_behavior(ToolUseBehavior::StopAtTools(vec![
                "get_selected_nodes".to_owned(),
            ])),
        _ => agent,
    }
}

/// The docs' server: the user's message as the model input, the run mapped by the bridge.
struct AgentServer {
    runner: Runner,
    agent: Arc<Agent<()>>,
}

impl ChatKitServer<UserContext> for AgentServer {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<ThreadItem>,
        _ctx: UserContext,
        out: Responder,
    ) -> EventStream {
        let input = input.map(|item| user_input(&item)).into_iter().collect();
        let run = self.runner.run_streamed(self.agent.clone(), input, ());
        stream_agent_response(ResponseMapper::new(thread.id, out), run)
    }
}

/// `simple_to_agent_input` of a user message with text parts only.
fn user_input(item: &ThreadItem) -> InputItem {
    let json = serde_json::to_value(item).expect("serializes");
    let parts = json["content"].as_array().cloned().unwrap_or_default();
    let text: String = parts.iter().filter_map(|p| p["text"].as_str()).collect();
    InputItem::Typed(TypedInputItem::Message(InputMessage {
        role: "user".to_owned(),
        content: MessageContent::Parts(vec![json!({"type":"input_text","text":text})]),
        id: None,
        status: None,
    }))
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/fixtures/agent_transcripts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn create(text: &str) -> String {
    json!({"type":"threads.create","params":{"input":{
        "content":[{"type":"input_text","text":text}],"attachments":[],"inference_options":{}}}})
    .to_string()
}

/// Runs `case` through the Rust pipeline: the SSE bytes and the model request bodies.
async fn run_case(case: &str) -> (String, Vec<Value>) {
    let spec: Value = serde_json::from_str(&fixture(&format!("{case}.case.json"))).expect("JSON");
    let script = Script::from_json(&spec["script"].to_string()).expect("a script");
    let mock = MockProvider::builder()
        .script(script)
        .start()
        .await
        .expect("the mock starts");
    let provider = mock.client().expect("a client");
    let server = AgentServer {
        runner: Runner::new(Arc::new(provider)),
        agent: Arc::new(agent(spec["tools"].as_str().unwrap_or("none"))),
    };
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(server, MemoryStore::new().with_ids(SequentialIds::new()))
        .clock(FixedClock::at(start))
        .build();
    let body = create(spec["input"].as_str().expect("an input"));
    let result = processor
        .process(body.as_bytes(), UserContext::new("student"))
        .await
        .expect("the request succeeds");
    let ProcessResult::Stream(frames) = result else {
        panic!("threads.create streams");
    };
    let bytes = frames.collect::<Vec<_>>().await.concat();
    let requests = mock.requests().into_iter().map(|r| r.body).collect();
    (String::from_utf8(bytes).expect("UTF-8"), requests)
}

async fn assert_matches_reference(case: &str) {
    let (sse, requests) = run_case(case).await;
    assert_eq!(
        sse,
        fixture(&format!("{case}.sse")),
        "{case}: the SSE differs from the Python SDK's"
    );
    let recorded: Vec<Value> =
        serde_json::from_str(&fixture(&format!("{case}.requests.json"))).expect("JSON");
    assert_eq!(
        without_property_titles(requests),
        without_property_titles(recorded),
        "{case}: the model requests differ from the Python SDK's"
    );
}

/// The one normalisation: pydantic gives each tool argument a `title` ("Query" for `query`),
/// which schemars does not. model-side.md §5 lists these titles as incidental (the model does
/// not need them), so they are removed from both sides; the tool's root title is kept.
fn without_property_titles(mut requests: Vec<Value>) -> Vec<Value> {
    for request in &mut requests {
        let tools = request.get_mut("tools").and_then(Value::as_array_mut);
        for tool in tools.into_iter().flatten() {
            let properties = tool["parameters"]
                .get_mut("properties")
                .and_then(Value::as_object_mut);
            for property in properties.into_iter().flat_map(|p| p.values_mut()) {
                if let Some(property) = property.as_object_mut() {
                    property.remove("title");
                }
            }
        }
    }
    requests
}

#[tokio::test]
async fn plain_text() {
    assert_matches_reference("text").await;
}

#[tokio::test]
async fn two_messages_in_one_response() {
    assert_matches_reference("two_messages").await;
}

#[tokio::test]
async fn reasoning_then_text() {
    assert_matches_reference("reasoning_text").await;
}

#[tokio::test]
async fn a_tool_streams_progress_updates() {
    assert_matches_reference("tool_progress").await;
}

#[tokio::test]
async fn a_client_tool_call_ends_the_stream() {
    assert_matches_reference("client_tool").await;
}

#[tokio::test]
async fn a_model_failure_keeps_the_finished_message() {
    assert_matches_reference("model_failure").await;
}
