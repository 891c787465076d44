//! Clocks: where every `created_at` the server stamps comes from.
//!
//! The Python SDK calls `datetime.now()` inline, so two runs of the same conversation never
//! produce the same bytes. Here time is injected: production code uses [`SystemClock`], and
//! tests and recorded transcripts use [`FixedClock`], which starts at a given instant and moves
//! forward one second per reading, so every timestamp is known in advance and items created
//! one after another still sort in creation order.
//!
//! Where it sits: beside the stores; the server asks its clock when it creates a thread, a user
//! message or the note that a stream was cancelled.

use std::fmt::Debug;
use std::sync::Mutex;

use chrono::{Duration, Utc};

use crate::protocol::Timestamp;

/// A source of the current time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real wall clock, in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(Utc::now())
    }
}

/// A clock for tests: starts at a fixed instant and advances a fixed step on every reading.
#[derive(Debug)]
pub struct FixedClock {
    /// The next reading. A std `Mutex` is enough: it is held for one addition, never across
    /// an `.await`.
    next: Mutex<Timestamp>,
    step: Duration,
}

impl FixedClock {
    /// A clock whose first reading is `start` and which moves one second per reading.
    pub fn at(start: Timestamp) -> Self {
        FixedClock::stepping(start, Duration::seconds(1))
    }

    /// A clock whose first reading is `start` and which moves `step` per reading.
    pub fn stepping(start: Timestamp, step: Duration) -> Self {
        FixedClock {
            next: Mutex::new(start),
            step,
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        // A poisoned lock only means another reader panicked mid-addition of a Copy value;
        // the timestamp inside is still whole, so keep going.
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let reading = *next;
        *next = Timestamp::from_datetime(reading.as_datetime() + self.step);
        reading
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_one_second_per_reading() {
        let start = Timestamp::from_ymd_hms(2025, 1, 2, 3, 4, 5).expect("valid date");
        let clock = FixedClock::at(start);
        let readings: Vec<String> = (0..3).map(|_| clock.now().to_string()).collect();
        assert_eq!(
            readings,
            [
                "2025-01-02T03:04:05Z",
                "2025-01-02T03:04:06Z",
                "2025-01-02T03:04:07Z"
            ]
        );
    }
}
