//! Python's `json.dumps(value)`, byte for byte.
//!
//! The reference converter writes a client tool call's arguments and output with
//! `json.dumps(...)` and its defaults (protocol#client-tools), and the model then reads those
//! exact strings in every later turn. `serde_json::to_string` writes different bytes for the
//! same value, so the history would not match the reference's:
//!
//! | | `json.dumps` (defaults) | `serde_json::to_string` |
//! |---|---|---|
//! | separators | `", "` and `": "` | `","` and `":"` |
//! | non-ASCII | `\u00e9`; a character beyond U+FFFF as a surrogate pair `\ud83d\udc4b` (`ensure_ascii=True`) | raw UTF-8 |
//! | DEL (U+007F) | `\u007f` | raw |
//! | floats | `repr(float)`: `1e+16`, `1e-05`, `1.0` | `1e16`, `1e-5`, `1.0` |
//!
//! Both keep the object's key order (this crate enables serde_json's `preserve_order`) and
//! escape `"`, `\` and control characters the same way (`\n`, `\t`, … and `\u0001`).
//!
//! Limitation: an integer beyond 64 bits reaches us as a float (serde_json without
//! `arbitrary_precision`), so it prints as one; Python would print every digit.

use std::fmt::Write;

use serde_json::{Map, Number, Value};

/// `json.dumps(value)` with Python's default settings: `", "` / `": "` separators, every
/// non-ASCII character escaped as `\uXXXX` (lowercase hex, surrogate pairs beyond U+FFFF),
/// floats as Python's `repr`, key order kept.
///
/// ```
/// use chatkit::agent::history::python_json_dumps;
/// use serde_json::json;
///
/// assert_eq!(
///     python_json_dumps(&json!({"project": "café", "ids": [1, 2.0]})),
///     r#"{"project": "caf\u00e9", "ids": [1, 2.0]}"#
/// );
/// ```
pub fn python_json_dumps(value: &Value) -> String {
    // Written by hand instead of through a custom `serde_json::ser::Formatter`: a formatter
    // can change separators, but not how strings are escaped (`ensure_ascii`) or how floats
    // are printed, which is most of the difference.
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>) {
    out.push('{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(out, key);
        out.push_str(": ");
        write_value(out, value);
    }
    out.push('}');
}

fn write_number(out: &mut String, number: &Number) {
    // Integers print as integers; only a JSON number with a fraction or an exponent is a
    // float, in Python as in serde_json. `i64` is tried before `u64` so negative numbers
    // print; a `u64` beyond `i64::MAX` still prints in full.
    if let Some(n) = number.as_i64() {
        let _ = write!(out, "{n}");
    } else if let Some(n) = number.as_u64() {
        let _ = write!(out, "{n}");
    } else if let Some(f) = number.as_f64() {
        out.push_str(&python_float_repr(f));
    }
}

/// Python's `repr(float)`: the shortest digits that read back as the same float (the same
/// digits Rust's `{:e}` picks), in fixed notation when the decimal exponent is between -4 and
/// 15, otherwise in scientific notation with a signed, at least two-digit exponent.
fn python_float_repr(f: f64) -> String {
    // `{:e}` gives "-1.2345e-7": the shortest round-trip digits and the exponent of the first.
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` writes an integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();

    // CPython's `float_repr_style = 'short'` switches to scientific notation below 1e-4 and
    // from 1e16 up; these are its bounds, checked by the test table below.
    let body = if (-4..16).contains(&exponent) {
        fixed_notation(&digits, exponent)
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{first}{fraction}e{exponent_sign}{:02}", exponent.abs())
    };
    format!("{sign}{body}")
}

/// `digits` × 10^(`exponent` − len + 1) in fixed notation, always with a fraction (`1.0`).
fn fixed_notation(digits: &str, exponent: i32) -> String {
    // Below 1: leading zeros after the point (`1.2e-3` → `0.0012`).
    if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        return format!("0.{zeros}{digits}");
    }
    let int_len = exponent as usize + 1;
    // All digits before the point: pad with zeros and add `.0`, since Python always shows
    // that a float is one (`1e15` → `1000000000000000.0`).
    if digits.len() <= int_len {
        let zeros = "0".repeat(int_len - digits.len());
        format!("{digits}{zeros}.0")
    } else {
        let (int_part, fraction) = digits.split_at(int_len);
        format!("{int_part}.{fraction}")
    }
}

/// A JSON string as Python writes it with `ensure_ascii=True`: only printable ASCII stays raw.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    // The short escapes are exactly Python's (`\b` and `\f` included, which serde_json
    // also uses); `/` stays raw, as in Python.
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                // Everything else (control characters, DEL, non-ASCII) as UTF-16 code units.
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn separators_have_a_space_after_them() {
        assert_eq!(
            python_json_dumps(&json!({"nodes": [{"id": "a"}, {"id": "b"}]})),
            r#"{"nodes": [{"id": "a"}, {"id": "b"}]}"#
        );
    }

    #[test]
    fn empty_containers_and_scalars() {
        assert_eq!(python_json_dumps(&json!({})), "{}");
        assert_eq!(python_json_dumps(&json!([])), "[]");
        assert_eq!(python_json_dumps(&json!(null)), "null");
        assert_eq!(python_json_dumps(&json!([true, false])), "[true, false]");
        assert_eq!(python_json_dumps(&json!("text")), r#""text""#);
    }

    #[test]
    fn key_order_is_kept() {
        let value: Value = serde_json::from_str(r#"{"z": 1, "a": 2, "m": 3}"#).expect("json");
        assert_eq!(python_json_dumps(&value), r#"{"z": 1, "a": 2, "m": 3}"#);
    }

    #[test]
    fn non_ascii_is_escaped_with_lowercase_hex() {
        assert_eq!(
            python_json_dumps(&json!("café 日本")),
            r#""caf\u00e9 \u65e5\u672c""#
        );
    }

    #[test]
    fn characters_beyond_the_bmp_become_surrogate_pairs() {
        assert_eq!(
            python_json_dumps(&json!("👋🚀")),
            r#""\ud83d\udc4b\ud83d\ude80""#
        );
    }

    #[test]
    fn control_characters_del_and_separators_are_escaped() {
        assert_eq!(
            python_json_dumps(&json!(
                "\"\\\n\r\t\u{08}\u{0c}\u{01}\u{1f}\u{7f}\u{2028}/<>"
            )),
            r#""\"\\\n\r\t\b\f\u0001\u001f\u007f\u2028/<>""#
        );
    }

    #[test]
    fn keys_are_escaped_like_values() {
        assert_eq!(
            python_json_dumps(&json!({"unicode_key_é": 1})),
            r#"{"unicode_key_\u00e9": 1}"#
        );
    }

    #[test]
    fn integers_print_in_full() {
        assert_eq!(
            python_json_dumps(&json!([0, -1, u64::MAX, i64::MIN])),
            "[0, -1, 18446744073709551615, -9223372036854775808]"
        );
    }

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-2.5e-300, "-2.5e-300"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ];
        for (float, repr) in cases {
            assert_eq!(python_json_dumps(&json!(float)), repr, "repr({float:e})");
        }
    }
}
