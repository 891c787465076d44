//! Root widgets: `Card`, `ListView` (with its `ListViewItem` rows) and `Basic`.
//!
//! Python counterpart: `Card`, `ListView`, `ListViewItem` and `BasicRoot` in
//! `chatkit/widgets.py`. A `Basic` root is a free-form node (the reference derives it from
//! `DynamicWidgetComponent`), so its children are read as [`DynamicComponent`]s, never as
//! typed components.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::WidgetComponent;
use super::dynamic::{DynamicChildren, DynamicComponent};
use super::lax;
use super::props::{CardAction, Color, IntOrString, ListLimit, SpacingValue, WidgetStatus};
use super::tokens::{Alignment, CardSize, Theme};
use crate::protocol::action::ActionConfig;
use crate::protocol::literal::literal_type;

literal_type!(
    /// The `"type":"Card"` of a [`Card`].
    CardType = "Card"
);

/// Versatile container used for structuring widget content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Card"`.
    #[serde(rename = "type", default)]
    pub kind: CardType,
    /// Treat the card as an HTML form so confirm/cancel capture form data.
    #[serde(
        rename = "asForm",
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub as_form: Option<bool>,
    /// Child components rendered inside the card.
    pub children: Vec<WidgetComponent>,
    /// Background color.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<Color>,
    /// Visual size of the card; accepts a size token. No preset default is documented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<CardSize>,
    /// Inner spacing of the card; spacing unit, CSS string, or padding object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padding: Option<SpacingValue>,
    /// Optional status header displayed above the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WidgetStatus>,
    /// Collapse card body after the main action has completed.
    #[serde(
        default,
        deserialize_with = "lax::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub collapsed: Option<bool>,
    /// Confirmation action button shown in the card footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<CardAction>,
    /// Cancel action button shown in the card footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel: Option<CardAction>,
    /// Force light or dark theme for this subtree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"ListView"` of a [`ListView`].
    ListViewType = "ListView"
);

/// Container component for rendering collections of list items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListView {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"ListView"`.
    #[serde(rename = "type", default)]
    pub kind: ListViewType,
    /// Items to render in the list.
    pub children: Vec<ListViewItem>,
    /// Max number of items to show before a "Show more" control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<ListLimit>,
    /// Optional status header displayed above the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WidgetStatus>,
    /// Force light or dark theme for this subtree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"ListViewItem"` of a [`ListViewItem`].
    ListViewItemType = "ListViewItem"
);

/// Single row inside a `ListView` component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListViewItem {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"ListViewItem"`.
    #[serde(rename = "type", default)]
    pub kind: ListViewItemType,
    /// Content for the list item.
    pub children: Vec<WidgetComponent>,
    /// Optional action triggered when the list item is clicked.
    #[serde(
        rename = "onClickAction",
        serialize_with = "lax::action_without_nulls",
        skip_serializing_if = "Option::is_none"
    )]
    pub on_click_action: Option<ActionConfig>,
    /// Gap between children within the list item; spacing unit or CSS string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<IntOrString>,
    /// Y-axis alignment for content within the list item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub align: Option<Alignment>,
    /// Props the reference does not declare, kept in input order (see the module doc).
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub extra: Map<String, Value>,
}

literal_type!(
    /// The `"type":"Basic"` of a [`BasicRoot`].
    BasicType = "Basic"
);

/// A free-form root (Python `BasicRoot`): any props, and children read as free-form nodes.
///
/// Written like a [`DynamicComponent`]: `key`, `id`, `type`, `children`, then the other props
/// in input order, without nulls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BasicRoot {
    /// Identity hint for the client (React key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Id used to target this node in updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `"Basic"`.
    #[serde(rename = "type", default)]
    pub kind: BasicType,
    /// Child nodes, free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<DynamicChildren>,
    /// Every other prop, in input order.
    #[serde(flatten, serialize_with = "lax::props_without_nulls")]
    pub props: Map<String, Value>,
}

impl Card {
    /// A card holding `children`.
    pub fn new(children: Vec<WidgetComponent>) -> Self {
        Card {
            children,
            ..Card::default()
        }
    }

    /// The same card with an `id`.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The same card with a status line above it.
    pub fn with_status(mut self, status: WidgetStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// The same card with a confirm button in its footer.
    pub fn with_confirm(mut self, label: impl Into<String>, action: ActionConfig) -> Self {
        self.confirm = Some(CardAction::new(label, action));
        self
    }

    /// The same card with a cancel button in its footer.
    pub fn with_cancel(mut self, label: impl Into<String>, action: ActionConfig) -> Self {
        self.cancel = Some(CardAction::new(label, action));
        self
    }
}

impl ListView {
    /// A list of `items`.
    pub fn new(items: Vec<ListViewItem>) -> Self {
        ListView {
            children: items,
            ..ListView::default()
        }
    }

    /// The same list showing at most `limit` items before "Show more".
    pub fn with_limit(mut self, limit: ListLimit) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl ListViewItem {
    /// A row holding `children`.
    pub fn new(children: Vec<WidgetComponent>) -> Self {
        ListViewItem {
            children,
            ..ListViewItem::default()
        }
    }

    /// The same row, firing `action` when clicked.
    pub fn with_action(mut self, action: ActionConfig) -> Self {
        self.on_click_action = Some(action);
        self
    }
}

impl BasicRoot {
    /// A `Basic` root holding free-form `children`.
    pub fn new(children: Vec<DynamicComponent>) -> Self {
        BasicRoot {
            children: Some(DynamicChildren::Many(children)),
            ..BasicRoot::default()
        }
    }
}
