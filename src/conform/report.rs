//! Output: the human report, the JSON report, and the progress line.
//!
//! The human report groups checks by protocol [`Area`], one line per check with `pass`,
//! `warn` or `FAIL`, and under a check that did not pass one line per finding: severity,
//! section, path and reason. It ends with the summary line CI logs are searched for:
//!
//! ```text
//! summary: 24 checks, 20 passed, 4 warned, 0 failed (0 errors, 4 warnings)
//! ```
//!
//! `--json` prints the [`Report`] with serde instead, for machines. The progress line goes to
//! stderr so that it never mixes with either report on stdout; on a terminal it rewrites one
//! line, elsewhere (CI logs) it prints one line per check.
//!
//! Where it sits: the last step of the `chatkit-conform` binary; writes to any `io::Write`.

use std::io::{IsTerminal, Write};

use super::finding::{Area, CheckResult, Outcome, Report, Severity};

/// Writes the human report.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_human(report: &Report, to: &mut impl Write) -> std::io::Result<()> {
    writeln!(to, "chatkit-conform: {}", report.target)?;
    for area in Area::ALL {
        let checks: Vec<&CheckResult> = report.checks.iter().filter(|c| c.area == area).collect();
        if checks.is_empty() {
            continue;
        }
        writeln!(to, "\n{}", area.title())?;
        for check in checks {
            write_check(check, to)?;
        }
    }
    writeln!(to)?;
    writeln!(to, "{}", summary_line(report))
}

fn write_check(check: &CheckResult, to: &mut impl Write) -> std::io::Result<()> {
    let outcome = match check.outcome {
        Outcome::Pass => "pass",
        Outcome::Warn => "warn",
        Outcome::Fail => "FAIL",
    };
    writeln!(to, "  {outcome}  {:<34} {}", check.id, check.title)?;
    for finding in &check.findings {
        let severity = match finding.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let path = if finding.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", finding.path)
        };
        writeln!(
            to,
            "        {severity} {} {path}{}",
            finding.section, finding.reason
        )?;
    }
    Ok(())
}

/// The one-line summary: checks, outcomes, and the error and warning counts.
pub fn summary_line(report: &Report) -> String {
    let summary = report.summary();
    format!(
        "summary: {} checks, {} passed, {} warned, {} failed ({} errors, {} warnings)",
        summary.checks,
        summary.passed,
        summary.warned,
        summary.failed,
        summary.errors,
        summary.warnings
    )
}

/// Writes the report as one JSON document (with its summary counts).
///
/// # Errors
///
/// The writer's I/O error, or serde's (which the report's types never cause).
pub fn write_json(report: &Report, to: &mut impl Write) -> std::io::Result<()> {
    let document = serde_json::json!({
        "target": report.target,
        "summary": report.summary(),
        "checks": report.checks,
    });
    serde_json::to_writer_pretty(&mut *to, &document)?;
    writeln!(to)
}

/// The progress line on stderr: which check is running.
#[derive(Debug)]
pub struct Progress {
    terminal: bool,
    count: usize,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Progress {
    /// A progress line that rewrites itself on a terminal and prints lines elsewhere.
    pub fn new() -> Self {
        Progress {
            terminal: std::io::stderr().is_terminal(),
            count: 0,
        }
    }

    /// Shows that check `id` has started.
    pub fn show(&mut self, id: &str) {
        self.count += 1;
        let mut stderr = std::io::stderr().lock();
        // Progress is a courtesy: a closed stderr must not stop the run.
        let _ = if self.terminal {
            write!(stderr, "\r\x1b[2K[{}] {id} …", self.count)
        } else {
            writeln!(stderr, "chatkit-conform: [{}] {id}", self.count)
        };
        let _ = stderr.flush();
    }

    /// Clears the line on a terminal, before the report is printed.
    pub fn finish(&self) {
        if self.terminal {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
