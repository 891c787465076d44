//! Exercise 3, reference solution: a failing step the user can retry.

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
            let forecast = fetch_forecast(&city).await.map_err(|error| {
                let message =
                    format!("The weather service is down ({error}). Try again in a moment.");
                StreamError::custom(message, true)
            })?;
            yield out.assistant_message(forecast);
        }
        .boxed()
    }
}
