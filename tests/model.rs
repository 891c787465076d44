//! The model side: the agent runner against the in-process mock provider, and the Responses
//! client against injected faults (wiremock for whole bodies, a small axum server for streams
//! that stall or stop mid-event).
//!
//! Request bodies are compared with what the Agents SDK sends (protocol#responses-request).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatkit::agent::{
    Agent, FinalOutput, FunctionTool, Instructions, RunError, RunEvent, RunOptions, Runner,
    ToolContext, ToolError, ToolEvent, ToolUseBehavior,
};
use chatkit::protocol::{IconName, ThreadStreamEvent};
use chatkit::provider::events::ResponseEvent;
use chatkit::provider::mock::{MockProvider, Script, Turn, wire};
use chatkit::provider::{
    InputItem, ModelProvider, OpenAiProvider, ProviderError, ResponsesRequest, RetryPolicy,
    Timeouts,
};
use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The arguments of a weather tool, as the Agents SDK describes it (protocol#responses-request).
#[derive(Deserialize, JsonSchema)]
struct WeatherArgs {
    /// Name of the city.
    city: String,
}

fn weather_tool<C: Send + Sync + 'static>() -> FunctionTool<C> {
    FunctionTool::new(
        "get_weather",
        "Get the current weather for a city.",
        |ctx: ToolContext<C>, args: WeatherArgs| async move {
            ctx.progress(Some(IconName::Search), "Checking the sky...")
                .await;
            Ok::<_, ToolError>(format!("Sunny, 21C in {}", args.city))
        },
    )
}

fn weather_agent() -> Arc<Agent<()>> {
    Arc::new(
        Agent::new("Assistant")
            .instructions("You are a helpful assistant.")
            .tool(weather_tool()),
    )
}

async fn mock_with(script: Value) -> MockProvider {
    let script = Script::from_json(&script.to_string()).expect("a valid script");
    MockProvider::builder()
        .script(script)
        .start()
        .await
        .expect("the mock starts")
}

fn runner(mock: &MockProvider) -> Runner {
    Runner::new(Arc::new(mock.client().expect("a client")))
}

/// Runs to the end: the events, and the error if the run failed.
async fn run_all<C: Send + Sync + 'static>(
    runner: &Runner,
    agent: Arc<Agent<C>>,
    text: &str,
    context: C,
) -> (Vec<RunEvent>, Option<RunError>) {
    let mut stream = runner.run_streamed(agent, vec![InputItem::user_text(text)], context);
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(error) => return (events, Some(error)),
        }
    }
    (events, None)
}

fn finished(events: &[RunEvent]) -> Option<&FinalOutput> {
    events.iter().find_map(|e| match e {
        RunEvent::Finished(output) => Some(output),
        _ => None,
    })
}

fn model_types(events: &[RunEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Model(event) => Some(event.type_name()),
            _ => None,
        })
        .collect()
}

/// The weather tool exactly as the Agents SDK sends it (protocol#responses-request), less
/// pydantic's per-property `title` (incidental, protocol#matching).
fn expected_weather_tool() -> Value {
    json!({"name":"get_weather","parameters":{"properties":{"city":{"description":"Name of the city.","type":"string"}},"required":["city"],"title":"get_weather_args","type":"object","additionalProperties":false},"strict":true,"type":"function","description":"Get the current weather for a city."})
}

// ---------------------------------------------------------------------------------------------
// The runner against the mock provider
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn text_turn_streams_the_full_wire_and_finishes_with_the_text() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let agent = Arc::new(Agent::new("Assistant").instructions("You are a helpful assistant."));
    let (events, error) = run_all(&runner(&mock), agent, "Hi there", ()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        finished(&events),
        Some(&FinalOutput::Text(
            "Hello! How can I help you today?".into()
        ))
    );
    let types = model_types(&events);
    assert_eq!(types.first().map(String::as_str), Some("response.created"));
    assert_eq!(types[1], "response.in_progress");
    assert_eq!(types.last().map(String::as_str), Some("response.completed"));
    let deltas = types.iter().filter(|t| *t == "response.output_text.delta");
    assert_eq!(deltas.count(), 7);
    // The text scenario's body (protocol#responses-request): tools `[]`, no tool_choice,
    // nothing unset.
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].body,
        json!({"model":"gpt-4.1-mini","stream":true,"include":[],
               "input":[{"content":"Hi there","role":"user"}],
               "instructions":"You are a helpful assistant.","tools":[]})
    );
    assert_eq!(requests[0].headers["authorization"], "Bearer sk-mock");
}

/// The ids of the first message item a mock gives for "Hi there".
async fn first_message_id(mock: &MockProvider) -> String {
    let agent = Arc::new(Agent::new("Assistant"));
    let (events, _) = run_all(&runner(mock), agent, "Hi there", ()).await;
    events
        .iter()
        .find_map(|event| match event {
            RunEvent::Model(ResponseEvent::OutputItemAdded {
                item: chatkit::provider::OutputItem::Message(message),
                ..
            }) => Some(message.id.clone()),
            _ => None,
        })
        .expect("a message")
}

#[tokio::test]
async fn a_mock_with_unique_ids_never_repeats_another_runs_ids() {
    let fixed = [MockProvider::start().await, MockProvider::start().await]
        .map(|mock| mock.expect("the mock starts"));
    assert_eq!(first_message_id(&fixed[0]).await, "msg_mock_001_0");
    assert_eq!(first_message_id(&fixed[1]).await, "msg_mock_001_0");
    let unique = [
        MockProvider::builder().unique_ids().start().await,
        MockProvider::builder().unique_ids().start().await,
    ]
    .map(|mock| mock.expect("the mock starts"));
    let (a, b) = (
        first_message_id(&unique[0]).await,
        first_message_id(&unique[1]).await,
    );
    assert_ne!(a, b);
    for id in [a, b] {
        // msg_mock_<8 hex digits>_001_0
        let tag = id
            .strip_prefix("msg_mock_")
            .and_then(|rest| rest.strip_suffix("_001_0"));
        assert!(tag.is_some_and(|tag| tag.len() == 8), "{id}");
    }
}

#[tokio::test]
async fn reasoning_turn_streams_the_summary_before_the_message() {
    let mock = mock_with(json!([{"output": [
        {"type": "reasoning", "summary": ["Thinking about greetings.", "Keep it short."], "deltas": 2},
        {"type": "message", "text": "Hello!"}
    ]}]))
    .await;
    let agent = Arc::new(Agent::new("Assistant"));
    let (events, error) = run_all(&runner(&mock), agent, "Hi", ()).await;
    assert!(error.is_none(), "{error:?}");
    let summary: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Model(ResponseEvent::ReasoningSummaryTextDelta {
                item_id,
                summary_index,
                delta,
                ..
            }) => Some(format!("{item_id}/{summary_index}:{delta}")),
            _ => None,
        })
        .collect();
    assert_eq!(summary.len(), 4);
    assert_eq!(summary[0], "rs_mock_001_0/0:Thinking abou");
    assert_eq!(finished(&events), Some(&FinalOutput::Text("Hello!".into())));
}

#[tokio::test]
async fn tool_call_turn_runs_the_tool_and_calls_the_model_again_with_its_output() {
    let mock = mock_with(json!([
        {"output": [{"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}, "deltas": 3}]},
        {"output": [{"type": "message", "text": "It is sunny and 21°C in Paris.",
                     "deltas": ["It is sunny", " and 21°C", " in Paris."]}]}
    ]))
    .await;
    let (events, error) = run_all(
        &runner(&mock),
        weather_agent(),
        "What's the weather in Paris?",
        (),
    )
    .await;
    assert!(error.is_none(), "{error:?}");

    // The tool's progress update arrives between the call and its output.
    let position = |wanted: fn(&RunEvent) -> bool| events.iter().position(wanted);
    let called = position(|e| matches!(e, RunEvent::ToolCalled(c) if c.name == "get_weather"));
    let progress = position(|e| {
        matches!(e, RunEvent::Tool(ToolEvent::Stream(event))
            if matches!(**event, ThreadStreamEvent::ProgressUpdate { .. }))
    });
    let output = position(|e| {
        matches!(e, RunEvent::ToolOutput { call_id, output }
            if call_id == "call_mock_001_0" && output == "Sunny, 21C in Paris")
    });
    assert!(called < progress && progress < output, "{events:#?}");
    assert!(called.is_some());
    assert_eq!(
        finished(&events),
        Some(&FinalOutput::Text("It is sunny and 21°C in Paris.".into()))
    );

    // Both bodies, compared with protocol#responses-request.
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    let first = json!({"model":"gpt-4.1-mini","stream":true,"include":[],
        "input":[{"content":"What's the weather in Paris?","role":"user"}],
        "instructions":"You are a helpful assistant.",
        "tools":[expected_weather_tool()]});
    assert_eq!(requests[0].body, first);
    let mut second = first.clone();
    second["input"] = json!([{"content":"What's the weather in Paris?","role":"user"},
        {"arguments":"{\"city\":\"Paris\"}","call_id":"call_mock_001_0","name":"get_weather","type":"function_call","id":"fc_mock_001_0","status":"completed"},
        {"call_id":"call_mock_001_0","output":"Sunny, 21C in Paris","type":"function_call_output"}]);
    assert_eq!(requests[1].body, second);
}

#[tokio::test]
async fn the_toy_model_calls_a_tool_the_user_asks_for_then_reports_its_output() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let (events, error) = run_all(
        &runner(&mock),
        weather_agent(),
        "What's the weather in Paris?",
        (),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        finished(&events),
        Some(&FinalOutput::Text(
            "Here is what get_weather returned: Sunny, 21C in Paris".into()
        ))
    );
}

#[tokio::test]
async fn a_run_that_keeps_calling_tools_stops_at_max_turns() {
    let mock = mock_with(json!([{"output": [
        {"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}}
    ]}]))
    .await;
    let (_, error) = run_all(&runner(&mock).max_turns(2), weather_agent(), "Weather?", ()).await;
    assert!(
        matches!(error, Some(RunError::MaxTurnsExceeded { max_turns: 2 })),
        "{error:?}"
    );
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn a_call_of_a_tool_the_agent_lacks_is_an_error() {
    let mock = mock_with(json!([{"output": [
        {"type": "function_call", "name": "launch_rockets", "arguments": {}}
    ]}]))
    .await;
    let (_, error) = run_all(&runner(&mock), weather_agent(), "Go", ()).await;
    assert!(
        matches!(&error, Some(RunError::UnknownTool { name, .. }) if name == "launch_rockets"),
        "{error:?}"
    );
}

#[derive(Deserialize, JsonSchema)]
struct SelectionArgs {
    /// The project to look in.
    project: String,
}

#[tokio::test]
async fn stop_at_tools_ends_the_run_with_the_client_tool_call() {
    let mock = mock_with(json!([{"output": [
        {"type": "function_call", "name": "get_selected_nodes", "arguments": {"project": "demo"}}
    ]}]))
    .await;
    let tool = FunctionTool::new(
        "get_selected_nodes",
        "Ask the page which nodes are selected.",
        |ctx: ToolContext<()>, args: SelectionArgs| async move {
            let mut arguments = serde_json::Map::new();
            arguments.insert("project".into(), json!(args.project));
            ctx.request_client_tool_call("get_selected_nodes", arguments);
            Ok::<_, ToolError>("Asked the client.".to_owned())
        },
    );
    let agent = Arc::new(Agent::new("Assistant").tool(tool).tool_use_behavior(
        ToolUseBehavior::StopAtTools(vec!["get_selected_nodes".into()]),
    ));
    let (events, error) = run_all(&runner(&mock), agent, "What is selected?", ()).await;
    assert!(error.is_none(), "{error:?}");
    let client_call = events.iter().find_map(|e| match e {
        RunEvent::ClientToolCall { call, requested_by } => Some((call, requested_by)),
        _ => None,
    });
    let (call, requested_by) = client_call.expect("a client tool call");
    assert_eq!(call.name, "get_selected_nodes");
    assert_eq!(
        Value::Object(call.arguments.clone()),
        json!({"project":"demo"})
    );
    assert_eq!(requested_by.id.as_deref(), Some("fc_mock_001_0"));
    assert_eq!(requested_by.call_id, "call_mock_001_0");
    assert!(matches!(
        events.last(),
        Some(RunEvent::Finished(FinalOutput::ToolOutput { name, .. })) if name == "get_selected_nodes"
    ));
    assert_eq!(mock.requests().len(), 1, "no second model call");
}

#[derive(Serialize)]
struct Session {
    name: String,
}

#[tokio::test]
async fn template_instructions_render_with_the_request_context() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let agent = Arc::new(Agent::new("Greeter").instructions(Instructions::template(
        "You are {{ agent }}. The user's name is {{ context.name }}.",
    )));
    let context = Session { name: "Ada".into() };
    let (events, error) = run_all(&runner(&mock), agent, "hello", context).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        mock.requests()[0].body["instructions"],
        "You are Greeter. The user's name is Ada."
    );
    assert_eq!(
        finished(&events),
        Some(&FinalOutput::Text(
            "Hello, Ada! How can I help you today?".into()
        ))
    );
}

#[tokio::test]
async fn a_tool_error_goes_to_the_model_as_the_output() {
    let mock = mock_with(json!([
        {"output": [{"type": "function_call", "name": "get_weather", "arguments": {"town": "Paris"}}]},
        {"output": [{"type": "message", "text": "Sorry."}]}
    ]))
    .await;
    let (_, error) = run_all(&runner(&mock), weather_agent(), "Weather?", ()).await;
    assert!(error.is_none(), "{error:?}");
    let output = mock.requests()[1].body["input"][2]["output"].clone();
    let output = output.as_str().unwrap_or_default().to_owned();
    assert!(
        output.starts_with("An error occurred while running the tool. Please try again. Error: invalid arguments for get_weather"),
        "{output}"
    );
}

// ---------------------------------------------------------------------------------------------
// The mock's scripted failures, through the client
// ---------------------------------------------------------------------------------------------

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

async fn first_error(provider: &dyn ModelProvider) -> Option<ProviderError> {
    let mut stream = provider.stream_response(request());
    while let Some(item) = stream.next().await {
        if let Err(error) = item {
            return Some(error);
        }
    }
    None
}

fn request() -> ResponsesRequest {
    ResponsesRequest {
        model: "gpt-4.1-mini".into(),
        input: vec![InputItem::user_text("Hi there")],
        ..ResponsesRequest::default()
    }
}

#[tokio::test]
async fn scripted_failures_become_typed_errors() {
    for (fail, check) in [
        (
            "response.failed",
            (|e: &ProviderError| matches!(e, ProviderError::ResponseFailed { error: Some(_), .. }))
                as fn(&ProviderError) -> bool,
        ),
        ("error", |e| matches!(e, ProviderError::ErrorEvent { .. })),
        (
            "error_key",
            |e| matches!(e, ProviderError::ErrorPayload { message } if message.contains("error_key")),
        ),
    ] {
        let mock = mock_with(
            json!([{"output": [{"type":"message","text":"Partial answ"}], "fail": fail}]),
        )
        .await;
        let client = mock.client().expect("a client");
        let error = first_error(&client).await;
        assert!(error.as_ref().is_some_and(check), "{fail}: {error:?}");
    }
}

#[tokio::test]
async fn a_scripted_http_500_is_retried_by_the_client() {
    let mock =
        mock_with(json!([{"fail": "http_500"}, {"output": [{"type":"message","text":"Back."}]}]))
            .await;
    let client = mock.client().expect("a client").with_retry(fast_retries());
    assert!(first_error(&client).await.is_none());
    assert_eq!(mock.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The client against wiremock
// ---------------------------------------------------------------------------------------------

/// A whole SSE body from the mock's wire writer.
fn sse_body(turn: &Turn) -> String {
    wire::render(1, "", &request(), turn)
        .iter()
        .map(wire::Frame::to_sse)
        .collect()
}

fn sse(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

async fn wiremock_client(server: &MockServer) -> OpenAiProvider {
    OpenAiProvider::new(format!("{}/v1", server.uri()), Some("sk-test".into()))
        .expect("a client")
        .with_retry(fast_retries())
}

#[tokio::test]
async fn http_500_then_success_is_retried_with_the_same_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/responses"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error":{"message":"boom"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/responses"))
        .respond_with(sse(sse_body(&Turn::message("Hello!"))))
        .mount(&server)
        .await;
    let client = wiremock_client(&server).await;
    let events: Vec<_> = client.stream_response(request()).collect().await;
    assert!(events.iter().all(Result::is_ok), "{events:?}");
    assert!(matches!(
        events.last(),
        Some(Ok(ResponseEvent::Completed { .. }))
    ));
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
    let body: Value = serde_json::from_slice(&received[0].body).expect("json");
    assert_eq!(
        body,
        json!({"model":"gpt-4.1-mini","stream":true,"include":[],
               "input":[{"content":"Hi there","role":"user"}],"tools":[]})
    );
    let auth = received[0].headers.get("authorization").expect("auth");
    assert_eq!(auth.to_str().ok(), Some("Bearer sk-test"));
}

#[tokio::test]
async fn http_500_every_time_gives_up_after_two_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error":{"message":"busy"}})))
        .mount(&server)
        .await;
    let error = first_error(&wiremock_client(&server).await).await;
    assert!(
        matches!(&error, Some(ProviderError::Status { status: 503, message, attempts: 3 }) if message == "busy"),
        "{error:?}"
    );
}

#[tokio::test]
async fn http_429_waits_for_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sse(sse_body(&Turn::message("Hello!"))))
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = first_error(&wiremock_client(&server).await).await;
    assert!(error.is_none(), "{error:?}");
    // The backoff alone would be 10 ms; the server asked for a second.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn http_400_is_not_retried_and_its_message_is_surfaced() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error":{"message":"Invalid 'input': expected an array.","type":"invalid_request_error","param":"input","code":null}}),
        ))
        .mount(&server)
        .await;
    let error = first_error(&wiremock_client(&server).await).await;
    assert!(
        matches!(&error, Some(ProviderError::Status { status: 400, message, attempts: 1 })
            if message == "Invalid 'input': expected an array."),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

async fn error_for_body(body: String) -> Option<ProviderError> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sse(body))
        .mount(&server)
        .await;
    first_error(&wiremock_client(&server).await).await
}

#[tokio::test]
async fn a_malformed_sse_line_is_a_malformed_event() {
    let mut body = sse_body(&Turn::message("Hello!"));
    body.insert_str(0, "data: {\"type\":\"response.created\",\n\n");
    let error = error_for_body(body).await;
    assert!(
        matches!(&error, Some(ProviderError::MalformedEvent { data, .. }) if data.starts_with("{\"type\"")),
        "{error:?}"
    );
}

#[tokio::test]
async fn unknown_events_and_comments_are_skipped() {
    let body = format!(
        ": keep-alive\n\ndata: {{\"type\":\"response.brand_new\",\"x\":1}}\n\n{}",
        sse_body(&Turn::message("Hello!"))
    );
    assert!(error_for_body(body).await.is_none());
}

#[tokio::test]
async fn a_stream_cut_before_completed_is_truncated() {
    let frames = wire::render(1, "", &request(), &Turn::message("Hello there"));
    let body: String = frames[..frames.len() - 1]
        .iter()
        .map(wire::Frame::to_sse)
        .collect();
    let error = error_for_body(body).await;
    assert!(matches!(error, Some(ProviderError::Truncated)), "{error:?}");
}

#[tokio::test]
async fn an_error_event_is_typed() {
    let turn: Turn = serde_json::from_value(json!({"output": [], "fail": "error"})).expect("turn");
    let error = error_for_body(sse_body(&turn)).await;
    assert!(
        matches!(&error, Some(ProviderError::ErrorEvent { code: Some(code), .. }) if code == "server_error"),
        "{error:?}"
    );
}

#[tokio::test]
async fn response_failed_is_typed() {
    let turn: Turn =
        serde_json::from_value(json!({"output": [], "fail": "response.failed"})).expect("turn");
    let error = error_for_body(sse_body(&turn)).await;
    assert!(
        matches!(&error, Some(ProviderError::ResponseFailed { error: Some(e), .. }) if e.message.contains("response.failed")),
        "{error:?}"
    );
}

#[tokio::test]
async fn response_incomplete_is_typed() {
    let body = "data: {\"type\":\"response.incomplete\",\"response\":{\"id\":\"r1\",\"output\":[],\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}\n\n";
    let error = error_for_body(body.to_owned()).await;
    assert!(
        matches!(&error, Some(ProviderError::ResponseIncomplete { details, .. }) if details.contains("max_output_tokens")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_minimal_stream_without_created_or_sequence_numbers_is_accepted() {
    // protocol#responses-minimal: the smallest stream the Agents SDK accepts.
    let body = "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"r1\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"hey\"}]}]}}\n\n";
    assert!(error_for_body(body.to_owned()).await.is_none());
}

#[tokio::test]
async fn a_slow_first_byte_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sse(sse_body(&Turn::message("Hi"))).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let client = wiremock_client(&server)
        .await
        .with_retry(RetryPolicy {
            max_retries: 0,
            ..fast_retries()
        })
        .with_timeouts(Timeouts {
            first_byte: Duration::from_millis(200),
            ..Timeouts::default()
        })
        .expect("a client");
    let error = first_error(&client).await;
    assert!(
        matches!(error, Some(ProviderError::FirstByteTimeout(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    // Bind and drop, so the port is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port();
    let client = OpenAiProvider::new(format!("http://127.0.0.1:{port}/v1"), None)
        .expect("a client")
        .with_retry(RetryPolicy {
            max_retries: 0,
            ..fast_retries()
        });
    let error = first_error(&client).await;
    assert!(
        matches!(error, Some(ProviderError::Connect(_))),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Streams that stall or stop mid-event: wiremock sends whole bodies only, so a small axum server
// ---------------------------------------------------------------------------------------------

/// Serves `prefix` and then either stalls forever or closes, on a free port.
async fn partial_stream_server(
    prefix: String,
    stall: bool,
) -> (String, tokio::task::JoinHandle<()>) {
    use axum::body::{Body, Bytes};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let app = axum::Router::new().route(
        "/v1/responses",
        axum::routing::post(move || {
            let prefix = prefix.clone();
            async move {
                let head = futures::stream::once(async move {
                    Ok::<_, std::convert::Infallible>(Bytes::from(prefix))
                });
                let body = if stall {
                    Body::from_stream(head.chain(futures::stream::pending()))
                } else {
                    Body::from_stream(head)
                };
                ([("content-type", "text/event-stream")], body)
            }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, task)
}

#[tokio::test]
async fn a_stalled_stream_hits_the_idle_timeout() {
    let frames = wire::render(1, "", &request(), &Turn::message("Hello there"));
    let prefix: String = frames[..4].iter().map(wire::Frame::to_sse).collect();
    let (base, task) = partial_stream_server(prefix, true).await;
    let client = OpenAiProvider::new(base, None)
        .expect("a client")
        .with_timeouts(Timeouts {
            idle: Duration::from_millis(200),
            ..Timeouts::default()
        })
        .expect("a client");
    let mut stream = client.stream_response(request());
    let mut received = 0;
    let error = loop {
        match stream.next().await {
            Some(Ok(_)) => received += 1,
            Some(Err(error)) => break Some(error),
            None => break None,
        }
    };
    task.abort();
    assert_eq!(received, 4, "the events before the stall arrive");
    assert!(
        matches!(error, Some(ProviderError::IdleTimeout(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_stream_cut_mid_event_is_truncated() {
    let frames = wire::render(1, "", &request(), &Turn::message("Hello there"));
    let mut prefix: String = frames[..3].iter().map(wire::Frame::to_sse).collect();
    let half = frames[3].to_sse();
    prefix.push_str(&half[..half.len() / 2]);
    let (base, task) = partial_stream_server(prefix, false).await;
    let client = OpenAiProvider::new(base, None).expect("a client");
    let error = first_error(&client).await;
    task.abort();
    assert!(matches!(error, Some(ProviderError::Truncated)), "{error:?}");
}

#[derive(Deserialize, JsonSchema)]
struct StepArgs {
    /// A label for the progress lines.
    label: String,
}

#[tokio::test]
async fn tool_calls_of_one_response_run_in_order() {
    let mock = mock_with(json!([
        {"output": [
            {"type": "function_call", "name": "slow_step", "arguments": {"label": "a"}},
            {"type": "function_call", "name": "slow_step", "arguments": {"label": "b"}}
        ]},
        {"output": [{"type": "message", "text": "Done."}]}
    ]))
    .await;
    let tool = FunctionTool::new(
        "slow_step",
        "A step that reports twice.",
        |ctx: ToolContext<()>, args: StepArgs| async move {
            ctx.progress(None, format!("{} started", args.label)).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            ctx.progress(None, format!("{} done", args.label)).await;
            Ok::<_, ToolError>(args.label)
        },
    );
    let agent = Arc::new(Agent::new("Assistant").tool(tool));
    let (events, error) = run_all(&runner(&mock), agent, "Go", ()).await;
    assert!(error.is_none(), "{error:?}");
    let lines: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Tool(ToolEvent::Stream(event)) => match &**event {
                ThreadStreamEvent::ProgressUpdate { text, .. } => Some(text.clone()),
                _ => None,
            },
            RunEvent::ToolOutput { output, .. } => Some(format!("output {output}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        lines,
        [
            "a started",
            "a done",
            "output a",
            "b started",
            "b done",
            "output b"
        ]
    );
    let input = &mock.requests()[1].body["input"];
    assert_eq!(input[3]["call_id"], "call_mock_001_0");
    assert_eq!(input[4]["call_id"], "call_mock_001_1");
}

// ---------------------------------------------------------------------------------------------
// Stored responses and `previous_response_id` (protocol#previous-response)
// ---------------------------------------------------------------------------------------------

/// A run that continues the stored response `previous`, with only `text` as new input.
async fn run_chained<C: Send + Sync + 'static>(
    runner: &Runner,
    agent: Arc<Agent<C>>,
    text: &str,
    previous: &str,
    context: C,
) -> (Vec<RunEvent>, Option<RunError>) {
    let options = RunOptions::previous_response_id(previous);
    let input = vec![InputItem::user_text(text)];
    let mut stream = runner.run_streamed_with(agent, input, context, options);
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(error) => return (events, Some(error)),
        }
    }
    (events, None)
}

/// The input items the mock's model saw for request `index` (0-based), as JSON.
fn model_input(mock: &MockProvider, index: usize) -> Value {
    let seen = mock.requests()[index].model_input.clone();
    serde_json::to_value(seen.expect("the mock answered this request")).expect("JSON")
}

#[tokio::test]
async fn the_mock_expands_previous_response_id_into_the_earlier_input_and_output() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let agent = Arc::new(Agent::new("Assistant"));
    let (_, error) = run_all(&runner(&mock), agent.clone(), "Hi there", ()).await;
    assert!(error.is_none(), "{error:?}");
    let (events, error) =
        run_chained(&runner(&mock), agent, "How are you?", "resp_mock_001", ()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        finished(&events),
        Some(&FinalOutput::Text(
            "I'm doing well, thanks for asking! What can I do for you?".into()
        ))
    );

    // What the client sent: the new message and the id, nothing else of the conversation.
    let requests = mock.requests();
    assert_eq!(
        requests[1].body,
        json!({"model":"gpt-4.1-mini","stream":true,"include":[],
               "input":[{"content":"How are you?","role":"user"}],"tools":[],
               "previous_response_id":"resp_mock_001"})
    );
    // What the model saw: the earlier input, the earlier output, then the new input.
    assert_eq!(
        model_input(&mock, 1),
        json!([{"content":"Hi there","role":"user"},
               {"type":"message","role":"assistant","id":"msg_mock_001_0","status":"completed",
                "content":[{"type":"output_text","text":"Hello! How can I help you today?",
                            "annotations":[],"logprobs":[]}]},
               {"content":"How are you?","role":"user"}])
    );
    // The response names the one it continues, as the API's does.
    let completed = events.iter().find_map(|event| match event {
        RunEvent::Model(ResponseEvent::Completed { response }) => Some(response),
        _ => None,
    });
    let completed = completed.expect("a completed response");
    assert_eq!(completed.id, "resp_mock_002");
    assert_eq!(completed.extra["previous_response_id"], "resp_mock_001");
}

#[tokio::test]
async fn a_chained_run_sends_only_new_items_and_chains_every_model_call() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let (_, error) = run_all(&runner(&mock), weather_agent(), "Hello", ()).await;
    assert!(error.is_none(), "{error:?}");
    let (events, error) = run_chained(
        &runner(&mock),
        weather_agent(),
        "What's the weather in Paris?",
        "resp_mock_001",
        (),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[1].body["previous_response_id"], "resp_mock_001");
    assert_eq!(
        requests[1].body["input"],
        json!([{"content":"What's the weather in Paris?","role":"user"}])
    );
    // After the tool ran, the next call continues the response that called it and sends the
    // tool's output alone, as the Agents SDK does.
    assert_eq!(requests[2].body["previous_response_id"], "resp_mock_002");
    assert_eq!(
        requests[2].body["input"],
        json!([{"call_id":"call_mock_002_0","output":"Sunny, 21C in Paris",
                "type":"function_call_output"}])
    );
    // The toy model names the tool from the call in the stored response: it saw it all.
    assert_eq!(
        finished(&events),
        Some(&FinalOutput::Text(
            "Here is what get_weather returned: Sunny, 21C in Paris".into()
        ))
    );
    assert_eq!(model_input(&mock, 2).as_array().map(Vec::len), Some(5));
}

/// The body the mock answers a request with, read without the client.
async fn raw_answer(mock: &MockProvider, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/responses", mock.base_url()))
        .json(&body)
        .send()
        .await
        .expect("the mock answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[tokio::test]
async fn an_unknown_previous_response_id_is_the_apis_400() {
    let mock = MockProvider::start().await.expect("the mock starts");
    let (status, body) = raw_answer(
        &mock,
        json!({"model":"gpt-4.1-mini","input":"Hi","previous_response_id":"resp_nope"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error":{"message":"Previous response with id 'resp_nope' not found.",
                        "type":"invalid_request_error","param":"previous_response_id",
                        "code":"previous_response_not_found"}})
    );
    assert_eq!(mock.requests()[0].model_input, None);

    // Through the runner: a typed status error, not retried.
    let agent = Arc::new(Agent::new("Assistant"));
    let (_, error) = run_chained(&runner(&mock), agent, "Hi", "resp_nope", ()).await;
    assert!(
        matches!(&error, Some(RunError::Provider(ProviderError::Status { status: 400, message, attempts: 1 }))
            if message == "Previous response with id 'resp_nope' not found."),
        "{error:?}"
    );
}

#[tokio::test]
async fn only_completed_and_stored_responses_can_be_continued() {
    let mock = mock_with(json!([
        {"output": [{"type": "message", "text": "Stored."}]},
        {"output": [{"type": "message", "text": "Not stored."}]},
        {"output": [{"type": "message", "text": "Cut"}], "fail": "response.failed"},
        {"output": [{"type": "message", "text": "Continued."}]}
    ]))
    .await;
    for (index, store) in [(1, None), (2, Some(false)), (3, None)] {
        let mut body = json!({"model":"gpt-4.1-mini","input":format!("Request {index}"),
            "stream":true});
        if let Some(store) = store {
            body["store"] = json!(store);
        }
        let sent = reqwest::Client::new()
            .post(format!("{}/responses", mock.base_url()))
            .json(&body)
            .send()
            .await
            .expect("the mock answers");
        assert_eq!(sent.status().as_u16(), 200);
        sent.bytes().await.expect("the whole stream");
    }
    for (id, status) in [
        ("resp_mock_002", 400),
        ("resp_mock_003", 400),
        ("resp_mock_001", 200),
    ] {
        let body = json!({"model":"gpt-4.1-mini","input":"Go on","previous_response_id":id});
        assert_eq!(raw_answer(&mock, body).await.0, status, "{id}");
    }
}
