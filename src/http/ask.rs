//! A terminal view of the stream: send one message to an app and print what comes back.
//!
//! Every lesson binary takes `--ask "message"` ([`AskArgs`]). Instead of serving, it starts its
//! own app on a free loopback port, in this process, POSTs one `threads.create` with the
//! message over real HTTP, prints the stream as it arrives, and exits:
//!
//! ```text
//! $ cargo run --bin lesson02 -- --ask "What can you do?"
//! thread thr_… created
//! you: What can you do?
//! assistant: I can chat with you …        ← token by token, as the deltas arrive
//! ```
//!
//! What each event looks like here ([`Output::Pretty`]): assistant text is printed delta by
//! delta; a `progress_update` is a `… text` line; a workflow shows its tasks as they are added;
//! a widget is a short outline of its components; an `error` event is an `error:` line; an
//! event this version cannot decode is shown as it came, and the view goes on. With
//! `--raw` ([`Output::Raw`]) the SSE bytes are printed unchanged instead, `data: {…}` and a
//! blank line per event: what `curl -N` would show.
//!
//! The request goes through the same router, context builder and socket as a browser's, so
//! what you see is exactly what a ChatKit client receives. The readable view decodes every
//! event into its [`ThreadStreamEvent`](crate::protocol::ThreadStreamEvent) first (`ask/view.rs`),
//! so it reads the stream exactly as a Rust client of this crate would.

mod outline;
mod view;

use std::io::Write;

use axum::Router;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use tokio::net::TcpListener;

use super::DEFAULT_PATH;
use crate::protocol::request::ThreadsCreateParams;
use crate::protocol::{
    InferenceOptions, Request, RequestOp, UserMessageContent, UserMessageInput, to_wire_json,
};
use view::PrettyView;

/// The `--ask` and `--raw` flags, for a lesson's `clap` arguments (`#[command(flatten)]`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AskArgs {
    /// Send this message to the server over HTTP, print the stream as it arrives, then exit.
    #[arg(long, value_name = "MESSAGE")]
    pub ask: Option<String>,
    /// With `--ask`: print the raw SSE lines instead of the readable view.
    #[arg(long, requires = "ask")]
    pub raw: bool,
}

impl AskArgs {
    /// How to print the stream, from `--raw`.
    pub fn output(&self) -> Output {
        if self.raw {
            Output::Raw
        } else {
            Output::Pretty
        }
    }
}

/// How [`ask`] prints the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Readable: text token by token, progress, tasks, widget outlines, errors.
    Pretty,
    /// The SSE bytes as received.
    Raw,
}

/// Why [`ask`] failed.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// Binding the loopback port or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The HTTP request or its body failed.
    #[error("HTTP error: {0}")]
    Http(#[from] reqwest::Error),
    /// The server refused the request before streaming (its JSON error body is included).
    #[error("the server answered {status}: {body}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: String,
    },
    /// The stream was not valid SSE.
    #[error("bad SSE stream: {0}")]
    Sse(String),
}

/// The `threads.create` request that starts a thread with `message` and nothing else: no
/// attachments, no quoted text, no tool or model chosen.
pub fn create_thread_request(message: &str) -> Request {
    Request::new(RequestOp::ThreadsCreate(ThreadsCreateParams {
        input: UserMessageInput {
            content: vec![UserMessageContent::text(message)],
            attachments: Vec::new(),
            quoted_text: None,
            inference_options: InferenceOptions::default(),
        },
    }))
}

/// [`create_thread_request`] as the JSON body a client sends:
/// `{"metadata":{},"type":"threads.create","params":{"input":{…}}}`.
pub fn create_thread_body(message: &str) -> String {
    // A request is strings, lists and maps of strings: serializing it cannot fail.
    to_wire_json(&create_thread_request(message)).expect("a request always serializes")
}

/// Serves `app` on a free loopback port, sends `message` as a new thread to
/// [`DEFAULT_PATH`], writes the stream to `to` as it arrives, and stops the server.
///
/// # Errors
///
/// See [`AskError`]. An `error` event inside the stream is printed, not returned.
pub async fn ask(
    app: Router,
    message: &str,
    output: Output,
    mut to: impl Write,
) -> Result<(), AskError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}{DEFAULT_PATH}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(super::serve(listener, app, async {
        let _ = stopped.await;
    }));

    let result = post_and_print(&url, message, output, &mut to).await;
    let _ = stop.send(());
    let _ = server.await;
    result
}

async fn post_and_print(
    url: &str,
    message: &str,
    output: Output,
    to: &mut impl Write,
) -> Result<(), AskError> {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(create_thread_body(message))
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await?;
        return Err(AskError::Refused {
            status: status.as_u16(),
            body,
        });
    }
    match output {
        Output::Raw => {
            let mut bytes = response.bytes_stream();
            while let Some(chunk) = bytes.next().await {
                to.write_all(&chunk?)?;
                to.flush()?;
            }
        }
        Output::Pretty => {
            let mut view = PrettyView::default();
            let mut events = response.bytes_stream().eventsource();
            while let Some(event) = events.next().await {
                let event = event.map_err(|error| AskError::Sse(error.to_string()))?;
                view.print_data(&event.data, to)?;
                to.flush()?;
            }
            view.end_line(to)?;
        }
    }
    Ok(())
}
