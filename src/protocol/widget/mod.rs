//! Widgets: the cards, lists and forms a server puts into a thread.
//!
//! A widget is a tree. Its root is a [`WidgetRoot`] (`Card`, `ListView` or `Basic`) and every
//! node below is a [`WidgetComponent`]: one of 24 typed components (`Text`, `Button`, `Row`,
//! …) or a free-form [`DynamicComponent`]. Where it sits in the request flow: a handler yields
//! a widget item (`{"type":"widget","widget":<WidgetRoot>,…}`, in `item.rs`), and may later
//! replace the root (`widget.root.updated`) or one component (`widget.component.updated`,
//! `item_update.rs`). The client sends back the component's [`ActionConfig`] as an `Action`.
//!
//! Python counterpart: `chatkit/widgets.py` (`WidgetRoot`, `WidgetComponent`, the component
//! classes and `_drop_none`). The reference now deprecates the named classes in favour of
//! `.widget` templates; templates render to the same JSON, which this module reads.
//!
//! # How a node is read (the reference's union rules, which we mirror)
//!
//! * A component is read **typed first**: if its `type` names one of the 24 components and it
//!   validates, it is that component; otherwise (unknown `type`, or e.g. a `Text` with no
//!   `value`) it is kept as a [`DynamicComponent`], and so is everything under it.
//! * A root of type `Card` or `ListView` that does not validate as one (a bad `size`, a
//!   `ListView` child that is not a valid `ListViewItem`) is kept as a dynamic root,
//!   [`WidgetRoot::Dynamic`]. A `Basic` root is always free-form. Any other root `type`, or a
//!   node no reading accepts (no `type`, a non-string `key`), is an error.
//! * Values are read in pydantic's lax mode (`"true"` is a bool, `2.0` an int; see `lax.rs`),
//!   since what validates decides the output.
//!
//! # How a node is written
//!
//! `key`, `id`, `type`, then the props in the reference's declaration order whatever the input
//! order (flex containers write their layout props *first*; see `layout.rs`). Nested objects
//! (`ThemeColor`, `Spacing`, `CardAction`, …) are written in declaration order too, numbers
//! follow the declared Python type (`float | str` writes `1` as `1.0`), nested actions carry
//! their defaults, and nulls are removed at every depth, also inside payloads and free-form
//! props (`[1, null]` → `[1]`), except a key named `children`.
//!
//! # Deliberate difference: unknown props on typed components are kept
//!
//! Pydantic silently drops a prop it does not declare on a typed component
//! (`{"type":"Text","value":"x","foo":1}` comes out without `foo`). Here nothing is lost: such
//! props are kept in the component's `extra` map and written after the declared props, so a
//! server built on this crate passes through props from newer clients. The test
//! `unknown_props_on_typed_components_are_kept_after_the_declared_ones` pins this down.
//! (Unknown keys inside the small structured values, such as a `Spacing` object, are dropped,
//! as in the reference.)
//!
//! # Building widgets in Rust
//!
//! ```
//! use chatkit::protocol::widget::{Button, Card, Markdown, Text, WidgetRoot};
//! use chatkit::protocol::ActionConfig;
//! use serde_json::json;
//!
//! let card: WidgetRoot = Card::new(vec![
//!     Text::new("Your order").with_id("title").into(),
//!     Markdown::new("**2** items, ready to ship").into(),
//!     Button::new("Ship it")
//!         .with_action(ActionConfig::new("ship").with_payload(json!({"order": 42})))
//!         .into(),
//! ])
//! .into();
//! let json = serde_json::to_string(&card).expect("serializes");
//! assert!(json.starts_with(r#"{"type":"Card","children":[{"id":"title","type":"Text","value":"Your order"}"#));
//! ```
//!
//! What it leaves out: the streaming diff (`diff_widget`, a server concern) and `.widget`
//! template rendering; integers beyond `i64` in typed props (the reference accepts them).

mod content;
mod controls;
mod date_time;
mod dynamic;
mod lax;
mod layout;
mod props;
mod roots;
mod series;
mod tokens;

use serde::de::{Deserializer, Error};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use content::{Badge, Caption, Chart, Icon, Image, Markdown, Text, Title};
pub use controls::{Button, Checkbox, DatePicker, Input, Label, RadioGroup, Select, Textarea};
pub use date_time::DateTimeValue;
pub use dynamic::{DynamicChildren, DynamicComponent};
pub use lax::strip_nulls;
pub use layout::{BoxLayout, Col, Divider, Form, Row, Spacer, Transition, WidgetBox};
pub use props::{
    Border, BorderEdge, BorderValue, Borders, CardAction, Color, Editable, EditableProps,
    FloatOrString, ImageMargin, IntOrString, ListLimit, RadioOption, SelectOption, Spacing,
    SpacingValue, ThemeColor, WidgetStatus, WidgetStatusWithFavicon, WidgetStatusWithIcon,
};
pub use roots::{BasicRoot, Card, ListView, ListViewItem};
pub use series::{AreaSeries, BarSeries, LineSeries, Series, XAxis, XAxisConfig};
pub use tokens::*;

#[cfg(doc)]
use crate::protocol::action::ActionConfig;

/// Declares [`WidgetComponent`] from `Variant(Struct) = "Type"` lines, so the list of typed
/// components is written once: the enum, `From<Struct>` for each, the typed reader picked by
/// `type`, and the accessors.
macro_rules! widget_components {
    ($($variant:ident($component:ty) = $wire:literal,)*) => {
        /// One node of a widget tree (Python `WidgetComponent`).
        ///
        /// # Wire format
        ///
        /// An object with a `type`: `{"type":"Text","value":"Hello"}`. See the module doc for
        /// how a node is read (typed first, then free-form) and written.
        ///
        /// Every variant is boxed: components differ a lot in size (a `Box` has twenty props)
        /// and widgets travel inside items and events, so boxing keeps this enum two words
        /// wide. Build one with `.into()`: `Text::new("hi").into()`.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum WidgetComponent {
            $(
                #[doc = concat!("`\"type\":\"", $wire, "\"`")]
                $variant(Box<$component>),
            )*
            /// Any other node, or one that did not validate as its typed component.
            Dynamic(Box<DynamicComponent>),
        }

        impl WidgetComponent {
            /// Reads `value` as the typed component its `type` names; `None` when the type
            /// names no typed component.
            fn read_typed(kind: &str, value: &Value) -> Option<Result<Self, serde_json::Error>> {
                match kind {
                    $($wire => Some(<$component>::deserialize(value).map(WidgetComponent::from)),)*
                    _ => None,
                }
            }

            /// The node's `type`: `"Text"`, `"Row"`, `"Table"`, ….
            pub fn type_name(&self) -> &str {
                match self {
                    $(WidgetComponent::$variant(_) => $wire,)*
                    WidgetComponent::Dynamic(node) => &node.kind,
                }
            }

            /// The node's `id`, which updates use to target it.
            pub fn id(&self) -> Option<&str> {
                match self {
                    $(WidgetComponent::$variant(node) => node.id.as_deref(),)*
                    WidgetComponent::Dynamic(node) => node.id.as_deref(),
                }
            }
        }

        $(
            impl From<$component> for WidgetComponent {
                fn from(component: $component) -> Self {
                    WidgetComponent::$variant(Box::new(component))
                }
            }
        )*
    };
}

widget_components! {
    Text(Text) = "Text",
    Title(Title) = "Title",
    Caption(Caption) = "Caption",
    Chart(Chart) = "Chart",
    Badge(Badge) = "Badge",
    Markdown(Markdown) = "Markdown",
    Box(WidgetBox) = "Box",
    Row(Row) = "Row",
    Col(Col) = "Col",
    Divider(Divider) = "Divider",
    Icon(Icon) = "Icon",
    Image(Image) = "Image",
    ListViewItem(ListViewItem) = "ListViewItem",
    Button(Button) = "Button",
    Checkbox(Checkbox) = "Checkbox",
    Spacer(Spacer) = "Spacer",
    Select(Select) = "Select",
    DatePicker(DatePicker) = "DatePicker",
    Form(Form) = "Form",
    Input(Input) = "Input",
    Label(Label) = "Label",
    RadioGroup(RadioGroup) = "RadioGroup",
    Textarea(Textarea) = "Textarea",
    Transition(Transition) = "Transition",
}

impl From<DynamicComponent> for WidgetComponent {
    fn from(component: DynamicComponent) -> Self {
        WidgetComponent::Dynamic(Box::new(component))
    }
}

impl<'de> Deserialize<'de> for WidgetComponent {
    /// Typed first, then free-form: the reference's `StrictWidgetComponent |
    /// DynamicWidgetComponent`. The input is buffered as a `Value` so it can be read twice.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(Ok(typed)) = WidgetComponent::read_typed(kind, &value) {
            return Ok(typed);
        }
        DynamicComponent::deserialize(&value)
            .map(WidgetComponent::from)
            .map_err(|error| D::Error::custom(format!("invalid widget component: {error}")))
    }
}

/// The top of a widget tree (Python `WidgetRoot`).
///
/// # Wire format
///
/// `{"type":"Card","children":[…]}`, `{"type":"ListView","children":[{"type":"ListViewItem",
/// …}]}` or `{"type":"Basic",…}`. Any other `type` is rejected, as in the reference.
///
/// Variants are boxed, as in [`WidgetComponent`], so that items and events holding a widget
/// stay small; build one with `.into()`: `Card::new(children).into()`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WidgetRoot {
    /// A card.
    Card(Box<Card>),
    /// A list of rows.
    ListView(Box<ListView>),
    /// A free-form root whose children are all free-form.
    Basic(Box<BasicRoot>),
    /// A `Card` or `ListView` that does not validate as one, kept free-form.
    Dynamic(Box<DynamicComponent>),
}

/// The root types the reference accepts.
const ROOT_TYPES: &str = "Card, ListView or Basic";

impl<'de> Deserialize<'de> for WidgetRoot {
    /// The reference's `StrictWidgetRoot | DynamicWidgetRoot`: a typed `Card`/`ListView` if it
    /// validates, else the same node free-form; `Basic` is free-form anyway.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let typed = match value.get("type").and_then(Value::as_str) {
            Some("Card") => Card::deserialize(&value).ok().map(WidgetRoot::from),
            Some("ListView") => ListView::deserialize(&value).ok().map(WidgetRoot::from),
            Some("Basic") => {
                return BasicRoot::deserialize(&value)
                    .map(WidgetRoot::from)
                    .map_err(|error| D::Error::custom(format!("invalid Basic widget: {error}")));
            }
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "unknown widget root type `{other}`: expected {ROOT_TYPES}"
                )));
            }
            None => {
                return Err(D::Error::custom(format!(
                    "a widget root needs a string `type` ({ROOT_TYPES})"
                )));
            }
        };
        match typed {
            Some(root) => Ok(root),
            None => DynamicComponent::deserialize(&value)
                .map(|node| WidgetRoot::Dynamic(Box::new(node)))
                .map_err(|error| D::Error::custom(format!("invalid widget: {error}"))),
        }
    }
}

impl WidgetRoot {
    /// The root's `type`: `"Card"`, `"ListView"` or `"Basic"`.
    pub fn type_name(&self) -> &str {
        match self {
            WidgetRoot::Card(_) => "Card",
            WidgetRoot::ListView(_) => "ListView",
            WidgetRoot::Basic(_) => "Basic",
            WidgetRoot::Dynamic(node) => &node.kind,
        }
    }
}

impl From<Card> for WidgetRoot {
    fn from(card: Card) -> Self {
        WidgetRoot::Card(Box::new(card))
    }
}

impl From<ListView> for WidgetRoot {
    fn from(list: ListView) -> Self {
        WidgetRoot::ListView(Box::new(list))
    }
}

impl From<BasicRoot> for WidgetRoot {
    fn from(root: BasicRoot) -> Self {
        WidgetRoot::Basic(Box::new(root))
    }
}

#[cfg(test)]
mod tests;
