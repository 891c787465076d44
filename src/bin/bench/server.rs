//! The bench server: the benchmark contract (`perf.rs`) on `POST /chatkit`, over the memory
//! or the SQLite store, or the ceiling, which serves the bytes of one recorded stream.
//!
//! Two binaries run this code: `bench-server` (for an outside load tool, `oha`, `wrk`, …) and
//! the harness `bench`, which starts it as a child process of itself (`bench serve …`), so
//! that `cargo run --bin bench` needs no second build step and both run the same bytes.
//!
//! * **memory / sqlite**: the library's full pipeline, `http::router` over a `Processor`
//!   with [`PerfServer`] as the responder. The user is the
//!   `x-user-id` header, `bench` when absent, so a harness can keep one user's thread list
//!   short. No subscriber is installed for `tracing`, so there is no per-request logging.
//! * **ceiling**: at start-up the server runs one `threads.create` through its own processor,
//!   records the SSE bytes, then answers every POST with exactly those bytes from memory, in
//!   one chunk. No decoding, no store, no events: what hyper and the socket cost for the same
//!   bytes, the fastest this stream could possibly be served.
//!
//! Both bind 127.0.0.1 (port 0 picks a free one), turn on TCP_NODELAY for every socket (the
//! library's `http::serve`), and print one line, `listening on http://127.0.0.1:PORT/chatkit`,
//! which the harness reads to learn the port.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use axum::Router;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::routing::post;
use bytes::Bytes;
use chatkit::http::{self, HttpError};
use chatkit::server::{ProcessResult, Processor};
use chatkit::store::{MemoryStore, SqliteStore, Store, UserContext};
use clap::{Args, ValueEnum};
use futures::StreamExt;
use tokio::net::TcpListener;

use crate::perf::{PerfServer, PerfSettings, create_body};

/// The user of a request without an `x-user-id` header.
const DEFAULT_USER: &str = "bench";

/// The bench server's flags.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServerArgs {
    /// The port on 127.0.0.1; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 8000)]
    pub(crate) port: u16,
    /// Where threads are kept.
    #[arg(long, value_enum, default_value_t = StoreKind::Memory)]
    pub(crate) store: StoreKind,
    /// The SQLite file with `--store sqlite`; default: a new file in the temp directory,
    /// named after the process id.
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// Serve the recorded bytes of one stream for every request instead (the ceiling).
    #[arg(long)]
    pub(crate) ceiling: bool,
}

/// The two stores of the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StoreKind {
    /// `MemoryStore`.
    Memory,
    /// `SqliteStore`, one file in WAL mode.
    Sqlite,
}

/// Runs the server until Ctrl-C (or until the harness kills it).
///
/// # Errors
///
/// A bad `PERF_*` variable, a port that cannot be bound, a database that cannot be opened.
pub(crate) async fn run(args: ServerArgs) -> anyhow::Result<()> {
    let settings = PerfSettings::from_env()?;
    let app = if args.ceiling {
        ceiling_app(record_one_stream(settings).await?)
    } else {
        match args.store {
            StoreKind::Memory => pipeline_app(settings, MemoryStore::new()),
            StoreKind::Sqlite => {
                let path = args.db.clone().unwrap_or_else(default_db_path);
                let store = SqliteStore::open(&path)
                    .await
                    .with_context(|| format!("opening {}", path.display()))?;
                pipeline_app(settings, store)
            }
        }
    };
    let listener = TcpListener::bind(("127.0.0.1", args.port)).await?;
    announce(&format!("http://{}/chatkit", listener.local_addr()?))?;
    http::serve(listener, app, http::shutdown_signal()).await?;
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

/// Prints the line the harness waits for, and flushes it (stdout is a pipe there).
fn announce(url: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {url}")?;
    stdout.flush()
}
