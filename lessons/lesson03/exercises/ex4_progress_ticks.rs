//! Exercise 4: tell the user how long they have been waiting.
//!
//! `Report` runs `build_report`, which takes 0.9 s, and answers with its text; meanwhile the
//! user sees nothing. Make it send a progress update every 200 ms while the report is being
//! built, saying how long it has taken so far: `Working… 200 ms`, `Working… 400 ms`, … (with no
//! icon), then the answer. The first comes after 200 ms, not at once, and none after the
//! report is ready: a 0.9 s report gets four.
//!
//! Hint: as `ticking` in `slow.rs`: pin the step (`std::pin::pin!`), make a ticker with
//! `tokio::time::interval_at(Instant::now() + TICK, TICK)`, and race them in a loop with
//! `tokio::select!` (`biased;` first, the step's arm before the ticker's). A `yield` cannot go
//! inside `select!`: let the race give back a value (the report, or `None` for a tick), and
//! yield after it. The event is `ThreadStreamEvent::ProgressUpdate { icon: None, text }`.
//!
//! Check it with `cargo test --test grade lesson03` (the test pauses time, so it takes no
//! 0.9 s); watch it with `cargo run --bin lesson03 -- --exercise 4 --ask "my report"`.

use std::time::Duration;

use chatkit::prelude::*;
use tokio::time::{Instant, interval_at, sleep};

/// How often the user hears how long the report has taken.
pub const TICK: Duration = Duration::from_millis(200);

/// The slow step: a report that takes 0.9 s.
pub async fn build_report() -> String {
    sleep(Duration::from_millis(900)).await;
    "Your report is ready.".to_owned()
}

/// Answers with a report, and says how long it is taking.
pub struct Report;

impl ChatKitServer<UserContext> for Report {
    fn respond(
        self: Arc<Self>,
        _thread: ThreadMetadata,
        _input: Option<UserMessageItem>,
        _ctx: UserContext,
        out: Responder<UserContext>,
    ) -> EventStream {
        try_stream! {
            // TODO: race the report against a ticker; yield `Working… {ms} ms` on each tick.
            let report: String = todo!("build_report(), with a progress update every TICK");
            yield out.assistant_message(report);
        }
        .boxed()
    }
}
