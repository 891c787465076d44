//! # Lesson 04: history
//!
//! What you will learn: the model remembers nothing between turns, so each turn `respond()`
//! loads the thread and sends it; how a long thread is cut to the end that fits a token
//! budget (counted with the o200k tokenizer of current OpenAI models); why the new message is
//! sent once, not twice; and the other way to remember, `previous_response_id`, which chains
//! to the last model response and sends only what is new.
//!
//! Run it (no model, no key; the mock model keeps notes: "remember …", then ask it what you
//! asked it to remember):
//!
//! ```text
//! cargo run --bin lesson04 -- --ask "Remember that my sister's birthday is May 3."
//! cargo run --bin lesson04 -- --thread thr_… --ask "What did I ask you to remember?"
//! cargo run --bin lesson04 -- --thread thr_… --ask "Remember that I take tea." --show-input
//! cargo run --bin lesson04 -- --max-tokens 40 --thread thr_… --ask "What did I ask you to remember?" --show-input
//! cargo run --bin lesson04 -- --previous-response                 # serve, chaining responses
//! ```
//!
//! `--thread` takes the id the first answer printed (`thread thr_… created`); the thread is
//! kept in `lesson04.sqlite`. `--show-input` prints, after the answer, each model request of
//! the turn: what was sent, its size in tokens, and what the model saw. With a tiny
//! `--max-tokens`, the oldest notes fall out of the window and the model forgets them.
//!
//! `--previous-response` keeps the id of the last model response in the thread's metadata
//! and sends only the new message. The mock keeps its responses in memory, so chain while one
//! server runs (serve, then curl): a new `--ask` process starts a mock that has forgotten
//! them, and the request is refused with the API's `previous_response_not_found`, exactly as
//! OpenAI refuses a response that expired. The chapter is `book/src/lesson04.md`.

mod memory;

use std::sync::Arc;
use std::time::Duration;

use chatkit::agent::history::{HistoryBudget, input_tokens};
use chatkit::agent::{Agent, DEFAULT_MODEL, Runner};
use chatkit::http::{self, cli};
use chatkit::provider::{InputItem, ModelFromEnv};
use chatkit::server::Processor;
use chatkit::store::{Store, UserContext};
use clap::Parser;

use memory::{Memory, MemoryServer};

/// Command-line flags: the budget, the memory mode, and those every lesson has.
#[derive(Debug, Parser)]
#[command(about = "Lesson 04: an assistant whose only memory is the thread")]
struct Args {
    /// The model name (used with `OPENAI_API_KEY`; the mock answers any name).
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    /// The history budget of a turn, in o200k tokens.
    #[arg(long, value_name = "TOKENS", default_value_t = 2_000)]
    max_tokens: usize,
    /// Chain each turn to the thread's last model response and send only the new items.
    #[arg(long)]
    previous_response: bool,
    /// With `--ask`: print the model requests of the turn after the answer.
    #[arg(long, requires = "ask")]
    show_input: bool,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&[]);
    // OpenAI with OPENAI_API_KEY, else the mock, which records every request it receives.
    let model = ModelFromEnv::start(Duration::from_millis(20)).await?;
    let runner = Runner::new(model.provider());
    let agent = Arc::new(memory::agent(&args.model));
    let budget = HistoryBudget::tokens(args.max_tokens);
    let memory = match args.previous_response {
        false => Memory::Window(budget),
        true => Memory::PreviousResponse(budget),
    };
    cli::run("lesson04", args.lesson.serve, |store| {
        app(store, runner, agent, memory)
    })
    .await?;
    if args.show_input {
        show_input(&model, args.max_tokens);
    }
    Ok(())
}
// ANCHOR_END: main

/// The server: the assistant behind `respond()`, the store, HTTP.
fn app(
    store: impl Store<UserContext> + 'static,
    runner: Runner,
    agent: Arc<Agent<UserContext>>,
    memory: Memory,
) -> axum::Router {
    let server = MemoryServer {
        runner,
        agent,
        memory,
    };
    let processor = Processor::builder(server, store).build();
    // Who is asking: the `x-user-id` header, as in lesson 01.
    http::router(processor, http::user_from_header)
}

// ANCHOR: show_input
/// Prints each model request of the turn: its `input` as sent, what it costs, and how many
/// items the model saw (more than were sent when the request continues a stored response).
fn show_input(model: &ModelFromEnv, max_tokens: usize) {
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
        let seen = request.model_input.as_ref().map_or(0, Vec::len);
        println!(
            "\n── model request {}: previous_response_id {previous}\n   sent {} items, {} tokens \
             (history budget {max_tokens}); the model saw {seen} items",
            n + 1,
            items.len(),
            input_tokens(&items),
        );
        let pretty = serde_json::to_string_pretty(sent).unwrap_or_default();
        println!("{pretty}");
    }
}
// ANCHOR_END: show_input
