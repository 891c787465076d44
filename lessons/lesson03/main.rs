//! # Lesson 03: streaming
//!
//! What you will learn: every kind of event a ChatKit stream carries and which of them the
//! store keeps (a `done` is stored, an `added` is not); a message built from token deltas; a
//! progress line, a workflow whose tasks grow, a client effect; an error the user may retry
//! next to a failure; what survives when the user leaves mid-answer, and why a turn that
//! changes something must not be stopped halfway; and the async Rust a slow step needs
//! (`try_stream!`, `tokio::select!` against a ticker, a timeout).
//!
//! Run it (no model, no key; `--delay-ms` is the pause between two steps, 60 by default):
//!
//! ```text
//! cargo run --bin lesson03 -- --ask "Plan my Saturday"          # watch the answer grow
//! cargo run --bin lesson03 -- --ask "Plan my Saturday" --raw    # the SSE lines themselves
//! cargo run --bin lesson03 -- --ask "busy Monday"               # an error you may retry
//! cargo run --bin lesson03 -- --ask "crash please"              # a failure
//! cargo run --bin lesson03 -- --ask "Plan my Saturday" --cancel-after 20   # leave mid-answer
//! cargo run --bin lesson03 -- --ask "delete Friday" --cancel-after 20      # …from a deletion
//! cargo run --bin lesson03 -- --delay-ms 600 --ask "hi"         # the calendar times out
//! cargo run --bin lesson03                                      # serve on 127.0.0.1:8000
//! ```
//!
//! `--cancel-after N` drops the connection after N events, waits until the server is done
//! with the turn, and prints what the store then holds for the thread: compare a plan with a
//! deletion. The chapter is `book/src/lesson03.md`.
//!
//! Next: the exercises in `lessons/lesson03/exercises/`. Grade them with
//! `cargo test --test grade lesson03`; serve your own code with `--exercise N`:
//!
//! ```text
//! cargo run --bin lesson03 -- --exercise 2 --ask "hi" --cancel-after 6
//! ```

mod planner;
mod slow;

use std::time::Duration;

use chatkit::http::cli;
use clap::Parser;

use planner::Planner;

/// Command-line flags: the pause between steps, and those every lesson has.
#[derive(Debug, Parser)]
#[command(about = "Lesson 03: every event of a stream, from a day planner with no model")]
struct Args {
    /// The pause between two steps of the answer, in milliseconds (0: no pause).
    #[arg(long, value_name = "MS", default_value_t = 60)]
    delay_ms: u64,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// Your exercises, compiled in so that `--exercise N` serves them (with `--features solutions`,
// the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_packing_workflow.rs",
    solution: "solutions/ex1_packing_workflow.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_keep_stopped.rs",
    solution: "solutions/ex2_keep_stopped.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_retry_later.rs",
    solution: "solutions/ex3_retry_later.rs"
);
chatkit::exercise!(
    ex4,
    exercise: "exercises/ex4_progress_ticks.rs",
    solution: "solutions/ex4_progress_ticks.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 4] = [
    "ex1_packing_workflow",
    "ex2_keep_stopped",
    "ex3_retry_later",
    "ex4_progress_ticks",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    let delay = Duration::from_millis(args.delay_ms);
    let exercise = args.lesson.exercise;
    cli::run("lesson03", args.lesson.serve, |store| match exercise {
        None => cli::app(Planner { delay }, store),
        Some(1) => cli::app(ex1::Packing, store),
        Some(2) => cli::app(ex2::Stoppable, store),
        Some(3) => cli::app(ex3::Forecast, store),
        Some(4) => cli::app(ex4::Report, store),
        Some(other) => unreachable!("parse_lesson accepts exercises 1 to 4, not {other}"),
    })
    .await?;
    Ok(())
}
