//! Exercise 2: let a tool say what it is doing.
//!
//! While a tool runs, the user sees nothing: the model's answer only comes after. A tool can
//! send ChatKit events of its own through its `ToolContext`, and `stream_agent_response` puts
//! them into the stream as they happen. The simplest is a progress update: a status line the
//! client shows until the next item arrives, never stored.
//!
//! Make `forecast_tool` send a progress update with the icon `search` and the text
//! `Looking up the forecast for {city}…` (the city from the arguments, then `…`, one
//! character) before it returns its forecast.
//!
//! Hint: `ctx.progress(Some(IconName::Search), text).await` (`ToolContext::progress`), with
//! `text` made by `format!`.
//!
//! Check it with `cargo test --test grade lesson02`; watch it with
//! `cargo run --bin lesson02 -- --exercise 2 --ask "What's the forecast for Oslo?"`.

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

/// A three-day forecast, made up like the lesson's weather; it should report its progress.
pub fn forecast_tool() -> FunctionTool<UserContext> {
    FunctionTool::new(
        "get_forecast",
        "Get the forecast for the next three days in a city.",
        |ctx: ToolContext<UserContext>, args: ForecastArgs| async move {
            // TODO: send the progress update here.
            todo!("ctx.progress(Some(IconName::Search), …).await");
            Ok::<_, ToolError>(format!("Sunny for three days in {}.", args.city))
        },
    )
}
