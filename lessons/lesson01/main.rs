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

use axum::Router;
use chatkit::http::{self, cli};
use chatkit::server::Processor;
use chatkit::store::{Store, UserContext};
use clap::Parser;

use echo::EchoServer;

/// Command-line flags: those every lesson has (`chatkit::http::cli::LessonArgs`).
#[derive(Debug, Parser)]
#[command(about = "Lesson 01: a ChatKit server with no model, answering every message")]
struct Args {
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Open the store the flags chose, build our app on it, then answer `--ask` in this
    // terminal, or listen on 127.0.0.1, print a curl to try, and serve until Ctrl-C.
    cli::run("lesson01", args.lesson.serve, app).await?;
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
