//! `Timestamp`: the one date-time type of the protocol.
//!
//! Every `created_at` on a thread or an item is a [`Timestamp`]. The Python SDK stores
//! `datetime` values and lets pydantic print them, which gives a different text for each
//! kind of value it meets (protocol#timestamps):
//!
//! | Python value                  | pydantic writes               |
//! |-------------------------------|-------------------------------|
//! | naive, `datetime.now()`       | `2025-01-02T03:04:05.123456`  |
//! | naive, microseconds = 0       | `2025-01-02T03:04:05`         |
//! | aware UTC                     | `2025-01-02T03:04:05.123456Z` |
//! | aware with an offset          | `2025-01-02T03:04:05+02:00`   |
//!
//! # Wire format
//!
//! We write **one** form: UTC with a `Z`, six fraction digits, and no fraction at all when the
//! microseconds are zero. That is exactly what pydantic writes for an aware UTC `datetime`, so
//! a Rust timestamp read by the Python SDK and written back comes out byte-identical. On input
//! we accept everything pydantic accepts for a `datetime` field: the forms above, a space
//! instead of the `T`, any number of fraction digits (kept to microseconds, as pydantic
//! truncates), and Unix seconds (or milliseconds, for values above 2·10¹⁰) as a JSON number.
//! A value with no offset is read as UTC: a server cannot know which local zone the writer
//! meant, and UTC is what every Rust-side clock produces.
//!
//! Where it sits: protocol layer, no I/O. Clocks that produce timestamps live elsewhere.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, SubsecRound, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A point in time, kept in UTC with microsecond precision.
///
/// # Wire format
///
/// `"2025-01-02T03:04:05.123456Z"`, or `"2025-01-02T03:04:05Z"` when the microseconds are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// Values above this many seconds are read as milliseconds, the same cut-off pydantic uses.
const MILLISECONDS_THRESHOLD: f64 = 2e10;

impl Timestamp {
    /// Wraps a UTC date-time, dropping anything finer than a microsecond.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Timestamp(at.trunc_subsecs(6))
    }

    /// Builds a timestamp from a calendar date and time in UTC; `None` if the date does not exist.
    pub fn from_ymd_hms(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        min: u32,
        sec: u32,
    ) -> Option<Self> {
        Utc.with_ymd_and_hms(year, month, day, hour, min, sec)
            .single()
            .map(Timestamp)
    }

    /// The wrapped UTC date-time.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Parses any text form the Python SDK writes or accepts (see the module doc).
    ///
    /// # Errors
    ///
    /// Returns [`TimestampError`] when the text is none of those forms.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        // With an offset (`Z`, `+02:00`, …): RFC 3339, allowing a space for the `T` as pydantic does.
        if let Ok(aware) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self::from_datetime(aware.with_timezone(&Utc)));
        }
        for layout in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, layout) {
                return Ok(Self::from_datetime(naive.and_utc()));
            }
        }
        Err(TimestampError {
            text: text.to_owned(),
        })
    }

    /// Reads Unix time the way pydantic does: seconds, or milliseconds for very large values.
    fn from_unix_number(number: f64) -> Option<Self> {
        let seconds = if number.abs() > MILLISECONDS_THRESHOLD {
            number / 1000.0
        } else {
            number
        };
        let micros = (seconds * 1e6).round();
        // An f64 this far out of range cannot name a date chrono can hold.
        if !micros.is_finite() || micros.abs() > 9.0e18 {
            return None;
        }
        DateTime::from_timestamp_micros(micros as i64).map(Timestamp)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Timestamp::from_datetime(at)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%S"))?;
        let micros = self.0.timestamp_subsec_micros();
        // pydantic leaves the fraction out entirely when it is zero; we match it byte for byte.
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// Accepts a string in any of the supported forms, or a Unix time as a JSON number.
struct TimestampVisitor;

impl de::Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date-time such as \"2025-01-02T03:04:05Z\" or Unix seconds")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
        Timestamp::parse(text).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Timestamp, E> {
        self.visit_f64(number as f64)
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Timestamp, E> {
        self.visit_f64(number as f64)
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Timestamp, E> {
        Timestamp::from_unix_number(number)
            .ok_or_else(|| E::custom(format!("Unix time {number} is out of range")))
    }
}

/// A text that is not a date-time in any form the protocol allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date-time `{text}`: expected a form such as 2025-01-02T03:04:05Z")]
pub struct TimestampError {
    text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(input: &str) -> String {
        Timestamp::parse(input)
            .expect("valid timestamp")
            .to_string()
    }

    #[test]
    fn writes_pydantics_aware_utc_form() {
        assert_eq!(normalised("2025-01-02T03:04:05Z"), "2025-01-02T03:04:05Z");
        assert_eq!(
            normalised("2025-01-02T03:04:05.000000Z"),
            "2025-01-02T03:04:05Z"
        );
        assert_eq!(
            normalised("2025-01-02T03:04:05.5Z"),
            "2025-01-02T03:04:05.500000Z"
        );
        assert_eq!(
            normalised("2025-01-02T03:04:05.123456Z"),
            "2025-01-02T03:04:05.123456Z"
        );
    }

    #[test]
    fn reads_every_form_the_python_sdk_writes_or_accepts() {
        let cases = [
            ("2025-01-02T03:04:05", "2025-01-02T03:04:05Z"),
            ("2025-01-02T03:04:05.309063", "2025-01-02T03:04:05.309063Z"),
            ("2025-01-02 03:04:05", "2025-01-02T03:04:05Z"),
            ("2025-01-02T03:04:05+02:00", "2025-01-02T01:04:05Z"),
            (
                "2025-01-02T03:04:05.25-01:30",
                "2025-01-02T04:34:05.250000Z",
            ),
            (
                "2025-01-02T03:04:05.1234567Z",
                "2025-01-02T03:04:05.123456Z",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(normalised(input), expected, "input {input}");
        }
    }

    #[test]
    fn reads_unix_seconds_and_milliseconds() {
        let from_seconds: Timestamp = serde_json::from_str("1700000000").expect("seconds");
        let from_millis: Timestamp = serde_json::from_str("1700000000000").expect("millis");
        assert_eq!(from_seconds.to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(from_millis, from_seconds);
    }

    #[test]
    fn rejects_text_that_is_not_a_date_time() {
        let error = serde_json::from_str::<Timestamp>("\"yesterday\"").expect_err("rejected");
        assert!(error.to_string().contains("yesterday"), "{error}");
    }
}
