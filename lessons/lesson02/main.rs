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

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chatkit::agent::{DEFAULT_MODEL, Runner};
use chatkit::http;
use chatkit::http::ask::{self, AskArgs};
use chatkit::provider::ModelFromEnv;
use chatkit::server::Processor;
use chatkit::store::{MemoryStore, SqliteStore, Store, UserContext};
use clap::{Parser, ValueEnum};
use tokio::net::TcpListener;

use agent::AgentServer;

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(about = "Lesson 02: a ChatKit server whose answers are agent runs")]
struct Args {
    /// The port to listen on, on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Where threads are kept: `sqlite` (a file) or `memory`.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    /// The SQLite file, created on first run (with `--store sqlite`).
    #[arg(long, default_value = "chatkit-lesson02.sqlite3")]
    db: PathBuf,
    /// The model name (used with `OPENAI_API_KEY`; the mock answers any name).
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    #[command(flatten)]
    ask: AskArgs,
}

/// The two stores of the library, as in lesson 01.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum StoreKind {
    /// Threads survive a restart, in a SQLite file.
    Sqlite,
    /// Threads live in memory and are gone when the server stops.
    Memory,
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let quiet = args.ask.ask.is_some();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(if quiet { "warn" } else { "info,chatkit=debug" })
        .init();

    // OpenAI with OPENAI_API_KEY, else the mock; `model` must outlive the server, since
    // dropping it stops the mock. The delay per token makes the mock's stream visible.
    let model = ModelFromEnv::start(Duration::from_millis(40)).await?;
    let runner = Runner::new(model.provider());
    let agent = Arc::new(agent::agent(&args.model));
    let app = match args.store {
        StoreKind::Sqlite => app(SqliteStore::open(&args.db).await?, runner, agent),
        StoreKind::Memory => app(MemoryStore::new(), runner, agent),
    };
    if let Some(message) = &args.ask.ask {
        return Ok(ask::ask(app, message, args.ask.output(), std::io::stdout()).await?);
    }
    let listener = TcpListener::bind(("127.0.0.1", args.port)).await?;
    let address = listener.local_addr()?;
    println!("lesson02 listening on http://{address}/chatkit");
    println!("Ask it something: cargo run --bin lesson02 -- --ask \"What can you do?\"");
    http::serve(listener, app, http::shutdown_signal()).await?;
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
