//! The lesson's own request context, built from the request's headers, and the assistant
//! that answers with it.
//!
//! ChatKit has no session object. What a server knows about "who is asking, and how" is the
//! context it builds for each request; the Python SDK calls it `context`, we call it `C`.
//! Here it is an `AppContext`: the user (still from `x-user-id` until lesson 06 verifies a
//! token) and their language (from `Accept-Language`). The processor hands it to every
//! store call, to `respond()`, to the hooks and to tools, so nothing below the HTTP layer
//! reads a header again.
//!
//! This file is shared: `main.rs` serves it, and `tests/lessons.rs` runs it in-process against
//! transcripts recorded from a Python twin that uses its own context class the same way.

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use chatkit::http::HttpError;
use chatkit::prelude::*;
use chatkit::protocol::ThreadStatus;

// ANCHOR: context
/// Who is asking, and in which language: built once per request by the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppContext {
    /// The user; stores scope every read and write to it.
    pub(crate) user_id: String,
    /// The reply language: one of [`LANGUAGES`].
    pub(crate) language: &'static str,
}

/// The stores ask a context one thing: whose data is this?
impl StoreContext for AppContext {
    fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// The context of one request: the `x-user-id` header (or `student`), and the first language
/// of `Accept-Language` that the assistant speaks (or English).
///
/// A `ContextBuilder` for `chatkit::http::router`: it sees the request's head, never its body.
pub(crate) fn context_from_headers(parts: &Parts) -> Result<AppContext, HttpError> {
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    Ok(AppContext {
        user_id: header("x-user-id").unwrap_or("student").to_owned(),
        language: first_spoken_language(header(ACCEPT_LANGUAGE.as_str()).unwrap_or("")),
    })
}
// ANCHOR_END: context

/// The languages the assistant speaks; the first is the fallback.
pub(crate) const LANGUAGES: [&str; 4] = ["en", "fr", "de", "es"];

/// The first tag of an `Accept-Language` list whose primary language the assistant speaks:
/// `fr-CH, fr;q=0.9, en;q=0.8` gives `fr`. Weights are ignored (exercise 1 honours them).
fn first_spoken_language(accept_language: &str) -> &'static str {
    accept_language
        .split(',')
        .filter_map(|entry| entry.split(';').next())
        .filter_map(|tag| tag.trim().split('-').next())
        .find_map(|primary| {
            LANGUAGES
                .iter()
                .find(|spoken| spoken.eq_ignore_ascii_case(primary))
        })
        .copied()
        .unwrap_or(LANGUAGES[0])
}

// ANCHOR: respond
/// The word that closes a thread.
pub(crate) const CLOSE_COMMAND: &str = "/close";

/// Greets the user by name in their language; `/close` closes the thread instead.
pub(crate) struct Assistant;

impl ChatKitServer<AppContext> for Assistant {
    fn respond(
        self: Arc<Self>,
        thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        ctx: AppContext,
        out: Responder<AppContext>,
    ) -> EventStream {
        let words = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            if words.trim() == CLOSE_COMMAND {
                yield out.assistant_message(farewell(ctx.language));
                // Closing is a status change, sent like a rename: the pipeline saves the
                // thread and the client swaps its composer for the reason. From now on the
                // processor refuses new work on this thread with a 409.
                let reason = format!("Closed by {} with {CLOSE_COMMAND}", ctx.user_id);
                let status = ThreadStatus::Closed { reason: Some(reason) };
                yield out.thread_updated(&ThreadMetadata { status, ..thread });
            } else {
                yield out.assistant_message(greeting(&ctx, &words));
            }
        }
        .boxed()
    }
}
// ANCHOR_END: respond

/// `Hello alice! You said: …`, in the context's language.
pub(crate) fn greeting(ctx: &AppContext, words: &str) -> String {
    let user = &ctx.user_id;
    match ctx.language {
        "fr" => format!("Bonjour {user} ! Vous avez dit : {words}"),
        "de" => format!("Hallo {user}! Du hast gesagt: {words}"),
        "es" => format!("¡Hola {user}! Dijiste: {words}"),
        _ => format!("Hello {user}! You said: {words}"),
    }
}

/// The last answer of a closed thread, in `language`.
fn farewell(language: &str) -> &'static str {
    match language {
        "fr" => "Cette conversation est close. Commencez-en une nouvelle quand vous voulez.",
        "de" => "Dieses Gespräch ist beendet. Beginne jederzeit ein neues.",
        "es" => "Esta conversación está cerrada. Empieza otra cuando quieras.",
        _ => "This conversation is closed. Start a new one any time.",
    }
}

#[cfg(test)]
mod tests {
    use super::first_spoken_language;

    #[test]
    fn the_first_spoken_language_of_the_list_wins_and_english_is_the_fallback() {
        assert_eq!(first_spoken_language("fr-CH, fr;q=0.9, en;q=0.8"), "fr");
        assert_eq!(first_spoken_language("ja, DE-at;q=0.5"), "de");
        assert_eq!(first_spoken_language("ja"), "en");
        assert_eq!(first_spoken_language(""), "en");
        assert_eq!(first_spoken_language("*"), "en");
    }
}
