//! # Lesson 01: the architecture of a ChatKit server
//!
//! What you will learn: the one endpoint a ChatKit client talks to, the difference between
//! the requests answered with JSON and those answered with a stream of events, what a thread
//! and its items are, where the store sits, and the one method you write: `respond()`.
//!
//! Run it:
//!
//! ```text
//! cargo run --bin lesson01                  # SQLite file chatkit-lesson01.sqlite3, port 8000
//! cargo run --bin lesson01 -- --store memory --port 8001
//! cargo run --bin lesson01 -- --ask "hi"     # print one streamed answer and exit (--raw: SSE)
//! ```
//!
//! It prints a `curl` command that creates a thread; paste it in another terminal and watch
//! the events arrive. Then try `threads.list`, `threads.get_by_id` and
//! `threads.add_user_message` (the chapter, `book/src/lesson01.md`, has the commands).
//!
//! Next: the exercises in `lessons/lesson01/exercises/`. Grade them with
//! `cargo test --test grade lesson01`; serve your own code with `--exercise N`:
//!
//! ```text
//! cargo run --bin lesson01 -- --exercise 1 --ask "hi"
//! ```

mod echo;

use chatkit::http::cli;
use clap::Parser;

use echo::EchoServer;

/// Command-line flags: those every lesson has (`chatkit::http::cli::LessonArgs`).
#[derive(Debug, Parser)]
#[command(about = "Lesson 01: a ChatKit server with no model, answering every message")]
struct Args {
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// Your exercises, compiled in so that `--exercise N` serves them (with `--features solutions`,
// the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_say_it_back.rs",
    solution: "solutions/ex1_say_it_back.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_thread_title.rs",
    solution: "solutions/ex2_thread_title.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_count_messages.rs",
    solution: "solutions/ex3_count_messages.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 3] = ["ex1_say_it_back", "ex2_thread_title", "ex3_count_messages"];

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    let exercise = args.lesson.exercise;
    // Open the store the flags chose, build our app on it, then answer `--ask` in this
    // terminal, or listen on 127.0.0.1, print a curl to try, and serve until Ctrl-C.
    cli::run("lesson01", args.lesson.serve, |store| match exercise {
        None => cli::app(EchoServer, store),
        Some(1) => cli::app(ex1::SayItBack, store),
        Some(2) => cli::app(ex2::Titled, store),
        Some(3) => cli::app(ex3::Counter, store),
        Some(other) => unreachable!("parse_lesson accepts exercises 1 to 3, not {other}"),
    })
    .await?;
    Ok(())
}
// ANCHOR_END: main
