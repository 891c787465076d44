//! Exercise 1: give the agent a second tool.
//!
//! A function tool is a name, a description and a typed argument struct: the runner derives the
//! JSON schema the model reads from the struct, calls your async function with the arguments
//! the model chose, and sends what it returns back to the model.
//!
//! Write `temperature_tool`: a tool named `celsius_to_fahrenheit`, described as
//! `Convert a temperature from Celsius to Fahrenheit.`, that takes [`ConvertArgs`] and returns
//! `"{celsius}°C is {fahrenheit}°F"` (so 100 gives `100°C is 212°F`).
//!
//! Hint: copy `weather_tool` in `lessons/lesson02/agent.rs`: `FunctionTool::new(name,
//! description, |_ctx: ToolContext<UserContext>, args: ConvertArgs| async move { … })`, the
//! closure returning `Ok::<_, ToolError>(text)`. Fahrenheit is `args.celsius * 9.0 / 5.0 + 32.0`.
//!
//! Check it with `cargo test --test grade lesson02`; watch it with
//! `cargo run --bin lesson02 -- --exercise 1 --ask "What is 100 celsius in fahrenheit?"`.

use chatkit::agent::{FunctionTool, ToolContext, ToolError};
use chatkit::prelude::*;
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
    // TODO: FunctionTool::new("celsius_to_fahrenheit", …)
    todo!("build the celsius_to_fahrenheit tool")
}
