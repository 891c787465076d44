//! The servers under test: how each is started as a child process, found, and read from
//! `/proc` while it runs.
//!
//! | server | command |
//! |---|---|
//! | Rust, memory store | `bench serve --port 0 --store memory` (this very binary) |
//! | Rust, SQLite store | `bench serve --port 0 --store sqlite --db <run dir>/bench.sqlite3` |
//! | Rust, PostgreSQL store | `bench serve --port 0 --store postgres --database-url URL` |
//! | Rust, two PostgreSQL instances | that command twice, both on the same database |
//! | ceiling | `bench serve --port 0 --ceiling` |
//! | Python, stock SDK | `<venv>/bin/python reference/bench_app.py --port 0` |
//! | Python, cached TypeAdapter | the same with `--cache-type-adapter` |
//!
//! The Rust servers are this binary started again with the hidden `serve` subcommand, so
//! `cargo run --bin bench` builds everything it runs. Every server binds 127.0.0.1 port 0,
//! prints `listening on <url>`, and gets `PERF_DELTAS` / `PERF_DELAY_MS` from the harness so
//! all of them stream the same shape. A server's stderr goes to `<run dir>/<name>.log`, shown
//! when it fails to start. Each child is killed when its [`ServerProcess`] is dropped; a
//! [`Deployment`] is the one or two processes of one server under test.
//!
//! Resident memory is `VmRSS` of `/proc/<pid>/status`; CPU time is `utime + stime` of
//! `/proc/<pid>/stat`, in clock ticks of 1/100 s (`USER_HZ`, 100 on every Linux build that
//! matters here).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::perf::PerfSettings;

/// How long a server may take to print its address (Python imports take seconds).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// Clock ticks per second in `/proc/<pid>/stat`.
const USER_HZ: f64 = 100.0;

/// The servers of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ServerKind {
    /// The Rust pipeline over `MemoryStore`.
    RustMemory,
    /// The Rust pipeline over `SqliteStore`.
    RustSqlite,
    /// The Rust pipeline over `PostgresStore`, one instance.
    RustPostgres,
    /// Two instances over `PostgresStore` on one database, the load spread over both.
    RustPostgresPair,
    /// The Python SDK as released.
    PythonStock,
    /// The Python SDK with its request `TypeAdapter` built once.
    PythonCached,
    /// The recorded bytes of one stream, served static.
    Ceiling,
}

impl ServerKind {
    /// The name in tables and logs.
    pub(crate) fn label(self) -> &'static str {
        match self {
            ServerKind::RustMemory => "Rust (memory)",
            ServerKind::RustSqlite => "Rust (SQLite)",
            ServerKind::RustPostgres => "Rust (PostgreSQL)",
            ServerKind::RustPostgresPair => "Rust (PostgreSQL ×2)",
            ServerKind::PythonStock => "Python stock",
            ServerKind::PythonCached => "Python cached",
            ServerKind::Ceiling => "ceiling",
        }
    }

    /// The name in a ratio's column header.
    pub(crate) fn short_label(self) -> &'static str {
        match self {
            ServerKind::RustMemory => "Rust mem",
            ServerKind::RustSqlite => "Rust SQLite",
            ServerKind::RustPostgres => "Rust PG",
            ServerKind::RustPostgresPair => "Rust PG×2",
            ServerKind::PythonStock => "Py stock",
            ServerKind::PythonCached => "Py cached",
            ServerKind::Ceiling => "ceiling",
        }
    }

    /// A short name for files and user ids.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            ServerKind::RustMemory => "rust-memory",
            ServerKind::RustSqlite => "rust-sqlite",
            ServerKind::RustPostgres => "rust-postgres",
            ServerKind::RustPostgresPair => "rust-postgres-pair",
            ServerKind::PythonStock => "python-stock",
            ServerKind::PythonCached => "python-cached",
            ServerKind::Ceiling => "ceiling",
        }
    }

    /// Whether this server stores threads (the ceiling answers every request the same).
    pub(crate) fn has_store(self) -> bool {
        self != ServerKind::Ceiling
    }

    /// Whether this server is the Python SDK.
    pub(crate) fn is_python(self) -> bool {
        matches!(self, ServerKind::PythonStock | ServerKind::PythonCached)
    }

    /// Whether this server keeps its threads in PostgreSQL.
    pub(crate) fn uses_postgres(self) -> bool {
        matches!(
            self,
            ServerKind::RustPostgres | ServerKind::RustPostgresPair
        )
    }

    /// How many processes serve it.
    fn instances(self) -> usize {
        if self == ServerKind::RustPostgresPair {
            2
        } else {
            1
        }
    }
}

/// What every server start needs: where the programs are and where files go.
#[derive(Debug)]
pub(crate) struct Setup {
    /// This binary, started again as `bench serve …`.
    exe: PathBuf,
    /// The venv's python, when the run includes Python.
    python: Option<PathBuf>,
    /// The repository, where `reference/` is.
    repo: PathBuf,
    /// A directory of this run: SQLite file and server logs; removed at the end.
    pub(crate) run_dir: PathBuf,
    /// The run's name in user ids, unique on this machine: the process id and the start
    /// time in seconds.
    pub(crate) run_id: String,
    /// The stream shape every server is given.
    pub(crate) settings: PerfSettings,
    /// The PostgreSQL database of the PostgreSQL servers; without it they do not run.
    pub(crate) database_url: Option<String>,
}

impl Setup {
    /// Finds this binary, makes the run directory and, with `python`, prepares the venv
    /// through `reference/setup-venv.sh` (which installs the pinned packages if needed).
    ///
    /// # Errors
    ///
    /// A bad `PERF_*` variable, or a venv that cannot be prepared.
    pub(crate) fn prepare(with_python: bool, database_url: Option<String>) -> anyhow::Result<Self> {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let run_dir = std::env::temp_dir().join(format!("chatkit-bench-{}", std::process::id()));
        std::fs::create_dir_all(&run_dir)?;
        let python = if with_python {
            Some(prepare_venv(&repo)?)
        } else {
            None
        };
        Ok(Setup {
            exe: std::env::current_exe()?,
            python,
            repo,
            run_dir,
            run_id: format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp()),
            settings: PerfSettings::from_env()?,
            database_url,
        })
    }

    /// The command that starts `kind`.
    fn command(&self, kind: ServerKind) -> anyhow::Result<Command> {
        let mut command = if kind.is_python() {
            let python = self.python.as_ref().context("Python was not prepared")?;
            let mut command = Command::new(python);
            command.arg(self.repo.join("reference/bench_app.py"));
            command.args(["--port", "0"]);
            if kind == ServerKind::PythonCached {
                command.arg("--cache-type-adapter");
            }
            command
        } else {
            let mut command = Command::new(&self.exe);
            command.args(["serve", "--port", "0"]);
            match kind {
                ServerKind::RustSqlite => {
                    command.args(["--store", "sqlite", "--db"]);
                    command.arg(self.run_dir.join("bench.sqlite3"));
                }
                ServerKind::RustPostgres | ServerKind::RustPostgresPair => {
                    let url = self.database_url.as_ref().context("no database URL")?;
                    command.args(["--store", "postgres", "--database-url", url]);
                }
                ServerKind::Ceiling => {
                    command.arg("--ceiling");
                }
                _ => {
                    command.args(["--store", "memory"]);
                }
            }
            command
        };
        command
            .env("PERF_DELTAS", self.settings.deltas.to_string())
            .env("PERF_DELAY_MS", self.settings.delay.as_millis().to_string());
        Ok(command)
    }
}

/// Runs `reference/setup-venv.sh` and returns the python it prints on its last line.
fn prepare_venv(repo: &Path) -> anyhow::Result<PathBuf> {
    let output = std::process::Command::new("bash")
        .arg(repo.join("reference/setup-venv.sh"))
        .stderr(Stdio::inherit())
        .output()
        .context("running reference/setup-venv.sh")?;
    if !output.status.success() {
        bail!("reference/setup-venv.sh failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let python = stdout
        .lines()
        .last()
        .context("setup-venv.sh printed nothing")?;
    Ok(PathBuf::from(python.trim()))
}

/// One server under test, running: its one process, or its two instances on one database.
/// Dropping it stops them all.
#[derive(Debug)]
pub(crate) struct Deployment {
    /// Which server.
    pub(crate) kind: ServerKind,
    /// Its processes, at least one.
    processes: Vec<ServerProcess>,
}

impl Deployment {
    /// Starts every instance of `kind` and waits until each answers.
    ///
    /// # Errors
    ///
    /// An instance did not start or did not answer (see [`ServerProcess::start`]).
    pub(crate) async fn start(kind: ServerKind, setup: &Setup) -> anyhow::Result<Self> {
        let mut processes = Vec::new();
        for instance in 0..kind.instances() {
            // One after the other: two instances migrating at once would only wait for each
            // other's migration lock, and the log says which one failed.
            let process = ServerProcess::start(kind, instance, setup).await?;
            wait_until_ready(&process.url, Duration::from_secs(60)).await?;
            processes.push(process);
        }
        Ok(Deployment { kind, processes })
    }

    /// The endpoints of its instances.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.processes.iter().map(|p| p.url.clone()).collect()
    }

    /// The resident memory of its processes together, in KiB.
    ///
    /// # Errors
    ///
    /// `/proc` cannot be read (a server has exited).
    pub(crate) fn rss_kib(&self) -> anyhow::Result<u64> {
        self.processes.iter().map(ServerProcess::rss_kib).sum()
    }

    /// The CPU time its processes have used so far, together.
    ///
    /// # Errors
    ///
    /// `/proc` cannot be read or parsed (a server has exited).
    pub(crate) fn cpu_time(&self) -> anyhow::Result<Duration> {
        self.processes.iter().map(|p| cpu_time(p.pid)).sum()
    }
}

/// One running server process; dropping it kills the process.
///
/// `std::process` rather than `tokio::process` (which needs a tokio feature this crate does
/// not enable): the only blocking read, the first line of stdout, runs on the blocking pool.
#[derive(Debug)]
struct ServerProcess {
    /// Its endpoint, `http://127.0.0.1:PORT/chatkit`.
    url: String,
    /// Its process id, for `/proc`.
    pid: u32,
    child: Child,
}

impl ServerProcess {
    /// Starts instance `instance` (from 0) of `kind` and waits for the line with its address.
    ///
    /// # Errors
    ///
    /// The server could not be started, died, or did not announce itself in time; the
    /// error names its log file.
    async fn start(kind: ServerKind, instance: usize, setup: &Setup) -> anyhow::Result<Self> {
        let name = if kind.instances() > 1 {
            format!("{}-{}", kind.slug(), instance + 1)
        } else {
            kind.slug().to_owned()
        };
        let log_path = setup.run_dir.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path)?;
        let mut child = setup
            .command(kind)?
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", kind.label()))?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let mut server = ServerProcess {
            url: String::new(),
            pid: child.id(),
            child,
        };
        // On a timeout `server` is dropped, which kills the child, which closes the pipe,
        // which ends the blocking read.
        let read = tokio::task::spawn_blocking(move || read_url(stdout));
        server.url = tokio::time::timeout(START_TIMEOUT, read)
            .await
            .map_err(|_| anyhow::anyhow!("no address within {START_TIMEOUT:?}"))
            .and_then(|joined| joined.context("the reading task failed")?)
            .with_context(|| {
                format!("{} did not start; see {}", kind.label(), log_path.display())
            })?;
        Ok(server)
    }

    /// The server's resident memory, in KiB.
    ///
    /// # Errors
    ///
    /// `/proc` cannot be read (the server has exited).
    fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .context("no VmRSS line")?;
        Ok(line.trim().trim_end_matches("kB").trim().parse()?)
    }
}

/// The CPU time process `pid` has used so far, user and system.
///
/// # Errors
///
/// `/proc` cannot be read or parsed (the process has exited).
pub(crate) fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may contain spaces; the fields after it are space-separated,
    // starting with field 3 (state). utime and stime are fields 14 and 15.
    let after_name = stat.rsplit_once(')').context("malformed stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11).context("no utime")?.parse::<u64>()?
        + fields.get(12).context("no stime")?.parse::<u64>()?;
    Ok(Duration::from_secs_f64(ticks as f64 / USER_HZ))
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // It may have exited already; either way it is gone after this. `wait` reaps it so
        // no zombie is left for the rest of the run.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads stdout lines until one says `listening on <url>` (the Rust banner has words before
/// and after it). The rest of stdout is left unread: the servers print at most a few lines
/// after it, far less than a pipe holds.
fn read_url(stdout: ChildStdout) -> anyhow::Result<String> {
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let url = line
            .split_once("listening on ")
            .and_then(|(_, rest)| rest.split_whitespace().next());
        if let Some(url) = url {
            return Ok(url.to_owned());
        }
    }
    bail!("the server exited before printing its address")
}

/// Waits until `url` answers a `threads.list` with 200, for at most `limit`.
///
/// # Errors
///
/// The server never answered.
async fn wait_until_ready(url: &str, limit: Duration) -> anyhow::Result<()> {
    let client = crate::load::client(Some(Duration::from_secs(5)))?;
    let start = Instant::now();
    loop {
        let answer = client
            .post(url)
            .body(r#"{"type":"threads.list","params":{}}"#)
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => return Ok(()),
            _ if start.elapsed() > limit => bail!("{url} did not answer within {limit:?}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
