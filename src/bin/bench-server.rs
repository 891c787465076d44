//! # bench-server: the benchmark contract on `POST /chatkit`, for any load tool
//!
//! The Rust side of the side-by-side benchmarks (`BENCHMARKS.md`): every streaming request
//! gets one assistant message of `PERF_DELTAS` lorem-word deltas (default 20), exactly what
//! the Python bench app `reference/bench_app.py` streams, so `oha`, `wrk` or the harness
//! (`cargo run --release --bin bench`) can drive either and compare.
//!
//! ```text
//! cargo run --release --bin bench-server -- --port 8000                 # memory store
//! cargo run --release --bin bench-server -- --port 8000 --store sqlite  # temp file, or --db
//! cargo run --release --bin bench-server -- --port 8000 --store postgres \
//!     --database-url postgres://postgres@127.0.0.1:5432/test            # schema chatkit
//! cargo run --release --bin bench-server -- --port 8000 --ceiling       # static bytes
//! curl -N http://127.0.0.1:8000/chatkit -d '{"type":"threads.create","params":{"input":
//!   {"content":[{"type":"input_text","text":"perf deltas=5 delay_ms=200"}],
//!    "attachments":[],"inference_options":{}}}}'
//! ```
//!
//! The server itself lives in `bench/server.rs`, shared with the harness, which starts it
//! as `bench serve …`.

#[path = "bench/perf.rs"]
mod perf;
#[path = "bench/server.rs"]
mod server;

use clap::{CommandFactory, FromArgMatches, Parser};

/// Command-line flags: those of the bench server.
#[derive(Debug, Parser)]
#[command(about = "The benchmark contract of BENCHMARKS.md on POST /chatkit")]
struct Cli {
    #[command(flatten)]
    server: server::ServerArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let matches = server::bench_defaults(Cli::command()).get_matches();
    server::run(Cli::from_arg_matches(&matches)?.server).await
}
