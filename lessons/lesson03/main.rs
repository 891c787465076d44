//! # Lesson 03: streaming
//!
//! Work in progress: the lesson's binary.

mod planner;
mod slow;

use std::time::Duration;

use chatkit::http::{self, cli};
use chatkit::server::Processor;
use chatkit::store::{Store, UserContext};
use clap::Parser;

use planner::Planner;

/// Command-line flags: the pause between steps, and those every lesson has.
#[derive(Debug, Parser)]
#[command(about = "Lesson 03: every event of a stream, from a day planner with no model")]
struct Args {
    /// The pause between two steps of the answer, in milliseconds (0: as fast as possible).
    #[arg(long, value_name = "MS", default_value_t = 60)]
    delay_ms: u64,
    #[command(flatten)]
    lesson: cli::LessonArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Args = cli::parse_lesson(&[]);
    let delay = Duration::from_millis(args.delay_ms);
    cli::run("lesson03", args.lesson.serve, |store| {
        app(Planner { delay }, store)
    })
    .await?;
    Ok(())
}

fn app(server: Planner, store: impl Store<UserContext> + 'static) -> axum::Router {
    let processor = Processor::builder(server, store).build();
    http::router(processor, http::user_from_header)
}
