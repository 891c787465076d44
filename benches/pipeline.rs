//! Microbenchmarks of the request pipeline, the pieces under every figure of `BENCHMARKS.md`:
//! writing one event, decoding one request, and one whole `threads.create` in-process.
//!
//! Run with `cargo bench --bench pipeline`; in CI, one short iteration of each (a regression
//! guard that compiles and runs them, never a timed assertion):
//!
//! ```text
//! cargo bench --bench pipeline --bench store --bench history -- --sample-count 1 --sample-size 1
//! ```
//!
//! * `serialize_event`: `to_wire_json` of one event of a real create stream, by kind: the
//!   `thread.created`, the user's `thread.item.done`, one `text_delta`, the assistant's
//!   final `thread.item.done`, and all 25 events of the stream in a row.
//! * `decode_request`: `Request::from_slice` of a `threads.create` and a `threads.list` body.
//! * `threads_create`: one `threads.create` through `Processor::process` with the memory
//!   store and the benchmark's responder (`src/bin/bench/perf.rs`, the one `bench-server`
//!   runs), every SSE frame read: the whole pipeline without HTTP.
//!
//! The fourth microbenchmark of issue 9, a 20-item page from SQLite on a 10,000-item thread,
//! is `load_first_page` (and `load_middle_page`) in `benches/store.rs`, which the command
//! above runs too.

// The harness's module is shared with the bench binaries; this file uses its responder and
// request body, not its environment parsing.
#[allow(
    dead_code,
    unused_imports,
    reason = "shared with the bench binaries, which use all of it (and run its unit tests)"
)]
#[path = "../src/bin/bench/perf.rs"]
mod perf;

use bytes::Bytes;
use chatkit::protocol::{Request, ThreadStreamEvent, to_wire_json};
use chatkit::server::{ProcessResult, Processor};
use chatkit::store::{MemoryStore, UserContext};
use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use futures::StreamExt;
use tokio::runtime::Runtime;

use perf::{PerfServer, PerfSettings, create_body};

fn main() {
    divan::main();
}

/// A processor like the bench server's, over a fresh memory store.
fn processor() -> Processor<UserContext> {
    let server = PerfServer {
        defaults: PerfSettings::default(),
    };
    Processor::builder(server, MemoryStore::new()).build()
}

/// Runs one `threads.create` and returns its SSE frames.
async fn create_stream(processor: &Processor<UserContext>) -> Vec<Bytes> {
    let answer = processor
        .process(create_body("hi").as_bytes(), UserContext::new("bench"))
        .await
        .expect("threads.create starts");
    let ProcessResult::Stream(frames) = answer else {
        panic!("threads.create must answer with a stream");
    };
    frames.collect().await
}

/// The events of one real create stream, decoded back from its frames.
fn recorded_events() -> Vec<ThreadStreamEvent> {
    let runtime = Runtime::new().expect("a tokio runtime");
    let frames = runtime.block_on(create_stream(&processor()));
    frames
        .iter()
        .map(|frame| {
            let json = frame
                .strip_prefix(b"data: ")
                .and_then(|rest| rest.strip_suffix(b"\n\n"))
                .expect("an SSE frame");
            serde_json::from_slice(json).expect("a stream event")
        })
        .collect()
}

/// Which events of the stream each `serialize_event` case writes.
fn events_named(name: &str, events: &[ThreadStreamEvent]) -> Vec<ThreadStreamEvent> {
    let pick = |index: usize| vec![events[index].clone()];
    match name {
        "thread.created" => pick(0),
        "user item done" => pick(1),
        "text_delta" => pick(4),
        "assistant item done" => pick(events.len() - 1),
        _ => events.to_vec(),
    }
}

/// Writes one event (or the whole stream) as the wire JSON of an SSE frame.
#[divan::bench(args = ["thread.created", "user item done", "text_delta", "assistant item done", "whole stream"])]
fn serialize_event(bencher: Bencher, name: &str) {
    let events = events_named(name, &recorded_events());
    let bytes: usize = events
        .iter()
        .map(|e| to_wire_json(e).map_or(0, |j| j.len()))
        .sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for event in &events {
            black_box(to_wire_json(black_box(event)).expect("serializes"));
        }
    });
}

/// Decodes one request body into the typed `Request`.
#[divan::bench(args = ["threads.create", "threads.list"])]
fn decode_request(bencher: Bencher, op: &str) {
    let body = match op {
        "threads.create" => create_body("hi"),
        _ => r#"{"type":"threads.list","params":{"limit":20,"order":"desc"}}"#.to_owned(),
    };
    bencher
        .counter(BytesCount::new(body.len()))
        .bench(|| Request::from_slice(black_box(body.as_bytes())).expect("decodes"));
}

/// One `threads.create` through the processor, every frame read: 25 events.
#[divan::bench(sample_count = 500)]
fn threads_create(bencher: Bencher) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let processor = processor();
    bencher.bench_local(|| {
        let frames = runtime.block_on(create_stream(&processor));
        assert_eq!(frames.len(), PerfSettings::default().create_events());
        black_box(frames)
    });
}
