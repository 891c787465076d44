//! Structured prop values: colors, spacing, borders, options, statuses.
//!
//! Python counterpart: the `TypedDict`s of `chatkit/widgets.py` (`ThemeColor`, `Spacing`,
//! `Border`, `Borders`, `CardAction`, `SelectOption`, `RadioOption`, `EditableProps`,
//! `WidgetStatus*`) and the unions built from them (`str | ThemeColor`, `float | str |
//! Spacing`, `int | Border | Borders`, …). Chart props live in `series.rs`, dates in
//! `date_time.rs`.
//!
//! Rules they all follow, matching pydantic:
//!
//! * Fields are written in declaration order, whatever order they came in.
//! * Unknown keys are dropped (pydantic ignores them in a `TypedDict`; only *components* keep
//!   unknown props here, see the `widget` module doc).
//! * A `NotRequired` key may be missing, but a present `null` is invalid (`lax::present`).
//! * A union is read the way pydantic's "smart" union reads it: a string stays a string, a
//!   number goes to the numeric member, and when two object shapes both fit, the one that
//!   recognises more of the given keys wins (a tie goes to the first one declared).

use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::lax;
use super::tokens::BorderStyle;
use crate::protocol::action::ActionConfig;
use crate::protocol::icon::IconName;

/// A color for each theme: `{"dark":"#fff","light":"#000"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeColor {
    /// The color in the dark theme.
    pub dark: String,
    /// The color in the light theme.
    pub light: String,
}

/// A color: a token (`"secondary"`, `"red-100"`), any CSS color, or one per theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Color {
    /// A color token or CSS color string.
    Token(String),
    /// Separate colors for the light and dark themes.
    Theme(ThemeColor),
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(token) => Ok(Color::Token(token)),
            value @ Value::Object(_) => ThemeColor::deserialize(value)
                .map(Color::Theme)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!("expected a color, got {other}"))),
        }
    }
}

impl From<&str> for Color {
    fn from(token: &str) -> Self {
        Color::Token(token.to_owned())
    }
}

/// Python `float | str`: a number of pixels or spacing units, or a CSS string.
///
/// An integer read here becomes a float and is written back as `1.0`, as pydantic does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FloatOrString {
    /// A number (`true`/`false` read as 1.0/0.0, pydantic's lax float).
    Number(f64),
    /// A CSS string such as `"50%"` or `"2rem"`.
    String(String),
}

impl<'de> Deserialize<'de> for FloatOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => Ok(FloatOrString::String(text)),
            Value::Number(number) => number
                .as_f64()
                .map(FloatOrString::Number)
                .ok_or_else(|| D::Error::custom("number out of range")),
            Value::Bool(flag) => Ok(FloatOrString::Number(f64::from(u8::from(flag)))),
            other => Err(D::Error::custom(format!(
                "expected a number or a string, got {other}"
            ))),
        }
    }
}

impl From<f64> for FloatOrString {
    fn from(number: f64) -> Self {
        FloatOrString::Number(number)
    }
}

impl From<&str> for FloatOrString {
    fn from(text: &str) -> Self {
        FloatOrString::String(text.to_owned())
    }
}

/// Python `int | str`: a whole number, or a CSS string or token.
///
/// A float with no fraction (`2.0`) is read as the integer 2, as pydantic's lax `int` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// A whole number.
    Number(i64),
    /// A CSS string or token.
    String(String),
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => Ok(IntOrString::String(text)),
            value => lax::int_from(&value)
                .map(IntOrString::Number)
                .ok_or_else(|| {
                    D::Error::custom(format!("expected an integer or a string, got {value}"))
                }),
        }
    }
}

impl From<i64> for IntOrString {
    fn from(number: i64) -> Self {
        IntOrString::Number(number)
    }
}

impl From<&str> for IntOrString {
    fn from(text: &str) -> Self {
        IntOrString::String(text.to_owned())
    }
}

/// Spacing per side: `{"top":1.0,"x":"2px"}`. Written in the order top, right, bottom, left,
/// x, y.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Spacing {
    /// Top.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub top: Option<FloatOrString>,
    /// Right.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub right: Option<FloatOrString>,
    /// Bottom.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub bottom: Option<FloatOrString>,
    /// Left.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub left: Option<FloatOrString>,
    /// Left and right.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub x: Option<FloatOrString>,
    /// Top and bottom.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub y: Option<FloatOrString>,
}

/// Python `float | str | Spacing`: padding or margin of a card or a box.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SpacingValue {
    /// The same spacing on every side, in spacing units.
    Number(f64),
    /// A CSS string.
    String(String),
    /// Spacing per side.
    Sides(Spacing),
}

impl<'de> Deserialize<'de> for SpacingValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            value @ Value::Object(_) => Spacing::deserialize(value)
                .map(SpacingValue::Sides)
                .map_err(D::Error::custom),
            value => match FloatOrString::deserialize(value).map_err(D::Error::custom)? {
                FloatOrString::Number(number) => Ok(SpacingValue::Number(number)),
                FloatOrString::String(text) => Ok(SpacingValue::String(text)),
            },
        }
    }
}

impl From<f64> for SpacingValue {
    fn from(number: f64) -> Self {
        SpacingValue::Number(number)
    }
}

/// Python `int | str | Spacing`: the margin of an `Image` (whole numbers, unlike
/// [`SpacingValue`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ImageMargin {
    /// The same margin on every side.
    Number(i64),
    /// A CSS string.
    String(String),
    /// Margin per side.
    Sides(Spacing),
}

impl<'de> Deserialize<'de> for ImageMargin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            value @ Value::Object(_) => Spacing::deserialize(value)
                .map(ImageMargin::Sides)
                .map_err(D::Error::custom),
            value => match IntOrString::deserialize(value).map_err(D::Error::custom)? {
                IntOrString::Number(number) => Ok(ImageMargin::Number(number)),
                IntOrString::String(text) => Ok(ImageMargin::String(text)),
            },
        }
    }
}

/// One border: `{"size":1,"color":"subtle","style":"dashed"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Border {
    /// Thickness in px.
    #[serde(deserialize_with = "lax::int")]
    pub size: i64,
    /// Border color: a token, a CSS color, or one per theme.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub color: Option<Color>,
    /// Line style.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub style: Option<BorderStyle>,
}

impl Border {
    /// Names of the keys a `Border` knows, to score it against [`Borders`].
    const KEYS: [&'static str; 3] = ["size", "color", "style"];
}

/// Python `int | Border`: one edge of [`Borders`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum BorderEdge {
    /// Thickness in px.
    Width(i64),
    /// A full border.
    Border(Border),
}

impl<'de> Deserialize<'de> for BorderEdge {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            value @ Value::Object(_) => Border::deserialize(value)
                .map(BorderEdge::Border)
                .map_err(D::Error::custom),
            value => lax::int_from(&value)
                .map(BorderEdge::Width)
                .ok_or_else(|| D::Error::custom(format!("expected a border, got {value}"))),
        }
    }
}

/// Borders per edge: `{"top":1,"y":{"size":2}}`. Written in the order top, right, bottom,
/// left, x, y.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Borders {
    /// Top edge.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub top: Option<BorderEdge>,
    /// Right edge.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub right: Option<BorderEdge>,
    /// Bottom edge.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub bottom: Option<BorderEdge>,
    /// Left edge.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub left: Option<BorderEdge>,
    /// Left and right edges.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub x: Option<BorderEdge>,
    /// Top and bottom edges.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub y: Option<BorderEdge>,
}

impl Borders {
    /// Names of the keys a `Borders` knows, to score it against [`Border`].
    const KEYS: [&'static str; 6] = ["top", "right", "bottom", "left", "x", "y"];
}

/// Python `int | Border | Borders`: the border of a box.
// Variants differ in size (`Borders` holds six edges); a prop is built once and rarely
// moved, so we keep plain variants rather than boxing them for every user to unwrap.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum BorderValue {
    /// The same thickness on every edge, in px.
    Width(i64),
    /// The same border on every edge.
    Border(Border),
    /// Borders per edge.
    Borders(Borders),
}

impl<'de> Deserialize<'de> for BorderValue {
    /// An object may fit both `Border` and `Borders` (each ignores keys it does not know);
    /// the one that recognises more keys wins, and `Border` wins a tie (pydantic's smart
    /// union): `{"top":1,"size":2}` is the border `{"size":2}`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Object(map) = &value else {
            return lax::int_from(&value)
                .map(BorderValue::Width)
                .ok_or_else(|| D::Error::custom(format!("expected a border, got {value}")));
        };
        let border = Border::deserialize(&value).ok();
        let borders = Borders::deserialize(&value).ok();
        match (border, borders) {
            (Some(border), Some(borders)) => {
                if count_keys(map, &Borders::KEYS) > count_keys(map, &Border::KEYS) {
                    Ok(BorderValue::Borders(borders))
                } else {
                    Ok(BorderValue::Border(border))
                }
            }
            (Some(border), None) => Ok(BorderValue::Border(border)),
            (None, Some(borders)) => Ok(BorderValue::Borders(borders)),
            (None, None) => Err(D::Error::custom(format!("expected a border, got {value}"))),
        }
    }
}

/// How many of `keys` an object has: pydantic's score for picking a union member.
fn count_keys(map: &Map<String, Value>, keys: &[&str]) -> usize {
    keys.iter().filter(|key| map.contains_key(**key)).count()
}

/// A status line with a favicon: `{"text":"Found 3 flights","favicon":"https://…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetStatusWithFavicon {
    /// Status text.
    pub text: String,
    /// URL of a favicon shown before the text.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub favicon: Option<String>,
    /// Draw a frame around the favicon.
    #[serde(
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub frame: Option<bool>,
}

/// A status line with an icon: `{"text":"Booked","icon":"check"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetStatusWithIcon {
    /// Status text.
    pub text: String,
    /// Icon shown before the text.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<IconName>,
}

/// The status header of a card or a list view (Python `WidgetStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum WidgetStatus {
    /// With a favicon.
    WithFavicon(WidgetStatusWithFavicon),
    /// With an icon.
    WithIcon(WidgetStatusWithIcon),
}

impl<'de> Deserialize<'de> for WidgetStatus {
    /// Both shapes ignore keys they do not know, so `{"text":"t"}` fits both (the favicon
    /// form wins the tie) and `{"text":"t","icon":"nope"}` fits only the favicon form, which
    /// drops the bad icon: exactly what pydantic does.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Object(map) = &value else {
            return Err(D::Error::custom(format!(
                "expected a status object, got {value}"
            )));
        };
        let with_favicon = WidgetStatusWithFavicon::deserialize(&value);
        let with_icon = WidgetStatusWithIcon::deserialize(&value);
        match (with_favicon, with_icon) {
            (Ok(favicon), Ok(icon)) => {
                if count_keys(map, &["text", "icon"])
                    > count_keys(map, &["text", "favicon", "frame"])
                {
                    Ok(WidgetStatus::WithIcon(icon))
                } else {
                    Ok(WidgetStatus::WithFavicon(favicon))
                }
            }
            (Ok(favicon), Err(_)) => Ok(WidgetStatus::WithFavicon(favicon)),
            (Err(_), Ok(icon)) => Ok(WidgetStatus::WithIcon(icon)),
            (Err(error), Err(_)) => Err(D::Error::custom(error)),
        }
    }
}

impl WidgetStatus {
    /// A status with text and an icon.
    pub fn with_icon(text: impl Into<String>, icon: IconName) -> Self {
        WidgetStatus::WithIcon(WidgetStatusWithIcon {
            text: text.into(),
            icon: Some(icon),
        })
    }
}

/// A confirm or cancel button in a card's footer: `{"label":"Book","action":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardAction {
    /// Button label.
    pub label: String,
    /// The action it fires.
    #[serde(serialize_with = "lax::required_action_without_nulls")]
    pub action: ActionConfig,
}

impl CardAction {
    /// A footer button labelled `label` that fires `action`.
    pub fn new(label: impl Into<String>, action: ActionConfig) -> Self {
        CardAction {
            label: label.into(),
            action,
        }
    }
}

/// One option of a `Select`: `{"value":"fr","label":"France"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    /// Value submitted with the form.
    pub value: String,
    /// Label shown to the user.
    pub label: String,
    /// Whether the option is disabled.
    #[serde(
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
    /// Secondary text under the label.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

/// One option of a `RadioGroup`: `{"label":"Yes","value":"y"}` (label first, unlike
/// [`SelectOption`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadioOption {
    /// Label shown next to the radio button.
    pub label: String,
    /// Value submitted when chosen.
    pub value: String,
    /// Whether the option is disabled.
    #[serde(
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
}

/// How an editable `Text` behaves: `{"name":"title","required":true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableProps {
    /// Form field name used when submitting.
    pub name: String,
    /// Focus the input when it appears.
    #[serde(
        rename = "autoFocus",
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_focus: Option<bool>,
    /// Select all text on focus.
    #[serde(
        rename = "autoSelect",
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_select: Option<bool>,
    /// Native autocomplete hint.
    #[serde(
        rename = "autoComplete",
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_complete: Option<String>,
    /// Allow password managers and autofill extensions.
    #[serde(
        rename = "allowAutofillExtensions",
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub allow_autofill_extensions: Option<bool>,
    /// Regex the value must match.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub pattern: Option<String>,
    /// Placeholder text.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub placeholder: Option<String>,
    /// Whether a value is required.
    #[serde(
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub required: Option<bool>,
}

/// Python `Literal[False] | EditableProps`: a `Text` that is explicitly not editable, or how
/// to edit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Editable {
    /// `false`.
    No,
    /// The editing options.
    Props(EditableProps),
}

impl Serialize for Editable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Editable::No => serializer.serialize_bool(false),
            Editable::Props(props) => props.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Editable {
    /// `false` (or `0`, which pydantic's lax mode also takes for `Literal[False]`), or an
    /// object. `true` is not valid.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            value @ Value::Object(_) => EditableProps::deserialize(value)
                .map(Editable::Props)
                .map_err(D::Error::custom),
            value @ (Value::Bool(_) | Value::Number(_))
                if lax::bool_from(&value) == Some(false) =>
            {
                Ok(Editable::No)
            }
            other => Err(D::Error::custom(format!(
                "expected `false` or editing options, got {other}"
            ))),
        }
    }
}

/// Python `int | Literal["auto"]`: how many list items show before "Show more".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListLimit {
    /// A fixed number of items.
    Count(i64),
    /// `"auto"`: let the client decide.
    Auto,
}

impl Serialize for ListLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ListLimit::Count(count) => serializer.serialize_i64(*count),
            ListLimit::Auto => serializer.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for ListLimit {
    /// `"auto"`, or anything pydantic's lax `int` takes (`5`, `5.0`, `"5"`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value == "auto" {
            return Ok(ListLimit::Auto);
        }
        lax::int_from(&value)
            .map(ListLimit::Count)
            .ok_or_else(|| D::Error::custom(format!("expected a count or \"auto\", got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn wire<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("serializes")
    }

    #[test]
    fn typed_dicts_are_written_in_declaration_order_without_unknown_keys() {
        let color: Color =
            serde_json::from_value(json!({"light": "a", "dark": "b"})).expect("theme");
        assert_eq!(wire(&color), r#"{"dark":"b","light":"a"}"#);
        let spacing: SpacingValue =
            serde_json::from_value(json!({"y": 1, "zz": 3, "top": "2px"})).expect("spacing");
        assert_eq!(wire(&spacing), r#"{"top":"2px","y":1.0}"#);
    }

    #[test]
    fn a_null_in_a_typed_dict_is_invalid() {
        assert!(serde_json::from_value::<SpacingValue>(json!({"top": null})).is_err());
    }

    #[test]
    fn smart_unions_pick_the_shape_that_knows_more_keys() {
        let border: BorderValue =
            serde_json::from_value(json!({"top": 1, "size": 2})).expect("tie");
        assert_eq!(wire(&border), r#"{"size":2}"#);
        let borders: BorderValue =
            serde_json::from_value(json!({"y": {"size": 2}, "top": 1})).expect("edges");
        assert_eq!(wire(&borders), r#"{"top":1,"y":{"size":2}}"#);
        let status: WidgetStatus =
            serde_json::from_value(json!({"icon": "nope", "text": "t"})).expect("favicon form");
        assert_eq!(wire(&status), r#"{"text":"t"}"#);
        let status: WidgetStatus =
            serde_json::from_value(json!({"icon": "bolt", "text": "t"})).expect("icon form");
        assert_eq!(wire(&status), r#"{"text":"t","icon":"bolt"}"#);
    }

    #[test]
    fn numbers_follow_the_declared_python_type() {
        let float: FloatOrString = serde_json::from_value(json!(1)).expect("float");
        assert_eq!(wire(&float), "1.0");
        let int: IntOrString = serde_json::from_value(json!(2.0)).expect("int");
        assert_eq!(wire(&int), "2");
        assert!(serde_json::from_value::<IntOrString>(json!(2.5)).is_err());
        let limit: ListLimit = serde_json::from_value(json!("5")).expect("lax int");
        assert_eq!(limit, ListLimit::Count(5));
    }
}
