//! # Lesson 01: the architecture of a ChatKit server
//!
//! What you will learn: the one endpoint a ChatKit client talks to, the difference between
//! the requests answered with JSON and those answered with a stream of events, what a thread
//! and its items are, where the store sits, and the one method you write: `respond()`.
//!
//! Run it:
//!
//! ```text
//! cargo run --bin lesson01                  # SQLite file chatkit-lesson01.sqlite3, port 8000
//! cargo run --bin lesson01 -- --store memory --port 8001
//! cargo run --bin lesson01 -- --ask "hi"     # print one streamed answer and exit (--raw: SSE)
//! ```
//!
//! It prints a `curl` command that creates a thread; paste it in another terminal and watch
//! the events arrive. Then try `threads.list`, `threads.get_by_id` and
//! `threads.add_user_message` (the chapter, `book/src/lesson01.md`, has the commands).
//!
//! Next: the exercises in `lessons/lesson01/exercises/`, graded by `cargo test`.

mod echo;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use chatkit::http;
use chatkit::http::ask::{self, AskArgs};
use chatkit::server::Processor;
use chatkit::store::{MemoryStore, SqliteStore, Store, UserContext};
use clap::{Parser, ValueEnum};
use tokio::net::TcpListener;

use echo::EchoServer;

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(about = "Lesson 01: a ChatKit server with no model, answering every message")]
struct Args {
    /// The port to listen on, on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Where threads are kept.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    /// The SQLite file, created on first run (with `--store sqlite`).
    #[arg(long, default_value = "chatkit-lesson01.sqlite3")]
    db: PathBuf,
    #[command(flatten)]
    ask: AskArgs,
}

/// The two stores of the library.
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
    init_logging(args.ask.ask.is_some());

    let app = match args.store {
        StoreKind::Sqlite => app(SqliteStore::open(&args.db).await?),
        StoreKind::Memory => app(MemoryStore::new()),
    };
    if let Some(message) = &args.ask.ask {
        // Watch the stream in this terminal: one request to our own app, then exit.
        return Ok(ask::ask(app, message, args.ask.output(), std::io::stdout()).await?);
    }
    let listener = TcpListener::bind(("127.0.0.1", args.port)).await?;
    print_try_it(listener.local_addr()?, &args);
    http::serve(listener, app, http::shutdown_signal()).await?;
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: app
/// The whole server: our `respond()` (EchoServer), a store, and the HTTP endpoint.
fn app(store: impl Store<UserContext> + 'static) -> Router {
    let processor = Processor::builder(EchoServer, store).build();
    // Who is asking: the `x-user-id` header (lesson 06 replaces it with real authentication).
    http::router(processor, http::user_from_header)
}
// ANCHOR_END: app

/// Logs to stderr; only warnings with `--ask`, so they do not mix with the stream.
fn init_logging(quiet: bool) {
    let default = if quiet { "warn" } else { "info,chatkit=debug" };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default.into()),
        )
        .init();
}

/// Prints where the server listens and a request to paste.
fn print_try_it(address: SocketAddr, args: &Args) {
    let store = match args.store {
        StoreKind::Sqlite => format!("SQLite file {}", args.db.display()),
        StoreKind::Memory => "memory".to_owned(),
    };
    println!("lesson01 listening on http://{address}/chatkit (store: {store})");
    println!("Create a thread and watch the stream (or run with --ask \"hi\"):\n");
    println!(
        "curl -N http://{address}/chatkit -d '{{\"type\":\"threads.create\",\"params\":{{\"input\":{{\"content\":[{{\"type\":\"input_text\",\"text\":\"hi\"}}],\"attachments\":[],\"inference_options\":{{}}}}}}}}'\n"
    );
}
