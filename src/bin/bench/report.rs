//! The report: the ratio tables printed at the end of a run, the targets of issue 9 marked
//! met or missed, and the same as JSON.
//!
//! Every ratio is *Rust ÷ other*, whatever the figure: above 1× Rust has more of it. For a
//! throughput that is the speed-up; for a latency or a memory figure, less is better, so the
//! target is a ratio *at most* some fraction (`≤ 0.05×` is "at most 1/20 of Python's").
//! The absolute figures sit beside the ratios because they are what the ratios are made of,
//! but they drift with the machine's load; the ratios, measured minutes apart on the same
//! box, are the figures to compare between runs.

use std::fmt::Write as _;

use serde::Serialize;

use crate::measure::{CREATE_CLIENTS, HEADLINE_CLIENTS, Plan, ServerFigures};
use crate::servers::ServerKind;

/// Where and when the run happened.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Machine {
    /// Logical cores.
    pub(crate) cores: usize,
    /// The CPU model, from `/proc/cpuinfo`.
    pub(crate) cpu: String,
    /// The kernel release.
    pub(crate) kernel: String,
    /// `/proc/loadavg`'s 1, 5 and 15 minute averages.
    pub(crate) load: String,
}

impl Machine {
    /// Reads the machine's description now.
    pub(crate) fn read() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            cpu,
            kernel: kernel.trim().to_owned(),
            load: load_average(),
        }
    }
}

/// The three load averages, `0.52 0.58 0.59`.
pub(crate) fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One target of the issue, checked.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TargetCheck {
    /// What is compared.
    pub(crate) name: &'static str,
    /// The bound, as text (`≥ 40×`).
    pub(crate) required: &'static str,
    /// The measured value, as text; `None` when not measured in this run.
    pub(crate) measured: Option<String>,
    /// Met, missed, or `None` when not measured.
    pub(crate) met: Option<bool>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    /// When it ran (UTC).
    pub(crate) date: String,
    /// Whether this was a `--quick` smoke run (not a measurement).
    pub(crate) quick: bool,
    /// The machine, with the load average at the start.
    pub(crate) machine: Machine,
    /// The load average at the end.
    pub(crate) load_after: String,
    /// The bounds of every step.
    pub(crate) plan: Plan,
    /// Deltas per stream.
    pub(crate) deltas: usize,
    /// Every server's figures.
    pub(crate) servers: Vec<ServerFigures>,
    /// The targets.
    pub(crate) targets: Vec<TargetCheck>,
}

/// A row of a table: its name and how to read its value from one server's figures.
type Row = (String, Box<dyn Fn(&ServerFigures) -> Option<f64>>);

impl Report {
    /// The figures of `kind`, if it ran.
    fn of(&self, kind: ServerKind) -> Option<&ServerFigures> {
        self.servers.iter().find(|figures| figures.kind == kind)
    }

    /// The whole report as markdown: header, main table, SQLite table, PostgreSQL table (when
    /// it ran), held streams, targets.
    pub(crate) fn to_markdown(&self) -> String {
        let mut out = String::new();
        self.write_header(&mut out);
        let main = main_columns();
        self.write_table(
            &mut out,
            &main,
            &ratios_of(ServerKind::RustMemory, &main),
            main_rows(),
        );
        out.push('\n');
        let sqlite = sqlite_columns();
        self.write_table(
            &mut out,
            &sqlite,
            &ratios_of(ServerKind::RustSqlite, &sqlite),
            sqlite_rows(),
        );
        out.push('\n');
        if self.of(ServerKind::RustPostgres).is_some() {
            self.write_table(
                &mut out,
                &postgres_columns(),
                &POSTGRES_RATIOS,
                postgres_rows(),
            );
            out.push('\n');
        }
        self.write_held_streams(&mut out);
        self.write_targets(&mut out);
        out
    }

    fn write_header(&self, out: &mut String) {
        let machine = &self.machine;
        let bytes = self
            .of(ServerKind::RustMemory)
            .map_or(0, |figures| figures.stream_bytes);
        let _ = writeln!(
            out,
            "Run {} on {} ({} cores, Linux {}); load average {} at the start, {} at the end.{}",
            self.date,
            machine.cpu,
            machine.cores,
            machine.kernel,
            machine.load,
            self.load_after,
            if self.quick {
                " **--quick smoke run: not a measurement.**"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "A create stream: {} deltas, {} events, {bytes} bytes (Rust). Ratios are Rust ÷ other.\n",
            self.deltas,
            self.deltas + crate::perf::CREATE_EVENTS_BESIDES_DELTAS,
        );
    }

    /// One table: a value column per server in `columns`, then a column per `(subject,
    /// other)` of `ratios`, `subject ÷ other`.
    fn write_table(
        &self,
        out: &mut String,
        columns: &[ServerKind],
        ratios: &[(ServerKind, ServerKind)],
        rows: Vec<Row>,
    ) {
        let mut header = String::from("| figure |");
        for kind in columns {
            let _ = write!(header, " {} |", kind.label());
        }
        for (subject, other) in ratios {
            let _ = write!(
                header,
                " {} ÷ {} |",
                subject.short_label(),
                other.short_label()
            );
        }
        let _ = writeln!(out, "{header}");
        let _ = writeln!(out, "|---|{}", "--:|".repeat(columns.len() + ratios.len()));
        for (name, value) in rows {
            let mut line = format!("| {name} |");
            for &kind in columns {
                let _ = write!(line, " {} |", show(self.of(kind).and_then(&value)));
            }
            for &(subject, other) in ratios {
                let subject = self.of(subject).and_then(&value);
                let other = self.of(other).and_then(&value);
                let _ = write!(line, " {} |", show_ratio(ratio(subject, other)));
            }
            let _ = writeln!(out, "{line}");
        }
    }

    fn write_held_streams(&self, out: &mut String) {
        let Some(many) = self
            .of(ServerKind::RustMemory)
            .and_then(|f| f.many.as_ref())
        else {
            return;
        };
        let _ = writeln!(
            out,
            "{} streams held open at once (Rust, memory store): {} open in {:.2} s, {} errors{}, {} KiB RSS per stream.\n",
            many.asked,
            many.open,
            many.opening_s,
            many.errors,
            many.first_error
                .as_ref()
                .map_or(String::new(), |e| format!(" (first: {e})")),
            show(many.per_stream_kib()),
        );
        let errors: Vec<String> = self
            .servers
            .iter()
            .map(|f| format!("{} {}", f.kind.label(), f.total_errors()))
            .collect();
        let _ = writeln!(out, "Failed requests, all steps: {}.\n", errors.join(", "));
    }

    fn write_targets(&self, out: &mut String) {
        let _ = writeln!(out, "| target (issue 9) | required | measured | |");
        let _ = writeln!(out, "|---|--:|--:|---|");
        for target in &self.targets {
            let verdict = match target.met {
                Some(true) => "met",
                Some(false) => "**missed**",
                None => "not measured",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {verdict} |",
                target.name,
                target.required,
                target.measured.as_deref().unwrap_or("–"),
            );
        }
    }

    /// Checks the targets against the figures.
    pub(crate) fn check_targets(&mut self) {
        let mut targets: Vec<TargetCheck> = RATIO_TARGETS
            .iter()
            .map(|target| {
                let get = |kind| self.of(kind).and_then(target.figure);
                let measured = ratio(get(target.subject), get(target.other));
                TargetCheck {
                    name: target.name,
                    required: target.required,
                    measured: measured.map(show_ratio_value),
                    met: measured.map(|value| target.bound.holds(value)),
                }
            })
            .collect();
        targets.push(self.many_streams_target());
        self.targets = targets;
    }

    /// "10,000 concurrent open streams with no error".
    fn many_streams_target(&self) -> TargetCheck {
        let many = self
            .of(ServerKind::RustMemory)
            .and_then(|f| f.many.as_ref());
        TargetCheck {
            name: "10,000 open streams at once, Rust, no error",
            required: "0 errors",
            measured: many.map(|m| format!("{} of {} open, {} errors", m.open, m.asked, m.errors)),
            // A smaller run (`--quick`, a low `ulimit -n`) says nothing about 10,000.
            met: many.filter(|m| m.asked >= 10_000).map(|m| m.errors == 0),
        }
    }
}

/// How a target bounds its ratio.
#[derive(Debug, Clone, Copy)]
enum Bound {
    /// The ratio must be at least this (a throughput).
    AtLeast(f64),
    /// The ratio must be at most this (a latency, a memory figure).
    AtMost(f64),
}

impl Bound {
    fn holds(self, ratio: f64) -> bool {
        match self {
            Bound::AtLeast(bound) => ratio >= bound,
            Bound::AtMost(bound) => ratio <= bound,
        }
    }
}

/// A target of the issue that is a ratio of one figure between two servers.
struct RatioTarget {
    name: &'static str,
    required: &'static str,
    bound: Bound,
    subject: ServerKind,
    other: ServerKind,
    figure: fn(&ServerFigures) -> Option<f64>,
}

/// The ratio targets, in its order (the 10,000-stream target is not a ratio).
const RATIO_TARGETS: [RatioTarget; 7] = [
    RatioTarget {
        name: "create streams/s, 16 clients, memory store ÷ Python stock",
        required: "≥ 40×",
        bound: Bound::AtLeast(40.0),
        subject: ServerKind::RustMemory,
        other: ServerKind::PythonStock,
        figure: headline_creates,
    },
    RatioTarget {
        name: "create streams/s, 16 clients, memory store ÷ Python cached",
        required: "≥ 10×",
        bound: Bound::AtLeast(10.0),
        subject: ServerKind::RustMemory,
        other: ServerKind::PythonCached,
        figure: headline_creates,
    },
    RatioTarget {
        name: "create streams/s, 16 clients, SQLite store ÷ Python stock",
        required: "≥ 10×",
        bound: Bound::AtLeast(10.0),
        subject: ServerKind::RustSqlite,
        other: ServerKind::PythonStock,
        figure: headline_creates,
    },
    RatioTarget {
        name: "p99 latency, 64 clients ÷ Python stock",
        required: "≤ 0.05× (1/20)",
        bound: Bound::AtMost(0.05),
        subject: ServerKind::RustMemory,
        other: ServerKind::PythonStock,
        figure: |f| f.create_at(64).and_then(|run| run.p99_ms),
    },
    RatioTarget {
        name: "time to first byte ÷ Python stock",
        required: "≤ 0.2× (1/5)",
        bound: Bound::AtMost(0.2),
        subject: ServerKind::RustMemory,
        other: ServerKind::PythonStock,
        figure: |f| f.first_byte_ms,
    },
    RatioTarget {
        name: "RSS per open idle stream ÷ Python stock",
        required: "≤ 0.1× (1/10)",
        bound: Bound::AtMost(0.1),
        subject: ServerKind::RustMemory,
        other: ServerKind::PythonStock,
        figure: idle_kib,
    },
    RatioTarget {
        name: "create streams/s, 16 clients ÷ ceiling",
        required: "≥ 0.5×",
        bound: Bound::AtLeast(0.5),
        subject: ServerKind::RustMemory,
        other: ServerKind::Ceiling,
        figure: headline_creates,
    },
];

/// Create streams per second at the headline client count.
fn headline_creates(figures: &ServerFigures) -> Option<f64> {
    figures
        .create_at(HEADLINE_CLIENTS)
        .map(|run| run.per_second)
}

/// Resident KiB per open idle stream.
fn idle_kib(figures: &ServerFigures) -> Option<f64> {
    figures.idle.as_ref().and_then(|held| held.per_stream_kib())
}

/// The columns of the main table.
fn main_columns() -> Vec<ServerKind> {
    vec![
        ServerKind::RustMemory,
        ServerKind::PythonStock,
        ServerKind::PythonCached,
        ServerKind::Ceiling,
    ]
}

/// The columns of the SQLite table.
fn sqlite_columns() -> Vec<ServerKind> {
    vec![
        ServerKind::RustSqlite,
        ServerKind::RustMemory,
        ServerKind::PythonStock,
    ]
}

/// The columns of the PostgreSQL table.
fn postgres_columns() -> Vec<ServerKind> {
    vec![
        ServerKind::RustPostgres,
        ServerKind::RustPostgresPair,
        ServerKind::RustSqlite,
        ServerKind::RustMemory,
        ServerKind::PythonStock,
    ]
}

/// The ratios of the PostgreSQL table: one instance against the other stores and Python, then
/// what a second instance changes.
const POSTGRES_RATIOS: [(ServerKind, ServerKind); 5] = [
    (ServerKind::RustPostgres, ServerKind::RustSqlite),
    (ServerKind::RustPostgres, ServerKind::RustMemory),
    (ServerKind::RustPostgres, ServerKind::PythonStock),
    (ServerKind::RustPostgresPair, ServerKind::RustPostgres),
    (ServerKind::RustPostgresPair, ServerKind::PythonStock),
];

/// `subject ÷ other` for every other server of `columns`.
fn ratios_of(subject: ServerKind, columns: &[ServerKind]) -> Vec<(ServerKind, ServerKind)> {
    columns
        .iter()
        .filter(|&&other| other != subject)
        .map(|&other| (subject, other))
        .collect()
}

/// The create-stream rows: throughput, then latencies, at every client count.
fn create_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for clients in CREATE_CLIENTS {
        rows.push((
            format!("create streams/s, {}", clients_text(clients)),
            Box::new(move |f: &ServerFigures| f.create_at(clients).map(|r| r.per_second)),
        ));
    }
    for clients in CREATE_CLIENTS {
        rows.push((
            format!("p50 ms, {}", clients_text(clients)),
            Box::new(move |f: &ServerFigures| f.create_at(clients).and_then(|r| r.p50_ms)),
        ));
        rows.push((
            format!("p99 ms, {}", clients_text(clients)),
            Box::new(move |f: &ServerFigures| f.create_at(clients).and_then(|r| r.p99_ms)),
        ));
    }
    rows
}

/// `1 client`, `16 clients`.
pub(crate) fn clients_text(clients: usize) -> String {
    if clients == 1 {
        "1 client".to_owned()
    } else {
        format!("{clients} clients")
    }
}

/// The rows both tables share after the create rows.
fn common_rows() -> Vec<Row> {
    vec![
        (
            "threads.list/s, 16 clients".to_owned(),
            Box::new(|f: &ServerFigures| f.lists_per_second),
        ),
        (
            "first byte ms (median)".to_owned(),
            Box::new(|f: &ServerFigures| f.first_byte_ms),
        ),
        (
            "first delta ms (median)".to_owned(),
            Box::new(|f: &ServerFigures| f.first_delta_ms),
        ),
        (
            "server CPU µs per create, 16 clients".to_owned(),
            Box::new(|f: &ServerFigures| f.cpu_us_per_create),
        ),
    ]
}

/// The rows of the main table.
fn main_rows() -> Vec<Row> {
    let mut rows = create_rows();
    rows.extend(common_rows());
    rows.push((
        "RSS KiB per open idle stream".to_owned(),
        Box::new(idle_kib),
    ));
    rows
}

/// The rows of the SQLite table.
fn sqlite_rows() -> Vec<Row> {
    let mut rows = create_rows();
    rows.extend(common_rows());
    rows
}

/// The rows of the PostgreSQL table: the SQLite table's, and the CPU the database spends in
/// processes of its own, which the server's figure leaves out. For every other server the
/// store runs inside the server, so its total is the server's figure.
fn postgres_rows() -> Vec<Row> {
    let mut rows = sqlite_rows();
    rows.push((
        "PostgreSQL CPU µs per create, 16 clients".to_owned(),
        Box::new(|f: &ServerFigures| f.postgres_cpu_us_per_create),
    ));
    rows.push((
        "server + database CPU µs per create, 16 clients".to_owned(),
        Box::new(|f: &ServerFigures| {
            f.cpu_us_per_create
                .map(|cpu| cpu + f.postgres_cpu_us_per_create.unwrap_or(0.0))
        }),
    ));
    rows
}

/// `a ÷ b`, when both exist and `b` is not zero.
fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// A figure with a precision that suits its size; `–` when missing.
fn show(value: Option<f64>) -> String {
    let Some(value) = value else {
        return "–".to_owned();
    };
    if value >= 1_000.0 {
        thousands(value.round() as u64)
    } else if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// `12345` as `12,345`.
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A ratio in a table cell; `–` when missing.
fn show_ratio(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "–".to_owned(), show_ratio_value)
}

/// A ratio with three significant digits: `45.2×`, `0.031×`.
fn show_ratio_value(ratio: f64) -> String {
    if ratio >= 100.0 {
        format!("{ratio:.0}×")
    } else if ratio >= 10.0 {
        format!("{ratio:.1}×")
    } else if ratio >= 1.0 {
        format!("{ratio:.2}×")
    } else {
        format!("{ratio:.3}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_ratios_are_shown_at_a_readable_precision() {
        assert_eq!(show(Some(12_345.6)), "12,346");
        assert_eq!(show(Some(2.345)), "2.35");
        assert_eq!(show(None), "–");
        assert_eq!(show_ratio_value(45.23), "45.2×");
        assert_eq!(show_ratio_value(0.0312), "0.031×");
    }
}
