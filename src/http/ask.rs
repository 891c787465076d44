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
//! With `--thread ID` the message is added to that thread instead ([`ask_in_thread`]): the
//! next turn of a conversation kept in the lesson's store.
//!
//! The request goes through the same router, context builder and socket as a browser's, so
//! what you see is exactly what a ChatKit client receives, and it is sent by the crate's own
//! client, [`crate::client::Client`], with the caller's header added to it as a page adds its
//! own. It is sent as a [`Caller`]: the user
//! [`ASK_USER`] (the `x-user-id` header the lessons read) until lesson 06, then a bearer token
//! the lesson mints for itself.
//!
//! # Cutting the connection
//!
//! `--cancel-after N` ([`ask_and_cancel`]) reads the first N events, then drops the connection,
//! as a user who closes the tab or loses the network. The turn does not end with the
//! response: the server notices the disconnect, then runs its cancellation hook, or, for a turn
//! that cannot be cancelled, runs the turn to its end unseen. So `ask_and_cancel` waits for the
//! turn itself (the response's [`TurnHandle`]), and the lesson's scaffold then prints what the
//! store holds for the thread ([`print_stored`]): what a reload would find, hidden items
//! included. The readable view prints every event as the client's [`EventStream`] decoded it
//! (`ask/view.rs`), so it reads the stream exactly as a Rust client of this crate would.

mod outline;
mod view;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::response::Response;
use tokio::net::TcpListener;

use super::DEFAULT_PATH;
use crate::client::{Client, ClientError, EventStream, text_input};
use crate::protocol::request::{ThreadsAddUserMessageParams, ThreadsCreateParams};
use crate::protocol::{Order, Request, RequestOp, ThreadId, ThreadStreamEvent, to_wire_json};
use crate::server::TurnHandle;
use crate::store::{PageRequest, Store, StoreContext, StoreError};
use view::PrettyView;

/// The user `--ask` speaks as: its requests carry `x-user-id: student`, which
/// [`user_from_header`](super::user_from_header) reads (it is also that function's default).
pub const ASK_USER: &str = "student";

/// Who `--ask` speaks as: the header that identifies the caller to the app, and the owner key
/// the app's store files the caller's threads under (for printing what was stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    header_name: String,
    header_value: String,
    owner: String,
}

impl Caller {
    /// A caller named by the `x-user-id` header, as the lessons before authentication read it.
    pub fn user_header(user: &str) -> Self {
        Caller {
            header_name: "x-user-id".to_owned(),
            header_value: user.to_owned(),
            owner: user.to_owned(),
        }
    }

    /// [`ASK_USER`], named by the `x-user-id` header.
    pub fn student() -> Self {
        Caller::user_header(ASK_USER)
    }

    /// The holder of `token`, sent as `Authorization: Bearer <token>`; `owner` is the key the
    /// verified token gives in the store ([`StoreContext::user_id`]).
    pub fn bearer(token: &str, owner: impl Into<String>) -> Self {
        Caller {
            header_name: "authorization".to_owned(),
            header_value: format!("Bearer {token}"),
            owner: owner.into(),
        }
    }

    /// The header's name and value, such as `("x-user-id", "student")`.
    pub fn header(&self) -> (&str, &str) {
        (&self.header_name, &self.header_value)
    }

    /// The owner key of the caller's threads in the store.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

impl Default for Caller {
    fn default() -> Self {
        Caller::student()
    }
}

/// The `--ask` and `--raw` flags, for a lesson's `clap` arguments (`#[command(flatten)]`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AskArgs {
    /// Send this message to the server over HTTP, print the stream as it arrives, then exit.
    #[arg(long, value_name = "MESSAGE")]
    pub ask: Option<String>,
    /// With `--ask`: print the raw SSE lines instead of the readable view.
    #[arg(long, requires = "ask")]
    pub raw: bool,
    /// With `--ask`: drop the connection after N events (`thread.created` is the first), wait
    /// for the turn to end, and print what the store then holds for the thread.
    #[arg(long, value_name = "N", requires = "ask", value_parser = clap::value_parser!(u64).range(1..))]
    pub cancel_after: Option<u64>,
    /// With `--ask`: add the message to this existing thread (`threads.add_user_message`)
    /// instead of starting a new one.
    #[arg(
        long,
        value_name = "ID",
        requires = "ask",
        conflicts_with = "cancel_after"
    )]
    pub thread: Option<String>,
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
    /// The stream was cut before its `thread.created`, so there is no thread to show.
    #[error("the stream ended before it named its thread")]
    NoThread,
    /// Reading the thread's items back from the store failed.
    #[error("reading the store failed: {0}")]
    Store(#[from] StoreError),
    /// The client failed otherwise (a caller header that is not valid HTTP, say).
    #[error("client error: {0}")]
    Client(ClientError),
}

impl From<ClientError> for AskError {
    /// The client's errors, in the terms `--ask` has always reported them in.
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Http(error) => AskError::Http(error),
            ClientError::Status { status, body, .. } => AskError::Refused {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
            },
            ClientError::Sse(reason) => AskError::Sse(reason),
            other => AskError::Client(other),
        }
    }
}

/// What [`ask_and_cancel`] saw before it dropped the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    /// The thread the message created.
    pub thread_id: ThreadId,
    /// How many events arrived: the N of `--cancel-after`, or fewer if the stream ended first.
    pub events: u64,
}

/// The `threads.create` request that starts a thread with `message` and nothing else: no
/// attachments, no quoted text, no tool or model chosen.
pub fn create_thread_request(message: &str) -> Request {
    Request::new(RequestOp::ThreadsCreate(ThreadsCreateParams {
        input: text_input(message),
    }))
}

/// [`create_thread_request`] as the JSON body a client sends:
/// `{"metadata":{},"type":"threads.create","params":{"input":{…}}}`.
pub fn create_thread_body(message: &str) -> String {
    // A request is strings, lists and maps of strings: serializing it cannot fail.
    to_wire_json(&create_thread_request(message)).expect("a request always serializes")
}

/// The `threads.add_user_message` request that adds `message` to the thread `thread_id`.
pub fn add_user_message_request(thread_id: &ThreadId, message: &str) -> Request {
    Request::new(RequestOp::ThreadsAddUserMessage(
        ThreadsAddUserMessageParams {
            input: text_input(message),
            thread_id: thread_id.clone(),
        },
    ))
}

/// [`add_user_message_request`] as the JSON body a client sends.
pub fn add_user_message_body(thread_id: &ThreadId, message: &str) -> String {
    // As in `create_thread_body`: a request of strings cannot fail to serialize.
    to_wire_json(&add_user_message_request(thread_id, message))
        .expect("a request always serializes")
}

/// Serves `app` on a free loopback port, sends `message` as a new thread to
/// [`DEFAULT_PATH`], writes the stream to `to` as it arrives, and stops the server.
///
/// # Errors
///
/// See [`AskError`]. An `error` event inside the stream is printed, not returned.
pub async fn ask(
    app: Router,
    caller: &Caller,
    message: &str,
    output: Output,
    mut to: impl Write,
) -> Result<(), AskError> {
    let request = create_thread_request(message);
    serving(app, |url| async move {
        post_and_print(&url, caller, request, output, &mut to).await
    })
    .await
}

/// As [`ask`], but adds `message` to the existing thread `thread_id`: the next turn of a
/// conversation (`--ask … --thread ID`).
///
/// # Errors
///
/// See [`AskError`]; an unknown thread is [`AskError::Refused`] with the server's 404.
pub async fn ask_in_thread(
    app: Router,
    caller: &Caller,
    thread_id: &ThreadId,
    message: &str,
    output: Output,
    mut to: impl Write,
) -> Result<(), AskError> {
    let request = add_user_message_request(thread_id, message);
    serving(app, |url| async move {
        post_and_print(&url, caller, request, output, &mut to).await
    })
    .await
}

// ANCHOR: ask_and_cancel
/// As [`ask`], but drops the connection after `after` events, then waits until the turn
/// behind the stream has ended (its cancellation hook has run, or a turn that cannot be
/// cancelled has finished unseen), so that the store holds all the turn will ever store.
///
/// # Errors
///
/// See [`AskError`]; [`AskError::NoThread`] if no `thread.created` came first.
pub async fn ask_and_cancel(
    app: Router,
    caller: &Caller,
    message: &str,
    output: Output,
    after: u64,
    mut to: impl Write,
) -> Result<Cancelled, AskError> {
    // The turn's handle rides on the response's extensions, which never cross the socket:
    // a layer on our own side of it keeps a copy.
    let turns: Arc<Mutex<Vec<TurnHandle>>> = Arc::default();
    let kept = Arc::clone(&turns);
    let app = app.layer(axum::middleware::map_response(move |response: Response| {
        if let Some(turn) = response.extensions().get::<TurnHandle>() {
            kept.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(turn.clone());
        }
        std::future::ready(response)
    }));
    let cancelled = serving(app, |url| async move {
        post_and_cut(&url, caller, message, output, after, &mut to).await
    })
    .await?;
    let turns = std::mem::take(
        &mut *turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    for turn in turns {
        turn.finished().await;
    }
    Ok(cancelled)
}
// ANCHOR_END: ask_and_cancel

/// Prints the items `store` holds for `thread`, oldest first, hidden ones included: readable
/// with [`Output::Pretty`], one JSON item per line with [`Output::Raw`].
///
/// # Errors
///
/// A store failure, or writing to `to`.
pub async fn print_stored<C: StoreContext>(
    store: &dyn Store<C>,
    thread: &ThreadId,
    ctx: &C,
    output: Output,
    mut to: impl Write,
) -> Result<(), AskError> {
    writeln!(to, "stored for {thread}:")?;
    let mut page = PageRequest::first(100, Order::Asc);
    loop {
        let items = store.load_thread_items(thread, &page, ctx).await?;
        for item in &items.data {
            match output {
                Output::Pretty => view::print_stored(item, &mut to)?,
                Output::Raw => {
                    writeln!(to, "{}", to_wire_json(item).map_err(std::io::Error::other)?)?
                }
            }
        }
        match items.after {
            Some(after) if items.has_more => page = PageRequest::after(after, 100, Order::Asc),
            _ => return Ok(()),
        }
    }
}

/// Serves `app` on a free loopback port while `client` runs against its URL, then stops it.
async fn serving<T, F>(app: Router, client: impl FnOnce(String) -> F) -> Result<T, AskError>
where
    F: Future<Output = Result<T, AskError>>,
{
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}{DEFAULT_PATH}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(super::serve(listener, app, async {
        let _ = stopped.await;
    }));
    let result = client(url).await;
    let _ = stop.send(());
    let _ = server.await;
    result
}

/// Sends the streaming `request` as `caller`: the crate's client, with the caller's header
/// on it, as a page adds its own to the official client's requests.
async fn post(url: &str, caller: &Caller, request: Request) -> Result<EventStream, AskError> {
    let (name, value) = caller.header();
    let client = Client::new(url)?.try_header(name, value)?;
    Ok(client.stream(request.op).await?)
}

/// Prints the first `after` events of the answer to `message`, then drops the connection.
async fn post_and_cut(
    url: &str,
    caller: &Caller,
    message: &str,
    output: Output,
    after: u64,
    to: &mut impl Write,
) -> Result<Cancelled, AskError> {
    let mut view = PrettyView::default();
    // Parsed as events, comments dropped, whatever the output: the cut counts events, not
    // chunks. Raw output writes each event as the server framed it (`data: …` and a blank line).
    let mut events = post(url, caller, create_thread_request(message)).await?;
    let mut thread_id = None;
    let mut seen = 0;
    while seen < after {
        let Some(event) = events.next_event().await else {
            break;
        };
        let event = event?;
        seen += 1;
        if thread_id.is_none()
            && let Ok(ThreadStreamEvent::ThreadCreated { thread }) = &event.event
        {
            thread_id = Some(thread.metadata.id.clone());
        }
        match output {
            Output::Raw => write!(to, "data: {}\n\n", event.data)?,
            Output::Pretty => view.print_event(&event, to)?,
        }
        to.flush()?;
    }
    // Dropping the body mid-stream closes the connection: the server sees the client leave.
    drop(events);
    view.end_line(to)?;
    if seen == after {
        writeln!(
            to,
            "-- connection dropped after {seen} events; waiting for the turn to end --"
        )?;
    } else {
        writeln!(
            to,
            "-- the stream ended after {seen} events, before the cut --"
        )?;
    }
    let thread_id = thread_id.ok_or(AskError::NoThread)?;
    Ok(Cancelled {
        thread_id,
        events: seen,
    })
}

/// Sends `request` and prints its whole stream: the bytes as they came, or the readable view.
async fn post_and_print(
    url: &str,
    caller: &Caller,
    request: Request,
    output: Output,
    to: &mut impl Write,
) -> Result<(), AskError> {
    let mut events = post(url, caller, request).await?;
    match output {
        Output::Raw => {
            // No event has been read yet, so the client still has every byte to give.
            let Some(mut bytes) = events.into_body() else {
                return Err(AskError::Sse(
                    "the stream's bytes were already read".to_owned(),
                ));
            };
            while let Some(chunk) = bytes.next_chunk().await {
                to.write_all(&chunk?)?;
                to.flush()?;
            }
        }
        Output::Pretty => {
            let mut view = PrettyView::default();
            while let Some(event) = events.next_event().await {
                let event = event?;
                view.print_event(&event, to)?;
                to.flush()?;
            }
            view.end_line(to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use async_stream::try_stream;

    use super::*;
    use crate::id_gen::{IdKind, SequentialIds};
    use crate::protocol::{
        AssistantMessage, AssistantMessageContent, ItemKind, StreamOptions, ThreadItem,
        ThreadItemUpdate, ThreadMetadata, UserMessageItem,
    };
    use crate::server::{ChatKitServer, EventStream, Processor, Responder};
    use crate::store::{MemoryStore, UserContext};

    /// Streams `Hel`, then, after a long pause, `lo` and the done message. A message starting
    /// with `keep` cannot be cancelled.
    struct Slow;

    impl ChatKitServer<UserContext> for Slow {
        fn respond(
            self: Arc<Self>,
            _thread: ThreadMetadata,
            _input: Option<UserMessageItem>,
            _ctx: UserContext,
            out: Responder<UserContext>,
        ) -> EventStream {
            Box::pin(try_stream! {
                let empty = ItemKind::AssistantMessage(AssistantMessage { content: Vec::new() });
                let item = out.item(IdKind::Message, empty);
                yield ThreadStreamEvent::ThreadItemAdded { item: item.clone() };
                for delta in ["Hel", "lo"] {
                    let update = ThreadItemUpdate::ContentPartTextDelta {
                        content_index: 0,
                        delta: delta.to_owned(),
                    };
                    yield ThreadStreamEvent::ThreadItemUpdated { item_id: item.id.clone(), update };
                    // Long enough for the cut to land here, after the first delta.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                let content = vec![AssistantMessageContent::text("Hello")];
                let kind = ItemKind::AssistantMessage(AssistantMessage { content });
                yield ThreadStreamEvent::ThreadItemDone { item: ThreadItem { kind, ..item } };
            })
        }

        fn get_stream_options(
            &self,
            _thread: &ThreadMetadata,
            input: Option<&UserMessageItem>,
            _ctx: &UserContext,
        ) -> StreamOptions {
            let keep = input.is_some_and(|message| message.text().starts_with("keep"));
            StreamOptions {
                allow_cancel: !keep,
            }
        }
    }

    /// Asks `message`, cut after `after` events: what was printed, and the store's listing.
    async fn cut(message: &str, after: u64) -> (String, String) {
        let store = Arc::new(MemoryStore::new());
        let processor = Processor::builder(Slow, Arc::clone(&store))
            .ids(SequentialIds::new())
            .build();
        let app = super::super::router(processor, super::super::user_from_header);
        let mut seen = Vec::new();
        let cancelled = ask_and_cancel(
            app,
            &Caller::student(),
            message,
            Output::Pretty,
            after,
            &mut seen,
        )
        .await
        .expect("the ask runs");
        assert_eq!(cancelled.thread_id, ThreadId::new("thr_0001"));
        let mut stored = Vec::new();
        let ctx = UserContext::new(ASK_USER);
        print_stored(
            &*store,
            &cancelled.thread_id,
            &ctx,
            Output::Pretty,
            &mut stored,
        )
        .await
        .expect("the store answers");
        let text = |bytes| String::from_utf8(bytes).expect("UTF-8");
        (text(seen), text(stored))
    }

    #[tokio::test]
    async fn a_cut_turn_is_over_when_ask_and_cancel_returns_and_its_store_shows_what_survived() {
        // thread.created, the user's message, stream_options, added, the first delta.
        let (seen, stored) = cut("hi", 5).await;
        assert_eq!(
            seen,
            "thread thr_0001 created\nyou: hi\nassistant: Hel\n\
             -- connection dropped after 5 events; waiting for the turn to end --\n"
        );
        // The cancellation hook ran before `ask_and_cancel` returned: the partial message and
        // the hidden note are there.
        assert_eq!(
            stored,
            format!(
                "stored for thr_0001:\n  you: hi\n  assistant: Hel\n  (hidden) {}\n",
                crate::server::CANCELLED_NOTE
            )
        );
    }

    #[tokio::test]
    async fn a_turn_that_cannot_be_cancelled_is_waited_for_to_its_end() {
        let (seen, stored) = cut("keep going", 5).await;
        assert!(seen.ends_with("assistant: Hel\n-- connection dropped after 5 events; waiting for the turn to end --\n"), "{seen}");
        // The rest of the answer came 600 ms after the cut, unseen, and is stored whole.
        assert_eq!(
            stored,
            "stored for thr_0001:\n  you: keep going\n  assistant: Hello\n"
        );
    }

    #[tokio::test]
    async fn a_stream_shorter_than_the_cut_is_read_to_its_end() {
        let (seen, _) = cut("keep going", 100).await;
        assert!(
            seen.ends_with(
                "assistant: Hello\n-- the stream ended after 7 events, before the cut --\n"
            ),
            "{seen}"
        );
    }

    #[tokio::test]
    async fn ask_in_thread_adds_the_next_turn_to_the_thread_and_refuses_an_unknown_one() {
        let store = Arc::new(MemoryStore::new());
        let processor = Processor::builder(Slow, Arc::clone(&store))
            .ids(SequentialIds::new())
            .build();
        let app = super::super::router(processor, super::super::user_from_header);
        let mut seen = Vec::new();
        ask(
            app.clone(),
            &Caller::student(),
            "keep one",
            Output::Pretty,
            &mut seen,
        )
        .await
        .expect("the first turn");
        let thread = ThreadId::new("thr_0001");
        ask_in_thread(
            app.clone(),
            &Caller::student(),
            &thread,
            "keep two",
            Output::Pretty,
            &mut seen,
        )
        .await
        .expect("the second turn");
        let mut stored = Vec::new();
        let ctx = UserContext::new(ASK_USER);
        print_stored(&*store, &thread, &ctx, Output::Pretty, &mut stored)
            .await
            .expect("the store answers");
        assert_eq!(
            String::from_utf8(stored).expect("UTF-8"),
            "stored for thr_0001:\n  you: keep one\n  assistant: Hello\n  \
             you: keep two\n  assistant: Hello\n"
        );
        let unknown = ThreadId::new("thr_nope");
        let refused = ask_in_thread(
            app,
            &Caller::student(),
            &unknown,
            "hi",
            Output::Pretty,
            &mut seen,
        )
        .await;
        assert!(
            matches!(refused, Err(AskError::Refused { status: 404, .. })),
            "{refused:?}"
        );
    }
}
