//! Exercise 1, reference solution: give the agent a second tool.

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
    FunctionTool::new(
        "celsius_to_fahrenheit",
        "Convert a temperature from Celsius to Fahrenheit.",
        |_ctx: ToolContext<UserContext>, args: ConvertArgs| async move {
            let fahrenheit = args.celsius * 9.0 / 5.0 + 32.0;
            Ok::<_, ToolError>(format!("{}°C is {fahrenheit}°F", args.celsius))
        },
    )
}
