//! Exercise 1: the language the user prefers most.
//!
//! `Accept-Language` is a list of language tags, each with an optional weight `q` from 0 to 1
//! (1 when absent): `fr;q=0.3, de-AT;q=0.8, ja` means Japanese first, then Austrian German,
//! then French. The lesson's context takes the first tag it can speak and ignores the
//! weights. Write `preferred_language` properly: of the languages in `GREETINGS`, the one with
//! the highest weight; on equal weights, the one listed first; `q=0` means "not this one";
//! `*` and unknown languages count for nothing; with no match, `en`. Tags compare by their
//! primary part, in any case (`DE-at` is `de`).
//!
//! Hint: `split(',')` gives the entries, `split(';')` an entry's tag and parameters; a
//! parameter `q=0.8` is `strip_prefix("q=")` then `parse::<f32>()` (an unreadable weight
//! counts as 1). Keep the best `(weight, language)` seen so far and replace it only when a
//! later one is strictly heavier.
//!
//! Check it with `cargo test --test grade lesson05`; serve it with
//! `cargo run --bin lesson05 -- --exercise 1` and
//! `curl … -H 'x-user-id: ana' -H 'accept-language: fr;q=0.3, es;q=0.9'`.

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use chatkit::http::HttpError;
use chatkit::prelude::*;

/// The greeting in each language the server speaks; the first is the fallback.
pub const GREETINGS: [(&str, &str); 4] = [
    ("en", "Hello"),
    ("fr", "Bonjour"),
    ("de", "Hallo"),
    ("es", "Hola"),
];

/// A visitor: who they are, and which language to answer in.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// From `x-user-id`.
    pub user_id: String,
    /// One of the languages of [`GREETINGS`].
    pub language: &'static str,
}

impl StoreContext for Visitor {
    fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// The context of one request: `x-user-id` (or `student`) and the preferred language.
pub fn visitor_from_headers(parts: &Parts) -> Result<Visitor, HttpError> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    Ok(Visitor {
        user_id: header("x-user-id").unwrap_or("student").to_owned(),
        language: preferred_language(header(ACCEPT_LANGUAGE.as_str()).unwrap_or("")),
    })
}

/// The spoken language with the highest weight in `accept_language`, or `en`.
pub fn preferred_language(accept_language: &str) -> &'static str {
    let mut best: Option<(f32, &'static str)> = None;
    for entry in accept_language.split(',') {
        let mut parts = entry.split(';');
        let primary = parts
            .next()
            .unwrap_or("")
            .trim()
            .split('-')
            .next()
            .unwrap_or("");
        let weight = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .map(|q| q.parse::<f32>().unwrap_or(1.0))
            .next()
            .unwrap_or(1.0);
        let spoken = GREETINGS
            .iter()
            .map(|(language, _)| *language)
            .find(|language| language.eq_ignore_ascii_case(primary));
        if let Some(language) = spoken
            && weight > 0.0
            && best.is_none_or(|(heaviest, _)| weight > heaviest)
        {
            best = Some((weight, language));
        }
    }
    best.map_or(GREETINGS[0].0, |(_, language)| language)
}

/// Greets the visitor in their language.
pub struct Greeter;

impl ChatKitServer<Visitor> for Greeter {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        ctx: Visitor,
        out: Responder<Visitor>,
    ) -> EventStream {
        let hello = GREETINGS
            .iter()
            .find(|(language, _)| *language == ctx.language)
            .map_or(GREETINGS[0].1, |(_, hello)| hello);
        try_stream! {
            yield out.assistant_message(format!("{hello}, {}.", ctx.user_id));
        }
        .boxed()
    }
}
