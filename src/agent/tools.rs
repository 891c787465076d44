//! Function tools: Rust functions the model may call, with the JSON schema of their arguments
//! derived from the argument type, and the context a tool runs with.
//!
//! A tool is declared once, from a typed function:
//!
//! ```
//! use chatkit::agent::{FunctionTool, Tool, ToolContext, ToolError};
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//!
//! /// The arguments; doc comments become the schema's descriptions.
//! #[derive(Deserialize, JsonSchema)]
//! struct WeatherArgs {
//!     /// Name of the city.
//!     city: String,
//! }
//!
//! let tool = FunctionTool::new(
//!     "get_weather",
//!     "Get the current weather for a city.",
//!     |_ctx: ToolContext<()>, args: WeatherArgs| async move {
//!         Ok::<_, ToolError>(format!("Sunny, 21C in {}", args.city))
//!     },
//! );
//! assert_eq!(tool.definition().parameters["required"][0], "city");
//! ```
//!
//! The schema is never written by hand: [`strict_schema`] asks `schemars` for the argument type's
//! schema and rewrites it into OpenAI's strict mode, as the Agents SDK sends it
//! (protocol#responses-request): `additionalProperties: false` on every object, every property
//! `required`, an optional field as a nullable type, and none of the keywords strict mode
//! rejects.
//!
//! A tool receives a [`ToolContext`]: the request context, and a channel to stream ChatKit-side
//! effects ([`ToolEvent`]: progress updates, workflow tasks, widgets, client effects) and to ask
//! for a client tool call. The runner merges those events with the model's, in arrival order.
//!
//! Python counterpart: `agents/function_schema.py`, `agents/strict_schema.py`,
//! `agents/tool.py::function_tool`, and `chatkit/agents.py::AgentContext`.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::protocol::{IconName, Task, ThreadStreamEvent, WidgetRoot, Workflow, WorkflowSummary};
use crate::provider::ToolDefinition;

/// Why a tool failed. The runner does not stop the run for it: as the Agents SDK does, it sends
/// the model `"An error occurred while running the tool. Please try again. Error: …"` as the
/// tool's output, so the model can recover.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The model's arguments do not fit the tool's argument type.
    #[error("invalid arguments for {tool}: {source}")]
    InvalidArguments {
        /// The tool.
        tool: String,
        /// Why they did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// The tool itself failed.
    #[error("{0}")]
    Failed(String),
}

impl ToolError {
    /// A failure with this message.
    pub fn failed(message: impl Into<String>) -> Self {
        ToolError::Failed(message.into())
    }
}

/// What a tool streams to the ChatKit side while it runs (the reference's `AgentContext`
/// helpers). These are *requests*: turning them into thread events (item ids, the current
/// workflow, auto-ending it) is the translator's job, which owns that state.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolEvent {
    /// A ChatKit event to pass through as is: a progress update, a client effect, …
    Stream(Box<ThreadStreamEvent>),
    /// Start a workflow (`AgentContext.start_workflow`).
    StartWorkflow(Workflow),
    /// Add a task to the current workflow, starting a custom one if none is current.
    AddWorkflowTask(Task),
    /// Replace task `index` of the current workflow.
    UpdateWorkflowTask {
        /// The new task.
        task: Task,
        /// Which one.
        index: usize,
    },
    /// End the current workflow.
    EndWorkflow {
        /// The summary; `None` gives the duration.
        summary: Option<WorkflowSummary>,
        /// Whether it stays open.
        expanded: bool,
    },
    /// Show a widget (`AgentContext.stream_widget` with a static widget).
    Widget {
        /// The widget.
        widget: WidgetRoot,
        /// Text copied when the user copies the message.
        copy_text: Option<String>,
    },
    /// Show a widget that will change: its first state (`AgentContext.stream_widget` with an
    /// async generator). The states that follow are [`ToolEvent::WidgetState`]s.
    WidgetStarted {
        /// The first state.
        widget: WidgetRoot,
        /// Text copied when the user copies the message.
        copy_text: Option<String>,
    },
    /// The next state of the widget last started.
    WidgetState(WidgetRoot),
    /// The widget last started has reached its final state.
    WidgetFinished,
}

/// A call the client (the browser) must run, asked for by a server tool
/// (`ctx.context.client_tool_call = ClientToolCall(...)` in the reference).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientToolCall {
    /// The client tool's name.
    pub name: String,
    /// Its arguments.
    pub arguments: Map<String, Value>,
}

/// What a tool can see and do while it runs.
///
/// Cloning is cheap; every clone streams into the same run.
#[derive(Debug)]
pub struct ToolContext<C> {
    /// Behind an `Arc`, so a context can be cloned into a task the tool spawns without the
    /// request context having to be `Clone`.
    context: Arc<C>,
    /// The call being answered, so a tool can tie what it logs to the model's request.
    call_id: String,
    /// Bounded, so a tool that streams faster than the client reads waits (backpressure).
    /// A channel rather than a callback, because the tool runs as a future the runner polls
    /// beside this channel: events cross from one to the other without a lock.
    events: mpsc::Sender<ToolEvent>,
    /// The run's single client-tool-call slot, shared with the runner, which reads it when
    /// the run stops. A std `Mutex`, because it is only swapped, never held across an `.await`.
    client_tool_call: Arc<Mutex<Option<ClientToolCall>>>,
}

// By hand, because `#[derive(Clone)]` would require `C: Clone`; only the `Arc` is cloned.
impl<C> Clone for ToolContext<C> {
    fn clone(&self) -> Self {
        ToolContext {
            context: self.context.clone(),
            call_id: self.call_id.clone(),
            events: self.events.clone(),
            client_tool_call: self.client_tool_call.clone(),
        }
    }
}

impl<C> ToolContext<C> {
    /// A context for one tool call; the runner makes these.
    pub(crate) fn new(
        context: Arc<C>,
        call_id: String,
        events: mpsc::Sender<ToolEvent>,
        client_tool_call: Arc<Mutex<Option<ClientToolCall>>>,
    ) -> Self {
        ToolContext {
            context,
            call_id,
            events,
            client_tool_call,
        }
    }

    /// The request context (the user, their settings, …).
    pub fn context(&self) -> &C {
        &self.context
    }

    /// The `call_id` of the call being answered.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Streams a ChatKit event as is (`AgentContext.stream`). If the run has ended, the event
    /// is dropped: there is nobody left to show it to.
    pub async fn stream(&self, event: ThreadStreamEvent) {
        self.send(ToolEvent::Stream(Box::new(event))).await;
    }

    /// A transient status line: `{"type":"progress_update","icon":"search","text":"…"}`.
    pub async fn progress(&self, icon: Option<IconName>, text: impl Into<String>) {
        let text = text.into();
        self.stream(ThreadStreamEvent::ProgressUpdate { icon, text })
            .await;
    }

    /// Asks the page to do something: `{"type":"client_effect","name":…,"data":{…}}`.
    pub async fn client_effect(&self, name: impl Into<String>, data: Map<String, Value>) {
        let name = name.into();
        self.stream(ThreadStreamEvent::ClientEffect { name, data })
            .await;
    }

    /// Starts a workflow.
    pub async fn start_workflow(&self, workflow: Workflow) {
        self.send(ToolEvent::StartWorkflow(workflow)).await;
    }

    /// Adds a task to the current workflow (a custom one is started if none is current).
    pub async fn add_workflow_task(&self, task: Task) {
        self.send(ToolEvent::AddWorkflowTask(task)).await;
    }

    /// Replaces task `index` of the current workflow.
    pub async fn update_workflow_task(&self, task: Task, index: usize) {
        self.send(ToolEvent::UpdateWorkflowTask { task, index })
            .await;
    }

    /// Ends the current workflow.
    pub async fn end_workflow(&self, summary: Option<WorkflowSummary>, expanded: bool) {
        self.send(ToolEvent::EndWorkflow { summary, expanded })
            .await;
    }

    /// Shows a widget.
    pub async fn stream_widget(&self, widget: WidgetRoot, copy_text: Option<String>) {
        self.send(ToolEvent::Widget { widget, copy_text }).await;
    }

    /// Shows a widget that changes as `states` come: the client gets the first state, then
    /// only what changed between states (text appended to a `Text` or `Markdown` with an id
    /// streams as deltas; see [`crate::server::diff_widget`]), and the last state is saved. No
    /// state shows nothing.
    pub async fn stream_widget_states<S>(&self, states: S, copy_text: Option<String>)
    where
        S: Stream<Item = WidgetRoot> + Send,
    {
        let mut states = std::pin::pin!(states);
        let Some(widget) = states.next().await else {
            return;
        };
        self.send(ToolEvent::WidgetStarted { widget, copy_text })
            .await;
        while let Some(state) = states.next().await {
            self.send(ToolEvent::WidgetState(state)).await;
        }
        self.send(ToolEvent::WidgetFinished).await;
    }

    /// Asks the client to run one of its tools once the run ends. Pair it with
    /// [`super::ToolUseBehavior::StopAtTools`] so the model is not called again before the
    /// client answers. A later request replaces an earlier one, as in the reference.
    pub fn request_client_tool_call(&self, name: impl Into<String>, arguments: Map<String, Value>) {
        let call = ClientToolCall {
            name: name.into(),
            arguments,
        };
        // A poisoned slot is left alone rather than panicking inside the tool; the run then
        // ends without a client call.
        if let Ok(mut slot) = self.client_tool_call.lock() {
            *slot = Some(call);
        }
    }

    /// The one way every helper above reaches the runner.
    async fn send(&self, event: ToolEvent) {
        // An error means the runner is gone (the client hung up); dropping is all we can do.
        let _ = self.events.send(event).await;
    }
}

/// A tool the model may call, over a request context `C`.
///
/// Object-safe, so an agent holds `Arc<dyn Tool<C>>` of different argument types;
/// [`FunctionTool`] is the implementation to use.
pub trait Tool<C>: Send + Sync + fmt::Debug {
    /// The name, description and strict schema sent to the model.
    fn definition(&self) -> &ToolDefinition;

    /// Runs the tool with the model's arguments (a JSON string) and returns its output.
    fn invoke(&self, ctx: ToolContext<C>, arguments: &str) -> BoxFuture<'static, ToolResult>;
}

/// What a tool returns to the model: a string (text or JSON).
pub type ToolResult = Result<String, ToolError>;

/// The user's typed function with its argument type erased: it takes the arguments as a
/// JSON `Value`, so tools with different argument types fit one `FunctionTool<C>` type.
type Handler<C> =
    Arc<dyn Fn(ToolContext<C>, Value) -> BoxFuture<'static, ToolResult> + Send + Sync>;

/// A tool made from an async function of a typed argument struct.
pub struct FunctionTool<C> {
    /// Built once, when the tool is made, and sent unchanged on every model call.
    definition: ToolDefinition,
    handler: Handler<C>,
}

impl<C> fmt::Debug for FunctionTool<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionTool")
            .field("definition", &self.definition)
            .finish_non_exhaustive()
    }
}

impl<C: Send + Sync + 'static> FunctionTool<C> {
    /// A tool named `name` that runs `run` with arguments of type `A`, whose strict schema is
    /// derived from `A`.
    pub fn new<A, F, Fut>(name: impl Into<String>, description: impl Into<String>, run: F) -> Self
    where
        A: JsonSchema + DeserializeOwned + Send + 'static,
        F: Fn(ToolContext<C>, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let name = name.into();
        let definition = ToolDefinition {
            parameters: strict_schema::<A>(&format!("{name}_args")),
            name: name.clone(),
            strict: true,
            kind: "function".to_owned(),
            description: Some(description.into()),
        };
        // The function is behind an `Arc` so every call's `'static` future can own a handle
        // to it: the future outlives the borrow of the tool that `invoke` was called on.
        let run = Arc::new(run);
        let handler: Handler<C> = Arc::new(move |ctx, arguments| {
            let run = run.clone();
            let name = name.clone();
            Box::pin(async move {
                // Arguments that do not fit `A` are a tool error, which reaches the model as
                // the tool's output so it can call again with better ones.
                let args = serde_json::from_value::<A>(arguments)
                    .map_err(|source| ToolError::InvalidArguments { tool: name, source })?;
                run(ctx, args).await
            })
        });
        FunctionTool {
            definition,
            handler,
        }
    }
}

impl<C: Send + Sync + 'static> Tool<C> for FunctionTool<C> {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    fn invoke(&self, ctx: ToolContext<C>, arguments: &str) -> BoxFuture<'static, ToolResult> {
        // Parsed here, before the future is made, because `arguments` is borrowed and the
        // future must be `'static`. An empty string is what some providers send for a tool
        // with no parameters.
        let parsed = match arguments.trim() {
            "" => Ok(json!({})),
            text => serde_json::from_str(text),
        };
        match parsed {
            Ok(value) => (self.handler)(ctx, value),
            Err(source) => {
                let tool = self.definition.name.clone();
                Box::pin(async move { Err(ToolError::InvalidArguments { tool, source }) })
            }
        }
    }
}

/// The strict-mode JSON schema of `A`, titled `title`.
///
/// schemars gives draft 2020-12, where an `Option` field is `["string","null"]` and left out
/// of `required`. OpenAI's strict mode instead wants every property required (an optional one
/// is nullable), `additionalProperties: false` on every object, and no `$schema`, `format` on
/// non-strings, or `default`. The root gets the Agents SDK's title (`<tool>_args`) and no
/// description.
pub fn strict_schema<A: JsonSchema>(title: &str) -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema: Value = generator.into_root_schema_for::<A>().into();
    make_strict(&mut schema);
    if let Value::Object(root) = &mut schema {
        root.shift_remove("$schema");
        // The type's doc comment would land here; the tool's description says it already.
        root.shift_remove("description");
        root.insert("title".to_owned(), json!(title));
    }
    schema
}

/// Rewrites one schema node and everything under it (see [`strict_schema`]).
fn make_strict(node: &mut Value) {
    // `true`, numbers and other non-object schemas have nothing to rewrite.
    let Value::Object(map) = node else {
        return;
    };
    // `shift_remove`, not `remove`: with `preserve_order` on, `remove` moves the last key
    // into the hole, and the schema would reach the model with its keys shuffled.
    map.shift_remove("default");
    // `format` is dropped from non-strings only (schemars writes `"format": "uint32"` on
    // integers, which strict mode rejects); on strings it is meaningful (`date-time`).
    let is_string = map.get("type").is_some_and(|t| {
        t == "string" || t.as_array().is_some_and(|ts| ts.contains(&json!("string")))
    });
    if !is_string {
        map.shift_remove("format");
    }
    // Strict mode supports `anyOf`, not `oneOf` (schemars uses it for enums with data).
    if let Some(one_of) = map.shift_remove("oneOf") {
        map.insert("anyOf".to_owned(), one_of);
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        // Every property, in declaration order: strict mode has no optional fields, so an
        // `Option` field stays listed and its nullable type says it may be absent.
        let names: Vec<Value> = properties.keys().map(|k| json!(k)).collect();
        map.insert("required".to_owned(), Value::Array(names));
        map.insert("additionalProperties".to_owned(), json!(false));
    }
    // Only the keys whose values are schemas are walked: a `properties` map or `enum`
    // list holds names and values, which must not be rewritten.
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "properties" | "$defs" | "definitions" => {
                if let Value::Object(children) = child {
                    children.values_mut().for_each(make_strict);
                }
            }
            "items" | "additionalProperties" | "not" => make_strict(child),
            "anyOf" | "allOf" | "prefixItems" => {
                if let Value::Array(children) = child {
                    children.iter_mut().for_each(make_strict);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// Name of the city.
        city: String,
        /// How many days.
        days: Option<u32>,
    }

    #[test]
    fn optional_fields_become_required_and_nullable() {
        let schema = strict_schema::<Args>("get_weather_args");
        assert_eq!(
            schema,
            json!({
                "title": "get_weather_args",
                "type": "object",
                "properties": {
                    "city": {"description": "Name of the city.", "type": "string"},
                    "days": {"description": "How many days.", "type": ["integer", "null"], "minimum": 0}
                },
                "required": ["city", "days"],
                "additionalProperties": false
            })
        );
    }
}
