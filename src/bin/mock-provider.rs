//! The mock model provider, standalone: an OpenAI-compatible Responses API on your machine.
//!
//! Run with
//!
//! ```text
//! cargo run --bin mock-provider -- --port 8765 [--script FILE] [--delay-ms N] [--unique-ids]
//! ```
//!
//! and watch it stream (the `-N` turns off curl's buffering):
//!
//! ```text
//! curl -N http://127.0.0.1:8765/v1/responses -H 'content-type: application/json' \
//!   -d '{"model":"mock","stream":true,"input":[{"role":"user","content":"Hello there"}]}'
//! ```
//!
//! With no `--script` the toy model answers (see `chatkit::provider::mock::toy`). Point any
//! OpenAI client at it with `OPENAI_BASE_URL=http://127.0.0.1:8765/v1`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chatkit::provider::mock::{MockProvider, Script};
use clap::Parser;

/// An OpenAI-compatible mock of `POST /v1/responses` that streams the full wire.
#[derive(Debug, Parser)]
struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// A JSON script of turns (see the README); without one, the toy model answers.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Milliseconds to wait before each streamed delta, so a person sees the stream.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Tag every id with a token of this process (`msg_mock_3fa2c901_001_0`), so a server that
    /// keeps threads across restarts of the mock never sees an id twice. Off by default: the
    /// recorded transcripts need the fixed ids (`msg_mock_001_0`).
    #[arg(long)]
    unique_ids: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut builder = MockProvider::builder().delay(Duration::from_millis(args.delay_ms));
    if let Some(path) = &args.script {
        builder = builder.script(Script::load(path)?);
    }
    if args.unique_ids {
        builder = builder.unique_ids();
    }
    let mock = builder
        .start_on(SocketAddr::new(args.host, args.port))
        .await
        .with_context(|| format!("could not listen on {}:{}", args.host, args.port))?;
    // One line a script can wait for and parse: the base URL.
    println!("mock provider listening on {}", mock.base_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
