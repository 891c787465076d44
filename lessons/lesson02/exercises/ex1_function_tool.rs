//! Exercise 1: give the agent a second tool.
//!
//! A function tool is a name, a description and a typed argument struct; the runner derives the
//! JSON schema the model reads from the struct, calls your async function with the arguments
//! the model chose, and sends what it returns back to the model.
//!
//! Write `temperature_tool`: a tool named `celsius_to_fahrenheit`, described as
//! `Convert a temperature from Celsius to Fahrenheit.`, that takes [`ConvertArgs`] and returns
//! `"{celsius}°C is {fahrenheit}°F"` (so 100 gives `100°C is 212°F`).
//!
//! Hint: `weather_tool` in `lessons/lesson02/agent.rs` is the model to copy. The closure takes
//! `(ctx: ToolContext<UserContext>, args: ConvertArgs)` and returns `Ok::<_, ToolError>(…)`.

use chatkit::agent::{FunctionTool, ToolContext, ToolError};
use chatkit::store::UserContext;
use schemars::JsonSchema;
use serde::Deserialize;

/// The tool's arguments; this doc comment and the field's become the schema.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ConvertArgs {
    /// The temperature in degrees Celsius.
    pub celsius: f64,
}

/// Converts Celsius to Fahrenheit for the model.
pub fn temperature_tool() -> FunctionTool<UserContext> {
    // TODO: FunctionTool::new(name, description, |_ctx, args: ConvertArgs| async move { … })
    todo!("build the celsius_to_fahrenheit tool")
}
