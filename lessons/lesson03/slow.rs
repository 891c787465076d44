//! Slow and failing steps: keep the user informed while a step runs, give up in time, and
//! fail in a way the user can act on.
//!
//! A responder is a `try_stream!`: `yield` sends an event, `?` ends the stream with an `error`
//! event, and `.await` waits without blocking anything else (never `std::thread::sleep` in
//! async code: it stops every task on that thread). A step that takes seconds needs two more
//! things, both here and both plain `tokio`:
//!
//! * a **ticker raced against the step** ([`ticking`]): `tokio::select!` waits for whichever
//!   comes first, the step's answer or the next tick, so the responder can yield a progress
//!   update on every tick and the user sees that something is happening;
//! * a **deadline** ([`within`]): `tokio::time::timeout` drops a step that takes too long and
//!   the responder ends with a retryable error instead of waiting forever.
//!
//! Both read time only through `tokio::time`, so a test with `tokio::time::pause` runs them
//! instantly and always the same way. [`check_calendar`] puts them together for the planner.
//!
//! When a step fails, the turn ends with one `error` event, in one of two ways ([`failure`]):
//! a custom error, whose message the user reads and whose `allow_retry` says whether a retry
//! can help, or a failure, whose detail stays in the server's logs while the client shows its
//! own retryable `stream.error`.

use std::future::Future;
use std::time::Duration;

use chatkit::prelude::*;
use chatkit::protocol::IconName;
use tokio::time::{Instant, interval_at, sleep, timeout};

/// How often the user hears from a step that is still running.
pub(crate) const TICK: Duration = Duration::from_millis(250);

/// What `busy …` tells the user: a custom error, shown as it is, with a retry button.
pub(crate) const BUSY: &str = "The calendar is busy. Try again in a moment.";

/// How long the calendar may take before the turn gives up.
pub(crate) const CALENDAR_TIMEOUT: Duration = Duration::from_secs(5);

// ANCHOR: calendar
/// The lesson's slow step: looking up the free blocks of the day. It takes 10 pauses: nothing
/// with `--delay-ms 0`, 0.6 s by default, and over [`CALENDAR_TIMEOUT`] with `--delay-ms 600`.
pub(crate) async fn look_up_calendar(delay: Duration) -> [&'static str; 3] {
    sleep(delay * 10).await;
    ["Morning", "Afternoon", "Evening"]
}
// ANCHOR_END: calendar

// ANCHOR: ticking
/// Where a slow step is: still running (the number of ticks so far), or done with its output.
pub(crate) enum Step<T> {
    Running(u32),
    Done(T),
}

/// Runs `step`, and while it runs yields `Running(1)`, `Running(2)`, … every `every`; ends with
/// `Done(output)`.
pub(crate) fn ticking<T: Send>(
    step: impl Future<Output = T> + Send,
    every: Duration,
) -> impl Stream<Item = Step<T>> + Send {
    stream! {
        // `select!` polls the step by reference, so it must not move: pin it once, here.
        let mut step = std::pin::pin!(step);
        // The first tick after one period, not at once: a quick step shows no tick at all.
        let mut ticker = interval_at(Instant::now() + every, every);
        let mut ticks = 0;
        loop {
            // `yield` cannot go inside `select!` (the macro hides it from `stream!`), so the
            // race only decides, and the match below yields.
            let next = tokio::select! {
                // `biased`: when both are ready, the answer wins over one more tick.
                biased;
                output = &mut step => Step::Done(output),
                _ = ticker.tick() => {
                    ticks += 1;
                    Step::Running(ticks)
                }
            };
            let done = matches!(next, Step::Done(_));
            yield next;
            if done {
                break;
            }
        }
    }
}
// ANCHOR_END: ticking

// ANCHOR: check_calendar
/// What the planner hears from the calendar: a progress text to show, then the blocks.
pub(crate) enum Heard {
    Progress(String),
    Blocks(Vec<&'static str>),
}

/// The calendar lookup as the user lives it: a progress text at once, one more every
/// [`TICK`] while it runs, and past [`CALENDAR_TIMEOUT`] a custom error they may retry.
pub(crate) fn check_calendar(delay: Duration) -> impl Stream<Item = Result<Heard, StreamError>> {
    try_stream! {
        yield Heard::Progress("Checking your calendar…".to_owned());
        let lookup = within(CALENDAR_TIMEOUT, "The calendar", look_up_calendar(delay));
        let mut steps = std::pin::pin!(ticking(lookup, TICK));
        while let Some(step) = steps.next().await {
            match step {
                Step::Running(n) => {
                    yield Heard::Progress(format!("Still checking your calendar ({n})…"));
                }
                Step::Done(blocks) => yield Heard::Blocks(blocks?.to_vec()),
            }
        }
    }
}
// ANCHOR_END: check_calendar

/// A status line while the user waits (icon `calendar`): transient, never stored, and the next
/// one takes its place.
pub(crate) fn progress(text: String) -> ThreadStreamEvent {
    let icon = Some(IconName::Calendar);
    ThreadStreamEvent::ProgressUpdate { icon, text }
}

// ANCHOR: within
/// `step`'s output, or after `limit` a custom error the user may retry: a slow service is
/// worth another try, and the message says what happened.
pub(crate) async fn within<T>(
    limit: Duration,
    what: &str,
    step: impl Future<Output = T>,
) -> Result<T, StreamError> {
    // The step is dropped when the time is up: whatever it was awaiting is cancelled.
    timeout(limit, step).await.map_err(|_elapsed| {
        let seconds = limit.as_secs();
        StreamError::custom(format!("{what} did not answer within {seconds} s."), true)
    })
}
// ANCHOR_END: within

// ANCHOR: failure
/// How a `busy …` or `crash …` turn stops: a custom error the user reads and may retry, or a
/// failure whose detail only the logs see (the client gets a retryable `stream.error`).
pub(crate) fn failure(first_word: &str) -> Result<(), StreamError> {
    match first_word {
        "busy" => Err(StreamError::custom(BUSY, true)),
        "crash" => Err(StreamError::failed("`crash …` asked for a failure")),
        _ => Ok(()),
    }
}
// ANCHOR_END: failure
