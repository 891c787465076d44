//! An application's own request context, end to end: the router builds it from the request's
//! headers, and it reaches the processor, both stores, `respond()`, a hook, and a function
//! tool the agent runner calls, all without `UserContext` anywhere.
//!
//! The library is generic over the context type `C`; this test keeps it honest, so that a
//! user-defined context stays as easy to use as the built-in one.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use chatkit::agent::bridge::{ResponseMapper, stream_agent_response};
use chatkit::agent::history::{DefaultConverter, thread_to_agent_input};
use chatkit::agent::{Agent, FunctionTool, Runner, ToolContext, ToolError};
use chatkit::clock::FixedClock;
use chatkit::http::{self, HttpError};
use chatkit::id_gen::SequentialIds;
use chatkit::prelude::*;
use chatkit::protocol::{StreamOptions, Timestamp};
use chatkit::provider::mock::{MockProvider, Script};
use chatkit::store::{AnyStore, MemoryStore, SqliteStore};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

/// An application context with more than a user: a team and a locale.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TeamContext {
    user_id: String,
    team: String,
    locale: String,
}

impl StoreContext for TeamContext {
    fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// The context builder: three headers, a refusal without a user.
fn team_from_headers(parts: &Parts) -> Result<TeamContext, HttpError> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let user = header("x-user-id").ok_or_else(|| HttpError::unauthorized("no x-user-id"))?;
    Ok(TeamContext {
        user_id: user.to_owned(),
        team: header("x-team").unwrap_or("none").to_owned(),
        locale: header("accept-language").unwrap_or("en").to_owned(),
    })
}

#[derive(Debug, Deserialize, JsonSchema)]
struct NoArgs {}

/// A tool that answers from the context it is handed, never from its arguments.
fn whoami() -> FunctionTool<TeamContext> {
    FunctionTool::new(
        "whoami",
        "Who is asking.",
        |ctx: ToolContext<TeamContext>, _: NoArgs| async move {
            let who = ctx.context();
            Ok::<_, ToolError>(format!("{} of {} ({})", who.user_id, who.team, who.locale))
        },
    )
}

/// An agent server for `TeamContext`; it also records the context every hook call saw.
struct TeamServer {
    runner: Runner,
    agent: Arc<Agent<TeamContext>>,
    seen_by_hooks: Arc<Mutex<Vec<TeamContext>>>,
}

impl ChatKitServer<TeamContext> for TeamServer {
    fn get_stream_options(
        &self,
        _thread: &ThreadMetadata,
        _input: Option<&UserMessageItem>,
        ctx: &TeamContext,
    ) -> StreamOptions {
        self.seen_by_hooks
            .lock()
            .expect("unpoisoned")
            .push(ctx.clone());
        StreamOptions { allow_cancel: true }
    }

    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: TeamContext,
        out: Responder<TeamContext>,
    ) -> EventStream {
        try_stream! {
            let input =
                thread_to_agent_input(out.store(), &thread.id, &ctx, &DefaultConverter).await?;
            let run = self.runner.run_streamed(self.agent.clone(), input, ctx);
            let mut events = stream_agent_response(ResponseMapper::new(out), run);
            while let Some(event) = events.next().await {
                yield event?;
            }
        }
        .boxed()
    }
}

/// The whole app on `store`, with a mock model that calls `whoami` and then repeats its output.
async fn app(store: AnyStore) -> (Router, MockProvider, Arc<Mutex<Vec<TeamContext>>>) {
    let script = json!([
        {"output": [{"type": "function_call", "name": "whoami", "arguments": {}}]},
        {"output": [{"type": "message", "text": "You are who the tool said."}]}
    ]);
    let script = Script::from_json(&script.to_string()).expect("a script");
    let mock = MockProvider::builder()
        .script(script)
        .start()
        .await
        .expect("the mock starts");
    let seen_by_hooks = Arc::default();
    let server = TeamServer {
        runner: Runner::new(Arc::new(mock.client().expect("a client"))),
        agent: Arc::new(Agent::new("assistant").tool(whoami())),
        seen_by_hooks: Arc::clone(&seen_by_hooks),
    };
    let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("a valid date");
    let processor = Processor::builder(server, store)
        .ids(SequentialIds::new())
        .clock(FixedClock::at(start))
        .build();
    (
        http::router(processor, team_from_headers),
        mock,
        seen_by_hooks,
    )
}

async fn post(router: &Router, headers: &[(&str, &str)], body: Value) -> (StatusCode, String) {
    let mut request = Request::post("/chatkit");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Body::from(body.to_string()))
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    (status, String::from_utf8(body.to_vec()).expect("UTF-8"))
}

fn create(text: &str) -> Value {
    json!({"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":text}],
        "attachments":[],"inference_options":{}}}})
}

/// The same scenario on each store: the context built from headers reaches every layer.
async fn an_application_context_reaches_every_layer(store: AnyStore) {
    let (router, mock, seen_by_hooks) = app(store).await;
    let ana = [
        ("x-user-id", "ana"),
        ("x-team", "billing"),
        ("accept-language", "pt"),
    ];

    let (status, stream) = post(&router, &ana, create("Who am I?")).await;
    assert_eq!(status, StatusCode::OK, "{stream}");
    assert!(stream.contains("You are who the tool said."), "{stream}");

    // The tool's output went back to the model: it was built from the context alone.
    let requests = mock.requests();
    let tool_output = requests[1].body["input"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item["type"] == "function_call_output")
        .map(|item| item["output"].clone());
    assert_eq!(tool_output, Some(json!("ana of billing (pt)")));

    // The hook saw the same context.
    let expected = TeamContext {
        user_id: "ana".into(),
        team: "billing".into(),
        locale: "pt".into(),
    };
    assert_eq!(*seen_by_hooks.lock().expect("unpoisoned"), [expected]);

    // The store scoped the thread to the context's user: ana lists it, ben does not.
    let list = json!({"type":"threads.list","params":{}});
    let (_, ana_threads) = post(&router, &ana, list.clone()).await;
    assert!(ana_threads.contains("thr_0001"), "{ana_threads}");
    let (_, ben_threads) = post(&router, &[("x-user-id", "ben")], list).await;
    assert_eq!(ben_threads, r#"{"data":[],"has_more":false}"#);
    let get = json!({"type":"threads.get_by_id","params":{"thread_id":"thr_0001"}});
    let (status, _) = post(&router, &[("x-user-id", "ben")], get).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The context builder's refusal comes before anything else.
    let (status, body) = post(&router, &[], create("anyone?")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn an_application_context_reaches_every_layer_on_the_memory_store() {
    an_application_context_reaches_every_layer(MemoryStore::new().into()).await;
}

#[tokio::test]
async fn an_application_context_reaches_every_layer_on_the_sqlite_store() {
    let store = SqliteStore::open_in_memory()
        .await
        .expect("an in-memory SQLite store");
    an_application_context_reaches_every_layer(store.into()).await;
}
