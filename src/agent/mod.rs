//! Agents: instructions, a model, its settings and tools, and the runner that loops model
//! calls and tool calls while streaming everything that happens.
//!
//! Where it sits: a ChatKit `respond()` builds the model input from the thread, hands it to
//! [`Runner::run_streamed`], and turns the resulting [`RunEvent`]s into ChatKit events. That
//! last step, the Responses → ChatKit mapping (protocol#agent-events), is a separate, pure module
//! (the translator) that reads this stream; this module knows nothing of threads or stores.
//!
//! ```text
//! input items ─► Runner ─► ModelProvider (one call) ─► RunEvent::Model(…) …
//!                  ▲  │ function calls?  ─► Tool::invoke ─► RunEvent::Tool(…) … RunEvent::ToolOutput
//!                  └──┘ append function_call + function_call_output, call again
//!                     │ no calls / a tool says stop ─► RunEvent::Finished
//! ```
//!
//! * [`Agent`]: name, [`Instructions`] (text or a minijinja template rendered with the request
//!   context), model, [`ModelSettings`], tools and [`ToolUseBehavior`].
//! * [`tools`]: [`FunctionTool`] with schemas derived by schemars in strict mode, and the
//!   [`ToolContext`] a tool streams through.
//! * [`guardrail`]: input and output checks that may stop a run ([`InputGuardrail`],
//!   [`OutputGuardrail`], [`Tripwire`]).
//! * [`runner`]: [`Runner`], [`RunEvent`], [`RunError`].
//!
//! Python counterpart: `agents.Agent`, `agents.ModelSettings`, `agents.Runner.run_streamed`.

pub mod bridge;
pub mod guardrail;
pub mod history;
pub mod runner;
mod stream_errors;
pub mod tools;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

pub use guardrail::{GuardrailFn, GuardrailStage, InputGuardrail, OutputGuardrail, Tripwire};
pub use runner::{FinalOutput, RunError, RunEvent, RunOptions, RunStream, Runner};
pub use tools::{ClientToolCall, FunctionTool, Tool, ToolContext, ToolError, ToolEvent};

use crate::provider::events::{ReasoningSettings, ResponsesRequest};

/// Turns the request context into template variables.
///
/// A function rather than a `C: Serialize` bound on the whole agent, so that a context that
/// is not `Serialize` (or holds a secret) can still feed a template; `Arc` so an agent that
/// holds it stays cheap to share between requests.
type TemplateValues<C> = Arc<dyn Fn(&C) -> minijinja::Value + Send + Sync>;

/// The system prompt: fixed text, or a template rendered with the request context for every
/// run (the sessions lessons greet the user by name).
pub enum Instructions<C> {
    /// Sent as is.
    Text(String),
    /// A minijinja template (Jinja syntax, Python methods such as `.items()` allowed, undefined
    /// variables an error). It sees `context` (from the request context) and `agent` (the
    /// agent's name).
    Template {
        /// The template source.
        source: String,
        /// How the request context becomes the `context` variable.
        values: TemplateValues<C>,
    },
}

// By hand: the `values` function has no `Debug`, and the template source is what a reader
// of the log wants anyway.
impl<C> fmt::Debug for Instructions<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Instructions::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Instructions::Template { source, .. } => {
                f.debug_struct("Template").field("source", source).finish()
            }
        }
    }
}

impl<C> Instructions<C> {
    /// A template whose `context` is the request context, serialized.
    pub fn template(source: impl Into<String>) -> Self
    where
        C: Serialize,
    {
        Instructions::Template {
            source: source.into(),
            values: Arc::new(|ctx: &C| minijinja::Value::from(minijinja::value::Serde(ctx))),
        }
    }

    /// A template whose `context` is built by `values`, for contexts that are not `Serialize`
    /// or that should not show every field to the template.
    pub fn template_with(
        source: impl Into<String>,
        values: impl Fn(&C) -> minijinja::Value + Send + Sync + 'static,
    ) -> Self {
        Instructions::Template {
            source: source.into(),
            values: Arc::new(values),
        }
    }

    /// The text for this run.
    ///
    /// # Errors
    ///
    /// The template does not parse, or uses a variable the context does not have.
    pub fn render(&self, agent: &str, ctx: &C) -> Result<String, minijinja::Error> {
        match self {
            Instructions::Text(text) => Ok(text.clone()),
            Instructions::Template { source, values } => {
                // A fresh environment per render: the template is rendered once per model
                // call from its source, so there is no compiled template to keep, and no
                // state is shared between requests.
                let mut env = minijinja::Environment::new();
                // Strict, so a misspelt variable is an error the author sees rather than an
                // empty string the model silently reads (Jinja's default).
                env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
                // Python's string and dict methods (`.upper()`, `.items()`), so a template
                // written for Jinja under Python works here unchanged.
                env.set_unknown_method_callback(
                    minijinja_contrib::pycompat::unknown_method_callback,
                );
                minijinja_contrib::add_to_environment(&mut env);
                let context = values(ctx);
                env.render_str(source, minijinja::context! { context, agent })
            }
        }
    }
}

impl<C> From<&str> for Instructions<C> {
    fn from(text: &str) -> Self {
        Instructions::Text(text.to_owned())
    }
}

impl<C> From<String> for Instructions<C> {
    fn from(text: String) -> Self {
        Instructions::Text(text)
    }
}

/// Sampling and tool settings; each one is sent only when set (protocol#responses-request).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelSettings {
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// A cap on output tokens.
    pub max_output_tokens: Option<u32>,
    /// `"auto"`, `"required"`, `"none"` or `{"type":"function","name":…}`.
    pub tool_choice: Option<Value>,
    /// Whether the model may call several tools at once (sent only with tools).
    pub parallel_tool_calls: Option<bool>,
    /// `"auto"` or `"disabled"`.
    pub truncation: Option<String>,
    /// Whether the provider stores the response.
    pub store: Option<bool>,
    /// Free-form tags.
    pub metadata: Option<Map<String, Value>>,
    /// Reasoning effort and summary.
    pub reasoning: Option<ReasoningSettings>,
}

impl ModelSettings {
    /// Copies the settings that are set into `request`.
    fn apply(&self, request: &mut ResponsesRequest) {
        // Copied as `Option`s, unset ones included: a `None` is left out of the request
        // body, so the provider's own default applies, as in the Agents SDK.
        request.temperature = self.temperature;
        request.top_p = self.top_p;
        request.max_output_tokens = self.max_output_tokens;
        request.tool_choice = self.tool_choice.clone();
        // The Agents SDK sends it only when there are tools to call.
        if !request.tools.is_empty() {
            request.parallel_tool_calls = self.parallel_tool_calls;
        }
        request.truncation = self.truncation.clone();
        request.store = self.store;
        request.metadata = self.metadata.clone();
        request.reasoning = self.reasoning.clone();
    }
}

/// What happens after the tools of a model response ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ToolUseBehavior {
    /// Call the model again with the outputs (the default).
    #[default]
    RunLlmAgain,
    /// Stop; the first tool's output is the final output.
    StopOnFirstTool,
    /// Stop if one of these tools ran; its output is the final output. Client tools use this, so
    /// the model is not called before the client has answered.
    StopAtTools(Vec<String>),
}

/// An agent: what the model is told, which model, and what it can call.
pub struct Agent<C> {
    /// A name, for logs and templates.
    pub name: String,
    /// The system prompt, if any.
    pub instructions: Option<Instructions<C>>,
    /// The model name sent to the provider.
    pub model: String,
    /// Sampling and tool settings.
    pub model_settings: ModelSettings,
    /// The tools the model may call.
    pub tools: Vec<Arc<dyn Tool<C>>>,
    /// Whether a tool call ends the run.
    pub tool_use_behavior: ToolUseBehavior,
    /// Checks on the run's input, before the first model call.
    pub input_guardrails: Vec<Arc<dyn InputGuardrail<C>>>,
    /// Checks on the run's final text.
    pub output_guardrails: Vec<Arc<dyn OutputGuardrail<C>>>,
}

impl<C> fmt::Debug for Agent<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tools: Vec<&str> = self
            .tools
            .iter()
            .map(|t| t.definition().name.as_str())
            .collect();
        f.debug_struct("Agent")
            .field("name", &self.name)
            .field("instructions", &self.instructions)
            .field("model", &self.model)
            .field("model_settings", &self.model_settings)
            .field("tools", &tools)
            .field("tool_use_behavior", &self.tool_use_behavior)
            .field(
                "input_guardrails",
                &guardrail_names(&self.input_guardrails, |g| g.name()),
            )
            .field(
                "output_guardrails",
                &guardrail_names(&self.output_guardrails, |g| g.name()),
            )
            .finish()
    }
}

fn guardrail_names<G: ?Sized>(guardrails: &[Arc<G>], name: impl Fn(&G) -> &str) -> Vec<&str> {
    guardrails.iter().map(|g| name(g)).collect()
}

/// The model the lessons use unless told otherwise (the reference recordings' model).
pub const DEFAULT_MODEL: &str = "gpt-4.1-mini";

impl<C: Send + Sync + 'static> Agent<C> {
    /// An agent with no instructions or tools, on [`DEFAULT_MODEL`].
    pub fn new(name: impl Into<String>) -> Self {
        Agent {
            name: name.into(),
            instructions: None,
            model: DEFAULT_MODEL.to_owned(),
            model_settings: ModelSettings::default(),
            tools: Vec::new(),
            tool_use_behavior: ToolUseBehavior::default(),
            input_guardrails: Vec::new(),
            output_guardrails: Vec::new(),
        }
    }

    /// Sets the instructions (a `&str`, a `String` or an [`Instructions::template`]).
    pub fn instructions(mut self, instructions: impl Into<Instructions<C>>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Sets the model name.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Sets the model settings.
    pub fn model_settings(mut self, settings: ModelSettings) -> Self {
        self.model_settings = settings;
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: impl Tool<C> + 'static) -> Self {
        self.tools.push(Arc::new(tool));
        self
    }

    /// Sets what happens after tools ran.
    pub fn tool_use_behavior(mut self, behavior: ToolUseBehavior) -> Self {
        self.tool_use_behavior = behavior;
        self
    }

    /// Adds a check on the run's input.
    pub fn input_guardrail(mut self, guardrail: impl InputGuardrail<C> + 'static) -> Self {
        self.input_guardrails.push(Arc::new(guardrail));
        self
    }

    /// Adds a check on the run's final text.
    pub fn output_guardrail(mut self, guardrail: impl OutputGuardrail<C> + 'static) -> Self {
        self.output_guardrails.push(Arc::new(guardrail));
        self
    }

    /// The tool the model called by this name.
    ///
    /// A linear search, not a map: an agent has a handful of tools, and a `Vec` keeps the
    /// order in which they are sent to the model.
    fn find_tool(&self, name: &str) -> Option<&Arc<dyn Tool<C>>> {
        self.tools.iter().find(|t| t.definition().name == name)
    }
}
