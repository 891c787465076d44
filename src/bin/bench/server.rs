//! The bench server: the benchmark contract (`perf.rs`) on `POST /chatkit`, over the memory,
//! SQLite or PostgreSQL store, or the ceiling, which serves the bytes of one recorded stream.
//!
//! Two binaries run this code: `bench-server` (for an outside load tool, `oha`, `wrk`, …) and
//! the harness `bench`, which starts it as a child process of itself (`bench serve …`), so
//! that `cargo run --bin bench` needs no second build step and both run the same bytes.
//!
//! * **memory / sqlite / postgres**: the library's full pipeline, `http::router` over a
//!   `Processor` with [`PerfServer`] as the responder. The user is the `x-user-id` header,
//!   `bench` when absent, so a harness can keep one user's thread list short. No subscriber
//!   is installed for `tracing`, so there is no per-request logging.
//! * **ceiling**: at start-up the server runs one `threads.create` through its own processor,
//!   records the SSE bytes, then answers every POST with exactly those bytes from memory, in
//!   one chunk. No decoding, no store, no events: what hyper and the socket cost for the same
//!   bytes, the fastest this stream could possibly be served.
//!
//! Both run on the lessons' scaffold (`chatkit::http::cli`): the same `--port`, `--store`,
//! `--db`, `--database-url`, `--ask` and `--raw`, except that the store is `memory` unless
//! `--store` says otherwise and the SQLite file is a new one in the temp directory unless
//! `--db` names one, so one run's threads never slow the next. (PostgreSQL keeps the tables
//! of schema `chatkit`; the harness deletes the rows of its run's users afterwards.) No
//! `tracing` subscriber is installed, so there is no per-request logging. The scaffold binds
//! 127.0.0.1 (port 0 picks a free one), turns on TCP_NODELAY for every socket (the library's
//! `http::serve`), and prints a banner whose first line is `bench-server listening on
//! http://127.0.0.1:PORT/chatkit (store: …)`; the harness reads the address from it. The ceiling ignores the store it is given.

use std::path::PathBuf;

use axum::Router;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::routing::post;
use bytes::Bytes;
use chatkit::http::cli::{Scaffold, ServeArgs};
use chatkit::http::{self, HttpError};
use chatkit::server::{ProcessResult, Processor};
use chatkit::store::{MemoryStore, Store, UserContext};
use clap::Args;
use futures::StreamExt;

use crate::perf::{PerfServer, PerfSettings, create_body};

/// The user of a request without an `x-user-id` header.
const DEFAULT_USER: &str = "bench";

/// The bench server's flags: the scaffold's, and the ceiling.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServerArgs {
    /// Serve the recorded bytes of one stream for every request instead (the ceiling).
    #[arg(long)]
    pub(crate) ceiling: bool,
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
}

/// The bench's own defaults in `command`, which holds [`ServerArgs`]: the memory store (a
/// bench measures the pipeline, not the disk, unless asked to) and, with SQLite, a new file
/// per run (see [`run`]).
pub(crate) fn bench_defaults(command: clap::Command) -> clap::Command {
    command
        .mut_arg("store", |store| store.default_value("memory"))
        .mut_arg("db", |db| {
            db.help(
                "The SQLite file with `--store sqlite` [default: a new file in the temp directory]",
            )
        })
}

/// Runs the server until Ctrl-C (or until the harness kills it).
///
/// # Errors
///
/// A bad `PERF_*` variable, a port that cannot be bound, a database that cannot be opened.
pub(crate) async fn run(mut args: ServerArgs) -> anyhow::Result<()> {
    let settings = PerfSettings::from_env()?;
    // A fresh file per run, so one run's threads never slow the next.
    args.serve.db.get_or_insert_with(default_db_path);
    let recorded = if args.ceiling {
        Some(record_one_stream(settings).await?)
    } else {
        None
    };
    Scaffold::new("bench-server")
        .without_logging()
        .run(args.serve, |store| match recorded {
            Some(bytes) => ceiling_app(bytes),
            None => pipeline_app(settings, store),
        })
        .await?;
    Ok(())
}

/// The full pipeline: `POST /chatkit` through a `Processor` with the perf responder.
fn pipeline_app(settings: PerfSettings, store: impl Store<UserContext> + 'static) -> Router {
    let server = PerfServer { defaults: settings };
    http::router(Processor::builder(server, store).build(), user_from_header)
}

/// The `x-user-id` header, or [`DEFAULT_USER`].
fn user_from_header(parts: &Parts) -> Result<UserContext, HttpError> {
    let user = parts.headers.get("x-user-id").and_then(|v| v.to_str().ok());
    Ok(UserContext::new(user.unwrap_or(DEFAULT_USER)))
}

/// Runs one `threads.create` (message "hi") through the pipeline in-process and returns the
/// SSE bytes the client would have received.
async fn record_one_stream(settings: PerfSettings) -> anyhow::Result<Bytes> {
    let server = PerfServer { defaults: settings };
    let processor = Processor::builder(server, MemoryStore::new()).build();
    let answer = processor
        .process(create_body("hi").as_bytes(), UserContext::new(DEFAULT_USER))
        .await?;
    let ProcessResult::Stream(frames) = answer else {
        anyhow::bail!("threads.create answered with JSON instead of a stream");
    };
    let frames: Vec<Bytes> = frames.collect().await;
    // A short recording (an `error` event, say) would make a ceiling that flatters itself.
    if frames.len() != settings.create_events() {
        anyhow::bail!(
            "recorded {} events, expected {}",
            frames.len(),
            settings.create_events()
        );
    }
    Ok(Bytes::from(frames.concat()))
}

/// The ceiling: every `POST /chatkit` gets `recorded`, with the headers of a real stream.
fn ceiling_app(recorded: Bytes) -> Router {
    Router::new().route(
        http::DEFAULT_PATH,
        // `Bytes` clones share one buffer, so a response costs a reference count, not a copy.
        post(move || {
            let body = recorded.clone();
            async move {
                (
                    [
                        (
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("text/event-stream; charset=utf-8"),
                        ),
                        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                    ],
                    body,
                )
            }
        }),
    )
}

/// A fresh SQLite file in the temp directory, unique to this process.
fn default_db_path() -> PathBuf {
    std::env::temp_dir().join(format!("chatkit-bench-{}.sqlite3", std::process::id()))
}
