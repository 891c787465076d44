//! Date-time props (`DatePicker.defaultValue`, `min`, `max`; Python `datetime`).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Timelike};
use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// A date-time prop of a `DatePicker` (Python `datetime`), kept naive or with its offset.
///
/// Pydantic writes a naive value with no suffix (`2025-01-02T00:00:00`), UTC as `Z`, and any
/// other offset as `+02:00`; microseconds appear only when non-zero, always as 6 digits. It
/// reads dates (`2025-01-02`), a space instead of `T`, missing seconds, and Unix seconds or
/// milliseconds (as UTC). We read and write the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeValue {
    /// No time zone.
    Naive(NaiveDateTime),
    /// With a UTC offset.
    Aware(DateTime<FixedOffset>),
}

/// Unix timestamps above this many seconds are read as milliseconds (pydantic's rule).
const MILLISECONDS_THRESHOLD: f64 = 2e10;

impl DateTimeValue {
    /// Reads the text forms pydantic accepts; `None` when it is not a date-time.
    pub fn parse(text: &str) -> Option<Self> {
        if let Ok(number) = text.parse::<f64>() {
            return Self::from_unix(number);
        }
        // One spelling for the parser: `T` between date and time, `+00:00` for `Z`.
        let mut text = text.replacen(['t', ' '], "T", 1);
        if text.ends_with(['Z', 'z']) {
            text.pop();
            text.push_str("+00:00");
        }
        let aware_formats = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"];
        let naive_formats = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"];
        let parsed = aware_formats
            .iter()
            .find_map(|format| {
                DateTime::parse_from_str(&text, format)
                    .ok()
                    .map(Self::Aware)
            })
            .or_else(|| {
                naive_formats
                    .iter()
                    .find_map(|format| NaiveDateTime::parse_from_str(&text, format).ok())
                    .or_else(|| {
                        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                            .ok()?
                            .and_hms_opt(0, 0, 0)
                    })
                    .map(Self::Naive)
            })?;
        Some(parsed.truncated_to_micros())
    }

    /// A Unix timestamp in seconds (or milliseconds, past year 2603), as UTC.
    fn from_unix(number: f64) -> Option<Self> {
        let seconds = if number.abs() > MILLISECONDS_THRESHOLD {
            number / 1000.0
        } else {
            number
        };
        let micros = (seconds * 1e6).round() as i64;
        let utc = DateTime::from_timestamp_micros(micros)?;
        Some(Self::Aware(utc.fixed_offset()))
    }

    /// Pydantic keeps microseconds; drop anything finer.
    fn truncated_to_micros(self) -> Self {
        match self {
            Self::Naive(at) => Self::Naive(
                at.with_nanosecond(at.nanosecond() / 1000 * 1000)
                    .unwrap_or(at),
            ),
            Self::Aware(at) => Self::Aware(
                at.with_nanosecond(at.nanosecond() / 1000 * 1000)
                    .unwrap_or(at),
            ),
        }
    }

    /// The wire form: `2025-01-02T03:04:05`, `…05.500000Z`, `…05-05:30`.
    pub fn to_wire(&self) -> String {
        let naive = match self {
            Self::Naive(at) => *at,
            Self::Aware(at) => at.naive_local(),
        };
        let mut text = naive.format("%Y-%m-%dT%H:%M:%S").to_string();
        if naive.nanosecond() != 0 {
            text.push_str(&format!(".{:06}", naive.nanosecond() / 1000));
        }
        if let Self::Aware(at) = self {
            match at.offset().local_minus_utc() {
                0 => text.push('Z'),
                _ => text.push_str(&at.format("%:z").to_string()),
            }
        }
        text
    }
}

impl Serialize for DateTimeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for DateTimeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let parsed = match &value {
            Value::String(text) => DateTimeValue::parse(text),
            Value::Number(number) => number.as_f64().and_then(DateTimeValue::from_unix),
            _ => None,
        };
        parsed.ok_or_else(|| D::Error::custom(format!("expected a date-time, got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn date_times_are_written_as_pydantic_writes_them() {
        let cases = [
            ("2025-01-02", "2025-01-02T00:00:00"),
            ("2025-01-02 03:04", "2025-01-02T03:04:00"),
            ("2025-01-02T03:04:05.000000", "2025-01-02T03:04:05"),
            ("2025-01-02t03:04:05z", "2025-01-02T03:04:05Z"),
            ("2025-01-02T03:04:05+00:00", "2025-01-02T03:04:05Z"),
            ("2025-01-02T03:04:05-05:30", "2025-01-02T03:04:05-05:30"),
            (
                "2025-01-02T03:04:05.5+02:00",
                "2025-01-02T03:04:05.500000+02:00",
            ),
            (
                "2025-01-02T03:04:05.1234567Z",
                "2025-01-02T03:04:05.123456Z",
            ),
            ("2025-01-02T03:04Z", "2025-01-02T03:04:00Z"),
            ("1700000000", "2023-11-14T22:13:20Z"),
        ];
        for (input, expected) in cases {
            let parsed = DateTimeValue::parse(input).expect(input);
            assert_eq!(parsed.to_wire(), expected, "input {input}");
        }
        let from_millis: DateTimeValue =
            serde_json::from_value(json!(1700000000000_i64)).expect("millis");
        assert_eq!(from_millis.to_wire(), "2023-11-14T22:13:20Z");
        let fractional: DateTimeValue = serde_json::from_value(json!(1700000000.5)).expect("float");
        assert_eq!(fractional.to_wire(), "2023-11-14T22:13:20.500000Z");
        assert!(DateTimeValue::parse("bad").is_none());
    }
}
