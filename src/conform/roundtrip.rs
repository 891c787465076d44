//! Parse a payload into the protocol types, write it back with the wire encoding, and report
//! every place the two differ, by JSON path.
//!
//! The protocol types of this crate write exactly what the Python SDK writes (the corpus
//! round trip proves it), so "what the reference would send for this value" is simply
//! `to_wire_json(parse(payload))`. Comparing that with the payload finds, with the path of
//! the value:
//!
//! * a field the reference would not emit (an unknown key, or a `null` it would leave out):
//!   **error**, the reference never sends it;
//! * a field the reference always emits but the payload lacks (a default such as
//!   `"attachments":[]`): **warning**, a client reads the default;
//! * the same fields in another order: **warning**, only byte-level comparisons care;
//! * a value written differently (a list of another length, another string): **error**.
//!
//! Timestamps are the one normalisation (protocol#timestamps): the reference writes naive local
//! times with a variable fraction, this crate writes UTC with a `Z`, and both denote one instant,
//! so two strings that parse to the same [`Timestamp`] are equal here.
//!
//! Where it sits: used by `validate.rs` for every SSE event and JSON body, and by the live
//! checks to compare a persisted item with the one that was streamed; pure, no I/O.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::protocol::{Timestamp, to_wire_json};

use super::finding::{Area, Finding, join_path};

/// The most differences reported for one payload; past it, one more finding says how many
/// were left out, so a hostile stream cannot flood the report.
const MAX_DIFFERENCES: usize = 20;

/// Parses `value` as a `T` and compares it with its re-serialization.
///
/// Returns the typed value (when it parses) and the differences, each path prefixed with
/// `path`. A value that does not parse is one error naming the failing field.
pub fn roundtrip<T>(value: &Value, path: &str) -> (Option<T>, Vec<Finding>)
where
    T: DeserializeOwned + Serialize,
{
    let typed: T = match serde_path_to_error::deserialize(value) {
        Ok(typed) => typed,
        Err(error) => {
            let field = error.path().to_string();
            let at = if field == "." { String::new() } else { field };
            let reason = format!("does not parse as the protocol type: {}", error.inner());
            return (
                None,
                vec![encoding_error(join_path(path, &at), one_line(&reason))],
            );
        }
    };
    let rewritten = match to_wire_json(&typed).map(|text| serde_json::from_str::<Value>(&text)) {
        Ok(Ok(rewritten)) => rewritten,
        // The protocol types always serialize; if one ever does not, say so rather than panic.
        Ok(Err(error)) | Err(error) => {
            let reason = format!("the protocol type could not be written back: {error}");
            return (Some(typed), vec![encoding_error(path, reason)]);
        }
    };
    (Some(typed), differences(value, &rewritten, path))
}

/// Every difference between `got` (what the server sent) and `expected` (what the reference
/// writes for the same value), capped at 20 (one more finding counts the rest).
pub fn differences(got: &Value, expected: &Value, path: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Compared from the root, so paths read `event 3 › item.content[0]`, then prefixed.
    compare(got, expected, "", &mut findings);
    let mut findings: Vec<Finding> = findings
        .into_iter()
        .map(|finding| finding.within(path))
        .collect();
    if findings.len() > MAX_DIFFERENCES {
        let left_out = findings.len() - MAX_DIFFERENCES;
        findings.truncate(MAX_DIFFERENCES);
        findings.push(Finding::warning(
            Area::Encoding,
            "protocol#serialization",
            path,
            format!("{left_out} more differences left out"),
        ));
    }
    findings
}

fn compare(got: &Value, expected: &Value, path: &str, findings: &mut Vec<Finding>) {
    match (got, expected) {
        (Value::Object(got), Value::Object(expected)) => {
            compare_objects(got, expected, path, findings);
        }
        (Value::Array(got), Value::Array(expected)) if got.len() == expected.len() => {
            for (index, (got, expected)) in got.iter().zip(expected).enumerate() {
                compare(got, expected, &format!("{path}[{index}]"), findings);
            }
        }
        (Value::Array(got), Value::Array(expected)) => findings.push(encoding_error(
            path,
            format!(
                "a list of {} values; the reference writes {}",
                got.len(),
                expected.len()
            ),
        )),
        _ if got == expected || same_instant(got, expected) => {}
        _ => findings.push(encoding_error(
            path,
            format!(
                "written as {}; the reference writes {}",
                short(got),
                short(expected)
            ),
        )),
    }
}

fn compare_objects(
    got: &Map<String, Value>,
    expected: &Map<String, Value>,
    path: &str,
    findings: &mut Vec<Finding>,
) {
    for (key, value) in got {
        let at = field_path(path, key);
        match expected.get(key) {
            Some(expected) => compare(value, expected, &at, findings),
            None if value.is_null() => findings.push(encoding_error(
                at,
                "a `null` the reference would leave out (it never writes null for a model field)",
            )),
            None => findings.push(encoding_error(
                at,
                "a field the reference would not emit (not part of this type)",
            )),
        }
    }
    for (key, value) in expected {
        if !got.contains_key(key) {
            findings.push(Finding::warning(
                Area::Encoding,
                "protocol#serialization",
                field_path(path, key),
                format!(
                    "missing; the reference always writes it (default {})",
                    short(value)
                ),
            ));
        }
    }
    let got_order: Vec<&String> = got.keys().filter(|k| expected.contains_key(*k)).collect();
    let expected_order: Vec<&String> = expected.keys().filter(|k| got.contains_key(*k)).collect();
    if got_order != expected_order {
        findings.push(Finding::warning(
            Area::Encoding,
            "protocol#serialization",
            path,
            format!("fields in the order {got_order:?}; the reference writes {expected_order:?}"),
        ));
    }
}

/// Two strings that name the same instant in any form the protocol allows (protocol#timestamps).
fn same_instant(got: &Value, expected: &Value) -> bool {
    let (Value::String(got), Value::String(expected)) = (got, expected) else {
        return false;
    };
    match (Timestamp::parse(got), Timestamp::parse(expected)) {
        (Ok(got), Ok(expected)) => got == expected,
        _ => false,
    }
}

fn field_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A value in at most 60 characters, for a one-line reason.
pub(crate) fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        return text;
    }
    let head: String = text.chars().take(57).collect();
    format!("{head}...")
}

/// The first line of a message, so a reason stays on one line.
pub(crate) fn one_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

fn encoding_error(path: impl Into<String>, reason: impl Into<String>) -> Finding {
    Finding::error(Area::Encoding, "protocol#serialization", path, reason)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::ThreadStreamEvent;

    #[test]
    fn a_naive_timestamp_equals_its_utc_form() {
        let got = json!({"a": "2025-01-02T03:04:05.100000"});
        let expected = json!({"a": "2025-01-02T03:04:05.1Z"});
        assert_eq!(differences(&got, &expected, ""), Vec::new());
    }

    #[test]
    fn an_unparseable_event_is_one_error_with_the_reason() {
        // serde cannot track the path inside internally tagged enums (they are buffered), so
        // the path is the event's, and the reason carries serde's explanation.
        let event = json!({"type": "progress_update", "text": 5});
        let (typed, findings) = roundtrip::<ThreadStreamEvent>(&event, "event 1");
        assert!(typed.is_none());
        assert_eq!(findings.len(), 1);
        assert!(findings[0].path.starts_with("event 1"), "{findings:?}");
        assert!(
            findings[0].reason.contains("expected a string"),
            "{findings:?}"
        );
    }
}
