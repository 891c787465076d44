//! Exercise 3: a failing step the user can retry.
//!
//! `Forecast` first answers with what it already knows (`Checking the sky over {city}.`), then
//! asks a weather service, `fetch_forecast`, which fails for some cities. Make a failure end
//! the turn with a custom error, one the client shows as it is and offers to retry:
//! `The weather service is down ({error}). Try again in a moment.`, where `{error}` is the
//! `ServiceDown`'s own text. For `Atlantis`: `The weather service is down (no
//! station in Atlantis). Try again in a moment.` The first message, already done, must stay in
//! the store, and nothing may follow the error.
//!
//! Hint: `fetch_forecast(&city).await` is a `Result<String, ServiceDown>`; turn its error into
//! `StreamError::custom(message, true)` with `.map_err(|error| …)`, and `?` ends the stream
//! with one `error` event (`allow_retry: true`). Not `StreamError::failed`: its message is for
//! the logs, and the client would only see `stream.error`.
//!
//! Check it with `cargo test --test grade lesson03`; watch it with
//! `cargo run --bin lesson03 -- --exercise 3 --ask "Atlantis"`.

use chatkit::prelude::*;

/// The weather service had no answer.
#[derive(Debug, thiserror::Error)]
#[error("no station in {0}")]
pub struct ServiceDown(pub String);

/// A weather service that knows every city but Atlantis.
pub async fn fetch_forecast(city: &str) -> Result<String, ServiceDown> {
    match city {
        "Atlantis" => Err(ServiceDown(city.to_owned())),
        _ => Ok(format!("Sunny over {city}.")),
    }
}

/// Answers with the forecast for the city the user names.
pub struct Forecast;

impl ChatKitServer<UserContext> for Forecast {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        let city = input.map(|message| message.text()).unwrap_or_default();
        try_stream! {
            yield out.assistant_message(format!("Checking the sky over {city}."));
            // TODO: a custom, retryable error when the service is down.
            let forecast: String = todo!("fetch_forecast(&city).await, its error made custom");
            yield out.assistant_message(forecast);
        }
        .boxed()
    }
}
