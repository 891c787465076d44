//! Content components: text, headings, markdown, badges, icons, images and charts.
//!
//! Python counterpart: `Text`, `Title`, `Caption`, `Markdown`, `Badge`, `Icon`, `Image` and
//! `Chart` in `chatkit/widgets.py`. Each struct writes `key`, `id`, `type`, then its props in
//! the reference's declaration order, then any unknown props it was given (`extra`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lax;
use super::props::{Color, Editable, FloatOrString, ImageMargin, IntOrString};
use super::series::{Series, XAxis};
use super::tokens::{
    BadgeColor, BadgeSize, BadgeVariant, CaptionSize, FontWeight, IconSize, ImageFit,
    ImagePosition, RadiusValue, TextAlign, TextSize, TitleSize,
};
use crate::protocol::icon::IconName;
use crate::protocol::literal::literal_type;

literal_type!(
    /// The `"type":"Text"` of a [`Text`].
    TextType = "Text"
);

/// Widget rendering plain text with typography controls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Text {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Text"`.
    #[serde(rename = "type", default)]
    pub kind: TextType,
    /// Text content to display.
    pub value: String,
    /// Enables streaming-friendly transitions for incremental updates.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub streaming: Option<bool>,
    /// Render text in italic style.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub italic: Option<bool>,
    /// Render text with a line-through decoration.
    #[serde(
        rename = "lineThrough",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub line_through: Option<bool>,
    /// Text color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Font weight; accepts a font weight token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<FontWeight>,
    /// Constrain the text container width; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<FloatOrString>,
    /// Size of the text; accepts a text size token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<TextSize>,
    /// Horizontal text alignment.
    #[serde(rename = "textAlign", skip_serializing_if = "Option::is_none")]
    pub text_align: Option<TextAlign>,
    /// Truncate overflow with ellipsis.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub truncate: Option<bool>,
    /// Reserve space for a minimum number of lines.
    #[serde(
        rename = "minLines",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_lines: Option<i64>,
    /// Limit text to a maximum number of lines (line clamp).
    #[serde(
        rename = "maxLines",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_lines: Option<i64>,
    /// Enable inline editing for this text node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub editable: Option<Editable>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Title"` of a [`Title`].
    TitleType = "Title"
);

/// Widget rendering prominent headline text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Title {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Title"`.
    #[serde(rename = "type", default)]
    pub kind: TitleType,
    /// Text content to display.
    pub value: String,
    /// Text color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Font weight; accepts a font weight token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<FontWeight>,
    /// Size of the title text; accepts a title size token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<TitleSize>,
    /// Horizontal text alignment.
    #[serde(rename = "textAlign", skip_serializing_if = "Option::is_none")]
    pub text_align: Option<TextAlign>,
    /// Truncate overflow with ellipsis.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub truncate: Option<bool>,
    /// Limit text to a maximum number of lines (line clamp).
    #[serde(
        rename = "maxLines",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_lines: Option<i64>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Caption"` of a [`Caption`].
    CaptionType = "Caption"
);

/// Widget rendering supporting caption text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Caption {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Caption"`.
    #[serde(rename = "type", default)]
    pub kind: CaptionType,
    /// Text content to display.
    pub value: String,
    /// Text color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Font weight; accepts a font weight token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<FontWeight>,
    /// Size of the caption text; accepts a caption size token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<CaptionSize>,
    /// Horizontal text alignment.
    #[serde(rename = "textAlign", skip_serializing_if = "Option::is_none")]
    pub text_align: Option<TextAlign>,
    /// Truncate overflow with ellipsis.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub truncate: Option<bool>,
    /// Limit text to a maximum number of lines (line clamp).
    #[serde(
        rename = "maxLines",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_lines: Option<i64>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Markdown"` of a [`Markdown`].
    MarkdownType = "Markdown"
);

/// Widget rendering Markdown content, optionally streamed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Markdown {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Markdown"`.
    #[serde(rename = "type", default)]
    pub kind: MarkdownType,
    /// Markdown source string to render.
    pub value: String,
    /// Applies streaming-friendly transitions for incremental updates.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub streaming: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Badge"` of a [`Badge`].
    BadgeType = "Badge"
);

/// Small badge indicating status or categorization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Badge {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Badge"`.
    #[serde(rename = "type", default)]
    pub kind: BadgeType,
    /// Text to display inside the badge.
    pub label: String,
    /// Color of the badge; accepts a badge color token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<BadgeColor>,
    /// Visual style of the badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<BadgeVariant>,
    /// Size of the badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<BadgeSize>,
    /// Determines if the badge should be fully rounded (pill).
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub pill: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Icon"` of a [`Icon`].
    IconType = "Icon"
);

/// Icon component referencing a built-in icon name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Icon {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Icon"`.
    #[serde(rename = "type", default)]
    pub kind: IconType,
    /// Name of the icon to display.
    pub name: IconName,
    /// Icon color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Size of the icon; accepts an icon size token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<IconSize>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Image"` of a [`Image`].
    ImageType = "Image"
);

/// Image component with sizing and fitting controls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Image"`.
    #[serde(rename = "type", default)]
    pub kind: ImageType,
    /// Image URL source.
    pub src: String,
    /// Alternate text for accessibility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    /// How the image should fit within the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<ImageFit>,
    /// Focal position of the image within the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<ImagePosition>,
    /// Border radius; accepts a radius token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius: Option<RadiusValue>,
    /// Draw a subtle frame around the image.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub frame: Option<bool>,
    /// Flush the image to the container edge, removing surrounding padding.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub flush: Option<bool>,
    /// Explicit height; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<IntOrString>,
    /// Explicit width; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<IntOrString>,
    /// Shorthand to set both width and height; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<IntOrString>,
    /// Minimum height; px or CSS string.
    #[serde(rename = "minHeight", skip_serializing_if = "Option::is_none")]
    pub min_height: Option<IntOrString>,
    /// Minimum width; px or CSS string.
    #[serde(rename = "minWidth", skip_serializing_if = "Option::is_none")]
    pub min_width: Option<IntOrString>,
    /// Shorthand to set both minWidth and minHeight; px or CSS string.
    #[serde(rename = "minSize", skip_serializing_if = "Option::is_none")]
    pub min_size: Option<IntOrString>,
    /// Maximum height; px or CSS string.
    #[serde(rename = "maxHeight", skip_serializing_if = "Option::is_none")]
    pub max_height: Option<IntOrString>,
    /// Maximum width; px or CSS string.
    #[serde(rename = "maxWidth", skip_serializing_if = "Option::is_none")]
    pub max_width: Option<IntOrString>,
    /// Shorthand to set both maxWidth and maxHeight; px or CSS string.
    #[serde(rename = "maxSize", skip_serializing_if = "Option::is_none")]
    pub max_size: Option<IntOrString>,
    /// Outer margin; spacing unit, CSS string, or margin object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<ImageMargin>,
    /// Background color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<Color>,
    /// Aspect ratio of the box (e.g., 16/9); number or CSS string.
    #[serde(rename = "aspectRatio", skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<FloatOrString>,
    /// Flex growth/shrink factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flex: Option<IntOrString>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Chart"` of a [`Chart`].
    ChartType = "Chart"
);

/// Data visualization component for simple bar/line/area charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Chart"`.
    #[serde(rename = "type", default)]
    pub kind: ChartType,
    /// Tabular data for the chart, where each row maps field names to values.
    #[serde(deserialize_with = "lax::chart_rows")]
    pub data: Vec<Map<String, Value>>,
    /// One or more series definitions that describe how to visualize data fields.
    pub series: Vec<Series>,
    /// X-axis configuration; either a `dataKey` string or a config object.
    #[serde(rename = "xAxis")]
    pub x_axis: XAxis,
    /// Controls whether the Y axis is rendered.
    #[serde(
        rename = "showYAxis",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub show_y_axis: Option<bool>,
    /// Controls whether a legend is rendered.
    #[serde(
        rename = "showLegend",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub show_legend: Option<bool>,
    /// Controls whether a tooltip is rendered when hovering over a datapoint.
    #[serde(
        rename = "showTooltip",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub show_tooltip: Option<bool>,
    /// Gap between bars within the same category (in px).
    #[serde(
        rename = "barGap",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub bar_gap: Option<i64>,
    /// Gap between bar categories/groups (in px).
    #[serde(
        rename = "barCategoryGap",
        default,
        deserialize_with = "lax::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub bar_category_gap: Option<i64>,
    /// Flex growth/shrink factor for layout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flex: Option<IntOrString>,
    /// Explicit height; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<IntOrString>,
    /// Explicit width; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<IntOrString>,
    /// Shorthand to set both width and height; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<IntOrString>,
    /// Minimum height; px or CSS string.
    #[serde(rename = "minHeight", skip_serializing_if = "Option::is_none")]
    pub min_height: Option<IntOrString>,
    /// Minimum width; px or CSS string.
    #[serde(rename = "minWidth", skip_serializing_if = "Option::is_none")]
    pub min_width: Option<IntOrString>,
    /// Shorthand to set both minWidth and minHeight; px or CSS string.
    #[serde(rename = "minSize", skip_serializing_if = "Option::is_none")]
    pub min_size: Option<IntOrString>,
    /// Maximum height; px or CSS string.
    #[serde(rename = "maxHeight", skip_serializing_if = "Option::is_none")]
    pub max_height: Option<IntOrString>,
    /// Maximum width; px or CSS string.
    #[serde(rename = "maxWidth", skip_serializing_if = "Option::is_none")]
    pub max_width: Option<IntOrString>,
    /// Shorthand to set both maxWidth and maxHeight; px or CSS string.
    #[serde(rename = "maxSize", skip_serializing_if = "Option::is_none")]
    pub max_size: Option<IntOrString>,
    /// Aspect ratio of the chart area (e.g., 16/9); number or CSS string.
    #[serde(rename = "aspectRatio", skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<FloatOrString>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

impl Text {
    /// A text node showing `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Text {
            value: value.into(),
            ..Text::default()
        }
    }

    /// The same node with an `id`, so updates can target it (and stream into it).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The same node, marked as still streaming (`true`) or finished (`false`).
    pub fn streaming(mut self, streaming: bool) -> Self {
        self.streaming = Some(streaming);
        self
    }
}

impl Title {
    /// A heading showing `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Title {
            value: value.into(),
            ..Title::default()
        }
    }
}

impl Markdown {
    /// A markdown node rendering `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Markdown {
            value: value.into(),
            ..Markdown::default()
        }
    }

    /// The same node with an `id`, so updates can target it (and stream into it).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The same node, marked as still streaming (`true`) or finished (`false`).
    pub fn streaming(mut self, streaming: bool) -> Self {
        self.streaming = Some(streaming);
        self
    }
}
