//! The small print of reading and writing widgets the way pydantic does.
//!
//! Two jobs live here, both used through serde attributes on the component structs:
//!
//! * **Lax input.** Pydantic validates widget JSON in "lax" mode, so a `bool` prop also takes
//!   `1`, `"true"` or `"yes"`, and an `int` prop takes `2.0` or `"3"`. Whether a value is
//!   accepted decides whether a node stays a typed component or falls back to a free-form one,
//!   and that changes the output, so we accept exactly the forms pydantic accepts for the
//!   scalar kinds a widget uses. `float` props come in `float | str` unions only, where a
//!   string is always kept as a string, so no string-to-float rule is needed.
//! * **Null removal on output.** The reference's widget serializer (`_drop_none` in
//!   `chatkit/widgets.py`) removes `null` values recursively from the dumped tree, also inside
//!   free-form values (an action's payload, unknown props), except a key named `children`,
//!   which it keeps even when null. Typed `Option` fields are simply skipped; free-form values
//!   go through [`strip_nulls`].

use serde::de::{Deserialize, Deserializer, Error};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::protocol::action::ActionConfig;

/// The strings pydantic reads as `true` (compared without regard to case).
const TRUE_WORDS: [&str; 6] = ["true", "yes", "on", "1", "t", "y"];
/// The strings pydantic reads as `false` (compared without regard to case).
const FALSE_WORDS: [&str; 6] = ["false", "no", "off", "0", "f", "n"];

/// A `bool` in pydantic's lax mode: `true`/`false`, the numbers 0 and 1, or one of the words
/// above. Anything else (`2`, `" true"`, `null`) is not a bool.
pub(super) fn bool_from(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => match number.as_f64() {
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            _ => None,
        },
        Value::String(text) => {
            let text = text.to_ascii_lowercase();
            if TRUE_WORDS.contains(&text.as_str()) {
                Some(true)
            } else if FALSE_WORDS.contains(&text.as_str()) {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// An `int` in pydantic's lax mode: an integer, a float with no fraction (`2.0`), a bool, or
/// a string holding one of those (`" 3 "`, `"+3"`, `"3_000"`, `"3.0"`).
///
/// Integers must fit an `i64`; pydantic also takes bigger ones (a known gap).
pub(super) fn int_from(value: &Value) -> Option<i64> {
    match value {
        Value::Bool(flag) => Some(i64::from(*flag)),
        Value::Number(number) => number.as_i64().or_else(|| whole_f64(number.as_f64()?)),
        Value::String(text) => int_from_text(text),
        _ => None,
    }
}

/// A float with no fractional part, as an `i64` (`2.0` → 2, `2.5` → none).
pub(super) fn whole_f64(number: f64) -> Option<i64> {
    // The range check keeps `as` from saturating: 1e20 is not an i64.
    let in_range = number >= i64::MIN as f64 && number < i64::MAX as f64;
    (number.fract() == 0.0 && in_range).then_some(number as i64)
}

/// Python's `int()` rules for text, as pydantic applies them: surrounding whitespace, a sign,
/// `_` between digits, and a `.0…` fraction are fine.
fn int_from_text(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if !fraction.chars().all(|c| c == '0') {
        return None;
    }
    let digits = whole.strip_prefix(['+', '-']).unwrap_or(whole);
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !well_formed {
        return None;
    }
    whole.replace('_', "").parse().ok()
}

/// Reads a required lax `bool` prop.
pub(super) fn bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = Value::deserialize(deserializer)?;
    bool_from(&value).ok_or_else(|| D::Error::custom(format!("expected a boolean, got {value}")))
}

/// Reads an optional lax `bool` prop; `null` means absent.
pub(super) fn opt_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        value => bool_from(&value)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected a boolean, got {value}"))),
    }
}

/// Reads a `NotRequired[bool]` key of a TypedDict: missing is fine, `null` is not.
pub(super) fn present_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    bool(deserializer).map(Some)
}

/// Reads a required lax `int` prop.
pub(super) fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    int_from(&value).ok_or_else(|| D::Error::custom(format!("expected an integer, got {value}")))
}

/// Reads an optional lax `int` prop; `null` means absent.
pub(super) fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        value => int_from(&value)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected an integer, got {value}"))),
    }
}

/// Reads a field that must be *present* but may be `null` (Python `x: T | None` with no
/// default, such as `Transition.children` or a chart series' `label`).
///
/// Serde treats a missing `Option` field as `None`; going through `deserialize_with` turns
/// that off, so a missing key is an error, as in pydantic.
pub(super) fn required_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// Reads a `NotRequired[T]` key of a TypedDict: it may be missing, but when present it must be
/// a `T`, and `null` is not a `T` (pydantic rejects `{"top": null}` as a `Spacing`).
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Reads `Chart.data`, typed `list[dict[str, str | int | float]]` in the reference.
///
/// Each cell must be a string or a number; a bool becomes the integer 0 or 1 (pydantic's lax
/// `int`, the first member of the union that accepts it). `null`, lists and objects make the
/// chart invalid, so it falls back to a free-form component.
pub(super) fn chart_rows<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Map<String, Value>>, D::Error> {
    let mut rows = Vec::<Map<String, Value>>::deserialize(deserializer)?;
    for row in &mut rows {
        for (column, cell) in row.iter_mut() {
            match cell {
                Value::String(_) | Value::Number(_) => {}
                Value::Bool(flag) => *cell = Value::from(i64::from(*flag)),
                other => {
                    return Err(D::Error::custom(format!(
                        "chart cell `{column}` must be a string or a number, got {other}"
                    )));
                }
            }
        }
    }
    Ok(rows)
}

/// Removes nulls from a free-form value the way the reference's `_drop_none` does: from
/// objects (except under a key named `children`) and from lists, at every depth.
pub fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(strip_nulls_in_map(map)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .filter(|item| !item.is_null())
                .map(strip_nulls)
                .collect(),
        ),
        scalar => scalar,
    }
}

/// [`strip_nulls`] for the entries of an object, keeping their order.
pub(super) fn strip_nulls_in_map(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .filter(|(key, value)| key == "children" || !value.is_null())
        .map(|(key, value)| (key, strip_nulls(value)))
        .collect()
}

/// Writes extra (free-form) props without their nulls; used with `#[serde(flatten)]`.
pub(super) fn props_without_nulls<S: Serializer>(
    props: &Map<String, Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    strip_nulls_in_map(props.clone()).serialize(serializer)
}

/// Writes an action inside a widget: like [`ActionConfig`]'s own form, but the widget
/// serializer also removes nulls from the payload (a standalone `ActionConfig` keeps them).
pub(super) fn action_without_nulls<S: Serializer>(
    action: &Option<ActionConfig>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let action = action.as_ref().map(|action| ActionConfig {
        payload: action.payload.clone().map(strip_nulls),
        ..action.clone()
    });
    action.serialize(serializer)
}

/// [`action_without_nulls`] for a required action (a card's confirm/cancel button).
pub(super) fn required_action_without_nulls<S: Serializer>(
    action: &ActionConfig,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    action_without_nulls(&Some(action.clone()), serializer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lax_bool_accepts_pydantics_words_and_numbers_only() {
        for yes in [
            json!(true),
            json!(1),
            json!(1.0),
            json!("TRUE"),
            json!("yes"),
            json!("y"),
        ] {
            assert_eq!(bool_from(&yes), Some(true), "{yes}");
        }
        for no in [json!(false), json!(0), json!("off"), json!("f"), json!("0")] {
            assert_eq!(bool_from(&no), Some(false), "{no}");
        }
        for neither in [json!(2), json!(1.5), json!(" true"), json!(null), json!([])] {
            assert_eq!(bool_from(&neither), None, "{neither}");
        }
    }

    #[test]
    fn lax_int_accepts_whole_numbers_in_any_form() {
        let cases = [
            (json!(3), Some(3)),
            (json!(3.0), Some(3)),
            (json!(-0.0), Some(0)),
            (json!(true), Some(1)),
            (json!(" 3 "), Some(3)),
            (json!("+3"), Some(3)),
            (json!("-3"), Some(-3)),
            (json!("3_000"), Some(3000)),
            (json!("3.0"), Some(3)),
            (json!(3.5), None),
            (json!("3.5"), None),
            (json!("1e3"), None),
            (json!("0x10"), None),
            (json!(1e20), None),
        ];
        for (input, expected) in cases {
            assert_eq!(int_from(&input), expected, "{input}");
        }
    }

    #[test]
    fn strip_nulls_keeps_children_keys_and_list_order() {
        let value = json!({"a": null, "children": null, "l": [1, null, {"b": null}], "n": 0});
        assert_eq!(
            strip_nulls(value).to_string(),
            r#"{"children":null,"l":[1,{}],"n":0}"#
        );
    }
}
