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
//!
//! A case may go on after `threads.create` (`then` in its case file): a client tool's output, a
//! hidden context item written to the store, another user message. Each request's SSE bytes
//! follow the previous ones in the `.sse` file, and the server's `respond` builds every turn's
//! input from the thread with [`thread_to_agent_input`], as the recorder's does with the SDK's
//! `simple_to_agent_input`.

use std::sync::Arc;

use async_stream::try_stream;
use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, load_history, thread_to_agent_input};
use chatkit::agent::{
    Agent, FunctionTool, GuardrailFn, Runner, ToolContext, ToolError, ToolUseBehavior, Tripwire,
};
use chatkit::clock::FixedClock;
use chatkit::id_gen::SequentialIds;
use chatkit::protocol::{
    IconName, ItemId, ItemKind, Task, TaskKind, TaskStatusIndicator, ThreadId, ThreadItem,
    ThreadMetadata, Timestamp, UserMessageItem, WidgetRoot, Workflow, WorkflowKind,
    WorkflowSummary,
};
use chatkit::provider::events::InputItem;
use chatkit::provider::mock::{MockProvider, Script};
use chatkit::server::{ChatKitServer, EventStream, ProcessResult, Processor, Responder};
use chatkit::store::{MemoryStore, Store, UserContext};
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

/// The weather tool's arguments.
#[derive(Deserialize, JsonSchema)]
struct WeatherArgs {
    /// The city.
    city: String,
}

/// The client tool's arguments.
#[derive(Deserialize, JsonSchema)]
struct SelectionArgs {
    /// The project to look in.
    project: String,
}

/// The report writer's arguments.
#[derive(Deserialize, JsonSchema)]
struct ReportArgs {
    /// What the report is about.
    topic: String,
}

/// The text the report widget fills in.
const REPORT: &str = "Tides follow the Moon. Two highs a day.";

/// The report card with `text` in its body.
fn report_card(text: &str, streaming: bool) -> WidgetRoot {
    let card = json!({"type": "Card", "children": [
        {"type": "Title", "value": "Report"},
        {"type": "Text", "id": "body", "value": text, "streaming": streaming}
    ]});
    serde_json::from_value(card).expect("a widget")
}

/// The trip planner's arguments.
#[derive(Deserialize, JsonSchema)]
struct PlanArgs {
    /// The city to visit.
    city: String,
}

fn custom_task(
    status_indicator: TaskStatusIndicator,
    title: &str,
    content: Option<String>,
) -> Task {
    Task {
        status_indicator,
        kind: TaskKind::Custom {
            title: Some(title.to_owned()),
            icon: None,
            content,
        },
    }
}

fn icon(name: &str) -> IconName {
    serde_json::from_value(json!(name)).expect("a known icon")
}

/// The agent of a case, as the recorder builds its Python twin.
fn agent(tools: &str) -> Agent<()> {
    let agent = Agent::new("assistant").instructions(INSTRUCTIONS);
    match tools {
        "search" => agent.tool(search_docs()),
        "plan" => agent.tool(plan_trip()),
        "report" => agent.tool(write_report()),
        "weather" => agent.tool(get_weather()),
        "client" => {
            agent
                .tool(get_selected_nodes())
                .tool_use_behavior(ToolUseBehavior::StopAtTools(vec![
                    "get_selected_nodes".to_owned(),
                ]))
        }
        "guarded" => agent
            .input_guardrail(GuardrailFn::new(
                "no_passwords",
                |_: &(), input: &[InputItem]| {
                    let text = serde_json::to_string(input).unwrap_or_default();
                    text.contains("password").then(|| Tripwire::new(BLOCKED))
                },
            ))
            .output_guardrail(GuardrailFn::new("no_secrets", |_: &(), output: &str| {
                output.contains("secret").then(|| Tripwire::new(BLOCKED))
            })),
        _ => agent,
    }
}

/// Two progress updates, then the result.
fn search_docs() -> FunctionTool<()> {
    FunctionTool::new(
        "search_docs",
        "Search the documentation.",
        |ctx: ToolContext<()>, args: SearchArgs| async move {
            ctx.progress(Some(icon("search")), "Searching docs...")
                .await;
            ctx.progress(Some(icon("check")), "Found 2 results").await;
            Ok::<_, ToolError>(format!("2 results for {}", args.query))
        },
    )
}

/// A custom workflow with two tasks (one updated), ended with a summary, then a widget.
fn plan_trip() -> FunctionTool<()> {
    FunctionTool::new(
        "plan_trip",
        "Plan a trip to a city.",
        |ctx: ToolContext<()>, args: PlanArgs| async move {
            let city = args.city;
            ctx.start_workflow(Workflow {
                kind: WorkflowKind::Custom,
                tasks: Vec::new(),
                summary: None,
                expanded: false,
            })
            .await;
            let search = |status| custom_task(status, "Search flights", None);
            ctx.add_workflow_task(search(TaskStatusIndicator::Loading))
                .await;
            ctx.update_workflow_task(search(TaskStatusIndicator::Complete), 0)
                .await;
            let content = format!("Near the centre of {city}.");
            let hotel = custom_task(TaskStatusIndicator::None, "Book a hotel", Some(content));
            ctx.add_workflow_task(hotel).await;
            let summary = WorkflowSummary::Custom {
                title: "Planned".to_owned(),
                icon: None,
            };
            ctx.end_workflow(Some(summary), false).await;
            let card = json!({"type":"Card","children":[{"type":"Text","value":city}]});
            let widget: WidgetRoot = serde_json::from_value(card).expect("a widget");
            ctx.stream_widget(widget, Some(city.clone())).await;
            Ok::<_, ToolError>(format!("A trip to {city} is planned."))
        },
    )
}

/// A widget streamed state by state: the body grows, then stops streaming.
fn write_report() -> FunctionTool<()> {
    FunctionTool::new(
        "write_report",
        "Write a short report.",
        |ctx: ToolContext<()>, args: ReportArgs| async move {
            let growing = [0, 5, 23, REPORT.len()].map(|end| report_card(&REPORT[..end], true));
            let states = growing.into_iter().chain([report_card(REPORT, false)]);
            ctx.stream_widget_states(futures::stream::iter(states), Some(REPORT.to_owned()))
                .await;
            Ok::<_, ToolError>(format!("A report on {} is shown.", args.topic))
        },
    )
}

/// A server tool that shows nothing.
fn get_weather() -> FunctionTool<()> {
    FunctionTool::new(
        "get_weather",
        "Get the weather for a city.",
        |_ctx: ToolContext<()>, args: WeatherArgs| async move {
            Ok::<_, ToolError>(format!("Sunny, 21°C in {}", args.city))
        },
    )
}

/// A server tool that hands the work to the client.
fn get_selected_nodes() -> FunctionTool<()> {
    FunctionTool::new(
        "get_selected_nodes",
        "Ask the client which nodes are selected.",
        |ctx: ToolContext<()>, args: SelectionArgs| async move {
            let mut arguments = Map::new();
            arguments.insert("project".to_owned(), json!(args.project));
            ctx.request_client_tool_call("get_selected_nodes", arguments);
            Ok::<_, ToolError>("asked the client".to_owned())
        },
    )
}

/// What the guarded agent's tripwires show the user.
const BLOCKED: &str = "The assistant response was blocked.";

/// The docs' server: the thread's newest items as the model input, the run mapped by the bridge.
struct AgentServer {
    runner: Runner,
    agent: Arc<Agent<()>>,
}

impl ChatKitServer<UserContext> for AgentServer {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            let input = thread_to_agent_input(out.store(), &thread.id, &ctx, &DefaultConverter).await?;
            let mut newest = load_history(out.store(), &thread.id, &ctx).await?;
            newest.reverse();
            let mapper = ResponseMapper::new(out).continuing(&newest);
            let run = self.runner.run_streamed(self.agent.clone(), input, ());
            let mut events = stream_agent_response(mapper, run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }
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

/// One step of a case's `then`: the request it sends, or `None` for a write to the store.
async fn follow_up(store: &MemoryStore, thread_id: &str, step: &Value) -> Option<String> {
    if let Some(result) = step.get("add_client_tool_output") {
        return Some(
            json!({"type":"threads.add_client_tool_output",
                "params":{"thread_id":thread_id,"result":result}})
            .to_string(),
        );
    }
    if let Some(text) = step.get("add_user_message") {
        let mut input = json!({"content":[{"type":"input_text","text":text}],"attachments":[]});
        if let Some(quote) = step.get("quoted_text") {
            input["quoted_text"] = quote.clone();
        }
        input["inference_options"] = json!({});
        return Some(
            json!({"type":"threads.add_user_message",
                "params":{"thread_id":thread_id,"input":input}})
            .to_string(),
        );
    }
    let content = step
        .get("add_hidden_context")
        .unwrap_or_else(|| panic!("unknown step {step}"));
    // Half a second after the newest item, as the recorder does, so it sorts last.
    let ctx = UserContext::new("student");
    let thread_id = ThreadId::from(thread_id);
    let newest = load_history(store, &thread_id, &ctx)
        .await
        .expect("the thread loads")
        .pop()
        .expect("an item");
    let created_at = Timestamp::from_datetime(
        newest.created_at.as_datetime() + chrono::Duration::milliseconds(500),
    );
    let item = ThreadItem {
        id: ItemId::from("hcx_0001"),
        thread_id: thread_id.clone(),
        created_at,
        kind: ItemKind::HiddenContext {
            content: content.clone(),
        },
    };
    store
        .add_thread_item(&thread_id, &item, &ctx)
        .await
        .expect("the item is stored");
    None
}

async fn stream_bytes(processor: &Processor<UserContext>, body: &str) -> String {
    let result = processor
        .process(body.as_bytes(), UserContext::new("student"))
        .await
        .expect("the request succeeds");
    let ProcessResult::Stream(frames) = result else {
        panic!("{body} streams");
    };
    let bytes = frames.collect::<Vec<_>>().await.concat();
    String::from_utf8(bytes).expect("UTF-8")
}

/// What a case left behind: the SSE bytes, the model request bodies, and the store.
struct CaseRun {
    sse: String,
    requests: Vec<Value>,
    store: MemoryStore,
    thread_id: ThreadId,
}

impl CaseRun {
    /// The types of the items the store kept for the case's thread, oldest first.
    async fn stored_item_types(&self) -> Vec<String> {
        let items = load_history(&self.store, &self.thread_id, &UserContext::new("student"))
            .await
            .expect("the thread loads");
        let types = items.iter().map(|item| {
            let value = serde_json::to_value(item).expect("JSON");
            value["type"].as_str().unwrap_or_default().to_owned()
        });
        types.collect()
    }
}

/// Runs `case` through the Rust pipeline.
async fn run_case(case: &str) -> CaseRun {
    let spec: Value = serde_json::from_str(&fixture(&format!("{case}.case.json"))).expect("JSON");
    let script = Script::from_json(&spec["script"].to_string()).expect("a script");
    let mock = MockProvider::builder()
        .script(script)
        .start()
        .await
        .expect("the mock starts");
    let provider = mock.client().expect("a client");
    let store = MemoryStore::new();
    let server = AgentServer {
        runner: Runner::new(Arc::new(provider)),
        agent: Arc::new(agent(spec["tools"].as_str().unwrap_or("none"))),
    };
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
    let processor = Processor::builder(server, store.clone())
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    let mut sse = stream_bytes(
        &processor,
        &create(spec["input"].as_str().expect("an input")),
    )
    .await;
    let first: Value = serde_json::from_str(
        sse.lines()
            .next()
            .and_then(|line| line.strip_prefix("data: "))
            .expect("a first event"),
    )
    .expect("JSON");
    let thread_id = first["thread"]["id"]
        .as_str()
        .expect("thread.created")
        .to_owned();
    for step in spec["then"].as_array().into_iter().flatten() {
        if let Some(body) = follow_up(&store, &thread_id, step).await {
            sse += &stream_bytes(&processor, &body).await;
        }
    }
    let requests = mock.requests().into_iter().map(|r| r.body).collect();
    CaseRun {
        sse,
        requests,
        store,
        thread_id: ThreadId::from(thread_id.as_str()),
    }
}

/// Runs `case` and asserts it is byte for byte what the Python SDK recorded.
async fn assert_matches_reference(case: &str) -> CaseRun {
    let run = run_case(case).await;
    let (sse, requests) = (&run.sse, run.requests.clone());
    assert_eq!(
        *sse,
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
    run
}

/// The one normalisation: pydantic gives each tool argument a `title` ("Query" for `query`),
/// which schemars does not. protocol#matching lists these titles as incidental (the model does
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

#[tokio::test]
async fn annotations_of_each_kind() {
    assert_matches_reference("annotations").await;
}

#[tokio::test]
async fn a_server_tool_is_invisible() {
    assert_matches_reference("server_tool").await;
}

#[tokio::test]
async fn reasoning_a_tool_then_text() {
    assert_matches_reference("reasoning_tool_text").await;
}

#[tokio::test]
async fn a_client_tool_output_continues_the_run() {
    assert_matches_reference("client_tool_output").await;
}

#[tokio::test]
async fn a_second_turn_sends_the_history() {
    assert_matches_reference("history").await;
}

#[tokio::test]
async fn a_tool_builds_a_workflow_and_a_widget() {
    assert_matches_reference("workflow_widget").await;
}

#[tokio::test]
async fn a_stream_cut_before_completed_is_a_stream_error() {
    assert_matches_reference("stream_cut").await;
}

#[tokio::test]
async fn a_model_failure_mid_message_saves_nothing_of_it() {
    let run = assert_matches_reference("model_failure_mid_message").await;
    assert_eq!(run.stored_item_types().await, ["user_message"]);
}

#[tokio::test]
async fn a_stream_cut_mid_message_saves_nothing_of_it() {
    let run = assert_matches_reference("stream_cut_mid_message").await;
    assert_eq!(run.stored_item_types().await, ["user_message"]);
}

#[tokio::test]
async fn an_output_guardrail_removes_the_answer_it_blocks() {
    let run = assert_matches_reference("output_guardrail").await;
    assert_eq!(run.stored_item_types().await, ["user_message"]);
}

#[tokio::test]
async fn an_input_guardrail_stops_the_run_before_the_model_is_called() {
    let run = assert_matches_reference("input_guardrail").await;
    assert!(run.requests.is_empty(), "{:?}", run.requests);
    assert_eq!(run.stored_item_types().await, ["user_message"]);
}

#[tokio::test]
async fn a_tool_streams_a_widget_state_by_state() {
    let run = assert_matches_reference("widget_stream").await;
    assert_eq!(
        run.stored_item_types().await,
        ["user_message", "widget", "assistant_message"]
    );
}
