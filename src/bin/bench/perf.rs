//! The benchmark contract: what a bench server streams, on both sides.
//!
//! The Rust `bench-server` and the Python `reference/bench_app.py` answer every streaming
//! request with the same events, so a load tool that speaks this contract can drive either:
//!
//! ```text
//! thread.item.added   an empty assistant message
//! thread.item.updated × N   assistant_message.content_part.text_delta, one lorem word + " " each
//! thread.item.done    the same message with the full text
//! ```
//!
//! After the processor's own `thread.created`, user `thread.item.done` and `stream_options`,
//! a `threads.create` stream is N + 5 events: 25 at the default N = 20.
//!
//! N comes from `PERF_DELTAS` (default 20), and the pause between two deltas from
//! `PERF_DELAY_MS` (default 0). A user message whose text starts with `perf` overrides both
//! for that request: `perf deltas=100 delay_ms=50`. A malformed value keeps the default, on
//! both sides, so a typo never turns into an error stream.
//!
//! Where it sits: shared by the bench server (`server.rs`), the harness (which builds its
//! requests here) and the microbenchmark `benches/pipeline.rs`, which runs this responder
//! through the in-process processor.

use std::sync::Arc;
use std::time::Duration;

use chatkit::id_gen::IdKind;
use chatkit::protocol::{
    AssistantMessage, AssistantMessageContent, ItemKind, ThreadItem, ThreadItemUpdate,
    ThreadMetadata, ThreadStreamEvent, UserMessageItem,
};
use chatkit::server::{ChatKitServer, EventStream, Responder};
use chatkit::store::UserContext;
use futures::StreamExt;

/// The words of the deltas, in order; delta `i` is `LOREM[i % 20]` followed by a space.
pub(crate) const LOREM: [&str; 20] = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
    "enim",
];

/// How many events a `threads.create` stream holds besides the deltas: `thread.created`, the
/// user's `thread.item.done`, `stream_options`, the assistant's `added` and `done`.
pub(crate) const CREATE_EVENTS_BESIDES_DELTAS: usize = 5;

/// How one stream is shaped: how many deltas, and the pause between two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PerfSettings {
    /// The number of text deltas.
    pub(crate) deltas: usize,
    /// The pause before every delta but the first.
    pub(crate) delay: Duration,
}

impl Default for PerfSettings {
    /// 20 deltas, no pause: the stream the issue's figures are measured on.
    fn default() -> Self {
        PerfSettings {
            deltas: 20,
            delay: Duration::ZERO,
        }
    }
}

/// An environment variable that is set but is not a number.
#[derive(Debug, thiserror::Error)]
#[error("{name} must be a whole number, not {value:?}")]
pub(crate) struct BadSetting {
    name: &'static str,
    value: String,
}

impl PerfSettings {
    /// The defaults, with `PERF_DELTAS` and `PERF_DELAY_MS` applied when set.
    ///
    /// # Errors
    ///
    /// A variable that is set but not a whole number: a server should refuse to start rather
    /// than benchmark a shape nobody asked for.
    pub(crate) fn from_env() -> Result<Self, BadSetting> {
        let mut settings = PerfSettings::default();
        if let Some(deltas) = env_number("PERF_DELTAS")? {
            settings.deltas = usize::try_from(deltas).unwrap_or(usize::MAX);
        }
        if let Some(delay_ms) = env_number("PERF_DELAY_MS")? {
            settings.delay = Duration::from_millis(delay_ms);
        }
        Ok(settings)
    }

    /// These settings, overridden by a `perf deltas=… delay_ms=…` message; any other text
    /// leaves them as they are.
    pub(crate) fn overridden_by(mut self, text: &str) -> Self {
        let Some(options) = text.strip_prefix("perf") else {
            return self;
        };
        for (key, value) in options.split_whitespace().filter_map(|o| o.split_once('=')) {
            match (key, value.parse::<u64>()) {
                ("deltas", Ok(deltas)) => {
                    self.deltas = usize::try_from(deltas).unwrap_or(usize::MAX);
                }
                ("delay_ms", Ok(delay_ms)) => self.delay = Duration::from_millis(delay_ms),
                _ => {}
            }
        }
        self
    }

    /// How many events a `threads.create` stream of this shape holds.
    pub(crate) fn create_events(&self) -> usize {
        self.deltas + CREATE_EVENTS_BESIDES_DELTAS
    }
}

/// Reads a whole number from the environment; `None` when the variable is not set.
fn env_number(name: &'static str) -> Result<Option<u64>, BadSetting> {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| BadSetting { name, value }),
        Err(_) => Ok(None),
    }
}

/// The body of a `threads.create` request whose message is `text`.
pub(crate) fn create_body(text: &str) -> String {
    serde_json::json!({
        "type": "threads.create",
        "params": {
            "input": {
                "content": [{"type": "input_text", "text": text}],
                "attachments": [],
                "inference_options": {},
            }
        }
    })
    .to_string()
}

/// The responder of both bench servers: the contract of the module doc.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PerfServer {
    /// The shape of a stream unless the message asks for another.
    pub(crate) defaults: PerfSettings,
}

impl ChatKitServer<UserContext> for PerfServer {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        let text = input.map(|message| message.text()).unwrap_or_default();
        let settings = self.defaults.overridden_by(&text);
        lorem_stream(settings, &out)
    }
}

/// One assistant message streamed as `settings.deltas` lorem words.
fn lorem_stream(settings: PerfSettings, out: &Responder<UserContext>) -> EventStream {
    let message = out.item(
        IdKind::Message,
        ItemKind::AssistantMessage(AssistantMessage {
            content: Vec::new(),
        }),
    );
    async_stream::try_stream! {
        yield ThreadStreamEvent::ThreadItemAdded { item: message.clone() };
        let mut text = String::new();
        for (index, word) in LOREM.iter().cycle().take(settings.deltas).enumerate() {
            // The pause sits *between* deltas, so the first one is sent at once: a held
            // stream (`perf deltas=2 delay_ms=…`) shows a delta, then stays idle.
            if index > 0 && !settings.delay.is_zero() {
                tokio::time::sleep(settings.delay).await;
            }
            let delta = format!("{word} ");
            text.push_str(&delta);
            yield ThreadStreamEvent::ThreadItemUpdated {
                item_id: message.id.clone(),
                update: ThreadItemUpdate::ContentPartTextDelta { content_index: 0, delta },
            };
        }
        let done = ThreadItem {
            kind: ItemKind::AssistantMessage(AssistantMessage {
                content: vec![AssistantMessageContent::text(text)],
            }),
            ..message
        };
        yield ThreadStreamEvent::ThreadItemDone { item: done };
    }
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perf_message_overrides_both_settings_and_other_text_does_not() {
        let defaults = PerfSettings::default();
        let custom = defaults.overridden_by("perf deltas=100 delay_ms=50");
        assert_eq!(custom.deltas, 100);
        assert_eq!(custom.delay, Duration::from_millis(50));
        assert_eq!(defaults.overridden_by("hello deltas=3"), defaults);
        assert_eq!(defaults.overridden_by("perf deltas=x"), defaults);
    }
}
