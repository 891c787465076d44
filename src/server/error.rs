//! The server's two error types, one per channel.
//!
//! * [`ProcessError`] happens **before the first SSE byte**: a bad body, an unknown thread, a
//!   streaming request whose prelude fails, a hook the integration did not implement. The HTTP
//!   layer turns it into a status and a JSON body (`http/error.rs`), so nothing half-done is
//!   streamed. The Python SDK answers all of these with a bare 500, or with a 200 stream that
//!   then aborts.
//! * [`StreamError`] happens **inside a stream**, once the response has started. The pipeline
//!   turns it into an in-band `error` event (`{"type":"error","code":…,"allow_retry":…}`) and
//!   ends the stream cleanly, exactly as the reference's `_process_events` does.
//!
//! Where it sits: returned by `Processor::process` and by the hooks of `ChatKitServer`.

use crate::protocol::{ErrorCode, ErrorEvent, ProtocolError, ThreadId, ThreadStatus};
use crate::store::StoreError;

/// Why a request was refused before any response was sent.
///
/// One variant per kind of refusal, each with its own stable `code` at the edge
/// (`http/error.rs` maps every variant, with no catch-all arm, so a new one must pick its
/// status and code there). The `message` of the variants meant for the client is built from
/// the request's own ids, never from an internal error.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The body is not a valid request.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The store refused or failed (not found, unknown cursor, backend failure).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request names an item of the wrong kind (a retry target that is not a user message,
    /// an action sender that is not a widget, …).
    #[error("{message}")]
    WrongItemKind {
        /// What was wrong, for the client.
        message: String,
    },
    /// The caller may not make this request at all (a read-only role sending a message): the
    /// context's [`StoreContext::authorize`](crate::store::StoreContext::authorize) said no,
    /// before anything was loaded.
    #[error(transparent)]
    Forbidden(#[from] crate::store::AccessDenied),
    /// The thread is not in the state the request needs (no pending client tool call, a
    /// structured input that was already answered, …).
    #[error("{message}")]
    Conflict {
        /// What was wrong, for the client.
        message: String,
    },
    /// The thread is locked or closed, and the request would add to it (a message, a retry, a
    /// tool output, structured input or an action).
    ///
    /// A variant of its own, not a `Conflict`, so that the client gets a code naming the
    /// status (`thread_locked`, `thread_closed`) and the reason the responder gave. The
    /// reference only greys out the client's composer and goes on accepting the work.
    #[error(
        "Thread {thread_id} is {}{}",
        status_word(status),
        reason_suffix(status)
    )]
    ThreadNotOpen {
        /// The thread.
        thread_id: ThreadId,
        /// Its status: `Locked` or `Closed`, never `Active`.
        status: ThreadStatus,
    },
    /// A turn on the thread is still running (another tab, a double click, another
    /// instance), and this request would start a second one.
    ///
    /// Refused rather than queued: the client shows the error and the user retries when the
    /// first answer has ended, instead of a request that hangs with no sign of why.
    #[error("Thread {thread_id} has a turn in progress; send again when it has ended")]
    ThreadBusy {
        /// The thread.
        thread_id: ThreadId,
    },
    /// The integration did not implement the hook this request needs.
    ///
    /// A variant of its own, not a `Failed`, because it is not a failure of the server but a
    /// missing feature: the client gets a 501 it can tell apart from a crash.
    #[error("this server does not implement `{hook}`")]
    Unsupported {
        /// The hook's name.
        hook: &'static str,
    },
    /// The request is well-formed but its content is not acceptable (undecodable audio, …).
    #[error("{message}")]
    BadInput {
        /// What was wrong, for the client.
        message: String,
    },
    /// A hook failed for a reason of its own; the message is logged, never sent.
    #[error("the server failed: {message}")]
    Failed {
        /// What failed, for the logs.
        message: String,
    },
}

/// `locked` or `closed`, as the status is written on the wire.
fn status_word(status: &ThreadStatus) -> &'static str {
    match status {
        ThreadStatus::Active => "active",
        ThreadStatus::Locked { .. } => "locked",
        ThreadStatus::Closed { .. } => "closed",
    }
}

/// `: <reason>` when the status has one, so the message says why in the responder's words.
fn reason_suffix(status: &ThreadStatus) -> String {
    match status {
        ThreadStatus::Locked {
            reason: Some(reason),
        }
        | ThreadStatus::Closed {
            reason: Some(reason),
        } => format!(": {reason}"),
        _ => String::new(),
    }
}

impl ProcessError {
    /// `Ok` if `thread` accepts new work, else [`ProcessError::ThreadNotOpen`].
    ///
    /// The processor calls it, right after loading the thread, on every request that would
    /// add to it; a server that accepts work on a locked thread anyway does not exist here.
    pub(crate) fn ensure_open(
        thread: &crate::protocol::ThreadMetadata,
    ) -> Result<(), ProcessError> {
        match thread.status {
            ThreadStatus::Active => Ok(()),
            ThreadStatus::Locked { .. } | ThreadStatus::Closed { .. } => {
                Err(ProcessError::ThreadNotOpen {
                    thread_id: thread.id.clone(),
                    status: thread.status.clone(),
                })
            }
        }
    }
}

/// Why a responder's stream stopped early. Each becomes one `error` event.
///
/// The first two variants are the reference's two exception classes a responder raises on
/// purpose; the others are what goes wrong by accident, which the reference's generic
/// `except Exception` branch catches.
///
/// Every error type of this library converts into it, so `?` works inside a responder's
/// `try_stream!`: a store, history, model or agent-run failure becomes a retryable
/// `stream.error` whose detail stays in the logs, and a tripped guardrail becomes its
/// message, not retryable. The conversions of the agent layer's errors live beside those
/// errors (`agent/`), so that the server does not depend on the agent.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A user-facing message (the reference's `CustomStreamError`).
    #[error("{message}")]
    Custom {
        /// Shown to the user as is.
        message: String,
        /// Whether the client offers a retry.
        allow_retry: bool,
    },
    /// A code the client translates itself (the reference's `StreamError`).
    #[error("stream failed with code {code:?}")]
    Coded {
        /// The code.
        code: ErrorCode,
        /// Whether the client offers a retry; `None` uses the code's default.
        allow_retry: Option<bool>,
    },
    /// The store failed mid-stream.
    ///
    /// `#[from]`, so `?` on a store call works inside a responder's `try_stream!`.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else; the message is logged, never sent.
    #[error("{message}")]
    Failed {
        /// What failed, for the logs.
        message: String,
    },
}

impl From<ProtocolError> for StreamError {
    /// A payload that does not read or write (a stored item from a newer version, say).
    fn from(error: ProtocolError) -> Self {
        StreamError::failed(error.to_string())
    }
}

impl StreamError {
    /// A user-facing error: the message is shown as is.
    pub fn custom(message: impl Into<String>, allow_retry: bool) -> Self {
        StreamError::Custom {
            message: message.into(),
            allow_retry,
        }
    }

    /// A failure whose detail is for the logs only; the client sees a retryable `stream.error`.
    pub fn failed(message: impl Into<String>) -> Self {
        StreamError::Failed {
            message: message.into(),
        }
    }

    /// The `error` event the client receives, as the reference builds it.
    pub fn to_event(&self) -> ErrorEvent {
        match self {
            StreamError::Custom {
                message,
                allow_retry,
            } => ErrorEvent::custom(message.clone(), *allow_retry),
            // No message, as the reference's `ErrorEvent(code=e.code, allow_retry=…)`: the
            // client words a known code itself.
            StreamError::Coded { code, allow_retry } => ErrorEvent {
                code: code.clone(),
                message: None,
                allow_retry: allow_retry.unwrap_or_else(|| code.default_allow_retry()),
            },
            // Anything unexpected is a retryable stream.error, and its detail stays in the logs.
            StreamError::Store(_) | StreamError::Failed { .. } => ErrorEvent {
                code: ErrorCode::StreamError,
                message: None,
                allow_retry: true,
            },
        }
    }
}
