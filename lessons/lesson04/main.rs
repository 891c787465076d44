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
//! kept in `chatkit-lesson04.sqlite3`. `--show-input` prints, after the answer, each model
//! request of the turn: what was sent, its size in tokens, and what the model saw. With a
//! tiny `--max-tokens`, the oldest notes fall out of the window and the model forgets them.
//!
//! `--previous-response` keeps the id of the last model response in the thread's metadata
//! and sends only the new message. The mock keeps its responses in memory, so chain while one
//! server runs (serve, then curl): a new `--ask` process starts a mock that has forgotten
//! them, and the request is refused with the API's `previous_response_not_found`, exactly as
//! OpenAI refuses a response that expired. The chapter is `book/src/lesson04.md`.
//!
//! Next: the exercises in `lessons/lesson04/exercises/`. Grade them with
//! `cargo test --test grade lesson04`; serve your own code with `--exercise N`:
//!
//! ```text
//! cargo run --bin lesson04 -- --exercise 1 --ask "Remember that I like tea." --show-input
//! ```

mod memory;
mod show_input;

use std::sync::Arc;
use std::time::Duration;

use chatkit::agent::history::{DefaultConverter, HistoryBudget};
use chatkit::agent::{DEFAULT_MODEL, Runner};
use chatkit::http::cli;
use chatkit::provider::ModelFromEnv;
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

// Your exercises, compiled in so that `--exercise N` serves them (with `--features solutions`,
// the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_send_once.rs",
    solution: "solutions/ex1_send_once.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_task_ref.rs",
    solution: "solutions/ex2_task_ref.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_page_back.rs",
    solution: "solutions/ex3_page_back.rs"
);
chatkit::exercise!(
    ex4,
    exercise: "exercises/ex4_hidden_note.rs",
    solution: "solutions/ex4_hidden_note.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 4] = [
    "ex1_send_once",
    "ex2_task_ref",
    "ex3_page_back",
    "ex4_hidden_note",
];

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    // OpenAI with OPENAI_API_KEY, else the mock, which records every request it receives.
    let model = ModelFromEnv::start(Duration::from_millis(20)).await?;
    let runner = Runner::new(model.provider());
    let agent = Arc::new(memory::agent(&args.model));
    let budget = HistoryBudget::tokens(args.max_tokens);
    let memory = if args.previous_response {
        Memory::PreviousResponse(budget)
    } else {
        Memory::Window(budget)
    };
    let exercise = args.lesson.exercise;
    cli::run("lesson04", args.lesson.serve, |store| match exercise {
        None => cli::app(
            MemoryServer {
                runner,
                agent,
                memory,
                converter: Arc::new(DefaultConverter),
            },
            store,
        ),
        Some(1) => cli::app(ex1::Repeating { runner, agent }, store),
        Some(2) => cli::app(
            MemoryServer {
                runner,
                agent,
                memory,
                converter: Arc::new(ex2::TaskRefs),
            },
            store,
        ),
        Some(3) => cli::app(ex3::Recap, store),
        Some(4) => cli::app(ex4::Localised { runner, agent }, store),
        Some(other) => unreachable!("parse_lesson accepts exercises 1 to 4, not {other}"),
    })
    .await?;
    if args.show_input {
        show_input::show_input(&model, args.max_tokens);
    }
    Ok(())
}
// ANCHOR_END: main
