//! # Lesson 02: a first agent
//!
//! What you will learn: how an agent (instructions, a model, tools) answers a ChatKit message,
//! the agent loop that calls the model and the tools turn after turn, and the one helper,
//! `stream_agent_response`, that turns the run into the ChatKit events of lesson 01.
//!
//! Run it:
//!
//! ```text
//! cargo run --bin lesson02 -- --ask "What can you do?"       # one streamed answer, no key
//! cargo run --bin lesson02 -- --ask "What's the weather in Paris?"   # the tool runs
//! cargo run --bin lesson02                                   # serve on 127.0.0.1:8000
//! OPENAI_API_KEY=sk-… cargo run --bin lesson02 -- --model gpt-4.1-mini --ask "hi"
//! ```
//!
//! Without `OPENAI_API_KEY` the agent talks to the mock model built into the library (a few
//! rules, streamed slowly enough to watch); with it, to OpenAI (or `OPENAI_BASE_URL`).
//!
//! Next: the exercises in `lessons/lesson02/exercises/`. Grade them with
//! `cargo test --test grade lesson02`; serve your own code with `--exercise N`:
//!
//! ```text
//! cargo run --bin lesson02 -- --exercise 1 --ask "What is 100 celsius in fahrenheit?"
//! ```

mod agent;

use std::sync::Arc;
use std::time::Duration;

use chatkit::agent::{Agent, DEFAULT_MODEL, Runner};
use chatkit::http::cli;
use chatkit::provider::ModelFromEnv;
use chatkit::store::UserContext;
use clap::Parser;

use agent::AgentServer;

/// Command-line flags: the model, and those every lesson has (`chatkit::http::cli::LessonArgs`).
#[derive(Debug, Parser)]
#[command(about = "Lesson 02: a ChatKit server whose answers are agent runs")]
struct Args {
    /// The model name (used with `OPENAI_API_KEY`; the mock answers any name).
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// Your exercises, compiled in so that `--exercise N` serves them (with `--features solutions`,
// the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_function_tool.rs",
    solution: "solutions/ex1_function_tool.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_tool_progress.rs",
    solution: "solutions/ex2_tool_progress.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_output_guardrail.rs",
    solution: "solutions/ex3_output_guardrail.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 3] = [
    "ex1_function_tool",
    "ex2_tool_progress",
    "ex3_output_guardrail",
];

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    // OpenAI with OPENAI_API_KEY, else the mock; `model` must outlive the server, since
    // dropping it stops the mock. The delay per token makes the mock's stream visible.
    let model = ModelFromEnv::start(Duration::from_millis(40)).await?;
    let runner = Runner::new(model.provider());
    // The lesson's agent, or the agent with your exercise's tool or guardrail.
    let lesson = agent::agent(&args.model);
    let agent = Arc::new(match args.lesson.exercise {
        None => lesson,
        Some(1) => lesson.tool(ex1::temperature_tool()),
        Some(2) => lesson.tool(ex2::forecast_tool()),
        Some(3) => ex3::with_spoiler_guard(lesson),
        Some(other) => unreachable!("parse_lesson accepts exercises 1 to 3, not {other}"),
    });
    // As in lesson 01: the store the flags chose, then `--ask` or serving.
    cli::run("lesson02", args.lesson.serve, |store| {
        app(store, runner, agent)
    })
    .await?;
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: app
/// The server: our agent behind `respond()`, the store, HTTP.
fn app(store: cli::SharedStore, runner: Runner, agent: Arc<Agent<UserContext>>) -> axum::Router {
    cli::app(AgentServer { runner, agent }, store)
}
// ANCHOR_END: app
