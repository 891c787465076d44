//! `--show-input`: the model requests of a turn, exactly as the model provider received them.
//!
//! The offline mock records every request ([`MockProvider::requests`]), so the student sees
//! what `respond()` really sent: the window of the thread, its size against the budget, and,
//! when the request continues a stored response, how much more the model saw than was sent.
//!
//! [`MockProvider::requests`]: chatkit::provider::MockProvider::requests

use chatkit::agent::history::input_tokens;
use chatkit::provider::{InputItem, ModelFromEnv};

// ANCHOR: show_input
/// Prints each model request of the turn: its `input` as sent, what it costs, and how many
/// items the model saw (more than were sent when the request continues a stored response).
pub(crate) fn show_input(model: &ModelFromEnv, max_tokens: usize) {
    let Some(mock) = model.mock() else {
        eprintln!(
            "--show-input reads the requests the offline mock received: unset OPENAI_API_KEY"
        );
        return;
    };
    for (n, request) in mock.requests().iter().enumerate() {
        let sent = &request.body["input"];
        let items: Vec<InputItem> = serde_json::from_value(sent.clone()).unwrap_or_default();
        let previous = request.body["previous_response_id"]
            .as_str()
            .unwrap_or("none");
        // What the model read: the stored conversation first when the request continues one;
        // nothing when the provider refused the request (an unknown previous response).
        let seen = match &request.model_input {
            Some(input) => format!("the model saw {} items", input.len()),
            None => "the provider refused it".to_owned(),
        };
        println!(
            "\n── model request {}: previous_response_id {previous}\n   sent {} items, {} tokens \
             (history budget {max_tokens}); {seen}",
            n + 1,
            items.len(),
            input_tokens(&items),
        );
        let pretty = serde_json::to_string_pretty(sent).unwrap_or_default();
        println!("{pretty}");
    }
}
// ANCHOR_END: show_input
