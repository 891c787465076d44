//! Exercise 2, reference solution: let a slow tool say what it is doing.

use chatkit::agent::{FunctionTool, ToolContext, ToolError};
use chatkit::protocol::IconName;
use chatkit::store::UserContext;
use schemars::JsonSchema;
use serde::Deserialize;

/// The weather tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct WeatherArgs {
    /// The city to look up.
    pub city: String,
}

/// The lesson's weather tool, reporting its progress.
pub fn weather_tool() -> FunctionTool<UserContext> {
    FunctionTool::new(
        "get_weather",
        "Get the current weather in a city.",
        |ctx: ToolContext<UserContext>, args: WeatherArgs| async move {
            let icon = "search"
                .parse::<IconName>()
                .map_err(|error| ToolError::failed(error.to_string()))?;
            let text = format!("Looking up the weather in {}…", args.city);
            ctx.progress(Some(icon), text).await;
            Ok::<_, ToolError>(format!("Sunny and 21°C in {}.", args.city))
        },
    )
}
