//! What is measured on each server, in which order, and with how much load.
//!
//! One server runs at a time, alone with the load generator, in this order:
//!
//! 1. start it (both instances, for two on one database) and wait until it answers;
//! 2. warm up: create streams from 16 clients (bounded), so caches, allocators and, for
//!    Python, lazily built pydantic validators are in place;
//! 3. `threads.list`: 20 threads are created for a user of their own (`lister`), then lists
//!    of that user from 16 clients. Lists come before the create runs because the library's
//!    `MemoryStore` scans every user's threads to list one user's, so a list after 100,000
//!    creates would measure that scan, not the pipeline;
//! 4. first bytes: create streams one at a time, time to the response head and to the first
//!    delta (medians);
//! 5. resident memory per idle stream (the memory store and Python only: the figure is the
//!    pipeline's and the connection's, whatever the store): RSS, then open 1,000 streams that
//!    pause after one delta, RSS again, divided by the streams open; then they are closed;
//! 6. create-stream throughput and latency at 1, 16 and 64 clients, with the server's CPU
//!    time (and for PostgreSQL the database's) read before and after the 16-client run;
//! 7. Rust with the memory store only: 10,000 streams open at once, the same way as in 5;
//! 8. PostgreSQL only, once the servers have stopped: the run's rows are deleted
//!    (`database.rs`).
//!
//! Each server's requests act for users of their own, named after the run and the server
//! (`bench-<run>-rust-postgres`, `lister-<run>-rust-postgres`), so that a database shared with
//! other runs and other suites holds nothing else of theirs, and step 8 can delete exactly
//! them.
//!
//! Every step is bounded in requests and in time ([`Plan`]); `--quick` shrinks them all to a
//! smoke run of seconds.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::database;
use crate::load::{self, Budget, Op, RunStats, Target};
use crate::servers::{Deployment, ServerKind, Setup};

/// The first word of the user whose thread list is measured.
const LIST_USER: &str = "lister";
/// The first word of the user of every other request.
const LOAD_USER: &str = "bench";
/// How many threads the list user has: one full page.
const LISTED_THREADS: usize = 20;
/// The client counts of the create-stream runs.
pub(crate) const CREATE_CLIENTS: [usize; 3] = [1, 16, 64];
/// The client count of the headline figures (throughput targets, CPU per create).
pub(crate) const HEADLINE_CLIENTS: usize = 16;

/// The bounds of every step.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Plan {
    /// The warm-up's requests, at most.
    warmup_requests: u64,
    /// The longest any create or list run lasts.
    run_time: Duration,
    /// The most requests any create or list run sends.
    run_requests: u64,
    /// Sequential requests of the first-bytes probe.
    probe_samples: usize,
    /// Streams held open for the memory figure.
    pub(crate) idle_streams: usize,
    /// Streams held open in the Rust-only run.
    pub(crate) many_streams: usize,
    /// The longest opening the held streams may take.
    open_deadline: Duration,
}

impl Plan {
    /// The full comparison: under three minutes on a 2-core machine.
    pub(crate) fn full() -> Self {
        Plan {
            warmup_requests: 500,
            run_time: Duration::from_secs(6),
            run_requests: 100_000,
            probe_samples: 200,
            idle_streams: 1_000,
            many_streams: 10_000,
            open_deadline: Duration::from_secs(60),
        }
    }

    /// A smoke run of a few seconds: every step, tiny budgets.
    pub(crate) fn quick() -> Self {
        Plan {
            warmup_requests: 50,
            run_time: Duration::from_millis(300),
            run_requests: 400,
            probe_samples: 10,
            idle_streams: 50,
            many_streams: 200,
            open_deadline: Duration::from_secs(20),
        }
    }

    /// A run of `clients` clients within this plan's bounds.
    fn budget(&self, clients: usize) -> Budget {
        Budget {
            clients,
            requests: self.run_requests,
            time: self.run_time,
        }
    }

    /// How long a held stream idles on the server: longer than opening them can take, so
    /// none ends by itself while it is being counted; the harness closes them much earlier.
    fn hold(&self) -> Duration {
        self.open_deadline * 2
    }
}

/// One create-stream run, as reported.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CreateRun {
    /// Concurrent clients.
    pub(crate) clients: usize,
    /// Correct streams per second.
    pub(crate) per_second: f64,
    /// Median latency, ms.
    pub(crate) p50_ms: Option<f64>,
    /// 99th percentile latency, ms.
    pub(crate) p99_ms: Option<f64>,
    /// Correct streams.
    pub(crate) ok: u64,
    /// Failed or wrong streams.
    pub(crate) errors: u64,
    /// Why the first one failed.
    pub(crate) first_error: Option<String>,
}

impl CreateRun {
    fn new(clients: usize, stats: &RunStats) -> Self {
        CreateRun {
            clients,
            per_second: stats.per_second(),
            p50_ms: stats.quantile_ms(0.5),
            p99_ms: stats.quantile_ms(0.99),
            ok: stats.ok,
            errors: stats.errors,
            first_error: stats.first_error.clone(),
        }
    }
}

/// Streams held open, and what they cost in resident memory.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HeldRun {
    /// Streams asked for.
    pub(crate) asked: usize,
    /// Streams that were open when memory was read.
    pub(crate) open: usize,
    /// Streams that failed to open in time.
    pub(crate) errors: u64,
    /// Why the first one failed.
    pub(crate) first_error: Option<String>,
    /// Seconds it took to open them.
    pub(crate) opening_s: f64,
    /// Server RSS before, KiB.
    pub(crate) rss_before_kib: u64,
    /// Server RSS with the streams open, KiB.
    pub(crate) rss_open_kib: u64,
}

impl HeldRun {
    /// Resident memory per open stream, KiB.
    pub(crate) fn per_stream_kib(&self) -> Option<f64> {
        (self.open > 0).then(|| {
            self.rss_open_kib.saturating_sub(self.rss_before_kib) as f64 / self.open as f64
        })
    }
}

/// Everything measured on one server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServerFigures {
    /// Which server.
    pub(crate) kind: ServerKind,
    /// `threads.list` per second at 16 clients (not for the ceiling).
    pub(crate) lists_per_second: Option<f64>,
    /// Failed lists.
    pub(crate) list_errors: u64,
    /// Median ms to the response head of a create stream.
    pub(crate) first_byte_ms: Option<f64>,
    /// Median ms to the first delta.
    pub(crate) first_delta_ms: Option<f64>,
    /// Bytes of one create stream.
    pub(crate) stream_bytes: usize,
    /// Failed probe requests.
    pub(crate) probe_errors: u64,
    /// The create-stream runs, by client count.
    pub(crate) creates: Vec<CreateRun>,
    /// Server CPU microseconds per stream in the 16-client run (both instances together for
    /// two instances).
    pub(crate) cpu_us_per_create: Option<f64>,
    /// The database's CPU microseconds per stream in the same run (PostgreSQL only; see
    /// `database::postgres_cpu_time`).
    pub(crate) postgres_cpu_us_per_create: Option<f64>,
    /// 1,000 idle streams (the memory store and Python only).
    pub(crate) idle: Option<HeldRun>,
    /// 10,000 idle streams (Rust memory only).
    pub(crate) many: Option<HeldRun>,
}

impl ServerFigures {
    /// The create run at `clients` clients.
    pub(crate) fn create_at(&self, clients: usize) -> Option<&CreateRun> {
        self.creates.iter().find(|run| run.clients == clients)
    }

    /// Every failed request of every step.
    pub(crate) fn total_errors(&self) -> u64 {
        let creates: u64 = self.creates.iter().map(|run| run.errors).sum();
        let held = [&self.idle, &self.many]
            .into_iter()
            .flatten()
            .map(|h| h.errors);
        creates + self.list_errors + self.probe_errors + held.sum::<u64>()
    }
}

/// The users one server's requests act for.
struct Users {
    /// Of the thread list.
    lister: String,
    /// Of every other request.
    load: String,
}

impl Users {
    /// The users of `kind` in this run.
    fn of(kind: ServerKind, setup: &Setup) -> Self {
        let user = |word| format!("{word}-{}-{}", setup.run_id, kind.slug());
        Users {
            lister: user(LIST_USER),
            load: user(LOAD_USER),
        }
    }
}

/// Starts `kind`, runs the plan's steps against it (module doc), stops it, and for
/// PostgreSQL deletes the rows it wrote.
///
/// # Errors
///
/// The server did not start or died during the run, or its rows could not be deleted.
pub(crate) async fn measure(
    kind: ServerKind,
    setup: &Setup,
    plan: &Plan,
) -> anyhow::Result<ServerFigures> {
    let users = Users::of(kind, setup);
    let figures = async {
        let deployment = Deployment::start(kind, setup).await?;
        // Dropping `deployment` at the end stops it, whatever the outcome.
        run_steps(&deployment, &users, setup, plan).await
    }
    .await;
    let Some(url) = setup
        .database_url
        .as_deref()
        .filter(|_| kind.uses_postgres())
    else {
        return figures;
    };
    // Step 8, after a failure too: the servers have stopped, so nothing writes any more.
    progress(kind, "deleting the run's rows");
    let deleted = database::delete_rows_of(url, &[users.lister, users.load]).await;
    let figures = figures?;
    progress(kind, &format!("deleted the run's {} threads", deleted?));
    Ok(figures)
}

/// Steps 2–7 of the module doc against a running server.
async fn run_steps(
    server: &Deployment,
    users: &Users,
    setup: &Setup,
    plan: &Plan,
) -> anyhow::Result<ServerFigures> {
    let kind = server.kind;
    let urls: Arc<[String]> = server.urls().into();
    let target = Target {
        urls: Arc::clone(&urls),
        user: users.load.as_str().into(),
    };
    let create = Op::CreateStream {
        events: setup.settings.create_events(),
    };
    progress(kind, "warming up");
    let warmup = Budget {
        requests: plan.warmup_requests,
        ..plan.budget(HEADLINE_CLIENTS)
    };
    load::closed_loop(&target, create, warmup).await?;

    let (lists_per_second, list_errors) = if kind.has_store() {
        let lister = Target {
            urls,
            user: users.lister.as_str().into(),
        };
        let lists = measure_lists(kind, &lister, create, plan).await?;
        (Some(lists.per_second()), lists.errors)
    } else {
        (None, 0)
    };

    progress(kind, "first bytes");
    let probe = load::first_bytes(&target, plan.probe_samples).await?;

    let idle = if kind == ServerKind::RustMemory || kind.is_python() {
        progress(kind, &format!("{} idle streams", plan.idle_streams));
        Some(hold_streams(server, &target, plan.idle_streams, plan).await?)
    } else {
        None
    };

    let creates = measure_creates(server, &target, create, plan).await?;

    let many = if kind == ServerKind::RustMemory {
        progress(kind, &format!("{} open streams", plan.many_streams));
        Some(hold_streams(server, &target, plan.many_streams, plan).await?)
    } else {
        None
    };

    Ok(ServerFigures {
        kind,
        lists_per_second,
        list_errors,
        first_byte_ms: probe.head_ms(),
        first_delta_ms: probe.delta_ms(),
        stream_bytes: probe.stream_bytes,
        probe_errors: probe.errors,
        creates: creates.runs,
        cpu_us_per_create: creates.cpu_us_per_create,
        postgres_cpu_us_per_create: creates.postgres_cpu_us_per_create,
        idle,
        many,
    })
}

/// Step 3: gives the list user a page of threads, then lists them from 16 clients.
async fn measure_lists(
    kind: ServerKind,
    lister: &Target,
    create: Op,
    plan: &Plan,
) -> anyhow::Result<RunStats> {
    progress(kind, "threads.list");
    let seed = Budget {
        clients: 1,
        requests: LISTED_THREADS as u64,
        time: Duration::from_secs(60),
    };
    let seeded = load::closed_loop(lister, create, seed).await?;
    if seeded.ok != LISTED_THREADS as u64 {
        anyhow::bail!(
            "{}: could not create the listed threads: {:?}",
            kind.label(),
            seeded.first_error
        );
    }
    load::closed_loop(lister, Op::ListThreads, plan.budget(HEADLINE_CLIENTS)).await
}

/// What step 6 measured.
struct Creates {
    /// The runs, by client count.
    runs: Vec<CreateRun>,
    /// The servers' CPU per stream at 16 clients.
    cpu_us_per_create: Option<f64>,
    /// The database's, for PostgreSQL.
    postgres_cpu_us_per_create: Option<f64>,
}

/// Step 6: the create runs, and the CPU per stream at 16 clients.
async fn measure_creates(
    server: &Deployment,
    target: &Target,
    create: Op,
    plan: &Plan,
) -> anyhow::Result<Creates> {
    let mut creates = Creates {
        runs: Vec::new(),
        cpu_us_per_create: None,
        postgres_cpu_us_per_create: None,
    };
    let postgres = server.kind.uses_postgres();
    for clients in CREATE_CLIENTS {
        let step = format!("create streams, {}", crate::report::clients_text(clients));
        progress(server.kind, &step);
        let cpu_before = server.cpu_time()?;
        let postgres_before = postgres.then(database::postgres_cpu_time);
        let stats = load::closed_loop(target, create, plan.budget(clients)).await?;
        let cpu = server.cpu_time()?.saturating_sub(cpu_before);
        let postgres_cpu =
            postgres_before.map(|before| database::postgres_cpu_time().saturating_sub(before));
        if clients == HEADLINE_CLIENTS && stats.ok > 0 {
            let per_create = |cpu: Duration| cpu.as_secs_f64() * 1e6 / stats.ok as f64;
            creates.cpu_us_per_create = Some(per_create(cpu));
            creates.postgres_cpu_us_per_create = postgres_cpu.map(per_create);
        }
        creates.runs.push(CreateRun::new(clients, &stats));
    }
    Ok(creates)
}

/// Steps 5 and 7: RSS, `count` streams opened and held, RSS again, then they are closed.
async fn hold_streams(
    server: &Deployment,
    target: &Target,
    count: usize,
    plan: &Plan,
) -> anyhow::Result<HeldRun> {
    let rss_before_kib = server.rss_kib()?;
    let concurrency = 64;
    let held = load::open_idle_streams(target, count, plan.hold(), concurrency, plan.open_deadline)
        .await?;
    // Let the last responses' buffers settle before reading memory.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_open_kib = server.rss_kib()?;
    let run = HeldRun {
        asked: count,
        open: held.len(),
        errors: held.errors,
        first_error: held.first_error.clone(),
        opening_s: held.opening.as_secs_f64(),
        rss_before_kib,
        rss_open_kib,
    };
    drop(held);
    // The server now cancels every stream (and saves what each showed); give it a moment so
    // that work does not spill into the next measurement.
    tokio::time::sleep(Duration::from_millis(if count > 1_000 {
        2_000
    } else {
        500
    }))
    .await;
    Ok(run)
}

/// One line on stderr saying what runs now.
fn progress(kind: ServerKind, step: &str) {
    eprintln!("bench: {:<14} {step}", kind.label());
}
