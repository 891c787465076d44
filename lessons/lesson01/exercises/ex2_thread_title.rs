//! Exercise 2: give a new thread a title.
//!
//! A new thread has no title, so the client's history list shows "New chat" for every one of
//! them. Write `title_event`: when `thread` has no title yet, return the `thread.updated` event
//! that sets its title from the user's message; when it already has one, return `None` (a
//! title the user chose must not be overwritten).
//!
//! The title is the message's text with surrounding whitespace trimmed, cut to at most 40
//! characters (characters, not bytes: "Héllo" is 5), with `…` appended when it was cut. An
//! empty message gives the title `New chat`.
//!
//! Hint: `out.thread_updated(&new_metadata)` builds the event; the pipeline saves it. Build the
//! new metadata with `ThreadMetadata { title: Some(…), ..thread.clone() }`. The caller has
//! already pulled the message's text out for you: it is `text`.

use chatkit::protocol::{ThreadMetadata, ThreadStreamEvent};
use chatkit::store::UserContext;
use chatkit::server::Responder;

/// The longest title, in characters, before it is cut.
pub const MAX_TITLE_CHARS: usize = 40;

/// `thread.updated` with a title made from `text`, if the thread has no title yet.
pub fn title_event(
    out: &Responder<UserContext>,
    thread: &ThreadMetadata,
    text: &str,
) -> Option<ThreadStreamEvent> {
    // TODO: decide whether to retitle, make the title, and build the event.
    todo!("return the thread.updated event, or None")
}
