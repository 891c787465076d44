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
//! Next: the exercises in `lessons/lesson02/exercises/`, graded by `cargo test`.

mod agent;

use std::sync::Arc;
use std::time::Duration;

use chatkit::agent::{DEFAULT_MODEL, Runner};
use chatkit::http::{self, cli};
use chatkit::provider::ModelFromEnv;
use chatkit::server::Processor;
use chatkit::store::{Store, UserContext};
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

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // OpenAI with OPENAI_API_KEY, else the mock; `model` must outlive the server, since
    // dropping it stops the mock. The delay per token makes the mock's stream visible.
    let model = ModelFromEnv::start(Duration::from_millis(40)).await?;
    let runner = Runner::new(model.provider());
    let agent = Arc::new(agent::agent(&args.model));
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
fn app(
    store: impl Store<UserContext> + 'static,
    runner: Runner,
    agent: Arc<chatkit::agent::Agent<UserContext>>,
) -> axum::Router {
    let server = AgentServer { runner, agent };
    let processor = Processor::builder(server, store).build();
    // Who is asking: the `x-user-id` header, as in lesson 01.
    http::router(processor, http::user_from_header)
}
// ANCHOR_END: app
