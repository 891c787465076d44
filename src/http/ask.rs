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
//! a widget is a short outline of its components; an `error` event is an `error:` line. With
//! `--raw` ([`Output::Raw`]) the SSE bytes are printed unchanged instead, `data: {…}` and a
//! blank line per event: what `curl -N` would show.
//!
//! The request goes through the same router, context builder and socket as a browser's, so
//! what you see is exactly what a ChatKit client receives.

use std::io::Write;

use axum::Router;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::DEFAULT_PATH;

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

/// The `threads.create` body that starts a thread with `message`.
pub fn create_thread_body(message: &str) -> String {
    json!({"type": "threads.create", "params": {"input": {
        "content": [{"type": "input_text", "text": message}],
        "attachments": [], "inference_options": {}}}})
    .to_string()
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
                let json: Value = serde_json::from_str(&event.data)
                    .map_err(|error| AskError::Sse(error.to_string()))?;
                view.print(&json, to)?;
                to.flush()?;
            }
            view.end_line(to)?;
        }
    }
    Ok(())
}

/// The readable view's state: whether a line of deltas is open, and for which item.
#[derive(Debug, Default)]
struct PrettyView {
    /// The assistant message whose deltas are being printed on the current line.
    streaming: Option<String>,
    /// Messages already printed through their deltas, so their `done` is not printed again.
    streamed: Vec<String>,
}

impl PrettyView {
    fn print(&mut self, event: &Value, to: &mut impl Write) -> std::io::Result<()> {
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        match event["type"].as_str().unwrap_or_default() {
            "thread.created" => self.line(
                to,
                &format!("thread {} created", text(&event["thread"]["id"])),
            ),
            "thread.updated" => match event["thread"]["title"].as_str() {
                Some(title) => self.line(to, &format!("title: {title}")),
                None => Ok(()),
            },
            "thread.item.added" => self.item_added(&event["item"], to),
            "thread.item.updated" => self.item_updated(event, to),
            "thread.item.done" | "thread.item.replaced" => self.item_done(&event["item"], to),
            "progress_update" => self.line(to, &format!("… {}", text(&event["text"]))),
            "client_effect" => self.line(to, &format!("client effect: {}", text(&event["name"]))),
            "notice" => self.line(to, &format!("notice: {}", text(&event["message"]))),
            "error" => {
                let message = event["message"].as_str().unwrap_or("(no message)");
                let retry = if event["allow_retry"] == true {
                    " (retry allowed)"
                } else {
                    ""
                };
                self.line(
                    to,
                    &format!("error [{}]: {message}{retry}", text(&event["code"])),
                )
            }
            // stream_options, thread.item.removed: nothing to see.
            _ => Ok(()),
        }
    }

    fn item_added(&mut self, item: &Value, to: &mut impl Write) -> std::io::Result<()> {
        match item["type"].as_str() {
            Some("assistant_message") => {
                self.end_line(to)?;
                let id = item["id"].as_str().unwrap_or_default().to_owned();
                write!(to, "assistant: ")?;
                self.streamed.push(id.clone());
                self.streaming = Some(id);
                Ok(())
            }
            Some("workflow") => {
                self.line(to, "workflow:")?;
                for task in item["workflow"]["tasks"].as_array().into_iter().flatten() {
                    self.line(to, &format!("  task: {}", task_title(task)))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn item_updated(&mut self, event: &Value, to: &mut impl Write) -> std::io::Result<()> {
        let update = &event["update"];
        match update["type"].as_str().unwrap_or_default() {
            "assistant_message.content_part.text_delta" => {
                let id = event["item_id"].as_str().unwrap_or_default();
                if self.streaming.as_deref() != Some(id) {
                    self.end_line(to)?;
                    write!(to, "assistant: ")?;
                    self.streaming = Some(id.to_owned());
                }
                write!(to, "{}", update["delta"].as_str().unwrap_or_default())
            }
            "workflow.task.added" => {
                self.line(to, &format!("  task: {}", task_title(&update["task"])))
            }
            "workflow.task.updated" => self.line(
                to,
                &format!("  task updated: {}", task_title(&update["task"])),
            ),
            _ => Ok(()),
        }
    }

    fn item_done(&mut self, item: &Value, to: &mut impl Write) -> std::io::Result<()> {
        let id = item["id"].as_str().unwrap_or_default();
        match item["type"].as_str().unwrap_or_default() {
            "user_message" => {
                let words: Vec<&str> = item["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|part| part["text"].as_str())
                    .collect();
                self.line(to, &format!("you: {}", words.join(" ")))
            }
            "assistant_message" if self.streamed.iter().any(|seen| seen == id) => {
                if self.streaming.as_deref() == Some(id) {
                    self.end_line(to)?;
                }
                Ok(())
            }
            "assistant_message" => {
                let text: String = item["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|part| part["text"].as_str())
                    .collect();
                self.line(to, &format!("assistant: {text}"))
            }
            "workflow" => {
                let summary = &item["workflow"]["summary"];
                let done = summary["title"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| summary["duration"].as_u64().map(|s| format!("{s}s")));
                self.line(to, &format!("workflow done: {}", done.unwrap_or_default()))
            }
            "widget" => {
                self.line(to, "widget:")?;
                outline(&item["widget"], 1, self, to)
            }
            "client_tool_call" => self.line(
                to,
                &format!(
                    "client tool call: {} {}",
                    item["name"].as_str().unwrap_or_default(),
                    item["arguments"]
                ),
            ),
            _ => Ok(()),
        }
    }

    /// Prints one whole line, closing an open line of deltas first.
    fn line(&mut self, to: &mut impl Write, line: &str) -> std::io::Result<()> {
        self.end_line(to)?;
        writeln!(to, "{line}")
    }

    /// Ends the line of deltas, if one is open.
    fn end_line(&mut self, to: &mut impl Write) -> std::io::Result<()> {
        if self.streaming.take().is_some() {
            writeln!(to)?;
        }
        Ok(())
    }
}

/// A task's title, or its content when it has none (a thought).
fn task_title(task: &Value) -> String {
    let title = task["title"].as_str().or_else(|| task["content"].as_str());
    let kind = task["type"].as_str().unwrap_or("task");
    format!("[{kind}] {}", title.unwrap_or_default())
}

/// One line per component, indented by depth: its type and its text, if it has one.
fn outline(
    component: &Value,
    depth: usize,
    view: &mut PrettyView,
    to: &mut impl Write,
) -> std::io::Result<()> {
    let kind = component["type"].as_str().unwrap_or("?");
    let words = ["value", "label", "title", "text"]
        .iter()
        .find_map(|key| component[*key].as_str())
        .map(|text| format!(" {text:?}"))
        .unwrap_or_default();
    view.line(to, &format!("{}{kind}{words}", "  ".repeat(depth)))?;
    for child in component["children"].as_array().into_iter().flatten() {
        outline(child, depth + 1, view, to)?;
    }
    Ok(())
}
