//! Layout components: flex containers (`Box`, `Row`, `Col`, `Form`), `Divider`, `Spacer` and
//! `Transition`.
//!
//! Python counterpart: `BoxBase` and its subclasses in `chatkit/widgets.py`. One quirk to know:
//! the containers inherit from both `WidgetComponentBase` and `BoxBase`, and pydantic writes the
//! `BoxBase` fields *first*, so a row comes out as `{"children":[…],"gap":2,"key":…,"id":…,
//! "type":"Row"}`. [`BoxLayout`] is flattened at the front of each container to match.
//!
//! The Rust struct for `Box` is [`WidgetBox`], so that it does not shadow `std::boxed::Box`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::WidgetComponent;
use super::lax;
use super::props::{BorderValue, Color, FloatOrString, IntOrString, SpacingValue};
use super::tokens::{Alignment, Direction, FlexWrap, Justification, RadiusValue};
use crate::protocol::action::ActionConfig;
use crate::protocol::literal::literal_type;

/// The props of every flex container (Python `BoxBase`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoxLayout {
    /// Child components to render inside the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<WidgetComponent>>,
    /// Cross-axis alignment of children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub align: Option<Alignment>,
    /// Main-axis distribution of children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justify: Option<Justification>,
    /// Wrap behavior for flex items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrap: Option<FlexWrap>,
    /// Flex growth/shrink factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flex: Option<IntOrString>,
    /// Gap between direct children; spacing unit or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<IntOrString>,
    /// Explicit height; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<FloatOrString>,
    /// Explicit width; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<FloatOrString>,
    /// Shorthand to set both width and height; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<FloatOrString>,
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
    /// Inner padding; spacing unit, CSS string, or padding object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padding: Option<SpacingValue>,
    /// Outer margin; spacing unit, CSS string, or margin object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<SpacingValue>,
    /// Border applied to the container; px or border object/shorthand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub border: Option<BorderValue>,
    /// Border radius; accepts a radius token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius: Option<RadiusValue>,
    /// Background color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<Color>,
    /// Aspect ratio of the box (e.g., 16/9); number or CSS string.
    #[serde(rename = "aspectRatio", skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<FloatOrString>,
}

literal_type!(
    /// The `"type":"Box"` of a [`WidgetBox`].
    BoxType = "Box"
);

/// Generic flex container with direction control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WidgetBox {
    /// The flex-container props (Python `BoxBase`), written before `key`, `id` and `type`.
    #[serde(flatten)]
    pub layout: BoxLayout,
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Box"`.
    #[serde(rename = "type", default)]
    pub kind: BoxType,
    /// Flex direction for content within this container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Row"` of a [`Row`].
    RowType = "Row"
);

/// Horizontal flex container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The flex-container props (Python `BoxBase`), written before `key`, `id` and `type`.
    #[serde(flatten)]
    pub layout: BoxLayout,
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Row"`.
    #[serde(rename = "type", default)]
    pub kind: RowType,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Col"` of a [`Col`].
    ColType = "Col"
);

/// Vertical flex container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Col {
    /// The flex-container props (Python `BoxBase`), written before `key`, `id` and `type`.
    #[serde(flatten)]
    pub layout: BoxLayout,
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Col"`.
    #[serde(rename = "type", default)]
    pub kind: ColType,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Form"` of a [`Form`].
    FormType = "Form"
);

/// Form wrapper capable of submitting `onSubmitAction`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// The flex-container props (Python `BoxBase`), written before `key`, `id` and `type`.
    #[serde(flatten)]
    pub layout: BoxLayout,
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Form"`.
    #[serde(rename = "type", default)]
    pub kind: FormType,
    /// Action dispatched when the form is submitted.
    #[serde(
        rename = "onSubmitAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_submit_action: Option<ActionConfig>,
    /// Flex direction for laying out form children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Divider"` of a [`Divider`].
    DividerType = "Divider"
);

/// Visual divider separating content sections.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Divider {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Divider"`.
    #[serde(rename = "type", default)]
    pub kind: DividerType,
    /// Divider color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Thickness of the divider line; px or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<IntOrString>,
    /// Outer spacing above and below the divider; spacing unit or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spacing: Option<IntOrString>,
    /// Flush the divider to the container edge, removing surrounding padding.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub flush: Option<bool>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Spacer"` of a [`Spacer`].
    SpacerType = "Spacer"
);

/// Flexible spacer used to push content apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Spacer {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Spacer"`.
    #[serde(rename = "type", default)]
    pub kind: SpacerType,
    /// Minimum size the spacer should occupy along the flex direction.
    #[serde(rename = "minSize", skip_serializing_if = "Option::is_none")]
    pub min_size: Option<IntOrString>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Transition"` of a [`Transition`].
    TransitionType = "Transition"
);

/// Wrapper enabling transitions for a child component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Transition"`.
    #[serde(rename = "type", default)]
    pub kind: TransitionType,
    /// The child component to animate layout changes for.
    #[serde(
        deserialize_with = "lax::required_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub children: Option<WidgetComponent>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

impl Row {
    /// A row laying out `children` horizontally.
    pub fn new(children: Vec<WidgetComponent>) -> Self {
        Row {
            layout: BoxLayout {
                children: Some(children),
                ..BoxLayout::default()
            },
            ..Row::default()
        }
    }
}

impl Col {
    /// A column laying out `children` vertically.
    pub fn new(children: Vec<WidgetComponent>) -> Self {
        Col {
            layout: BoxLayout {
                children: Some(children),
                ..BoxLayout::default()
            },
            ..Col::default()
        }
    }
}
