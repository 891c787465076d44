//! The command line every lesson shares: its flags, its logging, its store, and the choice
//! between serving on a port and answering one `--ask`.
//!
//! A lesson binary is a ChatKit app (an axum [`Router`] built around the lesson's responder)
//! plus the same few chores: parse `--port`, `--store`, `--db`, `--ask`, `--raw`,
//! `--cancel-after` and `--exercise`; set up logging; open the store the flags chose; then
//! either print one streamed answer ([`ask`]) or listen on 127.0.0.1, print where and a `curl`
//! to paste, and serve until Ctrl-C. This module does the chores, so a lesson's `main.rs` is its idea and a
//! few lines:
//!
//! ```no_run
//! use chatkit::http::cli;
//! use chatkit::store::{Store, UserContext};
//! use clap::Parser;
//!
//! #[derive(Debug, Parser)]
//! #[command(about = "Lesson 01: a ChatKit server with no model")]
//! struct Args {
//!     #[command(flatten)]
//!     lesson: cli::LessonArgs,
//! }
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     let args = Args::parse();
//!     cli::run("lesson01", args.lesson.serve, app).await?;
//!     Ok(())
//! }
//!
//! /// The lesson's idea: its responder and `store` behind `http::router` (see [`http`](super)).
//! fn app(store: impl Store<UserContext> + 'static) -> axum::Router {
//!     // …
//! #   let _ = store;
//! #   axum::Router::new()
//! }
//! ```
//!
//! A lesson's exercises are served by the same binary: [`exercise!`](crate::exercise) compiles
//! each one into it (the student's file, or with `--features solutions` the reference
//! solution), and [`parse_lesson`] parses the command line so that `--exercise` takes the
//! lesson's exercise numbers and nothing else. The lesson matches on
//! [`LessonArgs::exercise`] to choose what its app serves.
//!
//! The store is chosen at run time, so the app is built from a [`SharedStore`]
//! (`Arc<AnyStore>`), which is a `Store` for every context type: an `app` written for
//! `impl Store<UserContext>` takes it as it is, and so does one whose context is the app's
//! own type (lesson 05's `AppContext`).
//!
//! Where it sits: the HTTP layer, beside [`serve`](super::serve), which it calls. Binaries use
//! it; nothing in the library does.

pub mod auth;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Command, Parser, ValueEnum};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use super::ask::{self, AskArgs, AskError, Caller, create_thread_body};
use crate::protocol::ThreadId;
use crate::server::{ChatKitServer, Processor};
use crate::store::{
    AnyStore, MemoryStore, PostgresStore, SqliteStore, Store, StoreError, UserContext,
};

/// The store the flags chose, shared between the app and the scaffold; a [`Store`] for any
/// request context.
pub type SharedStore = Arc<AnyStore>;

/// The user of the printed `curl`.
pub const EXAMPLE_USER: &str = "alice";

/// The header and user in the printed `curl`: the one [`user_from_header`](super::user_from_header)
/// reads, so the thread it creates belongs to [`EXAMPLE_USER`].
pub const EXAMPLE_USER_HEADER: &str = "x-user-id: alice";

/// The message of the printed `curl`.
const EXAMPLE_MESSAGE: &str = "hi";

/// What `RUST_LOG` falls back to while serving: requests at info, the library's own steps at
/// debug, so a student sees each request go through.
const SERVE_LOG_FILTER: &str = "info,chatkit=debug";

/// What `RUST_LOG` falls back to with `--ask`: warnings only, so logs do not mix with the stream.
const ASK_LOG_FILTER: &str = "warn";

/// The flags of a binary that serves a ChatKit app: where, with which store, or `--ask`.
///
/// Flatten it into the binary's own `clap::Parser` with `#[command(flatten)]`; a lesson
/// flattens [`LessonArgs`], which holds this.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The port to listen on, on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Where threads are kept.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    pub store: StoreKind,
    /// The SQLite file with `--store sqlite`, created on first run [default: named after the
    /// binary, chatkit-lesson01.sqlite3 for lesson01].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// The PostgreSQL database with `--store postgres`, such as
    /// postgres://user@127.0.0.1:5432/chatkit; its tables are created on first run. Prefer
    /// the environment variable for a URL with a password: a command line is visible to
    /// every user of the machine (`ps`).
    #[arg(
        long,
        value_name = "URL",
        env = "CHATKIT_DATABASE_URL",
        hide_env_values = true,
        required_if_eq("store", "postgres")
    )]
    pub database_url: Option<DatabaseUrl>,
    /// `--ask` and `--raw`.
    #[command(flatten)]
    pub ask: AskArgs,
}

/// The flags of a lesson binary: [`ServeArgs`] and the exercise to serve.
#[derive(Debug, Clone, clap::Args)]
pub struct LessonArgs {
    /// Serve your exercise N (its reference solution with --features solutions) instead of
    /// the lesson's own code.
    // Parsed by `parse_lesson`, it is one of the lesson's exercise numbers.
    #[arg(long, value_name = "N")]
    pub exercise: Option<u8>,
    /// Where to serve, with which store, or `--ask`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The three stores of the library: [`SqliteStore`], [`MemoryStore`] and [`PostgresStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// Threads survive a restart, in a SQLite file.
    Sqlite,
    /// Threads live in memory and are gone when the server stops.
    Memory,
    /// Threads live in a PostgreSQL database that several instances can share.
    Postgres,
}

/// Why [`run`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The SQLite file could not be opened or created.
    #[error("cannot open the SQLite store {}", path.display())]
    OpenStore {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// The PostgreSQL database could not be reached, or its tables not created.
    #[error("cannot open the PostgreSQL store at {url}")]
    OpenDatabase {
        /// The URL, without its password.
        url: String,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// The port is taken, or not ours to bind.
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `--ask` failed (see [`AskError`]).
    #[error(transparent)]
    Ask(#[from] AskError),
    /// Printing the banner or serving failed.
    #[error("I/O error while serving")]
    Io(#[from] io::Error),
}

impl ServeArgs {
    /// The SQLite file: `--db`, or `chatkit-<name>.sqlite3` in the current directory.
    pub fn db_path(&self, name: &str) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("chatkit-{name}.sqlite3")))
    }

    /// Opens the store `--store` chose; `name` names the default SQLite file.
    ///
    /// # Errors
    ///
    /// [`ServeError::OpenStore`] if the SQLite file cannot be opened,
    /// [`ServeError::OpenDatabase`] if the PostgreSQL database cannot be reached.
    pub async fn open_store(&self, name: &str) -> Result<SharedStore, ServeError> {
        match self.store {
            StoreKind::Memory => Ok(Arc::new(MemoryStore::new().into())),
            StoreKind::Sqlite => {
                let path = self.db_path(name);
                match SqliteStore::open(&path).await {
                    Ok(store) => Ok(Arc::new(store.into())),
                    Err(source) => Err(ServeError::OpenStore { path, source }),
                }
            }
            StoreKind::Postgres => {
                // clap requires the URL with `--store postgres`; an empty one fails to connect.
                let url = self.database_url.as_ref().map_or("", DatabaseUrl::expose);
                match PostgresStore::connect(url).await {
                    Ok(store) => Ok(Arc::new(store.into())),
                    Err(source) => Err(ServeError::OpenDatabase {
                        url: without_password(url),
                        source,
                    }),
                }
            }
        }
    }

    /// The store in words, for the banner: `memory`, `SQLite file chatkit-lesson01.sqlite3`
    /// or `PostgreSQL postgres://app@db/chatkit`.
    fn describe_store(&self, name: &str) -> String {
        match self.store {
            StoreKind::Memory => "memory".to_owned(),
            StoreKind::Sqlite => format!("SQLite file {}", self.db_path(name).display()),
            StoreKind::Postgres => format!(
                "PostgreSQL {}",
                without_password(self.database_url.as_ref().map_or("", DatabaseUrl::expose))
            ),
        }
    }
}

/// A database URL, which may hold a password: its `Debug` and `Display` never show it, so a
/// logged `ServeArgs` or a printed error cannot leak it. [`DatabaseUrl::expose`] is the one way
/// to read it whole, for connecting.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL as given, password included: only for handing to the database driver.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Ok(DatabaseUrl(url.to_owned()))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", without_password(&self.0))
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&without_password(&self.0))
    }
}

/// `url` with its passwords, if any, replaced by `***`: the one after the user name and the
/// `password` and `sslpassword` query parameters (the driver reads both places). The banner
/// and errors are printed and logged, and a database password must not end up in either.
fn without_password(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL (a key=value connection string, say): say nothing of it rather than risk it.
        return "(the given connection string)".to_owned();
    };
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have a password, which this one has.
        let _ = parsed.set_password(Some("***"));
    }
    let is_secret = |name: &str| matches!(name, "password" | "sslpassword");
    if parsed.query_pairs().any(|(name, _)| is_secret(&name)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret(&name) {
                    "***".into()
                } else {
                    value
                };
                (name.into_owned(), value.into_owned())
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// How a binary runs on the scaffold: its name, and whether it sets up logging.
///
/// [`run`] is `Scaffold::new(name).run(…)`; build one yourself only to change a default.
#[derive(Debug, Clone)]
pub struct Scaffold {
    name: String,
    logging: bool,
    /// Who `--ask` speaks as.
    asker: Caller,
    /// Who the banner's `curl` speaks as.
    example: Caller,
    /// Lines the banner prints after the `curl` (how to get a token, …).
    notes: Vec<String>,
}

impl Scaffold {
    /// The scaffold of the binary called `name` (`lesson01`): it names the default SQLite
    /// file and starts the banner. Logging is on.
    pub fn new(name: impl Into<String>) -> Self {
        Scaffold {
            name: name.into(),
            logging: true,
            asker: Caller::student(),
            example: Caller::user_header(EXAMPLE_USER),
            notes: Vec::new(),
        }
    }

    /// `--ask` speaks as `asker`, and the banner's `curl` as `example` (by default
    /// [`ask::ASK_USER`] and [`EXAMPLE_USER`] by their `x-user-id` header). An app that
    /// authenticates gives each a token it accepts.
    pub fn callers(mut self, asker: Caller, example: Caller) -> Self {
        self.asker = asker;
        self.example = example;
        self
    }

    /// Prints `line` in the banner, after the `curl`.
    pub fn note(mut self, line: impl Into<String>) -> Self {
        self.notes.push(line.into());
        self
    }

    /// Installs no `tracing` subscriber, for a binary that must not pay for logs (the bench
    /// server) or that installs its own.
    pub fn without_logging(mut self) -> Self {
        self.logging = false;
        self
    }

    /// Opens the store the flags chose, builds the app from it with `app`, then answers the
    /// `--ask` message, or serves on 127.0.0.1 with a banner until Ctrl-C (open streams are
    /// allowed to finish).
    ///
    /// With `--cancel-after N`, the answer is cut after N events and, once its turn is over,
    /// the store's items for the thread are printed (see [`ask::ask_and_cancel`]).
    ///
    /// # Errors
    ///
    /// See [`ServeError`].
    pub async fn run(
        self,
        args: ServeArgs,
        app: impl FnOnce(SharedStore) -> Router,
    ) -> Result<(), ServeError> {
        if self.logging {
            init_logging(args.ask.ask.is_some());
        }
        let store = args.open_store(&self.name).await?;
        let app = app(Arc::clone(&store));
        if let Some(message) = &args.ask.ask {
            let output = args.ask.output();
            if let Some(thread) = &args.ask.thread {
                let thread = ThreadId::from(thread.as_str());
                return Ok(ask::ask_in_thread(
                    app,
                    &self.asker,
                    &thread,
                    message,
                    output,
                    io::stdout(),
                )
                .await?);
            }
            let Some(after) = args.ask.cancel_after else {
                return Ok(ask::ask(app, &self.asker, message, output, io::stdout()).await?);
            };
            // Cut, then show what survived: the store itself, as the user `--ask` spoke for.
            let cut =
                ask::ask_and_cancel(app, &self.asker, message, output, after, io::stdout()).await?;
            // A store files threads by owner key only, so a `UserContext` of that key reads
            // them, whatever context type the app itself builds.
            let ctx = UserContext::new(self.asker.owner());
            ask::print_stored(store.as_ref(), &cut.thread_id, &ctx, output, io::stdout()).await?;
            return Ok(());
        }
        let listener = TcpListener::bind(("127.0.0.1", args.port))
            .await
            .map_err(|source| ServeError::Bind {
                port: args.port,
                source,
            })?;
        let banner = self.banner(listener.local_addr()?, &args.describe_store(&self.name));
        print_flushed(&banner)?;
        super::serve(listener, app, super::shutdown_signal()).await?;
        Ok(())
    }
}

/// Runs the binary `name` on the scaffold: see [`Scaffold::run`].
///
/// # Errors
///
/// See [`ServeError`].
pub async fn run(
    name: &str,
    args: ServeArgs,
    app: impl FnOnce(SharedStore) -> Router,
) -> Result<(), ServeError> {
    Scaffold::new(name).run(args, app).await
}

// ANCHOR: app
/// A lesson's whole app: `server`'s `respond()` over `store`, behind the ChatKit endpoint.
///
/// Until lesson 06 adds authentication, who is asking comes from the `x-user-id` header
/// ([`user_from_header`](super::user_from_header)): fine on your own machine, nowhere else.
pub fn app(
    server: impl ChatKitServer<UserContext>,
    store: impl Store<UserContext> + 'static,
) -> Router {
    let processor = Processor::builder(server, store).build();
    super::router(processor, super::user_from_header)
}
// ANCHOR_END: app

/// The values `--exercise` can take, in order: a lesson has three or four exercises.
const EXERCISE_NUMBERS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// Parses the command line of a lesson whose exercises are `exercises` (file stems, in order:
/// `ex1_say_it_back`, …), so that `--exercise` takes `1` to `exercises.len()`.
///
/// Any other N is refused the way clap refuses any bad value: a usage error that lists the
/// valid numbers, and exit code 2. `--help` lists each number with its file. `P` is the
/// lesson's `clap::Parser`, which flattens [`LessonArgs`].
pub fn parse_lesson<P: Parser>(exercises: &[&'static str]) -> P {
    try_parse_lesson_from(exercises, std::env::args_os()).unwrap_or_else(|error| error.exit())
}

/// [`parse_lesson`] on the given arguments (the binary's name first), returning the error.
///
/// # Errors
///
/// A bad flag or value, `--help` and `--version`, as [`clap::Parser::try_parse_from`].
///
/// # Panics
///
/// If `P` has no `--exercise` (it does not flatten [`LessonArgs`]), or a lesson has more than
/// nine exercises.
pub fn try_parse_lesson_from<P, I, T>(exercises: &[&'static str], args: I) -> Result<P, clap::Error>
where
    P: Parser,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut command = with_exercises(P::command(), exercises);
    let matches = command.try_get_matches_from_mut(args)?;
    P::from_arg_matches(&matches).map_err(|error| error.format(&mut command))
}

/// `command` with its `--exercise` restricted to the numbers of `exercises`.
fn with_exercises(command: Command, exercises: &[&'static str]) -> Command {
    assert!(
        exercises.len() <= EXERCISE_NUMBERS.len(),
        "a lesson has at most {} exercises",
        EXERCISE_NUMBERS.len()
    );
    let numbers = EXERCISE_NUMBERS
        .iter()
        .zip(exercises)
        .map(|(number, file)| PossibleValue::new(*number).help(*file));
    // The derive reads the value as a `u8`: the check is on the text, the value a number.
    let parser = PossibleValuesParser::new(numbers).try_map(|number| number.parse::<u8>());
    command.mut_arg("exercise", |arg| arg.value_parser(parser))
}

/// Compiles one exercise of a lesson into the lesson's binary or the grading tests, as module
/// `$name`: the student's file `$exercise`, or with `--features solutions` the reference
/// solution `$solution` (paths relative to the file that invokes the macro).
///
/// ```ignore
/// chatkit::exercise!(ex1, exercise: "exercises/ex1_say_it_back.rs", solution: "solutions/ex1_say_it_back.rs");
/// ```
///
/// Starting code is allowed its `todo!()`, its unused bindings and its unreachable code, so a
/// lesson builds before its exercises are done; `.ci/run` proves that each grading test fails
/// on it.
#[macro_export]
macro_rules! exercise {
    ($name:ident, exercise: $exercise:literal, solution: $solution:literal $(,)?) => {
        #[cfg_attr(feature = "solutions", path = $solution)]
        #[cfg_attr(not(feature = "solutions"), path = $exercise)]
        #[allow(
            clippy::todo,
            clippy::diverging_sub_expression,
            dead_code,
            unreachable_pub,
            unused_variables,
            unused_mut,
            unused_assignments,
            unreachable_code,
            unused_imports
        )]
        mod $name;
    };
}

/// Logs to stderr, so that stdout holds only the banner or the stream. `RUST_LOG` wins; without
/// it, [`SERVE_LOG_FILTER`], or [`ASK_LOG_FILTER`] with `--ask`.
fn init_logging(asking: bool) {
    let fallback = if asking {
        ASK_LOG_FILTER
    } else {
        SERVE_LOG_FILTER
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(fallback));
    // A subscriber installed earlier (by a test, or by the binary itself) is kept.
    let _ = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_env_filter(filter)
        .try_init();
}

impl Scaffold {
    /// What a served binary prints first: where it listens (the harness of `bench` reads the
    /// `listening on <url>` part), a request to paste into another terminal, and the notes.
    fn banner(&self, address: SocketAddr, store: &str) -> String {
        let name = &self.name;
        let url = format!("http://{address}{}", super::DEFAULT_PATH);
        let mut banner = format!(
            "{name} listening on {url} (store: {store})\n\
             Create a thread and watch its stream (or run again with --ask \"{EXAMPLE_MESSAGE}\"):\n\n\
             {}\n\n",
            curl_command_as(&url, &self.example, EXAMPLE_MESSAGE)
        );
        for note in &self.notes {
            banner.push_str(note);
            banner.push('\n');
        }
        banner
    }
}

/// Prints `text` to stdout at once: a harness that starts the binary reads the address from a
/// pipe, where nothing would show until a buffer fills.
fn print_flushed(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// A `curl` that sends `message` as a new thread to `url` and prints the stream as it comes
/// (`-N`: no buffering), ready to paste into a POSIX shell.
///
/// The body is the protocol's own `threads.create` ([`create_thread_body`]), so it is exactly
/// what `--ask` sends, whatever the message holds.
pub fn curl_command(url: &str, message: &str) -> String {
    curl_command_as(url, &Caller::user_header(EXAMPLE_USER), message)
}

/// [`curl_command`] with the header that identifies `caller` (a bearer token, say).
pub fn curl_command_as(url: &str, caller: &Caller, message: &str) -> String {
    let (name, value) = caller.header();
    format!(
        "curl -N {url} -H {} -d {}",
        shell_quote(&format!("{name}: {value}")),
        shell_quote(&create_thread_body(message))
    )
}

/// `text` as one word for a POSIX shell: in single quotes, inside which nothing is special
/// except the quote itself, written `'\''` (close, an escaped quote, reopen).
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use clap::Parser;

    use super::*;
    use crate::protocol::{self, RequestOp, UserMessageContent};

    /// A lesson's command line, as its `main.rs` declares it.
    #[derive(Debug, Parser)]
    struct LessonCli {
        #[command(flatten)]
        lesson: LessonArgs,
    }

    fn parse(args: &[&str]) -> Result<LessonArgs, clap::Error> {
        let argv = std::iter::once("lesson01").chain(args.iter().copied());
        LessonCli::try_parse_from(argv).map(|cli| cli.lesson)
    }

    #[test]
    fn a_quote_in_the_message_is_closed_escaped_and_reopened() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("no quote"), "'no quote'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_shell_reads_the_printed_curl_back_into_the_protocols_request() {
        let message = r#"it's "quoted" $HOME `date` \n ünïcode"#;
        let command = curl_command("http://127.0.0.1:8000/chatkit", message);
        let arguments = command.strip_prefix("curl ").expect("starts with curl");
        // Let a real shell split the line into words, then print each one NUL-terminated.
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {arguments}"))
            .output()
            .expect("sh runs");
        let words: Vec<String> = String::from_utf8(output.stdout)
            .expect("UTF-8")
            .split_terminator('\0')
            .map(str::to_owned)
            .collect();
        assert_eq!(
            words[..5],
            [
                "-N",
                "http://127.0.0.1:8000/chatkit",
                "-H",
                "x-user-id: alice",
                "-d"
            ]
        );
        let request = protocol::Request::from_slice(words[5].as_bytes()).expect("a request");
        let RequestOp::ThreadsCreate(params) = request.op else {
            panic!("not a threads.create: {request:?}");
        };
        assert_eq!(params.input.content, [UserMessageContent::text(message)]);
    }

    #[test]
    fn the_printed_header_is_the_one_the_lessons_read_the_user_from() {
        let (name, value) = EXAMPLE_USER_HEADER.split_once(": ").expect("name: value");
        let request = Request::builder()
            .header(name, value)
            .body(())
            .expect("a request");
        let user = super::super::user_from_header(&request.into_parts().0).expect("accepted");
        assert_eq!(user, UserContext::new("alice"));
    }

    #[test]
    fn defaults_serve_sqlite_on_port_8000_in_a_file_named_after_the_lesson() {
        let args = parse(&[]).expect("no flags are needed");
        assert_eq!(args.exercise, None);
        assert_eq!(args.serve.port, 8000);
        assert_eq!(args.serve.store, StoreKind::Sqlite);
        assert_eq!(
            args.serve.db_path("lesson01"),
            PathBuf::from("chatkit-lesson01.sqlite3")
        );
        assert_eq!(args.serve.ask.ask, None);
    }

    #[test]
    fn every_flag_parses() {
        let args = parse(&[
            "--port",
            "0",
            "--store",
            "memory",
            "--db",
            "x.db",
            "--exercise",
            "2",
            "--ask",
            "hi",
            "--raw",
        ])
        .expect("valid flags");
        assert_eq!(args.exercise, Some(2));
        assert_eq!(args.serve.port, 0);
        assert_eq!(args.serve.store, StoreKind::Memory);
        assert_eq!(args.serve.db_path("lesson01"), PathBuf::from("x.db"));
        assert_eq!(args.serve.ask.ask.as_deref(), Some("hi"));
        assert!(args.serve.ask.raw);
    }

    /// The exercises of a lesson, as its `main.rs` names them.
    const EXERCISES: [&str; 3] = ["ex1_say_it_back", "ex2_thread_title", "ex3_count_messages"];

    fn parse_lesson_args(args: &[&str]) -> Result<LessonArgs, clap::Error> {
        let argv = std::iter::once("lesson01").chain(args.iter().copied());
        try_parse_lesson_from::<LessonCli, _, _>(&EXERCISES, argv).map(|cli| cli.lesson)
    }

    #[test]
    fn exercise_takes_the_numbers_of_the_lessons_exercises() {
        let args = parse_lesson_args(&["--exercise", "3", "--ask", "hi"]).expect("valid");
        assert_eq!(args.exercise, Some(3));
        assert_eq!(args.serve.ask.ask.as_deref(), Some("hi"));
        let args = parse_lesson_args(&[]).expect("no flags are needed");
        assert_eq!(args.exercise, None);
    }

    #[test]
    fn an_exercise_the_lesson_does_not_have_is_a_usage_error_listing_the_valid_ones() {
        for bad in ["4", "0", "x"] {
            let error = parse_lesson_args(&["--exercise", bad]).expect_err("refused");
            assert_eq!(error.kind(), clap::error::ErrorKind::InvalidValue);
            assert_eq!(error.exit_code(), 2);
            let message = error.render().to_string();
            assert!(
                message.contains(&format!("invalid value '{bad}' for '--exercise <N>'")),
                "{message}"
            );
            assert!(message.contains("[possible values: 1, 2, 3]"), "{message}");
        }
    }

    #[test]
    fn help_lists_each_exercise_with_its_file() {
        let error = parse_lesson_args(&["--help"]).expect_err("help exits");
        let help = error.render().to_string();
        for (number, file) in ["1", "2", "3"].iter().zip(EXERCISES) {
            assert!(help.contains(&format!("- {number}: {file}")), "{help}");
        }
    }

    #[test]
    fn postgres_takes_a_database_url_and_needs_one() {
        let args = parse(&[
            "--store",
            "postgres",
            "--database-url",
            "postgres://app:secret@db/chat",
        ])
        .expect("valid flags");
        assert_eq!(args.serve.store, StoreKind::Postgres);
        assert_eq!(
            args.serve.describe_store("lesson01"),
            "PostgreSQL postgres://app:***@db/chat",
            "the banner never shows the password"
        );
        let error = parse(&["--store", "postgres"]).expect_err("no URL");
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn a_connection_string_that_is_not_a_url_is_not_printed() {
        assert_eq!(
            without_password("host=db password=secret"),
            "(the given connection string)"
        );
        assert_eq!(
            without_password("postgres://app@db/chat?password=secret&sslmode=disable"),
            "postgres://app@db/chat?password=***&sslmode=disable"
        );
        let url: DatabaseUrl = "postgres://app:secret@db/chat".parse().expect("any text");
        assert!(!format!("{url:?} {url}").contains("secret"));
        assert_eq!(
            without_password("postgres://app@db/chat"),
            "postgres://app@db/chat"
        );
    }

    #[test]
    fn raw_without_ask_is_refused() {
        assert!(parse(&["--raw"]).is_err());
    }

    #[test]
    fn cancel_after_takes_a_positive_count_and_needs_ask() {
        let args = parse(&["--ask", "hi", "--cancel-after", "5"]).expect("valid flags");
        assert_eq!(args.serve.ask.cancel_after, Some(5));
        assert_eq!(
            parse(&["--ask", "hi"])
                .expect("valid")
                .serve
                .ask
                .cancel_after,
            None
        );
        assert!(parse(&["--cancel-after", "5"]).is_err(), "needs --ask");
        assert!(
            parse(&["--ask", "hi", "--cancel-after", "0"]).is_err(),
            "0 events cut nothing"
        );
    }

    #[test]
    fn the_banner_names_the_binary_the_address_the_store_and_a_curl() {
        let address: SocketAddr = "127.0.0.1:8000".parse().expect("an address");
        let banner = Scaffold::new("lesson01").banner(address, "memory");
        let lines: Vec<&str> = banner.lines().collect();
        assert_eq!(
            lines[0],
            "lesson01 listening on http://127.0.0.1:8000/chatkit (store: memory)"
        );
        assert_eq!(
            lines[3],
            curl_command("http://127.0.0.1:8000/chatkit", EXAMPLE_MESSAGE)
        );
    }
}
