//! Exercise 2, reference solution: let a tool say what it is doing.

use chatkit::agent::{FunctionTool, ToolContext, ToolError};
use chatkit::prelude::*;
use chatkit::protocol::IconName;
use schemars::JsonSchema;
use serde::Deserialize;

/// The forecast tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ForecastArgs {
    /// The city to look up.
    pub city: String,
}

/// A three-day forecast, made up like the lesson's weather, reporting its progress.
pub fn forecast_tool() -> FunctionTool<UserContext> {
    FunctionTool::new(
        "get_forecast",
        "Get the forecast for the next three days in a city.",
        |ctx: ToolContext<UserContext>, args: ForecastArgs| async move {
            let text = format!("Looking up the forecast for {}…", args.city);
            ctx.progress(Some(IconName::Search), text).await;
            Ok::<_, ToolError>(format!("Sunny for three days in {}.", args.city))
        },
    )
}
