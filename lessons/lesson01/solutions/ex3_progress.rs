//! Exercise 3, reference solution: tell the user you are working on it.

use chatkit::protocol::{IconName, ThreadStreamEvent};
use chatkit::store::UserContext;
use chatkit::server::{EventStream, Responder, StreamError};
use futures::StreamExt;

/// A progress line, then the answer.
pub fn answer_with_progress(out: Responder<UserContext>, text: String) -> EventStream {
    async_stream::try_stream! {
        let icon = "sparkle"
            .parse::<IconName>()
            .map_err(|error| StreamError::failed(error.to_string()))?;
        yield ThreadStreamEvent::ProgressUpdate {
            icon: Some(icon),
            text: "Thinking…".to_owned(),
        };
        yield out.assistant_message(text);
    }
    .boxed()
}
