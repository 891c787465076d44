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

mod round_trips;
mod showcase;

use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use chatkit::auth::Principal;
use chatkit::http::cli::auth::{AuthArgs, AuthCommand, DEFAULT_TOKEN_LIFETIME, MintToken};
use chatkit::http::cli::{self, EXAMPLE_USER};
use chatkit::http::{ContextBuilder, RouterConfig};
use chatkit::server::Processor;
use clap::Parser;

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // No exercises yet: `--exercise` accepts no number.
    let args: Args = cli::parse_lesson(&[]);
    if let Some(AuthCommand::MintToken(request)) = &args.command {
        // Alone on stdout, so that `TOKEN=$(cargo run -q --bin lesson07 -- mint-token …)` works.
        println!("{}", args.auth.mint(request)?);
        return Ok(());
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
    let config = args.auth.router_config();
    scaffold
        .run(args.lesson.serve, |store| {
            app(server, store, verifier, config)
        })
        .await?;
    Ok(())
}
