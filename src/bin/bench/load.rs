//! The load generator: the same client code drives every server, Rust, Python or ceiling.
//!
//! Three kinds of load, each bounded in count and in time and aimed at 127.0.0.1 only:
//!
//! * [`closed_loop`]: `clients` tasks, each sending one request, reading the answer to its
//!   end and checking it, then sending the next, until the request budget or the deadline
//!   runs out. A create stream is checked by counting its SSE frames (the contract's N + 5);
//!   a `threads.list` answer must be a JSON page. Anything else is an error, counted, never
//!   retried. Throughput is completed requests over the wall time of the whole run.
//! * [`first_bytes`]: one client, one request at a time, on a warm keep-alive connection:
//!   the time to the response head (status and headers, the first bytes on the wire) and to
//!   the first `text_delta` frame.
//! * [`open_idle_streams`]: opens many streams that pause after their first delta
//!   (`perf deltas=2 delay_ms=…`) and holds them open, so the caller can read the server's
//!   memory; dropping the result closes them all, which the server sees as cancellations.
//!
//! A target may have several endpoints: instances of one server on one database. Every kind
//! of load then sends its requests to them in turn, request by request (round robin in the
//! client, as a load balancer would), so two instances get the same share.
//!
//! The client is reqwest (hyper underneath) with TCP_NODELAY and no proxy, so a stray
//! `http_proxy` in the environment can never route the load off the machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::perf::create_body;

/// The longest a single benchmark request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The body of every `threads.list` request: the newest page of 20.
const LIST_BODY: &str = r#"{"type":"threads.list","params":{"limit":20,"order":"desc"}}"#;

/// What marks a delta frame in a stream.
const DELTA_MARK: &[u8] = b"content_part.text_delta";

/// One server's endpoints, and the user the requests act for (`x-user-id`).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `http://127.0.0.1:PORT/chatkit`, one per instance; never empty.
    pub(crate) urls: Arc<[String]>,
    /// The user; the harness lists threads as a user of its own, so the list stays short.
    pub(crate) user: Arc<str>,
}

impl Target {
    /// The endpoint of the `n`th request: the instances in turn.
    fn url(&self, n: u64) -> &str {
        &self.urls[(n % self.urls.len() as u64) as usize]
    }
}

/// What a load sends, and how an answer is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `threads.create` with the message "hi": a stream of `events` SSE frames.
    CreateStream {
        /// How many frames a correct stream holds.
        events: usize,
    },
    /// `threads.list`: one JSON page.
    ListThreads,
}

/// How much load one run may send.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Concurrent clients, each with its own connection.
    pub(crate) clients: usize,
    /// The most requests the run sends, all clients together.
    pub(crate) requests: u64,
    /// No request starts after this much time.
    pub(crate) time: Duration,
}

/// What one closed-loop run measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunStats {
    /// Requests answered correctly.
    pub(crate) ok: u64,
    /// Requests that failed or were answered wrongly.
    pub(crate) errors: u64,
    /// The first failure, to show why.
    pub(crate) first_error: Option<String>,
    /// From the first request to the last answer.
    pub(crate) elapsed: Duration,
    /// The latency of each correct request, sorted.
    latencies: Vec<Duration>,
}

impl RunStats {
    /// Correct answers per second.
    pub(crate) fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// The `q` quantile (0.5, 0.99) of the latencies, in milliseconds.
    pub(crate) fn quantile_ms(&self, q: f64) -> Option<f64> {
        quantile(&self.latencies, q).map(|d| d.as_secs_f64() * 1e3)
    }

    /// Adds one client's results to the run's.
    fn absorb(&mut self, other: RunStats) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.latencies.extend(other.latencies);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// Counts one failure, keeping the text of the first.
    fn failed(&mut self, error: &RequestError) {
        self.errors += 1;
        keep_first(&mut self.first_error, error);
    }
}

/// The `q` quantile of sorted durations (nearest rank), or `None` when there are none.
fn quantile(sorted: &[Duration], q: f64) -> Option<Duration> {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len().saturating_sub(1)))
        .copied()
}

/// Why one request counts as an error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RequestError {
    /// Connecting, sending or reading failed, or the request timed out.
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    /// The server answered something other than 200.
    #[error("HTTP status {0}")]
    Status(u16),
    /// A stream ended with the wrong number of events.
    #[error("stream had {got} events, expected {expected}")]
    EventCount {
        /// What the contract says.
        expected: usize,
        /// What arrived.
        got: usize,
    },
    /// A `threads.list` answer that is not a page.
    #[error("threads.list did not answer with a page")]
    NotAPage,
    /// A held stream ended before its first delta.
    #[error("the stream ended before its first delta")]
    NoDelta,
}

/// A client for loopback benchmarking; `timeout` bounds each whole request when given.
///
/// # Errors
///
/// If reqwest cannot build its client.
pub(crate) fn client(timeout: Option<Duration>) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(usize::MAX);
    match timeout {
        Some(timeout) => builder.timeout(timeout),
        None => builder,
    }
    .build()
}

/// Sends `op` from `budget.clients` concurrent clients until the budget runs out.
///
/// # Errors
///
/// Only if the client cannot be built; failed requests are counted in the result.
pub(crate) async fn closed_loop(
    target: &Target,
    op: Op,
    budget: Budget,
) -> anyhow::Result<RunStats> {
    let client = client(Some(REQUEST_TIMEOUT))?;
    let tickets = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + budget.time;
    let mut clients = JoinSet::new();
    for _ in 0..budget.clients {
        let (client, target, tickets) = (client.clone(), target.clone(), Arc::clone(&tickets));
        clients.spawn(async move {
            let mut stats = RunStats::default();
            // A ticket per request keeps the total within budget across all clients, and its
            // number picks the instance, so the instances take turns whatever the timing.
            loop {
                let ticket = tickets.fetch_add(1, Ordering::Relaxed);
                if Instant::now() >= deadline || ticket >= budget.requests {
                    break;
                }
                let began = Instant::now();
                match send(&client, &target, ticket, op).await {
                    Ok(()) => {
                        stats.ok += 1;
                        stats.latencies.push(began.elapsed());
                    }
                    Err(error) => stats.failed(&error),
                }
            }
            stats
        });
    }
    let mut run = RunStats::default();
    while let Some(stats) = clients.join_next().await {
        run.absorb(stats.context("a load client panicked")?);
    }
    run.elapsed = start.elapsed();
    run.latencies.sort_unstable();
    Ok(run)
}

/// Sends the `n`th request and checks its answer, reading it to the end.
async fn send(
    client: &reqwest::Client,
    target: &Target,
    n: u64,
    op: Op,
) -> Result<(), RequestError> {
    let body = match op {
        Op::CreateStream { .. } => create_body("hi"),
        Op::ListThreads => LIST_BODY.to_owned(),
    };
    let mut response = post(client, target, n, body).await?;
    match op {
        Op::CreateStream { events } => {
            let mut frames = FrameCounter::default();
            while let Some(chunk) = response.chunk().await? {
                frames.feed(&chunk);
            }
            if frames.frames != events {
                return Err(RequestError::EventCount {
                    expected: events,
                    got: frames.frames,
                });
            }
        }
        Op::ListThreads => {
            let body = response.bytes().await?;
            if !body.starts_with(br#"{"data":["#) {
                return Err(RequestError::NotAPage);
            }
        }
    }
    Ok(())
}

/// POSTs `body`, the `n`th request, to the target as its user; anything but a 200 is an
/// error.
async fn post(
    client: &reqwest::Client,
    target: &Target,
    n: u64,
    body: String,
) -> Result<reqwest::Response, RequestError> {
    let response = client
        .post(target.url(n))
        .header("x-user-id", &*target.user)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(RequestError::Status(response.status().as_u16()));
    }
    Ok(response)
}

/// Counts SSE frames as they arrive: a frame ends with a blank line (`\n\n`), and JSON
/// inside a frame never holds a raw newline, so each `\n\n` is one event, even when a chunk
/// boundary falls between the two newlines.
#[derive(Debug, Default)]
struct FrameCounter {
    frames: usize,
    after_newline: bool,
}

impl FrameCounter {
    fn feed(&mut self, chunk: &[u8]) {
        for &byte in chunk {
            if byte != b'\n' {
                self.after_newline = false;
            } else if self.after_newline {
                self.frames += 1;
                self.after_newline = false;
            } else {
                self.after_newline = true;
            }
        }
    }
}

/// The first-byte figures of a probe, in milliseconds.
#[derive(Debug, Clone, Default)]
pub(crate) struct FirstBytes {
    /// The sorted times to the response head.
    head: Vec<Duration>,
    /// The sorted times to the first delta frame.
    delta: Vec<Duration>,
    /// The size of one whole create stream, in bytes.
    pub(crate) stream_bytes: usize,
    /// Requests that failed.
    pub(crate) errors: u64,
}

impl FirstBytes {
    /// The median time to the response head, in milliseconds.
    pub(crate) fn head_ms(&self) -> Option<f64> {
        quantile(&self.head, 0.5).map(|d| d.as_secs_f64() * 1e3)
    }

    /// The median time to the first delta, in milliseconds.
    pub(crate) fn delta_ms(&self) -> Option<f64> {
        quantile(&self.delta, 0.5).map(|d| d.as_secs_f64() * 1e3)
    }
}

/// Sends `samples` create streams one after another and times their first bytes.
///
/// # Errors
///
/// Only if the client cannot be built; failed requests are counted.
pub(crate) async fn first_bytes(target: &Target, samples: usize) -> anyhow::Result<FirstBytes> {
    let client = client(Some(REQUEST_TIMEOUT))?;
    let mut probe = FirstBytes::default();
    for n in 0..samples as u64 {
        match time_one_stream(&client, target, n).await {
            Ok((head, delta, bytes)) => {
                probe.head.push(head);
                probe.delta.push(delta);
                probe.stream_bytes = bytes;
            }
            Err(_) => probe.errors += 1,
        }
    }
    probe.head.sort_unstable();
    probe.delta.sort_unstable();
    Ok(probe)
}

/// The `n`th create stream: the time to its head, to its first delta, and its size.
async fn time_one_stream(
    client: &reqwest::Client,
    target: &Target,
    n: u64,
) -> Result<(Duration, Duration, usize), RequestError> {
    let start = Instant::now();
    let mut response = post(client, target, n, create_body("hi")).await?;
    let head = start.elapsed();
    let mut body = Vec::new();
    let mut delta = None;
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
        if delta.is_none() && contains(&body, DELTA_MARK) {
            delta = Some(start.elapsed());
        }
    }
    let delta = delta.ok_or(RequestError::NoDelta)?;
    Ok((head, delta, body.len()))
}

/// Whether `haystack` contains `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Streams held open by [`open_idle_streams`]; dropping this closes them.
#[derive(Debug, Default)]
pub(crate) struct HeldStreams {
    /// The open responses, each paused after its first delta.
    open: Vec<reqwest::Response>,
    /// Streams that could not be opened (or not within the deadline).
    pub(crate) errors: u64,
    /// The first failure, to show why.
    pub(crate) first_error: Option<String>,
    /// How long opening them all took.
    pub(crate) opening: Duration,
}

impl HeldStreams {
    /// How many streams are open.
    pub(crate) fn len(&self) -> usize {
        self.open.len()
    }
}

/// Opens `count` streams that each show one delta and then idle for `hold`, with at most
/// `concurrency` being opened at a time, and returns them open.
///
/// Opening stops at `deadline`; streams not open by then count as errors.
///
/// # Errors
///
/// Only if the client cannot be built.
pub(crate) async fn open_idle_streams(
    target: &Target,
    count: usize,
    hold: Duration,
    concurrency: usize,
    deadline: Duration,
) -> anyhow::Result<HeldStreams> {
    // No whole-request timeout: these requests are meant to stay open.
    let client = client(None)?;
    let body = create_body(&format!("perf deltas=2 delay_ms={}", hold.as_millis()));
    let gate = Arc::new(Semaphore::new(concurrency));
    let start = Instant::now();
    let mut opening = JoinSet::new();
    for n in 0..count as u64 {
        let (client, target, body, gate) = (
            client.clone(),
            target.clone(),
            body.clone(),
            Arc::clone(&gate),
        );
        opening.spawn(async move {
            let _permit = gate.acquire_owned().await;
            open_one(&client, &target, n, body).await
        });
    }
    let mut held = HeldStreams::default();
    let collect = async {
        while let Some(opened) = opening.join_next().await {
            match opened {
                Ok(Ok(response)) => held.open.push(response),
                Ok(Err(error)) => keep_first(&mut held.first_error, &error),
                Err(join) => keep_first(&mut held.first_error, &join),
            }
        }
    };
    if tokio::time::timeout(deadline, collect).await.is_err() {
        keep_first(&mut held.first_error, &"opening timed out");
    }
    // Whatever is not open now failed or was too late; the rest are aborted on return.
    held.errors = (count - held.open.len()) as u64;
    held.opening = start.elapsed();
    Ok(held)
}

/// Records `error` as the first failure unless one is recorded already.
fn keep_first(first: &mut Option<String>, error: &dyn std::fmt::Display) {
    first.get_or_insert_with(|| error.to_string());
}

/// Opens the `n`th stream and reads it up to its first delta.
async fn open_one(
    client: &reqwest::Client,
    target: &Target,
    n: u64,
    body: String,
) -> Result<reqwest::Response, RequestError> {
    let mut response = post(client, target, n, body).await?;
    let mut seen = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        seen.extend_from_slice(&chunk);
        if contains(&seen, DELTA_MARK) {
            return Ok(response);
        }
    }
    Err(RequestError::NoDelta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_counted_across_chunk_boundaries() {
        let mut counter = FrameCounter::default();
        counter.feed(b"data: {}\n");
        counter.feed(b"\ndata: {}\n\nda");
        counter.feed(b"ta: {}\n\n");
        assert_eq!(counter.frames, 3);
    }

    #[test]
    fn the_instances_of_a_target_take_turns() {
        let target = Target {
            urls: vec!["a".to_owned(), "b".to_owned()].into(),
            user: "u".into(),
        };
        let urls: Vec<&str> = (0..4).map(|n| target.url(n)).collect();
        assert_eq!(urls, ["a", "b", "a", "b"]);
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&sorted, 0.5), Some(Duration::from_millis(50)));
        assert_eq!(quantile(&sorted, 0.99), Some(Duration::from_millis(99)));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
