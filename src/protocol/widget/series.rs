//! Chart props: the x-axis and the three series kinds of a `Chart`.
//!
//! Python counterpart: `XAxisConfig`, `BarSeries`, `AreaSeries`, `LineSeries` and the `Series`
//! union in `chatkit/widgets.py`. The series are pydantic models (not TypedDicts), picked by
//! their `type`, which they write first; unknown keys are dropped, as in the reference.

use indexmap::IndexMap;
use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lax;
use super::props::Color;
use super::tokens::CurveType;

/// The x-axis of a chart, as an object: `{"dataKey":"month","hide":false}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XAxisConfig {
    /// Column of each data row used for the categories.
    #[serde(rename = "dataKey")]
    pub data_key: String,
    /// Hide the axis line, ticks and labels.
    #[serde(
        default,
        deserialize_with = "lax::present_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub hide: Option<bool>,
    /// Display labels per tick value, in the given order.
    #[serde(
        default,
        deserialize_with = "lax::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub labels: Option<IndexMap<String, String>>,
}

/// Python `str | XAxisConfig`: the x-axis of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum XAxis {
    /// Just the column name (`"month"`).
    DataKey(String),
    /// Full configuration.
    Config(XAxisConfig),
}

impl<'de> Deserialize<'de> for XAxis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(key) => Ok(XAxis::DataKey(key)),
            value => XAxisConfig::deserialize(value)
                .map(XAxis::Config)
                .map_err(D::Error::custom),
        }
    }
}

/// A bar series: `{"type":"bar","label":"Sales","dataKey":"sales"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarSeries {
    /// Legend label. The key is required, but may be `null`.
    #[serde(
        deserialize_with = "lax::required_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// Column of each data row holding the value.
    #[serde(rename = "dataKey")]
    pub data_key: String,
    /// Stack group id; series with the same id stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Series color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
}

/// An area series: like a bar series, plus a curve type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSeries {
    /// Legend label. The key is required, but may be `null`.
    #[serde(
        deserialize_with = "lax::required_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// Column of each data row holding the value.
    #[serde(rename = "dataKey")]
    pub data_key: String,
    /// Stack group id; series with the same id stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Series color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// How points are joined.
    #[serde(rename = "curveType", default, skip_serializing_if = "Option::is_none")]
    pub curve_type: Option<CurveType>,
}

/// A line series: no stacking, but a curve type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSeries {
    /// Legend label. The key is required, but may be `null`.
    #[serde(
        deserialize_with = "lax::required_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// Column of each data row holding the value.
    #[serde(rename = "dataKey")]
    pub data_key: String,
    /// Series color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// How points are joined.
    #[serde(rename = "curveType", default, skip_serializing_if = "Option::is_none")]
    pub curve_type: Option<CurveType>,
}

/// One series of a chart, picked by its `type` (`bar`, `area`, `line`), which is written first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Series {
    /// `"bar"`.
    #[serde(rename = "bar")]
    Bar(BarSeries),
    /// `"area"`.
    #[serde(rename = "area")]
    Area(AreaSeries),
    /// `"line"`.
    #[serde(rename = "line")]
    Line(LineSeries),
}

impl Series {
    /// A bar series of column `data_key`, labelled `label`.
    pub fn bar(label: impl Into<String>, data_key: impl Into<String>) -> Self {
        Series::Bar(BarSeries {
            label: Some(label.into()),
            data_key: data_key.into(),
            stack: None,
            color: None,
        })
    }
}
