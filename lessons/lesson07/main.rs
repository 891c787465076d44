//! # Lesson 07: the web client
//!
//! What you will learn: what a ChatKit client does with the server you have built. The
//! official web component loads its code from OpenAI's CDN, so it cannot run offline; this
//! lesson serves a small client instead, `web/chatkit.js`, plain JavaScript with no framework
//! and no build step, to read in one sitting: one `POST /chatkit` per request with the token
//! as `Authorization: Bearer`, a JSON answer for lists and loads, an SSE stream read with
//! `fetch` for everything that answers, and each event drawn as it arrives.
//!
//! Run it, then open the link it prints (a page with a freshly minted token for alice):
//!
//! ```text
//! cargo run --bin lesson07                        # serve on 127.0.0.1:8000, print the link
//! cargo run --bin lesson07 -- --delay-ms 200      # a slower stream, easier to watch
//! cargo run --bin lesson07 -- --ask "plan my day" # the same answers in the terminal
//! cargo run --bin lesson07 -- mint-token --sub bob # then open /?token=<that token>
//! ```
//!
//! The server has no model: a word of your message picks what it sends (the first that
//! matches, lower-cased), so the page has something of every kind to draw:
//!
//! | say            | the page shows                                                       |
//! |----------------|----------------------------------------------------------------------|
//! | `plan my day`  | a progress line, a workflow whose three tasks complete, then a text  |
//! | `lunch` or `widget` | a card with buttons; a click sends `threads.custom_action` and the card is replaced |
//! | `what time is it?` | a client tool call the page answers with its own clock (`threads.add_client_tool_output`), then the server's answer using it |
//! | `confetti`     | a text, then a `client_effect` the page raises as a DOM event        |
//! | `fail`         | an error with Retry (`threads.retry_after_item`); the retry succeeds |
//! | `long`         | a long answer: press Stop and the page aborts the stream             |
//! | anything else  | `You said: …`, streamed word by word                                 |
//!
//! The page lists your threads (newest first, a page at a time) and reloads one when you click
//! it. It is served by this binary, from the same origin as `/chatkit`, so it needs no CORS;
//! a page served from elsewhere would (`RouterConfig::allow_origins`). Authentication is
//! lesson 06's: `--jwt-secret`, `--rate-limit` and `mint-token` work the same way.
//! `tests/browser/lesson07.mjs` drives the page in a real browser.
//!
//! The official React client (`react/`) runs on its own development server, another origin:
//! `--allow-origin http://localhost:5173` lets that page call this server (CORS), with the
//! `Authorization`, `Content-Type` and `x-page-context` headers it sends.
//!
//! Next: the exercises in `lessons/lesson07/exercises/` (a fold, a client tool, the page's
//! context, paging). Grade them with `cargo test --test grade lesson07`. The chapter is
//! `book/src/lesson07.md`.

mod round_trips;
mod showcase;

use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::routing::get;
use chatkit::auth::Principal;
use chatkit::http::cli::auth::{AuthArgs, AuthCommand, DEFAULT_TOKEN_LIFETIME, MintToken};
use chatkit::http::cli::{self, EXAMPLE_USER};
use chatkit::http::{ContextBuilder, RouterConfig};
use chatkit::server::Processor;
use clap::Parser;
use tower_http::cors::{AllowOrigin, CorsLayer};

use showcase::Showcase;

/// Command-line flags: `mint-token`, lesson 06's token and rate-limit flags, and every
/// lesson's.
#[derive(Debug, Parser)]
#[command(about = "Lesson 07: a web client for your ChatKit server, served with it")]
struct Args {
    /// Print a token instead of serving.
    #[command(subcommand)]
    command: Option<AuthCommand>,
    /// The pause between two words of an answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 40)]
    delay_ms: u64,
    /// Let a page served from ORIGIN (such as `http://localhost:5173`, the React page's
    /// development server) call this server; repeat for more origins. Off by default.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// ANCHOR: page
/// The page and what it loads, compiled into the binary: it runs anywhere, offline.
const PAGE: [(&str, &str, &str); 4] = [
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("web/index.html"),
    ),
    (
        "/chatkit.js",
        "text/javascript; charset=utf-8",
        include_str!("web/chatkit.js"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_str!("web/style.css"),
    ),
    ("/lunch.svg", "image/svg+xml", include_str!("web/lunch.svg")),
];

/// The ChatKit endpoint (lesson 06's checks in front of it) and, beside it, the page.
fn app(
    server: Showcase,
    store: cli::SharedStore,
    verifier: impl ContextBuilder<Principal>,
    config: RouterConfig,
) -> Router {
    let processor = Processor::builder(server, store).build();
    let mut app = config.build(processor, verifier);
    for (path, content_type, body) in PAGE {
        // The page itself carries no token: anyone may load it, and it asks nothing
        // of the server without the token from its own address (`?token=`).
        app = app.route(
            path,
            get(move || async move { ([(CONTENT_TYPE, content_type)], body) }),
        );
    }
    app
}
// ANCHOR_END: page

// ANCHOR: cors
/// The header the React page's `fetch` adds beside the token: JSON saying where the user is.
const PAGE_CONTEXT: HeaderName = HeaderName::from_static("x-page-context");

/// CORS for pages served from `origins`: the preflight of a `POST` with the three headers the
/// React page sends is answered, and the page may read the answers (and `Retry-After`).
fn cors_for(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let origins = origins
        .iter()
        .map(|origin| HeaderValue::from_str(origin.trim_end_matches('/')))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST, Method::PUT, Method::GET])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE, PAGE_CONTEXT])
        .expose_headers([RETRY_AFTER]))
}
// ANCHOR_END: cors

// Your exercises, compiled in (with `--features solutions`, the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_fold_text.rs",
    solution: "solutions/ex1_fold_text.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_client_tool.rs",
    solution: "solutions/ex2_client_tool.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_page_context.rs",
    solution: "solutions/ex3_page_context.rs"
);
chatkit::exercise!(
    ex4,
    exercise: "exercises/ex4_thread_pages.rs",
    solution: "solutions/ex4_thread_pages.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 4] = [
    "ex1_fold_text",
    "ex2_client_tool",
    "ex3_page_context",
    "ex4_thread_pages",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    if let Some(command) = &args.command {
        // `mint-token`: print a token and exit.
        return Ok(command.run(&args.auth)?);
    }
    let verifier = args.auth.verifier()?;
    let mut scaffold = args.auth.scaffold("lesson07")?;
    if args.auth.jwt_public_key.is_none() {
        let alice = MintToken {
            sub: EXAMPLE_USER.to_owned(),
            tenant: None,
            roles: Vec::new(),
            expires_in: DEFAULT_TOKEN_LIFETIME.as_secs(),
        };
        // `--port 0` picks a free port when serving: the banner's first line names it.
        let port = match args.lesson.serve.port {
            0 => "<port>".to_owned(),
            port => port.to_string(),
        };
        let token = args.auth.mint(&alice)?;
        scaffold = scaffold.note(format!(
            "\nOpen the chat in a browser, as {EXAMPLE_USER} for an hour:\n  \
             http://127.0.0.1:{port}/?token={token}"
        ));
    }
    let server = Showcase {
        delay: Duration::from_millis(args.delay_ms),
        failed: Mutex::default(),
    };
    let mut config = args.auth.router_config();
    if !args.allow_origins.is_empty() {
        config = config.cors(cors_for(&args.allow_origins)?);
    }
    let exercise = args.lesson.exercise;
    if let Some(number @ (1 | 2 | 4)) = exercise {
        // Client code: graded by `tests/grade.rs`, run against this lesson's own server.
        scaffold = scaffold.note(format!(
            "\nExercise {number} is client code (cargo test --test grade lesson07); \
             this serves the lesson's server it talks to."
        ));
    }
    scaffold
        .run(args.lesson.serve, |store| match exercise {
            Some(3) => config.build(
                Processor::builder(ex3::Guide, store).build(),
                ex3::WithPage::new(verifier),
            ),
            _ => app(server, store, verifier, config),
        })
        .await?;
    Ok(())
}
