//! Exercise 2, reference solution: give a new thread a title.

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
    if thread.title.is_some() {
        return None;
    }
    let retitled = ThreadMetadata {
        title: Some(title_from(text)),
        ..thread.clone()
    };
    Some(out.thread_updated(&retitled))
}

fn title_from(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return "New chat".to_owned();
    }
    if trimmed.chars().count() <= MAX_TITLE_CHARS {
        return trimmed.to_owned();
    }
    let cut: String = trimmed.chars().take(MAX_TITLE_CHARS).collect();
    format!("{cut}…")
}
