//! Exercise 3: tell the user you are working on it.
//!
//! Before a slow answer, a server can send a `progress_update` event: a transient status line
//! ("Looking that up…") that the client shows until the next item arrives. It is not stored.
//! Write `answer_with_progress` so that it yields a `progress_update` with the text `Thinking…`
//! and the icon `sparkle`, then the finished assistant message with `text`.
//!
//! Hint: `ThreadStreamEvent::ProgressUpdate { icon, text }`; an icon is built with
//! `"sparkle".parse::<IconName>()`, which can fail: inside `try_stream!`, `?` needs the error to
//! become a `StreamError` (`.map_err(|e| StreamError::failed(e.to_string()))`).

use chatkit::store::UserContext;
use chatkit::server::{EventStream, Responder};

/// A progress line, then the answer.
pub fn answer_with_progress(out: Responder<UserContext>, text: String) -> EventStream {
    // TODO: build the stream of two events.
    todo!("yield a progress update, then the answer")
}
