//! `chatkit-conform`: check that a ChatKit server speaks the protocol.
//!
//! ```text
//! cargo run --bin chatkit-conform -- validate capture.sse        # or `-` for stdin
//! curl -sN http://127.0.0.1:8000/chatkit -d '…' | cargo run --bin chatkit-conform -- validate -
//! cargo run --bin chatkit-conform -- check --url http://127.0.0.1:8000/chatkit \
//!     --header x-user-id:alice --second-user-header x-user-id:mallory
//! ```
//!
//! Both modes print a report grouped by protocol area (or JSON with `--json`) and exit with
//! 1 when an error was found, 0 otherwise; warnings do not fail the run unless
//! `--deny-warnings` is given, and then only the checks not named by `--allow-warning`.
//! A usage or I/O problem exits with 2. The library behind it is `chatkit::conform`.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chatkit::conform::client::{HeaderError, parse_header};
use chatkit::conform::report::{self, Progress};
use chatkit::conform::{CheckOptions, Report, check, validate_capture};
use clap::{Parser, Subcommand};
use reqwest::header::HeaderMap;

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(about = "Conformance checks for ChatKit servers (protocol of openai-chatkit 1.6.5)")]
struct Args {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Check a captured SSE stream or JSON body offline.
    Validate {
        /// The capture, or `-` for stdin.
        file: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Run the black-box suite against a live server.
    Check {
        /// The endpoint, such as http://127.0.0.1:8000/chatkit.
        #[arg(long)]
        url: String,
        /// A header for every request of the first user, `Name:value` (repeatable).
        #[arg(long = "header", value_name = "K:V")]
        headers: Vec<String>,
        /// A header that makes the server see a second user; enables the isolation checks.
        #[arg(long, value_name = "K:V")]
        second_user_header: Vec<String>,
        /// The deadline of each request, in seconds.
        #[arg(long, default_value_t = 10)]
        timeout_secs: u64,
        /// The deadline of the whole run, in seconds.
        #[arg(long, default_value_t = 120)]
        run_timeout_secs: u64,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// Flags shared by both modes.
#[derive(Debug, clap::Args)]
struct OutputArgs {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also exit 1 when a check warned, unless `--allow-warning` names it.
    #[arg(long)]
    deny_warnings: bool,
    /// A check id whose warnings are expected (a documented, deliberate difference).
    #[arg(long, value_name = "CHECK_ID")]
    allow_warning: Vec<String>,
}

/// Why the binary could not run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
enum UsageError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("chatkit-conform: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<ExitCode, UsageError> {
    match args.mode {
        Mode::Validate { file, output } => {
            let bytes = read_capture(&file)?;
            let report = validate_capture(&bytes, &file.display().to_string());
            finish(&report, &output)
        }
        Mode::Check {
            url,
            headers,
            second_user_header,
            timeout_secs,
            run_timeout_secs,
            output,
        } => {
            let mut options = CheckOptions::new(url);
            options.headers = header_map(&headers)?;
            if !second_user_header.is_empty() {
                options.second_user = Some(header_map(&second_user_header)?);
            }
            options.request_timeout = Duration::from_secs(timeout_secs);
            options.run_timeout = Duration::from_secs(run_timeout_secs);
            let mut progress = Progress::new();
            let report = check(&options, &mut |id| progress.show(id)).await;
            progress.finish();
            finish(&report, &output)
        }
    }
}

/// The capture's bytes, from a file or from stdin for `-`.
fn read_capture(file: &PathBuf) -> Result<Vec<u8>, UsageError> {
    let read = |source| UsageError::Read {
        path: file.display().to_string(),
        source,
    };
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(read)?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(read)
    }
}

fn header_map(headers: &[String]) -> Result<HeaderMap, HeaderError> {
    let mut map = HeaderMap::new();
    for header in headers {
        let (name, value) = parse_header(header)?;
        map.append(name, value);
    }
    Ok(map)
}

/// Prints the report and picks the exit code: 1 on errors (or on warnings not allowed, with
/// `--deny-warnings`), 0 otherwise.
fn finish(report: &Report, output: &OutputArgs) -> Result<ExitCode, UsageError> {
    let mut stdout = std::io::stdout().lock();
    if output.json {
        report::write_json(report, &mut stdout)?;
    } else {
        report::write_human(report, &mut stdout)?;
    }
    let unexpected: Vec<&str> = report
        .warning_check_ids()
        .filter(|id| !output.allow_warning.iter().any(|allowed| allowed == id))
        .collect();
    if report.has_errors() {
        return Ok(ExitCode::FAILURE);
    }
    if output.deny_warnings && !unexpected.is_empty() {
        eprintln!(
            "chatkit-conform: warnings not allowed: {}",
            unexpected.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
