//! Counting model input in tokens, with the tokenizer of current OpenAI models.
//!
//! A token budget only means something if it is counted the way the model counts. This module
//! counts with the **o200k** encoding (`o200k_base`: GPT-4o, GPT-4.1, the o-series, GPT-5), from
//! the `tiktoken-rs` crate, which ships the encoding's ranks inside the crate: counting works
//! offline and never downloads anything.
//!
//! Where it sits: [`super::load_history_window`] calls [`input_item_tokens`] for every item it
//! considers, to keep the history within a [`super::HistoryBudget`]; a responder can call
//! [`input_tokens`] to print what a request weighs.
//!
//! # What is counted
//!
//! An input item costs [`TOKENS_PER_ITEM`] for its framing, plus the tokens of what the model
//! reads in it:
//!
//! | item | counted text |
//! |---|---|
//! | message | each part's `text` (or `refusal`); any other part (an image, a file) as its JSON |
//! | `function_call` | the tool's name and the arguments |
//! | `function_call_output` | the output |
//! | `reasoning` | the summary texts |
//!
//! The count is close to what the API bills, not equal to it: the API's exact framing of
//! Responses input is not published, and an image costs what its size says, not its URL. An
//! image or a file counted as its JSON is never free, and a `data:` URL makes it expensive,
//! so a budget errs on the side of sending less.
//!
//! # What counting costs
//!
//! The encoder is built once per process, the first time anything is counted: 0.15–0.25 s,
//! in a debug build as in a release one (the crate, its regex engine and its base64 decoder
//! are compiled with `opt-level = 2` even in dev builds, see `Cargo.toml`; about 0.8 s
//! without). After that, counting is a regex split and a byte-pair merge per piece, about
//! 0.1 µs per token in a release build: a 500-message thread (15,750 tokens) costs 1.5 ms to
//! count (`benches/history.rs`; `BENCHMARKS.md` has the figures).

use serde_json::Value;
use tiktoken_rs::CoreBPE;

use crate::provider::events::{InputItem, MessageContent, TypedInputItem};

/// The framing of one input item (its role and separators), as OpenAI's token-counting recipe
/// counts a chat message: 3 tokens.
pub const TOKENS_PER_ITEM: usize = 3;

/// The o200k encoder, built on first use and shared by every caller for the life of the
/// process.
///
/// `o200k_base_singleton` builds it inside a `LazyLock` and panics if the ranks do not parse;
/// they are compiled into `tiktoken-rs`, so that would be a broken build of the crate, not
/// something a running server can meet.
fn encoder() -> &'static CoreBPE {
    tiktoken_rs::o200k_base_singleton()
}

/// The number of o200k tokens in `text`.
///
/// Special tokens such as `<|endoftext|>` are counted as the plain text they are when a user
/// types them, as the API treats user input.
pub fn text_tokens(text: &str) -> usize {
    encoder().encode_ordinary(text).len()
}

/// What one input item costs: [`TOKENS_PER_ITEM`] plus the tokens of its texts (module docs).
pub fn input_item_tokens(item: &InputItem) -> usize {
    let content = match item {
        InputItem::Easy(message) => content_tokens(&message.content),
        InputItem::Typed(TypedInputItem::Message(message)) => content_tokens(&message.content),
        InputItem::Typed(TypedInputItem::FunctionCall(call)) => {
            text_tokens(&call.name) + text_tokens(&call.arguments)
        }
        InputItem::Typed(TypedInputItem::FunctionCallOutput(output)) => text_tokens(&output.output),
        InputItem::Typed(TypedInputItem::Reasoning(reasoning)) => reasoning
            .summary
            .iter()
            .map(|part| text_tokens(&part.text))
            .sum(),
    };
    TOKENS_PER_ITEM + content
}

/// What a list of input items costs: the sum of [`input_item_tokens`].
pub fn input_tokens(items: &[InputItem]) -> usize {
    items.iter().map(input_item_tokens).sum()
}

fn content_tokens(content: &MessageContent) -> usize {
    match content {
        MessageContent::Text(text) => text_tokens(text),
        MessageContent::Parts(parts) => parts.iter().map(part_tokens).sum(),
    }
}

/// A text or refusal part costs its text; any other part its JSON, a stand-in that is never
/// zero (module docs).
fn part_tokens(part: &Value) -> usize {
    let text = part.get("text").or_else(|| part.get("refusal"));
    match text.and_then(Value::as_str) {
        Some(text) => text_tokens(text),
        None => text_tokens(&part.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::agent::history::{input_text, user_message, user_text_message};

    #[test]
    fn text_is_counted_with_the_o200k_encoding() {
        // Token ids 24912 ("hello") and 2375 (" world") in o200k_base.
        assert_eq!(
            encoder().encode_ordinary("hello world"),
            [24912, 2375],
            "not the o200k encoding"
        );
        assert_eq!(text_tokens("hello world"), 2);
        assert_eq!(text_tokens(""), 0);
    }

    #[test]
    fn an_item_costs_its_framing_plus_its_texts() {
        let one = user_text_message("hello world");
        assert_eq!(input_item_tokens(&one), TOKENS_PER_ITEM + 2);
        let two_parts = user_message(vec![input_text("hello"), input_text(" world")]);
        assert_eq!(input_item_tokens(&two_parts), TOKENS_PER_ITEM + 2);
        assert_eq!(input_tokens(&[one, two_parts]), 2 * (TOKENS_PER_ITEM + 2));
    }

    #[test]
    fn an_image_part_costs_its_json_never_nothing() {
        let image =
            json!({"type": "input_image", "detail": "auto", "image_url": "https://x.test/a.png"});
        let with_image = user_message(vec![image.clone()]);
        assert_eq!(
            input_item_tokens(&with_image),
            TOKENS_PER_ITEM + text_tokens(&image.to_string())
        );
        assert!(input_item_tokens(&with_image) > TOKENS_PER_ITEM + 5);
    }
}
