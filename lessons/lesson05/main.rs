//! # Lesson 05: sessions
//!
//! What you will learn: ChatKit has no session object. A "session" is two things: the
//! request context your server builds for each request (here an `AppContext` of your own,
//! with the user and their language), and the threads the store keeps for that user. You
//! will build your own context type, resume a thread, see a thread closed, and watch the
//! server refuse new work on it, then purge and close threads as a retention policy would.
//!
//! Run it:
//!
//! ```text
//! cargo run --bin lesson05 -- --ask "Hello"                  # thread thr_… created
//! cargo run --bin lesson05 -- --thread thr_… --ask "Still there?"
//! cargo run --bin lesson05 -- --thread thr_… --ask "/close"   # closes the thread
//! cargo run --bin lesson05 -- --thread thr_… --ask "Hello?"   # refused: 409 thread_closed
//! cargo run --bin lesson05 -- threads --user student          # the user's threads, a page
//! cargo run --bin lesson05 -- close-idle --user student --idle-minutes 30
//! cargo run --bin lesson05 -- purge --user student --older-than-days 30
//! cargo run --bin lesson05                                    # serve on port 8000
//! ```
//!
//! `--ask` speaks as the user `student`; with `curl`, send `x-user-id` and `Accept-Language`
//! (`-H 'accept-language: fr'`) and the answer changes with them. The chapter is
//! `book/src/lesson05.md`.
//!
//! Next: the exercises in `lessons/lesson05/exercises/`. Grade them with
//! `cargo test --test grade lesson05`; serve your own code with `--exercise N`.

mod context;
mod threads;

use chatkit::http::{self, cli};
use chatkit::server::Processor;
use clap::Parser;

use context::{Assistant, context_from_headers};
use threads::ThreadsCommand;

/// Command-line flags: a store command, or those every lesson has.
#[derive(Debug, Parser)]
#[command(about = "Lesson 05: your own request context, and threads that are resumed and closed")]
struct Args {
    /// Work on a user's threads in the store instead of serving (put `--store`/`--db` first).
    #[command(subcommand)]
    command: Option<ThreadsCommand>,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

// Your exercises, compiled in so that `--exercise N` serves them (with `--features solutions`,
// the reference solutions instead).
chatkit::exercise!(
    ex1,
    exercise: "exercises/ex1_preferred_language.rs",
    solution: "solutions/ex1_preferred_language.rs"
);
chatkit::exercise!(
    ex2,
    exercise: "exercises/ex2_message_limit.rs",
    solution: "solutions/ex2_message_limit.rs"
);
chatkit::exercise!(
    ex3,
    exercise: "exercises/ex3_tenant_scope.rs",
    solution: "solutions/ex3_tenant_scope.rs"
);

/// The exercises, in order: `--exercise N` takes their numbers and no other.
const EXERCISES: [&str; 3] = [
    "ex1_preferred_language",
    "ex2_message_limit",
    "ex3_tenant_scope",
];

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&EXERCISES);
    if let Some(command) = args.command {
        let store = args.lesson.serve.open_store("lesson05").await?;
        return threads::run(command, store.as_ref()).await;
    }
    let exercise = args.lesson.exercise;
    cli::run("lesson05", args.lesson.serve, |store| match exercise {
        // The app's own context type: the router builds it, the processor passes it on.
        None => http::router(
            Processor::builder(Assistant, store).build(),
            context_from_headers,
        ),
        Some(1) => http::router(
            Processor::builder(ex1::Greeter, store).build(),
            ex1::visitor_from_headers,
        ),
        Some(2) => cli::app(ex2::Limited, store),
        Some(3) => http::router(
            Processor::builder(ex3::Echo, store).build(),
            ex3::tenant_user_from_headers,
        ),
        Some(other) => unreachable!("parse_lesson accepts exercises 1 to 3, not {other}"),
    })
    .await?;
    Ok(())
}
// ANCHOR_END: main
