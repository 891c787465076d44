//! Exercise 4, reference solution: tell the user how long they have been waiting.

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
            let mut report = std::pin::pin!(build_report());
            let mut ticker = interval_at(Instant::now() + TICK, TICK);
            let mut waited = Duration::ZERO;
            let report = loop {
                let done = tokio::select! {
                    biased;
                    report = &mut report => Some(report),
                    _ = ticker.tick() => None,
                };
                match done {
                    Some(report) => break report,
                    None => {
                        waited += TICK;
                        let text = format!("Working… {} ms", waited.as_millis());
                        yield ThreadStreamEvent::ProgressUpdate { icon: None, text };
                    }
                }
            };
            yield out.assistant_message(report);
        }
        .boxed()
    }
}
