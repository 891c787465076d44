//! Exercise 2: let a slow tool say what it is doing.
//!
//! While a tool runs, the user sees nothing: the model's text only comes after. A tool can
//! stream ChatKit events through its `ToolContext`; the helper `stream_agent_response` merges
//! them into the stream in the order they happen. The simplest is a progress update, the
//! transient status line of lesson 01's exercise 3.
//!
//! Make `weather_tool` send a progress update with the icon `search` and the text
//! `Looking up the weather in {city}…` (with the city from the arguments, and `…`, one
//! character) before it returns.
//!
//! Hint: `ctx.progress(Some(icon), text).await`, with `"search".parse::<IconName>()`; inside the
//! tool, turn a parse error into a `ToolError::failed(…)`.

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

/// The lesson's weather tool, which should now report its progress.
pub fn weather_tool() -> FunctionTool<UserContext> {
    FunctionTool::new(
        "get_weather",
        "Get the current weather in a city.",
        |ctx: ToolContext<UserContext>, args: WeatherArgs| async move {
            // TODO: send the progress update here.
            Ok::<_, ToolError>(format!("Sunny and 21°C in {}.", args.city))
        },
    )
}
