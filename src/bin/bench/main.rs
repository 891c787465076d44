//! # bench: the Rust pipeline against the Python SDK, side by side, in one run
//!
//! Starts the servers one after another on 127.0.0.1 (Rust with the memory store, with the
//! SQLite store, with the PostgreSQL store, two Rust instances on one PostgreSQL database,
//! the Python SDK as released, the Python SDK with its request `TypeAdapter` cached, and the
//! static ceiling), drives each with the same load generator, and prints the ratios with the
//! absolute figures beside them (`BENCHMARKS.md` explains every figure).
//!
//! ```text
//! cargo run --release --bin bench -- --against-python              # the full comparison, 3-4 min
//! cargo run --release --bin bench -- --against-python --json bench.json
//! cargo run --release --bin bench -- --quick                       # Rust only, seconds (CI)
//! cargo run --release --bin bench -- drive --url http://127.0.0.1:8000/chatkit --requests 2000
//! ```
//!
//! Without `--against-python` only the Rust servers and the ceiling run, and the Python
//! columns stay empty. With it, the pinned SDK is installed into `target/pyenv` by
//! `reference/setup-venv.sh` if it is not there yet. The PostgreSQL servers run when
//! `--database-url` or `CHATKIT_TEST_DATABASE_URL` names a database; otherwise one line
//! says they are skipped and their columns stay empty.
//!
//! Layout: `perf.rs` (the contract both sides stream), `server.rs` (the Rust bench server;
//! this binary runs it as `bench serve …`, and so does `bench-server`), `servers.rs` (child
//! processes and `/proc`), `database.rs` (the PostgreSQL side: the URL, the database's CPU,
//! deleting a run's rows), `load.rs` (the load generator), `measure.rs` (the steps and their
//! bounds), `report.rs` (tables, targets, JSON).

mod database;
mod load;
mod measure;
mod perf;
mod report;
mod server;
mod servers;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use measure::Plan;
use perf::PerfSettings;
use report::{Machine, Report};
use servers::{ServerKind, Setup};

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(about = "Benchmarks the Rust ChatKit pipeline against the Python SDK (BENCHMARKS.md)")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Also run the Python SDK, stock and with a cached TypeAdapter.
    #[arg(long)]
    against_python: bool,
    /// A smoke run of a few seconds with tiny budgets: checks that everything works, measures
    /// nothing worth keeping.
    #[arg(long)]
    quick: bool,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The PostgreSQL database of the PostgreSQL servers [default: $CHATKIT_TEST_DATABASE_URL;
    /// without either they are skipped]. The servers use its schema `chatkit`, and the run
    /// deletes the rows it wrote.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

/// The harness's other jobs.
#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the bench server (what `bench-server` runs); the harness starts itself this way.
    #[command(hide = true)]
    Serve(server::ServerArgs),
    /// Drives one server that is already running (for profiling it): a fixed number of
    /// create streams, or streams held open until Enter is pressed.
    Drive(DriveArgs),
}

/// Flags of `bench drive`.
#[derive(Debug, clap::Args)]
struct DriveArgs {
    /// The endpoint, such as http://127.0.0.1:8000/chatkit; given more than once, the
    /// requests go to each in turn (instances on one database).
    #[arg(long, required = true)]
    url: Vec<String>,
    /// Create streams to send.
    #[arg(long, default_value_t = 2_000)]
    requests: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Instead, hold this many idle streams open until Enter is pressed.
    #[arg(long)]
    hold: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let matches = Cli::command()
        .mut_subcommand("serve", server::bench_defaults)
        .get_matches();
    let cli = Cli::from_arg_matches(&matches)?;
    match cli.command {
        Some(Command::Serve(args)) => server::run(args).await,
        Some(Command::Drive(args)) => drive(args).await,
        None => compare(cli).await,
    }
}

/// Runs every server through the plan and prints (and maybe writes) the report.
async fn compare(cli: Cli) -> anyhow::Result<()> {
    let mut plan = if cli.quick {
        Plan::quick()
    } else {
        Plan::full()
    };
    let capacity = stream_capacity();
    if plan.many_streams > capacity {
        eprintln!(
            "bench: the open-file limit allows {capacity} streams, not {}; raise `ulimit -n`",
            plan.many_streams
        );
        plan.many_streams = capacity;
    }
    let machine = Machine::read();
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let database_url = database::database_url(cli.database_url);
    let with_postgres = database_url.is_some();
    let setup = Setup::prepare(cli.against_python, database_url)?;

    let mut servers = Vec::new();
    for kind in kinds(cli.against_python, with_postgres) {
        servers.push(measure::measure(kind, &setup, &plan).await?);
    }

    let mut report = Report {
        date,
        quick: cli.quick,
        machine,
        load_after: report::load_average(),
        plan,
        deltas: setup.settings.deltas,
        servers,
        targets: Vec::new(),
    };
    report.check_targets();
    println!("{}", report.to_markdown());
    if let Some(path) = &cli.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    // A run with failed requests measured something else than the contract: say so by the
    // exit code too, so CI's smoke run fails on it. The logs stay for a look.
    let failed: u64 = report.servers.iter().map(|s| s.total_errors()).sum();
    if failed > 0 {
        anyhow::bail!(
            "{failed} requests failed (logs in {}); the figures above are not valid",
            setup.run_dir.display()
        );
    }
    // The run directory holds the SQLite file and the server logs; nothing failed, so they go.
    let _ = std::fs::remove_dir_all(&setup.run_dir);
    Ok(())
}

/// `bench drive`: the load generator alone, against a server started by hand (under
/// `valgrind` or `perf`, say). Bounded like every load: by `--requests`, or by Enter.
async fn drive(args: DriveArgs) -> anyhow::Result<()> {
    let target = load::Target {
        urls: args.url.into(),
        user: "bench".into(),
    };
    if let Some(streams) = args.hold {
        let deadline = Duration::from_secs(600);
        let held = load::open_idle_streams(&target, streams, deadline * 2, 64, deadline).await?;
        println!(
            "{} streams open, {} errors; press Enter to close them (or wait {deadline:?})",
            held.len(),
            held.errors
        );
        let mut line = String::new();
        let enter = tokio::task::spawn_blocking(move || std::io::stdin().read_line(&mut line));
        // Either way the process ends here, which closes the streams.
        let _ = tokio::time::timeout(deadline, enter).await;
        return Ok(());
    }
    let events = PerfSettings::from_env()?.create_events();
    let budget = load::Budget {
        clients: args.clients,
        requests: args.requests,
        time: Duration::from_secs(600),
    };
    let stats = load::closed_loop(&target, load::Op::CreateStream { events }, budget).await?;
    println!(
        "{} streams in {:.2} s ({:.0}/s), {} errors{}",
        stats.ok,
        stats.elapsed.as_secs_f64(),
        stats.per_second(),
        stats.errors,
        stats
            .first_error
            .map_or(String::new(), |e| format!(" (first: {e})")),
    );
    Ok(())
}

/// The servers of a run, in order. Python goes first, while the machine is coolest for
/// the slowest server; Rust with the memory store goes last because its 10,000-stream step
/// leaves the most sockets closing behind it.
fn kinds(against_python: bool, with_postgres: bool) -> Vec<ServerKind> {
    let mut kinds = Vec::new();
    if against_python {
        kinds.extend([ServerKind::PythonStock, ServerKind::PythonCached]);
    }
    kinds.extend([ServerKind::Ceiling, ServerKind::RustSqlite]);
    if with_postgres {
        kinds.extend([ServerKind::RustPostgres, ServerKind::RustPostgresPair]);
    }
    kinds.push(ServerKind::RustMemory);
    kinds
}

/// How many streams this process can hold open: its open-file limit, less a margin for
/// everything else. The server, a separate process, has the same limit.
fn stream_capacity() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse::<usize>().ok());
    match soft {
        Some(soft) => soft.saturating_sub(500),
        None => usize::MAX,
    }
}
